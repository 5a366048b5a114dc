#include "app/model_file_controller.h"

#include "base/number_text.h"
#include "model/graph_analysis.h"
#include "model/onnx_model.h"
#include "model/view_graph.h"
#include "views/graph_view.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryFile>
#include <QtConcurrent/QtConcurrentRun>

#include <filesystem>
#include <fstream>

namespace tl::app {
namespace {

using base::ErrorCode;

QString qt(const std::string &text)
{
    return QString::fromStdString(text);
}

std::filesystem::path toPath(const QString &path)
{
    return std::filesystem::path(path.toStdString());
}

bool isTorchScript(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QStringLiteral("pt") || suffix == QStringLiteral("pth")
           || suffix == QStringLiteral("torchscript");
}

base::Result<proto::ViewGraph> readAndDescribeOnnx(const QString &path, std::stop_token stop)
{
    base::Result<model::OnnxModel> model = model::readOnnxModel(toPath(path), stop);
    if (!model) {
        return model.error();
    }
    if (stop.stop_requested()) {
        return base::makeError(ErrorCode::Cancelled, "Opening the model was cancelled.");
    }
    return model::describeOnnxModel(model.value());
}

// The ViewGraph the worker wrote with inspect-model --view.
base::Result<proto::ViewGraph> readViewFile(const std::string &viewFile, const std::string &model)
{
    std::ifstream in(viewFile, std::ios::binary);
    proto::ViewGraph graph;
    if (!in || !graph.ParseFromIstream(&in)) {
        return base::makeError(ErrorCode::Backend,
                               "The worker's description of the model could not be read.", model);
    }
    return graph;
}

// "lenet.onnx · ONNX opset 17 · 12 nodes · 61,706 parameters"
QString titleFor(const proto::ViewGraph &graph, const QString &lead)
{
    QStringList parts{lead};
    if (graph.format() == "onnx") {
        parts << QObject::tr("ONNX opset %1").arg(graph.opset());
    } else if (graph.format() == "torchscript") {
        parts << QObject::tr("TorchScript");
    }
    parts << QObject::tr("%1 nodes").arg(qt(base::groupedDigits(graph.nodes_size())));
    parts << QObject::tr("%1 parameters").arg(qt(base::groupedDigits(graph.parameter_count())));
    return parts.join(QStringLiteral(" · "));
}

// A message that names the file, whatever the layer below put in its context.
QString namingFile(const base::Error &error, const QString &path)
{
    const QString text = qt(error.describe());
    const QString name = QFileInfo(path).fileName();
    return text.contains(name) ? text : name + QStringLiteral(": ") + text;
}

} // namespace

ModelFileController::ModelFileController(GraphvizLane &lane,
                                         views::GraphView &view,
                                         QString workerPath,
                                         QObject *parent)
    : QObject(parent)
    , m_lane(lane)
    , m_view(view)
    , m_workerPath(std::move(workerPath))
    , m_readWatcher(this)
    , m_layoutWatcher(this)
{
    m_pool.setObjectName(QStringLiteral("tl-models"));
    m_pool.setMaxThreadCount(1); // one file at a time; a newer one cancels the older
    connect(&m_readWatcher, &QFutureWatcherBase::finished, this, &ModelFileController::onRead);
    connect(&m_layoutWatcher, &QFutureWatcherBase::finished, this, &ModelFileController::onLaidOut);
    connect(&m_view, &views::GraphView::groupToggleRequested, this,
            &ModelFileController::toggleGroup);
}

ModelFileController::~ModelFileController()
{
    stopWork();
    m_readWatcher.disconnect(this);
    m_layoutWatcher.disconnect(this);
    m_pool.waitForDone();
    // A layout still on the lane holds only copies (graph, sizer) and sees the stop token;
    // the lane joins it when it goes.
}

bool ModelFileController::isModelFile(const QString &path)
{
    return QFileInfo(path).suffix().toLower() == QStringLiteral("onnx") || isTorchScript(path);
}

QString ModelFileController::blockingOpsText(const proto::ViewGraph &graph)
{
    QStringList ops;
    for (const std::string &op : graph.blocking_ops()) {
        ops << qt(op);
    }
    return ops.join(QStringLiteral(", "));
}

QString ModelFileController::viewOnlyText(const proto::ViewGraph &graph)
{
    if (graph.blocking_ops_size() == 0) {
        return {};
    }
    return tr("Viewing only: no Torchlight equivalent for %1").arg(blockingOpsText(graph));
}

QString ModelFileController::blockingOps() const
{
    return m_shown.graph ? blockingOpsText(*m_shown.graph) : QString();
}

void ModelFileController::open(const QString &path)
{
    begin(tr("Opening %1").arg(QFileInfo(path).fileName()));
    m_reading = path;
    if (QFileInfo(path).suffix().toLower() == QStringLiteral("onnx")) {
        readOnnx(path);
    } else if (isTorchScript(path)) {
        inspectWithWorker(path);
    } else {
        fail(tr("%1 is not a model file Torchlight opens (.onnx, .pt, .pth, .torchscript).")
                 .arg(QFileInfo(path).fileName()));
    }
}

void ModelFileController::showCanvasModel(const proto::ModelGraph &graph, const QString &name)
{
    base::Result<model::GraphAnalysis> analysis = model::analyzeGraph(graph);
    if (!analysis) {
        emit canvasModelUnavailable(qt(analysis.error().describe()));
        return;
    }
    auto view =
        std::make_shared<proto::ViewGraph>(model::describeModelGraph(graph, analysis.value()));
    if (view->name().empty()) {
        view->set_name(name.toStdString());
    }
    begin(tr("Laying out the canvas model"));
    Shown target;
    target.expanded = graphviz::initialExpansion(*view);
    target.title = titleFor(*view, tr("Canvas model %1").arg(name));
    target.graph = std::move(view);
    layOut(std::move(target));
}

void ModelFileController::toggleGroup(const QString &group)
{
    if (!m_reading.isEmpty() || !m_target.graph) {
        return; // a new file is on its way: the old graph's groups do not matter any more
    }
    Shown target = m_target;
    const std::string name = group.toStdString();
    if (target.expanded.erase(name) == 0) {
        target.expanded.insert(name);
    }
    begin(tr("Laying out %1")
              .arg(target.file.isEmpty() ? tr("the canvas model")
                                         : QFileInfo(target.file).fileName()));
    layOut(std::move(target));
}

void ModelFileController::cancel()
{
    if (!m_busy) {
        return;
    }
    stopWork();
    ++m_generation; // whatever is still running reports to nobody
    m_busy = false;
    m_reading.clear();
    m_target = m_shown;
    emit loadCancelled();
}

void ModelFileController::clear(const QString &message)
{
    stopWork();
    ++m_generation;
    m_busy = false;
    m_reading.clear();
    m_target = {};
    m_shown = {};
    m_view.clear(message);
}

void ModelFileController::begin(const QString &what)
{
    stopWork();
    m_stop = std::stop_source();
    ++m_generation;
    m_busy = true;
    m_reading.clear();
    emit loadStarted(what);
}

void ModelFileController::stopWork()
{
    m_stop.request_stop();
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        // Maybe inside one of its own signals (finished): deleted once that returns.
        m_process.release()->deleteLater();
    }
}

