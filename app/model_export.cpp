#include "app/model_export.h"

#include "proto/spec_io.h"

#include <QFileInfo>
#include <QFuture>
#include <QProcess>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QtConcurrent/QtConcurrentRun>

namespace tl::app {

ModelExporter::ModelExporter(QString workerPath, QObject *parent)
    : QObject(parent)
    , m_workerPath(std::move(workerPath))
{
    m_pool.setObjectName(QStringLiteral("tl-export"));
    m_pool.setMaxThreadCount(1);
}

ModelExporter::~ModelExporter()
{
    m_pool.waitForDone();
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
    }
}

void ModelExporter::writeSvg(const QString &path, QByteArray svg)
{
    write(path, [svg = std::move(svg)](QIODevice &file) { return file.write(svg) == svg.size(); });
}

void ModelExporter::writePng(const QString &path, QImage image)
{
    write(path, [image = std::move(image)](QIODevice &file) { return image.save(&file, "PNG"); });
}

void ModelExporter::write(const QString &path, std::function<bool(QIODevice &)> encode)
{
    QtConcurrent::run(&m_pool, [path, encode = std::move(encode)]() -> QString {
        // QSaveFile: a failed export never leaves half a file behind.
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || !encode(file) || !file.commit()) {
            return tr("Could not write %1: %2").arg(path, file.errorString());
        }
        return {};
    }).then(this, [this, path](const QString &error) {
        if (error.isEmpty()) {
            emit exported(path);
        } else {
            emit exportFailed(error);
        }
    });
}

void ModelExporter::exportOnnx(const proto::ExperimentSpec &spec,
                               const QString &checkpoint,
                               const QString &output)
{
    if (isExportingOnnx()) {
        emit exportFailed(tr("An ONNX export is already running; wait for it to finish."));
        return;
    }
    m_specDir = std::make_unique<QTemporaryDir>();
    if (!m_specDir->isValid()) {
        emit exportFailed(tr("Could not export %1: no temporary folder for the spec (%2).")
                              .arg(QFileInfo(output).fileName(), m_specDir->errorString()));
        return;
    }
    const std::filesystem::path dir = m_specDir->path().toStdString();
    QtConcurrent::run(&m_pool, [spec, dir]() -> QString {
        base::Status written = proto::writeExperimentSpec(spec, dir);
        return written ? QString() : QString::fromStdString(written.error().describe());
    }).then(this, [this, checkpoint, output](const QString &error) {
        if (!error.isEmpty()) {
            emit exportFailed(
                tr("Could not export %1: %2").arg(QFileInfo(output).fileName(), error));
            return;
        }
        startWorker(checkpoint, output);
    });
}

void ModelExporter::startWorker(const QString &checkpoint, const QString &output)
{
    QStringList arguments{QStringLiteral("export-onnx"), QStringLiteral("--spec"),
                          QDir(m_specDir->path()).filePath(QStringLiteral("experiment.pb")),
                          QStringLiteral("--output"), output};
    if (!checkpoint.isEmpty()) {
        arguments << QStringLiteral("--checkpoint") << checkpoint;
    }
    m_process = std::make_unique<QProcess>();
    QProcess *process = m_process.get();
    connect(process, &QProcess::finished, this,
            [this, output](int exitCode, QProcess::ExitStatus status) {
                onWorkerFinished(output, exitCode, status == QProcess::CrashExit);
            });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart) {
            return; // finished() follows and reports it
        }
        const QString message = tr("The worker %1 could not be started: %2 (set TL_WORKER to "
                                   "its path).")
                                    .arg(m_workerPath, process->errorString());
        m_process.release()->deleteLater();
        emit exportFailed(message);
    });
    process->start(m_workerPath, arguments);
}

void ModelExporter::onWorkerFinished(const QString &output, int exitCode, bool crashed)
{
    QString message = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
    m_process.release()->deleteLater(); // this is its finished() handler
    m_specDir.reset();
    message.remove(QStringLiteral("torchlight-worker: "));
    if (!crashed && exitCode == 0) {
        emit exported(output);
        return;
    }
    if (message.isEmpty()) {
        message =
            crashed ? tr("the worker crashed") : tr("the worker ended with code %1").arg(exitCode);
    }
    emit exportFailed(tr("Could not export %1: %2").arg(QFileInfo(output).fileName(), message));
}

} // namespace tl::app
