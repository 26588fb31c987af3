"""nnlib.recurrent (notebook 13): BPTT of the RNN and the GRU against finite differences over
>= 5 time steps, the layers under Model, fit and io.py, gradient clipping, and bad input."""
import numpy as np
import pytest

from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.io import load_model, save_model
from nnlib.layers import Dense
from nnlib.model import Model
from nnlib.optim import Adam
from nnlib.recurrent import (
    GRU,
    RNN,
    clip_by_global_norm,
    global_norm,
    gru_backward,
    gru_forward,
    orthogonal,
    rnn_backward,
    rnn_forward,
    with_clipping,
)
from nnlib.regularization import with_l2
from nnlib.softmax import SoftmaxCrossEntropy
from nnlib.training import fit

pytestmark = pytest.mark.usefixtures("warnings_are_errors")

CELLS = {"rnn": (rnn_forward, rnn_backward, 1), "gru": (gru_forward, gru_backward, 3)}


def random_problem(gates, n_x=3, n_h=4, T=6, m=5, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    X, h0 = rng.standard_normal((n_x, T, m)), scale * rng.standard_normal((n_h, m))
    params = {"Wx": scale * rng.standard_normal((gates * n_h, n_x)),
              "Wh": scale * rng.standard_normal((gates * n_h, n_h)),
              "b": scale * rng.standard_normal((gates * n_h, 1))}
    G = rng.standard_normal((n_h, T, m))  # the gradient arriving at every h_t from above
    return X, h0, params, G


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("T", [1, 5, 8])
def test_bptt_matches_finite_differences(cell, T):
    forward, backward, gates = CELLS[cell]
    X, h0, p, G = random_problem(gates, T=T, seed=T)
    m = X.shape[2]

    def L():  # per-example upstream G, so the cost is the mean over the m examples
        return float(np.sum(forward(X, h0, p["Wx"], p["Wh"], p["b"])[0] * G) / m)

    H, cache = forward(X, h0, p["Wx"], p["Wh"], p["b"])
    assert H.shape == (4, T, m)
    dX, dh0, dWx, dWh, db = backward(G, cache)
    errors = check_gradients(L, p, {"Wx": dWx, "Wh": dWh, "b": db})
    errors["X"] = relative_error(dX / m, numerical_gradient(lambda _: L(), X))
    errors["h0"] = relative_error(dh0 / m, numerical_gradient(lambda _: L(), h0))
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("cls", [RNN, GRU])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_layer_in_a_model_gradient_check(cls, return_sequences):
    rng = np.random.default_rng(1)
    n_x, n_h, T, m = 2, 4, 5, 6
    layers = [cls(n_x, n_h, seq_len=T, return_sequences=return_sequences, rng=rng)]
    if return_sequences:
        layers.append(LastStep(n_h, T))
    layers.append(Dense(n_h, 3, "identity", "xavier", rng))
    model = Model(layers, SoftmaxCrossEntropy())
    for value in model.params.values():
        value += 0.3 * rng.standard_normal(value.shape)
    X, y = rng.standard_normal((n_x, T, m)), rng.integers(0, 3, m)
    _, grads = model.loss_and_grads(X, y)
    errors = check_gradients(lambda: model.cost(X, y), model.params, grads)
    assert set(errors) == {"Wx1", "Wh1", "b1", "W2", "b2"}
    assert max(errors.values()) < 1e-7, errors


class LastStep:
    """(n_h, T, m) -> its last step (n_h, m): checks the return_sequences=True path of backward."""

    def __init__(self, n_h, T):
        self.params, self.n_in, self.n_out = {}, (n_h, T), n_h

    def forward(self, A, training=False):
        return A[:, -1], A.shape

    def backward(self, dA, shape):
        dH = np.zeros(shape)
        dH[:, -1] = dA
        return dH, {}


def test_return_sequences_matches_the_last_state():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 7, 4))
    for cls in (RNN, GRU):
        last = cls(3, 5, rng=np.random.default_rng(0))
        every = cls(3, 5, return_sequences=True, rng=np.random.default_rng(0))
        np.testing.assert_array_equal(last.forward(X)[0], every.forward(X)[0][:, -1])
        assert every.forward(X)[0].shape == (5, 7, 4)


