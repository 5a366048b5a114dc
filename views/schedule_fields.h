#pragma once
// The Schedule section of the training settings: how the learning rate moves over the run
// (constant, step, multi-step, cosine, warmup + cosine, one-cycle) and the fields of the chosen
// kind; the others stay hidden but keep their values. A UI-thread widget inside
// TrainSettingsForm.

#include "proto/torchlight.pb.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;

namespace tl::views {

class ExactSpinBox;

class ScheduleFields : public QWidget
{
    Q_OBJECT

public:
    explicit ScheduleFields(QWidget *parent = nullptr);

    void write(const proto::LrSchedule &schedule);
    void read(proto::LrSchedule &schedule) const;
    // "cosine", "step ×0.1 every 1,000 steps"
    QString summary() const;

    // "100, 200,300" -> {100, 200, 300}; false when a part is not a whole number.
    static bool parseMilestones(const QString &text, std::vector<std::uint64_t> &milestones);

signals:
    void edited();

private:
    void updateFields();
    proto::LrScheduleKind kind() const;

    QFormLayout *m_form = nullptr;
    QComboBox *m_kind = nullptr;
    QSpinBox *m_stepSize = nullptr;
    ExactSpinBox *m_gamma = nullptr;
    QLineEdit *m_milestones = nullptr;
    QSpinBox *m_warmupSteps = nullptr;
    ExactSpinBox *m_minFactor = nullptr;
    ExactSpinBox *m_pctStart = nullptr;
    ExactSpinBox *m_divFactor = nullptr;
    ExactSpinBox *m_finalDivFactor = nullptr;
};

} // namespace tl::views
