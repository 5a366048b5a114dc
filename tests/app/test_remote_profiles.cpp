// Remote ▸ Connection Profiles: profiles saved without secrets, edited in the form, and
// "Test connection" run off the UI thread with its lines shown.

#include "app/remote_profiles_dialog.h"
#include "views/connection_profile_form.h"

#include <catch2/catch.hpp>

#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

namespace {

tl::remote::ConnectionProfile slurmProfile()
{
    tl::remote::ConnectionProfile p;
    p.name = "lab cluster";
    p.host = "login.example";
    p.port = 2222;
    p.user = "ada";
    p.auth = tl::remote::AuthMethod::KeyFile;
    p.keyFile = "/home/ada/.ssh/id_ed25519";
    p.jumpHost = "ada@bastion:22";
    p.remoteRoot = "/scratch/ada/torchlight";
    p.workerPrefix = "module load cuda/12.4 &&";
    p.backend = tl::remote::BackendKind::Slurm;
    p.slurm.partition = "gpu";
    p.slurm.gpusPerJob = 2;
    p.slurm.extraSbatch = {"--qos=short", "--mem=16G"};
    p.kubernetes.nodeSelector = {"gpu=h100"};
    p.kubernetes.context = "lab-admin@lab";
    p.knownHostsFile = "/home/ada/lab/known_hosts";
    p.sshConfigFile = "/home/ada/lab/ssh_config";
    return p;
}

bool sameProfile(const tl::remote::ConnectionProfile &a, const tl::remote::ConnectionProfile &b)
{
    return a.name == b.name && a.host == b.host && a.port == b.port && a.user == b.user
           && a.auth == b.auth && a.keyFile == b.keyFile && a.jumpHost == b.jumpHost
           && a.remoteRoot == b.remoteRoot && a.workerCommand == b.workerCommand
           && a.workerPrefix == b.workerPrefix && a.backend == b.backend
           && a.slurm.partition == b.slurm.partition && a.slurm.gpusPerJob == b.slurm.gpusPerJob
           && a.slurm.extraSbatch == b.slurm.extraSbatch
           && a.kubernetes.nodeSelector == b.kubernetes.nodeSelector
           && a.kubernetes.context == b.kubernetes.context && a.knownHostsFile == b.knownHostsFile
           && a.sshConfigFile == b.sshConfigFile;
}

} // namespace

TEST_CASE("Connection profiles round-trip through the form and the settings, with no secret",
          "[app][remote]")
{
    tl::views::ConnectionProfileForm form;
    form.setProfile(slurmProfile());
    CHECK(sameProfile(form.profile(), slurmProfile()));

    tl::app::saveConnectionProfiles({slurmProfile()});
    auto loaded = tl::app::loadConnectionProfiles();
    REQUIRE(loaded.size() == 1);
    CHECK(sameProfile(loaded[0], slurmProfile()));
    QSettings settings;
    for (const QString &key : settings.allKeys()) {
        CHECK_FALSE(key.contains(QStringLiteral("password"), Qt::CaseInsensitive));
        CHECK_FALSE(key.contains(QStringLiteral("passphrase"), Qt::CaseInsensitive));
    }
    tl::app::saveConnectionProfiles({});
}

TEST_CASE("Test connection runs off the UI thread and shows a refused login in red, naming the "
          "host",
          "[app][remote]")
{
    tl::remote::ConnectionProfile refused;
    refused.name = "closed port";
    refused.host = "127.0.0.1";
    refused.port = 1;
    refused.user = "nobody";
    refused.sshConfigFile = "/dev/null";
    tl::app::saveConnectionProfiles({refused});
    tl::app::RemoteProfilesDialog dialog;
    auto *list = dialog.findChild<QListWidget *>(QStringLiteral("profileList"));
    REQUIRE(list->count() == 1);
    CHECK(list->item(0)->text() == QStringLiteral("closed port"));

    QSignalSpy shown(&dialog, &tl::app::RemoteProfilesDialog::checksShown);
    auto *test = dialog.findChild<QPushButton *>(QStringLiteral("testConnection"));
    QTest::mouseClick(test, Qt::LeftButton);
    CHECK_FALSE(test->isEnabled()); // the UI thread went on while the test runs
    REQUIRE(shown.wait(15000));
    auto *checks = dialog.findChild<QListWidget *>(QStringLiteral("connectionChecks"));
    REQUIRE(checks->count() == 1);
    CHECK(checks->item(0)->text().contains(QStringLiteral("nobody@127.0.0.1:1")));
    CHECK_FALSE(checks->item(0)->data(Qt::UserRole).toBool());
    CHECK(test->isEnabled());
    tl::app::saveConnectionProfiles({});
}
