#include "app/worker_path.h"

#include <QCoreApplication>
#include <QDir>

namespace tl::app {

QString workerPath()
{
    const QString fromEnv = qEnvironmentVariable("TL_WORKER");
    if (!fromEnv.isEmpty()) {
        return fromEnv;
    }
    return QDir(QCoreApplication::applicationDirPath())
        .filePath(QStringLiteral("torchlight-worker"));
}

} // namespace tl::app
