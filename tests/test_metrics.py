"""nnlib.metrics: values on hand-counted examples, edge cases, and bad input."""

import numpy as np
import pytest

from nnlib.metrics import accuracy, binary_counts, confusion_matrix, f1, precision, recall

Y_TRUE = np.array([1, 1, 0, 0, 1, 0, 1])
Y_PRED = np.array([1, 0, 0, 1, 1, 0, 1])  # tp = 3, fn = 1, fp = 1, tn = 2


def test_hand_counted_binary_example():
    assert binary_counts(Y_TRUE, Y_PRED) == {"tp": 3, "fp": 1, "fn": 1, "tn": 2}
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(5 / 7)
    assert precision(Y_TRUE, Y_PRED) == pytest.approx(3 / 4)
    assert recall(Y_TRUE, Y_PRED) == pytest.approx(3 / 4)
    assert f1(Y_TRUE, Y_PRED) == pytest.approx(3 / 4)
    # class 0 as the positive class: tp = 2, fp = 1, fn = 1
    assert binary_counts(Y_TRUE, Y_PRED, positive=0) == {"tp": 2, "fp": 1, "fn": 1, "tn": 3}
    assert precision(Y_TRUE, Y_PRED, positive=0) == pytest.approx(2 / 3)
    assert recall(Y_TRUE, Y_PRED, positive=0) == pytest.approx(2 / 3)
    for value in (accuracy(Y_TRUE, Y_PRED), precision(Y_TRUE, Y_PRED), recall(Y_TRUE, Y_PRED), f1(Y_TRUE, Y_PRED)):
        assert type(value) is float


def test_precision_and_recall_differ_when_they_should():
    y_true = np.array([1, 1, 1, 1, 0, 0])
    y_pred = np.array([1, 0, 0, 0, 0, 0])  # cautious: 1 tp, 3 fn, 0 fp
    assert precision(y_true, y_pred) == 1.0 and recall(y_true, y_pred) == 0.25
    assert f1(y_true, y_pred) == pytest.approx(2 * 1.0 * 0.25 / 1.25)
    y_pred = np.ones(6, dtype=int)  # eager: everything positive, 4 tp, 2 fp
    assert precision(y_true, y_pred) == pytest.approx(4 / 6) and recall(y_true, y_pred) == 1.0
    assert f1(y_true, y_pred) == pytest.approx(2 * (2 / 3) * 1.0 / (2 / 3 + 1.0))


def test_f1_is_the_harmonic_mean_of_precision_and_recall():
    rng = np.random.default_rng(0)
    for _ in range(20):
        y_true, y_pred = rng.integers(0, 2, 30), rng.integers(0, 2, 30)
        p, r = precision(y_true, y_pred), recall(y_true, y_pred)
        assert f1(y_true, y_pred) == pytest.approx(2 * p * r / (p + r) if p + r else 0.0, rel=1e-12)


def test_perfect_and_all_wrong_predictions():
    y = np.array([0, 1, 1, 0, 1])
    assert accuracy(y, y) == precision(y, y) == recall(y, y) == f1(y, y) == 1.0
    assert accuracy(y, 1 - y) == precision(y, 1 - y) == recall(y, 1 - y) == f1(y, 1 - y) == 0.0


def test_undefined_ratios_are_zero_as_in_scikit_learn():
    # no example predicted positive: precision = 0/0 -> 0.0 (scikit-learn's zero_division=0)
    assert precision([0, 1], [0, 0]) == 0.0
    # no positive example: recall = 0/0 -> 0.0
    assert recall([0, 0], [1, 0]) == 0.0
    # neither: tp = fp = fn = 0 -> F1 = 0.0, although every prediction is right
    assert f1([0, 0], [0, 0]) == 0.0 and accuracy([0, 0], [0, 0]) == 1.0
    # a positive class that never occurs
    assert binary_counts([0, 1], [0, 1], positive=7) == {"tp": 0, "fp": 0, "fn": 0, "tn": 2}


def test_one_vs_rest_counts_with_more_classes():
    y_true = [0, 1, 2, 2, 2, 1]
    y_pred = [0, 2, 2, 1, 2, 1]
    assert binary_counts(y_true, y_pred, positive=2) == {"tp": 2, "fp": 1, "fn": 1, "tn": 2}
    assert precision(y_true, y_pred, positive=2) == pytest.approx(2 / 3)
    assert recall(y_true, y_pred, positive=1) == pytest.approx(1 / 2)


