#pragma once
// The workbench window: a composition root that creates the panels (views/) and the
// controllers (app/), wires them, and owns the menus, docks, drag-and-drop and remembered
// window state. Behaviour lives in the controllers. UI thread.

#include "app/command_line.h"
#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>

class QAction;
class QDockWidget;
class QMenu;
class QProgressDialog;
class QTabWidget;

namespace tl::views {
class BusyIndicator;
class DatasetPanel;
class DebuggerPanel;
class EvaluationView;
class GraphPanel;
class LogView;
class ModelPanel;
class NodeProperties;
class JobsPanel;
class JobsTableModel;
class RunsPanel;
class RunsTableModel;
class ScalarChart;
class TrainPanel;
} // namespace tl::views

namespace tl::app {

class DatasetController;
class DatasetMenu;
class DebuggerController;
class DeviceProbe;
class GraphvizLane;
class ModelController;
class ModelExporter;
class ModelFileController;
class ModelMenu;
class RemoteRunsController;
class RunsController;
class StoreLane;
class TrainingController;
struct LoadedDataset;

struct WindowOptions
{
    QString experiment;            // a path or a resource; empty: the bundled sample
    std::filesystem::path dataDir; // holds torchlight.db and runs/
    QString workerPath;
    bool trainAtOnce = false; // --train
    QString openModel;        // --open-model: shown in the Graph tab at start
};

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(WindowOptions options, QWidget *parent = nullptr);
    ~MainWindow() override;

    void openExperiment(const QString &path);
    void openDataset(const std::vector<std::filesystem::path> &paths);
    // Shows an .onnx or TorchScript file in the Graph tab (read off the UI thread).
    void openModel(const QString &path);
    // Assembles the spec from the panels and starts a run.
    void startTraining();
    // Remote ▸ Train on Remote…: the assembled spec, pushed to a connection profile the user
    // picks (a sweep over learning rates if asked), with upload progress and Cancel.
    void trainOnRemote();
    // Run > Fine-tune Opened Model: trains the model file shown in the Graph tab on the
    // current dataset with the train panel's settings (ExperimentSpec.model_file).
    void fineTuneOpenedModel();

    // For tests and for controllers wired from outside.
    views::DatasetPanel &datasetPanel() const { return *m_datasetPanel; }
    views::ModelPanel &modelPanel() const { return *m_modelPanel; }
    views::TrainPanel &trainPanel() const { return *m_trainPanel; }
    views::ScalarChart &chart() const { return *m_chart; }
    views::EvaluationView &evaluationView() const { return *m_evaluation; }
    QDockWidget &evaluationDock() const { return *m_evaluationDock; }
    // Run > Checkpoint Now: enabled only while a run trains.
    QAction &checkpointAction() const { return *m_checkpointAction; }
    QAction &pauseAction() const { return *m_pauseAction; }
    // Enabled while a model file whose ops all run is shown and no run trains.
    QAction &fineTuneAction() const { return *m_fineTuneAction; }
    views::RunsTableModel &runsModel() const { return *m_runsModel; }
    views::RunsPanel &runsPanel() const { return *m_runsPanel; }
    views::LogView &logView() const { return *m_log; }
    DatasetController &datasets() const { return *m_datasets; }
    DatasetMenu &datasetMenu() const { return *m_datasetMenu; }
    TrainingController &training() const { return *m_training; }
    RunsController &runs() const { return *m_runs; }
    views::GraphPanel &graphPanel() const { return *m_graphPanel; }
    views::NodeProperties &nodeProperties() const { return *m_nodeProperties; }
    QTabWidget &centralTabs() const { return *m_centre; }
    ModelFileController &modelFiles() const { return *m_modelFiles; }
    ModelMenu &modelMenu() const { return *m_modelMenu; }
    ModelExporter &modelExporter() const { return *m_exporter; }
    RemoteRunsController &remoteRuns() const { return *m_remote; }
    views::JobsPanel &jobsPanel() const { return *m_jobsPanel; }
    views::JobsTableModel &jobsModel() const { return *m_jobsModel; }
    views::DebuggerPanel &debuggerPanel() const { return *m_debuggerPanel; }
    DebuggerController &debugger() const { return *m_debugger; }
    // Debug ▸ Start Debugging / Continue (F5), Step (F10), Break (F8).
    QAction &debugAction() const { return *m_debugAction; }
    QAction &stepAction() const { return *m_stepAction; }
    QAction &breakAction() const { return *m_breakAction; }
    // Debug ▸ Debug Opened Model (Ctrl+Shift+F5): fine-tune the Graph tab's model file stopped
    // at its first node; enabled when Fine-tune is.
    QAction &debugOpenedAction() const { return *m_debugOpenedAction; }

