"""nnlib.data: loading the HDF5 files (and failing clearly), splitting, standardizing, one-hot."""

import hashlib
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

import nnlib.data as nnlib_data
from nnlib.data import DATA_DIR, load_dataset
from nnlib.preprocessing import from_one_hot, images_to_columns, one_hot, standardize, train_val_test_split

REBUILD = "python data/build_data.py"


def sha256_of(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


# --- load_dataset ---------------------------------------------------------------------------------

EXPECTED = {
    "digits": {"images": (np.uint8, (1797, 8, 8)), "labels": (np.int64, (1797,))},
    "mnist_5k": {"images": (np.uint8, (5000, 28, 28)), "labels": (np.int64, (5000,))},
    "mnist1d": {"x_train": (np.float64, (4000, 40)), "y_train": (np.int64, (4000,)),
                "x_test": (np.float64, (1000, 40)), "y_test": (np.int64, (1000,)),
                "t": (np.float64, (40,))},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_dataset_keys_shapes_dtypes(name):
    data = load_dataset(name)
    assert set(data) == set(EXPECTED[name])
    for key, (dtype, shape) in EXPECTED[name].items():
        assert isinstance(data[key], np.ndarray), key
        assert data[key].dtype == dtype and data[key].shape == shape, (key, data[key].dtype, data[key].shape)
    for key in data:
        if key.startswith("y_") or key == "labels":
            assert data[key].min() == 0 and data[key].max() == 9


def test_data_dir_defaults_to_the_repository_data_folder():
    assert DATA_DIR == Path(__file__).resolve().parent.parent / "data"
    a = load_dataset("digits")
    b = load_dataset("digits", data_dir=DATA_DIR)
    c = load_dataset("digits", data_dir=str(DATA_DIR))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
        np.testing.assert_array_equal(a[key], c[key])


def test_load_dataset_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"name must be one of \['digits', 'mnist1d', 'mnist_5k'\], got 'cifar'"):
        load_dataset("cifar")


def test_missing_file_names_the_file_and_the_rebuild_command(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_dataset("mnist_5k", data_dir=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "mnist_5k.h5") in message and "is missing" in message
    assert REBUILD in message


@pytest.mark.parametrize("content", [b"", b"not an HDF5 file", bytes(range(256)) * 40])
def test_corrupt_file_raises_value_error_naming_the_file(tmp_path, content):
    (tmp_path / "digits.h5").write_bytes(content)
    with pytest.raises(ValueError) as info:
        load_dataset("digits", data_dir=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "digits.h5") in message and "is damaged or not the series' digits.h5" in message
    assert REBUILD in message
    with pytest.raises(ValueError) as info:  # unverified, h5py's own error is turned into one that names the file
        load_dataset("digits", data_dir=tmp_path, verify=False)
    message = str(info.value)
    assert str(tmp_path / "digits.h5") in message and "not a readable HDF5 file" in message
    assert REBUILD in message


def test_truncated_file_raises_value_error(tmp_path):
    original = (DATA_DIR / "digits.h5").read_bytes()
    (tmp_path / "digits.h5").write_bytes(original[: len(original) // 2])
    for verify in (True, False):
        with pytest.raises(ValueError, match="digits.h5"):
            load_dataset("digits", data_dir=tmp_path, verify=verify)


def damaged_copy(folder):
    """A copy of digits.h5 with 8 bytes of the labels' data overwritten: still a valid HDF5 file."""
    shutil.copy(DATA_DIR / "digits.h5", folder / "digits.h5")
    with h5py.File(folder / "digits.h5", "r") as f:
        offset = f["labels"].id.get_offset() + 8 * 100  # label 100, stored contiguously
    with open(folder / "digits.h5", "r+b") as f:
        f.seek(offset)
        f.write(b"\xff" * 8)
    return folder / "digits.h5"


def test_damaged_data_is_detected_by_the_checksum(tmp_path):
    path = damaged_copy(tmp_path)
    unchecked = load_dataset("digits", data_dir=tmp_path, verify=False)  # what went through before
    assert unchecked["labels"][100] == -1 and unchecked["labels"].shape == (1797,)
    with pytest.raises(ValueError) as info:
        load_dataset("digits", data_dir=tmp_path)
    message = str(info.value)
    assert f"{path} is damaged or not the series' digits.h5: its sha256 is" in message
    assert "checksums.sha256 lists 508d377e167b5918..." in message
    assert "data_dir must hold a copy of the series' digits.h5" in message and REBUILD in message


def test_the_checksum_is_computed_once_per_file_until_it_changes(tmp_path, monkeypatch):
    shutil.copy(DATA_DIR / "digits.h5", tmp_path / "digits.h5")
    calls = []
    monkeypatch.setattr(nnlib_data, "_verified", {})
    monkeypatch.setattr(nnlib_data, "_sha256", lambda path: calls.append(path) or sha256_of(path))
    for _ in range(3):
        load_dataset("digits", data_dir=tmp_path)
        load_dataset("digits")
    assert len(calls) == 2, calls  # the copy and the original, once each
    damaged_copy(tmp_path)  # same size, new contents and modification time
    with pytest.raises(ValueError, match="is damaged"):
        load_dataset("digits", data_dir=tmp_path)
    assert len(calls) == 3


def test_messages_fit_an_installed_package(tmp_path, monkeypatch):
    """Outside the repository there is no data/build_data.py: say how to reinstall instead."""
    monkeypatch.setattr(nnlib_data, "IN_REPOSITORY", False)
    monkeypatch.setattr(nnlib_data, "DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        load_dataset("digits")
    message = str(info.value)
    assert f"{tmp_path / 'digits.h5'} is missing" in message
    assert "reinstall the package with pip install --force-reinstall --no-deps" in message
    assert "build_data" not in message and "data_dir" not in message
    damaged_copy(tmp_path)
    (tmp_path / "checksums.sha256").write_text((DATA_DIR / "checksums.sha256").read_text())
    with pytest.raises(ValueError, match="is damaged.*reinstall the package") as info:
        load_dataset("digits")
    assert "build_data" not in str(info.value)


def test_a_missing_checksum_list_is_named(tmp_path, monkeypatch):
    shutil.copy(DATA_DIR / "digits.h5", tmp_path / "digits.h5")
    monkeypatch.setattr(nnlib_data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(nnlib_data, "_verified", {})
    with pytest.raises(FileNotFoundError, match=f"{tmp_path / 'checksums.sha256'} is missing, so .*digits.h5 "
                       "cannot be verified; rebuild it"):
        load_dataset("digits")
    assert load_dataset("digits", verify=False)["labels"].shape == (1797,)


@pytest.mark.parametrize("name", [["digits"], b"digits", None, 3, Path("digits")])
def test_load_dataset_rejects_a_name_that_is_not_a_string(name):
    with pytest.raises(TypeError, match=r"name must be a string, one of \['digits', 'mnist1d', 'mnist_5k'\], got "
                       + type(name).__name__):
        load_dataset(name)


def test_load_dataset_rejects_bad_data_dir_and_verify():
    with pytest.raises(TypeError, match="data_dir must be a folder \\(str or path\\) or None, got int"):
        load_dataset("digits", data_dir=3)
    with pytest.raises(TypeError, match="verify must be True or False, got 1"):
        load_dataset("digits", verify=1)


def test_file_with_wrong_keys_raises_value_error(tmp_path):
    with h5py.File(tmp_path / "digits.h5", "w") as f:
        f["images"] = np.zeros((2, 8, 8), dtype=np.uint8)
        f["targets"] = np.zeros(2, dtype=np.int64)
    with pytest.raises(ValueError, match="is damaged or not the series' digits.h5"):
        load_dataset("digits", data_dir=tmp_path)
    with pytest.raises(ValueError) as info:
        load_dataset("digits", data_dir=tmp_path, verify=False)
    message = str(info.value)
    assert str(tmp_path / "digits.h5") in message and "no dataset 'labels'" in message
    assert REBUILD in message


def test_mnist1d_without_t_still_loads(tmp_path):
    with h5py.File(tmp_path / "mnist1d.h5", "w") as f:
        for key, shape in [("x_train", (4, 40)), ("x_test", (2, 40))]:
            f[key] = np.zeros(shape)
        f["y_train"] = np.zeros(4, dtype=np.int64)
        f["y_test"] = np.zeros(2, dtype=np.int64)
    data = load_dataset("mnist1d", data_dir=tmp_path, verify=False)
    assert set(data) == {"x_train", "y_train", "x_test", "y_test"}


# --- images_to_columns ----------------------------------------------------------------------------

def test_images_to_columns():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    X = images_to_columns(images)
    assert X.shape == (12, 2) and X.dtype == np.float64
    for i in range(2):
        np.testing.assert_array_equal(X[:, i], images[i].ravel())
    assert images_to_columns(images.astype(np.float32)).dtype == np.float64


def test_images_to_columns_rejects_flat_input():
    with pytest.raises(ValueError, match="images must be 3-D"):
        images_to_columns(np.zeros((5, 64)))


# --- one_hot / from_one_hot -----------------------------------------------------------------------

def test_one_hot_round_trip():
    labels = np.random.default_rng(0).integers(0, 10, size=50)
    Y = one_hot(labels, 10)
    assert Y.shape == (10, 50) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y.sum(axis=0), np.ones(50))
    np.testing.assert_array_equal(Y[labels, np.arange(50)], np.ones(50))
    back = from_one_hot(Y)
    assert back.dtype == np.int64
    np.testing.assert_array_equal(back, labels)


def test_one_hot_example():
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 1], [0, 0], [1, 0]])
    assert one_hot(np.array([], dtype=int), 4).shape == (4, 0)


def test_from_one_hot_takes_the_most_probable_class():
    P = np.array([[0.1, 0.7], [0.6, 0.2], [0.3, 0.1]])
    np.testing.assert_array_equal(from_one_hot(P), [1, 0])


@pytest.mark.parametrize("labels", [[0, 10], [-1, 2], [1.5, 2]])
def test_one_hot_rejects_labels_out_of_range(labels):
    with pytest.raises(ValueError, match="labels must"):
        one_hot(np.array(labels), 10)


@pytest.mark.parametrize("num_classes", [0, -3, 2.0, "10", None, True])
def test_one_hot_rejects_bad_num_classes(num_classes):
    with pytest.raises(ValueError, match="num_classes must be a positive integer"):
        one_hot([0, 1], num_classes)


def test_from_one_hot_rejects_rank1():
    with pytest.raises(ValueError, match="Y must be 2-D"):
        from_one_hot(np.array([0.0, 1.0]))


# --- train_val_test_split -------------------------------------------------------------------------

def ids(m, n_x=3):
    """X whose column i is (i, i, ..., i): every example identifiable after shuffling."""
    return np.tile(np.arange(m, dtype=np.float64), (n_x, 1)), np.arange(m)


def test_split_sizes_and_partition():
    X, y = ids(1797)
    parts = train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=np.random.default_rng(0))
    assert [p[0].shape for p in parts] == [(3, 1078), (3, 359), (3, 360)]
    assert [p[1].shape for p in parts] == [(1078,), (359,), (360,)]
    seen = np.concatenate([p[1] for p in parts])
    np.testing.assert_array_equal(np.sort(seen), np.arange(1797))
    for Xp, yp in parts:  # X and y stay paired
        np.testing.assert_array_equal(Xp[0], yp)


def test_split_is_deterministic_and_seed_dependent():
    X, y = ids(100)
    a = train_val_test_split(X, y, (0.5, 0.25, 0.25), rng=np.random.default_rng(7))
    b = train_val_test_split(X, y, (0.5, 0.25, 0.25), rng=np.random.default_rng(7))
    c = train_val_test_split(X, y, (0.5, 0.25, 0.25), rng=np.random.default_rng(8))
    for (Xa, ya), (Xb, yb) in zip(a, b):
        np.testing.assert_array_equal(Xa, Xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a[0][1], c[0][1])


def test_split_accepts_2d_targets_and_returns_copies():
    X, y = ids(20)
    Y = np.vstack([y, -y])                                    # (2, m) targets
    (Xtr, Ytr), (_, Yva), (_, Yte) = train_val_test_split(X, Y, (0.5, 0.3, 0.2), rng=np.random.default_rng(0))
    assert Ytr.shape == (2, 10) and Yva.shape == (2, 6) and Yte.shape == (2, 4)
    np.testing.assert_array_equal(Ytr[0], -Ytr[1])
    Xtr[:] = -1
    assert X.min() == 0                                       # the input was not modified


def test_split_rejects_bad_arguments():
    X, y = ids(10)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="X has 10 examples .* but y has 9"):
        train_val_test_split(X, y[:9], rng=rng)
    with pytest.raises(ValueError, match="fractions must be three non-negative numbers summing to 1"):
        train_val_test_split(X, y, (0.6, 0.3), rng=rng)
    with pytest.raises(ValueError, match="fractions must"):
        train_val_test_split(X, y, (0.6, 0.3, 0.3), rng=rng)
    with pytest.raises(ValueError, match="fractions must"):
        train_val_test_split(X, y, (1.2, -0.1, -0.1), rng=rng)
    with pytest.raises(ValueError, match="rng is required"):
        train_val_test_split(X, y)


