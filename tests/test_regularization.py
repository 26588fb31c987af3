"""Tests for nnlib.regularization (notebook 08): L2, inverted dropout (fixed mask), early stopping."""
import warnings

import numpy as np
import pytest

from nnlib.preprocessing import one_hot
from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.layers import Dense
from nnlib.model import Model, SigmoidCrossEntropy, mlp
from nnlib.optim import SGD, Adam
from nnlib.regularization import (Dropout, EarlyStopping, dropout_backward, dropout_forward, l2_cost, l2_grads,
                                  with_l2)
from nnlib.softmax import SoftmaxCrossEntropy
from nnlib.training import fit


def small_problem(seed=0, m=9, C=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, m))
    Y = one_hot(rng.integers(0, C, m), C)
    return X, Y


def test_l2_cost_and_grads_hand_computed():
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[5.0]]), "W2": np.array([[3.0]])}
    # (λ / 2m) (1 + 4 + 9) with λ = 0.5, m = 7; b is not penalized
    assert l2_cost(params, 0.5, 7) == pytest.approx(0.5 / 14 * 14)
    grads = l2_grads(params, 0.5, 7)
    assert set(grads) == {"W1", "W2"}
    np.testing.assert_allclose(grads["W1"], [[0.5 / 7, -1.0 / 7]])
    for name in grads:
        numeric = numerical_gradient(lambda _: l2_cost(params, 0.5, 7), params[name])
        assert relative_error(grads[name], numeric) < 1e-7


@pytest.mark.parametrize("output, C", [(SoftmaxCrossEntropy(), 3), (SigmoidCrossEntropy(), 1)])
def test_with_l2_gradient_check(output, C):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 8))
    Y = one_hot(rng.integers(0, 3, 8), 3) if C == 3 else (rng.random((1, 8)) > 0.5).astype(float)
    model = mlp([4, 5, 4, C], output=output, init="xavier", rng=np.random.default_rng(2))
    loss_and_grads = with_l2(model, 0.7)
    cost, grads = loss_and_grads(X, Y)
    assert cost == pytest.approx(model.cost(X, Y) + l2_cost(model.params, 0.7, 8))
    errors = check_gradients(lambda: loss_and_grads(X, Y)[0], model.params, grads)
    assert max(errors.values()) < 1e-7, errors
    _, plain = model.loss_and_grads(X, Y)
    np.testing.assert_array_equal(grads["b1"], plain["b1"])  # biases not penalized
    np.testing.assert_allclose(grads["W1"] - plain["W1"], 0.7 / 8 * model.params["W1"], rtol=1e-12)
    cost_again, grads_again = loss_and_grads(X, Y)  # the penalty is added once per call, not accumulated
    assert cost_again == cost
    np.testing.assert_array_equal(grads_again["W1"], grads["W1"])


def test_with_l2_fixed_divisor():
    X, Y = small_problem()
    model = mlp([4, 3, 3], output=SoftmaxCrossEntropy(), rng=np.random.default_rng(0))
    cost, _ = with_l2(model, 1.0, m=100)(X, Y)
    assert cost == pytest.approx(model.cost(X, Y) + l2_cost(model.params, 1.0, 100))


def test_dropout_forward_backward_with_fixed_mask():
    A = np.arange(1.0, 7.0).reshape(2, 3)
    mask = np.array([[1, 0, 1], [0, 1, 1]])
    out, cache = dropout_forward(A, 0.5, mask=mask)
    np.testing.assert_array_equal(out, [[2.0, 0.0, 6.0], [0.0, 10.0, 12.0]])
    dA = np.ones((2, 3))
    np.testing.assert_array_equal(dropout_backward(dA, cache), mask * 2.0)
    bool_out, _ = dropout_forward(A, 0.5, mask=mask.astype(bool))
    np.testing.assert_array_equal(bool_out, out)