    // Debug ▸ Start Debugging: startTraining() with a stop at the first node of the first step.
    void startDebugging();

signals:
    void experimentOpened(const QString &name);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createPanels();
    void createControllers();
    void createActions();
    void wireControllers();
    void restoreWindowState();
    void onExperimentLoaded();
    void wireDatasets();
    void onDatasetLoaded(const LoadedDataset &dataset);
    void wireGraph();
    void wireGraphExports();
    // Shows the canvas model in the Graph tab unless a model file is there (or force).
    void refreshCanvasGraph(bool force = false);
    void exportModelAsOnnx(const QString &output);
    // The fine-tune action's state and tooltip for what the Graph tab shows.
    void updateFineTuneAction();
    // The spec the panels describe, for a local or a remote run.
    base::Result<proto::ExperimentSpec> assembleExperiment();
    // main_window_remote.cpp: the jobs dock, the controller and their wiring.
    void createRemotePanels();
    void createRemoteController();
    void createRemoteActions(QMenu &menu);
    void wireRemote();
    void showTransfer(const QString &title);
    // main_window_debug.cpp: the debugger dock, its controller, the Debug menu.
    void createDebugPanel();
    void createDebugController();
    void createDebugActions(QMenu &menu);
    void wireDebugger();
    // Lists the canvas model's nodes in the debugger panel while no run is debugged.
    void listCanvasNodesForDebugger();
    void log(proto::LogLevel level, const QString &text);
    void showError(const QString &text);
    void showInfo(const QString &text);

    WindowOptions m_options;
    proto::ExperimentSpec m_experiment;
    bool m_trainPending = false;
    bool m_debugNext = false; // the next run starts stopped at its first node
    // Set from openExperiment() until its result is handled (the future may have finished
    // before its finished() signal arrives).
    bool m_experimentLoading = false;
    QFutureWatcher<std::shared_ptr<base::Result<proto::ExperimentSpec>>> m_experimentWatcher;

    views::DatasetPanel *m_datasetPanel = nullptr;
    views::ModelPanel *m_modelPanel = nullptr;
    views::TrainPanel *m_trainPanel = nullptr;
    views::ScalarChart *m_chart = nullptr;
    views::EvaluationView *m_evaluation = nullptr;
    QDockWidget *m_evaluationDock = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_checkpointAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_fineTuneAction = nullptr;
    views::RunsTableModel *m_runsModel = nullptr;
    views::RunsPanel *m_runsPanel = nullptr;
    views::LogView *m_log = nullptr;
    QTabWidget *m_centre = nullptr;
    views::GraphPanel *m_graphPanel = nullptr;
    views::NodeProperties *m_nodeProperties = nullptr;
    QDockWidget *m_propertiesDock = nullptr;
    views::BusyIndicator *m_busy = nullptr;
    views::JobsTableModel *m_jobsModel = nullptr;
    views::JobsPanel *m_jobsPanel = nullptr;
    QDockWidget *m_jobsDock = nullptr;
    views::DebuggerPanel *m_debuggerPanel = nullptr;
    QDockWidget *m_debuggerDock = nullptr;
    QAction *m_debugAction = nullptr;
    QAction *m_stepAction = nullptr;
    QAction *m_breakAction = nullptr;
    QAction *m_debugOpenedAction = nullptr;
    QProgressDialog *m_transfer = nullptr;
    std::int64_t m_chartRemoteRun = 0; // the remote run the chart shows, whose points it takes
    // Set when the window goes, so a login question a lane thread waits on is answered "no".
    std::shared_ptr<std::atomic_bool> m_promptsAbandoned;

    // Declared so the lane is destroyed last: controllers post to it until they are gone.
    std::unique_ptr<StoreLane> m_lane;
    std::unique_ptr<GraphvizLane> m_graphvizLane;
    std::unique_ptr<DatasetController> m_datasets;
    std::unique_ptr<ModelController> m_model;
    std::unique_ptr<RunsController> m_runs;
    std::unique_ptr<TrainingController> m_training;
    std::unique_ptr<DeviceProbe> m_devices;
    std::unique_ptr<DatasetMenu> m_datasetMenu;
    std::unique_ptr<ModelFileController> m_modelFiles;
    std::unique_ptr<ModelExporter> m_exporter;
    std::unique_ptr<ModelMenu> m_modelMenu;
    std::unique_ptr<RemoteRunsController> m_remote;
    std::unique_ptr<DebuggerController> m_debugger;
};

} // namespace tl::app
