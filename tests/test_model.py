"""nnlib.model: the whole model against finite differences (each hidden activation, 1 to 4 hidden
layers), the parameter dict, training, determinism, extreme inputs, the layer/output protocols that
later notebooks plug into, and bad input."""

import numpy as np
import pytest

from nnlib import datasets
from nnlib.gradcheck import check_gradients
from nnlib.layers import Dense
from nnlib.model import Model, SigmoidCrossEntropy, mlp, train


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def small_problem(n_x=4, m=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) > 0.5).astype(np.float64)


def randomize_biases(model, seed=1):
    """At b = 0 a ReLU unit fed only zeros sits exactly on the kink, where finite differences see slope 1/2."""
    rng = np.random.default_rng(seed)
    for name, p in model.params.items():
        if name.startswith("b"):
            p[...] = rng.normal(0, 0.1, p.shape)


@pytest.mark.parametrize("hidden_layers", [1, 2, 3, 4])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_whole_model_gradient_check(activation, hidden_layers):
    X, Y = small_problem()
    sizes = [4] + [5, 3, 4, 5][:hidden_layers] + [1]
    model = mlp(sizes, hidden_activation=activation, init="he" if activation == "relu" else "xavier",
                rng=np.random.default_rng(2))
    randomize_biases(model)
    cost, grads = model.loss_and_grads(X, Y)
    assert set(grads) == set(model.params) == {f"{p}{l}" for l in range(1, hidden_layers + 2) for p in "Wb"}
    assert cost == pytest.approx(model.cost(X, Y))
    errors = check_gradients(lambda: model.cost(X, Y), model.params, grads)
    assert max(errors.values()) < 1e-7, errors


def test_params_are_the_layers_own_arrays():
    model = mlp([3, 4, 1], rng=np.random.default_rng(0))
    assert model.params["W1"] is model.layers[0].params["W"]
    assert model.params["b2"] is model.layers[1].params["b"]
    X = np.ones((3, 2))
    before = model.predict_proba(X)
    model.params["b2"] += 1.0  # in place, as an optimizer does
    assert np.all(model.predict_proba(X) > before)


def test_mlp_structure():
    model = mlp([5, 8, 6, 1], hidden_activation="tanh", init="xavier", rng=np.random.default_rng(0))
    assert [(l.n_in, l.n_out, l.activation) for l in model.layers] == [(5, 8, "tanh"), (8, 6, "tanh"), (6, 1, "identity")]
    assert isinstance(model.output, SigmoidCrossEntropy) and model.n_x == 5
    assert "Dense(5 -> 8, tanh)" in repr(model)


def test_predictions_shapes_and_meaning():
    X, Y = small_problem(m=9)
    model = mlp([4, 3, 1], rng=np.random.default_rng(0))
    proba, labels = model.predict_proba(X), model.predict(X)
    assert proba.shape == (1, 9) and np.all((proba > 0) & (proba < 1))
    assert labels.shape == (9,) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, (proba[0] > 0.5).astype(np.int64))


def test_training_solves_xor_and_lowers_the_cost():
    X, y = datasets.xor(80, np.random.default_rng(0))
    model = mlp([2, 8, 1], hidden_activation="tanh", init="xavier", rng=np.random.default_rng(0))
    costs = train(model, X, y.reshape(1, -1), learning_rate=1.0, num_iterations=300)
    assert len(costs) == 300 and costs[-1] < 0.1 * costs[0]
    assert np.mean(model.predict(X) == y) == 1.0


def test_same_seed_gives_bit_identical_parameters_after_training():
    X, y = datasets.moons(60, np.random.default_rng(3), noise=0.2)

    def run():
        model = mlp([2, 8, 8, 1], rng=np.random.default_rng(11))
        costs = train(model, X, y.reshape(1, -1), learning_rate=0.3, num_iterations=50)
        return model, costs

    (a, costs_a), (b, costs_b) = run(), run()
    assert costs_a == costs_b
    for name in a.params:
        assert a.params[name].tobytes() == b.params[name].tobytes(), name
    other = mlp([2, 8, 8, 1], rng=np.random.default_rng(12))
    assert not np.array_equal(other.params["W1"], a.params["W1"])


