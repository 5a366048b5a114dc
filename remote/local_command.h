#pragma once
// A command on this machine, run as remote commands are (remote/ssh_session.h): argv without a
// shell, optional standard input, both outputs captured, a timeout and a stop token. Used for
// the kubectl of a Kubernetes profile when this machine has one with a context (issue #6).
// Blocking: call it from a lane thread, never the UI thread.

#include "base/result.h"
#include "remote/ssh_session.h"

#include <chrono>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace tl::remote {

// Runs argv[0] (searched on PATH) with argv. NotFound when the program is not installed; an
// error after timeout (the process is killed) or when stop is requested. A non-zero exit is
// not an error: it is in exitStatus, with what the program wrote to stderr.
base::Result<CommandOutput>
runLocalCommand(const std::vector<std::string> &argv,
                std::string_view input = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(30),
                std::stop_token stop = {});

// Whether this machine's kubectl knows the context (`kubectl config get-contexts`): false when
// kubectl is not installed here, has no such context, or context is empty.
bool localKubectlHas(const std::string &context);

} // namespace tl::remote
