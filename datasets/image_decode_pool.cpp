#include "datasets/image_decode_pool.h"

#include "base/number_text.h"
#include "datasets/memory_budget.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <optional>
#include <system_error>
#include <thread>

namespace tl::datasets::images {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;

// No PNG, JPEG or BMP a dataset holds is larger; a bigger file is refused before it is read.
constexpr std::uint64_t kMaxImageFileBytes = std::uint64_t{256} << 20;

// The state the decoding threads share. Jobs are handed out in order through an atomic index;
// each slot and each error entry is written by the one thread that took its job.
class DecodeRun
{
public:
    DecodeRun(const std::vector<ImageJob> &jobs,
              const SampleShape &shape,
              DecodedSets &sets,
              bool stopAtBad,
              std::stop_token stop)
        : m_jobs(jobs)
        , m_shape(shape)
        , m_errors(jobs.size())
        , m_stopAtBad(stopAtBad)
        , m_firstBad(jobs.size())
        , m_stop(std::move(stop))
    {
        std::size_t trainCount = 0;
        std::size_t testCount = 0;
        m_slots.reserve(jobs.size());
        for (const ImageJob &job : jobs) {
            const std::size_t index = job.test ? testCount++ : trainCount++;
            SampleSet &set = job.test ? sets.test : sets.train;
            m_slots.push_back({&set, index});
        }
    }

    // Decodes jobs until none is left; `progress` is given on the calling thread only.
    void work(const base::ProgressFn *progress)
    {
        std::vector<std::uint8_t> buffer;
        while (!m_stop.stop_requested()) {
            const std::size_t i = m_next.fetch_add(1);
            if (i >= m_jobs.size() || (m_stopAtBad && i > m_firstBad.load())) {
                break;
            }
            if (auto status = decodeOne(i, buffer); !status) {
                m_errors[i] = status.error();
                lowerFirstBad(i);
            }
            const std::uint64_t done = m_done.fetch_add(1) + 1;
            if (progress != nullptr) {
                base::reportProgress(*progress, done, m_jobs.size(), "images");
            }
        }
    }

    const std::optional<base::Error> &error(std::size_t i) const { return m_errors[i]; }
    std::uint64_t doneCount() const { return m_done.load(); }

private:
    struct Slot
    {
        SampleSet *set;
        std::size_t index;
    };

    base::Status decodeOne(std::size_t i, std::vector<std::uint8_t> &buffer) const
    {
        try {
            auto image = decodeImageFile(m_jobs[i], m_shape.channels, buffer);
            if (!image) {
                return image.error();
            }
            const Slot &slot = m_slots[i];
            const std::uint64_t bytes = m_shape.bytes();
            const std::span<std::uint8_t> out(slot.set->u8.data() + slot.index * bytes, bytes);
            auto written = writeChw(image.value(), m_shape.width, m_shape.height, out);
            if (!written) {
                return base::makeError(written.error().code, written.error().message,
                                       m_jobs[i].context());
            }
            return base::okStatus();
        } catch (const std::bad_alloc &) {
            return base::makeError(ErrorCode::Io,
                                   "There was not enough memory to decode the image.",
                                   m_jobs[i].context());
        }
    }

    void lowerFirstBad(std::size_t i)
    {
        std::size_t current = m_firstBad.load();
        while (i < current && !m_firstBad.compare_exchange_weak(current, i)) {}
    }

    const std::vector<ImageJob> &m_jobs;
    SampleShape m_shape;
    std::vector<Slot> m_slots;
    std::vector<std::optional<base::Error>> m_errors;
    bool m_stopAtBad;
    std::atomic<std::size_t> m_next{0};
    std::atomic<std::size_t> m_firstBad;
    std::atomic<std::uint64_t> m_done{0};
    std::stop_token m_stop;
};

// Moves the good samples of one split to the front, in order, and labels them.
void keepGood(const std::vector<ImageJob> &jobs,
              const DecodeRun &run,
              bool test,
              std::uint64_t bytes,
              SampleSet &set)
{
    std::size_t slot = 0;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (jobs[i].test != test) {
            continue;
        }
        if (!run.error(i)) {
            if (kept != slot) {
                std::memmove(set.u8.data() + kept * bytes, set.u8.data() + slot * bytes, bytes);
            }
            set.labels.push_back(jobs[i].label);
            ++kept;
        }
        ++slot;
    }
    set.u8.resize(kept * bytes);
}

