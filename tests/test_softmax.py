"""Tests for nnlib.softmax (notebook 06): values, Jacobian, gradients, extremes, bad input."""
import warnings

import numpy as np
import pytest

from nnlib.preprocessing import one_hot
from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.model import mlp, train
from nnlib.softmax import (SoftmaxCrossEntropy, categorical_cross_entropy, log_softmax, logsumexp, softmax,
                           softmax_cross_entropy, softmax_jacobian)


def random_problem(C, m, seed):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((C, m)) * 3
    Y = one_hot(rng.integers(0, C, m), C)
    return Z, Y


def test_softmax_columns_are_distributions():
    Z, _ = random_problem(5, 7, 0)
    S = softmax(Z)
    assert S.shape == (5, 7)
    assert np.all(S > 0)
    np.testing.assert_allclose(S.sum(axis=0), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(S, np.exp(Z) / np.exp(Z).sum(axis=0), rtol=1e-13)


def test_softmax_is_shift_invariant_per_column():
    Z, _ = random_problem(4, 6, 1)
    shifts = np.arange(6.0) * 100 - 250
    np.testing.assert_allclose(softmax(Z + shifts), softmax(Z), rtol=1e-12)


def test_softmax_of_a_vector_and_two_classes_is_the_sigmoid():
    z = np.array([0.3, -1.2])
    s = softmax(z)
    assert s.shape == (2,)
    np.testing.assert_allclose(s[0], 1 / (1 + np.exp(-(z[0] - z[1]))), rtol=1e-14)


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_extreme_logits_finite_sum_to_one_no_warning(scale):
    Z = np.array([[scale, -scale, 0.0, scale, -scale],
                  [-scale, scale, 0.0, scale, -scale],
                  [0.0, 0.0, scale, -scale, -scale]])
    Y = one_hot(np.array([1, 1, 0, 2, 0]), 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S = softmax(Z)
        cost, dZ = softmax_cross_entropy(Z, Y)
        L = log_softmax(Z)
        lse = logsumexp(Z)
        ce = categorical_cross_entropy(S, Y)
    assert np.all(np.isfinite(S)) and np.all(np.isfinite(dZ)) and np.all(np.isfinite(L)) and np.all(np.isfinite(lse))
    np.testing.assert_allclose(S.sum(axis=0), 1.0, rtol=0, atol=1e-15)
    assert np.isfinite(cost) and np.isfinite(ce)
    # exact costs: column 0 gives the true class 1 a log-probability of -2·scale, column 1 of 0,
    # column 2: -scale, column 3: z = (s, s, -s), true 2: -(2s + log 2), column 4: all equal, -log 3
    expected = (2 * scale + 0 + scale + 2 * scale + np.log(2) + np.log(3)) / 5
    np.testing.assert_allclose(cost, expected, rtol=1e-12)
    np.testing.assert_allclose(dZ, S - Y, atol=1e-15)


def test_logsumexp_and_log_softmax():
    Z, _ = random_problem(6, 4, 2)
    np.testing.assert_allclose(logsumexp(Z), np.log(np.exp(Z).sum(axis=0, keepdims=True)), rtol=1e-13)
    np.testing.assert_allclose(log_softmax(Z), np.log(softmax(Z)), rtol=1e-12, atol=1e-13)
    assert isinstance(logsumexp(np.array([1.0, 2.0])), float)
    assert logsumexp(np.array([1e4, 1e4])) == pytest.approx(1e4 + np.log(2), rel=1e-15)


@pytest.mark.parametrize("C", [2, 3, 5, 10])
def test_jacobian_matches_formula_and_finite_differences(C):
    z = np.random.default_rng(C).standard_normal(C)
    s = softmax(z)
    J = softmax_jacobian(s)
    by_element = np.array([[s[i] * ((i == j) - s[j]) for j in range(C)] for i in range(C)])
    np.testing.assert_allclose(J, by_element, rtol=1e-14, atol=1e-16)
    numeric = np.empty((C, C))
    for i in range(C):
        numeric[i] = numerical_gradient(lambda v, i=i: softmax(v)[i], z.copy())
    assert relative_error(J, numeric) < 1e-8
    np.testing.assert_allclose(J, J.T, atol=1e-16)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-15)


@pytest.mark.parametrize("C", range(2, 11))
def test_softmax_cross_entropy_gradient_check(C):
    Z, Y = random_problem(C, 6, 10 + C)
    cost, dZ = softmax_cross_entropy(Z, Y)
    numeric = numerical_gradient(lambda z: softmax_cross_entropy(z, Y)[0], Z)
    # the cost is a mean over m, dZ is per example: ∂J/∂Z = dZ / m
    assert relative_error(dZ / Z.shape[1], numeric) < 1e-7


@pytest.mark.parametrize("C", range(2, 11))
def test_jacobian_vector_product_collapses_to_s_minus_y(C):
    Z, Y = random_problem(C, 4, 30 + C)
    S = softmax(Z)
    for k in range(Z.shape[1]):
        s, y = S[:, k], Y[:, k]
        dz = softmax_jacobian(s).T @ (-y / s)
        np.testing.assert_allclose(dz, s - y, atol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_whole_model_gradient_check_with_softmax_output(activation):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4, 7))
    Y = one_hot(rng.integers(0, 3, 7), 3)
    model = mlp([4, 5, 4, 3], hidden_activation=activation, output=SoftmaxCrossEntropy(),
                init="xavier", rng=np.random.default_rng(4))
    _, grads = model.loss_and_grads(X, Y)
    errors = check_gradients(lambda: model.cost(X, Y), model.params, grads)
    assert max(errors.values()) < 1e-7, errors


