"""A playground: train a small network on a 2-D data set and watch it learn, with controls (notebook 16).

Run(...) is one training run (data, model, optimizer, cost history), continued by train(epochs);
draw(run) draws its decision boundary and cost curve; playground() puts ipywidgets controls around
them. In a front end without widgets (nbval, a static page) the playground shows a static figure of
its default run instead, so a notebook that ends on it still shows something.
"""
import base64
import io

import numpy as np

from . import datasets
from .checks import is_integer, is_number
from .preprocessing import one_hot
from .layers import Dense
from .model import Model
from .optim import Adam
from .plots import plot_decision_boundary
from .regularization import Dropout, with_l2
from .softmax import SoftmaxCrossEntropy
from .training import fit

__all__ = ["Run", "draw", "playground"]

DATASETS = {"xor": datasets.xor, "flower": datasets.flower, "moons": datasets.moons,
            "circles": datasets.circles, "spirals": datasets.spirals}
ACTIVATION_CHOICES = ["relu", "tanh", "sigmoid"]
INIT_CHOICES = ["he", "xavier", "small", "large", "zeros"]
DEFAULTS = {"dataset": "moons", "depth": 2, "width": 8, "activation": "relu", "init": "he",
            "learning_rate": 0.03, "lambd": 0.0, "keep_prob": 1.0, "seed": 0}


class Run:
    """One run: `depth` hidden layers of `width` units on `dataset` (m points), trained with Adam,
    L2 (lambd) and dropout (keep_prob) in mini-batches of 32. train(epochs) continues it."""

    def __init__(self, dataset="moons", depth=2, width=8, activation="relu", init="he", learning_rate=0.03,
                 lambd=0.0, keep_prob=1.0, seed=0, m=200):
        if dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")
        for name, value in (("depth", depth), ("width", width), ("seed", seed)):
            if not is_integer(value) or value < (0 if name == "seed" else 1):
                raise ValueError(f"{name} must be a {'non-negative' if name == 'seed' else 'positive'} integer, "
                                 f"got {value!r}")
        if not is_number(lambd) or not 0 <= lambd < np.inf:
            raise ValueError(f"lambd must be a finite number >= 0, got {lambd!r}")
        if not is_number(keep_prob) or not 0 < keep_prob <= 1:
            raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob!r}")
        self.rng = np.random.default_rng(seed)
        self.X, self.y = DATASETS[dataset](m, self.rng)
        layers, n = [], 2
        for _ in range(depth):
            layers.append(Dense(n, width, activation, init, self.rng))
            if keep_prob < 1:
                layers.append(Dropout(keep_prob, self.rng))
            n = width
        layers.append(Dense(n, int(self.y.max()) + 1, "identity", init, self.rng))
        self.model = Model(layers, SoftmaxCrossEntropy())
        self.Y = one_hot(self.y, int(self.y.max()) + 1)
        self.optimizer = Adam(learning_rate)
        self.loss_and_grads = with_l2(self.model, lambd, m) if lambd > 0 else None
        self.settings = dict(dataset=dataset, depth=depth, width=width, activation=activation, init=init,
                             learning_rate=learning_rate, lambd=lambd, keep_prob=keep_prob, seed=seed)
        self.costs = []

    def train(self, epochs):
        """Continue training for `epochs` epochs; returns self."""
        history = fit(self.model, self.X, self.Y, self.optimizer, epochs, 32, self.rng,
                      loss_and_grads=self.loss_and_grads)
        self.costs += history["cost"]
        return self

    def accuracy(self):
        """Training accuracy (the playground has no test set: it is about what a network can fit)."""
        return float(np.mean(self.model.predict(self.X) == self.y))


