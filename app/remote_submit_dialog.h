#pragma once
// RemoteSubmitDialog: Remote ▸ Train on Remote… (issue #6). The user picks a connection profile,
// the device on the host and, for a sweep, the learning rates to try; for a Kubernetes profile
// the Job manifests that will be applied are shown first (fetched off the UI thread through
// the manifests callback) and Submit waits for them. The dialog only chooses: the window hands
// profile() and specs() to the remote runs controller. UI thread.

#include "base/result.h"
#include "proto/torchlight.pb.h"
#include "remote/connection_profile.h"

#include <QDialog>

#include <functional>
#include <vector>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace tl::app {

// One spec per learning rate in `learningRates` ("0.1, 0.03 0.01"; empty: the spec as it is),
// named "<name> lr=<value>", each on `device` (empty: the spec's own). A value that is not a
// positive number is an error naming it.
base::Result<std::vector<proto::ExperimentSpec>>
sweepSpecs(const proto::ExperimentSpec &spec, const QString &learningRates, const QString &device);

class RemoteSubmitDialog : public QDialog
{
    Q_OBJECT

public:
    // Fetches the Kubernetes manifests of submitting specs to a profile under a run name; done
    // is called on the UI thread.
    using ManifestsFn =
        std::function<void(const remote::ConnectionProfile &,
                           std::vector<proto::ExperimentSpec>,
                           const std::string &runName,
                           std::function<void(base::Result<std::vector<std::string>>)>)>;

    RemoteSubmitDialog(proto::ExperimentSpec spec,
                       std::vector<remote::ConnectionProfile> profiles,
                       ManifestsFn manifests,
                       QWidget *parent = nullptr);

    const remote::ConnectionProfile &profile() const;
    // The runs to submit, as the dialog's fields say; valid after accept().
    const std::vector<proto::ExperimentSpec> &specs() const { return m_specs; }
    // The folder name on the host: the one the shown manifests use.
    const std::string &runName() const { return m_runName; }

    QComboBox *profileBox() const { return m_profile; }
    QLineEdit *sweepEdit() const { return m_sweep; }
    QPlainTextEdit *manifestView() const { return m_manifest; }

    void accept() override;

private:
    void update();
    void fetchManifests();

    proto::ExperimentSpec m_spec;
    std::vector<remote::ConnectionProfile> m_profiles;
    ManifestsFn m_manifestsFn;
    std::vector<proto::ExperimentSpec> m_specs;
    std::string m_runName;
    int m_generation = 0;
    bool m_manifestsShown = false;

    QComboBox *m_profile = nullptr;
    QLabel *m_summary = nullptr;
    QComboBox *m_device = nullptr;
    QLineEdit *m_sweep = nullptr;
    QLabel *m_problem = nullptr;
    QPlainTextEdit *m_manifest = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace tl::app
