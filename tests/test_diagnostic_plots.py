"""nnlib.diagnostic_plots (notebook 09): the figures return their axes, one panel or line per layer."""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from nnlib.diagnostic_plots import plot_activation_histograms, plot_gradient_norms
import toy_data
from nnlib.model import mlp
from nnlib.monitoring import train_monitored


data = toy_data.binary


def test_plots_return_axes():
    X, Y = data()
    model = mlp([5, 4, 3, 1], rng=np.random.default_rng(0))
    axes = plot_activation_histograms(model, X, title="t")
    assert len(axes) == 2  # the two hidden layers; the output layer's logits are left out
    ax = plot_gradient_norms(train_monitored(model, X, Y, 0.1, 5))
    assert len(ax.lines) == 3
    plt.close("all")
