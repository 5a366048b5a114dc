#include "views/schedule_fields.h"

#include "views/exact_spin_box.h"
#include "views/form_fields.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>

#include <limits>

namespace tl::views {

ScheduleFields::ScheduleFields(QWidget *parent) : QWidget(parent)
{
    m_kind = enumField(this, QStringLiteral("trainSchedule"),
                       {{tr("Constant"), proto::LR_SCHEDULE_CONSTANT},
                        {tr("Step"), proto::LR_SCHEDULE_STEP},
                        {tr("Multi-step"), proto::LR_SCHEDULE_MULTI_STEP},
                        {tr("Cosine"), proto::LR_SCHEDULE_COSINE},
                        {tr("Warmup + cosine"), proto::LR_SCHEDULE_WARMUP_COSINE},
                        {tr("One-cycle"), proto::LR_SCHEDULE_ONE_CYCLE}});
    const int most = std::numeric_limits<int>::max();
    m_stepSize = countField(this, QStringLiteral("trainStepSize"), 0, most, tr("one epoch"));
    m_stepSize->setSuffix(tr(" steps"));
    m_gamma = exactField(this, QStringLiteral("trainGamma"), 0, 1, 0.05, tr("default (0.1)"));
    m_milestones = new QLineEdit(this);
    m_milestones->setObjectName(QStringLiteral("trainMilestones"));
    m_milestones->setPlaceholderText(tr("steps, e.g. 3000, 6000"));
    m_milestones->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[0-9, ]*")), m_milestones));
    m_warmupSteps =
        countField(this, QStringLiteral("trainWarmupSteps"), 0, most, tr("5% of the run"));
    m_warmupSteps->setSuffix(tr(" steps"));
    m_minFactor = exactField(this, QStringLiteral("trainMinFactor"), 0, 1, 0.01);
    m_minFactor->setToolTip(tr("The last step's rate as a fraction of the learning rate."));
    m_pctStart =
        exactField(this, QStringLiteral("trainPctStart"), 0, 0.99, 0.05, tr("default (0.3)"));
    m_divFactor = exactField(this, QStringLiteral("trainDivFactor"), 0, 1e6, 5, tr("default (25)"));
    m_finalDivFactor =
        exactField(this, QStringLiteral("trainFinalDivFactor"), 0, 1e12, 10, tr("default (1e4)"));
    m_finalDivFactor->setStepFactor(10.0);

    m_form = new QFormLayout(this);
    m_form->setContentsMargins(12, 0, 0, 0);
    m_form->addRow(tr("Schedule:"), m_kind);
    m_form->addRow(tr("Decay every:"), m_stepSize);
    m_form->addRow(tr("Milestones:"), m_milestones);
    m_form->addRow(tr("Decay factor:"), m_gamma);
    m_form->addRow(tr("Warmup:"), m_warmupSteps);
    m_form->addRow(tr("Final factor:"), m_minFactor);
    m_form->addRow(tr("Rising share:"), m_pctStart);
    m_form->addRow(tr("Start divisor:"), m_divFactor);
    m_form->addRow(tr("Final divisor:"), m_finalDivFactor);
    onAnyEdit({m_kind, m_stepSize, m_gamma, m_milestones, m_warmupSteps, m_minFactor, m_pctStart,
               m_divFactor, m_finalDivFactor},
              this, [this] {
                  updateFields();
                  emit edited();
              });
    updateFields();
}

proto::LrScheduleKind ScheduleFields::kind() const
{
    return static_cast<proto::LrScheduleKind>(m_kind->currentData().toInt());
}

void ScheduleFields::write(const proto::LrSchedule &schedule)
{
    selectValue(m_kind, schedule.kind());
    setCount(m_stepSize, schedule.step_size());
    m_gamma->setValue(schedule.gamma());
    QStringList milestones;
    for (std::uint64_t step : schedule.milestones()) {
        milestones << QString::number(step);
    }
    m_milestones->setText(milestones.join(QStringLiteral(", ")));
    setCount(m_warmupSteps, schedule.warmup_steps());
    m_minFactor->setValue(schedule.min_factor());
    m_pctStart->setValue(schedule.pct_start());
    m_divFactor->setValue(schedule.div_factor());
    m_finalDivFactor->setValue(schedule.final_div_factor());
    updateFields();
}

void ScheduleFields::read(proto::LrSchedule &schedule) const
{
    schedule.set_kind(kind());
    schedule.set_step_size(static_cast<std::uint64_t>(m_stepSize->value()));
    schedule.set_gamma(m_gamma->value());
    std::vector<std::uint64_t> milestones;
    parseMilestones(m_milestones->text(), milestones);
    schedule.clear_milestones();
    for (std::uint64_t step : milestones) {
        schedule.add_milestones(step);
    }
    schedule.set_warmup_steps(static_cast<std::uint64_t>(m_warmupSteps->value()));
    schedule.set_min_factor(m_minFactor->value());
    schedule.set_pct_start(m_pctStart->value());
    schedule.set_div_factor(m_divFactor->value());
    schedule.set_final_div_factor(m_finalDivFactor->value());
}

bool ScheduleFields::parseMilestones(const QString &text, std::vector<std::uint64_t> &milestones)
{
    milestones.clear();
    static const QRegularExpression kSeparators(QStringLiteral("[,\\s]+"));
    bool allRead = true;
    for (const QString &part : text.split(kSeparators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const qulonglong step = part.toULongLong(&ok);
        if (ok) {
            milestones.push_back(step);
        }
        allRead = allRead && ok;
    }
    return allRead;
}

QString ScheduleFields::summary() const
{
    switch (kind()) {
    case proto::LR_SCHEDULE_STEP:
        return tr("step ×%1 every %2")
            .arg(m_gamma->value() > 0 ? m_gamma->text() : QStringLiteral("0.1"),
                 m_stepSize->value() > 0 ? m_stepSize->text() : tr("epoch"));
    case proto::LR_SCHEDULE_MULTI_STEP:
        return tr("multi-step at %1").arg(m_milestones->text());
    case proto::LR_SCHEDULE_WARMUP_COSINE:
        return tr("warmup + cosine");
    default:
        return m_kind->currentText().toLower();
    }
}

void ScheduleFields::updateFields()
{
    const proto::LrScheduleKind k = kind();
    const bool cosine = k == proto::LR_SCHEDULE_COSINE || k == proto::LR_SCHEDULE_WARMUP_COSINE;
    const bool oneCycle = k == proto::LR_SCHEDULE_ONE_CYCLE;
    m_form->setRowVisible(m_stepSize, k == proto::LR_SCHEDULE_STEP);
    m_form->setRowVisible(m_milestones, k == proto::LR_SCHEDULE_MULTI_STEP);
    m_form->setRowVisible(m_gamma,
                          k == proto::LR_SCHEDULE_STEP || k == proto::LR_SCHEDULE_MULTI_STEP);
    m_form->setRowVisible(m_warmupSteps, k == proto::LR_SCHEDULE_WARMUP_COSINE);
    m_form->setRowVisible(m_minFactor, cosine);
    m_form->setRowVisible(m_pctStart, oneCycle);
    m_form->setRowVisible(m_divFactor, oneCycle);
    m_form->setRowVisible(m_finalDivFactor, oneCycle);
}

} // namespace tl::views
