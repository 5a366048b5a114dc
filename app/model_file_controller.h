#pragma once
// Opens model files for the graph view, off the UI thread: an .onnx file is read, validated
// and described by model/ on the "tl-models" pool; a TorchScript .pt/.pth/.torchscript file is
// described by `torchlight-worker inspect-model FILE --view OUT.pb` (a QProcess, never waited
// for). The ViewGraph is then laid out on the Graphviz lane and handed to the GraphView; a
// group the user toggles is laid out again the same way. Also shows the canvas model (a
// ModelGraph). A newer request supersedes an older one (generation counters); cancel() stops
// the current one. A failure leaves the graph on screen as it was. Lives on the UI thread; its
// destructor cancels and joins.

#include "app/graphviz_lane.h"
#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>

#include <cstdint>
#include <memory>
#include <set>
#include <stop_token>
#include <string>

class QProcess;
class QTemporaryFile;

namespace tl::views {
class GraphView;
}

namespace tl::app {

class ModelFileController : public QObject
{
    Q_OBJECT

public:
    // lane and view are observed and outlive this controller.
    ModelFileController(GraphvizLane &lane,
                        views::GraphView &view,
                        QString workerPath,
                        QObject *parent = nullptr);
    ~ModelFileController() override;

    // .onnx, .pt, .pth, .torchscript (case-insensitive).
    static bool isModelFile(const QString &path);
    // "Viewing only: no Torchlight equivalent for Loop, NonMaxSuppression"; empty when every
    // op of the graph runs.
    static QString viewOnlyText(const proto::ViewGraph &graph);
    // "Loop, NonMaxSuppression": the graph's ops with no Torchlight equivalent; empty if none.
    static QString blockingOpsText(const proto::ViewGraph &graph);

    void open(const QString &path);
    // Shows the canvas model: analysed and described as a ViewGraph (format "torchlight"). A
    // graph that does not analyse is not shown; the reason goes to canvasModelUnavailable().
    void showCanvasModel(const proto::ModelGraph &graph, const QString &name);
    void toggleGroup(const QString &group);
    void cancel();
    // Stops whatever runs and empties the view, showing `message` there.
    void clear(const QString &message);

    bool isBusy() const { return m_busy; }
    // A model file is being read or laid out (it will replace what is shown).
    bool isOpeningFile() const
    {
        return m_busy && (!m_reading.isEmpty() || !m_target.file.isEmpty());
    }
    // The model file on screen; empty while the canvas model (or nothing) is shown.
    QString file() const { return m_shown.file; }
    bool hasFile() const { return !m_shown.file.isEmpty(); }
    // The graph on screen.
    std::shared_ptr<const proto::ViewGraph> graph() const { return m_shown.graph; }
    // blockingOpsText of the graph on screen.
    QString blockingOps() const;

signals:
    void loadStarted(const QString &what);
    // A new graph or a new layout of it is on screen; title describes it for the tab.
    void graphShown(const QString &title, const QString &viewOnly);
    // A model file's graph is on screen for the first time (Recent Models remembers it).
    void fileOpened(const QString &path);
    // One sentence naming the file; the graph that was open stays.
    void loadFailed(const QString &message);
    void loadCancelled();
    void canvasModelUnavailable(const QString &reason);

private:
    // What is (or is about to be) on screen.
    struct Shown
    {
        std::shared_ptr<const proto::ViewGraph> graph;
        std::set<std::string> expanded;
        QString file; // empty for the canvas model
        QString title;
    };
    struct ReadOutcome
    {
        std::uint64_t generation = 0;
        base::Result<proto::ViewGraph> result;
    };
    struct LayoutOutcome
    {
        std::uint64_t generation = 0;
        GraphvizLane::LayoutResult result;
    };

    void begin(const QString &what);
    void readOnnx(const QString &path);
    void inspectWithWorker(const QString &path);
    void onWorkerFinished(std::uint64_t generation, int exitCode, bool crashed);
    void onRead();
    void layOut(Shown target);
    void onLaidOut();
    void fail(const QString &message);
    void stopWork();

    GraphvizLane &m_lane;
    views::GraphView &m_view;
    QString m_workerPath;
    QThreadPool m_pool;
    QFutureWatcher<std::shared_ptr<ReadOutcome>> m_readWatcher;
    QFutureWatcher<LayoutOutcome> m_layoutWatcher;
    std::unique_ptr<QProcess> m_process;
    std::shared_ptr<QTemporaryFile> m_viewFile;
    std::stop_source m_stop;
    std::uint64_t m_generation = 0;
    bool m_busy = false;
    QString m_reading; // the file being read
    Shown m_target;    // the latest layout requested
    Shown m_shown;
};

} // namespace tl::app
