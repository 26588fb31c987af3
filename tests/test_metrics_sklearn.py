"""nnlib.metrics against scikit-learn's metrics on the same labels: random binary and multi-class
labels, every class as `positive`, the degenerate cases (nothing predicted positive, no positive
example, both) with scikit-learn's zero_division=0, and the confusion matrix's layout."""

import warnings

import numpy as np
import pytest
from sklearn import metrics as sk

from nnlib.metrics import accuracy, binary_counts, confusion_matrix, f1, precision, recall

CASES = [(m, c, seed) for m, c in [(1, 2), (7, 2), (50, 2), (200, 3), (500, 10)] for seed in range(4)]


def random_labels(m, classes, seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, size=m)
    # Mostly right, some wrong: every count (tp, fp, fn, tn) occurs for the larger m.
    y_pred = np.where(rng.random(m) < 0.7, y_true, rng.integers(0, classes, size=m))
    return y_true, y_pred


@pytest.mark.parametrize("m, classes, seed", CASES)
def test_accuracy_and_confusion_matrix_match_sklearn(m, classes, seed):
    y_true, y_pred = random_labels(m, classes, seed)
    assert accuracy(y_true, y_pred) == pytest.approx(sk.accuracy_score(y_true, y_pred), abs=1e-15)
    expected = sk.confusion_matrix(y_true, y_pred, labels=np.arange(classes))
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, classes), expected)


@pytest.mark.parametrize("m, classes, seed", CASES)
def test_precision_recall_f1_match_sklearn_for_every_positive_class(m, classes, seed):
    y_true, y_pred = random_labels(m, classes, seed)
    labels = np.arange(classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns where a ratio is undefined; nnlib documents it
        sk_p = sk.precision_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
        sk_r = sk.recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
        sk_f = sk.f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    for c in labels:
        c = int(c)
        assert precision(y_true, y_pred, positive=c) == pytest.approx(sk_p[c], abs=1e-12), ("precision", c)
        assert recall(y_true, y_pred, positive=c) == pytest.approx(sk_r[c], abs=1e-12), ("recall", c)
        assert f1(y_true, y_pred, positive=c) == pytest.approx(sk_f[c], abs=1e-12), ("f1", c)


@pytest.mark.parametrize("y_true, y_pred", [
    ([0, 0, 1, 1], [0, 0, 0, 0]),   # nothing predicted positive: precision undefined
    ([0, 0, 0, 0], [0, 1, 0, 1]),   # no positive example: recall undefined
    ([0, 0, 0, 0], [0, 0, 0, 0]),   # neither: F1 undefined too
    ([1, 1, 1], [1, 1, 1]),
    ([True, False, True], [True, True, False]),
])
def test_undefined_ratios_follow_sklearns_zero_division_0(y_true, y_pred):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ours, theirs in [(precision, sk.precision_score), (recall, sk.recall_score), (f1, sk.f1_score)]:
            assert ours(y_true, y_pred) == theirs(y_true, y_pred, zero_division=0), ours.__name__


@pytest.mark.parametrize("seed", range(3))
def test_binary_counts_match_sklearns_binary_confusion_matrix(seed):
    y_true, y_pred = random_labels(100, 2, seed)
    tn, fp, fn, tp = sk.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    assert binary_counts(y_true, y_pred) == {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