def test_any_length_without_seq_len():
    layer = GRU(2, 3, rng=np.random.default_rng(0))
    assert layer.n_in is None and layer.n_out == 3
    for T in (1, 4, 9):
        assert layer.forward(np.ones((2, T, 5)))[0].shape == (3, 5)


def test_float32_stays_float32_and_matches_float64():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((1, 40, 16))
    for cls in (RNN, GRU):
        l64 = cls(1, 8, seq_len=40, rng=np.random.default_rng(0))
        l32 = cls(1, 8, seq_len=40, rng=np.random.default_rng(0), dtype=np.float32)
        A32, cache = l32.forward(X.astype(np.float32))
        _, grads = l32.backward(np.ones_like(A32), cache)
        assert A32.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
        np.testing.assert_allclose(A32, l64.forward(X)[0], atol=1e-5)


def test_gru_update_gate_at_one_copies_the_state():
    # b_z large: z = 1, h_t = h_{t-1} for every t, and the gradient reaches h_0 unchanged
    n_h, T, m = 3, 6, 2
    X, h0, p, _ = random_problem(3, n_h=n_h, T=T, m=m)
    p["b"][:n_h] = 60.0
    H, cache = gru_forward(X, h0, p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(H[:, -1], h0, atol=1e-12)
    dH = np.zeros((n_h, T, m))
    dH[:, -1] = 1.0
    dh0 = gru_backward(dH, cache)[1]
    np.testing.assert_allclose(dh0, 1.0, atol=1e-12)


def test_fit_trains_a_gru_on_sequences_and_is_deterministic():
    def run():
        rng = np.random.default_rng(0)
        X = rng.standard_normal((1, 8, 200))
        y = (X[0, 0] > 0).astype(np.int64)  # the class is the sign of the FIRST step: memory needed
        model = Model([GRU(1, 8, seq_len=8, rng=rng), Dense(8, 2, "identity", "xavier", rng)], SoftmaxCrossEntropy())
        history = fit(model, X, y, Adam(0.02), 30, 32, np.random.default_rng(1),
                      loss_and_grads=with_clipping(model.loss_and_grads, 1.0))
        return model, history, np.mean(model.predict(X) == y)

    model_a, history, accuracy = run()
    assert history["cost"][-1] < 0.5 * history["cost"][0] and accuracy > 0.9
    model_b, _, _ = run()
    for name, value in model_a.params.items():
        np.testing.assert_array_equal(value, model_b.params[name])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_and_load_round_trip(tmp_path, dtype):
    rng = np.random.default_rng(4)
    # a stack: the GRU feeds every state to the RNN, whose last state the Dense head reads
    model = Model([GRU(2, 5, seq_len=7, return_sequences=True, rng=rng, dtype=dtype),
                   RNN(5, 4, seq_len=7, rng=rng, dtype=dtype),
                   Dense(4, 3, "identity", "xavier", rng, dtype)], SoftmaxCrossEntropy())
    for value in model.params.values():
        value += dtype(0.1)
    X = rng.standard_normal((2, 7, 9)).astype(dtype)
    save_model(model, tmp_path / "rnn.h5", hyperparameters={"clip": 1.0})
    loaded, hyper = load_model(tmp_path / "rnn.h5")
    assert hyper == {"clip": 1.0}
    assert [type(layer) for layer in loaded.layers] == [GRU, RNN, Dense]
    assert loaded.layers[0].return_sequences and loaded.layers[0].n_out == (5, 7)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert all(value.dtype == dtype for value in loaded.params.values())


def test_clip_by_global_norm():
    grads = {"W": np.array([[3.0, 0.0]]), "b": np.array([[4.0]])}
    assert global_norm(grads) == pytest.approx(5.0)
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    assert global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["W"], [[0.6, 0.0]])  # same direction, length 1
    np.testing.assert_array_equal(grads["W"], [[3.0, 0.0]])  # input untouched
    unchanged, _ = clip_by_global_norm(grads, 10.0)
    np.testing.assert_array_equal(unchanged["b"], grads["b"])
    f32 = {"W": np.ones((2, 2), np.float32) * 100}
    assert clip_by_global_norm(f32, 1.0)[0]["W"].dtype == np.float32


