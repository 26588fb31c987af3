"""Weight initialization schemes (notebook 04).

Each returns W of shape (n_out, n_in) = (n[l], n[l-1]); biases always start at 0.
The scale decides whether the variance of the activations survives the depth:
Var(z) = n_in Var(w) E[a²] (E[a²], not Var(a): a ReLU's outputs do not have mean 0).
tanh is close to the identity near 0, so E[a²] ≈ Var(z_prev) and Var(w) = 1/n_in keeps
it (Xavier); ReLU zeroes half of a symmetric z, so E[a²] = Var(z_prev) / 2 and
Var(w) = 2/n_in makes up for it (He).
"""
import numpy as np

from .checks import is_integer

__all__ = ["zeros", "small", "large", "xavier", "he", "initialize_weights"]


def _sizes(n_out, n_in):
    for name, n in (("n_out", n_out), ("n_in", n_in)):
        if not is_integer(n) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n_out), int(n_in)


def zeros(n_out, n_in, rng):
    """All weights 0: every unit of a layer computes the same thing forever (symmetry)."""
    return np.zeros(_sizes(n_out, n_in))


def small(n_out, n_in, rng):
    """N(0, 0.01^2): breaks symmetry, but the signal shrinks layer after layer."""
    return rng.standard_normal(_sizes(n_out, n_in)) * 0.01


def large(n_out, n_in, rng):
    """N(0, 10^2): breaks symmetry, but activations explode or saturate."""
    return rng.standard_normal(_sizes(n_out, n_in)) * 10.0


def xavier(n_out, n_in, rng):
    """N(0, 1/n_in) (Xavier/Glorot in LeCun's form): keeps Var(z) for tanh and sigmoid."""
    n_out, n_in = _sizes(n_out, n_in)
    return rng.standard_normal((n_out, n_in)) * np.sqrt(1.0 / n_in)


def he(n_out, n_in, rng):
    """N(0, 2/n_in) (He et al., 2015): keeps Var(z) for ReLU."""
    n_out, n_in = _sizes(n_out, n_in)
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)


INITIALIZERS = {"zeros": zeros, "small": small, "large": large, "xavier": xavier, "he": he}


def initialize_weights(n_out, n_in, method, rng, dtype=np.float64):
    """W (n_out, n_in) drawn by `method` ("zeros", "small", "large", "xavier" or "he") from rng."""
    if not isinstance(method, str) or method not in INITIALIZERS:
        raise ValueError(f"init must be one of {sorted(INITIALIZERS)}, got {method!r}")
    n_out, n_in = _sizes(n_out, n_in)
    if method != "zeros" and not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a np.random.Generator, e.g. np.random.default_rng(0)")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {np.dtype(dtype)}")
    return INITIALIZERS[method](n_out, n_in, rng).astype(dtype)
