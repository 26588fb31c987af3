"""Load the series' datasets and prepare them in the (n_x, m) layout (notebook 00).

The HDF5 files are built in the repository's data/ folder; an installed nnlib (pip
install, a wheel) carries a copy inside the package, found with importlib.resources.
Images come out of the file as (m, height, width); `images_to_columns` turns them
into X of shape (n_x, m).
"""
import hashlib
import os
from importlib import resources
from pathlib import Path

import h5py
import numpy as np

from .checks import as_float_array, check_labels, is_integer

__all__ = [
    "load_dataset", "images_to_columns", "train_val_test_split", "standardize", "one_hot",
    "from_one_hot"
]

# In a clone of the repository nnlib/ sits next to data/, where data/build_data.py writes the
# files; an installed package has its own copy in nnlib/_data/ (put there when the wheel is built).
REPO_DATA = Path(__file__).resolve().parent.parent / "data"
PACKAGE_DATA = resources.files(__package__) / "_data"
IN_REPOSITORY = (REPO_DATA / "build_data.py").is_file()
DATA_DIR = REPO_DATA if IN_REPOSITORY or not PACKAGE_DATA.is_dir() else Path(str(PACKAGE_DATA))
CHECKSUMS = "checksums.sha256"  # written by data/build_data.py next to the files, sha256sum format

# The datasets each file must hold; anything else means the file is not ours.
DATASET_KEYS = {
    "digits": ("images", "labels"),
    "mnist_5k": ("images", "labels"),
    "mnist1d": ("x_train", "y_train", "x_test", "y_test"),
}
# Returned too when the file has them: mnist1d's t (40,) is the x-axis for plotting a signal.
OPTIONAL_KEYS = {"mnist1d": ("t",)}

# Files whose checksum has matched in this process: path -> (size, modification time). Hashing
# all three files takes about 20 ms, so each is hashed once, and again only if it changes.
_verified = {}


def _how_to_restore():
    """What the user can do about a missing or damaged file, where nnlib is installed."""
    if IN_REPOSITORY:
        return "rebuild it from the repository root with: pip install -e '.[data]' && python data/build_data.py"
    return ("nnlib's installed copy of the data is incomplete or damaged: reinstall the package with "
            "pip install --force-reinstall --no-deps <the wheel or folder you installed it from>")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path, name, hint):
    """Raise ValueError unless the file's sha256 is the one listed for it in DATA_DIR/checksums.sha256."""
    key, stat = path.resolve(), path.stat()
    if _verified.get(key) == (stat.st_size, stat.st_mtime_ns):
        return
    listing = DATA_DIR / CHECKSUMS
    if not listing.is_file():
        raise FileNotFoundError(f"{listing} is missing, so {path} cannot be verified; {_how_to_restore()}")
    expected = {}
    for line in listing.read_text().splitlines():
        if line.strip():
            digest, file = line.split(maxsplit=1)
            expected[file.lstrip("*")] = digest  # sha256sum marks binary mode with a *
    actual, wanted = _sha256(path), expected.get(f"{name}.h5", "nothing")
    if actual != wanted:
        raise ValueError(f"{path} is damaged or not the series' {name}.h5: its sha256 is {actual[:16]}..., "
                         f"{listing.name} lists {wanted[:16]}...; {hint}")
    _verified[key] = (stat.st_size, stat.st_mtime_ns)


