"""nnlib.plots: the figures build (Agg backend, no display) and bad input is rejected with a clear message."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import datasets  # noqa: E402
from nnlib.plots import plot_costs, plot_decision_boundary, plot_points, show_images  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def moons():
    return datasets.moons(60, np.random.default_rng(0), noise=0.1)


def test_decision_boundary_binary(moons):
    X, y = moons
    calls = []

    def predict(P):
        calls.append(P.shape)
        return (P[1] > 0.25).astype(np.int64)

    ax = plot_decision_boundary(predict, X, y, title="moons", resolution=50)
    assert isinstance(ax, plt.Axes) and ax.get_title() == "moons"
    assert calls == [(2, 50 * 50)]  # predict sees grid points as columns, like X
    assert len(ax.collections) >= 2  # the filled regions and the scatter of the data


def test_decision_boundary_three_classes_and_given_axes():
    X, y = datasets.spirals(90, np.random.default_rng(0), classes=3)
    fig, ax = plt.subplots()
    out = plot_decision_boundary(lambda P: (np.arctan2(P[1], P[0]) > 0).astype(int) * 2, X, y, ax=ax)
    assert out is ax
    fig.canvas.draw()


def test_decision_boundary_accepts_predictions_of_shape_1_by_k(moons):
    X, y = moons
    plot_decision_boundary(lambda P: (P[:1] > 0).astype(int), X, y, resolution=20)


def test_plot_points_and_costs():
    X, y = datasets.xor(40, np.random.default_rng(0))
    assert isinstance(plot_points(X, y, title="xor"), plt.Axes)
    ax = plot_costs({"a": [1.0, 0.5, 0.25], "b": np.array([2.0, 1.0, 0.1])}, logy=True, title="costs")
    assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log" and ax.get_legend() is not None
    ax = plot_costs({"only": [0.7, 0.6]}, xlabel="epoch")
    assert ax.get_xlabel() == "epoch" and ax.get_legend() is None


def test_show_images_grid_and_titles():
    images = np.random.default_rng(0).integers(0, 17, size=(10, 8, 8))
    fig = show_images(images, titles=[str(i) for i in range(10)], ncols=4)
    assert isinstance(fig, plt.Figure)
    assert len(fig.axes) == 12  # 3 rows of 4, the last two left blank
    assert [ax.get_title() for ax in fig.axes[:10]] == [str(i) for i in range(10)]
    assert len(show_images(np.zeros((3, 5, 5, 3)), ncols=8).axes) == 3  # colour images; ncols capped at k


@pytest.mark.parametrize("call, error, match", [
    (lambda X, y: plot_decision_boundary("not a function", X, y), TypeError, "predict must be a function"),
    (lambda X, y: plot_decision_boundary(lambda P: P[0] > 0, X.T, y), ValueError, r"X must have shape \(2, m\)"),
    (lambda X, y: plot_decision_boundary(lambda P: P[0] > 0, X, y[:-1]), ValueError, "y must have shape"),
    (lambda X, y: plot_decision_boundary(lambda P: P[0] > 0, X, y - 1), ValueError, "y must lie in"),
    (lambda X, y: plot_decision_boundary(lambda P: P[0] > 0, X, y + 0.5), ValueError, "y must contain whole"),
    (lambda X, y: plot_decision_boundary(lambda P: np.zeros(3, int), X, y), ValueError, "one label per point"),
    (lambda X, y: plot_decision_boundary(lambda P: P, X, y), ValueError, "one label per point"),
    (lambda X, y: plot_decision_boundary(lambda P: P[0] > 0, X, y, resolution=1), ValueError, "resolution"),
    (lambda X, y: plot_points(X[:, :0], y[:0]), ValueError, "m >= 1"),
    (lambda X, y: plot_costs([0.1, 0.2]), TypeError, "curves must be a non-empty dict"),
    (lambda X, y: plot_costs({}), TypeError, "curves must be a non-empty dict"),
    (lambda X, y: plot_costs({"a": []}), ValueError, r"curves\['a'\] must be a non-empty 1-D"),
    (lambda X, y: plot_costs({"a": [[1.0, 2.0]]}), ValueError, r"curves\['a'\] must be a non-empty 1-D"),
    (lambda X, y: plot_costs({"a": [1.0, 0.0]}, logy=True), ValueError, "log scale"),
    (lambda X, y: show_images(np.zeros((8, 8))), ValueError, "images must have shape"),
    (lambda X, y: show_images(np.zeros((0, 8, 8))), ValueError, "at least one image"),
    (lambda X, y: show_images(np.zeros((3, 8, 8)), titles=["a"]), ValueError, "titles must have one entry"),
    (lambda X, y: show_images(np.zeros((3, 8, 8)), ncols=0), ValueError, "ncols"),
    (lambda X, y: show_images(np.array([["a"]] * 3)), TypeError, "images must be a numeric"),
])
def test_bad_input_is_rejected_with_a_clear_message(moons, call, error, match):
    X, y = moons
    with pytest.raises(error, match=match):
        call(X, y)
