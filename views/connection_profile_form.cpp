#include "views/connection_profile_form.h"

#include "views/form_fields.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStringList>
#include <QVBoxLayout>

namespace tl::views {

namespace {

QLineEdit *textField(QWidget *parent, const QString &name, const QString &hint = {})
{
    auto *field = new QLineEdit(parent);
    field->setObjectName(name);
    field->setPlaceholderText(hint);
    return field;
}

QString joined(const std::vector<std::string> &items)
{
    QStringList list;
    for (const std::string &item : items) {
        list << QString::fromStdString(item);
    }
    return list.join(QStringLiteral(", "));
}

std::vector<std::string> split(const QString &text)
{
    std::vector<std::string> items;
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!item.trimmed().isEmpty()) {
            items.push_back(item.trimmed().toStdString());
        }
    }
    return items;
}

std::string text(const QLineEdit *field)
{
    return field->text().trimmed().toStdString();
}

} // namespace

ConnectionProfileForm::ConnectionProfileForm(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createLoginBox());
    layout->addWidget(createWorkerBox());
    layout->addWidget(createBackendBox());
    m_test = new QPushButton(tr("&Test Connection"), this);
    m_test->setObjectName(QStringLiteral("testConnection"));
    m_test->setToolTip(tr("Log in and check the worker, its devices and the backend"));
    connect(m_test, &QPushButton::clicked, this, &ConnectionProfileForm::testRequested);
    layout->addWidget(m_test, 0, Qt::AlignLeft);
    m_checks = new QListWidget(this);
    m_checks->setObjectName(QStringLiteral("connectionChecks"));
    m_checks->setWordWrap(true);
    m_checks->setMinimumHeight(140);
    layout->addWidget(m_checks, 1);
    onAnyEdit({m_name,     m_host,      m_port,        m_user,         m_auth,       m_keyFile,
               m_jumpHost, m_root,      m_worker,      m_prefix,       m_backend,    m_partition,
               m_account,  m_slurmGpus, m_timeLimit,   m_extraSbatch,  m_context,    m_namespace,
               m_image,    m_k8sGpus,   m_gpuResource, m_nodeSelector, m_volumeClaim},
              this, [this] { emit edited(); });
    setProfile(remote::ConnectionProfile());
}

QWidget *ConnectionProfileForm::createLoginBox()
{
    auto *box = new QGroupBox(tr("Host"), this);
    auto *form = new QFormLayout(box);
    m_name = textField(box, QStringLiteral("profileName"), tr("e.g. lab cluster"));
    m_host = textField(box, QStringLiteral("host"), tr("name, address or ~/.ssh/config alias"));
    m_port = countField(box, QStringLiteral("port"), 0, 65535, tr("from ssh config, else 22"));
    m_port->setGroupSeparatorShown(false); // 2222, not 2,222
    m_user = textField(box, QStringLiteral("user"), tr("from ssh config, else yours"));
    m_auth = enumField(box, QStringLiteral("auth"),
                       {{tr("ssh-agent and default keys"), int(remote::AuthMethod::Default)},
                        {tr("Key file (passphrase asked)"), int(remote::AuthMethod::KeyFile)},
                        {tr("Password (asked, never stored)"), int(remote::AuthMethod::Password)}});
    m_keyFile = textField(box, QStringLiteral("keyFile"), tr("~/.ssh/id_ed25519"));
    m_jumpHost = textField(box, QStringLiteral("jumpHost"), tr("user@bastion:22 (optional)"));
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Host"), m_host);
    form->addRow(tr("Port"), m_port);
    form->addRow(tr("User"), m_user);
    form->addRow(tr("Login"), m_auth);
    form->addRow(tr("Key file"), m_keyFile);
    form->addRow(tr("Jump host"), m_jumpHost);
    return box;
}

QWidget *ConnectionProfileForm::createWorkerBox()
{
    auto *box = new QGroupBox(tr("Runs on the host"), this);
    auto *form = new QFormLayout(box);
    m_root = textField(box, QStringLiteral("remoteRoot"), QStringLiteral("~/torchlight"));
    m_worker = textField(box, QStringLiteral("workerCommand"), QStringLiteral("torchlight-worker"));
    m_prefix = textField(box, QStringLiteral("workerPrefix"), tr("e.g. module load cuda/12.4 &&"));
    form->addRow(tr("Remote folder"), m_root);
    form->addRow(tr("Worker"), m_worker);
    form->addRow(tr("Run before it"), m_prefix);
    return box;
}

