#include "app/remote_profiles_dialog.h"

#include "app/login_prompts.h"
#include "remote/ssh_session.h"
#include "views/connection_profile_form.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QThreadPool>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace tl::app {

namespace {

const QString kGroup = QStringLiteral("remote/profiles");

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

std::vector<std::string> stringList(const QVariant &value)
{
    std::vector<std::string> items;
    for (const QString &item : value.toStringList()) {
        items.push_back(item.toStdString());
    }
    return items;
}

QStringList qStringList(const std::vector<std::string> &items)
{
    QStringList list;
    for (const std::string &item : items) {
        list << qs(item);
    }
    return list;
}

// Connection tests run here, never on the UI thread; a closed dialog does not wait for them.
QThreadPool &checkPool()
{
    static QThreadPool pool;
    pool.setObjectName(QStringLiteral("remote-checks"));
    return pool;
}

} // namespace

std::vector<remote::ConnectionProfile> loadConnectionProfiles()
{
    QSettings settings;
    std::vector<remote::ConnectionProfile> profiles;
    int count = settings.beginReadArray(kGroup);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        remote::ConnectionProfile p;
        p.name = settings.value(QStringLiteral("name")).toString().toStdString();
        p.host = settings.value(QStringLiteral("host")).toString().toStdString();
        p.port = settings.value(QStringLiteral("port"), 0).toInt();
        p.user = settings.value(QStringLiteral("user")).toString().toStdString();
        p.auth = static_cast<remote::AuthMethod>(settings.value(QStringLiteral("auth"), 0).toInt());
        p.keyFile = settings.value(QStringLiteral("keyFile")).toString().toStdString();
        p.jumpHost = settings.value(QStringLiteral("jumpHost")).toString().toStdString();
        p.remoteRoot =
            settings.value(QStringLiteral("remoteRoot"), qs(p.remoteRoot)).toString().toStdString();
        p.workerCommand = settings.value(QStringLiteral("workerCommand"), qs(p.workerCommand))
                              .toString()
                              .toStdString();
        p.workerPrefix = settings.value(QStringLiteral("workerPrefix")).toString().toStdString();
        p.backend =
            static_cast<remote::BackendKind>(settings.value(QStringLiteral("backend"), 0).toInt());
        p.slurm.partition =
            settings.value(QStringLiteral("slurm/partition")).toString().toStdString();
        p.slurm.account = settings.value(QStringLiteral("slurm/account")).toString().toStdString();
        p.slurm.gpusPerJob = settings.value(QStringLiteral("slurm/gpus"), 0).toInt();
        p.slurm.timeLimit = settings.value(QStringLiteral("slurm/time")).toString().toStdString();
        p.slurm.extraSbatch = stringList(settings.value(QStringLiteral("slurm/extra")));
        p.kubernetes.context =
            settings.value(QStringLiteral("k8s/context")).toString().toStdString();
        p.kubernetes.namespaceName =
            settings.value(QStringLiteral("k8s/namespace"), QStringLiteral("default"))
                .toString()
                .toStdString();
        p.kubernetes.image = settings.value(QStringLiteral("k8s/image")).toString().toStdString();
        p.kubernetes.gpus = settings.value(QStringLiteral("k8s/gpus"), 0).toInt();
        p.kubernetes.gpuResource =
            settings.value(QStringLiteral("k8s/gpuResource"), qs(p.kubernetes.gpuResource))
                .toString()
                .toStdString();
        p.kubernetes.nodeSelector = stringList(settings.value(QStringLiteral("k8s/nodeSelector")));
        p.kubernetes.runVolumeClaim =
            settings.value(QStringLiteral("k8s/volumeClaim")).toString().toStdString();
        p.sshConfigFile = settings.value(QStringLiteral("sshConfig")).toString().toStdString();
        p.knownHostsFile = settings.value(QStringLiteral("knownHosts")).toString().toStdString();
        profiles.push_back(std::move(p));
    }
    settings.endArray();
    return profiles;
}

