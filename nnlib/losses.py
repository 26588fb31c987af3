"""Binary cross-entropy, from probabilities and from logits (notebook 01).

Costs are means over the m examples (columns). Following the course convention,
the gradients returned here are per example, dZ = A - Y, and the 1/m is applied
once, in dW = (1/m) dZ A_prev^T and db = (1/m) Σ dZ.
"""
import numpy as np

from .activations import sigmoid
from .checks import as_float_array, check_binary_labels, check_shape

__all__ = ["binary_cross_entropy", "binary_cross_entropy_derivative", "sigmoid_cross_entropy"]

# log(0) = -inf; probabilities are kept inside [EPS, 1 - EPS] before taking logs.
EPS = 1e-12


def _check_binary_pair(A_name, A, Y):
    A = as_float_array(A_name, A, ndim=2)
    Y = as_float_array("Y", Y, ndim=2)
    check_shape(A_name, A, (1, None))
    if A.shape[1] == 0:
        raise ValueError(f"{A_name} must hold at least one example (m >= 1 columns), got shape {A.shape}")
    check_shape("Y", Y, A.shape)
    check_binary_labels("Y", Y)
    return A, Y


def _check_probabilities(A):
    if np.any((A < 0) | (A > 1)):
        raise ValueError("A must hold probabilities in [0, 1]; pass logits to sigmoid_cross_entropy instead")


def binary_cross_entropy(A, Y):
    """J = -(1/m) Σ [y log a + (1 - y) log(1 - a)].

    A: (1, m) predicted probabilities in [0, 1]. Y: (1, m) labels in {0, 1}.
    Returns a Python float, finite even for A exactly 0 or 1 (A is clipped to
    [1e-12, 1 - 1e-12], so such a cost is large, about 27.6, but not exact:
    use sigmoid_cross_entropy on the logits for that).
    """
    A, Y = _check_binary_pair("A", A, Y)
    _check_probabilities(A)
    A = np.clip(A.astype(np.float64), EPS, 1 - EPS)  # in float32, 1 - 1e-12 would round to 1
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def binary_cross_entropy_derivative(A, Y):
    """dA = ∂L/∂A per example = -(y / a) + (1 - y) / (1 - a), shape (1, m)."""
    A, Y = _check_binary_pair("A", A, Y)
    _check_probabilities(A)
    dtype = np.result_type(A, Y)
    A = np.clip(A.astype(np.float64), EPS, 1 - EPS)
    return (-(Y / A) + (1 - Y) / (1 - A)).astype(dtype, copy=False)


def sigmoid_cross_entropy(Z, Y):
    """Sigmoid followed by binary cross-entropy, computed from the logits Z.

    Z: (1, m) logits, Y: (1, m) labels. Returns (cost, dZ) with dZ = σ(Z) - Y of
    shape (1, m) and the dtype of Z (float32 stays float32). Working from logits
    keeps the cost exact where σ(z) rounds to 0 or 1:
    L(z, y) = -y log σ(z) - (1 - y) log(1 - σ(z)) = max(z, 0) - z y + log(1 + e^(-|z|)).
    """
    Z, Y = _check_binary_pair("Z", Z, Y)
    per_example = np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
    dZ = (sigmoid(Z) - Y).astype(Z.dtype, copy=False)
    return float(np.mean(per_example, dtype=np.float64)), dZ
