#pragma once
// Writes what the user exports from the Graph tab: the drawn graph as SVG or PNG (encoded and
// written on the "tl-export" pool), and the canvas model as ONNX through `torchlight-worker
// export-onnx --spec SPEC.pb --output OUT.onnx [--checkpoint last.pt]` (a QProcess, never
// waited for). Lives on the UI thread; its destructor joins the pool and kills the worker.

#include "proto/torchlight.pb.h"

#include <QByteArray>
#include <QImage>
#include <QObject>
#include <QThreadPool>

#include <memory>

class QProcess;
class QTemporaryDir;

namespace tl::app {

class ModelExporter : public QObject
{
    Q_OBJECT

public:
    explicit ModelExporter(QString workerPath, QObject *parent = nullptr);
    ~ModelExporter() override;

    void writeSvg(const QString &path, QByteArray svg);
    void writePng(const QString &path, QImage image);
    // spec is the experiment whose model is exported; checkpoint a run's checkpoints/last.pt
    // for trained weights, or empty for freshly initialised ones. One export at a time.
    void
    exportOnnx(const proto::ExperimentSpec &spec, const QString &checkpoint, const QString &output);
    bool isExportingOnnx() const { return m_process != nullptr; }

signals:
    void exported(const QString &path);
    // One sentence naming the file.
    void exportFailed(const QString &message);

private:
    void write(const QString &path, std::function<bool(QIODevice &)> encode);
    void startWorker(const QString &checkpoint, const QString &output);
    void onWorkerFinished(const QString &output, int exitCode, bool crashed);

    QString m_workerPath;
    QThreadPool m_pool;
    std::unique_ptr<QTemporaryDir> m_specDir;
    std::unique_ptr<QProcess> m_process;
};

} // namespace tl::app
