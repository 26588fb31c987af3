"""Regressions for issue 14: the bad input that fuzzing the public API let through, and the five
places where the unit tests stopped short of the behaviour they describe (each of these tests fails
on the bug it names)."""
import json
import tracemalloc

import h5py
import numpy as np
import pytest

from nnlib.activations import ACTIVATIONS, relu_derivative
from nnlib.io import load_model, save_model
from nnlib.layers import activation_backward
from nnlib.losses import sigmoid_cross_entropy
from nnlib.lr_range import lr_finder, suggest_learning_rate
from nnlib.model import SigmoidCrossEntropy, mlp, train
from nnlib.optim import SGD, Adam, Momentum, RMSprop
from nnlib.regularization import EarlyStopping
from nnlib.schedules import inverse_time_decay, step_decay
from nnlib.softmax import (
    SoftmaxCrossEntropy,
    categorical_cross_entropy,
    softmax,
    softmax_cross_entropy,
)
from nnlib.training import fit


def standard_normal(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def binary_data(m=50, seed=0):
    X = standard_normal((2, m), seed)
    return X, (X[:1] > 0).astype(np.float64)


# 1. Divergence reaches its message ---------------------------------------------------------------

def test_train_diverging_for_real_raises_floating_point_error():
    X, Y = binary_data()
    model = mlp([2, 8, 1], rng=np.random.default_rng(1))
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="lower the learning rate"):
        train(model, X, Y, 1e4, 200)


def test_fit_diverging_for_real_raises_floating_point_error():
    X, Y = binary_data()
    model = mlp([2, 8, 1], rng=np.random.default_rng(1))
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit(model, X, Y, SGD(1e4), 50, 10, np.random.default_rng(0))


def test_a_bad_label_in_a_later_batch_is_still_a_value_error():
    """Only a loss error caused by blown-up weights becomes a FloatingPointError, not bad data."""
    X, Y = binary_data(m=40)
    Y[0, -1] = 2.0  # in some batch after the first step
    model = mlp([2, 4, 1], rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match="Y must contain only 0 and 1"):
        fit(model, X, Y, SGD(0.1), 3, 8, np.random.default_rng(0))


# 2. Empty batches -------------------------------------------------------------------------------

@pytest.mark.parametrize("output, Y", [(SigmoidCrossEntropy(), np.zeros((1, 0))),
                                       (SoftmaxCrossEntropy(), np.zeros((3, 0)))])
def test_an_empty_batch_is_rejected_by_the_model(output, Y):
    model = mlp([2, 4, Y.shape[0]], output=output, rng=np.random.default_rng(0))
    X = np.zeros((2, 0))
    for call in (lambda: model.loss_and_grads(X, Y), lambda: model.cost(X, Y), lambda: model.predict(X)):
        with pytest.raises(ValueError, match=r"X must hold at least one example .*\(2, 0\)"):
            call()
    with pytest.raises(ValueError, match="at least one example"):
        train(model, X, Y, 0.1, 3)
    with pytest.raises(ValueError, match="at least one example"):
        fit(model, X, Y, SGD(0.1), 1, 4, np.random.default_rng(0))


def test_an_empty_batch_is_rejected_by_the_losses():
    with pytest.raises(ValueError, match=r"Z must hold at least one example"):
        sigmoid_cross_entropy(np.zeros((1, 0)), np.zeros((1, 0)))
    with pytest.raises(ValueError, match=r"Z must hold at least one class and one example"):
        softmax_cross_entropy(np.zeros((3, 0)), np.zeros((3, 0)))
    with pytest.raises(ValueError, match=r"A must hold at least one class and one example"):
        categorical_cross_entropy(np.zeros((3, 0)), np.zeros((3, 0)))
    with pytest.raises(ValueError, match=r"Z must hold at least one class"):
        softmax(np.zeros((0, 4)))


def test_lr_finder_on_no_examples():
    with pytest.raises(ValueError, match="at least one example"):
        lr_finder(lambda: mlp([2, 1]), np.zeros((2, 0)), np.zeros((1, 0)), rng=np.random.default_rng(0))


# 3. A binary output on a last layer of 3 units --------------------------------------------------

def test_binary_output_needs_one_logit():
    with pytest.raises(ValueError, match="SigmoidCrossEntropy needs a last layer of 1 unit.*gives 3"):
        mlp([5, 4, 3], rng=np.random.default_rng(0))
    output = SigmoidCrossEntropy()
    Z = standard_normal((3, 4))
    with pytest.raises(ValueError, match=r"Z must have shape \(1, any\), got \(3, 4\)"):
        output.predict(Z)
    with pytest.raises(ValueError, match=r"Z must have shape \(1, any\), got \(3, 4\)"):
        output.probabilities(Z)
    with pytest.raises(ValueError, match="Z must be 2-D"):
        output.predict(np.zeros(4))
    assert mlp([5, 4, 3], output=SoftmaxCrossEntropy(), rng=np.random.default_rng(0)).predict(
        standard_normal((5, 6))).shape == (6,)


