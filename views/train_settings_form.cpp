#include "views/train_settings_form.h"

#include "views/collapsible_section.h"
#include "views/exact_spin_box.h"
#include "views/form_fields.h"
#include "views/optimizer_fields.h"
#include "views/schedule_fields.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

namespace tl::views {
namespace {

constexpr int kMost = std::numeric_limits<int>::max();

QFormLayout *sectionForm(QWidget *body)
{
    auto *form = new QFormLayout(body);
    form->setContentsMargins(12, 0, 0, 0);
    return form;
}

// Accuracy and top-5 are maximised whatever TrainConfig.goal.maximize says.
bool isMaximisedMetric(const QString &metric)
{
    return metric.endsWith(QStringLiteral("accuracy")) || metric.endsWith(QStringLiteral("top5"));
}

} // namespace

proto::TrainConfig defaultTrainConfig()
{
    proto::TrainConfig train;
    train.set_optimizer(proto::OPTIMIZER_SGD);
    train.set_learning_rate(0.01);
    train.set_momentum(0.9);
    train.set_epochs(10);
    train.set_batch_size(64);
    train.mutable_schedule()->set_kind(proto::LR_SCHEDULE_COSINE);
    train.set_loss(proto::LOSS_CROSS_ENTROPY);
    return train;
}

TrainSettingsForm::TrainSettingsForm(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_general = buildGeneral();
    layout->addWidget(m_general);
    m_optimizer = new OptimizerFields(this);
    m_schedule = new ScheduleFields(this);
    addSection(tr("Optimizer"), QStringLiteral("sectionOptimizer"), m_optimizer, true);
    addSection(tr("Schedule"), QStringLiteral("sectionSchedule"), m_schedule, true);
    addSection(tr("Loss && metrics"), QStringLiteral("sectionLoss"), buildLoss(), false);
    addSection(tr("Checkpoints"), QStringLiteral("sectionCheckpoints"), buildCheckpoints(), false);
    addSection(tr("Advanced"), QStringLiteral("sectionAdvanced"), buildAdvanced(), false);
    layout->addStretch(1); // spare height below the sections, never between their rows
    connect(m_optimizer, &OptimizerFields::edited, this, &TrainSettingsForm::onEdited);
    connect(m_schedule, &ScheduleFields::edited, this, &TrainSettingsForm::onEdited);
    onAnyEdit({m_device,         m_epochs,          m_batchSize,       m_trainLimit,   m_loss,
               m_labelSmoothing, m_evalEvery,       m_goalMetric,      m_goalMaximize, m_patience,
               m_minDelta,       m_checkpointEvery, m_keepCheckpoints, m_resumeFrom,   m_gradClip,
               m_accumulation,   m_precision,       m_plainLoop,       m_seed,         m_threads,
               m_logEvery},
              this, [this] { onEdited(); });
    connect(m_device, &QComboBox::activated, this, &TrainSettingsForm::onDeviceChosen);
    setSettings(TrainSettings{});
}

void TrainSettingsForm::addSection(const QString &title,
                                   const QString &name,
                                   QWidget *body,
                                   bool expanded)
{
    auto *section = new CollapsibleSection(title, body, this);
    section->setObjectName(name);
    section->setExpanded(expanded);
    layout()->addWidget(section);
    m_sections << section;
}

QWidget *TrainSettingsForm::buildGeneral()
{
    auto *body = new QWidget(this);
    m_device = new QComboBox(body);
    m_device->setObjectName(QStringLiteral("trainDevice"));
    m_epochs = countField(body, QStringLiteral("trainEpochs"), 1, 100'000);
    m_batchSize = countField(body, QStringLiteral("trainBatchSize"), 1, 65'536);
    m_trainLimit = countField(body, QStringLiteral("trainLimit"), 0, 1'000'000'000, tr("all"));
    m_trainLimit->setSingleStep(1000);
    auto *form = new QFormLayout(body);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Device:"), m_device);
    form->addRow(tr("Epochs:"), m_epochs);
    form->addRow(tr("Batch size:"), m_batchSize);
    form->addRow(tr("Train samples:"), m_trainLimit);
    return body;
}

QWidget *TrainSettingsForm::buildLoss()
{
    auto *body = new QWidget(this);
    m_loss = enumField(body, QStringLiteral("trainLoss"),
                       {{tr("Cross-entropy"), proto::LOSS_CROSS_ENTROPY},
                        {tr("NLL (log-probabilities)"), proto::LOSS_NLL},
                        {tr("BCE with logits"), proto::LOSS_BCE_WITH_LOGITS},
                        {tr("MSE"), proto::LOSS_MSE},
                        {tr("L1"), proto::LOSS_L1}});
    m_labelSmoothing =
        exactField(body, QStringLiteral("trainLabelSmoothing"), 0, 0.99, 0.05, tr("none"));
    m_evalEvery = countField(body, QStringLiteral("trainEvalEvery"), 0, kMost, tr("each epoch"));
    m_evalEvery->setSuffix(tr(" steps"));
    m_goalMetric = new QComboBox(body);
    m_goalMetric->setObjectName(QStringLiteral("trainGoalMetric"));
    m_goalMetric->setEditable(true);
    m_goalMetric->addItems({QStringLiteral("val/loss"), QStringLiteral("val/accuracy"),
                            QStringLiteral("val/top5"), QStringLiteral("test/loss"),
                            QStringLiteral("test/accuracy"), QStringLiteral("test/top5")});
    m_goalMetric->lineEdit()->setPlaceholderText(QStringLiteral("val/loss"));
    m_goalMetric->setToolTip(tr("Early stopping and the best checkpoint watch this metric."));
    m_goalMaximize = new QCheckBox(tr("Higher is better"), body);
    m_goalMaximize->setObjectName(QStringLiteral("trainGoalMaximize"));
    m_patience = countField(body, QStringLiteral("trainPatience"), 0, 100'000, tr("off"));
    m_patience->setSuffix(tr(" evaluations"));
    m_patience->setToolTip(tr("Stop when the metric has not improved for this many evaluations."));
    m_minDelta = exactField(body, QStringLiteral("trainMinDelta"), 0, 1e9, 0.001);
    m_lossForm = sectionForm(body);
    m_lossForm->addRow(tr("Loss:"), m_loss);
    m_lossForm->addRow(tr("Label smoothing:"), m_labelSmoothing);
    m_lossForm->addRow(tr("Evaluate every:"), m_evalEvery);
    m_lossForm->addRow(tr("Watch metric:"), m_goalMetric);
    m_lossForm->addRow(QString(), m_goalMaximize);
    m_lossForm->addRow(tr("Early stopping:"), m_patience);
    m_lossForm->addRow(tr("Min. improvement:"), m_minDelta);
    return body;
}

QWidget *TrainSettingsForm::buildCheckpoints()
{
    auto *body = new QWidget(this);
    m_checkpointEvery = countField(body, QStringLiteral("trainCheckpointEvery"), 0, kMost,
                                   tr("off (best and last only)"));
    m_checkpointEvery->setSuffix(tr(" steps"));
    m_keepCheckpoints =
        countField(body, QStringLiteral("trainKeepCheckpoints"), 0, 10'000, tr("default (3)"));
    m_resumeFrom = new QLineEdit(body);
    m_resumeFrom->setObjectName(QStringLiteral("trainResumeFrom"));
    m_resumeFrom->setPlaceholderText(tr("none: start fresh"));
    m_resumeFrom->setClearButtonEnabled(true);
    auto *browse = new QToolButton(body);
    browse->setObjectName(QStringLiteral("trainResumeBrowse"));
    browse->setText(tr("Browse…"));
    connect(browse, &QToolButton::clicked, this, &TrainSettingsForm::browseCheckpoint);
    auto *resumeRow = new QHBoxLayout;
    resumeRow->addWidget(m_resumeFrom);
    resumeRow->addWidget(browse);
    QFormLayout *form = sectionForm(body);
    form->addRow(tr("Save every:"), m_checkpointEvery);
    form->addRow(tr("Keep:"), m_keepCheckpoints);
    form->addRow(tr("Resume from:"), resumeRow);
    return body;
}

QWidget *TrainSettingsForm::buildAdvanced()
{
    auto *body = new QWidget(this);
    m_gradClip = exactField(body, QStringLiteral("trainGradClip"), 0, 1e6, 0.5, tr("off"));
    m_gradClip->setToolTip(tr("Clips the global L2 norm of the gradients."));
    m_accumulation = countField(body, QStringLiteral("trainAccumulation"), 1, 4096);
    m_accumulation->setToolTip(tr("Batches whose gradients add up to one optimizer step."));
    m_precision = enumField(body, QStringLiteral("trainPrecision"),
                            {{tr("FP32"), proto::PRECISION_FP32},
                             {tr("BF16 autocast (CUDA)"), proto::PRECISION_BF16_AUTOCAST}});
    m_plainLoop = new QCheckBox(tr("Plain loop (no CUDA graphs)"), body);
    m_plainLoop->setObjectName(QStringLiteral("trainPlainLoop"));
    m_seed = new QLineEdit(body);
    m_seed->setObjectName(QStringLiteral("trainSeed"));
    m_seed->setPlaceholderText(QStringLiteral("0"));
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,20}")), m_seed));
    m_threads = countField(body, QStringLiteral("trainThreads"), 0, 1024, tr("all cores"));
    m_logEvery = countField(body, QStringLiteral("trainLogEvery"), 0, kMost, tr("default (50)"));
    m_logEvery->setSuffix(tr(" steps"));
    QFormLayout *form = sectionForm(body);
    form->addRow(tr("Gradient clipping:"), m_gradClip);
    form->addRow(tr("Batches per step:"), m_accumulation);
    form->addRow(tr("Precision:"), m_precision);
    form->addRow(QString(), m_plainLoop);
    form->addRow(tr("Seed:"), m_seed);
    form->addRow(tr("CPU threads:"), m_threads);
    form->addRow(tr("Log loss every:"), m_logEvery);
    return body;
}

TrainSettings TrainSettingsForm::settings() const
{
    TrainSettings s;
    s.train.Clear(); // every field comes from the form

    m_optimizer->read(s.train);
    m_schedule->read(*s.train.mutable_schedule());
    readLoss(s.train);
    readRest(s.train);
    // An all-default sub-message is left unset, as a config that never mentioned it has it.
    if (s.train.schedule().ByteSizeLong() == 0) {
        s.train.clear_schedule();
    }
    if (s.train.goal().ByteSizeLong() == 0) {
        s.train.clear_goal();
    }
    s.trainLimit = static_cast<std::uint64_t>(m_trainLimit->value());
    s.device = m_device->currentData().toString().toStdString();
    return s;
}

void TrainSettingsForm::setSettings(const TrainSettings &settings)
{
    m_writing = true;
    const QString device =
        QString::fromStdString(settings.device.empty() ? "cpu" : settings.device);
    int index = m_device->findData(device);
    if (index < 0) {
        // A device from the experiment file that no probe has confirmed yet.
        m_device->addItem(device, device);
        index = m_device->count() - 1;
    }
    m_device->setCurrentIndex(index);
    setCount(m_trainLimit, settings.trainLimit);
    m_optimizer->write(settings.train);
    m_schedule->write(settings.train.schedule());
    writeLoss(settings.train);
    writeRest(settings.train);
    m_writing = false;
    onEdited();
}

void TrainSettingsForm::readLoss(proto::TrainConfig &train) const
{
    train.set_loss(static_cast<proto::LossKind>(m_loss->currentData().toInt()));
    train.set_label_smoothing(m_labelSmoothing->value());
    train.set_eval_every_steps(static_cast<std::uint32_t>(m_evalEvery->value()));
    proto::MetricGoal &goal = *train.mutable_goal();
    goal.set_metric(m_goalMetric->currentText().trimmed().toStdString());
    goal.set_maximize(m_goalMaximize->isChecked());
    goal.set_patience(static_cast<std::uint32_t>(m_patience->value()));
    goal.set_min_delta(m_minDelta->value());
}

void TrainSettingsForm::writeLoss(const proto::TrainConfig &train)
{
    selectValue(m_loss, train.loss());
    m_labelSmoothing->setValue(train.label_smoothing());
    setCount(m_evalEvery, train.eval_every_steps());
    m_goalMetric->setEditText(QString::fromStdString(train.goal().metric()));
    m_goalMaximize->setChecked(train.goal().maximize());
    setCount(m_patience, train.goal().patience());
    m_minDelta->setValue(train.goal().min_delta());
}

void TrainSettingsForm::readRest(proto::TrainConfig &train) const
{
    train.set_epochs(static_cast<std::uint32_t>(m_epochs->value()));
    train.set_batch_size(static_cast<std::uint32_t>(m_batchSize->value()));
    train.set_checkpoint_every_steps(static_cast<std::uint32_t>(m_checkpointEvery->value()));
    train.set_keep_checkpoints(static_cast<std::uint32_t>(m_keepCheckpoints->value()));
    train.set_resume_from(m_resumeFrom->text().trimmed().toStdString());
    train.set_grad_clip_norm(m_gradClip->value());
    train.set_grad_accumulation(static_cast<std::uint32_t>(m_accumulation->value()));
    train.set_precision(static_cast<proto::Precision>(m_precision->currentData().toInt()));
    train.set_plain_loop(m_plainLoop->isChecked());
    train.set_seed(m_seed->text().toULongLong()); // empty or too long reads as 0
    train.set_threads(static_cast<std::uint32_t>(m_threads->value()));
    train.set_log_every_steps(static_cast<std::uint32_t>(m_logEvery->value()));
}

void TrainSettingsForm::writeRest(const proto::TrainConfig &train)
{
    setCount(m_epochs, train.epochs());
    setCount(m_batchSize, train.batch_size());
    setCount(m_checkpointEvery, train.checkpoint_every_steps());
    setCount(m_keepCheckpoints, train.keep_checkpoints());
    m_resumeFrom->setText(QString::fromStdString(train.resume_from()));
    m_gradClip->setValue(train.grad_clip_norm());
    setCount(m_accumulation, train.grad_accumulation());
    selectValue(m_precision, train.precision());
    m_plainLoop->setChecked(train.plain_loop());
    m_seed->setText(QString::number(train.seed()));
    setCount(m_threads, train.threads());
    setCount(m_logEvery, train.log_every_steps());
}

void TrainSettingsForm::onEdited()
{
    if (m_writing) {
        return;
    }
    updateFields();
    updateSummaries();
    emit edited();
}

void TrainSettingsForm::updateFields()
{
    const auto loss = static_cast<proto::LossKind>(m_loss->currentData().toInt());
    m_lossForm->setRowVisible(m_labelSmoothing, loss == proto::LOSS_CROSS_ENTROPY);
    m_goalMaximize->setEnabled(!isMaximisedMetric(m_goalMetric->currentText().trimmed()));
    // bf16 autocast and CUDA graphs exist on CUDA devices only.
    const bool cuda = isCudaDevice();
    if (auto *model = qobject_cast<QStandardItemModel *>(m_precision->model())) {
        const int bf16 = m_precision->findData(static_cast<int>(proto::PRECISION_BF16_AUTOCAST));
        if (QStandardItem *item = model->item(bf16)) {
            item->setEnabled(cuda);
        }
    }
    m_plainLoop->setEnabled(cuda);
}

void TrainSettingsForm::updateSummaries()
{
    const TrainSettings s = settings();
    const proto::TrainConfig &t = s.train;
    m_sections[0]->setSummary(m_optimizer->summary());
    m_sections[1]->setSummary(m_schedule->summary());
    QString loss = m_loss->currentText();
    loss += t.goal().patience() > 0 ? tr(", stop after %1 without gain").arg(t.goal().patience())
                                    : tr(", no early stop");
    m_sections[2]->setSummary(loss);
    QString checkpoints = t.checkpoint_every_steps() > 0
                              ? tr("every %1 steps").arg(t.checkpoint_every_steps())
                              : tr("best and last");
    if (!t.resume_from().empty()) {
        checkpoints += tr(", resuming");
    }
    m_sections[3]->setSummary(checkpoints);
    QString advanced = m_precision->currentText().section(QLatin1Char(' '), 0, 0);
    advanced += tr(", seed %1").arg(t.seed());
    if (t.grad_clip_norm() > 0) {
        advanced += tr(", clip %1").arg(t.grad_clip_norm());
    }
    m_sections[4]->setSummary(advanced);
}

bool TrainSettingsForm::isCudaDevice() const
{
    return m_device->currentData().toString().startsWith(QStringLiteral("cuda"));
}

void TrainSettingsForm::onDeviceChosen()
{
    // Moving a bf16 run to the CPU keeps it runnable: the CPU has FP32 only.
    if (!isCudaDevice() && m_precision->currentData().toInt() == proto::PRECISION_BF16_AUTOCAST) {
        selectValue(m_precision, proto::PRECISION_FP32);
    }
}

void TrainSettingsForm::browseCheckpoint()
{
    const QString current = m_resumeFrom->text().trimmed();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Resume from a Checkpoint"),
        current.isEmpty() ? QString() : QFileInfo(current).absolutePath(),
        tr("Checkpoints (*.pt);;All files (*)"));
    if (!path.isEmpty()) {
        m_resumeFrom->setText(path);
    }
}

void TrainSettingsForm::setDevices(const proto::DeviceList &devices)
{
    const QString current = m_device->currentData().toString();
    m_device->clear();
    for (const proto::DeviceInfo &info : devices.devices()) {
        QString label = QString::fromStdString(info.name().empty() ? info.id() : info.name());
        if (info.memory_bytes() > 0) {
            label += QStringLiteral(" (%1 GiB)")
                         .arg(static_cast<double>(info.memory_bytes()) / (1024.0 * 1024.0 * 1024.0),
                              0, 'f', 1);
        }
        m_device->addItem(QStringLiteral("%1 — %2").arg(QString::fromStdString(info.id()), label),
                          QString::fromStdString(info.id()));
    }
    if (m_device->findData(QStringLiteral("cpu")) < 0) {
        m_device->insertItem(0, QStringLiteral("cpu"), QStringLiteral("cpu"));
    }
    const int index = m_device->findData(current);
    m_device->setCurrentIndex(index >= 0 ? index : 0);
}

void TrainSettingsForm::setLocked(bool locked)
{
    m_locked = locked;
    m_general->setEnabled(!locked);
    for (CollapsibleSection *section : m_sections) {
        section->body()->setEnabled(!locked);
    }
}

int TrainSettingsForm::deviceCount() const
{
    return m_device->count();
}

QList<CollapsibleSection *> TrainSettingsForm::sections() const
{
    return m_sections;
}

} // namespace tl::views