QWidget *ConnectionProfileForm::createBackendBox()
{
    auto *box = new QGroupBox(tr("Backend"), this);
    auto *layout = new QVBoxLayout(box);
    m_backend =
        enumField(box, QStringLiteral("backend"),
                  {{tr("SSH host (detached process)"), int(remote::BackendKind::Ssh)},
                   {tr("Slurm (sbatch)"), int(remote::BackendKind::Slurm)},
                   {tr("Kubernetes (batch/v1 Job)"), int(remote::BackendKind::Kubernetes)}});
    layout->addWidget(m_backend);
    m_backendPages = new QStackedWidget(box);
    m_backendPages->addWidget(new QWidget(m_backendPages));

    auto *slurm = new QWidget(m_backendPages);
    auto *slurmForm = new QFormLayout(slurm);
    m_partition = textField(slurm, QStringLiteral("partition"), tr("the default partition"));
    m_account = textField(slurm, QStringLiteral("account"));
    m_slurmGpus = countField(slurm, QStringLiteral("slurmGpus"), 0, 64, tr("none"));
    m_timeLimit = textField(slurm, QStringLiteral("timeLimit"), QStringLiteral("02:00:00"));
    m_extraSbatch = textField(slurm, QStringLiteral("extraSbatch"), tr("--qos=short, --mem=16G"));
    slurmForm->addRow(tr("Partition"), m_partition);
    slurmForm->addRow(tr("Account"), m_account);
    slurmForm->addRow(tr("GPUs per job"), m_slurmGpus);
    slurmForm->addRow(tr("Time limit"), m_timeLimit);
    slurmForm->addRow(tr("Extra #SBATCH"), m_extraSbatch);
    m_backendPages->addWidget(slurm);

    auto *k8s = new QWidget(m_backendPages);
    auto *k8sForm = new QFormLayout(k8s);
    m_context = textField(k8s, QStringLiteral("k8sContext"),
                          tr("kubectl context (here if this machine has it)"));
    m_context->setToolTip(
        tr("A context this machine's kubectl has: kubectl runs here. Otherwise kubectl runs on "
           "the login host, with this context (or its current one when empty)."));
    m_namespace = textField(k8s, QStringLiteral("namespace"), QStringLiteral("default"));
    m_image = textField(k8s, QStringLiteral("image"), tr("an image with torchlight-worker"));
    m_k8sGpus = countField(k8s, QStringLiteral("k8sGpus"), 0, 64, tr("none"));
    m_gpuResource = textField(k8s, QStringLiteral("gpuResource"), QStringLiteral("nvidia.com/gpu"));
    m_nodeSelector = textField(k8s, QStringLiteral("nodeSelector"), tr("gpu=h100, zone=a"));
    m_volumeClaim = textField(k8s, QStringLiteral("volumeClaim"), tr("PVC (empty: hostPath)"));
    k8sForm->addRow(tr("Context"), m_context);
    k8sForm->addRow(tr("Namespace"), m_namespace);
    k8sForm->addRow(tr("Image"), m_image);
    k8sForm->addRow(tr("GPUs per job"), m_k8sGpus);
    k8sForm->addRow(tr("GPU resource"), m_gpuResource);
    k8sForm->addRow(tr("Node selector"), m_nodeSelector);
    k8sForm->addRow(tr("Runs volume"), m_volumeClaim);
    m_backendPages->addWidget(k8s);
    layout->addWidget(m_backendPages);
    connect(m_backend, &QComboBox::currentIndexChanged, m_backendPages,
            &QStackedWidget::setCurrentIndex);
    return box;
}

