"""A learning-rate finder: the range test (L. Smith, 2015) and its rule of thumb (notebook 07).

lr_finder(make_model, X, Y, ...) takes one mini-batch step after another on X (n_x, m),
Y (k, m) while the learning rate grows geometrically, and returns the rates and the
smoothed costs (two 1-D arrays of equal length); suggest_learning_rate(lrs, costs)
reads a starting rate off them.
"""
import numpy as np

from .batches import minibatches
from .checks import as_float_array, is_number
from .optim import SGD, _positive

__all__ = ["lr_finder", "suggest_learning_rate"]


def lr_finder(make_model, X, Y, optimizer=SGD, lr_min=1e-5, lr_max=10.0, num_steps=100, batch_size=32,
              rng=None, smoothing=0.9, stop_factor=4.0):
    """A learning-rate range test (L. Smith, 2015): costs of one run whose rate grows every step.

    make_model: callable () -> a fresh model (seeded, so the test is reproducible).
    optimizer: a class (or callable) learning_rate -> optimizer; its learning_rate is set before
      each mini-batch step, growing geometrically from lr_min to lr_max over num_steps steps.
    The cost of each batch (before its step) is smoothed with an exponential moving average
    (bias-corrected; smoothing=0 keeps the raw costs). The run stops early once the smoothed
    cost exceeds stop_factor times its best value, or the cost is no longer finite.

    Returns (lrs, costs), two 1-D arrays of equal length. A good learning rate lies where the
    cost falls fastest, well below the rate where it is lowest (see suggest_learning_rate).
    """
    if rng is None:
        raise ValueError("rng is required: pass np.random.default_rng(seed) so the test is reproducible")
    lr_min, lr_max = _positive("lr_min", lr_min), _positive("lr_max", lr_max)
    if not lr_max > lr_min:
        raise ValueError(f"lr_max must exceed lr_min, got lr_min={lr_min} and lr_max={lr_max}")
    if not isinstance(num_steps, (int, np.integer)) or num_steps < 2:
        raise ValueError(f"num_steps must be an integer >= 2, got {num_steps!r}")
    if not is_number(smoothing) or not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    if np.ndim(X) < 2 or np.shape(X)[-1] == 0:
        raise ValueError(f"X must be (n_x, m) with at least one example (m >= 1), got shape {np.shape(X)}")
    model = make_model()
    params = model.params
    opt = optimizer(lr_min)
    schedule = lr_min * (lr_max / lr_min) ** (np.arange(num_steps) / (num_steps - 1))
    batches = iter(())
    lrs, costs = [], []
    average, best = 0.0, np.inf
    for i, lr in enumerate(schedule):
        try:
            X_batch, Y_batch = next(batches)
        except StopIteration:
            batches = minibatches(X, Y, batch_size, rng)
            X_batch, Y_batch = next(batches)
        try:
            with np.errstate(over="raise", invalid="raise"):
                cost, grads = model.loss_and_grads(X_batch, Y_batch)
        except (FloatingPointError, ValueError):  # weights blown up: NaN/inf logits
            if i == 0:
                raise
            break
        if not np.isfinite(cost):
            break
        average = smoothing * average + (1 - smoothing) * cost
        smoothed = average / (1 - smoothing ** (i + 1))
        lrs.append(float(lr))
        costs.append(smoothed)
        if smoothed > stop_factor * best:
            break
        best = min(best, smoothed)
        opt.learning_rate = float(lr)
        opt.step(params, grads)
    return np.array(lrs), np.array(costs)


def suggest_learning_rate(lrs, costs):
    """A rule of thumb for lr_finder's output: one tenth of the rate with the lowest cost."""
    lrs, costs = as_float_array("lrs", lrs), as_float_array("costs", costs)
    if lrs.size == 0 or lrs.shape != costs.shape:
        raise ValueError("lrs and costs must be non-empty arrays of the same shape (from lr_finder)")
    if np.any(lrs <= 0):
        raise ValueError("lrs must be positive learning rates")
    return float(lrs[np.argmin(costs)] / 10)
