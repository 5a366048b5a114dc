#pragma once
// The Optimizer section of the training settings: which optimizer, its learning rate and
// weight decay, and the fields that apply to it (momentum and Nesterov for SGD, betas and eps
// for Adam and AdamW, alpha, eps and momentum for RMSprop); the others stay hidden but keep
// their values. A UI-thread widget inside TrainSettingsForm.

#include "proto/torchlight.pb.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;

namespace tl::views {

class ExactSpinBox;

class OptimizerFields : public QWidget
{
    Q_OBJECT

public:
    explicit OptimizerFields(QWidget *parent = nullptr);

    // Shows the optimizer fields of train; read() writes them back unchanged.
    void write(const proto::TrainConfig &train);
    void read(proto::TrainConfig &train) const;
    // "SGD, lr 0.01, momentum 0.9"
    QString summary() const;
    proto::Optimizer optimizer() const;

    // The rate torch.optim uses when none is given (and the protocol's 0 means).
    static double defaultLearningRate(proto::Optimizer optimizer);

signals:
    void edited();

private:
    void updateFields();
    void onOptimizerChosen();

    QFormLayout *m_form = nullptr;
    QComboBox *m_optimizer = nullptr;
    ExactSpinBox *m_learningRate = nullptr;
    ExactSpinBox *m_momentum = nullptr;
    QCheckBox *m_nesterov = nullptr;
    ExactSpinBox *m_beta1 = nullptr;
    ExactSpinBox *m_beta2 = nullptr;
    ExactSpinBox *m_alpha = nullptr;
    ExactSpinBox *m_eps = nullptr;
    ExactSpinBox *m_weightDecay = nullptr;
    proto::Optimizer m_shown = proto::OPTIMIZER_SGD; // the optimizer the fields were set up for
};

} // namespace tl::views