def test_print_every(capsys):
    X, Y = small_problem()
    train(mlp([4, 2, 1], rng=np.random.default_rng(0)), X, Y, 0.1, 5, print_every=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["0", "2", "4"]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_extreme_inputs_give_finite_costs_and_gradients_without_warnings(activation):
    X = np.array([[1e4, -1e4, 0.0, 1e4], [-1e4, 1e4, 1.0, 1e4]])
    Y = np.array([[1.0, 0.0, 1.0, 0.0]])
    model = mlp([2, 3, 1], hidden_activation=activation, init="large", rng=np.random.default_rng(0))
    cost, grads = model.loss_and_grads(X, Y)
    assert np.isfinite(cost) and cost > 0
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    proba = model.predict_proba(X)
    assert np.all((proba >= 0) & (proba <= 1))


def test_float32_model():
    X, Y = small_problem()
    model = mlp([4, 3, 1], rng=np.random.default_rng(0), dtype=np.float32)
    cost, grads = model.loss_and_grads(X.astype(np.float32), Y)
    assert np.isfinite(cost) and all(g.dtype == np.float32 for g in grads.values())


class Scale:
    """A parameter-free layer (like Dropout in notebook 08): any width, multiplies by a constant."""

    n_in = n_out = None
    params = {}

    def __init__(self, c):
        self.c = c

    def forward(self, A_prev, training=False):
        return (A_prev * self.c if training else A_prev), training

    def backward(self, dA, cache):
        return (dA * self.c if cache else dA), {}


class MeanSquaredOutput:
    """A stand-in for another output object (softmax in notebook 06): same three methods."""

    name = "mse"

    def loss(self, Z, Y):
        return float(np.sum((Z - Y) ** 2)) / (2 * Z.shape[1]), Z - Y  # a mean over examples; dZ per example

    def probabilities(self, Z):
        return Z

    def predict(self, Z):
        return (Z[0] > 0.5).astype(np.int64)


def test_new_layers_and_outputs_plug_in_without_changes():
    rng = np.random.default_rng(0)
    model = Model([Dense(4, 5, "tanh", "xavier", rng), Scale(0.5), Dense(5, 2, "identity", "xavier", rng)],
                  MeanSquaredOutput())
    assert list(model.params) == ["W1", "b1", "W2", "b2"]  # the parameter-free layer takes no number
    randomize_biases(model)
    X = rng.standard_normal((4, 6))
    Y = rng.standard_normal((2, 6))
    cost, grads = model.loss_and_grads(X, Y)
    errors = check_gradients(lambda: model.cost(X, Y, training=True), model.params, grads)
    assert max(errors.values()) < 1e-7, errors
    assert model.cost(X, Y) != model.cost(X, Y, training=True)  # the training flag reaches the layers


# --- bad input ----------------------------------------------------------------------------------

def test_mismatched_layer_sizes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"layer sizes do not match: layers\[1\].*expects 3 inputs.*gives 5"):
        Model([Dense(4, 5, rng=rng), Dense(3, 1, "identity", rng=rng)], SigmoidCrossEntropy())
    with pytest.raises(ValueError, match=r"layers\[2\].*expects 4 inputs.*gives 5"):
        Model([Dense(4, 5, rng=rng), Scale(2.0), Dense(4, 1, "identity", rng=rng)], SigmoidCrossEntropy())


@pytest.mark.parametrize("sizes", [[4], [4, 0, 1], [4, 2.5, 1], [4, "3", 1], 5])
def test_bad_layer_sizes_for_mlp(sizes):
    with pytest.raises((ValueError, TypeError), match="layer_sizes"):
        mlp(sizes, rng=np.random.default_rng(0))


