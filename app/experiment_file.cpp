#include "app/experiment_file.h"

#include "proto/spec_io.h"

#include <QFile>

namespace tl::app {

base::Result<proto::ExperimentSpec> loadExperiment(const QString &path)
{
    if (!path.startsWith(QLatin1Char(':'))) {
        return proto::readExperimentSpec(path.toStdString());
    }
    // Resources are not files the std library can open: read through QFile, parse as text.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return base::makeError(base::ErrorCode::NotFound,
                               "The bundled experiment is missing from this build.",
                               path.toStdString());
    }
    return proto::parseExperimentSpecText(file.readAll().toStdString(), path.toStdString());
}

} // namespace tl::app