def draw(run, fig=None):
    """The decision boundary (left) and the cost per epoch (right) of `run`, on a new or given figure."""
    import matplotlib.pyplot as plt

    if not isinstance(run, Run):
        raise TypeError(f"run must be a playground.Run, got {type(run).__name__}")
    if fig is not None and not isinstance(fig, plt.Figure):
        raise TypeError(f"fig must be None or a matplotlib Figure, got {type(fig).__name__}")
    if fig is None:
        fig = plt.figure(figsize=(9, 3.8))
    fig.clear()
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.2]})
    s = run.settings
    plot_decision_boundary(run.model.predict, run.X, run.y, ax=left, resolution=120,
                           title=f"{s['dataset']}: {s['depth']} x {s['width']} {s['activation']}, "
                                 f"accuracy {run.accuracy():.0%}")
    right.plot(np.arange(1, len(run.costs) + 1), run.costs)
    right.set_yscale("log")
    right.set_xlabel("epoch")
    right.set_ylabel("training cost")
    right.set_title(f"init {s['init']}, lr {s['learning_rate']:.3g}, L2 {s['lambd']:g}, keep {s['keep_prob']:g}")
    right.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def _png(fig):
    """The figure as PNG bytes, at 150 dpi: sharp on a projector, as the notebooks' figures."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


def playground(epochs=150, frames=6, **settings):
    """Controls for every setting of Run, a Train button, and the figure of the last run.

    Pressing Train starts a new run and redraws the figure `frames` times over `epochs` epochs, so
    the boundary and the cost curve are seen to evolve. settings override DEFAULTS for the first run.
    """
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; playground takes {sorted(DEFAULTS)}")
    if not is_integer(frames) or frames < 1 or not is_integer(epochs) or epochs < frames:
        raise ValueError(f"epochs and frames must be integers with 1 <= frames <= epochs (each frame trains "
                         f"epochs // frames epochs), got epochs={epochs!r}, frames={frames!r}")
    for name, options in (("activation", ACTIVATION_CHOICES), ("init", INIT_CHOICES)):
        if settings.get(name, DEFAULTS[name]) not in options:
            raise ValueError(f"{name} must be one of {options} (the playground's menu), got {settings[name]!r}")
    Run(**{**DEFAULTS, **settings})  # every other setting checked now, not by a widget (which raises TraitError)
    try:
        import ipywidgets as w
    except ImportError:
        raise ImportError("the playground needs ipywidgets: pip install ipywidgets (make lab installs it)") from None
    import matplotlib.pyplot as plt

    start = {**DEFAULTS, **settings}
    label = {"style": {"description_width": "100px"}}  # room for the longest description
    controls = {
        "dataset": w.Dropdown(options=sorted(DATASETS), value=start["dataset"], description="data", **label),
        "depth": w.IntSlider(value=start["depth"], min=1, max=4, description="hidden layers", **label),
        "width": w.IntSlider(value=start["width"], min=1, max=32, description="units each", **label),
        "activation": w.Dropdown(options=ACTIVATION_CHOICES, value=start["activation"], description="activation", **label),
        "init": w.Dropdown(options=INIT_CHOICES, value=start["init"], description="init", **label),
        "learning_rate": w.FloatLogSlider(value=start["learning_rate"], base=10, min=-4, max=0, description="learning rate", **label),
        "lambd": w.FloatSlider(value=start["lambd"], min=0, max=5, step=0.1, description="L2 lambda", **label),
        "keep_prob": w.FloatSlider(value=start["keep_prob"], min=0.5, max=1, step=0.05, description="keep_prob", **label),
        "seed": w.IntSlider(value=start["seed"], min=0, max=9, description="seed", **label),
    }
    button = w.Button(description="Train", button_style="primary")
    status = w.Label()
    image = w.Image(format="png", width=900)  # the figure as a widget: redrawn in place, never a cell output
    fig = plt.figure(figsize=(9, 3.8))
    plt.close(fig)  # shown through `image`, never by the inline backend at the end of the cell

    def show(run):
        draw(run, fig)
        image.value = _png(fig)

    def train(_=None, initial=False):
        run = Run(**{name: control.value for name, control in controls.items()})
        for frame in range(frames):
            run.train(epochs // frames)
            if not initial:
                show(run)
            status.value = f"epoch {len(run.costs)} of {epochs}: cost {run.costs[-1]:.4f}"
        if initial:
            show(run)
        return run

    class Playground(w.VBox):
        """The playground's box; a front end without widgets shows fallback_png, the default run's figure."""

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs) or {}
            bundle["text/plain"] = ("nnlib playground: press Train in a live Jupyter session "
                                    "(the figure is its default run)")
            bundle["image/png"] = self.fallback_png
            return bundle

    button.on_click(train)
    first = train(initial=True)
    names = list(controls)
    box = Playground([w.HBox([w.VBox([controls[n] for n in names[:5]]), w.VBox([controls[n] for n in names[5:]])]),
                       w.HBox([button, status]), image])
    box.fallback_png = base64.b64encode(image.value).decode("ascii")
    box.run, box.controls, box.button = first, controls, button
    return box
