#include "app/main_window.h"

#include "app/dataset_controller.h"
#include "app/dataset_menu.h"
#include "app/debugger_controller.h"
#include "app/device_probe.h"
#include "app/experiment_builder.h"
#include "app/experiment_file.h"
#include "app/graphviz_lane.h"
#include "app/model_controller.h"
#include "app/model_export.h"
#include "app/model_file_controller.h"
#include "app/model_menu.h"
#include "app/remote_profiles_dialog.h"
#include "app/remote_runs_controller.h"
#include "app/runs_controller.h"
#include "app/store_lane.h"
#include "app/training_controller.h"
#include "base/number_text.h"
#include "views/busy_indicator.h"
#include "views/dataset_panel.h"
#include "views/evaluation_view.h"
#include "views/graph_panel.h"
#include "views/graph_view.h"
#include "views/log_view.h"
#include "views/model_panel.h"
#include "views/models/runs_table_model.h"
#include "views/node_properties.h"
#include "views/runs_panel.h"
#include "views/scalar_chart.h"
#include "views/train_panel.h"

#include <QCloseEvent>
#include <QCoreApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>
#include <QtConcurrent/QtConcurrentRun>

namespace tl::app {
namespace {

QDockWidget *dock(QMainWindow *window, const QString &title, const QString &name, QWidget *body)
{
    auto *d = new QDockWidget(title, window);
    d->setObjectName(name); // saveState() finds docks by name
    d->setWidget(body);
    return d;
}

bool isExperimentFile(const QString &path)
{
    return path.endsWith(QStringLiteral(".pbtxt")) || path.endsWith(QStringLiteral(".pb"));
}

} // namespace

MainWindow::MainWindow(WindowOptions options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(std::move(options))
    , m_experimentWatcher(this)
{
    setWindowTitle(QStringLiteral("Torchlight"));
    setAcceptDrops(true);
    createPanels();
    createControllers();
    createActions();
    wireControllers();
    restoreWindowState();

    std::filesystem::path dbFile = m_options.dataDir / "torchlight.db";
    m_lane->open(dbFile);
    // Queued right behind the open, before any run of this session can exist.
    m_runs->recoverAndRefresh();
    m_remote->recover(); // remote jobs go on without the app: follow them again
    m_devices->start();
    openExperiment(m_options.experiment.isEmpty() ? kSampleExperiment : m_options.experiment);
    if (!m_options.openModel.isEmpty()) {
        openModel(m_options.openModel);
    }
    if (m_options.trainAtOnce) {
        startTraining();
    }
}

MainWindow::~MainWindow()
{
    // Controllers first (they observe the panels and post to the lanes), the lanes last. A
    // login question still open is answered "no" so the remote lanes can be joined.
    m_promptsAbandoned->store(true);
    m_debugger.reset();
    m_remote.reset();
    m_modelFiles.reset();
    m_exporter.reset();
    m_training.reset();
    m_runs.reset();
    m_datasets.reset();
    m_devices.reset();
    m_lane.reset();
    m_graphvizLane.reset();
}

void MainWindow::createPanels()
{
    m_chart = new views::ScalarChart(this);
    m_graphPanel = new views::GraphPanel(this);
    m_graphPanel->view().clear(tr("Drop an .onnx or .pt file here, or use File ▸ Open Model…"));
    // The curves of runs and the graph of the model share the centre, a tab each.
    m_centre = new QTabWidget(this);
    m_centre->setObjectName(QStringLiteral("centralTabs"));
    m_centre->setDocumentMode(true);
    m_centre->addTab(m_chart, tr("Curves"));
    m_centre->addTab(m_graphPanel, tr("Graph"));
    setCentralWidget(m_centre);
    m_datasetPanel = new views::DatasetPanel(this);
    m_modelPanel = new views::ModelPanel(this);
    m_trainPanel = new views::TrainPanel(this);
    m_runsModel = new views::RunsTableModel(this);
    m_runsPanel = new views::RunsPanel(m_runsModel, this);
    m_log = new views::LogView(this);
    m_evaluation = new views::EvaluationView(this);

    auto *datasetDock = dock(this, tr("Dataset"), QStringLiteral("datasetDock"), m_datasetPanel);
    addDockWidget(Qt::LeftDockWidgetArea, datasetDock);
    // Evaluations share the left side with the dataset: the dataset matters before a run, the
    // confusion matrix after it.
    m_evaluationDock = dock(this, tr("Evaluation"), QStringLiteral("evaluationDock"), m_evaluation);
    tabifyDockWidget(datasetDock, m_evaluationDock);
    datasetDock->raise();
    auto *trainDock = dock(this, tr("Train"), QStringLiteral("trainDock"), m_trainPanel);
    addDockWidget(Qt::RightDockWidgetArea, trainDock);
    auto *modelDock = dock(this, tr("Model"), QStringLiteral("modelDock"), m_modelPanel);
    addDockWidget(Qt::RightDockWidgetArea, modelDock);
    // What is selected in the graph; it shares the model's place, raised on a selection.
    m_nodeProperties = new views::NodeProperties(this);
    m_propertiesDock =
        dock(this, tr("Properties"), QStringLiteral("propertiesDock"), m_nodeProperties);
    tabifyDockWidget(modelDock, m_propertiesDock);
    modelDock->raise();
    // At 1600 px: an 8-wide sample grid on the left, the settings and layers on the right.
    resizeDocks({datasetDock, trainDock}, {560, 400}, Qt::Horizontal);
    auto *runsDock = dock(this, tr("Runs"), QStringLiteral("runsDock"), m_runsPanel);
    auto *logDock = dock(this, tr("Messages"), QStringLiteral("logDock"), m_log);
    addDockWidget(Qt::BottomDockWidgetArea, runsDock);
    splitDockWidget(runsDock, logDock, Qt::Horizontal);
    resizeDocks({runsDock, logDock}, {3, 2}, Qt::Horizontal);
    resizeDocks({runsDock}, {230}, Qt::Vertical);
    createRemotePanels();
    createDebugPanel();
    m_busy = new views::BusyIndicator(this);
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->showMessage(tr("Ready"));
}

void MainWindow::createControllers()
{
    m_lane = std::make_unique<StoreLane>();
    m_datasets = std::make_unique<DatasetController>();
    m_model = std::make_unique<ModelController>(*m_modelPanel);
    m_runs = std::make_unique<RunsController>(*m_lane, *m_runsModel, *m_chart, *m_evaluation);
    m_training = std::make_unique<TrainingController>(*m_lane, *m_runs, *m_trainPanel, *m_chart,
                                                      *m_evaluation, m_options.workerPath,
                                                      m_options.dataDir / "runs");
    m_devices = std::make_unique<DeviceProbe>(m_options.workerPath);
    m_graphvizLane = std::make_unique<GraphvizLane>();
    m_modelFiles = std::make_unique<ModelFileController>(*m_graphvizLane, m_graphPanel->view(),
                                                         m_options.workerPath);
    m_exporter = std::make_unique<ModelExporter>(m_options.workerPath);
    createRemoteController();
    createDebugController();
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openExperimentAction = file->addAction(tr("Open &Experiment…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Experiment"), {},
                                                          tr("Experiments (*.pbtxt *.pb)"));
        if (!path.isEmpty()) {
            openExperiment(path);
        }
    });
    // Ctrl+O and Ctrl+Shift+O open datasets, the more frequent gesture.
    openExperimentAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+E")));
    file->addSeparator();
    m_datasetMenu = std::make_unique<DatasetMenu>(*file, *this);
    file->addSeparator();
    m_modelMenu = std::make_unique<ModelMenu>(*file, *this);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    QAction *train = run->addAction(QIcon(QStringLiteral(":/icons/train.svg")), tr("&Train"), this,
                                    &MainWindow::startTraining);
    train->setShortcut(QKeySequence(QStringLiteral("Ctrl+Return")));
    m_stopAction = run->addAction(QIcon(QStringLiteral(":/icons/stop.svg")), tr("&Stop"),
                                  m_training.get(), &TrainingController::stop);
    m_stopAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+.")));
    m_pauseAction = run->addAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"),
                                   m_training.get(), &TrainingController::togglePause);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+P")));
    m_pauseAction->setToolTip(
        tr("Hold the run after the current step, or resume it (Ctrl+Shift+P)"));
    m_checkpointAction =
        run->addAction(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Checkpoint Now"),
                       m_training.get(), &TrainingController::checkpoint);
    m_checkpointAction->setObjectName(QStringLiteral("checkpointAction"));
    m_checkpointAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+S")));
    m_checkpointAction->setToolTip(tr("Write a checkpoint after the current step (Ctrl+Shift+S)"));
    for (QAction *action : {m_stopAction, m_pauseAction, m_checkpointAction}) {
        action->setEnabled(false); // until a run trains
    }
    run->addSeparator();
    m_fineTuneAction =
        run->addAction(tr("&Fine-tune Opened Model"), this, &MainWindow::fineTuneOpenedModel);
    m_fineTuneAction->setObjectName(QStringLiteral("fineTuneAction"));
    m_fineTuneAction->setIconText(tr("Fine-tune")); // the Graph tab's button
    m_fineTuneAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+Return")));

    createDebugActions(*menuBar()->addMenu(tr("&Debug")));

    QMenu *remoteMenu = menuBar()->addMenu(tr("Re&mote"));
    createRemoteActions(*remoteMenu);
    QAction *profiles = remoteMenu->addAction(tr("&Connection Profiles…"), this, [this] {
        auto *dialog = new RemoteProfilesDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    profiles->setObjectName(QStringLiteral("connectionProfilesAction"));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : findChildren<QDockWidget *>()) {
        view->addAction(d->toggleViewAction());
    }
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Torchlight"), this, [this] {
        QMessageBox::about(this, tr("About Torchlight"),
                           tr("Torchlight %1\nA workbench for deep-learning experiments.\n"
                              "Worker: %2\nData: %3")
                               .arg(QCoreApplication::applicationVersion(), m_options.workerPath,
                                    QString::fromStdString(m_options.dataDir.string())));
    });

    QToolBar *tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->addActions(
        {m_datasetMenu->openFilesAction(), train, m_stopAction, m_pauseAction, m_checkpointAction});
}

