"""nnlib.diagnostics (notebook 09): the definitions on hand-made arrays, traces that match the model, bad
input named."""
import warnings

import numpy as np
import pytest

from nnlib.diagnostics import activation_report, dead_relu_fraction, saturated_fraction, trace_forward
import toy_data
from nnlib.model import mlp


data = toy_data.binary


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