SampleSet emptySet(const SampleShape &shape, std::size_t count)
{
    SampleSet set;
    set.shape = {shape.channels, shape.height, shape.width};
    set.type = ValueType::UInt8;
    set.u8.resize(count * shape.bytes());
    set.labels.reserve(count);
    return set;
}

// Reads a file into buffer with plain POSIX calls: no stream or locale objects per image, which
// would contend between the decoding threads. Returns the byte count.
base::Result<std::size_t> readWholeFile(const ImageJob &job, std::vector<std::uint8_t> &buffer)
{
    const int fd = ::open(job.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return base::makeError(ErrorCode::Io,
                               std::string("The image file cannot be opened: ")
                                   + std::strerror(errno) + ".",
                               job.context());
    }
    struct stat info
    {};
    if (::fstat(fd, &info) != 0 || info.st_size < 0
        || static_cast<std::uint64_t>(info.st_size) > kMaxImageFileBytes) {
        ::close(fd);
        return base::makeError(ErrorCode::InvalidInput,
                               "The image file is "
                                   + base::byteSizeText(std::uint64_t(info.st_size))
                                   + ", more than the " + base::byteSizeText(kMaxImageFileBytes)
                                   + " an image file may have here.",
                               job.context());
    }
    const auto size = static_cast<std::size_t>(info.st_size);
    buffer.resize(size);
    std::size_t done = 0;
    while (done < size) {
        const ::ssize_t got = ::read(fd, buffer.data() + done, size - done);
        if (got <= 0 && !(got < 0 && errno == EINTR)) {
            break;
        }
        done += got > 0 ? static_cast<std::size_t>(got) : 0;
    }
    ::close(fd);
    if (done != size) {
        return base::makeError(ErrorCode::Io, "The image file cannot be read to its end.",
                               job.context());
    }
    return size;
}

} // namespace

base::Result<DecodedImage>
decodeImageFile(const ImageJob &job, int channels, std::vector<std::uint8_t> &buffer)
{
    auto read = readWholeFile(job, buffer);
    if (!read) {
        return read.error();
    }
    auto image =
        decodeImage(std::span<const std::uint8_t>(buffer.data(), read.value()), channels, {});
    if (!image) {
        return base::makeError(image.error().code, image.error().message, job.context());
    }
    return image;
}

base::Result<DecodedSets> decodeImageFiles(const std::vector<ImageJob> &jobs,
                                           const SampleShape &shape,
                                           proto::BadSamplePolicy policy,
                                           unsigned threads,
                                           const ReadContext &context)
{
    std::size_t testCount = 0;
    for (const ImageJob &job : jobs) {
        testCount += job.test ? 1 : 0;
    }
    DecodedSets sets{emptySet(shape, jobs.size() - testCount), emptySet(shape, testCount), {}};
    DecodeRun run(jobs, shape, sets, policy == proto::BAD_SAMPLE_STOP, context.stop);
    base::reportProgress(context.progress, 0, jobs.size(), "images");
    {
        std::vector<std::jthread> helpers;
        const std::size_t count = std::min<std::size_t>(std::max(threads, 1u), jobs.size());
        try {
            for (std::size_t t = 1; t < count; ++t) {
                helpers.emplace_back([&run] { run.work(nullptr); });
            }
        } catch (const std::system_error &) {
            // no more threads to be had: the ones started, and this one, do the work
        }
        run.work(&context.progress);
    } // the helpers join here
    // The helpers may have decoded the last images after this thread's last report.
    base::reportProgress(context.progress, run.doneCount(), jobs.size(), "images");
    if (context.stop.stop_requested()) {
        return base::makeError(ErrorCode::Cancelled, "Decoding the images was cancelled.");
    }
    BadSamples bad(policy, "images");
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (run.error(i)) {
            bad.add(*run.error(i));
            if (bad.shouldStop()) {
                return bad.first();
            }
        }
    }
    keepGood(jobs, run, false, shape.bytes(), sets.train);
    keepGood(jobs, run, true, shape.bytes(), sets.test);
    sets.skipped = bad.warning();
    return sets;
}

} // namespace tl::datasets::images
