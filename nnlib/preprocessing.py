"""From the arrays of a data file to X (n_x, m) and Y (C, m), and the train/validation/test split (notebook 00).

Examples sit on the last axis: one column per example.
"""
import numpy as np

from .checks import as_float_array, check_labels, is_integer

__all__ = ["images_to_columns", "train_val_test_split", "standardize", "one_hot", "from_one_hot"]


def images_to_columns(images):
    """Flatten images (m, height, width) into X (height*width, m) of float64, one image per column.

    Column i is image i read row by row: X[:, i] == images[i].ravel().
    """
    images = as_float_array("images", images, ndim=3)
    return images.reshape(images.shape[0], -1).T.astype(np.float64)


def train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2), rng=None):
    """Shuffle the m examples with `rng` and split them into train, validation and test.

    X: (n_x, m). y: (m,) labels or (k, m) targets; split along the last axis.
    fractions: the shares of train, validation and test (rounded to whole examples;
    test gets the rest). rng: np.random.default_rng(seed), required.
    Returns ((X_train, y_train), (X_val, y_val), (X_test, y_test)), copies.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays with the examples on their last axis, got shapes {X.shape} and {y.shape}")
    m = X.shape[-1]
    if y.shape[-1] != m:
        raise ValueError(f"X has {m} examples (columns) but y has {y.shape[-1]}")
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    if rng is None:
        raise ValueError("rng is required: pass np.random.default_rng(seed) so the split is reproducible")
    order = rng.permutation(m)
    n_train = int(round(fractions[0] * m))
    n_val = int(round(fractions[1] * m))
    parts = np.split(order, [n_train, n_train + n_val])
    return tuple((X[..., idx], y[..., idx]) for idx in parts)


def standardize(X_train, *others):
    """Scale each feature (row) to mean 0 and standard deviation 1 using the training set only.

    Constant features (a pixel that is always 0) are only centred: a standard
    deviation below 1e-12 times the feature's size counts as 0, so that rounding
    cannot blow a constant up into noise. Returns the standardized X_train followed
    by each of `others` transformed the same way (just the array when there are no others).
    """
    X_train = as_float_array("X_train", X_train, ndim=2)
    mean = X_train.mean(axis=1, keepdims=True)
    std = X_train.std(axis=1, keepdims=True)
    std[std <= 1e-12 * np.maximum(np.abs(mean), 1e-300)] = 1.0
    scaled = [(X_train - mean) / std]
    for i, X in enumerate(others):
        X = as_float_array(f"others[{i}]", X, ndim=2)
        if X.shape[0] != X_train.shape[0]:
            raise ValueError(f"others[{i}] has {X.shape[0]} features (rows), X_train has {X_train.shape[0]}")
        scaled.append((X - mean) / std)
    return tuple(scaled) if others else scaled[0]


def one_hot(labels, num_classes):
    """Integer labels (m,) in 0..C-1 -> one-hot Y (C, m) of float64: Y[labels[i], i] = 1."""
    if not is_integer(num_classes) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    labels = check_labels("labels", labels, num_classes)
    Y = np.zeros((num_classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def from_one_hot(Y):
    """One-hot (or probability) columns Y (C, m) -> integer labels (m,): the row of each column's maximum."""
    Y = as_float_array("Y", Y, ndim=2)
    return np.argmax(Y, axis=0).astype(np.int64)
