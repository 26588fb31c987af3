"""nnlib.gradcheck: numerical gradients, relative error, and the checker catching wrong gradients."""

import numpy as np
import pytest

from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


# --- numerical_gradient ---------------------------------------------------------------------------

def test_numerical_gradient_of_a_quadratic():
    rng = np.random.default_rng(0)
    M, c, x = rng.normal(size=(5, 5)), rng.normal(size=5), rng.normal(size=5)
    numeric = numerical_gradient(lambda v: 0.5 * v @ M @ v + c @ v, x)
    assert relative_error(0.5 * (M + M.T) @ x + c, numeric) < 1e-7


def test_numerical_gradient_of_elementwise_functions_any_shape():
    rng = np.random.default_rng(1)
    V = rng.normal(size=(2, 3, 4))
    W = rng.normal(size=(2, 3, 4))
    numeric = numerical_gradient(lambda w: np.sum(np.sin(w) * V) + np.sum(np.exp(w / 3)), W)
    assert numeric.shape == W.shape and numeric.dtype == np.float64
    assert relative_error(np.cos(W) * V + np.exp(W / 3) / 3, numeric) < 1e-7


def test_numerical_gradient_of_a_linear_function_is_exact_enough():
    a = np.array([[1.0, -2.0], [3.0, 0.5]])
    numeric = numerical_gradient(lambda w: float(np.sum(a * w)), np.zeros((2, 2)), h=1e-3)
    np.testing.assert_allclose(numeric, a, rtol=1e-10)


def test_numerical_gradient_through_a_closure_and_restores_x_exactly():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(3, 4))
    X = rng.normal(size=(4, 6))
    before = W.copy()
    numeric = numerical_gradient(lambda _: np.sum((W @ X) ** 2) / 2, W)   # reads W, not its argument
    assert relative_error((W @ X) @ X.T, numeric) < 1e-7
    assert np.array_equal(W, before) and W.tobytes() == before.tobytes()


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("x", [np.ones(3, dtype=np.float32), [1.0, 2.0], np.arange(3)])
def test_numerical_gradient_requires_float64_arrays(x):
    with pytest.raises(TypeError, match="x must be a float64 ndarray"):
        numerical_gradient(lambda v: 0.0, x)


# --- relative_error -------------------------------------------------------------------------------

def test_relative_error_properties():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, b) == pytest.approx(relative_error(b, a))            # symmetric
    assert relative_error(1e-9 * a, 1e-9 * b) == pytest.approx(relative_error(a, b))  # scale-free
    assert relative_error(1e9 * a, 1e9 * b) == pytest.approx(relative_error(a, b))
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, np.zeros_like(a)) == pytest.approx(1.0)
    for c in [0.5, 2.0, 1.001, 10.0]:
        assert relative_error(c * a, a) == pytest.approx(abs(c - 1) / (c + 1))
    for _ in range(20):
        assert 0.0 <= relative_error(rng.normal(size=5), rng.normal(size=5)) <= 1.0
    assert isinstance(relative_error(a, b), float)


def test_relative_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"analytic has shape \(3, 1\) but numeric has shape \(1, 3\)"):
        relative_error(np.zeros((3, 1)), np.zeros((1, 3)))


# --- check_gradients ------------------------------------------------------------------------------

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture
def neuron():
    """A single sigmoid neuron with cross-entropy cost: params, correct grads, cost()."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(4, 15))
    Y = rng.integers(0, 2, size=(1, 15)).astype(float)
    params = {"w": rng.normal(size=(4, 1)), "b": rng.normal(size=(1, 1))}

    def cost():
        A = sigmoid(params["w"].T @ X + params["b"])
        return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))

    dZ = sigmoid(params["w"].T @ X + params["b"]) - Y
    grads = {"w": X @ dZ.T / 15, "b": dZ.sum(axis=1, keepdims=True) / 15}
    return params, grads, cost


def test_check_gradients_accepts_correct_gradients(neuron):
    params, grads, cost = neuron
    before = {k: v.copy() for k, v in params.items()}
    errors = check_gradients(cost, params, grads)
    assert set(errors) == {"w", "b"}
    assert all(err < 1e-7 for err in errors.values()), errors
    for k in params:
        assert np.array_equal(params[k], before[k])


@pytest.mark.parametrize(
    "bug, wrong",
    [(lambda g: {**g, "b": g["b"] * 15}, "b"),                     # forgot the 1/m in db
     (lambda g: {**g, "w": -g["w"]}, "w"),                         # sign flipped
     (lambda g: {**g, "w": g["w"][::-1].copy()}, "w"),             # entries swapped
     (lambda g: {**g, "w": g["w"] * 1.01}, "w")],                  # 1% off
)
def test_check_gradients_detects_a_wrong_gradient(neuron, bug, wrong):
    params, grads, cost = neuron
    errors = check_gradients(cost, params, bug(grads))
    assert errors[wrong] > 1e-3, errors
    assert all(err < 1e-7 for name, err in errors.items() if name != wrong), errors


def test_check_gradients_detects_a_transposed_square_gradient():
    rng = np.random.default_rng(5)
    W, X, T = rng.normal(size=(3, 3)), rng.normal(size=(3, 8)), rng.normal(size=(3, 8))
    cost = lambda: 0.5 * np.sum((W @ X - T) ** 2) / 8               # noqa: E731
    right = (W @ X - T) @ X.T / 8
    assert check_gradients(cost, {"W": W}, {"W": right})["W"] < 1e-7
    assert check_gradients(cost, {"W": W}, {"W": right.T})["W"] > 1e-3


def test_check_gradients_rejects_bad_arguments(neuron):
    params, grads, cost = neuron
    with pytest.raises(ValueError, match=r"mismatched: \['b'\]"):
        check_gradients(cost, params, {"w": grads["w"]})
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(1, 4\) but params\['w'\] has shape \(4, 1\)"):
        check_gradients(cost, params, {**grads, "w": grads["w"].T})
    with pytest.raises(TypeError, match=r"params\['b'\] must be a float64 ndarray"):
        check_gradients(cost, {**params, "b": params["b"].astype(np.float32)}, grads)
    with pytest.raises(TypeError, match=r"params\['b'\] must be a float64 ndarray, got float"):
        check_gradients(cost, {**params, "b": 0.5}, {**grads, "b": np.zeros(())})