void MainWindow::wireControllers()
{
    connect(&m_experimentWatcher, &QFutureWatcherBase::finished, this,
            &MainWindow::onExperimentLoaded);
    wireDatasets();
    wireGraph();

    connect(m_trainPanel, &views::TrainPanel::trainClicked, this, &MainWindow::startTraining);
    connect(m_trainPanel, &views::TrainPanel::stopClicked, m_training.get(),
            &TrainingController::stop);
    connect(m_trainPanel, &views::TrainPanel::checkpointClicked, m_training.get(),
            &TrainingController::checkpoint);
    connect(m_trainPanel, &views::TrainPanel::pauseClicked, m_training.get(),
            &TrainingController::togglePause);
    connect(m_training.get(), &TrainingController::pausedChanged, this, [this](bool paused) {
        m_pauseAction->setText(paused ? tr("&Resume") : tr("&Pause"));
        m_pauseAction->setIcon(
            style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    });
    connect(m_training.get(), &TrainingController::trainingChanged, this, [this](bool training) {
        m_stopAction->setEnabled(training);
        m_pauseAction->setEnabled(training);
        m_checkpointAction->setEnabled(training);
        updateFineTuneAction();
    });
    connect(m_training.get(), &TrainingController::logged, this, &MainWindow::log);
    connect(m_training.get(), &TrainingController::runListed, m_runsPanel,
            &views::RunsPanel::selectRun);
    connect(m_training.get(), &TrainingController::runFinished, this,
            [this](std::int64_t runId, proto::RunState, const QString &) {
                statusBar()->showMessage(m_trainPanel->statusText());
                m_runs->showRun(runId); // the stored curves, folded as any past run
                if (!m_evaluation->splits().isEmpty()) {
                    m_evaluationDock->raise(); // the run's verdict, class by class
                }
            });
    connect(m_runsPanel, &views::RunsPanel::runSelected, m_runs.get(), &RunsController::showRun);
    connect(m_runs.get(), &RunsController::runShown, m_training.get(),
            &TrainingController::chartShowsRun);
    connect(m_runs.get(), &RunsController::failed, this, &MainWindow::showError);
    connect(m_lane.get(), &StoreLane::openFailed, this, &MainWindow::showError);
    connect(m_lane.get(), &StoreLane::opened, this,
            [this](const QString &file) { showInfo(tr("Run store: %1").arg(file)); });
    wireRemote();
    wireDebugger();
    connect(m_devices.get(), &DeviceProbe::devicesFound, m_trainPanel,
            &views::TrainPanel::setDevices);
    connect(m_devices.get(), &DeviceProbe::probeFailed, this, [this](const QString &message) {
        m_log->appendLine(views::LogView::Level::Warning, message);
    });
}

void MainWindow::wireDatasets()
{
    connect(m_datasetMenu.get(), &DatasetMenu::datasetChosen, this,
            [this](const QStringList &paths) { openDataset(DatasetMenu::toPaths(paths)); });
    connect(m_datasetPanel, &views::DatasetPanel::openClicked, m_datasetMenu.get(),
            &DatasetMenu::chooseFiles);
    connect(m_datasetPanel, &views::DatasetPanel::cancelClicked, m_datasets.get(),
            &DatasetController::cancel);
    connect(m_datasetPanel, &views::DatasetPanel::optionsEdited, m_datasets.get(),
            &DatasetController::loadSpec);
    connect(m_datasets.get(), &DatasetController::loadStarted, m_datasetPanel,
            &views::DatasetPanel::showLoading);
    connect(m_datasets.get(), &DatasetController::progressed, m_datasetPanel,
            &views::DatasetPanel::showProgress);
    connect(m_datasets.get(), &DatasetController::loaded, this, &MainWindow::onDatasetLoaded);
    connect(m_datasets.get(), &DatasetController::loadFailed, this, [this](const QString &message) {
        m_datasetPanel->showIdle();
        m_datasetPanel->showMessage(message, true);
        showError(tr("Could not load the dataset: %1").arg(message));
        m_trainPending = false;
    });
    connect(m_datasets.get(), &DatasetController::loadCancelled, this, [this] {
        m_datasetPanel->showIdle();
        showInfo(tr("Dataset loading cancelled."));
        m_trainPending = false;
    });
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        resize(1600, 1000);
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::openExperiment(const QString &path)
{
    showInfo(tr("Opening %1").arg(path));
    m_experimentLoading = true;
    m_experimentWatcher.setFuture(QtConcurrent::run([path] {
        return std::make_shared<base::Result<proto::ExperimentSpec>>(loadExperiment(path));
    }));
}

void MainWindow::onExperimentLoaded()
{
    m_experimentLoading = false;
    std::shared_ptr<base::Result<proto::ExperimentSpec>> result = m_experimentWatcher.result();
    if (!*result) {
        showError(QString::fromStdString(result->error().describe()));
        m_trainPending = false;
        return;
    }
    m_experiment = std::move(*result).value();
    const QString name = QString::fromStdString(m_experiment.name());
    setWindowTitle(tr("Torchlight — %1").arg(name));
    m_trainPanel->setSettings(trainSettingsFrom(m_experiment));
    if (m_experiment.model_file().empty()) {
        m_model->setGraph(m_experiment.model());
        refreshCanvasGraph();
    } else {
        // A fine-tuning experiment (a run's experiment.pbtxt): its model file, ready for
        // Run > Fine-tune Opened Model; the canvas keeps its model.
        openModel(QString::fromStdString(m_experiment.model_file()));
    }
    m_datasets->loadSpec(m_experiment.dataset());
    showInfo(tr("Opened experiment %1").arg(name));
    emit experimentOpened(name);
    if (m_trainPending) {
        m_trainPending = false;
        startTraining();
    }
}

void MainWindow::openDataset(const std::vector<std::filesystem::path> &paths)
{
    m_datasets->loadDropped(paths);
}

void MainWindow::onDatasetLoaded(const LoadedDataset &dataset)
{
    const datasets::DatasetSummary &summary = dataset.preview.summary;
    QStringList notes;
    for (const std::string &note : dataset.notes) {
        notes << QString::fromStdString(note);
        showInfo(notes.back());
    }
    m_datasetPanel->showIdle();
    m_datasetPanel->showMessage(notes.join(QLatin1Char('\n')), false);
    m_datasetPanel->showDataset(dataset.spec, dataset.preview);
    m_model->setInput(summary.sampleShape, static_cast<std::int64_t>(summary.classNames.size()));
    refreshCanvasGraph();
    m_datasetMenu->remember(dataset.spec);
    QStringList splits;
    for (const datasets::SplitSummary &split : summary.splits) {
        splits << QStringLiteral("%1 %2").arg(
            QString::fromStdString(split.name),
            QString::fromStdString(base::groupedDigits(split.count)));
    }
    showInfo(tr("Loaded dataset %1: %2")
                 .arg(QString::fromStdString(summary.name), splits.join(QStringLiteral(", "))));
    if (m_trainPending) {
        m_trainPending = false;
        startTraining();
    }
}

void MainWindow::startTraining()
{
    // The experiment being opened, or the dataset being loaded (which rebuilds the model for
    // its shape), is the one to train: start once it is there.
    if (m_experimentLoading || m_datasets->isLoading()) {
        if (!m_trainPending) {
            showInfo(tr("Training starts when the dataset has loaded."));
        }
        m_trainPending = true;
        return;
    }
    base::Result<proto::ExperimentSpec> spec = assembleExperiment();
    if (!spec) {
        m_debugNext = false;
        showError(tr("Cannot train: %1").arg(QString::fromStdString(spec.error().describe())));
        return;
    }
    m_debugNext = false;
    m_training->train(spec.value());
}

base::Result<proto::ExperimentSpec> MainWindow::assembleExperiment()
{
    const proto::DatasetSpec &dataset =
        m_datasets->hasDataset() ? m_datasets->current().spec : m_experiment.dataset();
    base::Result<proto::ModelGraph> graph = m_model->graph();
    if (!graph) {
        return graph.error();
    }
    base::Result<proto::ExperimentSpec> spec =
        buildExperiment(m_experiment, dataset, graph.value(), m_trainPanel->settings());
    if (spec) {
        // The debugger panel's stops (NaN/Inf, node breakpoints) travel with every run.
        *spec.value().mutable_train()->mutable_debug() = m_debugger->startSettings(m_debugNext);
    }
    return spec;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent *event)
{
    std::vector<std::filesystem::path> paths;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile()) {
            paths.emplace_back(url.toLocalFile().toStdString());
        }
    }
    if (paths.empty()) {
        return;
    }
    event->acceptProposedAction();
    const QString first = QString::fromStdString(paths[0].string());
    if (paths.size() == 1 && isExperimentFile(first)) {
        openExperiment(first);
    } else if (paths.size() == 1 && ModelFileController::isModelFile(first)) {
        openModel(first);
    } else {
        openDataset(paths);
    }
}

void MainWindow::log(proto::LogLevel level, const QString &text)
{
    m_log->appendLine(level == proto::LOG_LEVEL_ERROR     ? views::LogView::Level::Error
                      : level == proto::LOG_LEVEL_WARNING ? views::LogView::Level::Warning
                                                          : views::LogView::Level::Info,
                      text);
}

void MainWindow::showError(const QString &text)
{
    m_log->appendLine(views::LogView::Level::Error, text);
    statusBar()->showMessage(text);
}

void MainWindow::showInfo(const QString &text)
{
    m_log->appendLine(views::LogView::Level::Info, text);
    statusBar()->showMessage(text, 5000);
}

} // namespace tl::app
