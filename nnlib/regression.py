"""A regression output: squared error on an identity output (notebook 16).

For targets y in R^k the last layer's Z[L] is the prediction itself, ŷ = Z[L], and the cost is
J = (1/2m) Σ_i ||ŷ(i) - y(i)||². Per example ∂L/∂ŷ = ŷ - y, and since ŷ = Z, dZ = Ŷ - Y: the same
form as the sigmoid and softmax outputs, because each output pairs its activation with the negative
log-likelihood of its distribution (Bernoulli, categorical, and here a Gaussian of fixed variance).
As everywhere in nnlib, dZ is per example and the 1/m is applied once, in dW and db.
"""
import numpy as np

from .checks import as_float_array

__all__ = ["squared_error", "SquaredError"]


def squared_error(Z, Y):
    """(J, dZ) for predictions Z (k, m) and targets Y (k, m): J = (1/2m) Σ (Z - Y)², dZ = Z - Y."""
    Z = as_float_array("Z", Z, ndim=2)
    if np.ndim(Y) != 2:
        raise ValueError(f"Y must have shape (k, m), one target column per example, got shape {np.shape(Y)}; "
                         f"for targets y of shape (m,) pass y.reshape(1, -1)")
    Y = as_float_array("Y", Y, ndim=2)
    if Y.shape != Z.shape:
        raise ValueError(f"Y must have the shape of Z {Z.shape} (k outputs, m examples), got {Y.shape}")
    if Z.shape[1] == 0:
        raise ValueError("Z and Y hold no examples (m = 0): the mean cost is undefined")
    with np.errstate(over="ignore"):  # reported below with the arguments to blame
        dZ = Z - Y
        cost = float(0.5 * np.sum(dZ * dZ) / Z.shape[1])
    if not np.isfinite(cost):
        raise ValueError(f"the squared error of Z and Y overflows (|Z - Y| up to {np.max(np.abs(dZ)):.3g}): "
                         f"scale the targets Y (and so the outputs) to moderate values")
    return cost, dZ


class SquaredError:
    """Regression output: ŷ = Z[L] with cost J = (1/2m) Σ ||ŷ - y||², for Z[L] of shape (k, m).

    The output object of the sigmoid and softmax outputs, for real-valued targets: its
    "probabilities" and "predictions" are the prediction ŷ = Z itself, (k, m).
    """

    name = "squared_error"

    def loss(self, Z, Y):
        """(cost, dZ) with dZ = Ŷ - Y, for targets Y (k, m)."""
        return squared_error(Z, Y)

    def probabilities(self, Z):
        """The prediction ŷ = Z (k, m) (a regression output has no probabilities; Model.predict_proba uses this)."""
        return Z

    def predict(self, Z):
        """The prediction ŷ = Z (k, m)."""
        return Z
