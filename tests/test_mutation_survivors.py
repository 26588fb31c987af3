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


# --- losses, softmax, metrics, data, datasets -------------------------------------------------------

from nnlib import datasets  # noqa: E402
from nnlib.preprocessing import images_to_columns, one_hot, standardize, train_val_test_split  # noqa: E402
from nnlib.losses import binary_cross_entropy, binary_cross_entropy_derivative  # noqa: E402
from nnlib.metrics import accuracy, confusion_matrix, f1  # noqa: E402
from nnlib.softmax import categorical_cross_entropy, softmax_cross_entropy  # noqa: E402


def test_binary_cross_entropy_derivative_keeps_the_wider_dtype():
    A32, Y32 = np.array([[0.3, 0.8]], np.float32), np.array([[0.0, 1.0]], np.float32)
    assert binary_cross_entropy_derivative(A32, Y32).dtype == np.float32
    assert binary_cross_entropy_derivative(A32, Y32.astype(np.float64)).dtype == np.float64
    assert binary_cross_entropy_derivative(A32.astype(np.float64), Y32).dtype == np.float64
    with pytest.raises(ValueError, match=r"^A must hold probabilities in \[0, 1\]"):
        binary_cross_entropy(np.array([[1.5]]), np.array([[1.0]]))


def test_categorical_cross_entropy_checks_and_names_its_arguments():
    with pytest.raises(ValueError, match=r"^A must hold probabilities in \[0, 1\]"):
        categorical_cross_entropy(np.array([[1.5], [0.0]]), np.array([[1.0], [0.0]]))  # mutant: A > 2
    with pytest.raises(ValueError, match=r"^A must be 2-D, got shape \(2,\)$"):
        categorical_cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"^Z must be 2-D, got shape \(2, 1, 1\)$"):
        softmax_cross_entropy(np.zeros((2, 1, 1)), np.zeros((2, 1, 1)))
    with pytest.raises(ValueError, match=r"^Y contains NaN or infinite values$"):
        softmax_cross_entropy(np.zeros((2, 1)), np.array([[np.nan], [0.0]]))
    with pytest.raises(ValueError, match=r"^Y must be one-hot \(or probability\) columns: entries >= 0 summing "
                                         r"to 1 in each column; for integer labels use nnlib.preprocessing.one_hot\(labels, C\)$"):
        softmax_cross_entropy(np.zeros((2, 1)), np.array([[0.5], [0.0]]))


def test_metric_label_messages():
    with pytest.raises(ValueError, match=r"got shape \(1, 2\); for Y of shape \(1, m\) pass Y\[0\]$"):
        accuracy(np.array([[0, 1]]), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"got shape \(2, 1\)$"):
        accuracy(np.array([[0], [1]]), np.array([0, 1]))
    with pytest.raises(ValueError) as info:
        accuracy(np.array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]), np.zeros(6))
    assert listed(str(info.value)) == [0.5, 1.5, 2.5, 3.5, 4.5]
    with pytest.raises(ValueError) as info:
        accuracy(np.array([-1, -2, -3, -4, -5, -6]), np.zeros(6))
    assert listed(str(info.value)) == [-6, -5, -4, -3, -2]
    assert accuracy(np.array([0, 1]), np.array([0, 1])) == 1.0


def test_one_class_and_the_positive_class():
    np.testing.assert_array_equal(confusion_matrix([0, 0], [0, 0], 1), [[2]])
    np.testing.assert_array_equal(one_hot(np.array([0, 0]), 1), [[1.0, 1.0]])
    # class 0 as the positive one: tp = 1, fp = 1, fn = 0 -> F1 = 2/3 (class 1 would give 0)
    assert f1([0, 1], [0, 0], positive=0) == pytest.approx(2 / 3)