void saveConnectionProfiles(const std::vector<remote::ConnectionProfile> &profiles)
{
    QSettings settings;
    settings.remove(kGroup);
    settings.beginWriteArray(kGroup, static_cast<int>(profiles.size()));
    for (int i = 0; i < static_cast<int>(profiles.size()); ++i) {
        const remote::ConnectionProfile &p = profiles[static_cast<std::size_t>(i)];
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), qs(p.name));
        settings.setValue(QStringLiteral("host"), qs(p.host));
        settings.setValue(QStringLiteral("port"), p.port);
        settings.setValue(QStringLiteral("user"), qs(p.user));
        settings.setValue(QStringLiteral("auth"), int(p.auth));
        settings.setValue(QStringLiteral("keyFile"), qs(p.keyFile.string()));
        settings.setValue(QStringLiteral("jumpHost"), qs(p.jumpHost));
        settings.setValue(QStringLiteral("remoteRoot"), qs(p.remoteRoot));
        settings.setValue(QStringLiteral("workerCommand"), qs(p.workerCommand));
        settings.setValue(QStringLiteral("workerPrefix"), qs(p.workerPrefix));
        settings.setValue(QStringLiteral("backend"), int(p.backend));
        settings.setValue(QStringLiteral("slurm/partition"), qs(p.slurm.partition));
        settings.setValue(QStringLiteral("slurm/account"), qs(p.slurm.account));
        settings.setValue(QStringLiteral("slurm/gpus"), p.slurm.gpusPerJob);
        settings.setValue(QStringLiteral("slurm/time"), qs(p.slurm.timeLimit));
        settings.setValue(QStringLiteral("slurm/extra"), qStringList(p.slurm.extraSbatch));
        settings.setValue(QStringLiteral("k8s/context"), qs(p.kubernetes.context));
        settings.setValue(QStringLiteral("k8s/namespace"), qs(p.kubernetes.namespaceName));
        settings.setValue(QStringLiteral("k8s/image"), qs(p.kubernetes.image));
        settings.setValue(QStringLiteral("k8s/gpus"), p.kubernetes.gpus);
        settings.setValue(QStringLiteral("k8s/gpuResource"), qs(p.kubernetes.gpuResource));
        settings.setValue(QStringLiteral("k8s/nodeSelector"),
                          qStringList(p.kubernetes.nodeSelector));
        settings.setValue(QStringLiteral("k8s/volumeClaim"), qs(p.kubernetes.runVolumeClaim));
        // Files of the user's choosing instead of ~/.ssh/config and ~/.ssh/known_hosts.
        settings.setValue(QStringLiteral("sshConfig"), qs(p.sshConfigFile.string()));
        settings.setValue(QStringLiteral("knownHosts"), qs(p.knownHostsFile.string()));
    }
    settings.endArray();
}

RemoteProfilesDialog::RemoteProfilesDialog(QWidget *parent)
    : QDialog(parent)
    , m_profiles(loadConnectionProfiles())
    , m_list(new QListWidget(this))
    , m_form(new views::ConnectionProfileForm(this))
{
    setWindowTitle(tr("Connection Profiles"));
    setObjectName(QStringLiteral("remoteProfilesDialog"));
    m_list->setObjectName(QStringLiteral("profileList"));
    auto *add = new QPushButton(tr("&Add"), this);
    auto *remove = new QPushButton(tr("&Remove"), this);
    auto *left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    left->addLayout(buttons);
    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addWidget(m_form, 3);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(close);

    for (const remote::ConnectionProfile &profile : m_profiles) {
        m_list->addItem(qs(profile.name.empty() ? profile.host : profile.name));
    }
    connect(add, &QPushButton::clicked, this, &RemoteProfilesDialog::addProfile);
    connect(remove, &QPushButton::clicked, this, &RemoteProfilesDialog::removeProfile);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::currentRowChanged, this, &RemoteProfilesDialog::select);
    connect(m_form, &views::ConnectionProfileForm::edited, this, &RemoteProfilesDialog::storeEdits);
    connect(m_form, &views::ConnectionProfileForm::testRequested, this,
            &RemoteProfilesDialog::testConnection);
    connect(&m_watcher, &QFutureWatcher<std::vector<remote::CheckLine>>::finished, this, [this] {
        if (m_watcher.property("generation").toInt() != m_generation) {
            return; // a newer test, or another profile, superseded it
        }
        m_form->showChecks(m_watcher.result());
        emit checksShown(m_watcher.result());
    });
    if (m_profiles.empty()) {
        addProfile();
    }
    m_list->setCurrentRow(0);
    resize(820, 720);
}

RemoteProfilesDialog::~RemoteProfilesDialog()
{
    // A test still running finishes on its own pool thread and its answer is dropped: it
    // holds no pointer to this dialog (prompts go through qApp, with a QPointer parent).
    saveConnectionProfiles(m_profiles);
}

void RemoteProfilesDialog::select(int row)
{
    m_current = -1; // setProfile's edits must not be stored into the previous row
    ++m_generation;
    if (row < 0 || row >= static_cast<int>(m_profiles.size())) {
        return;
    }
    m_form->setProfile(m_profiles[static_cast<std::size_t>(row)]);
    m_current = row;
}

void RemoteProfilesDialog::storeEdits()
{
    if (m_current < 0) {
        return;
    }
    remote::ConnectionProfile profile = m_form->profile();
    m_profiles[static_cast<std::size_t>(m_current)] = profile;
    m_list->item(m_current)->setText(qs(profile.name.empty() ? profile.host : profile.name));
    saveConnectionProfiles(m_profiles);
}

void RemoteProfilesDialog::addProfile()
{
    remote::ConnectionProfile profile;
    profile.name = tr("New profile").toStdString();
    m_profiles.push_back(profile);
    m_list->addItem(qs(profile.name));
    m_list->setCurrentRow(m_list->count() - 1);
}

void RemoteProfilesDialog::removeProfile()
{
    int row = m_list->currentRow();
    if (row < 0) {
        return;
    }
    m_current = -1;
    m_profiles.erase(m_profiles.begin() + row);
    delete m_list->takeItem(row);
    saveConnectionProfiles(m_profiles);
    select(m_list->currentRow());
}

void RemoteProfilesDialog::testConnection()
{
    remote::ConnectionProfile profile = m_form->profile();
    remote::LoginPrompts prompts = dialogPrompts(QPointer<QWidget>(this));
    m_form->showTesting();
    m_watcher.setProperty("generation", ++m_generation);
    m_watcher.setFuture(QtConcurrent::run(
        &checkPool(), [profile, prompts] { return remote::checkConnection(profile, prompts); }));
}

} // namespace tl::app
