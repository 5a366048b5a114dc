// The main window's remote part (issue #6): the Remote Jobs dock, Remote ▸ Train on Remote…,
// the RemoteRunsController and its wiring to the runs table, the chart, the messages, and a
// progress dialog for uploads and downloads.

#include "app/dataset_controller.h"
#include "app/login_prompts.h"
#include "app/main_window.h"
#include "app/remote_log_dialog.h"
#include "app/remote_profiles_dialog.h"
#include "app/remote_runs_controller.h"
#include "app/remote_submit_dialog.h"
#include "app/runs_controller.h"
#include "proto/run_state.h"
#include "views/evaluation_view.h"
#include "views/jobs_panel.h"
#include "views/models/jobs_table_model.h"
#include "views/runs_panel.h"
#include "views/scalar_chart.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStatusBar>

namespace tl::app {

void MainWindow::createRemotePanels()
{
    m_jobsModel = new views::JobsTableModel(this);
    m_jobsPanel = new views::JobsPanel(m_jobsModel, this);
    m_jobsDock = new QDockWidget(tr("Remote Jobs"), this);
    m_jobsDock->setObjectName(QStringLiteral("jobsDock"));
    m_jobsDock->setWidget(m_jobsPanel);
    // Beside the runs: a remote job is a run seen from its host.
    auto *runsDock = findChild<QDockWidget *>(QStringLiteral("runsDock"));
    addDockWidget(Qt::BottomDockWidgetArea, m_jobsDock);
    if (runsDock != nullptr) {
        tabifyDockWidget(runsDock, m_jobsDock);
        runsDock->raise();
    }
}

void MainWindow::createRemoteController()
{
    m_promptsAbandoned = std::make_shared<std::atomic_bool>(false);
    m_remote = std::make_unique<RemoteRunsController>(
        *m_lane, m_options.dataDir / "runs",
        [](const std::string &name) -> std::optional<remote::ConnectionProfile> {
            for (remote::ConnectionProfile &profile : loadConnectionProfiles()) {
                if (profile.name == name) {
                    return profile;
                }
            }
            return std::nullopt;
        },
        dialogPrompts(QPointer<QWidget>(this), m_promptsAbandoned));
}

void MainWindow::createRemoteActions(QMenu &menu)
{
    QAction *train = menu.addAction(QIcon(QStringLiteral(":/icons/train.svg")),
                                    tr("&Train on Remote…"), this, &MainWindow::trainOnRemote);
    train->setObjectName(QStringLiteral("trainOnRemoteAction"));
    train->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+Return")));
    train->setToolTip(tr("Push this experiment, or a sweep of it, to an SSH host, a Slurm "
                         "cluster or Kubernetes (Ctrl+Alt+Return)"));
    menu.addAction(m_jobsDock->toggleViewAction());
    menu.addSeparator();
}

void MainWindow::trainOnRemote()
{
    if (m_experimentLoading || m_datasets->isLoading()) {
        showInfo(tr("Wait for the dataset to load, then push the run."));
        return;
    }
    if (m_remote->isSubmitting()) {
        showInfo(tr("A submission is still under way."));
        return;
    }
    base::Result<proto::ExperimentSpec> spec = assembleExperiment();
    if (!spec) {
        showError(tr("Cannot train: %1").arg(QString::fromStdString(spec.error().describe())));
        return;
    }
    std::vector<remote::ConnectionProfile> profiles = loadConnectionProfiles();
    if (profiles.empty()) {
        showInfo(tr("Add a connection profile first."));
        auto *dialog = new RemoteProfilesDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
        return;
    }
    auto manifests = [remote = m_remote.get()](
                         const remote::ConnectionProfile &profile,
                         std::vector<proto::ExperimentSpec> specs, const std::string &runName,
                         std::function<void(base::Result<std::vector<std::string>>)> done) {
        remote->kubernetesManifests(profile, std::move(specs), runName, std::move(done));
    };
    auto *dialog = new RemoteSubmitDialog(spec.value(), std::move(profiles), manifests, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        showTransfer(tr("Uploading to %1…").arg(QString::fromStdString(dialog->profile().host)));
        m_remote->submit(dialog->profile(), dialog->specs(), dialog->runName());
    });
    dialog->open();
}

void MainWindow::showTransfer(const QString &title)
{
    delete m_transfer;
    m_transfer = new QProgressDialog(title, tr("Cancel"), 0, 0, this);
    m_transfer->setObjectName(QStringLiteral("transferProgress"));
    m_transfer->setWindowTitle(tr("Remote"));
    m_transfer->setMinimumDuration(300);
    m_transfer->setAutoClose(false);
    m_transfer->setAutoReset(false);
    connect(m_transfer, &QProgressDialog::canceled, m_remote.get(),
            &RemoteRunsController::cancelTransfer);
}