def test_images_to_columns_and_standardize_shapes():
    images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    X = images_to_columns(images)
    assert X.shape == (12, 2) and X.dtype == np.float64
    np.testing.assert_array_equal(X[:, 1], images[1].ravel())
    train, other = standardize(np.array([[1.0, 3.0], [5.0, 5.0]]), np.array([[2.0], [5.0]]))
    np.testing.assert_allclose(train, [[-1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(other, [[0.0], [0.0]])
    with pytest.raises(ValueError, match=r"^others\[0\] must be 2-D"):
        standardize(np.ones((2, 2)), np.ones(2))
    # a constant feature of size 1e-3 is only centred, a varying one of std 1e-13 still scaled
    scaled = standardize(np.array([[1e-3, 1e-3, 1e-3], [0.0, 1e-13, 2e-13]]))
    np.testing.assert_allclose(scaled[0], 0.0)
    assert scaled[1].std() == pytest.approx(1.0)


def test_train_val_test_split_edges():
    X, y = np.arange(10.0).reshape(1, 10), np.arange(10)
    parts = train_val_test_split(X, y, (0.5, 0.0, 0.5), rng=np.random.default_rng(0))
    assert [p[0].shape[-1] for p in parts] == [5, 0, 5]
    parts = train_val_test_split(np.arange(10.0), y, (0.6, 0.2, 0.2), rng=np.random.default_rng(0))  # 1-D X
    assert [p[0].shape[-1] for p in parts] == [6, 2, 2]
    with pytest.raises(ValueError, match=r"^X and y must be arrays"):
        train_val_test_split(np.float64(1.0), y, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^X and y must be arrays"):
        train_val_test_split(X, np.int64(3), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^rng is required"):
        train_val_test_split(X, y)
    with pytest.raises(ValueError, match=r"X has 10 examples \(columns\) but y has 3$"):
        train_val_test_split(np.zeros((10, 10)), np.zeros(3), rng=np.random.default_rng(0))


def radii_and_angles(X):
    return np.hypot(X[0], X[1]), np.arctan2(X[1], X[0])


def test_circles_geometry():
    X, y = datasets.circles(4000, np.random.default_rng(0), noise=0.0, factor=0.3)
    r, t = radii_and_angles(X)
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    for k in (0, 1):  # angles uniform around the whole circle
        assert abs(np.mean(t[y == k] > 0) - 0.5) < 0.05 and abs(np.mean(np.abs(t[y == k]) < np.pi / 2) - 0.5) < 0.05
    X, y = datasets.circles(4000, np.random.default_rng(0), noise=0.05, factor=0.3)
    r, _ = radii_and_angles(X)
    residual = r[y == 0] - 1.0
    assert 0.03 < residual.std() < 0.07 and np.max(np.abs(residual)) < 0.4  # Gaussian noise, per point
    X, y = datasets.circles(2, np.random.default_rng(0))  # m >= 2 is enough
    assert X.shape == (2, 2)
    with pytest.raises(ValueError, match="factor"):
        datasets.circles(10, np.random.default_rng(0), factor=0.0)
    with pytest.raises(ValueError, match="factor"):
        datasets.circles(10, np.random.default_rng(0), factor=1.0)
    with pytest.raises(TypeError, match=r"^rng must be a np.random.Generator"):
        datasets.circles(10, 0)
    default = datasets.circles(2000, np.random.default_rng(0))[0]
    assert np.std(radii_and_angles(default)[0][np.abs(radii_and_angles(default)[0] - 1) < 0.3] - 1) < 0.08


def test_small_sets_and_one_petal():
    for make, m in [(datasets.moons, 2), (datasets.circles, 2), (datasets.spirals, 2), (datasets.xor, 4)]:
        X, y = make(m, np.random.default_rng(0))
        assert X.shape == (2, m) and X.dtype == np.float64
    X, y = datasets.flower(10, np.random.default_rng(0), petals=1)
    assert X.shape == (2, 10)


def same_points(X, y, expected_X, expected_y):
    """X, y equal expected_X, expected_y up to the order of the columns."""
    order, expected_order = np.lexsort((X[1], X[0], y)), np.lexsort((expected_X[1], expected_X[0], expected_y))
    np.testing.assert_array_equal(y[order], expected_y[expected_order])
    np.testing.assert_allclose(X[:, order], expected_X[:, expected_order], atol=1e-12)


def test_noise_free_sets_follow_their_docstrings():
    rng = np.random.default_rng(0)
    X, y = datasets.xor(8, rng, noise=0.0)
    same_points(X, y, np.array([[0, 0, 1, 1, 0, 0, 1, 1], [0, 1, 0, 1, 0, 1, 0, 1]], float),
                np.array([0, 1, 1, 0, 0, 1, 1, 0]))
    t = np.linspace(0.0, np.pi, 5)
    X, y = datasets.moons(10, rng, noise=0.0)
    same_points(X, y, np.concatenate([np.stack([np.cos(t), np.sin(t)]), np.stack([1 - np.cos(t), 0.5 - np.sin(t)])],
                                     axis=1), np.repeat([0, 1], 5))
    X, y = datasets.flower(10, rng, petals=3, noise=0.0)
    parts = []
    for j in (0, 1):
        t = np.linspace(3.12 * j, 3.12 * (j + 1), 5)
        r = 4.0 * np.sin(3 * t)
        parts.append(np.stack([r * np.sin(t), r * np.cos(t)]))
    same_points(X, y, np.concatenate(parts, axis=1), np.repeat([0, 1], 5))
    X, y = datasets.spirals(9, rng, classes=3, noise=0.0, turns=0.5)
    parts = []
    for j in range(3):
        r = np.linspace(0.0, 1.0, 3)
        t = 2 * np.pi * (j / 3 + 0.5 * r)
        parts.append(np.stack([r * np.sin(t), r * np.cos(t)]))
    same_points(X, y, np.concatenate(parts, axis=1), np.repeat([0, 1, 2], 3))


@pytest.mark.parametrize("make, defaults", [
    (datasets.xor, {"noise": 0.15}), (datasets.flower, {"petals": 4, "noise": 0.2}), (datasets.moons, {"noise": 0.1}),
    (datasets.circles, {"noise": 0.05, "factor": 0.5}), (datasets.spirals, {"classes": 2, "noise": 0.2, "turns": 1.0}),
])
def test_defaults_are_the_documented_ones(make, defaults):
    X, y = make(40, np.random.default_rng(3))
    X_explicit, y_explicit = make(40, np.random.default_rng(3), **defaults)
    np.testing.assert_array_equal(X, X_explicit)
    np.testing.assert_array_equal(y, y_explicit)


@pytest.mark.parametrize("make", [datasets.xor, datasets.flower, datasets.moons, datasets.spirals])
def test_noise_is_gaussian_not_heavy_tailed(make):
    """noise * N(0, 1) keeps every point near the shape; noise / N(0, 1) (a mutant) throws some far out."""
    X1, _ = make(400, np.random.default_rng(0), noise=0.3)
    assert np.all(np.isfinite(X1)) and np.abs(X1).max() < 10  # noise / N(0,1) would throw points far out


# --- batches, checks, layers, model, optim, schedules, training, lr_range (the validation added for issue 14 and its boundaries) ------

from nnlib.batches import num_batches  # noqa: E402
from nnlib.layers import linear_backward  # noqa: E402
from nnlib.model import mlp, train  # noqa: E402
from nnlib.lr_range import lr_finder, suggest_learning_rate  # noqa: E402
from nnlib.optim import SGD, Momentum, RMSprop  # noqa: E402
from nnlib.schedules import inverse_time_decay, step_decay  # noqa: E402
from nnlib.training import fit, labels_of  # noqa: E402


def test_num_batches_boundaries():
    assert num_batches(0, 1) == 0 and num_batches(5, 1) == 5 and num_batches(5, 2) == 3
    for m, batch_size, match in [(-1, 2, r"^m must be a non-negative integer"), (2.0, 2, r"^m must be"),
                                 (5, 0, r"^batch_size must be a positive integer"), (5, 1.0, r"^batch_size must be")]:
        with pytest.raises(ValueError, match=match):
            num_batches(m, batch_size)


def test_check_binary_labels_types():
    check_binary_labels("Y", np.array([[True, False]]))
    check_binary_labels("Y", np.array([[0, 1]]))
    with pytest.raises(TypeError, match=r"^Y must be a numeric array of 0/1 labels, got dtype <U1$"):
        check_binary_labels("Y", np.array([["a"]]))


def test_linear_backward_on_one_example():
    dA_prev, dW, db = linear_backward(np.ones((2, 1)), (np.ones((3, 1)), np.ones((2, 3))))
    assert dW.shape == (2, 3) and dA_prev.shape == (3, 1)
    with pytest.raises(ValueError, match=r"^A_prev must hold at least one example \(m >= 1 columns\), got shape \(3, 0\)$"):
        linear_backward(np.ones((2, 0)), (np.ones((3, 0)), np.ones((2, 3))))


def test_model_messages_and_quiet_defaults(capsys):
    model = mlp([3, 2, 1], rng=np.random.default_rng(0))
    X, Y = np.ones((3, 4)), np.array([[0, 1, 0, 1]])
    with pytest.raises(ValueError, match=r"^X has 2 rows but the network expects n_x = 3"):
        model.predict(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"X has m = 4 columns, Y has shape \(3,\)$"):
        model.cost(X, np.zeros(3))
    with pytest.raises(ValueError, match=r"^X must be 2-D"):
        model.predict(np.ones(3))
    train(model, X, Y, 0.1, 2)
    fit(model, X, Y, SGD(0.1), 2, 2, np.random.default_rng(0))
    assert capsys.readouterr().out == ""  # print_every=0 and verbose=0 by default


def test_schedule_boundaries():
    assert step_decay(0.1, 1.0, 1, 7) == pytest.approx(0.1)
    assert step_decay(0.1, 0.5, 1, 2) == pytest.approx(0.025)
    assert inverse_time_decay(0.1, 0, 5) == pytest.approx(0.1)
    for call, match in [(lambda: step_decay(0.1, 0.0, 2, 1), r"^drop must be a number in \(0, 1\]"),
                        (lambda: step_decay(0.1, 1.5, 2, 1), r"^drop must be"),
                        (lambda: step_decay(-0.1, 0.5, 2, 1), r"^lr0 must be a positive number"),
                        (lambda: inverse_time_decay(0.1, np.inf, 1), r"^decay_rate must be a finite number >= 0")]:
        with pytest.raises(ValueError, match=match):
            call()


def test_optimizer_hyperparameter_boundaries():
    Momentum(0.1, beta=0.0)  # beta = 0 is plain gradient descent, allowed
    with pytest.raises(ValueError, match=r"^beta must be a number in \[0, 1\)"):
        RMSprop(0.1, beta=1.0)


def test_labels_of_boundaries():
    assert labels_of(np.array([[1.0]])).tolist() == [1] and labels_of(np.array([[1.0]])).dtype == np.int64
    assert labels_of(np.array([2.0, 0.0])).dtype == np.int64
    with pytest.raises(ValueError, match=r"^Y must be labels \(m,\), binary \(1, m\) or one-hot \(C, m\) with m >= 1"):
        labels_of(np.zeros((1, 0)))


def test_lr_finder_and_suggest_validation():
    X, Y = np.random.default_rng(0).standard_normal((2, 8)), np.array([[0, 1] * 4])
    make = lambda: mlp([2, 1], rng=np.random.default_rng(0))  # noqa: E731
    lrs, _ = lr_finder(make, X, Y, lr_min=1e-4, lr_max=1e-3, num_steps=2, smoothing=0.0, rng=np.random.default_rng(0))
    np.testing.assert_allclose(lrs, [1e-4, 1e-3])
    for kwargs, match in [({"lr_min": 1e-3, "lr_max": 1e-3}, r"^lr_max must exceed lr_min"),
                          ({"lr_min": 0.0}, r"^lr_min must be a positive"), ({"lr_max": -1.0}, r"^lr_max must be"),
                          ({"num_steps": 1}, r"^num_steps must be an integer >= 2, got 1$"),
                          ({"num_steps": 2.0}, r"^num_steps must be"), ({"smoothing": 1.0}, r"^smoothing must be in"),
                          ({"smoothing": "0.5"}, r"^smoothing must be")]:
        with pytest.raises(ValueError, match=match):
            lr_finder(make, X, Y, rng=np.random.default_rng(0), **kwargs)
    with pytest.raises(ValueError, match=r"got shape \(2, 0\)$"):
        lr_finder(make, X[:, :0], Y[:, :0], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^lrs must be positive learning rates$"):
        suggest_learning_rate([0.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"^lrs and costs must be non-empty arrays of the same shape"):
        suggest_learning_rate([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"^costs contains NaN"):
        suggest_learning_rate([1.0], [np.nan])
    with pytest.raises(ValueError, match=r"^lrs contains NaN"):
        suggest_learning_rate([np.nan], [1.0])


# --- diagnostics' figures ---------------------------------------------------------------------------

def test_activation_histograms_show_each_hidden_layer_on_shared_bins():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib.diagnostic_plots import plot_activation_histograms
    from nnlib.diagnostics import trace_forward

    model = mlp([3, 5, 4, 1], hidden_activation="relu", rng=np.random.default_rng(0))
    model.layers[1].activation = "tanh"  # one ReLU layer and one tanh layer
    X = np.random.default_rng(1).standard_normal((3, 50))
    axes = plot_activation_histograms(model, X, bins=7, title="the title")
    trace = trace_forward(model, X)
    assert len(axes) == 2  # the output layer (identity) is left out
    relu_A, tanh_A = trace[0]["A"], trace[1]["A"]
    values = [relu_A[relu_A > 0], tanh_A.ravel()]
    low, high = min(v.min() for v in values), max(v.max() for v in values)
    for ax, v, layer in zip(axes, values, trace):
        (stairs,) = [p for p in ax.patches]
        counts, edges = stairs.get_data().values, stairs.get_data().edges
        np.testing.assert_allclose(edges, np.linspace(low, high, 8))  # the same 7 bins in every panel
        assert counts.sum() == v.size  # ReLU panels count only the non-zero outputs
        assert ax.get_title().startswith(f"{layer['name']}\nstd {layer['A'].std():.2g}")
    assert axes[0].get_title().endswith(f", zeros {np.mean(relu_A == 0):.0%}")
    assert "zeros" not in axes[1].get_title()
    assert axes[0].figure._suptitle.get_text() == "the title"
    # a layer whose activations are all equal still gets bins around its value
    constant = mlp([3, 2, 1], hidden_activation="tanh", init="zeros")
    (ax,) = plot_activation_histograms(constant, X, bins=4)
    np.testing.assert_allclose(ax.patches[0].get_data().edges, np.linspace(-1, 1, 5))
    plt.close("all")


def test_gradient_norm_plot_draws_every_weight_on_a_log_scale():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib.diagnostic_plots import plot_gradient_norms

    history = {"grad_norm": {"W1": [1.0, 0.5, 0.25], "W2": [2.0, 1.0, 0.1]}}
    ax = plot_gradient_norms(history, title="norms")
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["||dW1||", "||dW2||"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [2.0, 1.0, 0.1])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration" and ax.get_ylabel() == "gradient norm"
    assert ax.get_legend() is not None and ax.get_title() == "norms"
    _, given = plt.subplots()
    assert plot_gradient_norms(history, ax=given) is given and given.get_title() == ""
    plt.close("all")


# --- diagnostics, monitoring, gradcheck, regularization ---------------------------------------------------------

from nnlib.diagnostics import activation_report, dead_relu_fraction, saturated_fraction, trace_forward  # noqa: E402
from nnlib.monitoring import learning_rate_sweep, train_monitored  # noqa: E402
from nnlib.regularization import Dropout, EarlyStopping, dropout_forward, l2_cost, with_l2  # noqa: E402


def test_reports_and_traces_name_what_they_hold():
    rng = np.random.default_rng(0)
    model = mlp([2, 3, 1], hidden_activation="tanh", rng=rng)
    model.layers.insert(1, Dropout(0.5, rng))
    X = rng.standard_normal((2, 6))
    trace = trace_forward(model, X)
    assert [t["name"] for t in trace] == ["layer 1 (tanh)", "layer 2 (Dropout)", "layer 3 (identity)"]
    np.testing.assert_allclose(trace[0]["Z"], model.layers[0].params["W"] @ X + model.layers[0].params["b"])
    assert trace[1]["Z"] is None and np.array_equal(trace[1]["A"], trace[0]["A"])  # inference: dropout is off
    rows = activation_report(model, X)
    assert [sorted(r) for r in rows] == [["dead", "mean", "name", "saturated", "std"]] * 2
    assert rows[0]["saturated"] == saturated_fraction(trace[0]["Z"], "tanh") and rows[0]["dead"] is None
    with pytest.raises(ValueError, match=r"^X has 3 rows but the network expects n_x = 2"):
        trace_forward(model, np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"^X must be 2-D"):
        trace_forward(model, np.ones(2))
    assert learning_rate_sweep(lambda: mlp([2, 1], rng=np.random.default_rng(0)), X, (X[:1] > 0) * 1.0,
                               [0.1], 1)[0]["model"].n_x == 2
    with pytest.raises(ValueError, match=r"^learning_rates must hold at least one learning rate$"):
        learning_rate_sweep(lambda: model, X, X, [], 1)


def test_fractions_on_one_unit_and_their_boundaries():
    assert dead_relu_fraction(np.array([[-1.0, 0.0]])) == 1.0 and dead_relu_fraction(np.array([[1.0]])) == 0.0
    with pytest.raises(ValueError, match=r"^Z must hold at least one unit and one example"):
        dead_relu_fraction(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"^Z must be 2-D"):
        dead_relu_fraction(np.zeros(3))
    assert saturated_fraction(np.array([0.0])) == 0.0 and saturated_fraction(np.array([50.0])) == 1.0
    with pytest.raises(ValueError, match=r"^Z must hold at least one entry"):
        saturated_fraction(np.zeros(0))
    with pytest.raises(ValueError, match=r"^threshold must lie in \(0, 1\)"):
        saturated_fraction(np.zeros(2), threshold=1.0)
    with pytest.raises(ValueError, match=r"^Z contains NaN"):
        saturated_fraction(np.array([np.nan]))
    # exactly at the threshold is not saturated: sigmoid'(0) * 1 is not < sigmoid'(0) * 1 - with threshold 0.5,
    # z where sigmoid'(z) = 0.125 (half of 0.25) is the boundary
    z = np.log((1 + np.sqrt(0.5)) / (1 - np.sqrt(0.5)))  # σ(z)(1 - σ(z)) = 0.125 exactly (up to rounding)
    assert saturated_fraction(np.array([z * (1 - 1e-9)]), threshold=0.5) == 0.0


def test_train_monitored_boundaries_and_overflowing_weights():
    X = np.random.default_rng(0).standard_normal((2, 20))
    Y = (X[:1] > 0) * 1.0
    model = mlp([2, 3, 1], rng=np.random.default_rng(0))
    assert train_monitored(model, X, Y, 0.1, 0)["cost"] == []
    for lr, n, match in [(np.inf, 1, r"^learning_rate must be a positive finite number"),
                         (0.1, -1, r"^num_iterations must be a non-negative integer, got -1$"),
                         (0.1, 1.0, r"^num_iterations must be")]:
        with pytest.raises(ValueError, match=match):
            train_monitored(model, X, Y, lr, n)
    # a learning rate so large that the first update overflows the weights: diverged at iteration 1
    model = mlp([2, 3, 1], rng=np.random.default_rng(0))
    history = train_monitored(model, X * 1e150, Y, 1e300, 5)
    assert history["diverged"] == 1 and len(history["cost"]) == 1
    # the ratio ||α dW|| / ||W|| is exact for small weights (no floor at 1)
    model = mlp([2, 1], rng=np.random.default_rng(0))
    model.layers[0].params["W"][...] = 1e-3
    history = train_monitored(model, X, Y, 0.1, 1)
    expected = 0.1 * history["grad_norm"]["W1"][0] / (np.sqrt(2) * 1e-3)
    assert history["update_ratio"]["W1"][0] == pytest.approx(expected, rel=1e-9)
    # the divergence factor is a ratio to the first cost, not its inverse
    model = mlp([2, 1], rng=np.random.default_rng(0))
    history = train_monitored(model, X, Y, 1e-3, 3)
    assert history["diverged"] is None


def test_step_and_finiteness_checks_in_gradcheck():
    for h in (0.0, -1e-5, np.inf, True, "1e-5"):
        with pytest.raises(ValueError, match=r"^h must be a small positive step in \(0, 1\], such as 1e-5, got"):
            numerical_gradient(lambda x: 0.0, np.zeros(1), h)
    for a, n in [([np.nan], [1.0]), ([1.0], [np.inf])]:
        with pytest.raises(ValueError, match=r"^analytic and numeric must be finite: a NaN or infinite gradient"):
            relative_error(a, n)


def test_regularization_boundaries_and_messages():
    assert l2_cost({"W1": np.ones((1, 2))}, 0, 1) == 0.0  # lambda = 0 is no penalty, allowed
    with pytest.raises(ValueError, match=r"^lambd must be a number >= 0 \(and finite\), got inf$"):
        l2_cost({}, np.inf, 1)
    with pytest.raises(TypeError, match=r"^params must be a dict name -> array such as model.params, got list$"):
        l2_cost([], 0.1, 1)
    with pytest.raises(ValueError, match=r"^m must be a positive integer"):
        with_l2(mlp([2, 1], rng=np.random.default_rng(0)), 0.1, 0)
    with_l2(mlp([2, 1], rng=np.random.default_rng(0)), 0.1, 1)
    with pytest.raises(TypeError, match=r"^rng must be a np.random.Generator or None, got int$"):
        Dropout(0.5, 3)
    with pytest.raises(TypeError, match=r"^rng must be a np.random.Generator \(or pass a fixed mask\)$"):
        dropout_forward(np.ones((2, 2)), 0.5)
    with pytest.raises(ValueError, match=r"^mask must contain only 0 and 1 \(or False and True\)$"):
        dropout_forward(np.ones((1, 2)), 0.5, mask=np.array([[0, 2]]))
    with pytest.raises(ValueError, match=r"^A contains NaN"):
        dropout_forward(np.array([[np.nan]]), 0.5, np.random.default_rng(0))
    out, cache = dropout_forward(np.ones((1, 2), np.float32), 0.5, mask=np.array([[True, False]]))
    assert cache.dtype == np.float32 and out.tolist() == [[2.0, 0.0]]
    A = np.ones((3, 4))
    assert Dropout(0.5, np.random.default_rng(0)).forward(A)[0] is A  # inference by default


def test_early_stopping_monitors_and_ties():
    holder = type("Holder", (), {"params": {"W1": np.zeros(1)}})()
    stopper = EarlyStopping(holder, patience=1, monitor="cost")
    assert stopper(0, {"cost": [1.0]}) is False
    assert stopper(1, {"cost": [1.0, 1.0]}) is True  # a tie is no improvement
    assert stopper.wait == 1
    stopper = EarlyStopping(holder, patience=2, monitor="val_accuracy", min_delta=0.1)
    stopper(0, {"val_accuracy": [0.5]})
    assert stopper(1, {"val_accuracy": [0.5, 0.55]}) is False and stopper.best_epoch == 0  # +0.05 < 0.1
    assert stopper(2, {"val_accuracy": [0.5, 0.55, 0.65]}) is False and stopper.best_epoch == 2  # +0.15 counts
    stopper = EarlyStopping(holder, patience=2, min_delta=0.1)
    stopper(0, {"val_cost": [1.0]})
    assert stopper(1, {"val_cost": [1.0, 0.85]}) is False and stopper.best_epoch == 1  # -0.15 beats 0.1


# --- plots -------------------------------------------------------------------------------------

def test_plot_points_costs_and_images_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib.image_plots import show_images
    from nnlib.plots import CLASS_COLORS, plot_costs, plot_points

    X, y = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 4.0]]), np.array([0, 2, 1])
    ax = plot_points(X, y, title="pts")
    (scatter,) = ax.collections
    np.testing.assert_array_equal(scatter.get_offsets(), X.T)
    np.testing.assert_array_equal(scatter.get_array(), y)
    np.testing.assert_allclose(scatter.get_cmap().colors, CLASS_COLORS[:3])
    assert scatter.norm.vmin == -0.5 and scatter.norm.vmax == 2.5
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("$x_1$", "$x_2$", "pts")
    ax = plot_points(X, np.array([0, 0, 0]), num_classes=2)
    np.testing.assert_allclose(ax.collections[0].get_cmap().colors, CLASS_COLORS[:2])
    assert ax.collections[0].norm.vmax == 1.5
    assert ax.get_title() == ""

    ax = plot_costs({"a": [3.0, 2.0, 1.0], "b": [1.0, 0.5]}, xlabel="epoch", ylabel="J", title="t", logy=True)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["a", "b"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [0, 1, 2])
    np.testing.assert_array_equal(lines[1].get_ydata(), [1.0, 0.5])
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title(), ax.get_yscale()) == ("epoch", "J", "t", "log")
    ax = plot_costs({"only": [1.0, np.inf]}, logy=True)  # a non-finite cost is left to the plot, not refused
    assert ax.get_legend() is None and ax.get_ylabel() == "cost" and ax.get_xlabel() == "iteration"
    with pytest.raises(ValueError, match=r"^curves\['a'\] has costs <= 0, which a log scale \(logy=True\) cannot show$"):
        plot_costs({"a": [1.0, -1.0]}, logy=True)
    with pytest.raises(TypeError, match=r"^curves must be a non-empty dict label -> list of costs, got list$"):
        plot_costs([1.0])
    assert plot_costs({"a": [1.0, 0.0]}).get_yscale() == "linear"

    images = np.arange(5 * 4 * 3, dtype=float).reshape(5, 4, 3)
    fig = show_images(images, titles=list("abcde"), ncols=2, cmap="viridis", size=1.0)
    axes = fig.axes
    assert len(axes) == 6 and all(not ax.axison for ax in axes)
    shown = [ax for ax in axes if ax.images]
    assert len(shown) == 5 and [ax.get_title() for ax in shown] == list("abcde")
    np.testing.assert_array_equal(shown[3].images[0].get_array(), images[3])
    assert shown[0].images[0].get_cmap().name == "viridis"
    np.testing.assert_allclose(fig.get_size_inches(), [2.0, 3 * 1.25])
    np.testing.assert_allclose(show_images(images[:2], ncols=8).get_size_inches(), [2.6, 1.3])
    with pytest.raises(ValueError, match=r"^titles must have one entry per image: 5 images, 1 titles$"):
        show_images(images, titles=["a"])
    with pytest.raises(ValueError, match=r"^ncols must be a positive integer, got 0$"):
        show_images(images, ncols=0)
    with pytest.raises(ValueError, match=r"^images must hold at least one image, got k = 0$"):
        show_images(np.zeros((0, 2, 2)))
    plt.close("all")