void ModelFileController::readOnnx(const QString &path)
{
    const std::uint64_t generation = m_generation;
    m_readWatcher.setFuture(
        QtConcurrent::run(&m_pool, [path, generation, stop = m_stop.get_token()] {
            return std::make_shared<ReadOutcome>(
                ReadOutcome{generation, readAndDescribeOnnx(path, stop)});
        }));
}

void ModelFileController::inspectWithWorker(const QString &path)
{
    m_viewFile = std::make_shared<QTemporaryFile>();
    m_viewFile->setFileTemplate(QDir::tempPath() + QStringLiteral("/torchlight-view-XXXXXX.pb"));
    if (!m_viewFile->open()) {
        fail(tr("%1: no temporary file for the worker's answer: %2")
                 .arg(QFileInfo(path).fileName(), m_viewFile->errorString()));
        return;
    }
    m_viewFile->close(); // the worker writes it; the object keeps it until the next request
    const std::uint64_t generation = m_generation;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    QProcess *process = m_process.get();
    connect(process, &QProcess::finished, this,
            [this, generation](int exitCode, QProcess::ExitStatus status) {
                onWorkerFinished(generation, exitCode, status == QProcess::CrashExit);
            });
    connect(process, &QProcess::errorOccurred, this,
            [this, generation, process](QProcess::ProcessError error) {
                if (error == QProcess::FailedToStart && generation == m_generation) {
                    fail(tr("The worker %1 could not be started: %2 (set TL_WORKER to its path).")
                             .arg(m_workerPath, process->errorString()));
                }
            });
    process->start(m_workerPath, {QStringLiteral("inspect-model"), path, QStringLiteral("--view"),
                                  m_viewFile->fileName()});
}

