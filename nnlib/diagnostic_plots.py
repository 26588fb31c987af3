"""The figures of a diagnosis: activation histograms per layer and gradient norms per iteration (notebook 09).

plot_activation_histograms(model, X) draws what nnlib.diagnostics.trace_forward records
for a batch X (n_x, m); plot_gradient_norms(history) draws the "grad_norm" curves of a
history from nnlib.monitoring.train_monitored. Both return their matplotlib axes.
"""
import numpy as np

from .diagnostics import trace_forward

__all__ = ["plot_activation_histograms", "plot_gradient_norms"]


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
