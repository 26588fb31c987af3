"""Tests for nnlib.training (notebook 07): fit's history, weighting, determinism, callbacks and bad input."""
import numpy as np
import pytest

import toy_data
from nnlib.preprocessing import one_hot
from nnlib.optim import SGD, Adam, Momentum
from nnlib.schedules import step_decay
from nnlib.training import fit, labels_of


toy = toy_data.three_classes
make_model = toy_data.three_class_model


def test_fit_history_schedule_and_learning():
    X, Y, _ = toy()
    model = make_model()
    history = fit(model, X, Y, SGD(0.5), 12, 32, np.random.default_rng(2), validation=(X, Y),
                  schedule=lambda e: step_decay(0.5, 0.5, 5, e))
    assert set(history) == {"cost", "lr", "time", "val_cost", "val_accuracy"}
    assert all(len(v) == 12 for v in history.values())
    assert history["lr"] == [0.5] * 5 + [0.25] * 5 + [0.125] * 2
    assert np.all(np.diff(history["time"]) >= 0)
    assert history["cost"][-1] < 0.6 * history["cost"][0]
    assert history["val_accuracy"][-1] > 0.8
    assert history["val_cost"][-1] == pytest.approx(model.cost(X, Y))


def test_fit_epoch_cost_is_weighted_mean_of_batch_costs():
    X, Y, _ = toy(m=10)
    model = make_model()
    costs = []

    def recording(Xb, Yb):
        cost, grads = model.loss_and_grads(Xb, Yb)
        costs.append((cost, Xb.shape[1]))
        return cost, grads

    history = fit(model, X, Y, SGD(0.1), 1, 4, np.random.default_rng(0), loss_and_grads=recording)
    assert [n for _, n in costs] == [4, 4, 2]
    assert history["cost"][0] == pytest.approx(sum(c * n for c, n in costs) / 10)


def test_fit_is_deterministic_and_callback_stops():
    X, Y, _ = toy()
    finals = []
    for _ in range(2):
        model = make_model()
        history = fit(model, X, Y, Adam(0.01), 30, 16, np.random.default_rng(5),
                      callback=lambda epoch, h: epoch == 6)
        assert len(history["cost"]) == 7
        finals.append(model.params)
    for name in finals[0]:
        np.testing.assert_array_equal(finals[0][name], finals[1][name])


def test_fit_calls_on_train_end_and_accepts_integer_labels():
    X, _, y = toy()

    class Recorder:
        ended = False

        def __call__(self, epoch, history):
            return False

        def on_train_end(self):
            self.ended = True

    recorder = Recorder()
    history = fit(make_model(), X, y, Momentum(0.3), 3, 32, np.random.default_rng(0), validation=(X, y),
                  callback=recorder)
    assert recorder.ended and len(history["val_accuracy"]) == 3


def test_fit_verbose_prints(capsys):
    X, Y, _ = toy()
    fit(make_model(), X, Y, SGD(0.1), 5, 64, np.random.default_rng(0), verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["0", "2", "4"]


def test_fit_bad_input_and_divergence():
    X, Y, _ = toy()
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit(make_model(), X, Y, SGD(0.1), 0, 32, np.random.default_rng(0))
    with pytest.raises(TypeError, match="optimizer must have a step"):
        fit(make_model(), X, Y, 0.1, 1, 32, np.random.default_rng(0))
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit(make_model(), X, Y, SGD(0.1), 1, 32, np.random.default_rng(0),
            loss_and_grads=lambda Xb, Yb: (np.nan, {}))


def test_labels_of():
    np.testing.assert_array_equal(labels_of(np.array([2, 0])), [2, 0])
    np.testing.assert_array_equal(labels_of(np.array([[1.0, 0.0]])), [1, 0])
    np.testing.assert_array_equal(labels_of(one_hot(np.array([2, 0, 1]), 3)), [2, 0, 1])
