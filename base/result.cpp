#include "base/result.h"

namespace tl::base {

std::string Error::describe() const
{
    if (context.empty()) {
        return message;
    }
    return context + ": " + message;
}

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidInput:
        return "invalid input";
    case ErrorCode::NotFound:
        return "not found";
    case ErrorCode::Io:
        return "i/o error";
    case ErrorCode::Cancelled:
        return "cancelled";
    case ErrorCode::Backend:
        return "backend error";
    case ErrorCode::Remote:
        return "remote error";
    }
    return "error";
}

} // namespace tl::base
