"""nnlib.monitoring (notebook 09): bit-identical training against model.train, the recorded norms and
ratios, divergence handled quietly, bad input named."""
import warnings

import numpy as np
import pytest

import toy_data
from nnlib.model import mlp, train
from nnlib.monitoring import gradient_norms, learning_rate_sweep, train_monitored


data = toy_data.binary


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
