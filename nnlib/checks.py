"""Input checks shared by every nnlib module (notebook 00).

A learner's mistakes (a transposed X, labels of the wrong shape, a NaN) should
fail at the front door with a message that names the argument, not deep inside
NumPy or as a silent NaN cost twenty iterations later.
"""
import numpy as np

__all__ = ["is_integer", "is_number", "as_float_array", "check_shape", "check_binary_labels", "check_labels"]


def is_integer(value):
    """True for a Python or NumPy integer. Not for bool: True is an int to Python, but
    epochs=True is a mistake, not one epoch."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_number(value):
    """True for a Python or NumPy integer or float (not bool, as in is_integer)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def as_float_array(name, value, ndim=None):
    """Return `value` as a float ndarray (float32 stays float32, the rest become float64).

    Raises TypeError for non-numeric input and ValueError for the wrong number of
    dimensions or for NaN/inf entries.
    """
    array = np.asarray(value)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got dtype {array.dtype}")
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_shape(name, array, expected):
    """Raise ValueError unless array.shape matches `expected` (None matches any size)."""
    shape = np.shape(array)
    ok = len(shape) == len(expected) and all(
        want is None or want == got for want, got in zip(expected, shape))
    if not ok:
        pretty = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name} must have shape {pretty}, got {shape}")


def check_binary_labels(name, Y):
    """Raise ValueError unless every entry of Y is 0 or 1."""
    Y = np.asarray(Y)
    if Y.dtype == object or not (np.issubdtype(Y.dtype, np.number) or Y.dtype == bool):
        raise TypeError(f"{name} must be a numeric array of 0/1 labels, got dtype {Y.dtype}")
    if not np.all((Y == 0) | (Y == 1)):
        bad = np.unique(Y[(Y != 0) & (Y != 1)])[:5]
        raise ValueError(f"{name} must contain only 0 and 1, found {bad.tolist()}")


def check_labels(name, labels, num_classes):
    """Raise ValueError unless labels are integers in 0..num_classes-1; return them as int64."""
    if not is_integer(num_classes) or num_classes < 1:  # a list here would broadcast against labels
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.number) or np.issubdtype(labels.dtype, np.complexfloating):
        raise TypeError(f"{name} must be integer class labels, got dtype {labels.dtype}")
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per example), got shape {labels.shape}")
    if not np.all(np.isfinite(labels)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if labels.size and not np.all(np.equal(np.mod(labels, 1), 0)):
        raise ValueError(f"{name} must contain whole numbers, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    out_of_range = (labels < 0) | (labels >= num_classes)
    if np.any(out_of_range):
        bad = np.unique(labels[out_of_range])[:5]
        raise ValueError(f"{name} must lie in 0..{num_classes - 1}, found {bad.tolist()}")
    return labels
