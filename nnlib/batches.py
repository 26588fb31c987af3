"""Mini-batches: one shuffled pass over the training set (notebook 07).

The examples are the columns of X (n_x, m) (or, for images and sequences, the last axis
of X (..., m)); the targets Y are (k, m) (one-hot or binary rows) or (m,) (integer labels)
and are shuffled with the same permutation.
"""
import numpy as np

from .checks import is_integer

__all__ = ["num_batches", "minibatches"]


def num_batches(m, batch_size):
    """How many mini-batches one epoch has: ceil(m / batch_size) (the last may be smaller)."""
    if not is_integer(m) or m < 0:
        raise ValueError(f"m must be a non-negative integer (the number of examples), got {m!r}")
    if not is_integer(batch_size) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return -(-int(m) // int(batch_size))


def minibatches(X, Y, batch_size, rng):
    """Iterate over one epoch of (X_batch, Y_batch) in a fresh random order.

    A new permutation of the m columns is drawn from `rng` when this is called, so
    calling it once per epoch reshuffles every epoch, and the same seed gives the
    same batches. All batches have batch_size examples except possibly the last,
    which holds the remaining m mod batch_size and is kept (no example is dropped).
    The batches are views into one shuffled copy of X and Y (made at the first next()).
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim < 2:
        raise ValueError(f"X must be (n_x, m), one example per column (or (..., m) for images), got shape {X.shape}")
    if Y.ndim not in (1, 2):
        raise ValueError(f"Y must be (k, m) or (m,), got shape {Y.shape}")
    m = X.shape[-1]
    if Y.shape[-1] != m:
        raise ValueError(f"X has {m} examples (columns) but Y has {Y.shape[-1]}")
    if not is_integer(batch_size) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a np.random.Generator, e.g. np.random.default_rng(0)")
    order = rng.permutation(m)  # drawn now, not at the first next(): one permutation per call
    return _batches(X, Y, order, int(batch_size))


def _batches(X, Y, order, batch_size):
    # Shuffle the whole set once, then hand out consecutive slices. Gathering each batch's
    # columns from X instead (X[:, idx]) reads 128 scattered entries of every row per
    # batch, which costs more than the batch's arithmetic on MNIST-sized data.
    X_shuffled = np.take(X, order, axis=-1)
    Y_shuffled = np.take(Y, order, axis=-1)
    for start in range(0, order.size, batch_size):
        yield X_shuffled[..., start:start + batch_size], Y_shuffled[..., start:start + batch_size]
