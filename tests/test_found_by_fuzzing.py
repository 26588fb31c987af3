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


# The long Hypothesis profile (random, 500 examples per test) ----------------------------------

def test_check_labels_wants_one_positive_integer_number_of_classes():
    """num_classes=[0, 0] broadcast against the labels and ended in an IndexError."""
    from nnlib.checks import check_labels
    for bad in ([0, 0], np.array([0, 0]), 0, -1, 2.0, True, None):
        with pytest.raises(ValueError, match="num_classes must be a positive integer"):
            check_labels("y", np.array([0]), bad)
    assert check_labels("y", np.array([1.0, 0.0]), np.int64(2)).tolist() == [1, 0]


def test_the_model_scenario_keeps_its_layer_sizes():
    """A fuzz-scenario bug, not an nnlib one: the Model scenario indexes layer_sizes to build its Dense
    layers, so garbage there (a 0-d array) raised the scenario's own IndexError. Garbage goes only to the
    arguments that reach nnlib (output, X, Y)."""
    from tests.test_fuzz import FUZZ, _model
    assert {"layer_sizes", "activations_"} <= set(FUZZ["model.Model"].fixed)
    with pytest.raises(IndexError):  # what the scenario does with a 0-d array: why it must not get one
        _model(np.array(3), ["relu"] * 3, SigmoidCrossEntropy(), np.ones((3, 1)), np.ones((1, 1)))


def test_gradient_norms_of_float32_gradients_near_its_limit_stay_finite():
    from nnlib.monitoring import gradient_norms
    norms = gradient_norms({"W1": np.full((2, 2), 1e30, np.float32), "b1": np.zeros((2, 1), np.float32),
                            "W2": np.array([[3.0, 4.0]])})
    assert norms["W1"] == pytest.approx(2e30, rel=1e-6) and norms["b1"] == 0.0 and norms["W2"] == 5.0
    assert gradient_norms({"W1": np.array([1e200, -1e200])})["W1"] == pytest.approx(np.sqrt(2) * 1e200)


def test_learning_rate_sweep_on_huge_input_reports_finite_numbers_or_a_divergence():
    """X with 1e300 gave a gradient whose norm overflowed (inf in grad_norm and update_ratio) while
    "diverged" stayed None, and then the cost recovered."""
    from nnlib.monitoring import learning_rate_sweep
    from tests.test_fuzz import is_finite
    rng = np.random.default_rng(40)
    rng.integers(1, 5)  # the draws of the case Hypothesis found
    X = rng.standard_normal((2, 3))
    X.flat[rng.integers(0, 6)] = -1e300
    Y = (rng.random((1, 3)) > 0.5).astype(float)
    with np.errstate(all="ignore"):
        for lr in (0.1, 1.0):
            run = learning_rate_sweep(lambda: mlp([2, 3, 1], rng=np.random.default_rng(40)), X, Y, [lr], 3)[0]
            assert run["history"]["diverged"] is not None or is_finite(run), run["history"]


def test_numerical_gradient_refuses_a_step_that_is_no_derivative():
    from nnlib.gradcheck import check_gradients, numerical_gradient

    def f(v):
        return float(np.sum(v * v))

    for h in (1.3e154, 2.0, 1e300):
        with pytest.raises(ValueError, match=r"h must be a small positive step in \(0, 1\]"):
            numerical_gradient(f, np.ones(3), h)
        with pytest.raises(ValueError, match=r"h must be a small positive step in \(0, 1\]"):
            check_gradients(lambda: 0.0, {"W": np.ones(1)}, {"W": np.ones(1)}, h)
    with pytest.raises(ValueError, match=r"centred difference at x\[0\] is not finite with h=1"):
        with np.errstate(over="ignore"):
            numerical_gradient(lambda v: float(np.exp(np.sum(v))), np.array([700.0, 9.0]), 1)
    with pytest.raises(ValueError, match=r"h=1e-05 is lost in x\[0\] = 1e\+20"):
        numerical_gradient(f, np.array([1e20]))
    np.testing.assert_allclose(numerical_gradient(f, np.array([1.0, -2.0]), 1.0), [2.0, -4.0])


def test_relative_error_of_huge_gradients_is_scale_free():
    from nnlib.gradcheck import relative_error
    assert relative_error(0, 1e300) == 1.0
    assert relative_error([1e300, -1e300], [1e300, 1e300]) == pytest.approx(1 / np.sqrt(2))
    assert relative_error([5e-324], [5e-324]) == 0.0 and relative_error(0, 0) == 0.0
    assert relative_error([3e-200], [1e-200]) == pytest.approx(0.5)


