#pragma once
// The record of samples a loader could not read, under a BadSamplePolicy: STOP turns the first
// into the load's error; SKIP counts them and keeps the first few for one warning. One loader
// owns one; not thread-safe (parallel decoders merge theirs in sample order).

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tl::datasets {

class BadSamples
{
public:
    // What is skipped, plural: "rows", "images".
    BadSamples(proto::BadSamplePolicy policy, std::string noun);

    // Records a bad sample; under STOP it becomes the error that fail() returns.
    void add(base::Error error);
    bool shouldStop() const { return m_policy == proto::BAD_SAMPLE_STOP && m_count > 0; }
    // The first recorded error (under STOP: the load's error).
    const base::Error &first() const { return m_first.front(); }
    std::uint64_t count() const { return m_count; }

    // Under SKIP with bad samples: "Skipped 3 rows that could not be read; the first:
    // data.csv, line 7, column 2: ...". nullopt when none were bad.
    std::optional<std::string> warning() const;

    // Merges another record (from a parallel decoder) that came after this one in sample order.
    void append(const BadSamples &later);

private:
    static constexpr std::size_t kKept = 3;
    proto::BadSamplePolicy m_policy;
    std::string m_noun;
    std::uint64_t m_count = 0;
    std::vector<base::Error> m_first; // at most kKept
};

} // namespace tl::datasets
