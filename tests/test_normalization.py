"""nnlib.normalization (notebook 11): batch norm's two backward passes (graph and compact) against each
other and against finite differences, in training and inference mode, for (n, m) and (C, H, W, m)
inputs; layer norm; running averages; the layer protocol, dtypes, extreme and bad input.

Convention (notebook 04): the dY a backward receives is m * dJ/dY, so with f = sum(dY * Y) the
returned dX equals df/dX and dgamma, dbeta equal (1/m) df/dgamma, (1/m) df/dbeta.
"""

import numpy as np
import pytest

from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.layers import Dense
from nnlib.model import Model
from nnlib.normalization import (
    BatchNorm,
    LayerNorm,
    batchnorm_backward,
    batchnorm_backward_graph,
    batchnorm_forward,
    batchnorm_inference,
    batchnorm_inference_backward,
    layernorm_backward,
    layernorm_forward,
    standardize_backward,
    standardize_backward_graph,
    standardize_forward,
)
from nnlib.optim import Adam
from nnlib.softmax import SoftmaxCrossEntropy
from nnlib.training import fit

TOL = 1e-7
SHAPES = [(5, 7), (3, 4, 4, 6), (2, 3)]  # not m = 2: then x̂ = ±1 whatever X, and dX = 0

pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def arrays(shape, param_shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(1.5, 3.0, size=shape), rng.normal(size=param_shape), rng.normal(size=param_shape),
            rng.normal(size=shape))


def bn_param_shape(shape):
    return (shape[0],) + (1,) * (len(shape) - 1)


def ln_param_shape(shape):
    return shape[:-1] + (1,)


def function_errors(forward, backward, X, gamma, beta, dY):
    """Relative errors of (dX, dgamma, dbeta) from backward against finite differences of sum(dY * Y)."""
    f = lambda: float(np.sum(forward(X, gamma, beta)[0] * dY))
    dX, dgamma, dbeta = backward(dY, forward(X, gamma, beta)[1])
    m = X.shape[-1]
    return (relative_error(dX, numerical_gradient(lambda _: f(), X)),
            relative_error(dgamma, numerical_gradient(lambda _: f(), gamma) / m),
            relative_error(dbeta, numerical_gradient(lambda _: f(), beta) / m))


@pytest.mark.parametrize("shape", SHAPES)
def test_batchnorm_training_backward_against_finite_differences(shape):
    X, gamma, beta, dY = arrays(shape, bn_param_shape(shape))
    assert max(function_errors(batchnorm_forward, batchnorm_backward, X, gamma, beta, dY)) < TOL
    assert max(function_errors(batchnorm_forward, batchnorm_backward_graph, X, gamma, beta, dY)) < TOL


@pytest.mark.parametrize("shape", SHAPES)
def test_graph_and_compact_backward_are_equal(shape):
    X, gamma, beta, dY = arrays(shape, bn_param_shape(shape), seed=3)
    _, cache = batchnorm_forward(X, gamma, beta)
    for graph, compact in zip(batchnorm_backward_graph(dY, cache), batchnorm_backward(dY, cache)):
        np.testing.assert_allclose(graph, compact, rtol=1e-12, atol=1e-12)
    for axes in [(0,), (1,), (0, 1)]:
        Z = np.random.default_rng(1).normal(size=(4, 6))
        _, c = standardize_forward(Z, axes)
        dZ = np.random.default_rng(2).normal(size=(4, 6))
        np.testing.assert_allclose(standardize_backward_graph(dZ, c), standardize_backward(dZ, c), atol=1e-12)