void MainWindow::wireRemote()
{
    RemoteRunsController *remote = m_remote.get();
    connect(remote, &RemoteRunsController::logged, this, &MainWindow::log);
    connect(remote, &RemoteRunsController::jobChanged, m_jobsModel,
            &views::JobsTableModel::upsertJob);
    connect(remote, &RemoteRunsController::runUpdated, m_runs.get(), &RunsController::updateRun);
    connect(remote, &RemoteRunsController::transferProgress, this,
            [this](qint64 done, qint64 total, const QString &what) {
                if (m_transfer == nullptr) {
                    return;
                }
                // KiB keep the bar's int range for files of any size.
                m_transfer->setMaximum(static_cast<int>(total / 1024));
                m_transfer->setValue(static_cast<int>(done / 1024));
                m_transfer->setLabelText(tr("%1: %2 of %3 MB")
                                             .arg(what)
                                             .arg(done / 1e6, 0, 'f', 1)
                                             .arg(total / 1e6, 0, 'f', 1));
            });
    connect(remote, &RemoteRunsController::transferFinished, this, [this](bool, const QString &) {
        if (m_transfer != nullptr) {
            m_transfer->deleteLater();
            m_transfer = nullptr;
        }
    });
    connect(remote, &RemoteRunsController::submitFailed, this, &MainWindow::showError);
    connect(remote, &RemoteRunsController::submitted, this,
            [this](const std::vector<std::int64_t> &runIds) {
                // The first run of the submission on the chart, its job in view.
                m_runsPanel->selectRun(runIds.front());
                m_runs->showRun(runIds.front());
                m_jobsPanel->selectRun(runIds.front());
                m_jobsDock->raise();
            });
    connect(m_runs.get(), &RunsController::runShown, this, [this](std::int64_t runId) {
        m_chartRemoteRun = m_remote->isRemote(runId) ? runId : 0;
    });
    connect(remote, &RemoteRunsController::scalarsArrived, this,
            [this](std::int64_t runId, const std::vector<views::ChartPoint> &points) {
                if (runId == m_chartRemoteRun) {
                    m_chart->appendPoints(points);
                }
            });
    connect(remote, &RemoteRunsController::evaluationsArrived, this,
            [this](std::int64_t runId, const std::vector<proto::EvaluationEvent> &evaluations) {
                if (runId == m_chartRemoteRun) {
                    for (const proto::EvaluationEvent &evaluation : evaluations) {
                        m_evaluation->addEvaluation(evaluation);
                    }
                }
            });
    connect(remote, &RemoteRunsController::runFinished, this,
            [this](std::int64_t runId, proto::RunState state, const QString &message) {
                const QString text = tr("Remote run %1 %2")
                                         .arg(runId)
                                         .arg(QString::fromLatin1(proto::runStateName(state)));
                log(state == proto::RUN_STATE_COMPLETED || state == proto::RUN_STATE_STOPPED
                        ? proto::LOG_LEVEL_INFO
                        : proto::LOG_LEVEL_ERROR,
                    message.isEmpty() ? text : text + QStringLiteral(" — ") + message);
                if (runId == m_chartRemoteRun) {
                    m_runs->showRun(runId); // the stored curves, folded as any past run
                }
            });
    connect(remote, &RemoteRunsController::linkChanged, this,
            [this](const QString &profile, const QString &state) {
                statusBar()->showMessage(tr("%1: %2").arg(profile, state), 5000);
                if (state.startsWith(QStringLiteral("lost"))) {
                    log(proto::LOG_LEVEL_WARNING, tr("%1: %2").arg(profile, state));
                }
            });

    connect(m_jobsPanel, &views::JobsPanel::runSelected, this, [this](std::int64_t runId) {
        m_runsPanel->selectRun(runId);
        m_runs->showRun(runId);
    });
    connect(m_jobsPanel, &views::JobsPanel::stopRequested, remote, &RemoteRunsController::stop);
    connect(m_jobsPanel, &views::JobsPanel::pauseRequested, remote, &RemoteRunsController::pause);
    connect(m_jobsPanel, &views::JobsPanel::resumeRequested, remote, &RemoteRunsController::resume);
    connect(m_jobsPanel, &views::JobsPanel::cancelRequested, this, [this](std::int64_t runId) {
        const views::JobRow *job = m_remote->job(runId);
        if (job != nullptr
            && QMessageBox::question(
                   this, tr("Cancel Job"),
                   tr("End job %1 on %2 now? Its worker gets no chance to "
                      "write a last checkpoint.")
                       .arg(QString::fromStdString(job->jobId), QString::fromStdString(job->host)))
                   == QMessageBox::Yes) {
            m_remote->cancel(runId);
        }
    });
    connect(m_jobsPanel, &views::JobsPanel::logsRequested, this, [this](std::int64_t runId) {
        auto *dialog = new RemoteLogDialog(*m_remote, runId, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    connect(m_jobsPanel, &views::JobsPanel::downloadRequested, this, [this](std::int64_t runId) {
        showTransfer(tr("Downloading the outputs of run %1…").arg(runId));
        m_remote->downloadOutputs(runId);
    });
}

} // namespace tl::app
