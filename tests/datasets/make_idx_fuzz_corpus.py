#!/usr/bin/env python3
"""Writes the seed corpus of the idx_reader fuzz target (tests/data/fuzz/idx_reader/).

Each seed is small (< 4 KB) and deterministic: valid idx files of every element type, the usual
ways they break (truncated header or data, wrong magic, bad type code, too many or no
dimensions, absurd dimensions, trailing bytes), and gzip variants (valid, corrupt, truncated).
Run it from anywhere; it rewrites the folder's files.
"""
import gzip
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parents[1] / "data" / "fuzz" / "idx_reader"

CODES = {"u8": (0x08, "B"), "i8": (0x09, "b"), "i16": (0x0B, "h"), "i32": (0x0C, "i"),
         "f32": (0x0D, "f"), "f64": (0x0E, "d")}


def idx(kind, dims, values):
    code, fmt = CODES[kind]
    header = bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return header + b"".join(struct.pack(">" + fmt, v) for v in values)


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def low_entropy(count, seed=11):
    out = []
    for _ in range(count):
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append((seed >> 24) & 0x0F)
    return out


def seeds():
    images = idx("u8", [3, 4, 5], [(i * 7) & 0xFF for i in range(60)])
    big = idx("u8", [20, 10, 10], low_entropy(2000))
    corrupt = bytearray(gz(big))
    for i in range(len(corrupt) // 2, len(corrupt) // 2 + 8):
        corrupt[i] ^= 0xFF
    return {
        "u8_images": images,
        "u8_labels": idx("u8", [10], list(range(10))),
        "u8_nchw": idx("u8", [2, 1, 3, 3], list(range(18))),
        "i8": idx("i8", [4], [0, 127, -128, -1]),
        "i16": idx("i16", [2, 2], [258, -2, -32768, 32767]),
        "i32": idx("i32", [3], [16909060, -2, 2147483647]),
        "f32": idx("f32", [2, 2], [1.0, -3.5, 0.0, 1e30]),
        "f64": idx("f64", [3], [3.141592653589793, -1.0, float("inf")]),
        "zero_items": idx("u8", [0, 28, 28], []),
        "truncated_data": images[:30],
        "truncated_header": images[:10],
        "magic_only": images[:4],
        "empty": b"",
        "wrong_magic": b"PK\x03\x04" + images[4:],
        "text": b"label,pixel0\n1,0\n",
        "bad_type": bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 9]),
        "zero_dims": bytes([0, 0, 0x08, 0, 1, 2, 3]),
        "five_dims": bytes([0, 0, 0x08, 5]) + struct.pack(">5I", 1, 1, 1, 1, 1) + b"\x01",
        "huge_dims": bytes([0, 0, 0x0E, 4]) + b"\xff" * 16,
        "big_but_short": bytes([0, 0, 0x08, 2]) + struct.pack(">2I", 65536, 65536) + b"\x05" * 64,
        "trailing": images + b"\x00",
        "gz": gz(images),
        "gz_big": gz(big),
        "gz_corrupt": bytes(corrupt),
        "gz_truncated": gz(big)[: len(gz(big)) // 2],
        "gz_twice": gz(gz(images)),
        "gz_not_idx": gz(b"hello world\n"),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in seeds().items():
        assert len(data) < 4096, name
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
