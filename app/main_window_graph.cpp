// The main window's Graph tab wiring (issue 5): model files and the canvas model shown in the
// graph view, the properties dock, the status-bar progress, and the graph and ONNX exports.
// Part of MainWindow (app/main_window.h), kept apart so the composition root stays short.

#include "app/dataset_controller.h"
#include "app/debugger_controller.h"
#include "app/experiment_builder.h"
#include "app/main_window.h"
#include "app/model_controller.h"
#include "app/model_export.h"
#include "app/model_file_controller.h"
#include "app/model_menu.h"
#include "app/store_lane.h"
#include "app/training_controller.h"
#include "views/busy_indicator.h"
#include "views/graph_panel.h"
#include "views/graph_view.h"
#include "views/model_panel.h"
#include "views/node_properties.h"
#include "views/runs_panel.h"
#include "views/train_panel.h"

#include <QDockWidget>
#include <QFileInfo>
#include <QStatusBar>
#include <QTabWidget>

#include <system_error>
#include <utility>

namespace tl::app {

void MainWindow::openModel(const QString &path)
{
    m_centre->setCurrentWidget(m_graphPanel);
    m_modelFiles->open(path);
}

void MainWindow::wireGraph()
{
    views::GraphView &view = m_graphPanel->view();
    connect(m_modelMenu.get(), &ModelMenu::modelChosen, this, &MainWindow::openModel);
    connect(m_modelMenu.get(), &ModelMenu::canvasModelRequested, this, [this] {
        m_centre->setCurrentWidget(m_graphPanel);
        refreshCanvasGraph(true);
    });
    connect(m_modelFiles.get(), &ModelFileController::loadStarted, this,
            [this](const QString &what) {
                m_busy->start(what);
                statusBar()->showMessage(what);
            });
    connect(m_modelFiles.get(), &ModelFileController::graphShown, this,
            [this](const QString &title, const QString &viewOnly) {
                m_busy->finish();
                statusBar()->clearMessage();
                m_graphPanel->setTitle(title);
                m_graphPanel->setBanner(viewOnly);
                m_modelMenu->setGraphShown(true);
                updateFineTuneAction();
            });
    connect(m_modelFiles.get(), &ModelFileController::fileOpened, this,
            [this](const QString &path) {
                m_modelMenu->remember(path);
                m_propertiesDock->raise(); // the model's summary, then what the user selects
                showInfo(tr("Opened model %1").arg(path));
            });
    connect(m_modelFiles.get(), &ModelFileController::loadFailed, this,
            [this](const QString &message) {
                m_busy->finish();
                showError(tr("Could not open the model: %1").arg(message));
            });
    connect(m_modelFiles.get(), &ModelFileController::loadCancelled, this, [this] {
        m_busy->finish();
        showInfo(tr("Opening the model was cancelled."));
    });
    connect(m_modelFiles.get(), &ModelFileController::canvasModelUnavailable, this,
            [this](const QString &reason) {
                if (!m_modelFiles->hasFile()) {
                    m_modelFiles->clear(tr("The canvas model cannot be shown: %1").arg(reason));
                }
            });
    connect(m_busy, &views::BusyIndicator::cancelClicked, m_modelFiles.get(),
            &ModelFileController::cancel);
    connect(&view, &views::GraphView::selectionChanged, this, [this, &view] {
        m_nodeProperties->showSelectionOf(view);
        if (view.selectedBox() >= 0) {
            m_propertiesDock->raise();
        }
    });
    connect(&view, &views::GraphView::graphShown, this, [this, &view] {
        m_nodeProperties->showSelectionOf(view);
        if (!view.graph()) {
            m_graphPanel->setTitle({});
            m_graphPanel->setBanner({});
            m_modelMenu->setGraphShown(false);
            updateFineTuneAction();
        }
    });
    // ModelController took the choice already (it connected first): show what it built.
    connect(m_modelPanel, &views::ModelPanel::templateChosen, this,
            [this] { refreshCanvasGraph(); });
    wireGraphExports();
    m_graphPanel->addModelAction(m_fineTuneAction);
    updateFineTuneAction();
}

void MainWindow::updateFineTuneAction()
{
    const QString blocking = m_modelFiles->blockingOps();
    const bool file = m_modelFiles->hasFile();
    m_fineTuneAction->setEnabled(file && blocking.isEmpty() && !m_training->isTraining());
    QString tip;
    if (!file) {
        tip = tr("Open an ONNX or TorchScript model (Ctrl+M) to fine-tune it");
    } else if (!blocking.isEmpty()) {
        tip = tr("Cannot fine-tune: no Torchlight equivalent for %1").arg(blocking);
    } else if (m_training->isTraining()) {
        tip = tr("A run is training; fine-tune when it ends");
    } else {
        tip = tr("Train %1 on the current dataset with the Train panel's settings "
                 "(Ctrl+Shift+Enter)")
                  .arg(QFileInfo(m_modelFiles->file()).fileName());
    }
    m_fineTuneAction->setToolTip(tip);
    m_fineTuneAction->setStatusTip(tip);
    if (m_debugOpenedAction != nullptr) {
        m_debugOpenedAction->setEnabled(m_fineTuneAction->isEnabled());
        const QString debugTip =
            file && !blocking.isEmpty()
                ? tr("Cannot debug: no Torchlight equivalent for %1").arg(blocking)
                : tr("Fine-tune the opened model stopped at its first node (Ctrl+Shift+F5)");
        m_debugOpenedAction->setToolTip(debugTip);
        m_debugOpenedAction->setStatusTip(debugTip);
    }
}

void MainWindow::fineTuneOpenedModel()
{
    if (!m_modelFiles->hasFile()) {
        showError(tr("Cannot fine-tune: open an ONNX or TorchScript model first (Ctrl+M)."));
        return;
    }
    const QString file = m_modelFiles->file();
    const bool debug = std::exchange(m_debugNext, false);
    if (const QString blocking = m_modelFiles->blockingOps(); !blocking.isEmpty()) {
        showError((debug ? tr("Cannot debug %1: no Torchlight equivalent for %2")
                         : tr("Cannot fine-tune %1: no Torchlight equivalent for %2"))
                      .arg(QFileInfo(file).fileName(), blocking));
        return;
    }
    if (m_experimentLoading || m_datasets->isLoading()) {
        showInfo(tr("The dataset is still loading: fine-tune when it is there."));
        return;
    }
    const proto::DatasetSpec &dataset =
        m_datasets->hasDataset() ? m_datasets->current().spec : m_experiment.dataset();
    proto::ExperimentSpec spec = buildFineTuneExperiment(m_experiment, dataset, file.toStdString(),
                                                         m_trainPanel->settings());
    *spec.mutable_train()->mutable_debug() = m_debugger->startSettings(debug);
    m_training->train(spec);
}

void MainWindow::wireGraphExports()
{
    views::GraphView &view = m_graphPanel->view();
    connect(m_modelMenu.get(), &ModelMenu::svgExportChosen, this,
            [this, &view](const QString &path) { m_exporter->writeSvg(path, view.renderSvg()); });
    connect(m_modelMenu.get(), &ModelMenu::pngExportChosen, this,
            [this, &view](const QString &path) { m_exporter->writePng(path, view.renderImage()); });
    connect(m_modelMenu.get(), &ModelMenu::onnxExportChosen, this, &MainWindow::exportModelAsOnnx);
    connect(m_exporter.get(), &ModelExporter::exported, this,
            [this](const QString &path) { showInfo(tr("Exported %1").arg(path)); });
    connect(m_exporter.get(), &ModelExporter::exportFailed, this, &MainWindow::showError);
}

void MainWindow::refreshCanvasGraph(bool force)
{
    listCanvasNodesForDebugger();
    if (!force && (m_modelFiles->hasFile() || m_modelFiles->isOpeningFile())) {
        return; // the model file the user opened stays on screen
    }
    base::Result<proto::ModelGraph> graph = m_model->graph();
    if (!graph) {
        m_modelFiles->clear(tr("The canvas model cannot be shown: %1\n\nDrop an .onnx or .pt "
                               "file here to see its graph.")
                                .arg(QString::fromStdString(graph.error().describe())));
        return;
    }
    const QString name = m_experiment.name().empty() ? m_model->templateId()
                                                     : QString::fromStdString(m_experiment.name());
    m_modelFiles->showCanvasModel(graph.value(), name);
}

void MainWindow::exportModelAsOnnx(const QString &output)
{
    base::Result<proto::ModelGraph> graph = m_model->graph();
    if (!graph) {
        showError(tr("Cannot export the model: %1")
                      .arg(QString::fromStdString(graph.error().describe())));
        return;
    }
    const proto::DatasetSpec &dataset =
        m_datasets->hasDataset() ? m_datasets->current().spec : m_experiment.dataset();
    proto::ExperimentSpec spec =
        buildExperiment(m_experiment, dataset, graph.value(), m_trainPanel->settings());
    const std::int64_t runId = m_runsPanel->selectedRunId();
    if (runId == 0) {
        m_exporter->exportOnnx(spec, {}, output);
        return;
    }
    // The selected run's trained weights, when it left a checkpoints/last.pt.
    m_lane->call<std::filesystem::path>(
        this,
        [runId](store::RunStore &store, std::stop_token) -> base::Result<std::filesystem::path> {
            base::Result<store::RunRecord> run = store.run(runId);
            if (!run) {
                return run.error();
            }
            std::filesystem::path last = run.value().runDir / "checkpoints" / "last.pt";
            std::error_code error;
            return std::filesystem::exists(last, error) ? last : std::filesystem::path();
        },
        [this, spec, output](base::Result<std::filesystem::path> last) {
            QString checkpoint;
            if (last && !last.value().empty()) {
                checkpoint = QString::fromStdString(last.value().string());
                showInfo(tr("Exporting with the trained weights of %1").arg(checkpoint));
            }
            m_exporter->exportOnnx(spec, checkpoint, output);
        });
}

} // namespace tl::app
