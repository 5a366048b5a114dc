#pragma once
// Where torchlight-worker is: $TL_WORKER when set, else next to this executable (both land in
// <build>/bin/ and in the install's bin/). Needs a Q(Core)Application.

#include <QString>

namespace tl::app {

QString workerPath();

} // namespace tl::app
