#include "app/device_probe.h"

#include "proto/record_io.h"

namespace tl::app {

DeviceProbe::DeviceProbe(QString workerPath, QObject *parent)
    : QObject(parent)
    , m_workerPath(std::move(workerPath))
{
    connect(&m_process, &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_process.readAllStandardOutput(); });
    connect(&m_process, &QProcess::finished, this, &DeviceProbe::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, &DeviceProbe::onError);
}

DeviceProbe::~DeviceProbe()
{
    m_process.disconnect(this);
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
    }
}

void DeviceProbe::start()
{
    m_stdout.clear();
    m_process.start(m_workerPath, {QStringLiteral("devices"), QStringLiteral("--records")});
}

void DeviceProbe::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart) {
        return; // finished() follows and reports it
    }
    emit probeFailed(tr("The worker %1 could not be started: %2 (set TL_WORKER to its path).")
                         .arg(m_workerPath, m_process.errorString()));
}

void DeviceProbe::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_stdout += m_process.readAllStandardOutput();
    if (status != QProcess::NormalExit || exitCode != 0) {
        emit probeFailed(tr("%1 devices --records ended with code %2: %3")
                             .arg(m_workerPath)
                             .arg(exitCode)
                             .arg(QString::fromUtf8(m_process.readAllStandardError()).trimmed()));
        return;
    }
    proto::RecordReader reader(m_workerPath.toStdString() + " stdout");
    reader.feed(std::string_view(m_stdout.constData(), static_cast<std::size_t>(m_stdout.size())));
    base::Result<std::optional<std::string_view>> record = reader.next();
    proto::RunEvent event;
    if (!record) {
        emit probeFailed(QString::fromStdString(record.error().describe()));
    } else if (!record.value()
               || !event.ParseFromArray(record.value()->data(),
                                        static_cast<int>(record.value()->size()))
               || !event.has_devices()) {
        emit probeFailed(tr("%1 devices --records did not write a RunEvent with a device list "
                            "on stdout (%2 bytes).")
                             .arg(m_workerPath)
                             .arg(m_stdout.size()));
    } else {
        emit devicesFound(event.devices());
    }
}

} // namespace tl::app
