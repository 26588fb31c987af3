"""Classification metrics from integer labels (notebook 05).

Every function takes 1-D arrays of integer class labels, the true ones and the
predicted ones (e.g. model.predict(X)), of the same length m >= 1. Booleans are
read as 0/1, and floats are accepted when they hold whole numbers (1.0). For a
binary Y of shape (1, m) pass Y[0]. For binary tasks, `positive` names the class
that counts as "positive" (default 1).

Undefined ratios follow scikit-learn's zero_division=0: precision is 0.0 when no
example is predicted positive, recall is 0.0 when no example is positive, and F1
is 0.0 when both are. (scikit-learn also warns; here the docstrings say it.)
"""
import numpy as np

from .checks import check_labels, is_integer

__all__ = ["accuracy", "binary_counts", "precision", "recall", "f1", "confusion_matrix"]


def _labels(name, labels):
    """labels as a 1-D int64 array of non-negative whole numbers, or a ValueError/TypeError naming `name`."""
    labels = np.asarray(labels)
    if labels.dtype == bool:
        labels = labels.astype(np.int64)
    if labels.dtype == object or not np.issubdtype(labels.dtype, np.number) \
            or np.issubdtype(labels.dtype, np.complexfloating):
        raise TypeError(f"{name} must be integer class labels, got dtype {labels.dtype}")
    if labels.ndim != 1:
        hint = "; for Y of shape (1, m) pass Y[0]" if labels.ndim == 2 and labels.shape[0] == 1 else ""
        raise ValueError(f"{name} must be 1-D integer labels (m,), got shape {labels.shape}{hint}")
    if labels.size == 0:
        raise ValueError(f"{name} must hold at least one label, got an empty array")
    if not np.all(np.isfinite(labels)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if not np.all(np.equal(np.mod(labels, 1), 0)):
        bad = np.unique(labels[np.mod(labels, 1) != 0])[:5]
        raise ValueError(f"{name} must contain whole numbers (class labels), found {bad.tolist()}")
    if np.any(labels < 0):
        bad = np.unique(labels[labels < 0])[:5]
        raise ValueError(f"{name} must hold class labels 0, 1, 2, ..., found negative values {bad.tolist()}")
    return labels.astype(np.int64)


def _pair(y_true, y_pred):
    y_true, y_pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {y_true.size} and {y_pred.size}")
    return y_true, y_pred


def accuracy(y_true, y_pred):
    """Fraction of the examples whose predicted label is the true one."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def binary_counts(y_true, y_pred, positive=1):
    """dict with the counts "tp", "fp", "fn", "tn" (true/false positives/negatives) for class `positive`.

    With more than two classes, every class other than `positive` counts as negative.
    """
    if not is_integer(positive) or positive < 0:
        raise ValueError(f"positive must be a class label (an integer >= 0), got {positive!r}")
    y_true, y_pred = _pair(y_true, y_pred)
    t, p = y_true == positive, y_pred == positive
    return {"tp": int(np.sum(t & p)), "fp": int(np.sum(~t & p)),
            "fn": int(np.sum(t & ~p)), "tn": int(np.sum(~t & ~p))}


def precision(y_true, y_pred, positive=1):
    """TP / (TP + FP): of the examples predicted positive, the fraction that are. 0.0 if none is predicted positive."""
    c = binary_counts(y_true, y_pred, positive)
    ### BEGIN SOLUTION
    return c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    ### END SOLUTION


def recall(y_true, y_pred, positive=1):
    """TP / (TP + FN): of the positive examples, the fraction predicted positive. 0.0 if there is none."""
    c = binary_counts(y_true, y_pred, positive)
    ### BEGIN SOLUTION
    return c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    ### END SOLUTION


def f1(y_true, y_pred, positive=1):
    """Harmonic mean of precision and recall, 2 P R / (P + R); 0.0 when both are 0.

    Computed from the counts as 2 TP / (2 TP + FP + FN), the same number without
    the rounding of two divisions.
    """
    c = binary_counts(y_true, y_pred, positive)
    ### BEGIN SOLUTION
    denominator = 2 * c["tp"] + c["fp"] + c["fn"]
    return 2 * c["tp"] / denominator if denominator else 0.0
    ### END SOLUTION


def confusion_matrix(y_true, y_pred, num_classes):
    """(C, C) int64 counts: entry [i, j] = number of examples of true class i predicted as class j.

    Rows are true classes, columns predicted ones (scikit-learn's layout), so the
    diagonal holds the right answers and each row sums to that class's count.
    Labels must lie in 0..num_classes-1.
    """
    if not is_integer(num_classes) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = check_labels("y_true", y_true, num_classes)
    y_pred = check_labels("y_pred", y_pred, num_classes)
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)
