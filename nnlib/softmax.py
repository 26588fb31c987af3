"""Softmax output and categorical cross-entropy for C classes (notebook 06).

Z is (C, m): one column of C logits per example; Y is one-hot (C, m) (or any
columns of class probabilities summing to 1). softmax is applied down each
column. Costs are means over the m examples and the gradient returned is per
example, dZ = softmax(Z) - Y, with the 1/m left to dW and db as everywhere else.
"""
import numpy as np

from .checks import as_float_array, check_shape
from .preprocessing import one_hot

__all__ = [
    "logsumexp", "softmax", "log_softmax", "softmax_jacobian", "categorical_cross_entropy",
    "softmax_cross_entropy", "SoftmaxCrossEntropy"
]

# log(0) = -inf: probabilities are kept >= EPS before taking logs.
EPS = 1e-12


def _logits(Z):
    Z = as_float_array("Z", Z)
    if Z.ndim not in (1, 2):
        raise ValueError(f"Z must be (C,) or (C, m) logits, got shape {Z.shape}")
    if Z.shape[0] == 0:
        raise ValueError(f"Z must hold at least one class (C >= 1 rows), got shape {Z.shape}")
    return Z


def logsumexp(Z):
    """log Σ_j e^(z_j) down each column, shape (1, m) (or a float for Z of shape (C,)).

    Computed as c + log Σ_j e^(z_j - c) with c = max_j z_j: every exponent is <= 0,
    so nothing overflows, and the largest term is e^0 = 1, so the log never sees 0.
    """
    Z = _logits(Z)
    c = Z.max(axis=0, keepdims=True)
    out = c + np.log(np.exp(Z - c).sum(axis=0, keepdims=True))
    return float(out[0]) if Z.ndim == 1 else out


def softmax(Z):
    """s_i = e^(z_i) / Σ_j e^(z_j) down each column of Z (C, m) (or of one vector (C,)).

    Subtracting the column maximum first changes nothing mathematically (the factor
    e^(-c) cancels) and keeps every exponential in (0, 1]: finite for any finite Z.
    """
    Z = _logits(Z)
    ### BEGIN SOLUTION
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    E /= E.sum(axis=0, keepdims=True)
    return E
    ### END SOLUTION


def log_softmax(Z):
    """log s_i = z_i - logsumexp(z), exact even where s_i underflows to 0."""
    Z = _logits(Z)
    shifted = Z - Z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def softmax_jacobian(s):
    """The C x C Jacobian of softmax at one example, from its output s (C,).

    J[i, j] = ∂s_i/∂z_j = s_i (δ_ij - s_j), i.e. J = diag(s) - s s^T.
    """
    s = as_float_array("s", s, ndim=1)
    if s.size and not (s.min() >= 0 and s.max() <= 1):  # logits passed by mistake: s s^T would overflow
        raise ValueError(f"s must be softmax probabilities in [0, 1], got values from {s.min():.3g} to {s.max():.3g}")
    return np.diag(s) - np.outer(s, s)


def _targets(Y, C, dtype):
    """Y as one-hot (or probability) columns (C, m) of `dtype`; integer labels (m,) are one-hot encoded.

    This runs at every training step, so the check is two cheap reductions rather
    than a comparison of every entry with 0 and 1: the smallest entry must be >= 0
    and every column must sum to 1 (a NaN or inf anywhere spoils its column's sum).
    """
    Y = np.asarray(Y)
    if Y.ndim == 1:
        return one_hot(Y, C).astype(dtype, copy=False)
    if Y.dtype == object or not (np.issubdtype(Y.dtype, np.number) or Y.dtype == bool):
        raise TypeError(f"Y must be a numeric array, got dtype {Y.dtype}")
    if Y.ndim != 2 or Y.shape[0] != C:
        raise ValueError(f"Y must have shape ({C}, m), one one-hot column per example, got {Y.shape}")
    Y = Y.astype(dtype, copy=False)
    tolerance = np.sqrt(np.finfo(dtype).eps)  # 1.5e-8 in float64, 3.5e-4 in float32
    if not (Y.min() >= 0 and np.all(np.abs(Y.sum(axis=0) - 1) <= tolerance)):
        if not np.all(np.isfinite(Y)):
            raise ValueError("Y contains NaN or infinite values")
        raise ValueError("Y must be one-hot (or probability) columns: entries >= 0 summing to 1 "
                         "in each column; for integer labels use nnlib.preprocessing.one_hot(labels, C)")
    return Y


def categorical_cross_entropy(A, Y):
    """J = -(1/m) Σ_examples Σ_k y_k log a_k, for probabilities A (C, m) and targets Y (C, m).

    With one-hot Y this is the mean of -log(probability given to the true class).
    Probabilities exactly 0 are clipped to EPS so the cost stays finite.
    """
    A = as_float_array("A", A, ndim=2)
    if 0 in A.shape:
        raise ValueError(f"A must hold at least one class and one example, (C, m) with C, m >= 1, got shape {A.shape}")
    if np.any((A < 0) | (A > 1)):
        raise ValueError("A must hold probabilities in [0, 1]; pass logits to softmax_cross_entropy instead")
    Y = _targets(Y, A.shape[0], A.dtype)
    check_shape("Y", Y, A.shape)
    return float(-np.sum(Y * np.log(np.maximum(A, EPS))) / A.shape[1])


def softmax_cross_entropy(Z, Y):
    """Softmax followed by categorical cross-entropy, computed from the logits Z (C, m).

    Y: one-hot (C, m) (or integer labels (m,), encoded with one_hot). Returns
    (cost, dZ) with dZ = softmax(Z) - Y of shape (C, m). The log-probabilities come
    from log-sum-exp, log s_k = z_k - logsumexp(z), so the cost is exact even where
    a probability underflows to 0 (naively, log 0 = -inf).
    """
    Z = as_float_array("Z", Z, ndim=2)
    if 0 in Z.shape:
        raise ValueError(f"Z must hold at least one class and one example, (C, m) with C, m >= 1, got shape {Z.shape}")
    Y = _targets(Y, Z.shape[0], Z.dtype)
    check_shape("Y", Y, Z.shape)
    shifted = Z - Z.max(axis=0, keepdims=True)  # every exponent <= 0
    E = np.exp(shifted)
    sums = E.sum(axis=0, keepdims=True)
    shifted -= np.log(sums)  # now log softmax(Z), in place
    cost = -float(np.vdot(Y, shifted)) / Z.shape[1]  # Σ over classes and examples of y log s
    E /= sums  # now softmax(Z), in place
    E -= Y
    return cost, E


class SoftmaxCrossEntropy:
    """Multi-class output: ŷ = softmax(Z[L]) with categorical cross-entropy, for Z[L] of shape (C, m)."""

    name = "softmax_cross_entropy"

    def loss(self, Z, Y):
        """(cost, dZ) with dZ = softmax(Z) - Y."""
        return softmax_cross_entropy(Z, Y)

    def probabilities(self, Z):
        """P(y = k | x) for each class k and example, shape (C, m); columns sum to 1."""
        return softmax(Z)

    def predict(self, Z):
        """Labels (m,): the most probable class (softmax is increasing, so argmax of Z itself)."""
        return np.argmax(Z, axis=0).astype(np.int64)