def test_linear_forward_in_float16_computes_in_float32():
    """65504 is float16's largest number: 1 * 1 + 65504 overflowed to inf."""
    from nnlib.layers import linear_backward, linear_forward
    one = np.ones((1, 1), np.float16)
    Z, cache = linear_forward(one, one, np.array([[65504]], np.float16))
    assert Z.dtype == np.float32 and Z[0, 0] == 65505
    Z, cache = linear_forward(np.full((4, 2), 200, np.float16), np.full((1, 4), 100, np.float16), np.zeros((1, 1)))
    assert np.all(Z == 80000)
    dA_prev, dW, db = linear_backward(np.full((1, 2), 1000, np.float16), cache)
    assert np.all(np.isfinite(dA_prev)) and np.all(dW == 200000)


def test_with_l2_says_lambd_is_too_large_instead_of_an_infinite_gradient():
    """(lambd / m) W overflowed a float32 model's gradient for lambd = 1e40, and the penalty for 1e306, silently."""
    from nnlib.regularization import with_l2
    X, Y = binary_data(m=4)
    net = mlp([2, 3, 1], rng=np.random.default_rng(0), dtype=np.float32)
    with pytest.raises(ValueError, match=r"lambd=1e\+40 is too large: the L2 gradient \(lambd / m\) W"):
        with_l2(net, 1e40)(X, Y)
    net = mlp([2, 3, 1], rng=np.random.default_rng(0))
    net.layers[0].params["W"][...] = 100.0  # the gradient 1e306 * 100 is finite, the penalty's sum of squares is not
    with pytest.raises(ValueError, match=r"lambd=1e\+306 is too large: the L2 penalty overflows"):
        with_l2(net, 1e306, 1)(X, Y)
    cost, grads = with_l2(net, 0.1)(X, Y)
    assert np.isfinite(cost) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_softmax_jacobian_wants_probabilities():
    """Logits of 1e30 passed by mistake gave -1e60 entries (and -inf for 1e200)."""
    from nnlib.softmax import softmax_jacobian
    for s in ([1e30, 0.0], [1e200], [-0.5, 1.5]):
        with pytest.raises(ValueError, match=r"s must be softmax probabilities in \[0, 1\]"):
            softmax_jacobian(np.array(s))
    np.testing.assert_allclose(softmax_jacobian(np.array([0.25, 0.75])), [[0.1875, -0.1875], [-0.1875, 0.1875]])


# --- The long profile's run after the Part II rows (2026-12-06) -------------------------------------------------


def test_conv2d_loops_on_integer_images_with_an_infinite_bias_computes_in_floats():
    from nnlib.conv import conv2d_loops
    Z = conv2d_loops(np.zeros((1, 1, 1, 1), dtype=np.int64), np.zeros((1, 1, 1, 1), dtype=np.int64),
                     np.array([[0.5]]))
    assert Z.dtype == np.float64 and Z[0, 0, 0, 0] == 0.5  # was OverflowError/truncation into an int array


def test_activation_report_of_huge_activations_has_a_finite_std():
    from nnlib.diagnostics import activation_report
    from nnlib.layers import Dense
    from nnlib.model import Model
    from nnlib.softmax import SoftmaxCrossEntropy
    model = Model([Dense(1, 2, "identity", "he", np.random.default_rng(0))], SoftmaxCrossEntropy())
    model.params["W1"][:] = [[1.0], [-1.0]]
    (row,) = activation_report(model, np.array([[1e300]]))
    assert np.isfinite(row["std"]) and row["std"] == pytest.approx(1e300)  # was inf


@pytest.mark.parametrize("name", ["zeros", "small", "large", "xavier", "he"])
def test_each_initializer_wants_positive_integer_sizes(name):
    from nnlib import initializers
    with pytest.raises(ValueError, match="n_in must be a positive integer, got 0.0"):
        getattr(initializers, name)(1, 0.0, np.random.default_rng(0))  # xavier: was ZeroDivisionError


def test_standardize_with_eps_zero_on_a_constant_feature_says_so():
    from nnlib.normalization import batchnorm_inference, standardize_forward
    with pytest.raises(ValueError, match="eps=0 with a constant X"):
        standardize_forward(np.zeros((2, 1)), (1,), eps=0)  # was NaN
    with pytest.raises(ValueError, match="eps=0 with a running_var of 0"):
        batchnorm_inference(np.zeros((2, 3)), np.ones((2, 1)), np.zeros((2, 1)), np.zeros((2, 1)),
                            np.zeros((2, 1)), eps=0)


def test_dropout_with_a_keep_prob_below_what_float32_can_invert_says_so():
    from nnlib.regularization import dropout_forward
    with pytest.raises(ValueError, match="keep_prob=3e-141 is too small for float32"):
        dropout_forward(np.zeros((1, 1), dtype=np.float32), 3e-141, np.random.default_rng(0))  # was NaN
