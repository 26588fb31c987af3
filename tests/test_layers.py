"""nnlib.layers: every forward/backward pair against finite differences, the Dense layer protocol,
extreme inputs, dtypes and bad input.

Convention (notebook 04): the cost is a mean over the m columns and the gradients that flow between
layers (dZ, dA) are per example, so with the test cost J = (1/m) sum(R * out) the upstream gradient is
R, dW and db equal dJ/dW and dJ/db, and dA_prev, dZ equal m * dJ/dA_prev, m * dJ/dZ.
"""

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import (Dense, activation_backward, activation_forward, dense_backward, dense_forward,
                          linear_backward, linear_forward)

ACTIVATIONS = ["relu", "tanh", "sigmoid", "identity"]
TOL = 1e-7


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    n_prev, n, m = 4, 3, 5
    return {"A_prev": rng.standard_normal((n_prev, m)), "W": rng.standard_normal((n, n_prev)),
            "b": rng.standard_normal((n, 1)), "R": rng.standard_normal((n, m)), "m": m}


def mean_dot(R, out):
    return float(np.sum(R * out)) / out.shape[1]


def test_linear_forward_values_and_shapes(data):
    Z, cache = linear_forward(data["A_prev"], data["W"], data["b"])
    np.testing.assert_allclose(Z, data["W"] @ data["A_prev"] + data["b"])
    assert Z.shape == (3, 5)
    assert cache[0] is data["A_prev"] and cache[1] is data["W"]


def test_linear_backward_matches_finite_differences(data):
    A_prev, W, b, R, m = data["A_prev"], data["W"], data["b"], data["R"], data["m"]
    _, cache = linear_forward(A_prev, W, b)
    dA_prev, dW, db = linear_backward(R, cache)
    assert dA_prev.shape == A_prev.shape and dW.shape == W.shape and db.shape == b.shape
    f = lambda _: mean_dot(R, linear_forward(A_prev, W, b)[0])  # noqa: E731
    assert relative_error(dW, numerical_gradient(f, W)) < TOL
    assert relative_error(db, numerical_gradient(f, b)) < TOL
    assert relative_error(dA_prev, m * numerical_gradient(f, A_prev)) < TOL


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_activation_backward_matches_finite_differences(data, activation):
    Z = np.random.default_rng(1).uniform(-3, 3, (3, 5))
    Z[np.abs(Z) < 1e-3] = 0.5  # away from ReLU's kink
    R, m = data["R"], data["m"]
    A, cache = activation_forward(Z, activation)
    dZ = activation_backward(R, cache)
    assert dZ.shape == Z.shape
    numeric = m * numerical_gradient(lambda _: mean_dot(R, activation_forward(Z, activation)[0]), Z)
    assert relative_error(dZ, numeric) < TOL


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_backward_matches_finite_differences(data, activation):
    A_prev, W, b, R, m = data["A_prev"], data["W"], data["b"], data["R"], data["m"]
    A, cache = dense_forward(A_prev, W, b, activation)
    dA_prev, dW, db = dense_backward(R, cache)
    f = lambda _: mean_dot(R, dense_forward(A_prev, W, b, activation)[0])  # noqa: E731
    assert relative_error(dW, numerical_gradient(f, W)) < TOL
    assert relative_error(db, numerical_gradient(f, b)) < TOL
    assert relative_error(dA_prev, m * numerical_gradient(f, A_prev)) < TOL


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_layer_object_follows_the_protocol(data, activation):
    layer = Dense(4, 3, activation, init="xavier", rng=np.random.default_rng(0))
    assert set(layer.params) == {"W", "b"} and layer.n_in == 4 and layer.n_out == 3
    assert layer.params["W"].shape == (3, 4) and not layer.params["b"].any()
    layer.params["b"][...] = np.random.default_rng(1).normal(0, 0.1, (3, 1))
    A_prev, R, m = data["A_prev"], data["R"], data["m"]
    A, cache = layer.forward(A_prev, training=True)
    A_inference, _ = layer.forward(A_prev)
    np.testing.assert_array_equal(A, A_inference)  # a dense layer ignores the training flag
    dA_prev, grads = layer.backward(R, cache)
    assert set(grads) == set(layer.params)
    f = lambda _: mean_dot(R, layer.forward(A_prev)[0])  # noqa: E731
    for name, p in layer.params.items():
        assert relative_error(grads[name], numerical_gradient(f, p)) < TOL, name
    assert relative_error(dA_prev, m * numerical_gradient(f, A_prev)) < TOL


def test_config_rebuilds_the_same_layer():
    layer = Dense(6, 2, "tanh", init="he", rng=np.random.default_rng(5))
    config = layer.config()
    assert config == {"n_in": 6, "n_out": 2, "activation": "tanh", "init": "he"}
    twin = Dense(**config, rng=np.random.default_rng(5))
    assert twin.params["W"].tobytes() == layer.params["W"].tobytes()
    assert repr(layer) == "Dense(6 -> 2, tanh)"


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_extreme_inputs_stay_finite_without_warnings(activation):
    A_prev = np.array([[1e4, -1e4, 0.0, 3.0]])
    W, b = np.ones((2, 1)), np.zeros((2, 1))
    A, cache = dense_forward(A_prev, W, b, activation)
    dA_prev, dW, db = dense_backward(np.ones_like(A), cache)
    for array in (A, dA_prev, dW, db):
        assert np.all(np.isfinite(array))
    if activation == "sigmoid":
        assert A[0, 0] == 1.0 and A[0, 1] == 0.0


def test_float32_layers_stay_float32():
    layer = Dense(3, 2, "sigmoid", rng=np.random.default_rng(0), dtype=np.float32)
    A_prev = np.ones((3, 4), dtype=np.float32)
    A, cache = layer.forward(A_prev)
    dA_prev, grads = layer.backward(np.ones_like(A), cache)
    assert A.dtype == dA_prev.dtype == grads["W"].dtype == grads["b"].dtype == np.float32


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_in": 0, "n_out": 3}, ValueError, "n_in must be a positive integer"),
    ({"n_in": 2.5, "n_out": 3}, ValueError, "n_in must be a positive integer"),
    ({"n_in": 2, "n_out": "3"}, ValueError, "n_out must be a positive integer"),
    ({"n_in": 2, "n_out": 3, "activation": "softplus"}, ValueError, "activation must be one of"),
    ({"n_in": 2, "n_out": 3, "init": "uniform"}, ValueError, "init must be one of"),
    ({"n_in": 2, "n_out": 3, "rng": None}, TypeError, "rng must be a np.random.Generator"),
])
def test_bad_constructor_arguments(kwargs, error, match):
    kwargs.setdefault("rng", np.random.default_rng(0))
    with pytest.raises(error, match=match):
        Dense(**kwargs)


def test_forward_with_the_wrong_number_of_rows_names_A_prev():
    layer = Dense(4, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"A_prev must have shape \(4, m\)"):
        layer.forward(np.ones((3, 5)))
    with pytest.raises(ValueError, match="A_prev must have shape"):
        layer.forward(np.ones(4))


def test_linear_backward_can_skip_the_input_gradient():
    rng = np.random.default_rng(7)
    A_prev, W, b = rng.normal(size=(4, 6)), rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
    Z, cache = linear_forward(A_prev, W, b)
    dZ = rng.normal(size=Z.shape)
    full = linear_backward(dZ, cache)
    skipped = linear_backward(dZ, cache, need_dA_prev=False)
    assert skipped[0] is None
    assert np.array_equal(full[1], skipped[1]) and np.array_equal(full[2], skipped[2])
