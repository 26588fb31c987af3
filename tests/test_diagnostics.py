"""nnlib.diagnostics (notebook 09): the definitions on hand-made arrays, bit-identical
training against model.train, divergence handled quietly, bad input named."""
import warnings

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.diagnostics import (activation_report, dead_relu_fraction, gradient_norms, learning_rate_sweep,
                               plot_activation_histograms, plot_gradient_norms, saturated_fraction,
                               trace_forward, train_monitored)
from nnlib.model import mlp, train


def data(m=40, n_x=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (X[0:1] + 0.5 * X[1:2] > 0).astype(np.float64)
    return X, Y


def test_dead_relu_fraction_counts_units_dead_on_every_example():
    Z = np.array([[-1.0, -2.0, 0.0],    # dead: never positive
                  [1.0, -1.0, -3.0],    # alive on one example
                  [0.0, 0.0, 0.0]])     # dead: z = 0 has slope 0
    assert dead_relu_fraction(Z) == pytest.approx(2 / 3)
    assert dead_relu_fraction(np.ones((4, 2))) == 0.0


def test_saturated_fraction_thresholds():
    # sigmoid: σ'(z) < 0.01 σ'(0) exactly when |z| > 5.9864
    assert saturated_fraction(np.array([[0.0, 5.98, 5.99, -6.5, 1e4, -1e4]]), "sigmoid") == pytest.approx(4 / 6)
    # tanh: 1 - tanh(z)^2 < 0.01 exactly when |z| > atanh(sqrt(0.99)) = 2.9932
    assert saturated_fraction(np.array([[0.0, 2.99, -3.0]]), "tanh") == pytest.approx(1 / 3)
    assert saturated_fraction(np.array([[1.0, 3.0]]), "sigmoid", threshold=0.5) == pytest.approx(1 / 2)


def test_saturated_fraction_extreme_inputs_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert saturated_fraction(np.array([[1e4, -1e4, 0.0, 700.0, -800.0]]), "sigmoid") == pytest.approx(0.8)


@pytest.mark.parametrize("kwargs, match", [
    ({"activation": "relu"}, "activation"),
    ({"threshold": 1.5}, "threshold"),
    ({"threshold": 0.0}, "threshold"),
])
def test_saturated_fraction_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        saturated_fraction(np.zeros((2, 2)), **kwargs)


def test_bad_Z_is_named():
    with pytest.raises(ValueError, match="Z"):
        dead_relu_fraction(np.zeros(3))
    with pytest.raises(ValueError, match="Z"):
        dead_relu_fraction(np.array([[np.nan]]))
    with pytest.raises(TypeError, match="Z"):
        saturated_fraction(np.array([["a"]]))


def test_trace_forward_matches_the_model():
    X, _ = data()
    model = mlp([5, 4, 3, 1], hidden_activation="tanh", init="xavier", rng=np.random.default_rng(1))
    trace = trace_forward(model, X)
    assert [t["name"] for t in trace] == ["layer 1 (tanh)", "layer 2 (tanh)", "layer 3 (identity)"]
    A = X
    for t, layer in zip(trace, model.layers):
        np.testing.assert_allclose(t["Z"], layer.params["W"] @ A + layer.params["b"])
        A = t["A"]
    np.testing.assert_array_equal(trace[-1]["A"], model.forward(X)[0])


def test_trace_forward_with_a_layer_without_weights():
    from nnlib.layers import Dense
    from nnlib.model import Model, SigmoidCrossEntropy
    from nnlib.regularization import Dropout
    rng = np.random.default_rng(0)
    model = Model([Dense(5, 4, "relu", "he", rng), Dropout(0.5, rng), Dense(4, 1, "identity", "he", rng)],
                  SigmoidCrossEntropy())
    X, _ = data()
    trace = trace_forward(model, X)
    assert trace[1]["Z"] is None and trace[1]["activation"] is None
    np.testing.assert_array_equal(trace[1]["A"], trace[0]["A"])  # dropout is the identity at inference
    assert len(activation_report(model, X)) == 2


def test_trace_forward_rejects_transposed_X():
    model = mlp([5, 3, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="X"):
        trace_forward(model, np.zeros((7, 5)))


def test_activation_report_fields():
    X, _ = data()
    model = mlp([5, 4, 1], hidden_activation="relu", rng=np.random.default_rng(0))
    relu_row, out_row = activation_report(model, X)
    assert relu_row["dead"] is not None and relu_row["saturated"] is None
    assert out_row["dead"] is None and out_row["saturated"] is None
    model = mlp([5, 4, 1], hidden_activation="sigmoid", init="large", rng=np.random.default_rng(0))
    row = activation_report(model, X)[0]
    assert row["dead"] is None and row["saturated"] > 0.5


def test_gradient_norms():
    grads = {"W1": np.array([[3.0, 4.0]]), "b1": np.zeros((1, 1))}
    assert gradient_norms(grads) == {"W1": 5.0, "b1": 0.0}


def test_train_monitored_is_model_train_bit_for_bit():
    X, Y = data()
    a = mlp([5, 6, 4, 1], rng=np.random.default_rng(3))
    b = mlp([5, 6, 4, 1], rng=np.random.default_rng(3))
    costs = train(a, X, Y, 0.1, 30)
    history = train_monitored(b, X, Y, 0.1, 30)
    assert history["cost"] == costs and history["diverged"] is None
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert set(history["grad_norm"]) == {"W1", "W2", "W3"}
    assert all(len(v) == 30 for v in history["update_ratio"].values())


def test_train_monitored_records_norms_and_ratios():
    X, Y = data()
    model = mlp([5, 3, 1], rng=np.random.default_rng(0))
    W1 = model.params["W1"].copy()
    _, grads = model.loss_and_grads(X, Y)
    history = train_monitored(model, X, Y, 0.5, 1)
    assert history["grad_norm"]["W1"][0] == pytest.approx(np.linalg.norm(grads["W1"]))
    assert history["update_ratio"]["W1"][0] == pytest.approx(0.5 * np.linalg.norm(grads["W1"]) / np.linalg.norm(W1))


def test_train_monitored_is_deterministic():
    X, Y = data()
    runs = []
    for _ in range(2):
        model = mlp([5, 6, 1], rng=np.random.default_rng(7))
        train_monitored(model, X, Y, 0.3, 20)
        runs.append(model.params)
    for name in runs[0]:
        np.testing.assert_array_equal(runs[0][name], runs[1][name])


def test_divergence_is_reported_quietly():
    X, Y = data()
    X = X * 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = mlp([5, 16, 16, 1], rng=np.random.default_rng(0))
        history = train_monitored(model, X, Y, 50.0, 50)
        assert history["diverged"] is not None
        assert len(history["cost"]) == history["diverged"]
        # without stopping it runs on until a cost or a weight is no longer finite, or to the end
        model = mlp([5, 16, 16, 1], rng=np.random.default_rng(0))
        history = train_monitored(model, X, Y, 1e6, 50, stop_on_divergence=False)
        assert history["diverged"] is not None
        assert all(np.isfinite(history["cost"]))


def test_train_monitored_bad_input():
    X, Y = data()
    model = mlp([5, 3, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="learning_rate"):
        train_monitored(model, X, Y, 0.0, 5)
    with pytest.raises(ValueError, match="Y"):
        train_monitored(model, X, Y[:, :10], 0.1, 5)   # a bad Y is the caller's error, not a divergence


def test_learning_rate_sweep():
    X, Y = data()
    results = learning_rate_sweep(lambda: mlp([5, 4, 1], rng=np.random.default_rng(0)), X, Y, [0.01, 0.1, 1e4], 20)
    assert [r["learning_rate"] for r in results] == [0.01, 0.1, 1e4]
    first_costs = {r["history"]["cost"][0] for r in results}
    assert len(first_costs) == 1  # a fresh model for each learning rate
    assert results[1]["history"]["cost"][-1] < results[0]["history"]["cost"][-1]
    assert results[2]["history"]["diverged"] is not None
    with pytest.raises(ValueError, match="learning_rates"):
        learning_rate_sweep(lambda: None, X, Y, [], 5)


def test_plots_return_axes():
    X, Y = data()
    model = mlp([5, 4, 3, 1], rng=np.random.default_rng(0))
    axes = plot_activation_histograms(model, X, title="t")
    assert len(axes) == 2  # the two hidden layers; the output layer's logits are left out
    ax = plot_gradient_norms(train_monitored(model, X, Y, 0.1, 5))
    assert len(ax.lines) == 3
    plt.close("all")