def load_dataset(name, data_dir=None, verify=True):
    """Read <name>.h5 and return a dict of NumPy arrays.

    name: "digits" (images (1797, 8, 8) uint8, labels (1797,) int64), "mnist_5k"
    (images (5000, 28, 28) uint8, labels (5000,) int64) or "mnist1d" (x_train
    (4000, 40), y_train (4000,), x_test (1000, 40), y_test (1000,), and t (40,),
    the sample positions). data_dir: the folder holding the files (default DATA_DIR:
    the repository's data/, or the copy inside an installed package). verify: check
    the file's sha256 against checksums.sha256 (once per process); turn it off only
    for files you built yourself. A missing or damaged file raises an error that
    names the file and says how to get it back.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {sorted(DATASET_KEYS)}, got {type(name).__name__} {name!r}")
    if name not in DATASET_KEYS:
        raise ValueError(f"name must be one of {sorted(DATASET_KEYS)}, got {name!r}")
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a folder (str or path) or None, got {type(data_dir).__name__}")
    if not isinstance(verify, bool):
        raise TypeError(f"verify must be True or False, got {verify!r}")
    hint = _how_to_restore()
    if data_dir is not None:  # the user's own folder: the copy there is theirs to replace
        hint = f"data_dir must hold a copy of the series' {name}.h5 (leave data_dir out to use nnlib's own); {hint}"
    path = Path(DATA_DIR if data_dir is None else data_dir) / f"{name}.h5"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; {hint}")
    if verify:
        _verify(path, name, hint)
    try:
        with h5py.File(path, "r") as f:
            missing = [key for key in DATASET_KEYS[name] if key not in f]
            if missing:
                raise ValueError(f"{path} has no dataset {missing[0]!r}; it is not the "
                                 f"{name} file of this series. {hint}")
            keys = DATASET_KEYS[name] + tuple(k for k in OPTIONAL_KEYS.get(name, ()) if k in f)
            return {key: f[key][()] for key in keys}
    except OSError as error:  # h5py's error for truncated or non-HDF5 files
        raise ValueError(f"{path} is not a readable HDF5 file ({error}); {hint}") from None


def images_to_columns(images):
    """Flatten images (m, height, width) into X (height*width, m) of float64, one image per column.

    Column i is image i read row by row: X[:, i] == images[i].ravel().
    """
    images = as_float_array("images", images, ndim=3)
    return images.reshape(images.shape[0], -1).T.astype(np.float64)


def train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2), rng=None):
    """Shuffle the m examples with `rng` and split them into train, validation and test.

    X: (n_x, m). y: (m,) labels or (k, m) targets; split along the last axis.
    fractions: the shares of train, validation and test (rounded to whole examples;
    test gets the rest). rng: np.random.default_rng(seed), required.
    Returns ((X_train, y_train), (X_val, y_val), (X_test, y_test)), copies.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays with the examples on their last axis, got shapes {X.shape} and {y.shape}")
    m = X.shape[-1]
    if y.shape[-1] != m:
        raise ValueError(f"X has {m} examples (columns) but y has {y.shape[-1]}")
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    if rng is None:
        raise ValueError("rng is required: pass np.random.default_rng(seed) so the split is reproducible")
    order = rng.permutation(m)
    n_train = int(round(fractions[0] * m))
    n_val = int(round(fractions[1] * m))
    parts = np.split(order, [n_train, n_train + n_val])
    return tuple((X[..., idx], y[..., idx]) for idx in parts)


def standardize(X_train, *others):
    """Scale each feature (row) to mean 0 and standard deviation 1 using the training set only.

    Constant features (a pixel that is always 0) are only centred: a standard
    deviation below 1e-12 times the feature's size counts as 0, so that rounding
    cannot blow a constant up into noise. Returns the standardized X_train followed
    by each of `others` transformed the same way (just the array when there are no others).
    """
    X_train = as_float_array("X_train", X_train, ndim=2)
    mean = X_train.mean(axis=1, keepdims=True)
    std = X_train.std(axis=1, keepdims=True)
    std[std <= 1e-12 * np.maximum(np.abs(mean), 1e-300)] = 1.0
    scaled = [(X_train - mean) / std]
    for i, X in enumerate(others):
        X = as_float_array(f"others[{i}]", X, ndim=2)
        if X.shape[0] != X_train.shape[0]:
            raise ValueError(f"others[{i}] has {X.shape[0]} features (rows), X_train has {X_train.shape[0]}")
        scaled.append((X - mean) / std)
    return tuple(scaled) if others else scaled[0]


def one_hot(labels, num_classes):
    """Integer labels (m,) in 0..C-1 -> one-hot Y (C, m) of float64: Y[labels[i], i] = 1."""
    if not is_integer(num_classes) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    labels = check_labels("labels", labels, num_classes)
    Y = np.zeros((num_classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def from_one_hot(Y):
    """One-hot (or probability) columns Y (C, m) -> integer labels (m,): the row of each column's maximum."""
    Y = as_float_array("Y", Y, ndim=2)
    return np.argmax(Y, axis=0).astype(np.int64)