def test_bad_layers_and_outputs():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="layers must be a non-empty list"):
        Model([], SigmoidCrossEntropy())
    with pytest.raises(TypeError, match=r"layers\[1\] \(str\) is not a layer"):
        Model([Dense(2, 2, rng=rng), "relu"], SigmoidCrossEntropy())
    with pytest.raises(TypeError, match="output must be an output object"):
        Model([Dense(2, 1, rng=rng)], "sigmoid")
    with pytest.raises(ValueError, match="at least one layer with a fixed input size"):
        Model([Scale(1.0)], SigmoidCrossEntropy())
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp([2, 3, 1], hidden_activation="leaky", rng=rng)


def test_X_with_the_wrong_number_of_rows():
    X, Y = small_problem()
    model = mlp([4, 3, 1], rng=np.random.default_rng(0))
    for call in (lambda: model.predict(X.T), lambda: model.loss_and_grads(X[:3], Y),
                 lambda: model.predict_proba(X[:3])):
        with pytest.raises(ValueError, match=r"X has \d+ rows but the network expects n_x = 4"):
            call()
    with pytest.raises(ValueError, match="X must be 2-D"):
        model.predict(X[0])
    with pytest.raises(ValueError, match="X contains NaN"):
        model.predict(np.full((4, 2), np.nan))


@pytest.mark.parametrize("bad_Y, match", [
    (lambda Y: Y[0], r"Y must have shape \(1, m\)"),
    (lambda Y: Y[:, :4], "Y must have one column per example: X has m = 6 columns"),
    (lambda Y: np.vstack([Y, Y]), r"Y must have shape \(1, 6\), got \(2, 6\)"),
    (lambda Y: Y.T, "Y must have one column per example"),
    (lambda Y: Y * 2, "Y must contain only 0 and 1"),
])
def test_Y_of_the_wrong_shape_or_values(bad_Y, match):
    X, Y = small_problem()
    model = mlp([4, 3, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=match):
        model.loss_and_grads(X, bad_Y(Y))
    with pytest.raises(ValueError, match=match):
        train(model, X, bad_Y(Y), 0.1, 3)


@pytest.mark.parametrize("kwargs, match", [
    ({"learning_rate": 0.0, "num_iterations": 3}, "learning_rate must be a positive number"),
    ({"learning_rate": -0.1, "num_iterations": 3}, "learning_rate must be a positive number"),
    ({"learning_rate": float("nan"), "num_iterations": 3}, "learning_rate must be a positive number"),
    ({"learning_rate": "0.1", "num_iterations": 3}, "learning_rate must be a positive number"),
    ({"learning_rate": 0.1, "num_iterations": -1}, "num_iterations must be a non-negative integer"),
    ({"learning_rate": 0.1, "num_iterations": 2.5}, "num_iterations must be a non-negative integer"),
    ({"learning_rate": 0.1, "num_iterations": 3, "print_every": -2}, "print_every must be"),
])
def test_bad_training_arguments(kwargs, match):
    X, Y = small_problem()
    with pytest.raises(ValueError, match=match):
        train(mlp([4, 3, 1], rng=np.random.default_rng(0)), X, Y, **kwargs)


def test_images_as_input_shape():
    """A first layer whose n_in is a shape (C, H, W) makes the model take (C, H, W, m) inputs."""
    flatten = type("Flat", (), {"params": {}, "n_in": (2, 3, 3), "n_out": 18,
                                "forward": lambda self, A, training=False: (A.reshape(18, -1), A.shape),
                                "backward": lambda self, dA, cache: (dA.reshape(cache), {}),
                                "config": lambda self: {}})()
    model = Model([flatten, Dense(18, 1, "identity", rng=np.random.default_rng(0))], SigmoidCrossEntropy())
    assert model.input_shape == (2, 3, 3)
    X = np.random.default_rng(1).normal(size=(2, 3, 3, 5))
    assert model.predict(X).shape == (5,)
    with pytest.raises(ValueError, match=r"X has shape \(2, 3, 4, 5\) but the network expects \(2, 3, 3, 'm'\)"):
        model.predict(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match=r"X must be 4-D, got shape \(18, 5\)"):
        model.predict(np.zeros((18, 5)))
