#include "remote/shell_quote.h"

#include <algorithm>

namespace tl::remote {

namespace {

bool isSafe(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

} // namespace

std::string shellQuote(std::string_view word)
{
    if (!word.empty() && std::all_of(word.begin(), word.end(), isSafe)) {
        return std::string(word);
    }
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    quoted += '\'';
    return quoted;
}

std::string shellCommand(const std::vector<std::string> &argv)
{
    std::string line;
    for (const std::string &word : argv) {
        if (!line.empty()) {
            line += ' ';
        }
        line += shellQuote(word);
    }
    return line;
}

std::string shellPath(std::string_view path)
{
    if (path == "~") {
        return "~";
    }
    if (path.starts_with("~/")) {
        std::string rest(path.substr(2));
        return rest.empty() ? std::string("~/") : "~/" + shellQuote(rest);
    }
    return shellQuote(path);
}

} // namespace tl::remote
