#pragma once
// Reading an experiment file named on the command line or in File ▸ Open: a path on disk
// (.pbtxt text or binary .pb) or a resource path (":/samples/...", the bundled sample).
// Blocking: the window calls it on a pool thread; --headless calls it before its event loop.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <QString>

namespace tl::app {

// The bundled sample experiment: Fashion-MNIST with the MLP template.
inline const QString kSampleExperiment = QStringLiteral(":/samples/fashion-mnist-mlp.pbtxt");

base::Result<proto::ExperimentSpec> loadExperiment(const QString &path);

} // namespace tl::app
