"""nnlib.datasets: shapes, dtypes, balance, determinism, geometry, and bad input."""

import numpy as np
import pytest

from nnlib import datasets

MAKERS = {
    "xor": lambda m, rng: datasets.xor(m, rng),
    "flower": lambda m, rng: datasets.flower(m, rng),
    "moons": lambda m, rng: datasets.moons(m, rng, noise=0.2),
    "circles": lambda m, rng: datasets.circles(m, rng, noise=0.1),
    "spirals": lambda m, rng: datasets.spirals(m, rng),
    "spirals3": lambda m, rng: datasets.spirals(m, rng, classes=3),
}


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("m", [12, 301])
def test_layout_dtypes_and_balance(name, m):
    X, y = MAKERS[name](m, np.random.default_rng(0))
    assert X.shape == (2, m) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (m,) and y.dtype == np.int64
    classes = 3 if name == "spirals3" else 2
    counts = np.bincount(y, minlength=classes)
    assert counts.size == classes and counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", MAKERS)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1 = MAKERS[name](50, np.random.default_rng(7))
    X2, y2 = MAKERS[name](50, np.random.default_rng(7))
    X3, _ = MAKERS[name](50, np.random.default_rng(8))
    assert X1.tobytes() == X2.tobytes() and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", MAKERS)
def test_columns_are_shuffled(name):
    _, y = MAKERS[name](200, np.random.default_rng(0))
    assert not (np.all(np.diff(y) >= 0))  # not sorted by class


def test_xor_without_noise_sits_on_the_corners_with_xor_labels():
    X, y = datasets.xor(40, np.random.default_rng(0), noise=0.0)
    assert set(map(tuple, X.T.tolist())) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(y, (X[0] != X[1]).astype(np.int64))


def test_circles_radii_and_moons_shape_without_noise():
    X, y = datasets.circles(100, np.random.default_rng(0), noise=0.0, factor=0.3)
    radius = np.linalg.norm(X, axis=0)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    X, y = datasets.moons(100, np.random.default_rng(0), noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X[:, y == 0], axis=0), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[:, y == 1] - np.array([[1.0], [0.5]]), axis=0), 1.0)


def test_flower_is_the_course_flower():
    X, y = datasets.flower(400, np.random.default_rng(0))
    radius = np.linalg.norm(X, axis=0)
    assert radius.max() < 5.0 and radius.mean() > 2.0
    # Without noise each point lies on the rose r = 4 sin(4 t) with (x1, x2) = (r sin t, r cos t).
    X, _ = datasets.flower(400, np.random.default_rng(0), noise=0.0)
    t = np.arctan2(X[0], X[1])
    np.testing.assert_allclose(np.abs(np.linalg.norm(X, axis=0)), np.abs(4 * np.sin(4 * t)), atol=1e-9)


def test_spirals_stay_in_the_unit_disc():
    X, y = datasets.spirals(300, np.random.default_rng(0), classes=3, noise=0.0)
    assert np.linalg.norm(X, axis=0).max() <= 1.0 + 1e-12
    assert set(np.unique(y)) == {0, 1, 2}


@pytest.mark.parametrize("call, match", [
    (lambda: datasets.xor(3, np.random.default_rng(0)), "m must"),
    (lambda: datasets.moons(10.5, np.random.default_rng(0)), "m must"),
    (lambda: datasets.moons(True, np.random.default_rng(0)), "m must"),
    (lambda: datasets.circles(0, np.random.default_rng(0)), "m must"),
    (lambda: datasets.spirals(2, np.random.default_rng(0), classes=3), "m must"),
    (lambda: datasets.moons(100, np.random.default_rng(0), noise=-0.1), "noise"),
    (lambda: datasets.moons(100, np.random.default_rng(0), noise=float("nan")), "noise"),
    (lambda: datasets.moons(100, np.random.default_rng(0), noise="0.1"), "noise"),
    (lambda: datasets.circles(100, np.random.default_rng(0), factor=1.5), "factor"),
    (lambda: datasets.spirals(100, np.random.default_rng(0), classes=1), "classes"),
    (lambda: datasets.spirals(100, np.random.default_rng(0), turns=0), "turns"),
    (lambda: datasets.flower(100, np.random.default_rng(0), petals=0), "petals"),
])
def test_bad_arguments_raise_value_error_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0)])
def test_rng_must_be_a_generator(rng):
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        datasets.flower(100, rng)
