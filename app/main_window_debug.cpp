// The main window's debugger part: the Debugger dock (views/debugger_panel.h), the Debug menu
// (Start Debugging / Continue F5, Step F10, Break F8, Break on NaN/Inf) and the
// DebuggerController that sends their commands to the local run or the selected remote job.
// Part of MainWindow (app/main_window.h), kept apart so the composition root stays short.

#include "app/debugger_controller.h"
#include "app/main_window.h"
#include "app/model_controller.h"
#include "app/remote_runs_controller.h"
#include "app/training_controller.h"
#include "views/debugger_panel.h"
#include "views/graph_panel.h"
#include "views/graph_view.h"
#include "views/jobs_panel.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QStatusBar>

namespace tl::app {

void MainWindow::createDebugPanel()
{
    m_debuggerPanel = new views::DebuggerPanel(this);
    m_debuggerDock = new QDockWidget(tr("Debugger"), this);
    m_debuggerDock->setObjectName(QStringLiteral("debuggerDock"));
    m_debuggerDock->setWidget(m_debuggerPanel);
    // With the model and the node properties: a stop is about one node of that model.
    addDockWidget(Qt::RightDockWidgetArea, m_debuggerDock);
    if (m_propertiesDock != nullptr) {
        tabifyDockWidget(m_propertiesDock, m_debuggerDock);
    }
}

void MainWindow::createDebugController()
{
    m_debugger = std::make_unique<DebuggerController>(*m_debuggerPanel, *m_training, *m_remote);
}

void MainWindow::createDebugActions(QMenu &menu)
{
    m_debugAction = menu.addAction(tr("Start &Debugging"), this, [this] {
        if (m_debugger->isStopped()) {
            m_debugger->continueRun();
        } else if (!m_training->isTraining()) {
            startDebugging();
        }
    });
    m_debugAction->setObjectName(QStringLiteral("debugAction"));
    m_debugAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_debugAction->setToolTip(
        tr("Train, stopped at the first node of the first step; when stopped, continue (F5)"));
    m_stepAction = menu.addAction(tr("&Step"), m_debugger.get(), &DebuggerController::step);
    m_stepAction->setObjectName(QStringLiteral("stepAction"));
    m_stepAction->setShortcut(QKeySequence(Qt::Key_F10));
    m_stepAction->setToolTip(tr("Run one node, forward or backward, and stop again (F10)"));
    m_breakAction = menu.addAction(tr("&Break"), m_debugger.get(), &DebuggerController::breakRun);
    m_breakAction->setObjectName(QStringLiteral("breakAction"));
    m_breakAction->setShortcut(QKeySequence(Qt::Key_F8));
    m_breakAction->setToolTip(tr("Stop the run at the start of its next step (F8)"));
    m_debugOpenedAction = menu.addAction(tr("Debug &Opened Model"), this, [this] {
        m_debugNext = true;
        fineTuneOpenedModel();
    });
    m_debugOpenedAction->setObjectName(QStringLiteral("debugOpenedAction"));
    m_debugOpenedAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+F5")));
    menu.addSeparator();
    menu.addAction(m_debuggerDock->toggleViewAction());
}

void MainWindow::startDebugging()
{
    m_debugNext = true;
    startTraining();
}

void MainWindow::listCanvasNodesForDebugger()
{
    if (m_debugger == nullptr || m_debugger->targetRun() != 0) {
        return; // a debugged run's own stops list its nodes
    }
    base::Result<proto::ModelGraph> graph = m_model->graph();
    if (!graph) {
        return;
    }
    QStringList names;
    for (const proto::Node &node : graph.value().nodes()) {
        names.append(QString::fromStdString(node.name()));
    }
    names.append(QStringLiteral("loss"));
    m_debuggerPanel->setNodes(names);
}

void MainWindow::wireDebugger()
{
    auto update = [this] {
        const bool stopped = m_debugger->isStopped();
        const bool running = m_debugger->targetRun() != 0;
        m_debugAction->setText(stopped ? tr("&Continue") : tr("Start &Debugging"));
        m_debugAction->setEnabled(stopped || !m_training->isTraining());
        m_stepAction->setEnabled(running);
        m_breakAction->setEnabled(running && !stopped);
    };
    connect(
        m_debugger.get(), &DebuggerController::stoppedChanged, this, [this, update](bool stopped) {
            update();
            if (stopped) {
                m_debuggerDock->show();
                m_debuggerDock->raise();
                statusBar()->showMessage(tr("Stopped in the debugger: F10 steps, F5 continues"));
            }
        });
    // The Graph tab follows the stop when it shows that model (its node names match).
    connect(m_debugger.get(), &DebuggerController::stoppedAtNode, this,
            [this](const QString &node) {
                views::GraphView &view = m_graphPanel->view();
                const std::shared_ptr<const proto::ViewGraph> graph = view.graph();
                if (graph == nullptr) {
                    return;
                }
                const std::string name = node.toStdString();
                for (int i = 0; i < graph->nodes_size(); ++i) {
                    if (graph->nodes(i).name() == name) {
                        view.selectNode(i);
                        return;
                    }
                }
            });
    connect(m_training.get(), &TrainingController::trainingChanged, this, update);
    connect(m_jobsPanel, &views::JobsPanel::runSelected, this, [this, update](std::int64_t runId) {
        m_debugger->followRemoteRun(runId);
        update();
    });
    connect(m_remote.get(), &RemoteRunsController::runFinished, this, update);
    update();
}

} // namespace tl::app