# 4. Non-finite hyperparameters ------------------------------------------------------------------

@pytest.mark.parametrize("make, name", [
    (lambda: SGD(np.inf), "learning_rate"), (lambda: Adam(np.inf), "learning_rate"),
    (lambda: Momentum(np.nan), "learning_rate"), (lambda: RMSprop(0.1, epsilon=np.inf), "epsilon"),
    (lambda: Adam(0.1, epsilon=np.inf), "epsilon"), (lambda: Adam(0.1, beta1=np.nan), "beta1"),
])
def test_optimizers_refuse_non_finite_hyperparameters(make, name):
    with pytest.raises(ValueError, match=f"{name} must be"):
        make()


@pytest.mark.parametrize("rate", [-1.0, 0.0, np.nan, np.inf, "0.1", None])
def test_fit_refuses_a_schedule_that_returns_a_bad_rate(rate):
    X, Y = binary_data(m=8)
    model = mlp([2, 3, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"schedule\(0\) must return a positive finite learning rate"):
        fit(model, X, Y, SGD(0.1), 2, 4, np.random.default_rng(0), schedule=lambda epoch: rate)


def test_schedules_check_their_arguments():
    assert inverse_time_decay(0.1, 1.0, 3) == pytest.approx(0.025)
    assert step_decay(0.1, 0.5, 2, 5) == pytest.approx(0.025)
    with pytest.raises(ValueError, match="every must be a positive integer"):
        step_decay(0.1, 0.5, 0, 5)
    with pytest.raises(ValueError, match="drop must be"):
        step_decay(0.1, -0.5, 2, 5)
    with pytest.raises(ValueError, match="decay_rate must be"):
        inverse_time_decay(0.1, -1.0, 3)
    with pytest.raises(ValueError, match="lr0 must be"):
        inverse_time_decay(np.inf, 1.0, 3)
    with pytest.raises(ValueError, match="epoch must be"):
        step_decay(0.1, 0.5, 2, -1)


# 5. load_model: one clear error, and no more memory than the file ---------------------------------

@pytest.fixture
def saved(tmp_path):
    rng = np.random.default_rng(0)
    model = mlp([4, 6, 3], output=SoftmaxCrossEntropy(), rng=rng)
    path = tmp_path / "m.h5"
    save_model(model, path)
    return path


def test_nan_weights_do_not_load(saved):
    with h5py.File(saved, "r+") as f:
        f["layers/1/W"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"not a valid nnlib model file: layer 1 \(Dense\) parameter 'W' contains NaN"):
        load_model(saved)


def test_a_layer_count_that_disagrees_with_the_layers(saved):
    with h5py.File(saved, "r+") as f:
        f.attrs["num_layers"] = 1
    with pytest.raises(ValueError, match=r"num_layers is 1 but the file holds the layer groups \['0', '1'\]"):
        load_model(saved)


@pytest.mark.parametrize("where, key, value", [
    ("/", "format_version", "one"),
    ("/", "num_layers", "2"),
    ("/", "num_layers", np.array([1, 2])),
    ("/", "hyperparameters", "[" * 100_000 + "]" * 100_000),  # json recursion
    ("/", "hyperparameters", "[1, 2]"),
    ("/", "output", np.array([1.0, 2.0])),
    ("layers/0", "class", np.array([1, 2])),
    ("layers/0", "config", np.zeros(3)),
    ("layers/0", "module", 7),
])
def test_malformed_metadata_gives_one_clear_error(saved, where, key, value):
    with h5py.File(saved, "r+") as f:
        f[where].attrs[key] = value
    with pytest.raises(ValueError, match="(not a valid nnlib model file|format_version)"):
        load_model(saved)


def test_a_crafted_config_allocates_nothing_big(saved):
    with h5py.File(saved, "r+") as f:
        f["layers/0"].attrs["config"] = json.dumps({"n_in": 20_000, "n_out": 20_000, "activation": "relu",
                                                    "init": "he"})  # W would be 3.2 GB
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="not a valid nnlib model file"):
            load_model(saved)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5e6


def test_a_dense_config_is_checked_against_w_before_allocating(saved):
    with h5py.File(saved, "r+") as f:
        f["layers/0"].attrs["config"] = json.dumps({"n_in": 40, "n_out": 60, "activation": "relu", "init": "he"})
    with pytest.raises(ValueError, match=r"layer 0 \(Dense\) parameter 'W' has shape \(6, 4\).*\(60, 40\)"):
        load_model(saved)


