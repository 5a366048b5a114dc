#include "app/remote_submit_dialog.h"

#include "app/run_directory.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <cmath>

namespace tl::app {
namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

QString backendText(const remote::ConnectionProfile &profile)
{
    switch (profile.backend) {
    case remote::BackendKind::Slurm:
        return QObject::tr("Slurm (partition %1, %2 GPU(s) a job)")
            .arg(profile.slurm.partition.empty() ? QObject::tr("default")
                                                 : qs(profile.slurm.partition))
            .arg(profile.slurm.gpusPerJob);
    case remote::BackendKind::Kubernetes:
        return QObject::tr("Kubernetes (namespace %1, image %2)")
            .arg(qs(profile.kubernetes.namespaceName), qs(profile.kubernetes.image));
    case remote::BackendKind::Ssh:
        break;
    }
    return QObject::tr("a process on the host over ssh");
}

} // namespace

base::Result<std::vector<proto::ExperimentSpec>>
sweepSpecs(const proto::ExperimentSpec &spec, const QString &learningRates, const QString &device)
{
    proto::ExperimentSpec base = spec;
    if (!device.isEmpty()) {
        base.set_device(device.toStdString());
    }
    const QStringList values =
        learningRates.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    if (values.isEmpty()) {
        return std::vector<proto::ExperimentSpec>{base};
    }
    std::vector<proto::ExperimentSpec> specs;
    for (const QString &value : values) {
        bool ok = false;
        const double rate = value.toDouble(&ok);
        if (!ok || !std::isfinite(rate) || rate <= 0) {
            return base::makeError(base::ErrorCode::InvalidInput,
                                   "a learning rate must be a positive number, not \""
                                       + value.toStdString() + "\".",
                                   "learning rates to sweep");
        }
        proto::ExperimentSpec one = base;
        one.mutable_train()->set_learning_rate(rate);
        one.set_name(spec.name() + " lr=" + value.toStdString());
        specs.push_back(std::move(one));
    }
    return specs;
}

RemoteSubmitDialog::RemoteSubmitDialog(proto::ExperimentSpec spec,
                                       std::vector<remote::ConnectionProfile> profiles,
                                       ManifestsFn manifests,
                                       QWidget *parent)
    : QDialog(parent)
    , m_spec(std::move(spec))
    , m_profiles(std::move(profiles))
    , m_manifestsFn(std::move(manifests))
{
    setWindowTitle(tr("Train on Remote"));
    setObjectName(QStringLiteral("remoteSubmitDialog"));
    m_profile = new QComboBox(this);
    for (const remote::ConnectionProfile &profile : m_profiles) {
        m_profile->addItem(qs(profile.name));
    }
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_device = new QComboBox(this);
    const QString own = m_spec.device().empty() ? tr("automatic") : qs(m_spec.device());
    m_device->addItem(tr("As in the Train panel (%1)").arg(own), QString());
    m_device->addItem(QStringLiteral("cuda"), QStringLiteral("cuda"));
    m_device->addItem(QStringLiteral("cpu"), QStringLiteral("cpu"));
    m_sweep = new QLineEdit(this);
    m_sweep->setObjectName(QStringLiteral("sweepLearningRates"));
    m_sweep->setPlaceholderText(
        tr("e.g. 0.1, 0.03, 0.01 — empty: one run at %1").arg(m_spec.train().learning_rate()));
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #c62828"));
    m_problem->setWordWrap(true);
    m_manifest = new QPlainTextEdit(this);
    m_manifest->setObjectName(QStringLiteral("manifestView"));
    m_manifest->setReadOnly(true);
    m_manifest->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_manifest->setMinimumHeight(260);

    auto *form = new QFormLayout;
    form->addRow(tr("Profile:"), m_profile);
    form->addRow(QString(), m_summary);
    form->addRow(tr("Device on the host:"), m_device);
    form->addRow(tr("Sweep learning rates:"), m_sweep);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Submit"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_manifest, 1);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &RemoteSubmitDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_profile, &QComboBox::currentIndexChanged, this, &RemoteSubmitDialog::update);
    connect(m_device, &QComboBox::currentIndexChanged, this, &RemoteSubmitDialog::update);
    connect(m_sweep, &QLineEdit::editingFinished, this, &RemoteSubmitDialog::update);
    connect(m_sweep, &QLineEdit::textEdited, this, [this] {
        // Until the manifests show the new runs, they are not what would be applied.
        if (profile().backend == remote::BackendKind::Kubernetes) {
            m_manifestsShown = false;
            m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
        }
    });
    resize(640, 320);
    update();
}