def test_compact_backward_has_no_component_along_shift_and_scale():
    X, gamma, beta, dY = arrays((6, 9), (6, 1), seed=4)
    _, cache = batchnorm_forward(X, gamma, beta, eps=0.0)  # with ε > 0 the scale part holds up to O(ε/σ²)
    dX = batchnorm_backward(dY, cache)[0]
    Xhat = cache[1][0]
    np.testing.assert_allclose(dX.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.sum(Xhat * dX, axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_batchnorm_inference_backward_against_finite_differences(shape):
    X, gamma, beta, dY = arrays(shape, bn_param_shape(shape), seed=5)
    rng = np.random.default_rng(6)
    mean, var = rng.normal(size=gamma.shape), rng.uniform(0.5, 2.0, size=gamma.shape)
    forward = lambda X_, g, b: batchnorm_inference(X_, g, b, mean, var)
    assert max(function_errors(forward, batchnorm_inference_backward, X, gamma, beta, dY)) < TOL


@pytest.mark.parametrize("shape", [(5, 7), (3, 4, 4, 6), (3, 2), (3, 1)])
def test_layernorm_backward_against_finite_differences(shape):
    X, gamma, beta, dY = arrays(shape, ln_param_shape(shape), seed=7)
    assert max(function_errors(layernorm_forward, layernorm_backward, X, gamma, beta, dY)) < TOL


def test_forward_statistics():
    X, _, _, _ = arrays((5, 40), (5, 1))
    Y, _ = batchnorm_forward(X, np.ones((5, 1)), np.zeros((5, 1)))
    np.testing.assert_allclose(Y.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=1), 1, atol=1e-5)
    Y, _ = layernorm_forward(X, np.ones((5, 1)), np.zeros((5, 1)))
    np.testing.assert_allclose(Y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=0), 1, atol=1e-4)
    X4 = np.random.default_rng(0).normal(2.0, 5.0, size=(3, 4, 4, 8))
    Y4, _ = batchnorm_forward(X4, np.ones((3, 1, 1, 1)), np.zeros((3, 1, 1, 1)))
    np.testing.assert_allclose(Y4.mean(axis=(1, 2, 3)), 0, atol=1e-12)  # one mean per channel


def small_model(norm_layer, first="tanh", seed=0):
    rng = np.random.default_rng(seed)
    return Model([Dense(4, 6, first, "he", rng), norm_layer, Dense(6, 3, "identity", "he", rng)],
                 SoftmaxCrossEntropy())


def model_errors(model, training, seed=1, m=8):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(4, m)), np.eye(3)[:, rng.integers(0, 3, m)]
    Z, caches = model.forward(X, training)
    grads = model.backward(model.output.loss(Z, Y)[1], caches)
    return check_gradients(lambda: model.output.loss(model.forward(X, training)[0], Y)[0], model.params, grads)


