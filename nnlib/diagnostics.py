"""Look inside a network that does not learn: what each layer computes for a batch (notebook 09).

A stuck network only shows you one number, a cost that does not move. These tools
measure what that number hides, for a batch X (n_x, m):

  trace_forward       every layer's pre-activation Z (n[l], m) and activation A (n[l], m)
  activation_report   per layer: mean and spread of A, dead ReLUs, saturated units
  dead_relu_fraction  units whose Z <= 0 for every example (they pass no gradient)
  saturated_fraction  sigmoid/tanh entries whose slope g'(z) is < 1% of g'(0)
The training run that records gradient norms is nnlib.monitoring; the figures are
nnlib.diagnostic_plots.
"""
import numpy as np

from .activations import get_activation
from .checks import as_float_array, is_number

__all__ = ["trace_forward", "dead_relu_fraction", "saturated_fraction", "activation_report"]


def trace_forward(model, X):
    """Run X (n_x, m) through the model in inference mode and keep what each layer computed.

    Returns a list with one dict per layer: "name" (e.g. "layer 2 (relu)"),
    "activation" (the layer's activation name, or None), "Z" (W A_prev + b, or
    None for a layer without W and b) and "A" (the layer's output).
    """
    X = as_float_array("X", X, ndim=2)
    if X.shape[0] != model.n_x:
        raise ValueError(f"X has {X.shape[0]} rows but the network expects n_x = {model.n_x}: "
                         f"X must be (n_x, m), one example per column")
    A, trace = X, []
    for i, layer in enumerate(model.layers, start=1):
        activation = getattr(layer, "activation", None)
        params = layer.params
        Z = params["W"] @ A + params["b"] if "W" in params and "b" in params else None
        A, _ = layer.forward(A, False)
        label = f"layer {i} ({activation})" if activation else f"layer {i} ({type(layer).__name__})"
        trace.append({"name": label, "activation": activation, "Z": Z, "A": A})
    return trace


def dead_relu_fraction(Z):
    """Fraction of the units (rows of Z (n, m)) with z <= 0 for every one of the m examples.

    Such a ReLU outputs 0 and has slope 0 on the whole batch: no gradient flows
    through it to its weights or to the layers below, so gradient descent cannot
    revive it.
    """
    Z = as_float_array("Z", Z, ndim=2)
    if 0 in Z.shape:
        raise ValueError(f"Z must hold at least one unit and one example, (n, m) with n, m >= 1, got shape {Z.shape}")
    ### BEGIN SOLUTION
    return float(np.mean(np.all(Z <= 0, axis=1)))
    ### END SOLUTION


def saturated_fraction(Z, activation="sigmoid", threshold=0.01):
    """Fraction of the entries of Z where the slope g'(z) is below threshold * g'(0).

    A saturated sigmoid or tanh passes back less than 1% (threshold = 0.01) of
    the gradient it would pass at z = 0: for the sigmoid that is |z| > 5.99
    (σ(z) < 0.0025 or > 0.9975), for tanh |z| > 2.99.
    """
    if activation not in ("sigmoid", "tanh"):
        raise ValueError(f"activation must be 'sigmoid' or 'tanh', got {activation!r}")
    if not is_number(threshold) or not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold!r}")
    Z = as_float_array("Z", Z)
    if Z.size == 0:
        raise ValueError(f"Z must hold at least one entry, got shape {Z.shape}")
    _, g_prime = get_activation(activation)
    ### BEGIN SOLUTION
    return float(np.mean(g_prime(Z) < threshold * g_prime(np.zeros(1))[0]))
    ### END SOLUTION


def _std(A):
    """A.std() computed on A / max|A| and scaled back: the squares of 1e300 overflow, the std does not."""
    scale = float(np.max(np.abs(A), initial=0.0))
    if scale == 0 or not np.isfinite(scale):
        return scale
    return float(scale * np.std(A / scale))


def activation_report(model, X):
    """One row (dict) per layer with an activation: "name", "mean" and "std" of its
    output A, "dead" (ReLU layers: dead_relu_fraction) and "saturated" (sigmoid
    and tanh layers: saturated_fraction); the entry that does not apply is None.
    """
    rows = []
    for layer in trace_forward(model, X):
        activation, Z, A = layer["activation"], layer["Z"], layer["A"]
        if activation is None or Z is None:
            continue
        rows.append({"name": layer["name"], "mean": float(A.mean()), "std": _std(A),
                     "dead": dead_relu_fraction(Z) if activation == "relu" else None,
                     "saturated": saturated_fraction(Z, activation) if activation in ("sigmoid", "tanh") else None})
    return rows
