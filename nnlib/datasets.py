"""Seeded synthetic 2-D classification sets (notebook 03).

Every function returns X of shape (2, m), float64, one point per column, and
integer labels y of shape (m,), int64. The classes are as balanced as m allows
and the columns come in random order, so X[:, :k] is a fair sample. All the
randomness comes from `rng`, a np.random.Generator: same seed, same data.
"""
import numpy as np

from .checks import is_integer, is_number

__all__ = ["xor", "flower", "moons", "circles", "spirals"]


def _check_args(m, rng, noise, min_m=2):
    if not is_integer(m) or m < min_m:
        raise ValueError(f"m must be an integer >= {min_m}, got {m!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a np.random.Generator, e.g. np.random.default_rng(0)")
    if not is_number(noise) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return int(m), float(noise)


def _class_sizes(m, classes):
    """Split m into `classes` counts that differ by at most one."""
    return [m // classes + (1 if j < m % classes else 0) for j in range(classes)]


def _shuffled(X, y, rng):
    order = rng.permutation(y.size)
    return np.ascontiguousarray(X[:, order], dtype=np.float64), y[order].astype(np.int64)


def xor(m, rng, noise=0.15):
    """Points around the four corners of the unit square, labelled x1 XOR x2.

    Corners (0, 0) and (1, 1) are class 0, corners (0, 1) and (1, 0) class 1;
    each point is its corner plus Gaussian noise of standard deviation `noise`.
    No straight line separates the two classes.
    """
    m, noise = _check_args(m, rng, noise, min_m=4)
    corner = np.arange(m) % 4
    bits = np.stack([corner // 2, corner % 2]).astype(np.float64)  # (2, m) of 0/1
    y = (bits[0] != bits[1]).astype(np.int64)
    X = bits + noise * rng.standard_normal((2, m))
    return _shuffled(X, y, rng)


def flower(m, rng, petals=4, noise=0.2):
    """The planar 'flower' of the deeplearning.ai course: two classes wound into 2*petals petals.

    Class j takes the angles t in [3.12 j, 3.12 (j + 1)] (plus noise) and the radius
    r = 4 sin(petals t) (plus noise); the point is (r sin t, r cos t).
    With the course's m = 400 and petals = 4, logistic regression scores about 47%.
    """
    m, noise = _check_args(m, rng, noise)
    if not is_integer(petals) or petals < 1:
        raise ValueError(f"petals must be a positive integer, got {petals!r}")
    Xs, ys = [], []
    for j, n in enumerate(_class_sizes(m, 2)):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + noise * rng.standard_normal(n)
        r = 4.0 * np.sin(petals * t) + noise * rng.standard_normal(n)
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(n, j))
    return _shuffled(np.concatenate(Xs, axis=1), np.concatenate(ys), rng)


def moons(m, rng, noise=0.1):
    """Two interleaving half circles (as scikit-learn's make_moons), with Gaussian noise."""
    m, noise = _check_args(m, rng, noise)
    n0, n1 = _class_sizes(m, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)]),
                        np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])], axis=1)
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _shuffled(X + noise * rng.standard_normal(X.shape), y, rng)


def circles(m, rng, noise=0.05, factor=0.5):
    """A circle of radius 1 (class 0) around a circle of radius `factor` (class 1), with noise."""
    m, noise = _check_args(m, rng, noise)
    if not is_number(factor) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number in (0, 1), got {factor!r}")
    n0, n1 = _class_sizes(m, 2)
    t0 = rng.uniform(0.0, 2 * np.pi, n0)
    t1 = rng.uniform(0.0, 2 * np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)]),
                        float(factor) * np.stack([np.cos(t1), np.sin(t1)])], axis=1)
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _shuffled(X + noise * rng.standard_normal(X.shape), y, rng)


def spirals(m, rng, classes=2, noise=0.2, turns=1.0):
    """`classes` interleaved spiral arms (after CS231n), labels 0..classes-1.

    Arm j runs from the centre (radius 0) out to radius 1 while its angle turns
    `turns` full circles: t = 2 pi j / classes + 2 pi turns r, plus Gaussian noise
    of standard deviation `noise` (radians) on t. The point is (r sin t, r cos t).
    """
    if not is_integer(classes) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    m, noise = _check_args(m, rng, noise, min_m=int(classes))
    if not is_number(turns) or not 0 < turns <= 10:
        raise ValueError(f"turns must be a number in (0, 10], got {turns!r}")
    Xs, ys = [], []
    for j, n in enumerate(_class_sizes(m, int(classes))):
        r = np.linspace(0.0, 1.0, n)
        t = 2 * np.pi * (j / classes + turns * r) + noise * rng.standard_normal(n)
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(n, j))
    return _shuffled(np.concatenate(Xs, axis=1), np.concatenate(ys), rng)