void ConnectionProfileForm::setProfile(const remote::ConnectionProfile &p)
{
    m_shown = p;
    m_name->setText(QString::fromStdString(p.name));
    m_host->setText(QString::fromStdString(p.host));
    m_port->setValue(p.port);
    m_user->setText(QString::fromStdString(p.user));
    selectValue(m_auth, int(p.auth));
    m_keyFile->setText(QString::fromStdString(p.keyFile.string()));
    m_jumpHost->setText(QString::fromStdString(p.jumpHost));
    m_root->setText(QString::fromStdString(p.remoteRoot));
    m_worker->setText(QString::fromStdString(p.workerCommand));
    m_prefix->setText(QString::fromStdString(p.workerPrefix));
    selectValue(m_backend, int(p.backend));
    m_partition->setText(QString::fromStdString(p.slurm.partition));
    m_account->setText(QString::fromStdString(p.slurm.account));
    m_slurmGpus->setValue(p.slurm.gpusPerJob);
    m_timeLimit->setText(QString::fromStdString(p.slurm.timeLimit));
    m_extraSbatch->setText(joined(p.slurm.extraSbatch));
    m_context->setText(QString::fromStdString(p.kubernetes.context));
    m_namespace->setText(QString::fromStdString(p.kubernetes.namespaceName));
    m_image->setText(QString::fromStdString(p.kubernetes.image));
    m_k8sGpus->setValue(p.kubernetes.gpus);
    m_gpuResource->setText(QString::fromStdString(p.kubernetes.gpuResource));
    m_nodeSelector->setText(joined(p.kubernetes.nodeSelector));
    m_volumeClaim->setText(QString::fromStdString(p.kubernetes.runVolumeClaim));
    m_checks->clear();
}

remote::ConnectionProfile ConnectionProfileForm::profile() const
{
    // What the form has no field for (the ssh config and known_hosts files) stays as it was.
    remote::ConnectionProfile p = m_shown;
    p.name = text(m_name);
    p.host = text(m_host);
    p.port = m_port->value();
    p.user = text(m_user);
    p.auth = static_cast<remote::AuthMethod>(m_auth->currentData().toInt());
    p.keyFile = text(m_keyFile);
    p.jumpHost = text(m_jumpHost);
    if (!m_root->text().trimmed().isEmpty()) {
        p.remoteRoot = text(m_root);
    }
    if (!m_worker->text().trimmed().isEmpty()) {
        p.workerCommand = text(m_worker);
    }
    p.workerPrefix = text(m_prefix);
    p.backend = static_cast<remote::BackendKind>(m_backend->currentData().toInt());
    p.slurm.partition = text(m_partition);
    p.slurm.account = text(m_account);
    p.slurm.gpusPerJob = m_slurmGpus->value();
    p.slurm.timeLimit = text(m_timeLimit);
    p.slurm.extraSbatch = split(m_extraSbatch->text());
    p.kubernetes.context = text(m_context);
    if (!m_namespace->text().trimmed().isEmpty()) {
        p.kubernetes.namespaceName = text(m_namespace);
    }
    p.kubernetes.image = text(m_image);
    p.kubernetes.gpus = m_k8sGpus->value();
    if (!m_gpuResource->text().trimmed().isEmpty()) {
        p.kubernetes.gpuResource = text(m_gpuResource);
    }
    p.kubernetes.nodeSelector = split(m_nodeSelector->text());
    p.kubernetes.runVolumeClaim = text(m_volumeClaim);
    return p;
}

void ConnectionProfileForm::showTesting()
{
    m_checks->clear();
    m_checks->addItem(tr("Testing the connection…"));
    m_test->setEnabled(false);
}

void ConnectionProfileForm::showChecks(const std::vector<remote::CheckLine> &lines)
{
    m_checks->clear();
    for (const remote::CheckLine &line : lines) {
        auto *item = new QListWidgetItem(
            QStringLiteral("%1 %2: %3")
                .arg(line.ok ? QStringLiteral("✔") : QStringLiteral("✘"),
                     QString::fromStdString(line.what), QString::fromStdString(line.detail)),
            m_checks);
        item->setForeground(line.ok ? QColor(0x1b, 0x7f, 0x3b) : QColor(0xc0, 0x1c, 0x28));
        item->setData(Qt::UserRole, line.ok);
    }
    m_test->setEnabled(true);
}

} // namespace tl::views
