#pragma once
// POSIX shell quoting for every command line Torchlight sends to a remote host (ssh exec,
// batch scripts). A quoted word is one argument whatever it holds: spaces, quotes, `$(...)`,
// backticks, `;`, newlines. Pure functions; no thread affinity.

#include <string>
#include <string_view>
#include <vector>

namespace tl::remote {

// One shell word: the text inside single quotes, with each ' written as '\''. Plain words
// made only of safe characters ([A-Za-z0-9_@%+=:,./-]) are returned as they are.
std::string shellQuote(std::string_view word);

// The words quoted one by one and joined with spaces: a command line that runs argv[0] with
// exactly these arguments.
std::string shellCommand(const std::vector<std::string> &argv);

// A remote path for the shell: a leading "~/" stays outside the quotes so the shell expands
// it to the login user's home; the rest is quoted.
std::string shellPath(std::string_view path);

} // namespace tl::remote
