"""nnlib.losses: binary cross-entropy from probabilities and from logits."""

import numpy as np
import pytest

from nnlib.activations import sigmoid
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import binary_cross_entropy, binary_cross_entropy_derivative, sigmoid_cross_entropy


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    Z = rng.normal(0, 2, size=(1, 12))
    Y = rng.integers(0, 2, size=(1, 12)).astype(float)
    return Z, Y


def test_binary_cross_entropy_value(problem):
    Z, Y = problem
    A = sigmoid(Z)
    expected = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    cost = binary_cross_entropy(A, Y)
    assert isinstance(cost, float)
    assert cost == pytest.approx(expected, rel=1e-14)
    assert binary_cross_entropy(np.full((1, 4), 0.5), np.array([[0, 1, 1, 0]])) == pytest.approx(np.log(2))


def test_binary_cross_entropy_derivative_is_the_gradient_of_the_summed_loss(problem):
    Z, Y = problem
    A = sigmoid(Z)                                  # strictly inside (0, 1)
    m = A.shape[1]
    numeric = numerical_gradient(lambda a: m * binary_cross_entropy(a, Y), A, h=1e-7)
    assert relative_error(binary_cross_entropy_derivative(A, Y), numeric) < 1e-7


def test_sigmoid_cross_entropy_gradient(problem):
    Z, Y = problem
    m = Z.shape[1]
    cost, dZ = sigmoid_cross_entropy(Z, Y)
    assert isinstance(cost, float) and dZ.shape == (1, m)
    np.testing.assert_allclose(dZ, sigmoid(Z) - Y, rtol=0, atol=1e-15)
    numeric = numerical_gradient(lambda z: m * sigmoid_cross_entropy(z, Y)[0], Z)
    assert relative_error(dZ, numeric) < 1e-7


def test_logits_and_probabilities_agree_where_sigmoid_is_not_saturated(problem):
    Z, Y = problem
    assert sigmoid_cross_entropy(Z, Y)[0] == pytest.approx(binary_cross_entropy(sigmoid(Z), Y), rel=1e-12)


def test_chain_rule_dA_times_sigma_prime_is_A_minus_Y(problem):
    Z, Y = problem
    A = sigmoid(Z)
    np.testing.assert_allclose(binary_cross_entropy_derivative(A, Y) * A * (1 - A), A - Y, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_probabilities_exactly_0_and_1_are_finite(dtype):
    A = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    cost = binary_cross_entropy(A, Y)
    assert np.isfinite(cost) and cost == pytest.approx(-np.log(1e-12) / 2, rel=1e-6)
    dA = binary_cross_entropy_derivative(A, Y)
    assert np.all(np.isfinite(dA))
    assert binary_cross_entropy(np.array([[0.0, 1.0]], dtype=dtype), np.array([[0, 1]])) == pytest.approx(0, abs=1e-11)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_logits_are_finite_and_exact(dtype):
    Z = np.array([[-1e4, 1e4, -1e4, 1e4, -1000.0, 40.0]], dtype=dtype)
    Y = np.array([[1.0, 0.0, 0.0, 1.0, 1.0, 0.0]])
    cost, dZ = sigmoid_cross_entropy(Z, Y)
    # per example: 1e4, 1e4, 0, 0, 1000, 40 (+ log1p(e^-40) ~ 4e-18)
    assert cost == pytest.approx((1e4 + 1e4 + 1000 + 40) / 6, rel=1e-6)
    assert dZ.dtype == dtype and np.all(np.isfinite(dZ))
    np.testing.assert_allclose(dZ, [[-1, 1, 0, 0, -1, 1]], atol=1e-6)


def test_float32_logits_give_float32_dZ_and_float64_cost():
    Z = np.array([[0.5, -1.5]], dtype=np.float32)
    cost, dZ = sigmoid_cross_entropy(Z, np.array([[1, 0]]))
    assert dZ.dtype == np.float32 and isinstance(cost, float)
    assert sigmoid_cross_entropy(Z.astype(np.float64), np.array([[1, 0]]))[1].dtype == np.float64


@pytest.mark.parametrize("fn, arg", [(binary_cross_entropy, "A"), (binary_cross_entropy_derivative, "A"),
                                     (lambda z, y: sigmoid_cross_entropy(z, y), "Z")])
def test_wrong_shapes_raise_naming_the_argument(fn, arg):
    good = np.full((1, 4), 0.5)
    Y = np.array([[0, 1, 1, 0]])
    with pytest.raises(ValueError, match=f"{arg} must be 2-D"):
        fn(good[0], Y)                                      # (m,) instead of (1, m)
    with pytest.raises(ValueError, match=rf"{arg} must have shape \(1, any\), got \(4, 1\)"):
        fn(good.T, Y.T)                                     # transposed
    with pytest.raises(ValueError, match=rf"{arg} must have shape \(1, any\), got \(2, 4\)"):
        fn(np.vstack([good, good]), np.vstack([Y, Y]))
    with pytest.raises(ValueError, match=r"Y must have shape \(1, 4\), got \(1, 3\)"):
        fn(good, Y[:, :3])
    with pytest.raises(ValueError, match="Y must be 2-D"):
        fn(good, Y[0])


@pytest.mark.parametrize("fn, arg", [(binary_cross_entropy, "A"), (binary_cross_entropy_derivative, "A"),
                                     (lambda z, y: sigmoid_cross_entropy(z, y), "Z")])
def test_nan_inputs_and_bad_labels_are_rejected(fn, arg):
    A = np.array([[0.2, 0.7, 0.5]])
    Y = np.array([[0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match=f"{arg} contains NaN"):
        fn(np.array([[0.2, np.nan, 0.5]]), Y)
    with pytest.raises(ValueError, match="Y contains NaN"):
        fn(A, np.array([[0.0, np.nan, 1.0]]))
    with pytest.raises(ValueError, match=r"Y must contain only 0 and 1, found \[2.0\]"):
        fn(A, np.array([[0, 2, 1]]))
    with pytest.raises(ValueError, match="Y must contain only 0 and 1"):
        fn(A, np.array([[0.0, 0.5, 1.0]]))
    with pytest.raises(ValueError, match="Y must contain only 0 and 1"):
        fn(A, np.array([[-1, 1, 1]]))                       # labels in {-1, +1} are not ours


@pytest.mark.parametrize("fn", [binary_cross_entropy, binary_cross_entropy_derivative])
def test_probabilities_outside_0_1_are_rejected(fn):
    with pytest.raises(ValueError, match=r"A must hold probabilities in \[0, 1\]"):
        fn(np.array([[1.5, 0.5]]), np.array([[1, 0]]))
    with pytest.raises(ValueError, match="pass logits to sigmoid_cross_entropy"):
        fn(np.array([[-0.1, 0.5]]), np.array([[1, 0]]))


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="Z must be a numeric array"):
        sigmoid_cross_entropy(np.array([["a", "b"]]), np.array([[0, 1]]))