def test_inverted_dropout_keeps_the_expectation():
    A = np.full((50, 400), 3.0)
    out, cache = dropout_forward(A, 0.8, rng=np.random.default_rng(0))
    kept = np.mean(cache > 0)
    assert abs(kept - 0.8) < 0.01
    assert abs(out.mean() - 3.0) < 0.05
    assert set(np.unique(out).tolist()) == {0.0, 3.75}


def test_dropout_function_gradient_check_fixed_mask():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 6))
    mask = rng.random((5, 6)) < 0.6
    weights = rng.standard_normal((5, 6))
    _, cache = dropout_forward(A, 0.6, mask=mask)
    analytic = dropout_backward(weights, cache)
    numeric = numerical_gradient(lambda a: float(np.sum(weights * dropout_forward(a, 0.6, mask=mask)[0])), A)
    assert relative_error(analytic, numeric) < 1e-7


def dropout_model(masks, seed=4):
    rng = np.random.default_rng(seed)
    layers = [Dense(4, 6, "relu", "he", rng), Dropout(0.7, mask=masks[0]),
              Dense(6, 5, "tanh", "xavier", rng), Dropout(0.5, mask=masks[1]),
              Dense(5, 3, "identity", "xavier", rng)]
    return Model(layers, SoftmaxCrossEntropy())


def test_model_with_dropout_layers_gradient_check_fixed_mask():
    X, Y = small_problem(m=9)
    rng = np.random.default_rng(5)
    masks = [rng.random((6, 9)) < 0.7, rng.random((5, 9)) < 0.5]
    model = dropout_model(masks)
    assert list(model.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    _, grads = model.loss_and_grads(X, Y)
    errors = check_gradients(lambda: model.cost(X, Y, training=True), model.params, grads)
    assert max(errors.values()) < 1e-7, errors
    # with L2 on top
    loss_and_grads = with_l2(model, 0.3)
    _, grads = loss_and_grads(X, Y)
    errors = check_gradients(lambda: loss_and_grads(X, Y)[0], model.params, grads)
    assert max(errors.values()) < 1e-7, errors


def test_dropout_layer_identity_at_inference_and_random_in_training():
    layer = Dropout(0.5, rng=np.random.default_rng(0))
    A = np.ones((3, 4))
    out, cache = layer.forward(A, training=False)
    assert out is A and cache is None
    dA, grads = layer.backward(A, cache)
    assert dA is A and grads == {}
    first, _ = layer.forward(A, training=True)
    second, _ = layer.forward(A, training=True)
    assert not np.array_equal(first, second)
    assert layer.params == {} and layer.n_in is None and layer.n_out is None
    assert layer.config() == {"keep_prob": 0.5}
    assert Dropout(1.0).forward(A, training=True)[0] is A


def test_model_with_dropout_predicts_deterministically():
    X, _ = small_problem()
    model = Model([Dense(4, 6, "relu", "he", np.random.default_rng(0)), Dropout(0.5, np.random.default_rng(1)),
                   Dense(6, 3, "identity", "he", np.random.default_rng(2))], SoftmaxCrossEntropy())
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))


