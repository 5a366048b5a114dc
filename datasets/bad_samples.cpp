#include "datasets/bad_samples.h"

#include "base/number_text.h"

namespace tl::datasets {

BadSamples::BadSamples(proto::BadSamplePolicy policy, std::string noun)
    : m_policy(policy)
    , m_noun(std::move(noun))
{}

void BadSamples::add(base::Error error)
{
    ++m_count;
    if (m_first.size() < kKept) {
        m_first.push_back(std::move(error));
    }
}

std::optional<std::string> BadSamples::warning() const
{
    if (m_count == 0) {
        return std::nullopt;
    }
    // "rows" / "images": one sample drops the plural s.
    const std::string noun =
        m_count == 1 && m_noun.ends_with('s') ? m_noun.substr(0, m_noun.size() - 1) : m_noun;
    std::string text = "Skipped " + base::groupedDigits(static_cast<std::int64_t>(m_count)) + " "
                       + noun + " that could not be read; ";
    text += m_count == 1 ? "it: " : "the first: ";
    text += m_first.front().describe();
    return text;
}

void BadSamples::append(const BadSamples &later)
{
    m_count += later.m_count;
    for (const base::Error &error : later.m_first) {
        if (m_first.size() < kKept) {
            m_first.push_back(error);
        }
    }
}

} // namespace tl::datasets
