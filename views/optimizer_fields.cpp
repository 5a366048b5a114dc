#include "views/optimizer_fields.h"

#include "views/exact_spin_box.h"
#include "views/form_fields.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>

namespace tl::views {
namespace {

bool isAdam(proto::Optimizer optimizer)
{
    return optimizer == proto::OPTIMIZER_ADAM || optimizer == proto::OPTIMIZER_ADAMW;
}

// The protocol treats 0 (unspecified) as SGD; the panel says so.
proto::Optimizer effective(proto::Optimizer optimizer)
{
    return optimizer == proto::OPTIMIZER_UNSPECIFIED ? proto::OPTIMIZER_SGD : optimizer;
}

} // namespace

OptimizerFields::OptimizerFields(QWidget *parent) : QWidget(parent)
{
    m_optimizer = enumField(this, QStringLiteral("trainOptimizer"),
                            {{QStringLiteral("SGD"), proto::OPTIMIZER_SGD},
                             {QStringLiteral("Adam"), proto::OPTIMIZER_ADAM},
                             {QStringLiteral("AdamW"), proto::OPTIMIZER_ADAMW},
                             {QStringLiteral("RMSprop"), proto::OPTIMIZER_RMSPROP}});
    m_learningRate =
        exactField(this, QStringLiteral("trainLearningRate"), 0, 10, 0.001, tr("default"));
    m_learningRate->setStepFactor(2.0);
    m_momentum = exactField(this, QStringLiteral("trainMomentum"), 0, 0.9999, 0.01);
    m_nesterov = new QCheckBox(tr("Nesterov"), this);
    m_nesterov->setObjectName(QStringLiteral("trainNesterov"));
    m_beta1 = exactField(this, QStringLiteral("trainBeta1"), 0, 0.9999, 0.01, tr("default (0.9)"));
    m_beta2 =
        exactField(this, QStringLiteral("trainBeta2"), 0, 0.999999, 0.001, tr("default (0.999)"));
    m_alpha = exactField(this, QStringLiteral("trainRmspropAlpha"), 0, 0.9999, 0.01,
                         tr("default (0.99)"));
    m_eps = exactField(this, QStringLiteral("trainEps"), 0, 1, 1e-8, tr("default (1e-08)"));
    m_eps->setStepFactor(10.0);
    m_weightDecay = exactField(this, QStringLiteral("trainWeightDecay"), 0, 1, 1e-4, tr("none"));
    m_weightDecay->setStepFactor(2.0);

    m_form = new QFormLayout(this);
    m_form->setContentsMargins(12, 0, 0, 0);
    m_form->addRow(tr("Optimizer:"), m_optimizer);
    m_form->addRow(tr("Learning rate:"), m_learningRate);
    m_form->addRow(tr("Momentum:"), m_momentum);
    m_form->addRow(QString(), m_nesterov);
    m_form->addRow(tr("Beta 1:"), m_beta1);
    m_form->addRow(tr("Beta 2:"), m_beta2);
    m_form->addRow(tr("Alpha:"), m_alpha);
    m_form->addRow(tr("Epsilon:"), m_eps);
    m_form->addRow(tr("Weight decay:"), m_weightDecay);
    m_learningRate->setToolTip(tr("Up and down double or halve the rate."));
    m_weightDecay->setToolTip(tr("SGD, Adam and RMSprop add it to the gradient (L2); AdamW "
                                 "decays the weights directly."));

    connect(m_optimizer, &QComboBox::activated, this, &OptimizerFields::onOptimizerChosen);
    onAnyEdit({m_optimizer, m_learningRate, m_momentum, m_nesterov, m_beta1, m_beta2, m_alpha,
               m_eps, m_weightDecay},
              this, [this] {
                  updateFields();
                  emit edited();
              });
    updateFields();
}

double OptimizerFields::defaultLearningRate(proto::Optimizer optimizer)
{
    return isAdam(optimizer) ? 0.001 : 0.01;
}

proto::Optimizer OptimizerFields::optimizer() const
{
    return static_cast<proto::Optimizer>(m_optimizer->currentData().toInt());
}

void OptimizerFields::write(const proto::TrainConfig &train)
{
    selectValue(m_optimizer, effective(train.optimizer()));
    m_shown = optimizer();
    m_learningRate->setValue(train.learning_rate());
    m_momentum->setValue(train.momentum());
    m_nesterov->setChecked(train.nesterov());
    m_beta1->setValue(train.beta1());
    m_beta2->setValue(train.beta2());
    m_alpha->setValue(train.rmsprop_alpha());
    m_eps->setValue(train.eps());
    m_weightDecay->setValue(train.weight_decay());
    updateFields();
}

void OptimizerFields::read(proto::TrainConfig &train) const
{
    train.set_optimizer(optimizer());
    train.set_learning_rate(m_learningRate->value());
    train.set_momentum(m_momentum->value());
    train.set_nesterov(m_nesterov->isChecked());
    train.set_beta1(m_beta1->value());
    train.set_beta2(m_beta2->value());
    train.set_rmsprop_alpha(m_alpha->value());
    train.set_eps(m_eps->value());
    train.set_weight_decay(m_weightDecay->value());
}

QString OptimizerFields::summary() const
{
    QString text =
        QStringLiteral("%1, lr %2").arg(m_optimizer->currentText(), m_learningRate->text());
    const proto::Optimizer o = optimizer();
    if ((o == proto::OPTIMIZER_SGD || o == proto::OPTIMIZER_RMSPROP) && m_momentum->value() > 0) {
        text += tr(", momentum %1").arg(m_momentum->text());
    }
    if (o == proto::OPTIMIZER_SGD && m_nesterov->isChecked() && m_momentum->value() > 0) {
        text += tr(" (Nesterov)");
    }
    return text;
}

void OptimizerFields::updateFields()
{
    const proto::Optimizer o = optimizer();
    const bool sgd = o == proto::OPTIMIZER_SGD;
    const bool rmsprop = o == proto::OPTIMIZER_RMSPROP;
    m_form->setRowVisible(m_momentum, sgd || rmsprop);
    m_form->setRowVisible(m_nesterov, sgd);
    m_nesterov->setEnabled(m_momentum->value() > 0); // torch refuses Nesterov without momentum
    m_form->setRowVisible(m_beta1, isAdam(o));
    m_form->setRowVisible(m_beta2, isAdam(o));
    m_form->setRowVisible(m_alpha, rmsprop);
    m_form->setRowVisible(m_eps, isAdam(o) || rmsprop);
    // Setting the text rewrites the field's editor, so only when it changes.
    const QString rateText = tr("default (%1)").arg(defaultLearningRate(o));
    if (m_learningRate->specialValueText() != rateText) {
        m_learningRate->setSpecialValueText(rateText);
    }
    const QString decayText = o == proto::OPTIMIZER_ADAMW ? tr("default (0.01)") : tr("none");
    if (m_weightDecay->specialValueText() != decayText) {
        m_weightDecay->setSpecialValueText(decayText);
    }
}

void OptimizerFields::onOptimizerChosen()
{
    // A rate left at the old optimizer's default moves to the new one's: SGD's 0.01 would make
    // Adam diverge, Adam's 0.001 would make SGD crawl. A rate the user chose stays.
    const proto::Optimizer chosen = optimizer();
    if (m_learningRate->value() == defaultLearningRate(m_shown)) {
        m_learningRate->setValue(defaultLearningRate(chosen));
    }
    m_shown = chosen;
}

} // namespace tl::views
