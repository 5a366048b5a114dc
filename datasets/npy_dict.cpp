// The .npy header's dict literal, by recursive descent.
#include "datasets/npy_dict.h"

#include "datasets/idx_codec.h"

#include <cctype>
#include <optional>

namespace tl::datasets::detail {
namespace {

using base::ErrorCode;

// "'x'" (built by appending: GCC 12 misreads `"'" + std::string(...)` as an overlapping copy).
std::string quoted(char c)
{
    std::string out(1, '\'');
    out += c;
    out += '\'';
    return out;
}

// Recursive descent over the dict literal. Offsets in errors count from the start of the file.
class DictParser
{
public:
    DictParser(std::string_view text, std::uint64_t base, const std::string &source)
        : m_text(text)
        , m_base(base)
        , m_source(source)
    {}

    base::Result<std::map<std::string, NpyDictValue>> parse()
    {
        skipSpace();
        if (!consume('{')) {
            return fail("expected '{' to open the header dict");
        }
        std::map<std::string, NpyDictValue> dict;
        for (;;) {
            skipSpace();
            if (consume('}')) {
                break;
            }
            auto key = parseString("a quoted key or '}'");
            if (!key) {
                return key.error();
            }
            skipSpace();
            if (!consume(':')) {
                return fail("expected ':' after the key '" + key.value() + "'");
            }
            auto value = parseValue();
            if (!value) {
                return value.error();
            }
            dict[key.value()] = std::move(value.value());
            skipSpace();
            if (!consume(',') && peek() != '}') {
                return fail("expected ',' or '}' after the value of '" + key.value() + "'");
            }
        }
        skipSpace();
        if (m_pos < m_text.size()) {
            return fail("expected only spaces after the header dict's closing '}'");
        }
        return dict;
    }

private:
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    bool consume(char c)
    {
        if (peek() != c || m_pos >= m_text.size()) {
            return false;
        }
        ++m_pos;
        return true;
    }
    void skipSpace()
    {
        while (m_pos < m_text.size()
               && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n'
                   || m_text[m_pos] == '\r')) {
            ++m_pos;
        }
    }
    std::uint64_t offset() const { return m_base + m_pos; }

    base::Error fail(const std::string &expectation) const
    {
        std::string found = "the end of the header";
        if (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            found = c > ' ' && c < 127 ? quoted(c) : hexBytes(m_text.substr(m_pos, 1));
        }
        return base::makeError(ErrorCode::InvalidInput,
                               "The .npy header is not a valid dict: " + expectation + ", found "
                                   + found + ".",
                               byteContext(m_source, offset()));
    }

    base::Result<std::string> parseString(const std::string &expectation)
    {
        const char quote = peek();
        if (quote != '\'' && quote != '"') {
            return fail("expected " + expectation);
        }
        ++m_pos;
        std::string out;
        while (m_pos < m_text.size() && m_text[m_pos] != quote) {
            if (m_text[m_pos] == '\\' && m_pos + 1 < m_text.size()) {
                ++m_pos;
            }
            out += m_text[m_pos++];
        }
        if (!consume(quote)) {
            return fail("expected the closing quote of a string");
        }
        return out;
    }

    // Skips a bracketed literal ([...], (...), {...}) with its nested brackets and strings.
    base::Status skipNested()
    {
        std::string closers;
        do {
            const char c = peek();
            if (c == '\'' || c == '"') {
                if (auto s = parseString("a string"); !s) {
                    return s.error();
                }
                continue;
            }
            if (m_pos >= m_text.size()) {
                return fail("expected '" + std::string(1, closers.back()) + "'");
            }
            if (c == '[' || c == '(' || c == '{') {
                closers += c == '[' ? ']' : c == '(' ? ')' : '}';
            } else if (!closers.empty() && c == closers.back()) {
                closers.pop_back();
            } else if (c == ']' || c == ')' || c == '}') {
                return fail("expected '" + std::string(1, closers.back()) + "'");
            }
            ++m_pos;
        } while (!closers.empty());
        return base::okStatus();
    }

    // The integers of a tuple or list ("(3, 4)", "()", "(3,)", "[3L]"), or nullopt when it
    // holds anything else.
    static std::optional<std::vector<std::uint64_t>> integers(std::string_view literal)
    {
        std::vector<std::uint64_t> out;
        std::size_t i = 1;
        const std::size_t end = literal.size() - 1;
        auto skip = [&] {
            while (i < end && (literal[i] == ' ' || literal[i] == '\t' || literal[i] == '\n')) {
                ++i;
            }
        };
        for (skip(); i < end; skip()) {
            if (literal[i] < '0' || literal[i] > '9') {
                return std::nullopt;
            }
            std::uint64_t value = 0;
            for (; i < end && literal[i] >= '0' && literal[i] <= '9'; ++i) {
                if (__builtin_mul_overflow(value, 10, &value)
                    || __builtin_add_overflow(value, literal[i] - '0', &value)) {
                    return std::nullopt;
                }
            }
            i += i < end && (literal[i] == 'L' || literal[i] == 'l') ? 1 : 0; // Python 2's long
            out.push_back(value);
            skip();
            if (i < end && literal[i] != ',') {
                return std::nullopt;
            }
            i += i < end ? 1 : 0;
        }
        return out;
    }

    base::Result<NpyDictValue> parseValue()
    {
        skipSpace();
        NpyDictValue value;
        value.offset = offset();
        const std::size_t start = m_pos;
        const char c = peek();
        if (c == '\'' || c == '"') {
            auto text = parseString("a string");
            if (!text) {
                return text.error();
            }
            value.type = NpyDictValue::Type::String;
            value.text = std::move(text.value());
            return value;
        }
        if (c == '(' || c == '[' || c == '{') {
            if (auto skipped = skipNested(); !skipped) {
                return skipped.error();
            }
            value.text = std::string(m_text.substr(start, m_pos - start));
            if (auto numbers = integers(value.text); numbers && c != '{') {
                value.type = NpyDictValue::Type::Tuple;
                value.numbers = std::move(*numbers);
            }
            return value;
        }
        while (m_pos < m_text.size() && peek() != ',' && peek() != '}') {
            ++m_pos;
        }
        value.text = std::string(m_text.substr(start, m_pos - start));
        while (!value.text.empty() && std::isspace(static_cast<unsigned char>(value.text.back()))) {
            value.text.pop_back();
        }
        if (value.text.empty()) {
            return fail("expected a value");
        }
        if (value.text == "True" || value.text == "False") {
            value.type = NpyDictValue::Type::Bool;
            value.flag = value.text == "True";
        }
        return value;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::uint64_t m_base;
    const std::string &m_source;
};

} // namespace

base::Result<std::map<std::string, NpyDictValue>>
parseNpyDict(std::string_view text, std::uint64_t base, const std::string &source)
{
    return DictParser(text, base, source).parse();
}

} // namespace tl::datasets::detail
