#pragma once
// Result<T>, Status and Error: how every module reports failure across its API (STYLE.md, Errors).
// Value types; no thread affinity.

#include <string>
#include <utility>
#include <variant>

namespace tl::base {

enum class ErrorCode { InvalidInput, NotFound, Io, Cancelled, Backend, Remote };

struct Error
{
    ErrorCode code = ErrorCode::InvalidInput;
    std::string message; // one complete sentence a user can act on
    std::string context; // where: "train-images-idx3-ubyte.gz, byte 16"

    // "context: message", or the message alone when there is no context.
    std::string describe() const;
};

const char *errorCodeName(ErrorCode code);

template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<0>(m_state); }
    T &value() & { return std::get<0>(m_state); }
    T &&value() && { return std::get<0>(std::move(m_state)); }
    const Error &error() const { return std::get<1>(m_state); }

private:
    std::variant<T, Error> m_state;
};

using Status = Result<std::monostate>;

inline Status okStatus()
{
    return Status(std::monostate{});
}

inline Error makeError(ErrorCode code, std::string message, std::string context = {})
{
    return Error{code, std::move(message), std::move(context)};
}

} // namespace tl::base
