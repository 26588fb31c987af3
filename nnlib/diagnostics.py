"""Look inside a training run that does not learn (notebook 09).

A stuck network only shows you one number, a cost that does not move. These tools
measure what that number hides:

  trace_forward       every layer's pre-activation Z and activation A for a batch
  activation_report   per layer: mean and spread of A, dead ReLUs, saturated units
  dead_relu_fraction  units whose Z <= 0 for every example (they pass no gradient)
  saturated_fraction  sigmoid/tanh entries whose slope g'(z) is < 1% of g'(0)
  train_monitored     full-batch gradient descent that records per-layer gradient
                      norms and update ratios ||ΔW|| / ||W|| at every iteration
  learning_rate_sweep the same short run for several learning rates
  plot_activation_histograms, plot_gradient_norms   the figures of the notebook
"""
import numpy as np

from .activations import get_activation
from .checks import as_float_array, is_integer, is_number

__all__ = [
    "trace_forward", "dead_relu_fraction", "saturated_fraction", "activation_report", "gradient_norms",
    "train_monitored", "learning_rate_sweep", "plot_activation_histograms", "plot_gradient_norms"
]

# A run has diverged once its cost is this many times its first cost (or not finite).
DIVERGENCE_FACTOR = 10.0


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
        rows.append({"name": layer["name"], "mean": float(A.mean()), "std": float(A.std()),
                     "dead": dead_relu_fraction(Z) if activation == "relu" else None,
                     "saturated": saturated_fraction(Z, activation) if activation in ("sigmoid", "tanh") else None})
    return rows


def _norm(a):
    """Frobenius norm in float64, scaled by max|a| first: squaring 1e30 in float32 (or 1e200 in
    float64) overflows although the norm itself is a representable number."""
    a = np.abs(np.asarray(a)).astype(np.float64)
    scale = a.max(initial=0.0)
    if scale == 0 or not np.isfinite(scale):
        return float(scale)
    return float(scale * np.linalg.norm(a / scale))


def gradient_norms(grads):
    """Frobenius norm ||dθ|| of every gradient in a dict like the one model.backward returns."""
    return {name: _norm(g) for name, g in grads.items()}


def train_monitored(model, X, Y, learning_rate, num_iterations, stop_on_divergence=True):
    """Full-batch gradient descent, exactly as model.train, recording what happens inside.

    Returns a history dict:
      "cost"         cost at each iteration (before its update)
      "grad_norm"    name -> list of ||dW|| per iteration, for every weight W1, W2, ...
      "update_ratio" name -> list of ||α dW|| / ||W|| per iteration (healthy: around 1e-3)
      "diverged"     None, or the first iteration whose cost exceeded
                     DIVERGENCE_FACTOR times the first cost or was not finite
    Training stops at a divergence when stop_on_divergence is True, and always
    once the cost or a parameter is no longer finite.
    """
    if not is_number(learning_rate) or not 0 < learning_rate < np.inf:
        raise ValueError(f"learning_rate must be a positive finite number, got {learning_rate!r}")
    if not is_integer(num_iterations) or num_iterations < 0:
        raise ValueError(f"num_iterations must be a non-negative integer, got {num_iterations!r}")
    params = model.params
    weights = [name for name in params if name.startswith("W")]
    history = {"cost": [], "grad_norm": {w: [] for w in weights},
               "update_ratio": {w: [] for w in weights}, "diverged": None}
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported, not warned about
        for i in range(num_iterations):
            try:
                cost, grads = model.loss_and_grads(X, Y)
            except ValueError:  # the loss refuses infinite logits
                if i == 0:
                    raise  # a bad X or Y, not a training problem
                cost = np.inf  # the weights grew until the logits overflowed
            finite = np.isfinite(cost)
            first = history["cost"][0] if history["cost"] else cost
            if history["diverged"] is None and (not finite or cost > DIVERGENCE_FACTOR * first):
                history["diverged"] = i
            if not finite or (stop_on_divergence and history["diverged"] is not None):
                break
            history["cost"].append(cost)
            for w in weights:
                g_norm = _norm(grads[w])
                ratio = learning_rate * g_norm / max(_norm(params[w]), 1e-300)
                if not np.isfinite(ratio) and history["diverged"] is None:
                    history["diverged"] = i + 1  # an update beyond any float, as if it overflowed the weights
                history["grad_norm"][w].append(g_norm)
                history["update_ratio"][w].append(ratio)
            for name, value in params.items():
                value -= learning_rate * grads[name]
            if not all(np.all(np.isfinite(value)) for value in params.values()):
                if history["diverged"] is None:
                    history["diverged"] = i + 1
                break
    return history


def learning_rate_sweep(make_model, X, Y, learning_rates, num_iterations):
    """Train a fresh model (make_model() -> Model, same seed each call) for each learning rate.

    Returns a list of dicts, one per learning rate: "learning_rate", "history"
    (from train_monitored) and "model" (the trained model, to inspect afterwards).
    """
    if len(learning_rates) == 0:
        raise ValueError("learning_rates must hold at least one learning rate")
    results = []
    for lr in learning_rates:
        model = make_model()
        results.append({"learning_rate": lr, "history": train_monitored(model, X, Y, lr, num_iterations),
                        "model": model})
    return results


def plot_activation_histograms(model, X, bins=40, axes=None, title=None):
    """One histogram of the activations A of each hidden layer (every layer with a
    non-identity activation: the output layer's logits are left out).

    ReLU layers show only their non-zero outputs (the title gives the fraction of
    zeros). All panels use the same bins, spread over the range of every layer's
    values, so a layer whose activations collapse towards 0 shows as one spike.
    Returns the array of axes.
    """
    import matplotlib.pyplot as plt

    layers = [layer for layer in trace_forward(model, X) if layer["activation"] not in (None, "identity")]
    values = [layer["A"][layer["A"] > 0] if layer["activation"] == "relu" else layer["A"].ravel()
              for layer in layers]
    low = min(v.min(initial=np.inf) for v in values)
    high = max(v.max(initial=-np.inf) for v in values)
    edges = np.linspace(low, high, bins + 1) if high > low else np.linspace(low - 1, low + 1, bins + 1)
    if axes is None:
        _, axes = plt.subplots(1, len(layers), figsize=(2.6 * len(layers), 2.4))
    axes = np.atleast_1d(axes)
    for ax, layer, v in zip(axes, layers, values):
        counts, _ = np.histogram(v, bins=edges)
        ax.stairs(counts, edges, fill=True, color="tab:blue")
        label = f"{layer['name']}\nstd {layer['A'].std():.2g}"
        if layer["activation"] == "relu":
            label += f", zeros {np.mean(layer['A'] == 0):.0%}"
        ax.set_title(label, fontsize=8)
        ax.tick_params(labelsize=7)
    if title:
        axes[0].figure.suptitle(title, fontsize=10)
    return axes


def plot_gradient_norms(history, ax=None, title=None):
    """||dW[l]|| against the iteration for every layer, log scale. Returns the axis."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    for name, norms in history["grad_norm"].items():
        ax.semilogy(norms, label=f"||d{name}||")
    ax.set_xlabel("iteration")
    ax.set_ylabel("gradient norm")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=10)
    return ax