def test_dropout_bad_input():
    A = np.ones((2, 3))
    for bad in (0, 1.5, -0.1, True):
        with pytest.raises(ValueError, match="keep_prob must be in"):
            dropout_forward(A, bad, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="keep_prob must be in"):
        Dropout(0.0)
    with pytest.raises(ValueError, match=r"mask must have the shape of A \(2, 3\)"):
        dropout_forward(A, 0.5, mask=np.ones((3, 2)))
    with pytest.raises(ValueError, match="mask must contain only 0 and 1"):
        dropout_forward(A, 0.5, mask=np.full((2, 3), 0.5))
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        dropout_forward(A, 0.5)
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        Dropout(0.5).forward(A, training=True)
    with pytest.raises(ValueError, match="lambd must be a number >= 0"):
        l2_cost({}, -1, 3)
    with pytest.raises(ValueError, match="m must be a positive integer"):
        l2_grads({}, 0.1, 0)
    model = mlp([2, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="lambd must be a number >= 0"):
        with_l2(model, -0.5)
    with pytest.raises(ValueError, match="m must be a positive integer"):
        with_l2(model, 0.5, m=0)
    layer = Dropout(0.5, mask=np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"mask must have the shape of A \(2, 3\)"):
        layer.forward(A, training=True)
    with pytest.raises(TypeError, match="rng must be a np.random.Generator or None"):
        Dropout(0.5, rng=0)
    with pytest.raises(ValueError, match="min_delta must be a number >= 0"):
        EarlyStopping(model, patience=2, min_delta=-1.0)


def test_dropout_extremes_no_warning():
    A = np.array([[1e4, -1e4, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = dropout_forward(A, 0.9, mask=np.array([[1, 1, 0]]))
    assert np.all(np.isfinite(out))


def test_early_stopping_stops_after_patience_and_restores_best():
    model = mlp([2, 3, 1], rng=np.random.default_rng(0))
    stopper = EarlyStopping(model, patience=2)
    history = {"val_cost": []}
    decisions = []
    for epoch, value in enumerate([1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.1]):
        for p in model.params.values():
            p += 1.0  # the weights change every epoch
        history["val_cost"].append(value)
        if epoch == 3:
            best = {n: p.copy() for n, p in model.params.items()}
        decisions.append(stopper(epoch, history))
        if decisions[-1]:
            break
    assert decisions == [False, False, False, False, False, True]
    assert stopper.best_epoch == 3 and stopper.best_value == 0.7 and stopper.stopped_epoch == 5
    stopper.on_train_end()
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, best[name])


def test_early_stopping_with_fit():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((6, 30))
    Y = one_hot(rng.integers(0, 3, 30), 3)  # random labels: the validation cost soon rises
    X_val = rng.standard_normal((6, 30))
    Y_val = one_hot(rng.integers(0, 3, 30), 3)
    model = mlp([6, 32, 3], output=SoftmaxCrossEntropy(), rng=np.random.default_rng(7))
    arrays = [p for p in model.params.values()]
    stopper = EarlyStopping(model, patience=3)
    history = fit(model, X, Y, Adam(0.05), 200, 10, np.random.default_rng(8), validation=(X_val, Y_val),
                  callback=stopper)
    assert stopper.stopped_epoch == len(history["cost"]) - 1 < 199
    assert stopper.best_epoch == int(np.argmin(history["val_cost"]))
    assert model.cost(X_val, Y_val) == pytest.approx(min(history["val_cost"]), rel=1e-12)
    assert all(a is b for a, b in zip(arrays, model.params.values()))  # restored in place


def test_early_stopping_monitor_accuracy_and_bad_input():
    model = mlp([2, 1], rng=np.random.default_rng(0))
    stopper = EarlyStopping(model, patience=1, monitor="val_accuracy")
    history = {"val_accuracy": [0.5]}
    assert not stopper(0, history)
    history["val_accuracy"].append(0.6)
    assert not stopper(1, history) and stopper.best_epoch == 1
    history["val_accuracy"].append(0.55)
    assert stopper(2, history)
    with pytest.raises(ValueError, match="patience must be a positive integer"):
        EarlyStopping(model, patience=0)
    with pytest.raises(ValueError, match="monitor must be"):
        EarlyStopping(model, patience=1, monitor="accuracy")
    with pytest.raises(ValueError, match="pass validation="):
        EarlyStopping(model, patience=1)(0, {"cost": [1.0]})


def test_training_with_regularization_is_deterministic():
    X, Y = small_problem(m=40)
    finals = []
    for _ in range(2):
        rng = np.random.default_rng(10)
        model = Model([Dense(4, 8, "relu", "he", rng), Dropout(0.8, rng), Dense(8, 3, "identity", "he", rng)],
                      SoftmaxCrossEntropy())
        fit(model, X, Y, SGD(0.1), 5, 8, rng, loss_and_grads=with_l2(model, 0.1))
        finals.append(model.params)
    for name in finals[0]:
        np.testing.assert_array_equal(finals[0][name], finals[1][name])
