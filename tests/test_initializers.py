"""nnlib.initializers: shapes, dtypes, scales (the variance each scheme promises), determinism, bad input."""

import numpy as np
import pytest

from nnlib.initializers import INITIALIZERS, initialize_weights

# method -> the variance of the weights as a function of n_in
VARIANCE = {"zeros": lambda n: 0.0, "small": lambda n: 1e-4, "large": lambda n: 100.0,
            "xavier": lambda n: 1.0 / n, "he": lambda n: 2.0 / n}


def test_registry_lists_the_five_schemes():
    assert sorted(INITIALIZERS) == sorted(VARIANCE)


@pytest.mark.parametrize("method", sorted(VARIANCE))
def test_shape_dtype_and_variance(method):
    n_out, n_in = 300, 400
    W = initialize_weights(n_out, n_in, method, np.random.default_rng(0))
    assert W.shape == (n_out, n_in) and W.dtype == np.float64
    expected = VARIANCE[method](n_in)
    if expected == 0:
        assert not W.any()
    else:
        assert abs(W.var() / expected - 1) < 0.02  # 120,000 draws: the sample variance is within 2%
        assert abs(W.mean()) < 4 * np.sqrt(expected / W.size)


@pytest.mark.parametrize("method", sorted(VARIANCE))
def test_float32_and_determinism(method):
    W1 = initialize_weights(5, 3, method, np.random.default_rng(1), dtype=np.float32)
    W2 = initialize_weights(5, 3, method, np.random.default_rng(1), dtype=np.float32)
    assert W1.dtype == np.float32 and W1.tobytes() == W2.tobytes()


def test_different_seeds_give_different_weights():
    a = initialize_weights(4, 4, "he", np.random.default_rng(0))
    b = initialize_weights(4, 4, "he", np.random.default_rng(1))
    assert not np.array_equal(a, b)


def test_zeros_needs_no_rng():
    assert not initialize_weights(2, 3, "zeros", None).any()


@pytest.mark.parametrize("args, error, match", [
    ((3, 2, "glorot"), ValueError, "init must be one of"),
    ((3, 2, ["he"]), ValueError, "init must be one of"),
    ((0, 2, "he"), ValueError, "n_out must be a positive integer"),
    ((3, 2.0, "he"), ValueError, "n_in must be a positive integer"),
    ((3, True, "he"), ValueError, "n_in must be a positive integer"),
    ((3, -1, "he"), ValueError, "n_in must be a positive integer"),
])
def test_bad_arguments_raise_naming_them(args, error, match):
    with pytest.raises(error, match=match):
        initialize_weights(*args, np.random.default_rng(0))


def test_missing_rng_and_bad_dtype():
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        initialize_weights(3, 2, "he", None)
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        initialize_weights(3, 2, "xavier", 42)
    with pytest.raises(TypeError, match="dtype must be"):
        initialize_weights(3, 2, "he", np.random.default_rng(0), dtype=np.int64)