const remote::ConnectionProfile &RemoteSubmitDialog::profile() const
{
    static const remote::ConnectionProfile none;
    const int index = m_profile->currentIndex();
    return index >= 0 && index < static_cast<int>(m_profiles.size())
               ? m_profiles[static_cast<std::size_t>(index)]
               : none;
}

void RemoteSubmitDialog::update()
{
    ++m_generation;
    m_manifestsShown = false;
    QPushButton *submit = m_buttons->button(QDialogButtonBox::Ok);
    if (m_profiles.empty()) {
        m_summary->setText(tr("There is no connection profile yet: add one in Remote ▸ "
                              "Connection Profiles…"));
        submit->setEnabled(false);
        m_manifest->hide();
        return;
    }
    const remote::ConnectionProfile &chosen = profile();
    QString where = qs(chosen.host);
    if (!chosen.user.empty()) {
        where = qs(chosen.user) + QLatin1Char('@') + where;
    }
    m_summary->setText(tr("Runs %1 on %2, below %3 there, with %4.")
                           .arg(backendText(chosen), where, qs(chosen.remoteRoot),
                                qs(chosen.workerPrefix.empty()
                                       ? chosen.workerCommand
                                       : chosen.workerPrefix + " " + chosen.workerCommand)));
    base::Result<std::vector<proto::ExperimentSpec>> specs =
        sweepSpecs(m_spec, m_sweep->text(), m_device->currentData().toString());
    m_problem->setText(specs ? QString() : qs(specs.error().describe()));
    const bool kubernetes = chosen.backend == remote::BackendKind::Kubernetes;
    m_manifest->setVisible(kubernetes);
    submit->setEnabled(specs.ok() && !kubernetes);
    if (specs) {
        m_specs = specs.value();
        m_runName = remoteRunName(m_specs);
    }
    if (specs && kubernetes) {
        fetchManifests();
    }
}

void RemoteSubmitDialog::fetchManifests()
{
    m_manifest->setPlainText(tr("Connecting to %1 for the manifests…").arg(qs(profile().host)));
    const int generation = m_generation;
    QPointer<RemoteSubmitDialog> self(this);
    m_manifestsFn(profile(), m_specs, m_runName,
                  [self, generation](base::Result<std::vector<std::string>> manifests) {
                      if (!self || generation != self->m_generation) {
                          return; // closed, or another profile or sweep chosen meanwhile
                      }
                      if (!manifests) {
                          self->m_manifest->setPlainText(qs(manifests.error().describe()));
                          return;
                      }
                      QString text;
                      for (const std::string &manifest : manifests.value()) {
                          text +=
                              (text.isEmpty() ? QString() : QStringLiteral("---\n")) + qs(manifest);
                      }
                      self->m_manifest->setPlainText(text);
                      self->m_manifestsShown = true;
                      self->m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
                  });
}

void RemoteSubmitDialog::accept()
{
    base::Result<std::vector<proto::ExperimentSpec>> specs =
        sweepSpecs(m_spec, m_sweep->text(), m_device->currentData().toString());
    if (!specs) {
        m_problem->setText(qs(specs.error().describe()));
        return;
    }
    if (profile().backend == remote::BackendKind::Kubernetes && !m_manifestsShown) {
        return; // the user sees what is applied before it is
    }
    if (profile().backend != remote::BackendKind::Kubernetes) {
        m_specs = std::move(specs).value();
        m_runName = remoteRunName(m_specs);
    }
    QDialog::accept();
}

} // namespace tl::app
