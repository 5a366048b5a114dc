#include "datasets/file_kind.h"

#include <array>
#include <fstream>
#include <string>
#include <system_error>

namespace tl::datasets {
namespace {

bool startsWith(std::string_view bytes, std::string_view prefix)
{
    return bytes.substr(0, prefix.size()) == prefix;
}

bool isIdxMagic(std::string_view bytes)
{
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) {
        return false;
    }
    const auto type = static_cast<unsigned char>(bytes[2]);
    const auto dims = static_cast<unsigned char>(bytes[3]);
    const bool knownType = type == 0x08 || type == 0x09 || (type >= 0x0B && type <= 0x0E);
    return knownType && dims >= 1 && dims <= 4;
}

// Length of the UTF-8 sequence that starts with `lead`, or 0 for a byte that cannot lead.
std::size_t utf8Length(unsigned char lead)
{
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        return 4;
    }
    return 0;
}

// No NUL, no control bytes other than tab, CR, LF and form feed, and valid UTF-8 (a sequence
// cut by the end of the sniffed bytes is allowed).
bool looksLikeText(std::string_view bytes)
{
    for (std::size_t i = 0; i < bytes.size();) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
            return false;
        }
        const std::size_t length = utf8Length(c);
        if (length == 0) {
            return false;
        }
        for (std::size_t k = 1; k < length && i + k < bytes.size(); ++k) {
            if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) {
                return false;
            }
        }
        i += length;
    }
    return true;
}

} // namespace

FileKind sniffBytes(std::string_view bytes)
{
    if (bytes.empty()) {
        return FileKind::Empty;
    }
    if (startsWith(bytes, "\x1f\x8b")) {
        return FileKind::Gzip;
    }
    if (startsWith(bytes, "\x93NUMPY")) {
        return FileKind::Npy;
    }
    if (startsWith(bytes, "PK\x03\x04") || startsWith(bytes, "PK\x05\x06")) {
        return FileKind::Zip;
    }
    if (startsWith(bytes, "\x89PNG\r\n\x1a\n")) {
        return FileKind::Png;
    }
    if (startsWith(bytes, "\xff\xd8\xff")) {
        return FileKind::Jpeg;
    }
    if (startsWith(bytes, "BM") && bytes.size() >= 14) {
        return FileKind::Bmp;
    }
    if (isIdxMagic(bytes)) {
        return FileKind::Idx;
    }
    return looksLikeText(bytes) ? FileKind::Text : FileKind::Binary;
}

FileKind sniffFileKind(const std::filesystem::path &path)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        return FileKind::Missing;
    }
    if (std::filesystem::is_directory(status)) {
        return FileKind::Directory;
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return FileKind::Missing;
    }
    std::array<char, kSniffBytes> buffer{};
    file.read(buffer.data(), buffer.size());
    return sniffBytes(std::string_view(buffer.data(), static_cast<std::size_t>(file.gcount())));
}

const char *fileKindName(FileKind kind)
{
    switch (kind) {
    case FileKind::Missing:
        return "missing";
    case FileKind::Directory:
        return "folder";
    case FileKind::Empty:
        return "empty";
    case FileKind::Gzip:
        return "gzip";
    case FileKind::Idx:
        return "idx";
    case FileKind::Npy:
        return "npy";
    case FileKind::Zip:
        return "zip";
    case FileKind::Png:
        return "PNG";
    case FileKind::Jpeg:
        return "JPEG";
    case FileKind::Bmp:
        return "BMP";
    case FileKind::Text:
        return "text";
    case FileKind::Binary:
        return "binary";
    }
    return "unknown";
}

} // namespace tl::datasets
