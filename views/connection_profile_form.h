#pragma once
// ConnectionProfileForm: edits one remote::ConnectionProfile (issue #6): the host and login,
// where runs live and how the worker starts, the backend and its settings. Shows the lines
// of a "Test connection", green or red with their reason. Holds no password: those are asked
// at each login. Owned by its dialog; UI thread.

#include "remote/connection_check.h"
#include "remote/connection_profile.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace tl::views {

class ConnectionProfileForm : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionProfileForm(QWidget *parent = nullptr);

    void setProfile(const remote::ConnectionProfile &profile);
    remote::ConnectionProfile profile() const;

    // "Testing…" while a test runs (the button is disabled), then the lines it found.
    void showTesting();
    void showChecks(const std::vector<remote::CheckLine> &lines);

signals:
    void testRequested();
    void edited();

private:
    remote::ConnectionProfile m_shown; // the profile last set
    QWidget *createLoginBox();
    QWidget *createWorkerBox();
    QWidget *createBackendBox();

    QLineEdit *m_name;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QLineEdit *m_user;
    QComboBox *m_auth;
    QLineEdit *m_keyFile;
    QLineEdit *m_jumpHost;
    QLineEdit *m_root;
    QLineEdit *m_worker;
    QLineEdit *m_prefix;
    QComboBox *m_backend;
    QStackedWidget *m_backendPages;
    QLineEdit *m_partition;
    QLineEdit *m_account;
    QSpinBox *m_slurmGpus;
    QLineEdit *m_timeLimit;
    QLineEdit *m_extraSbatch;
    QLineEdit *m_context;
    QLineEdit *m_namespace;
    QLineEdit *m_image;
    QSpinBox *m_k8sGpus;
    QLineEdit *m_gpuResource;
    QLineEdit *m_nodeSelector;
    QLineEdit *m_volumeClaim;
    QPushButton *m_test;
    QListWidget *m_checks;
};

} // namespace tl::views
