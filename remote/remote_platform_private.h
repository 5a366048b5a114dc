#pragma once
// What RemotePlatform's backend files (remote_platform.cpp: ssh and the shared parts;
// remote_platform_slurm.cpp; remote_platform_kubernetes.cpp) share: reading what remote
// commands print, and the worker's status probe. Private to those files.

#include "remote/remote_platform.h"

#include <string>
#include <vector>

namespace tl::remote {

// The shell's exit status for a command it could not find.
constexpr int kCommandNotFound = 127;

// text without its trailing newlines and blanks.
std::string trimmedEnd(std::string text);

// A job name Slurm and ps show unchanged.
std::string jobName(const std::string &name);
std::vector<std::string> lines(const std::string &text);
// The first line, or "no message".
std::string firstLine(const std::string &text);
// A run's state from the status probe's line: "running", "exit N" or "gone".
JobStatus statusFromProbe(const std::string &line);

// A Slurm command the login's shell could not find ("bash: line 1: sbatch: command not
// found"): a host without Slurm, or a PATH that lacks it in non-interactive logins.
// Defined in remote_platform_slurm.cpp.
base::Error
slurmMissing(const std::string &command, const std::string &said, const std::string &where);

} // namespace tl::remote
