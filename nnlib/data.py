"""Load the series' datasets from their HDF5 files, checksums verified (notebook 00).

The files are built in the repository's data/ folder; an installed nnlib (pip install, a
wheel) carries a copy inside the package, found with importlib.resources. Arrays come out
as stored: images (m, height, width), labels (m,); nnlib.preprocessing turns them into X
of shape (n_x, m) and Y.
"""
import hashlib
import os
from importlib import resources
from pathlib import Path

import h5py

__all__ = ["load_dataset"]

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