# --- standardize ----------------------------------------------------------------------------------

def test_standardize_uses_training_statistics():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5.0, 3.0, size=(4, 200))
    X_train[2] = 7.0                                          # a constant feature
    X_val = rng.normal(5.0, 3.0, size=(4, 50))
    before = X_train.copy()
    Xs, Vs = standardize(X_train, X_val)
    np.testing.assert_array_equal(X_train, before)            # inputs untouched
    varying = [0, 1, 3]
    np.testing.assert_allclose(Xs.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Xs[varying].std(axis=1), 1, rtol=1e-12)
    np.testing.assert_array_equal(Xs[2], np.zeros(200))       # only centred, no division by 0
    mean, std = X_train[varying].mean(axis=1, keepdims=True), X_train[varying].std(axis=1, keepdims=True)
    np.testing.assert_allclose(Vs[varying], (X_val[varying] - mean) / std, rtol=1e-12)
    np.testing.assert_allclose(Vs[2], X_val[2] - 7.0, rtol=1e-12)


def test_standardize_treats_a_constant_with_rounding_as_constant():
    X_train = np.full((2, 30), 0.1)
    X_train[1] = np.linspace(0, 1, 30)
    assert X_train[0].std() > 0                                 # 0.1 is not exact: the std is ~1e-17, not 0
    Xs = standardize(X_train)
    assert np.all(np.abs(Xs[0]) < 1e-15)                        # centred, not divided by ~1e-17
    np.testing.assert_allclose(Xs[1].std(), 1.0)
    zero = standardize(np.zeros((1, 5)), np.ones((1, 2)))
    np.testing.assert_array_equal(zero[1], np.ones((1, 2)))


def test_standardize_return_forms():
    X = np.random.default_rng(0).normal(size=(3, 10))
    single = standardize(X)
    assert isinstance(single, np.ndarray) and single.shape == (3, 10)
    triple = standardize(X, X[:, :4], X[:, 4:])
    assert isinstance(triple, tuple) and [t.shape for t in triple] == [(3, 10), (3, 4), (3, 6)]
    np.testing.assert_allclose(np.hstack(triple[1:]), triple[0])


def test_standardize_rejects_bad_input():
    X = np.ones((3, 10))
    with pytest.raises(ValueError, match=r"others\[1\] has 4 features \(rows\), X_train has 3"):
        standardize(X, X, np.ones((4, 5)))
    with pytest.raises(ValueError, match="X_train must be 2-D"):
        standardize(np.ones(10))
    with pytest.raises(ValueError, match="X_train contains NaN"):
        standardize(np.array([[1.0, np.nan]]))