def test_a_compressed_dataset_bigger_than_the_file(saved):
    with h5py.File(saved, "r+") as f:
        del f["layers/1/b"]
        f["layers/1"].create_dataset("b", shape=(3, 10_000_000), dtype=np.float64, compression="gzip",
                                     chunks=(1, 100_000))  # 240 MB of zeros in a few kB
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"dataset 'layers/1/b' of shape \(3, 10000000\) declares"):
            load_model(saved)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5e6


# 7. layer_sizes as an array ---------------------------------------------------------------------

def test_mlp_takes_an_array_of_sizes():
    model = mlp(np.array([5, 3, 1]), rng=np.random.default_rng(0))
    assert [layer.params["W"].shape for layer in model.layers] == [(3, 5), (1, 3)]
    assert model.predict(standard_normal((5, 4))).shape == (4,)
    with pytest.raises(ValueError, match="layer_sizes must be"):
        mlp(np.array([[5, 3, 1]]))
    with pytest.raises(ValueError, match="layer_sizes must be"):
        mlp(np.array([5.0, 3.0, 1.0]))


# The five gaps --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward_is_da_times_the_derivative_even_at_the_kink(name):
    """The layer has its own copy of ReLU's rule (a mask): it must agree with relu_derivative at Z = 0."""
    Z = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.0], [0.0, -1e-300, 0.5, -0.5, 0.0]])
    dA = standard_normal(Z.shape)
    np.testing.assert_array_equal(activation_backward(dA, (Z, name)), dA * ACTIVATIONS[name][1](Z))
    if name == "relu":
        np.testing.assert_array_equal(activation_backward(np.ones_like(Z), (Z, "relu")), relu_derivative(Z))
        assert activation_backward(np.ones((1, 1)), (np.zeros((1, 1)), "relu"))[0, 0] == 0


def test_sigmoid_output_predicts_1_only_for_z_above_0():
    Z = np.array([[0.0, -0.0, 1e-300, -1e-300, 5.0, -5.0]])
    np.testing.assert_array_equal(SigmoidCrossEntropy().predict(Z), [0, 0, 1, 0, 1, 0])
    assert SigmoidCrossEntropy().predict(Z).dtype == np.int64


def test_suggest_learning_rate_is_a_tenth_of_the_best_rate():
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0, 10.0])
    assert suggest_learning_rate(lrs, np.array([3.0, 2.0, 1.0, 0.5, 9.0])) == pytest.approx(0.1)
    assert suggest_learning_rate(lrs, np.array([1.0, 2.0, 3.0, 4.0, 5.0])) == pytest.approx(1e-4)
    assert suggest_learning_rate([0.5], [7.0]) == pytest.approx(0.05)


def test_lr_finder_rates_grow_geometrically_to_lr_max():
    X, Y = binary_data(m=64)
    lrs, costs = lr_finder(lambda: mlp([2, 3, 1], rng=np.random.default_rng(0)), X, Y, lr_min=1e-6,
                           lr_max=1e-3, num_steps=7, batch_size=16, rng=np.random.default_rng(0))
    np.testing.assert_allclose(lrs, np.geomspace(1e-6, 1e-3, 7), rtol=1e-12)
    assert lrs[-1] == pytest.approx(1e-3, rel=1e-12) and costs.shape == (7,)


class _Params:
    """A stand-in model: EarlyStopping only copies params."""

    def __init__(self):
        self.params = {"W1": np.zeros((1, 1))}


@pytest.mark.parametrize("min_delta, best_epoch, stopped", [(0.0, 3, None), (0.05, 0, 2), (0.005, 3, None)])
def test_early_stopping_counts_only_improvements_above_min_delta(min_delta, best_epoch, stopped):
    costs = [1.0, 0.99, 0.98, 0.97]  # improves by 0.01 per epoch
    stopper = EarlyStopping(_Params(), patience=2, min_delta=min_delta)
    history = {"val_cost": []}
    for epoch, cost in enumerate(costs):
        history["val_cost"].append(cost)
        if stopper(epoch, history):
            break
    assert (stopper.best_epoch, stopper.stopped_epoch) == (best_epoch, stopped)
    # accuracy: higher is better, and the margin is on the other side
    stopper = EarlyStopping(_Params(), patience=1, monitor="val_accuracy", min_delta=0.02)
    assert stopper(0, {"val_accuracy": [0.90]}) is False
    assert stopper(1, {"val_accuracy": [0.90, 0.91]}) is True  # +0.01 < min_delta
    assert stopper.best_value == 0.90
