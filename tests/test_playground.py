"""nnlib.playground (notebook 16): a run trains, draws and is reproducible; the widget box has a static
fallback for front ends without widgets; bad settings are refused. (The live widget in JupyterLab is
tested in tests/test_browser.py.)"""
import base64

import numpy as np
import pytest

from nnlib.playground import DATASETS, DEFAULTS, Run, draw, playground


def test_a_run_learns_moons_and_is_reproducible():
    first = Run(**DEFAULTS).train(60)
    second = Run(**DEFAULTS).train(60)
    assert first.costs == second.costs
    assert first.costs[-1] < first.costs[0] / 5
    assert first.accuracy() > 0.9


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_every_dataset_with_l2_and_dropout_trains_and_draws(dataset):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = Run(dataset=dataset, depth=2, width=6, activation="tanh", init="xavier", lambd=0.5, keep_prob=0.8,
              seed=3, m=60).train(3)
    assert len(run.costs) == 3 and np.all(np.isfinite(run.costs))
    fig = draw(run)
    assert len(fig.axes) >= 2 and dataset in fig.axes[0].get_title()
    plt.close(fig)


def test_playground_has_controls_a_button_and_a_static_fallback():
    pytest.importorskip("ipywidgets")
    box = playground(epochs=12, frames=3)
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert bundle["text/plain"].startswith("nnlib playground")
    assert set(box.controls) == set(DEFAULTS)
    before = list(box.run.costs)
    box.controls["dataset"].value = "circles"
    box.button.click()                        # a new run with the new setting
    assert len(before) == 12


def test_bad_settings():
    with pytest.raises(ValueError, match="dataset must be one of"):
        Run(dataset="swirls")
    with pytest.raises(ValueError, match="width must be a positive integer, got 0"):
        Run(width=0)
    with pytest.raises(ValueError, match="lambd must be a finite number >= 0"):
        Run(lambd=-1.0)
    with pytest.raises(ValueError, match="keep_prob must be in"):
        Run(keep_prob=1.5)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        Run(learning_rate=0.0)
    with pytest.raises(ValueError, match="unknown settings"):
        playground(speed=3)