def test_confusion_matrix_rows_are_true_classes():
    y_true = [0, 1, 2, 2, 2, 1]
    y_pred = [0, 2, 2, 1, 2, 1]
    cm = confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [0, 1, 2]])
    assert cm.dtype == np.int64 and cm.sum() == 6
    assert np.trace(cm) / cm.sum() == pytest.approx(accuracy(y_true, y_pred))
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=3))
    np.testing.assert_array_equal(confusion_matrix([0, 0], [0, 0], 3), [[2, 0, 0], [0, 0, 0], [0, 0, 0]])


def test_binary_confusion_matrix_holds_the_counts():
    cm = confusion_matrix(Y_TRUE, Y_PRED, 2)
    c = binary_counts(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm, [[c["tn"], c["fp"]], [c["fn"], c["tp"]]])


def test_booleans_lists_and_whole_floats_are_read_as_labels():
    assert accuracy([True, False, True], np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert recall(np.array([1.0, 0.0]), np.array([1, 1])) == 1.0
    assert accuracy(np.array([1, 0], dtype=np.uint8), np.array([1.0, 0.0], dtype=np.float32)) == 1.0
    np.testing.assert_array_equal(confusion_matrix(np.array([1.0, 0.0]), [1, 1], 2), [[0, 1], [0, 1]])


def test_inputs_are_not_modified():
    y_true, y_pred = Y_TRUE.copy(), Y_PRED.astype(np.float64)
    confusion_matrix(y_true, y_pred, 2)
    f1(y_true, y_pred)
    np.testing.assert_array_equal(y_true, Y_TRUE)
    assert y_pred.dtype == np.float64


@pytest.mark.parametrize("call, error, match", [
    (lambda: accuracy([0, 1, 1], [0, 1]), ValueError, "same length, got 3 and 2"),
    (lambda: accuracy(np.zeros((2, 3), int), np.zeros((2, 3), int)), ValueError, r"y_true must be 1-D .* \(2, 3\)"),
    (lambda: accuracy(np.zeros((1, 3), int), np.zeros(3, int)), ValueError, r"pass Y\[0\]"),
    (lambda: accuracy(np.array(1), np.array(1)), ValueError, "y_true must be 1-D"),
    (lambda: accuracy([], []), ValueError, "y_true must hold at least one label"),
    (lambda: accuracy([0, 1], ["0", "1"]), TypeError, "y_pred must be integer class labels"),
    (lambda: accuracy([0, 1], [None, 1]), TypeError, "y_pred must be integer class labels"),
    (lambda: accuracy([0, 1j], [0, 1]), TypeError, "y_true must be integer class labels"),
    (lambda: accuracy([0, np.nan], [0, 1]), ValueError, "y_true contains NaN"),
    (lambda: f1([0, 1], [np.inf, 1]), ValueError, "y_pred contains NaN or infinite"),
    (lambda: confusion_matrix([0, 1], [0, np.nan], 2), ValueError, "y_pred contains NaN"),
    (lambda: precision([0, -1], [0, 1]), ValueError, r"y_true must hold class labels 0, 1, 2, \.\.\., found negative values \[-1\]"),
    (lambda: recall([0, 1], [0.5, 1]), ValueError, r"y_pred must contain whole numbers .*\[0\.5\]"),
    (lambda: precision([0, 1], [0, 1], positive=1.5), ValueError, "positive must be a class label"),
    (lambda: precision([0, 1], [0, 1], positive=True), ValueError, "positive must be a class label"),
    (lambda: recall([0, 1], [0, 1], positive=-1), ValueError, "positive must be a class label"),
    (lambda: confusion_matrix([0, 3], [0, 1], 3), ValueError, r"y_true must lie in 0\.\.2, found \[3\]"),
    (lambda: confusion_matrix([0, 1], [0, 5], 3), ValueError, r"y_pred must lie in 0\.\.2, found \[5\]"),
    (lambda: confusion_matrix([0, 1], [0, 1], 0), ValueError, "num_classes must be a positive integer"),
    (lambda: confusion_matrix([0, 1], [0, 1], 2.0), ValueError, "num_classes must be a positive integer"),
    (lambda: confusion_matrix([0, 1], [0, 1, 1], 2), ValueError, "same length"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