@pytest.mark.parametrize("activation", ["identity", "relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("kind", ["batch norm, training", "batch norm, inference", "layer norm"])
def test_whole_model_gradient_check(kind, activation):
    if kind == "layer norm":
        model, training = small_model(LayerNorm(6, activation=activation)), True
    else:
        model, training = small_model(BatchNorm(6, activation=activation)), kind.endswith("training")
        model.layers[1].state["running_mean"][:] = np.random.default_rng(2).normal(size=(6, 1))
        model.layers[1].state["running_var"][:] = np.random.default_rng(3).uniform(0.5, 2, size=(6, 1))
    errors = model_errors(model, training)
    assert sorted(errors) == ["W1", "W3", "b1", "b3", "beta2", "gamma2"]
    assert max(errors.values()) < TOL, errors


def test_a_bias_before_batch_norm_gets_no_gradient():
    model = small_model(BatchNorm(6), first="identity")
    rng = np.random.default_rng(1)
    _, grads = model.loss_and_grads(rng.normal(size=(4, 8)), np.eye(3)[:, rng.integers(0, 3, 8)])
    assert np.linalg.norm(grads["b1"]) < 1e-14


def test_running_averages_and_state():
    layer = BatchNorm(3, momentum=0.8)
    X = np.random.default_rng(0).normal(2.0, 3.0, size=(3, 10))
    layer.forward(X, training=True)
    np.testing.assert_allclose(layer.state["running_mean"], 0.2 * X.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(layer.state["running_var"], 0.8 + 0.2 * X.var(axis=1, keepdims=True))
    before = {k: v.copy() for k, v in layer.state.items()}
    layer.forward(X, training=False)  # inference leaves the state alone
    for key, value in before.items():
        np.testing.assert_array_equal(layer.state[key], value)
    Y, _ = layer.forward(X, training=False)
    expected = (X - layer.state["running_mean"]) / np.sqrt(layer.state["running_var"] + 1e-5)
    np.testing.assert_allclose(Y, expected)


def test_optimizers_never_see_the_state():
    rng = np.random.default_rng(0)
    model = Model([Dense(4, 6, "identity", "he", rng), BatchNorm(6, activation="relu"),
                   Dense(6, 3, "identity", "he", rng)], SoftmaxCrossEntropy())
    assert sorted(model.params) == ["W1", "W3", "b1", "b3", "beta2", "gamma2"]
    X, Y = rng.normal(size=(4, 40)), np.eye(3)[:, rng.integers(0, 3, 40)]
    fit(model, X, Y, Adam(0.01), epochs=3, batch_size=8, rng=np.random.default_rng(1))
    assert not np.allclose(model.params["gamma2"], 1)
    assert not np.allclose(model.layers[1].state["running_mean"], 0)


def test_batch_of_one_in_training_is_a_clear_error_and_fine_in_inference():
    layer = BatchNorm(5)
    X = np.random.default_rng(0).normal(size=(5, 30))
    for _ in range(3):
        layer.forward(X, training=True)
    with pytest.raises(ValueError, match=r"A_prev has m = 1 example.*training=False"):
        layer.forward(X[:, :1], training=True)
    alone = layer.forward(X[:, 4:5], training=False)[0]
    np.testing.assert_array_equal(alone, layer.forward(X, training=False)[0][:, 4:5])
    LayerNorm(5).forward(X[:, :1], training=True)  # layer norm needs no batch


@pytest.mark.parametrize("layer", [BatchNorm(4, dtype=np.float32), LayerNorm(4, dtype=np.float32)])
def test_float32_stays_float32(layer):
    X = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    for training in (True, False):
        A, cache = layer.forward(X, training)
        dA_prev, grads = layer.backward(np.ones_like(A), cache)
        assert A.dtype == dA_prev.dtype == np.float32
        assert all(g.dtype == np.float32 for g in grads.values())
    assert all(v.dtype == np.float32 for v in getattr(layer, "state", {}).values())


@pytest.mark.parametrize("layer", [BatchNorm(3, activation="sigmoid"), LayerNorm(3, activation="tanh")])
def test_extreme_and_constant_inputs_stay_finite(layer):
    X = np.array([[1e4, -1e4, 1e4, -1e4], [5.0, 5.0, 5.0, 5.0], [0.0, 1e-8, 0.0, 1e4]])
    for training in (True, False):
        A, cache = layer.forward(X, training)
        dA_prev, grads = layer.backward(np.ones_like(A), cache)
        assert np.all(np.isfinite(A)) and np.all(np.isfinite(dA_prev))
        assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_image_inputs():
    layer = BatchNorm((3, 4, 4))
    assert layer.n_in == layer.n_out == (3, 4, 4)
    assert layer.params["gamma"].shape == (3, 1, 1, 1)
    A, _ = layer.forward(np.random.default_rng(0).normal(size=(3, 4, 4, 1)), training=True)  # 16 values per channel
    assert A.shape == (3, 4, 4, 1)
    assert LayerNorm((3, 4, 4)).params["gamma"].shape == (3, 4, 4, 1)


@pytest.mark.parametrize("layer", [BatchNorm(4, momentum=0.5, eps=1e-3, activation="tanh"), BatchNorm((2, 3, 3)),
                                   LayerNorm(4, activation="relu"), LayerNorm((2, 3, 3))])
def test_config_rebuilds_the_layer(layer):
    rebuilt = type(layer)(**layer.config())
    assert rebuilt.config() == layer.config()
    assert rebuilt.n_in == layer.n_in


def test_bad_input():
    with pytest.raises(ValueError, match="n must be a positive integer"):
        BatchNorm(0)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        LayerNorm("4")
    with pytest.raises(ValueError, match="momentum must be a number in"):
        BatchNorm(4, momentum=1.0)
    with pytest.raises(ValueError, match="eps must be a positive number"):
        LayerNorm(4, eps=0)
    with pytest.raises(ValueError, match="at least 2 features"):
        LayerNorm(1)
    with pytest.raises(TypeError, match="dtype must be"):
        BatchNorm(4, dtype=np.int64)
    with pytest.raises(ValueError, match="activation"):
        BatchNorm(4, activation="softplus")
    with pytest.raises(ValueError, match=r"A_prev must have shape \(4, 'm'\)"):
        BatchNorm(4).forward(np.ones((3, 5)), True)
    with pytest.raises(ValueError, match="A_prev contains NaN"):
        LayerNorm(2).forward(np.array([[1.0, np.nan], [0.0, 1.0]]))
