"""Tests for nnlib.batches (notebook 07): one shuffled epoch, the last partial batch kept."""
import numpy as np
import pytest

from nnlib.batches import minibatches, num_batches


def data(m, k=2):
    X = np.arange(3 * m, dtype=float).reshape(3, m)
    Y = np.arange(k * m).reshape(k, m) * 10
    return X, Y


def test_every_example_once_with_last_partial_batch():
    X, Y = data(10)
    batches = list(minibatches(X, Y, 3, np.random.default_rng(0)))
    assert [b[0].shape[1] for b in batches] == [3, 3, 3, 1]
    assert len(batches) == num_batches(10, 3) == 4
    seen = np.concatenate([b[0][0] for b in batches])
    assert sorted(seen.tolist()) == X[0].tolist()
    assert not np.array_equal(seen, X[0])  # shuffled


def test_columns_of_X_and_Y_stay_together():
    X, Y = data(17)
    for Xb, Yb in minibatches(X, Y, 4, np.random.default_rng(1)):
        idx = Xb[0].astype(int)
        np.testing.assert_array_equal(Xb, X[:, idx])
        np.testing.assert_array_equal(Yb, Y[:, idx])


def test_one_dimensional_labels():
    X, _ = data(9)
    y = np.arange(9) + 100
    for Xb, yb in minibatches(X, y, 4, np.random.default_rng(2)):
        assert yb.ndim == 1
        np.testing.assert_array_equal(yb, Xb[0].astype(int) + 100)


def test_fresh_permutation_each_call_and_same_seed_same_batches():
    X, Y = data(50)
    rng = np.random.default_rng(3)
    epoch1 = np.concatenate([b[0][0] for b in minibatches(X, Y, 8, rng)])
    epoch2 = np.concatenate([b[0][0] for b in minibatches(X, Y, 8, rng)])
    assert not np.array_equal(epoch1, epoch2)
    again = np.concatenate([b[0][0] for b in minibatches(X, Y, 8, np.random.default_rng(3))])
    np.testing.assert_array_equal(epoch1, again)


def test_permutation_is_drawn_when_called():
    X, Y = data(20)
    rng = np.random.default_rng(4)
    first = minibatches(X, Y, 5, rng)
    second = minibatches(X, Y, 5, rng)  # drawn before `first` is consumed
    a = np.concatenate([b[0][0] for b in first])
    b = np.concatenate([b[0][0] for b in second])
    reference = np.random.default_rng(4)
    np.testing.assert_array_equal(a, X[0][reference.permutation(20)])
    np.testing.assert_array_equal(b, X[0][reference.permutation(20)])


def test_batch_larger_than_m_is_one_full_batch():
    X, Y = data(5)
    batches = list(minibatches(X, Y, 64, np.random.default_rng(5)))
    assert len(batches) == 1 and batches[0][0].shape == (3, 5)


def test_bad_input():
    X, Y = data(6)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        minibatches(X, Y, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        minibatches(X, Y, 2.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="X has 6 examples"):
        minibatches(X, Y[:, :5], 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"X must be \(n_x, m\), one example per column"):
        minibatches(X[0], Y, 2, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        minibatches(X, Y, 2, 0)


def test_images_are_batched_on_their_last_axis():
    """Images (C, H, W, m) are shuffled and cut along the example axis, with their labels."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 3, 3, 7))
    y = np.arange(7)
    seen = []
    for X_batch, y_batch in minibatches(X, y, 3, np.random.default_rng(0)):
        assert X_batch.shape[:3] == (2, 3, 3)
        for j, label in enumerate(y_batch):
            np.testing.assert_array_equal(X_batch[..., j], X[..., label])
        seen += list(y_batch)
    assert sorted(seen) == list(range(7))
