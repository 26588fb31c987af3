"""Tests for nnlib.schedules (notebook 07): each schedule against values computed by hand."""
import numpy as np
import pytest

from nnlib.schedules import cosine_decay, inverse_time_decay, step_decay, warmup_cosine


def test_cosine_and_warmup_schedules():
    assert cosine_decay(1.0, 10, 0) == 1.0
    np.testing.assert_allclose(cosine_decay(1.0, 10, 5), 0.5, rtol=1e-15)
    np.testing.assert_allclose(cosine_decay(1.0, 10, 10, lr_min=0.1), 0.1, rtol=1e-15)
    assert cosine_decay(1.0, 10, 12) == cosine_decay(1.0, 10, 10)  # stays at lr_min after the last epoch
    lrs = [warmup_cosine(1.0, 3, 13, e) for e in range(13)]
    np.testing.assert_allclose(lrs[:3], [1 / 3, 2 / 3, 1.0], rtol=1e-15)
    np.testing.assert_allclose(lrs[3:], [cosine_decay(1.0, 10, e) for e in range(10)], rtol=1e-15)
    assert np.all(np.diff(lrs[2:]) <= 0)


def test_schedules():
    assert inverse_time_decay(0.1, 0.5, 0) == 0.1
    assert inverse_time_decay(0.1, 0.5, 2) == pytest.approx(0.05)
    assert [step_decay(1.0, 0.5, 3, e) for e in range(7)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