void ModelFileController::onWorkerFinished(std::uint64_t generation, int exitCode, bool crashed)
{
    if (generation != m_generation || !m_process) {
        return;
    }
    const QString name = QFileInfo(m_reading).fileName();
    QString message = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
    message.remove(QStringLiteral("torchlight-worker: "));
    if (crashed || exitCode != 0) {
        if (message.isEmpty()) {
            message = crashed ? tr("the worker crashed")
                              : tr("the worker ended with code %1").arg(exitCode);
        }
        fail(message.contains(name) ? message : name + QStringLiteral(": ") + message);
        return;
    }
    const std::string viewFile = m_viewFile->fileName().toStdString();
    m_readWatcher.setFuture(
        QtConcurrent::run(&m_pool, [viewFile, model = name.toStdString(), generation] {
            return std::make_shared<ReadOutcome>(
                ReadOutcome{generation, readViewFile(viewFile, model)});
        }));
}

void ModelFileController::onRead()
{
    if (m_readWatcher.future().resultCount() == 0) {
        return; // the job never ran (the pool was shut down)
    }
    std::shared_ptr<ReadOutcome> outcome = m_readWatcher.result();
    if (!outcome || outcome->generation != m_generation) {
        return; // superseded by a newer request
    }
    if (!outcome->result) {
        if (outcome->result.error().code == ErrorCode::Cancelled) {
            cancel();
            return;
        }
        fail(namingFile(outcome->result.error(), m_reading));
        return;
    }
    auto graph = std::make_shared<const proto::ViewGraph>(std::move(outcome->result).value());
    Shown target;
    target.file = m_reading;
    target.expanded = graphviz::initialExpansion(*graph);
    target.title = titleFor(*graph, QFileInfo(m_reading).fileName());
    target.graph = std::move(graph);
    m_reading.clear();
    emit loadStarted(tr("Laying out %1").arg(QFileInfo(target.file).fileName()));
    layOut(std::move(target));
}

void ModelFileController::layOut(Shown target)
{
    m_target = std::move(target);
    const std::uint64_t generation = m_generation;
    graphviz::CardSizer sizer = m_view.cardSizer(m_target.graph);
    m_layoutWatcher.setFuture(
        m_lane.layout(m_target.graph, m_target.expanded, std::move(sizer), m_stop.get_token())
            .then(QtFuture::Launch::Sync, [generation](GraphvizLane::LayoutResult result) {
                return LayoutOutcome{generation, std::move(result)};
            }));
}

void ModelFileController::onLaidOut()
{
    if (m_layoutWatcher.future().resultCount() == 0) {
        return;
    }
    LayoutOutcome outcome = m_layoutWatcher.result();
    if (outcome.generation != m_generation || !outcome.result) {
        return;
    }
    if (!*outcome.result) {
        if (outcome.result->error().code == ErrorCode::Cancelled) {
            cancel();
            return;
        }
        const QString what =
            m_target.file.isEmpty() ? tr("the canvas model") : QFileInfo(m_target.file).fileName();
        fail(tr("%1: the layout failed: %2").arg(what, qt(outcome.result->error().describe())));
        return;
    }
    const bool newFile = !m_target.file.isEmpty() && m_target.graph != m_shown.graph;
    m_busy = false;
    m_shown = m_target;
    m_view.setGraph(m_shown.graph, std::move(*outcome.result).value(), m_shown.expanded);
    emit graphShown(m_shown.title, viewOnlyText(*m_shown.graph));
    if (newFile) {
        emit fileOpened(m_shown.file);
    }
}

void ModelFileController::fail(const QString &message)
{
    stopWork();
    ++m_generation;
    m_busy = false;
    m_reading.clear();
    m_target = m_shown;
    emit loadFailed(message);
}

} // namespace tl::app
