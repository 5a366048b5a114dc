#pragma once
// RemoteProfilesDialog: Remote ▸ Connection Profiles… (issue #6). Lists the saved connection
// profiles, edits them in a ConnectionProfileForm, saves them in QSettings (never a password
// or passphrase), and runs "Test connection" off the UI thread: host-key and passphrase
// questions come back to the UI thread as dialogs. Owned by the main window; UI thread.

#include "remote/connection_check.h"
#include "remote/connection_profile.h"

#include <QDialog>
#include <QFutureWatcher>

#include <vector>

class QListWidget;

namespace tl::views {
class ConnectionProfileForm;
}

namespace tl::app {

std::vector<remote::ConnectionProfile> loadConnectionProfiles();
void saveConnectionProfiles(const std::vector<remote::ConnectionProfile> &profiles);

class RemoteProfilesDialog : public QDialog
{
    Q_OBJECT

public:
    explicit RemoteProfilesDialog(QWidget *parent = nullptr);
    ~RemoteProfilesDialog() override;

    views::ConnectionProfileForm *form() const { return m_form; }
    // Runs the checks of the selected profile; checksShown() follows.
    void testConnection();

signals:
    void checksShown(const std::vector<remote::CheckLine> &lines);

private:
    void select(int row);
    void storeEdits();
    void addProfile();
    void removeProfile();

    std::vector<remote::ConnectionProfile> m_profiles;
    int m_current = -1;
    QListWidget *m_list;
    views::ConnectionProfileForm *m_form;
    QFutureWatcher<std::vector<remote::CheckLine>> m_watcher;
    int m_generation = 0;
};

} // namespace tl::app