def test_with_clipping_composes_with_l2_and_records_norms():
    rng = np.random.default_rng(5)
    model = Model([RNN(2, 3, seq_len=5, rng=rng), Dense(3, 2, "identity", "xavier", rng)], SoftmaxCrossEntropy())
    X, y = 10 * rng.standard_normal((2, 5, 8)), rng.integers(0, 2, 8)
    wrapped = with_clipping(with_l2(model, 0.1), 0.01)
    cost, grads = wrapped(X, y)
    raw_cost, raw_grads = with_l2(model, 0.1)(X, y)
    assert cost == raw_cost and wrapped.norms == [pytest.approx(global_norm(raw_grads))]
    assert global_norm(grads) == pytest.approx(0.01)


@pytest.mark.parametrize("bad, message", [
    (np.ones((3, 5)), "3-D"),                    # wrong rank: (n_x, m) without the time axis
    (np.ones((3, 4, 5, 6)), "3-D"),
    (np.ones((3, 0, 5)), "T = 0"),                # sequence length 0
    (np.ones((2, 4, 5)), "n_x = 3"),             # wrong number of features
    (np.ones((3, 6, 5)), "seq_len = 4"),         # wrong length for a fixed-length layer
    (np.ones((3, 4, 5), dtype=np.int64), "float"),
    ([[[1.0]]], "NumPy array"),
])
@pytest.mark.parametrize("cls", [RNN, GRU])
def test_bad_input_to_the_layer(cls, bad, message):
    layer = cls(3, 2, seq_len=4, rng=np.random.default_rng(0))
    with pytest.raises((ValueError, TypeError), match=message):
        layer.forward(bad)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_mismatched_hidden_sizes(cell):
    forward, backward, gates = CELLS[cell]
    X, h0, p, G = random_problem(gates)
    with pytest.raises(ValueError, match="h0 must have shape"):
        forward(X, np.zeros((5, 5)), p["Wx"], p["Wh"], p["b"])
    with pytest.raises(ValueError, match="Wh must have shape"):
        forward(X, h0, p["Wx"], np.zeros((gates * 4, 5)), p["b"])
    with pytest.raises(ValueError, match="b must have shape"):
        forward(X, h0, p["Wx"], p["Wh"], np.zeros((gates * 5, 1)))
    with pytest.raises(ValueError, match="Wx must have shape"):
        forward(X, h0, np.zeros((gates * 4, 2)), p["Wh"], p["b"])
    _, cache = forward(X, h0, p["Wx"], p["Wh"], p["b"])
    with pytest.raises(ValueError, match="dH must have shape"):
        backward(G[:-1], cache)


def test_mismatched_hidden_size_in_a_model_and_bad_constructor_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="layer sizes do not match"):
        Model([GRU(1, 8, seq_len=4, rng=rng), Dense(6, 2, "identity", "xavier", rng)], SoftmaxCrossEntropy())
    layer = RNN(1, 8, seq_len=4, rng=rng)
    _, cache = layer.forward(np.ones((1, 4, 3)))
    with pytest.raises(ValueError, match=r"\(8, 3\)"):
        layer.backward(np.ones((6, 3)), cache)
    for kwargs, message in (({"n_h": 0}, "n_h"), ({"seq_len": 0}, "seq_len"), ({"rng": None}, "rng"),
                            ({"return_sequences": 1}, "return_sequences"), ({"dtype": np.int32}, "dtype")):
        args = {"n_x": 1, "n_h": 4, "rng": rng, **kwargs}
        with pytest.raises((ValueError, TypeError), match=message):
            GRU(**args)
    for bad in (0, -1.0, np.inf, "1"):
        with pytest.raises(ValueError, match="max_norm"):
            with_clipping(lambda X, Y: (0.0, {}), bad)
    with pytest.raises(FloatingPointError, match="NaN"):
        clip_by_global_norm({"W": np.array([np.nan])}, 1.0)


def test_orthogonal_has_every_singular_value_and_eigenvalue_modulus_one():
    Q = orthogonal(7, np.random.default_rng(0), np.float64)
    np.testing.assert_allclose(Q.T @ Q, np.eye(7), atol=1e-12)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(Q)), 1.0, atol=1e-12)
    with pytest.raises(ValueError, match="n must be"):
        orthogonal(0, np.random.default_rng(0), np.float64)
