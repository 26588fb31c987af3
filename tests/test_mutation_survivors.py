"""Tests that mutation testing asked for (tests/README.md): each pins down a behaviour that a mutant of
nnlib changed without any other test noticing. The mutant is named in the docstring or comment."""
import re

import numpy as np
import pytest

from nnlib.activations import identity_derivative
from nnlib.batches import minibatches
from nnlib.checks import check_binary_labels, check_labels
from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.initializers import initialize_weights
from nnlib.layers import Dense, dense_backward, dense_forward


def listed(message):
    """The list printed at the end of an error message such as "... found [2, 3, 4]"."""
    return eval(re.search(r"(\[[^\]]*\])$", message).group(1))  # noqa: S307  a list of numbers we printed


def test_identity_derivative_is_float_even_for_integer_input():
    """Mutants: np.ones_like(Z) keeps an integer dtype."""
    assert identity_derivative(np.array([1, 2])).dtype == np.float64
    assert identity_derivative(np.array([1, 2], dtype=np.int8)).dtype == np.float32
    assert identity_derivative(np.zeros(2, dtype=np.float32)).dtype == np.float32


def test_minibatches_of_one_example_and_the_messages():
    X, Y = np.arange(6.0).reshape(2, 3), np.array([0, 1, 0])
    batches = list(minibatches(X, Y, 1, np.random.default_rng(0)))  # mutant: batch_size <= 1 refused
    assert [x.shape for x, _ in batches] == [(2, 1)] * 3
    with pytest.raises(ValueError, match=r"^Y must be \(k, m\) or \(m,\), got shape \(1, 1, 3\)$"):
        minibatches(X, np.zeros((1, 1, 3)), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"X has 3 examples \(columns\) but Y has 5$"):
        minibatches(X, np.zeros(5), 2, np.random.default_rng(0))  # mutant: Y.shape[+1]
    with pytest.raises(ValueError, match=r"X has 3 examples \(columns\) but Y has 5$"):
        minibatches(X, np.zeros((2, 5)), 2, np.random.default_rng(0))  # mutant: Y.shape[-2]
    with pytest.raises(TypeError, match=r"^rng must be a np.random.Generator"):
        minibatches(X, Y, 2, 0)


def test_label_checks_list_at_most_five_bad_values():
    Y = np.array([[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 0.0]])
    with pytest.raises(ValueError) as info:
        check_binary_labels("Y", Y)
    assert listed(str(info.value)) == [2.0, 3.0, 4.0, 5.0, 6.0]
    with pytest.raises(ValueError) as info:
        check_labels("y", np.array([5, 6, 7, 8, 9, 10, 0]), 3)
    assert listed(str(info.value)) == [5, 6, 7, 8, 9]


def test_relative_error_is_computed_in_float64():
    """Mutants: np.asarray(..) without dtype=float64; in float32 the squares of 3e19 overflow."""
    a = np.array([3e19, 0.0], dtype=np.float32)
    n = np.array([0.0, 3e19], dtype=np.float32)
    assert relative_error(a, n) == pytest.approx(np.sqrt(2) / 2, rel=1e-6)


def test_check_gradients_uses_its_step_and_names_the_bad_parameter():
    W = np.array([[1.0, -2.0]])
    params = {"W": W}
    # with h = 0.5 the centred difference of w^3 is 3w^2 + h^2: the error is that of h, not of 1e-5
    errors = check_gradients(lambda: float(np.sum(params["W"] ** 3)), params, {"W": 3 * W ** 2}, h=0.5)
    expected = relative_error(3 * W ** 2, 3 * W ** 2 + 0.25)
    assert errors["W"] == pytest.approx(expected, rel=1e-6) and errors["W"] > 1e-3
    np.testing.assert_allclose(numerical_gradient(lambda x: float(np.sum(x ** 3)), W.copy(), h=0.5), 3 * W ** 2 + 0.25)
    with pytest.raises(TypeError, match=r"params\['W'\] must be a float64 ndarray, got list$"):
        check_gradients(lambda: 0.0, {"W": [1.0]}, {"W": [0.0]})
    with pytest.raises(TypeError, match=r"params\['W'\] must be a float64 ndarray, got ndarray float32$"):
        check_gradients(lambda: 0.0, {"W": np.zeros(1, np.float32)}, {"W": np.zeros(1)})
    with pytest.raises(TypeError, match=r"^x must be a float64 ndarray"):
        numerical_gradient(lambda x: 0.0, np.zeros(2, np.float32))


def test_initialize_weights_messages_name_what_came():
    with pytest.raises(TypeError, match=r"dtype must be np.float32 or np.float64, got int64$"):
        initialize_weights(2, 3, "he", np.random.default_rng(0), np.int64)
    with pytest.raises(TypeError, match=r"^rng must be a np.random.Generator"):
        initialize_weights(2, 3, "he", 0)


def test_dense_keeps_its_dtype_and_skips_da_prev_when_asked():
    layer = Dense(3, 2, "relu", "he", np.random.default_rng(0), np.float32)
    assert layer.params["b"].dtype == np.float32  # mutant: b created as float64
    A_prev = np.random.default_rng(1).standard_normal((3, 4))
    A, cache = layer.forward(A_prev)
    dA_prev, grads = layer.backward(np.ones_like(A), cache, need_dA_prev=False)
    assert dA_prev is None and grads["W"].shape == (2, 3)  # mutant: need_dA_prev not passed on
    A, cache = dense_forward(A_prev, layer.params["W"], layer.params["b"], "tanh")
    assert dense_backward(np.ones_like(A), cache, need_dA_prev=False)[0] is None
    assert dense_backward(np.ones_like(A), cache)[0].shape == (3, 4)
