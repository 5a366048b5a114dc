#pragma once
// Asks the worker which devices this machine has (`torchlight-worker devices --records`),
// asynchronously: a QProcess whose stdout is parsed when it finishes, never waited for.
// Lives on the UI thread.

#include "proto/torchlight.pb.h"

#include <QObject>
#include <QProcess>

namespace tl::app {

class DeviceProbe : public QObject
{
    Q_OBJECT

public:
    DeviceProbe(QString workerPath, QObject *parent = nullptr);
    ~DeviceProbe() override;

    void start();

signals:
    void devicesFound(const tl::proto::DeviceList &devices);
    // Names the worker and what went wrong; the device list keeps its "cpu" entry.
    void probeFailed(const QString &message);

private:
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);

    QString m_workerPath;
    QProcess m_process;
    QByteArray m_stdout;
};

} // namespace tl::app
