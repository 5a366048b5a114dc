#pragma once
// "Test connection" for a profile (issue #6): logs in and asks the host what a run needs:
// the worker and its version, its devices, and the backend (Slurm's partitions, or kubectl's
// context). Each line passes or fails with the reason. Runs on the caller's thread; the app
// calls it off the UI thread.

#include "remote/connection_profile.h"

#include <string>
#include <vector>

namespace tl::remote {

struct LoginPrompts;
class SshSession;

struct CheckLine
{
    std::string what; // "login", "worker", "devices", "slurm", "kubernetes"
    bool ok = false;
    std::string detail; // what was found, or why it failed
};

std::vector<CheckLine> checkConnection(const ConnectionProfile &profile,
                                       const LoginPrompts &prompts);
// The checks after the login, on a session already open.
std::vector<CheckLine> checkHost(SshSession &ssh, const ConnectionProfile &profile);

} // namespace tl::remote
