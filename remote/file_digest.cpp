#include "remote/file_digest.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <memory>
#include <vector>

namespace tl::remote {

namespace {

struct DigestContext
{
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    DigestContext() { EVP_DigestInit_ex(context, EVP_sha256(), nullptr); }
    ~DigestContext() { EVP_MD_CTX_free(context); }
    DigestContext(const DigestContext &) = delete;
    DigestContext &operator=(const DigestContext &) = delete;

    void update(const void *data, std::size_t size) { EVP_DigestUpdate(context, data, size); }
    std::string hex()
    {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int length = 0;
        EVP_DigestFinal_ex(context, digest.data(), &length);
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string text;
        for (unsigned int i = 0; i < length; ++i) {
            text += kDigits[digest[i] >> 4];
            text += kDigits[digest[i] & 15];
        }
        return text;
    }
};

struct FileCloser
{
    void operator()(std::FILE *file) const { std::fclose(file); }
};

} // namespace

std::string sha256Of(std::string_view bytes)
{
    DigestContext digest;
    digest.update(bytes.data(), bytes.size());
    return digest.hex();
}

base::Result<std::string> sha256OfFile(const std::filesystem::path &file,
                                       std::stop_token stop,
                                       const base::ProgressFn &progress)
{
    std::unique_ptr<std::FILE, FileCloser> in(std::fopen(file.c_str(), "rb"));
    std::error_code ec;
    std::uint64_t total = std::filesystem::file_size(file, ec);
    if (!in || ec) {
        return base::makeError(base::ErrorCode::Io, "could not read " + file.string() + ".",
                               file.string());
    }
    DigestContext digest;
    std::vector<char> buffer(std::size_t{1} << 20);
    std::uint64_t done = 0;
    while (true) {
        if (stop.stop_requested()) {
            return base::makeError(base::ErrorCode::Cancelled,
                                   "hashing " + file.filename().string() + " was cancelled.",
                                   file.string());
        }
        std::size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get());
        if (n == 0) {
            break;
        }
        digest.update(buffer.data(), n);
        done += n;
        base::reportProgress(progress, done, total, "hashing " + file.filename().string());
    }
    if (std::ferror(in.get()) != 0) {
        return base::makeError(base::ErrorCode::Io,
                               "could not read " + file.string() + " at byte "
                                   + std::to_string(done) + ".",
                               file.string());
    }
    return digest.hex();
}

} // namespace tl::remote
