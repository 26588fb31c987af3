"""nnlib.plots (notebook 03) and nnlib.image_plots (notebook 05): the figures build (Agg backend, no display) and
bad input is rejected with a clear message."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import datasets  # noqa: E402
from nnlib.image_plots import show_images  # noqa: E402
from nnlib.plots import CLASS_COLORS, plot_costs, plot_decision_boundary, plot_points  # noqa: E402


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


def region_colour(ax, x, y):
    """The RGB colour (0..1) drawn at data point (x, y) of ax, from the rendered figure."""
    fig = ax.figure
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    return pixels[round(pixels.shape[0] - py), round(px), :3] / 255


def class_fill(k):
    """What a region of class k looks like: its tab10 colour at alpha 0.3 over the white background."""
    return 0.3 * np.array(CLASS_COLORS[k]) + 0.7


def corners(X, margin=0.05):
    """Four points in the padding around the data (no data point is drawn there)."""
    lo, hi = X.min(axis=1), X.max(axis=1)
    pad = margin * (hi - lo)
    return [(lo[0] - pad[0], lo[1] - pad[1]), (hi[0] + pad[0], lo[1] - pad[1]),
            (lo[0] - pad[0], hi[1] + pad[1]), (hi[0] + pad[0], hi[1] + pad[1])]


def test_decision_boundary_three_classes_and_given_axes():
    X, y = datasets.spirals(90, np.random.default_rng(0), classes=3)
    _, ax = plt.subplots()

    def predict(P):  # class 2 above the x axis, class 0 below
        return (P[1] > 0).astype(int) * 2

    out = plot_decision_boundary(predict, X, y, ax=ax)
    assert out is ax
    lo, hi = X.min(axis=1), X.max(axis=1)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < lo[0] and x1 > hi[0] and y0 < lo[1] and y1 > hi[1]  # the data and a margin around it
    # the scatter shows every point, coloured by its class
    scatter = [c for c in ax.collections if len(c.get_offsets()) == X.shape[1]]
    assert len(scatter) >= 1
    np.testing.assert_allclose(np.asarray(scatter[-1].get_offsets()), X.T)
    # each corner of the plane is filled with the colour of the class predict gives it
    for x, y_ in corners(X):
        expected = class_fill(int(predict(np.array([[x], [y_]]))[0]))
        np.testing.assert_allclose(region_colour(ax, x, y_), expected, atol=0.02)


def test_decision_boundary_accepts_predictions_of_shape_1_by_k(moons):
    X, y = moons
    ax = plot_decision_boundary(lambda P: (P[:1] > 0).astype(int), X, y, resolution=20)
    for x, y_ in corners(X):
        np.testing.assert_allclose(region_colour(ax, x, y_), class_fill(int(x > 0)), atol=0.02)


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
