#!/usr/bin/python3
"""Writes the NumPy golden files that tests/datasets/test_numpy_reader.cpp reads.

Real NumPy output (np.save, np.savez, np.savez_compressed, np.lib.format.write_array), so the
C++ reader is checked against what people actually have on disk, not only against bytes the
tests write by hand. Deterministic: fixed values, zip timestamps pinned to 1980-01-01 UTC.
Needs Debian's python3-numpy (1.24); run it from anywhere: it rewrites the files beside itself
and the seed corpora of the npy_reader and npz_reader fuzz targets.
"""
import io
import os
import pathlib
import time
import zipfile

os.environ["TZ"] = "UTC"
time.tzset()
# zipfile stamps members with time.time(): pin it so the archives are byte-for-byte stable.
time.time = lambda: 315532800.0

import numpy as np  # noqa: E402  (after the clock is pinned)

HERE = pathlib.Path(__file__).resolve().parent
FUZZ = HERE.parents[1] / "fuzz"


def npy_bytes(array, version=None):
    out = io.BytesIO()
    np.lib.format.write_array(out, array, version=version)
    return out.getvalue()


def raw_npy(header, data=b""):
    """A version 1.0 .npy with a header written by hand, padded as numpy pads it."""
    text = header.encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + data


def npz_bytes(compressed, **arrays):
    out = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(out, **arrays)
    return out.getvalue()


def split(count, height, width, seed):
    """uint8 images whose pixel (i, r, c) is (i * 31 + r * 7 + c * 3 + seed) % 256, labels i % 3."""
    i, r, c = np.meshgrid(np.arange(count), np.arange(height), np.arange(width), indexing="ij")
    images = ((i * 31 + r * 7 + c * 3 + seed) % 256).astype(np.uint8)
    labels = (np.arange(count) % 3).astype(np.uint8)
    return images, labels


def golden():
    x_train, y_train = split(6, 4, 5, 0)
    x_test, y_test = split(3, 4, 5, 100)
    values = (np.arange(12, dtype=np.float64) * 0.5 - 1.0).reshape(3, 4)
    nhwc = (np.arange(5 * 4 * 3 * 3) % 251).astype(np.uint8).reshape(5, 4, 3, 3)
    return {
        "f4_little.npy": npy_bytes(values.astype("<f4")),
        "f8_big.npy": npy_bytes(values.astype(">f8")),
        "i2_big.npy": npy_bytes(np.array([[1, -2, 300], [-32768, 32767, 0]], dtype=">i2")),
        "u4_little.npy": npy_bytes(np.array([0, 1, 4000000000], dtype="<u4")),
        "i4_fortran.npy": npy_bytes(np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4))),
        "bool.npy": npy_bytes(np.array([True, False, True, True, False])),
        "f2.npy": npy_bytes(np.array([0.0, 1.0, -2.5, 65504.0, 0.1, 2.0 ** -24], dtype="<f2")),
        "u8_nhwc.npy": npy_bytes(nhwc),
        "i8_labels.npy": npy_bytes(np.array([2, 0, 1, 1, 2], dtype="<i8")),
        "scalar.npy": npy_bytes(np.float64(3.5)),
        "version2.npy": npy_bytes(np.arange(6, dtype="<i4").reshape(2, 3), version=(2, 0)),
        "version3.npy": npy_bytes(np.arange(6, dtype="<i4").reshape(2, 3), version=(3, 0)),
        "mnist_like.npz": npz_bytes(False, x_train=x_train, y_train=y_train, x_test=x_test,
                                    y_test=y_test),
        "mnist_like_compressed.npz": npz_bytes(True, x_train=x_train, y_train=y_train,
                                               x_test=x_test, y_test=y_test),
        "nhwc.npz": npz_bytes(True, x=nhwc, y=np.arange(5, dtype=np.int64) % 2),
    }


def zip_bytes(method, member, comment=b""):
    """An x.npy of zeros and `member` as y.npy, compressed with `method`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        archive.writestr("x.npy", npy_bytes(np.zeros((len(member) % 7 + 1, 2), "<f8")))
        archive.writestr("y.npy", member)
        archive.comment = comment
    return out.getvalue()


def corrupted(data, offset, flip=0xFF):
    data = bytearray(data)
    data[offset] ^= flip
    return bytes(data)


def fuzz_seeds(files):
    npy = {name: data for name, data in files.items() if name.endswith(".npy")}
    header_end = npy["f4_little.npy"].index(b"\n") + 1
    npy.update({
        "truncated.npy": npy["f4_little.npy"][:-5],
        "header_only.npy": npy["f4_little.npy"][:header_end],
        "bad_magic.npy": b"\x93NUMPX" + npy["f4_little.npy"][6:],
        "bad_dict.npy": npy["f4_little.npy"].replace(b"'shape'", b"'shap' "),
        "unicode.npy": npy_bytes(np.array(["ab", "cd"])),
        # 25e9 float32 values: a 100 GB promise in a 64-byte file.
        "huge.npy": raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (25000000000,), }"),
        "structured.npy": npy_bytes(np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])),
        "empty.npy": b"",
    })
    compressed = files["mnist_like_compressed.npz"]
    member_data = compressed.index(b"x_test.npy") + len(b"x_test.npy") + 20 + 40
    npz = {
        "mnist_like.npz": files["mnist_like.npz"],
        "mnist_like_compressed.npz": compressed,
        "nhwc.npz": files["nhwc.npz"],
        "truncated.npz": compressed[: len(compressed) // 2],
        "bad_crc.npz": corrupted(files["mnist_like.npz"], 100),
        "corrupt_deflate.npz": corrupted(compressed, member_data),
        "no_end_record.npz": compressed[:-22],
        "empty_zip.npz": b"PK\x05\x06" + bytes(18),
        "not_zip.npz": b"not a zip archive at all",
        "bzip2.npz": zip_bytes(zipfile.ZIP_BZIP2, files["i8_labels.npy"]),
        "commented.npz": zip_bytes(zipfile.ZIP_DEFLATED, files["bool.npy"], b"a comment PK\x05\x06"),
        "unnamed.npz": npz_bytes(False, arr_0=np.ones((3, 2), "<f4"), arr_1=np.arange(3) % 2),
    }
    return {"npy_reader": npy, "npz_reader": npz}


def main():
    files = golden()
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    for target, seeds in fuzz_seeds(files).items():
        folder = FUZZ / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (folder / name).write_bytes(data)


if __name__ == "__main__":
    main()