def test_categorical_cross_entropy_values_and_zero_probabilities():
    A = np.array([[0.7, 0.0], [0.2, 1.0], [0.1, 0.0]])
    Y = one_hot(np.array([0, 1]), 3)
    assert categorical_cross_entropy(A, Y) == pytest.approx(-np.log(0.7) / 2, rel=1e-14)
    Y_wrong = one_hot(np.array([0, 0]), 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = categorical_cross_entropy(A, Y_wrong)
    assert np.isfinite(cost) and cost > 10
    Z, Y = random_problem(4, 5, 5)
    assert categorical_cross_entropy(softmax(Z), Y) == pytest.approx(softmax_cross_entropy(Z, Y)[0], rel=1e-12)


def test_integer_labels_are_accepted_and_match_one_hot():
    Z, _ = random_problem(4, 6, 6)
    labels = np.array([0, 3, 2, 1, 3, 0])
    cost_a, dZ_a = softmax_cross_entropy(Z, labels)
    cost_b, dZ_b = softmax_cross_entropy(Z, one_hot(labels, 4))
    assert cost_a == cost_b
    np.testing.assert_array_equal(dZ_a, dZ_b)


def test_uniform_prediction_costs_log_C():
    for C in range(2, 11):
        cost, _ = softmax_cross_entropy(np.zeros((C, 3)), one_hot(np.array([0, 1, C - 1]), C))
        assert cost == pytest.approx(np.log(C), rel=1e-14)


def test_output_object_protocol():
    out = SoftmaxCrossEntropy()
    assert out.name == "softmax_cross_entropy"
    Z = np.array([[1.0, 5.0, -2.0], [3.0, 0.0, -1.0], [2.0, 1.0, -3.0]])
    np.testing.assert_array_equal(out.predict(Z), [1, 0, 1])
    assert out.predict(Z).dtype == np.int64
    np.testing.assert_allclose(out.probabilities(Z).sum(axis=0), 1.0)


@pytest.mark.parametrize("labels, C, bad", [([0, 3, 1], 3, "3"), ([-1, 0], 2, "-1"), ([0, 10], 10, "10")])
def test_one_hot_rejects_labels_outside_range(labels, C, bad):
    with pytest.raises(ValueError, match=rf"labels must lie in 0\.\.{C - 1}, found \[{bad}\]"):
        one_hot(np.array(labels), C)
    with pytest.raises(ValueError, match=r"labels must lie in"):
        softmax_cross_entropy(np.zeros((C, len(labels))), np.array(labels))


def test_bad_input_names_the_argument():
    Z, Y = random_problem(3, 4, 7)
    with pytest.raises(ValueError, match=r"Y must have shape \(3, m\)"):
        softmax_cross_entropy(Z, Y[:2])
    with pytest.raises(ValueError, match=r"Y must have shape \(3, 4\)"):
        softmax_cross_entropy(Z, Y[:, :3])
    with pytest.raises(ValueError, match="Y must be one-hot"):
        softmax_cross_entropy(Z, Y * 2)
    with pytest.raises(ValueError, match="Z contains NaN"):
        softmax_cross_entropy(np.full((3, 4), np.nan), Y)
    with pytest.raises(ValueError, match="Z must be"):
        softmax(np.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match="Z must be a numeric array"):
        softmax(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="A must hold probabilities"):
        categorical_cross_entropy(Z, Y)
    with pytest.raises(ValueError, match="s must be 1-D"):
        softmax_jacobian(softmax(Z))


def test_float32_stays_float32():
    Z, Y = random_problem(3, 4, 8)
    Z = Z.astype(np.float32)
    assert softmax(Z).dtype == np.float32
    _, dZ = softmax_cross_entropy(Z, Y)
    assert dZ.dtype == np.float32


def test_training_is_deterministic():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((5, 40))
    Y = one_hot(rng.integers(0, 4, 40), 4)
    runs = []
    for _ in range(2):
        model = mlp([5, 8, 4], output=SoftmaxCrossEntropy(), rng=np.random.default_rng(11))
        costs = train(model, X, Y, 0.5, 50)
        runs.append(model.params)
    assert costs[-1] < costs[0]
    for name in runs[0]:
        np.testing.assert_array_equal(runs[0][name], runs[1][name])


def test_targets_may_be_probabilities_or_integer_one_hot():
    Z, Y = random_problem(3, 4, 12)
    soft = 0.9 * Y + 0.1 / 3  # label smoothing: still columns of probabilities
    cost, dZ = softmax_cross_entropy(Z, soft)
    np.testing.assert_allclose(dZ, softmax(Z) - soft, atol=1e-15)
    assert cost == pytest.approx(-np.sum(soft * log_softmax(Z)) / 4, rel=1e-13)
    cost_int, dZ_int = softmax_cross_entropy(Z, Y.astype(np.int64))
    assert cost_int == softmax_cross_entropy(Z, Y)[0]
    np.testing.assert_array_equal(dZ_int, softmax_cross_entropy(Z, Y)[1])
    # float32 targets summing to 1 only up to float32 rounding are accepted with float32 logits
    soft32 = np.full((10, 3), 0.1, dtype=np.float32)
    assert abs(float(soft32.sum(axis=0)[0]) - 1) > 0
    _, dZ32 = softmax_cross_entropy(np.zeros((10, 3), dtype=np.float32), soft32)
    assert dZ32.dtype == np.float32


@pytest.mark.parametrize("bad, message", [
    (lambda Y: Y * np.nan, "Y contains NaN"),
    (lambda Y: np.where(Y == 1, np.inf, 0.0), "Y contains NaN or infinite"),
    (lambda Y: 2 * Y - 1 / 3, "Y must be one-hot"),  # columns sum to 1 but entries < 0
    (lambda Y: Y + 1e-3, "Y must be one-hot"),
    (lambda Y: Y.T, r"Y must have shape \(3, m\)"),
    (lambda Y: Y[None], r"Y must have shape \(3, m\)"),
])
def test_bad_targets_give_clear_value_errors(bad, message):
    Z, Y = random_problem(3, 5, 13)
    with pytest.raises(ValueError, match=message):
        softmax_cross_entropy(Z, bad(Y))
    with pytest.raises(ValueError, match=message):
        SoftmaxCrossEntropy().loss(Z, bad(Y))


def test_non_numeric_targets_and_logits_with_inf():
    Z, Y = random_problem(3, 4, 14)
    with pytest.raises(TypeError, match="Y must be a numeric array"):
        softmax_cross_entropy(Z, Y.astype(str))
    Z[1, 2] = -np.inf
    with pytest.raises(ValueError, match="Z contains NaN or infinite"):
        softmax_cross_entropy(Z, Y)
    with pytest.raises(ValueError, match="Z contains NaN or infinite"):
        softmax(Z)


def test_from_one_hot_round_trip_and_bad_input():
    from nnlib.preprocessing import from_one_hot
    labels = np.array([0, 9, 3, 3, 7])
    np.testing.assert_array_equal(from_one_hot(one_hot(labels, 10)), labels)
    assert from_one_hot(one_hot(labels, 10)).dtype == np.int64
    with pytest.raises(ValueError, match="Y must be 2-D"):
        from_one_hot(labels)
    with pytest.raises(ValueError, match="Y contains NaN"):
        from_one_hot(np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match="num_classes must be a positive integer"):
        one_hot(labels, 0)
    with pytest.raises(TypeError, match="labels must be integer class labels"):
        one_hot(np.array(["a", "b"]), 2)
    with pytest.raises(ValueError, match="labels must contain whole numbers"):
        one_hot(np.array([0.5, 1.0]), 2)


def test_mlp_on_digits_with_softmax_output_learns():
    from nnlib.data import load_dataset
    from nnlib.preprocessing import images_to_columns
    digits = load_dataset("digits")
    X = images_to_columns(digits["images"][:300]) / 16.0
    y = digits["labels"][:300]
    model = mlp([64, 32, 10], output=SoftmaxCrossEntropy(), rng=np.random.default_rng(0))
    costs = train(model, X, one_hot(y, 10), 0.5, 100)
    assert costs[0] == pytest.approx(np.log(10), abs=0.5)
    assert costs[-1] < 0.5
    assert np.mean(model.predict(X) == y) > 0.9
    P = model.predict_proba(X)
    assert P.shape == (10, 300)
    np.testing.assert_allclose(P.sum(axis=0), 1.0, atol=1e-12)
