"""Tests for nnlib.lr_range (notebook 07): the learning-rate range test and its suggestion."""
import numpy as np
import pytest

import toy_data
from nnlib.lr_range import lr_finder, suggest_learning_rate


toy = toy_data.three_classes
make_model = toy_data.three_class_model


def test_lr_finder_grows_the_rate_and_stops_on_divergence():
    X, Y, _ = toy()
    lrs, costs = lr_finder(make_model, X, Y, lr_min=1e-4, lr_max=1e3, num_steps=80, batch_size=16,
                           rng=np.random.default_rng(0))
    assert lrs.shape == costs.shape and 10 < lrs.size < 80  # stopped before reaching lr_max
    assert np.all(np.diff(lrs) > 0) and lrs[0] == pytest.approx(1e-4)
    assert np.all(np.isfinite(costs))
    assert costs.min() < costs[0]
    lr = suggest_learning_rate(lrs, costs)
    assert lrs[0] <= lr <= lrs[-1]
    again = lr_finder(make_model, X, Y, lr_min=1e-4, lr_max=1e3, num_steps=80, batch_size=16,
                      rng=np.random.default_rng(0))
    np.testing.assert_array_equal(costs, again[1])
    with pytest.raises(ValueError, match="rng is required"):
        lr_finder(make_model, X, Y)
    with pytest.raises(ValueError, match="lr_max must exceed lr_min"):
        lr_finder(make_model, X, Y, lr_min=1.0, lr_max=0.1, rng=np.random.default_rng(0))
