"""Plots used throughout the series (notebook 03): points, decision boundaries, cost curves.

Each function draws with Matplotlib and returns what it drew on (an Axes or a
Figure), so a notebook can add titles or save it. Colours: class k is the k-th
colour of Matplotlib's "tab10" cycle, the same in every plot.
"""
import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

from .checks import as_float_array, check_labels, is_integer

__all__ = ["plot_points", "plot_decision_boundary", "plot_costs"]

CLASS_COLORS = plt.get_cmap("tab10").colors


def _check_points(X, y):
    X = as_float_array("X", X, ndim=2)
    if X.shape[0] != 2 or X.shape[1] == 0:
        raise ValueError(f"X must have shape (2, m) with m >= 1, one 2-D point per column, got {X.shape}")
    y = np.asarray(y)
    if y.shape != (X.shape[1],):
        raise ValueError(f"y must have shape ({X.shape[1]},), one label per column of X, got {y.shape}")
    y = check_labels("y", y, len(CLASS_COLORS))
    return X, y


def plot_points(X, y, ax=None, title=None, num_classes=None):
    """Scatter 2-D points X (2, m) coloured by their labels y (m,). Returns the Axes."""
    X, y = _check_points(X, y)
    num_classes = num_classes or int(y.max()) + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    ax.scatter(X[0], X[1], c=y, cmap=ListedColormap(CLASS_COLORS[:num_classes]), vmin=-0.5,
               vmax=num_classes - 0.5, s=14, edgecolors="k", linewidths=0.4)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_decision_boundary(predict, X, y, ax=None, title=None, resolution=200, margin=0.1):
    """Colour the plane by the class `predict` gives each point, then scatter the data on top.

    predict: a function mapping points P of shape (2, k) to integer labels (k,),
        e.g. lambda P: model.predict(P).
    X: (2, m) points, one per column. y: (m,) integer labels 0..C-1 (C <= 10).
    resolution: grid points per axis; margin: padding around the data, as a
        fraction of its range. Returns the Axes.
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function mapping (2, k) points to (k,) labels, "
                        f"got {type(predict).__name__}")
    X, y = _check_points(X, y)
    if not is_integer(resolution) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")

    lo, hi = X.min(axis=1), X.max(axis=1)
    pad = margin * np.maximum(hi - lo, 1e-3)
    U, V = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution),
                       np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution))
    grid = np.stack([U.ravel(), V.ravel()])  # (2, resolution^2): one grid point per column
    labels = np.asarray(predict(grid))
    if labels.shape not in ((grid.shape[1],), (1, grid.shape[1])):
        raise ValueError(f"predict must return one label per point: shape ({grid.shape[1]},) for points "
                         f"of shape {grid.shape}, got shape {labels.shape}")
    labels = check_labels("predict(points)", labels.reshape(-1), len(CLASS_COLORS))

    num_classes = max(int(y.max()), int(labels.max())) + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    ax.contourf(U, V, labels.reshape(U.shape), levels=np.arange(num_classes + 1) - 0.5,
                cmap=ListedColormap(CLASS_COLORS[:num_classes]), alpha=0.3)
    plot_points(X, y, ax=ax, title=title, num_classes=num_classes)
    ax.set_xticks([])  # the regions matter here, not the coordinates (and tick labels are slow to draw)
    ax.set_yticks([])
    return ax


def plot_costs(curves, ax=None, xlabel="iteration", logy=False, ylabel="cost", title=None):
    """Plot one or more cost curves on one Axes.

    curves: dict label -> sequence of costs (one per iteration or epoch); a
        single unnamed curve can be passed as {"train": costs}.
    logy: log scale for the cost axis (costs must then be positive). Returns the Axes.
    """
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict label -> list of costs, got {type(curves).__name__}")
    arrays = {}
    for label, values in curves.items():
        values = np.asarray(values, dtype=np.float64) if np.size(values) else np.zeros(0)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curves[{label!r}] must be a non-empty 1-D sequence of costs, got shape {values.shape}")
        if logy and np.any(values[np.isfinite(values)] <= 0):
            raise ValueError(f"curves[{label!r}] has costs <= 0, which a log scale (logy=True) cannot show")
        arrays[label] = values
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.5))
    for label, values in arrays.items():
        ax.plot(np.arange(values.size), values, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    if len(arrays) > 1:
        ax.legend()
    return ax
