"""The committed data files: present, unchanged (sha256), and with the expected keys.

The files are built by data/build_data.py; see data/README.md. The nnlib loader reads
exactly these keys and dtypes.
"""

import hashlib
import pathlib

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FILES = ("digits.h5", "mnist_5k.h5", "mnist1d.h5")

# file -> key -> (dtype, shape)
SPEC = {
    "digits.h5": {
        "images": (np.uint8, (1797, 8, 8)),
        "labels": (np.int64, (1797,)),
    },
    "mnist_5k.h5": {
        "images": (np.uint8, (5000, 28, 28)),
        "labels": (np.int64, (5000,)),
    },
    "mnist1d.h5": {
        "x_train": (np.float64, (4000, 40)),
        "y_train": (np.int64, (4000,)),
        "x_test": (np.float64, (1000, 40)),
        "y_test": (np.int64, (1000,)),
        "t": (np.float64, (40,)),
    },
}


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_checksums():
    sums = {}
    text = (DATA / "checksums.sha256").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def load(name):
    with h5py.File(DATA / name, "r") as f:
        arrays = {key: f[key][()] for key in f.keys()}
        attrs = dict(f.attrs)
    return arrays, attrs


def test_checksum_file_lists_exactly_the_data_files():
    sums = read_checksums()
    assert sorted(sums) == sorted(FILES)
    for digest in sums.values():
        assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


@pytest.mark.parametrize("name", FILES)
def test_file_exists_and_matches_checksum(name):
    path = DATA / name
    assert path.is_file(), f"{path} is missing: run `python data/build_data.py`"
    assert sha256_of(path) == read_checksums()[name], (
        f"{name} differs from data/checksums.sha256"
    )


@pytest.mark.parametrize("name", FILES)
def test_keys_dtypes_shapes(name):
    arrays, _ = load(name)
    assert sorted(arrays) == sorted(SPEC[name])
    for key, (dtype, shape) in SPEC[name].items():
        assert arrays[key].dtype == np.dtype(dtype), f"{name}:{key} dtype {arrays[key].dtype}"
        assert arrays[key].shape == shape, f"{name}:{key} shape {arrays[key].shape}"


@pytest.mark.parametrize("name", FILES)
def test_root_attributes(name):
    _, attrs = load(name)
    for key in ("source", "license", "description"):
        assert key in attrs, f"{name} has no '{key}' attribute"
        value = attrs[key]
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        assert isinstance(value, str) and value.strip()
    assert int(attrs["format_version"]) == 1


def assert_labels(labels, n_classes=10):
    assert labels.min() == 0 and labels.max() == n_classes - 1
    counts = np.bincount(labels, minlength=n_classes)
    assert len(counts) == n_classes and np.all(counts > 0), counts
    return counts


def test_digits_values():
    arrays, _ = load("digits.h5")
    images, labels = arrays["images"], arrays["labels"]
    assert images.min() == 0 and images.max() == 16
    counts = assert_labels(labels)
    assert counts.sum() == 1797
    # roughly balanced (174..183 per class); even vs odd is balanced too
    assert counts.min() >= 170 and counts.max() <= 190
    assert abs(int(np.sum(labels % 2 == 0)) - int(np.sum(labels % 2 == 1))) < 30


def test_mnist_5k_values():
    arrays, _ = load("mnist_5k.h5")
    images, labels = arrays["images"], arrays["labels"]
    assert images.min() == 0 and images.max() == 255
    counts = assert_labels(labels)
    np.testing.assert_array_equal(counts, np.full(10, 500))
    # stored in the package's order: sorted by class, not shuffled
    assert np.all(np.diff(labels) >= 0)
    # real images, not blank: every image has ink
    assert np.all(images.reshape(5000, -1).max(axis=1) > 100)


def test_mnist1d_values():
    arrays, _ = load("mnist1d.h5")
    x = np.concatenate([arrays["x_train"], arrays["x_test"]])
    assert np.all(np.isfinite(x))
    # standardised over the whole set by make_dataset
    assert abs(x.mean()) < 1e-12
    assert abs(x.std() - 1.0) < 1e-12
    assert -10 < x.min() < 0 < x.max() < 10
    counts_train = assert_labels(arrays["y_train"])
    counts_test = assert_labels(arrays["y_test"])
    np.testing.assert_array_equal(counts_train + counts_test, np.full(10, 500))
    t = arrays["t"]
    assert np.all(np.isfinite(t)) and np.all(np.diff(t) > 0)
