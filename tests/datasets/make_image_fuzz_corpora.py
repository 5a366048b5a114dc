#!/usr/bin/env python3
"""Writes the seed corpora of the cifar_reader and image_decoder fuzz targets
(tests/data/fuzz/cifar_reader/ and tests/data/fuzz/image_decoder/).

Each seed is small and deterministic. CIFAR: whole CIFAR-10 (3,073-byte) and CIFAR-100 (3,074-byte)
records, labels out of range, truncated and padded batches, names files, garbage. Images: tiny
PNG (gray, RGB, RGBA, 16-bit, palette), BMP (24 and 32 bit), and the usual damage (truncated,
bad CRC, a header claiming a huge image, a wrong signature). The JPEG seeds jpeg_* were written
once with stbi_write_jpg (libstb-dev) and are kept; this script derives its JPEG variants from
them when they are there. Run it from anywhere; it rewrites the files it makes.
"""
import pathlib
import struct
import zlib

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "fuzz"


def lcg_bytes(count, seed):
    out = bytearray()
    for _ in range(count):
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(seed >> 24)
    return bytes(out)


def cifar_record(labels, seed):
    return bytes(labels) + lcg_bytes(3072, seed)


def write_cifar():
    out = DATA / "cifar_reader"
    out.mkdir(parents=True, exist_ok=True)
    seeds = {
        "c10_one_record": cifar_record([3], 1),
        "c10_two_records": cifar_record([0], 2) + cifar_record([9], 3),
        "c10_bad_label": cifar_record([1], 4) + cifar_record([200], 5),
        "c10_truncated": cifar_record([2], 6)[:-1],
        "c10_padded": cifar_record([2], 7) + b"\0",
        "c100_one_record": cifar_record([5, 55], 8),
        "c100_bad_fine": cifar_record([5, 150], 9),
        "c100_bad_coarse": cifar_record([25, 50], 10),
        "c100_two_records": cifar_record([19, 99], 11) + cifar_record([0, 0], 12),
        "empty": b"",
        "names_ten": "\n".join(["airplane", "automobile", "bird", "cat", "deer", "dog",
                                "frog", "horse", "ship", "truck"]).encode() + b"\n",
        "names_crlf_blank": b"  a \r\n\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\nh\r\ni\r\nj\r\n\r\n",
        "names_short": b"cat\ndog\n",
        "names_binary": b"\0\1\2\n\xff\xfe\n",
        "garbage": lcg_bytes(97, 13),
    }
    for name, data in seeds.items():
        (out / name).write_bytes(data)


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, depth, colour, rows, palette=None):
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    raw = b"".join(b"\0" + row for row in rows)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
    if palette is not None:
        out += png_chunk(b"PLTE", palette)
    return out + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")


def bmp(width, height, bits, pixel_bytes):
    row = ((width * bits // 8) + 3) // 4 * 4
    pixels = b""
    for y in range(height):
        line = pixel_bytes[y * width * bits // 8:(y + 1) * width * bits // 8]
        pixels += line + b"\0" * (row - len(line))
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, bits, 0, len(pixels), 2835, 2835, 0, 0)
    header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return header + info + pixels


def write_images():
    out = DATA / "image_decoder"
    out.mkdir(parents=True, exist_ok=True)
    rgb = [bytes(v for x in range(4) for v in (x * 60, y * 80, 200)) for y in range(3)]
    seeds = {
        "png_rgb_4x3": png(4, 3, 8, 2, rgb),
        "png_gray_2x2": png(2, 2, 8, 0, [b"\x10\x20", b"\x30\x40"]),
        "png_rgba_2x1": png(2, 1, 8, 6, [b"\xff\0\0\x80\0\xff\0\xff"]),
        "png_gray16_2x1": png(2, 1, 16, 0, [b"\x12\x34\xab\xcd"]),
        "png_palette_2x2": png(2, 2, 8, 3, [b"\0\1", b"\1\0"], b"\xff\0\0\0\0\xff"),
        "png_huge_header": png(100000, 100000, 8, 2, [b""]),
        "bmp_24_3x2": bmp(3, 2, 24, lcg_bytes(18, 21)),
        "bmp_32_2x2": bmp(2, 2, 32, lcg_bytes(16, 22)),
        "bmp_zero_width": bmp(0, 2, 24, b""),
        "garbage": lcg_bytes(64, 23),
        "empty": b"",
        "text": b"P3\n1 1\n255\n0 0 0\n",
    }
    seeds["png_truncated"] = seeds["png_rgb_4x3"][:45]
    bad_crc = bytearray(seeds["png_rgb_4x3"])
    bad_crc[29] ^= 0xFF
    seeds["png_bad_crc"] = bytes(bad_crc)
    seeds["bmp_truncated"] = seeds["bmp_24_3x2"][:40]
    jpeg = out / "jpeg_rgb_8x8"
    if jpeg.exists():
        seeds["jpeg_truncated"] = jpeg.read_bytes()[:120]
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    write_cifar()
    write_images()
