"""Training runs that record what happens inside: gradient norms and update ratios (notebook 09).

  gradient_norms      ||dθ|| of every gradient in a dict (dW[l] is (n[l], n[l-1]), db[l] (n[l], 1))
  train_monitored     full-batch gradient descent, exactly as nnlib.model.train on X (n_x, m),
                      Y (1, m), that records per-layer gradient norms and update ratios
                      ||α dW|| / ||W|| at every iteration, and when the run diverged
  learning_rate_sweep the same short run for several learning rates
"""
import numpy as np

from .checks import is_integer, is_number

__all__ = ["gradient_norms", "train_monitored", "learning_rate_sweep"]

# A run has diverged once its cost is this many times its first cost (or not finite).
DIVERGENCE_FACTOR = 10.0


def _norm(a):
    """Frobenius norm in float64, scaled by max|a| first: squaring 1e30 in float32 (or 1e200 in
    float64) overflows although the norm itself is a representable number."""
    a = np.abs(np.asarray(a)).astype(np.float64)
    scale = a.max(initial=0.0)
    if scale == 0 or not np.isfinite(scale):
        return float(scale)
    return float(scale * np.linalg.norm(a / scale))


def gradient_norms(grads):
    """Frobenius norm ||dθ|| of every gradient in a dict like the one model.backward returns."""
    return {name: _norm(g) for name, g in grads.items()}


def train_monitored(model, X, Y, learning_rate, num_iterations, stop_on_divergence=True):
    """Full-batch gradient descent, exactly as model.train, recording what happens inside.

    Returns a history dict:
      "cost"         cost at each iteration (before its update)
      "grad_norm"    name -> list of ||dW|| per iteration, for every weight W1, W2, ...
      "update_ratio" name -> list of ||α dW|| / ||W|| per iteration (healthy: around 1e-3)
      "diverged"     None, or the first iteration whose cost exceeded
                     DIVERGENCE_FACTOR times the first cost or was not finite
    Training stops at a divergence when stop_on_divergence is True, and always
    once the cost or a parameter is no longer finite.
    """
    if not is_number(learning_rate) or not 0 < learning_rate < np.inf:
        raise ValueError(f"learning_rate must be a positive finite number, got {learning_rate!r}")
    if not is_integer(num_iterations) or num_iterations < 0:
        raise ValueError(f"num_iterations must be a non-negative integer, got {num_iterations!r}")
    params = model.params
    weights = [name for name in params if name.startswith("W")]
    history = {"cost": [], "grad_norm": {w: [] for w in weights},
               "update_ratio": {w: [] for w in weights}, "diverged": None}
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported, not warned about
        for i in range(num_iterations):
            try:
                cost, grads = model.loss_and_grads(X, Y)
            except ValueError:  # the loss refuses infinite logits
                if i == 0:
                    raise  # a bad X or Y, not a training problem
                cost = np.inf  # the weights grew until the logits overflowed
            finite = np.isfinite(cost)
            first = history["cost"][0] if history["cost"] else cost
            if history["diverged"] is None and (not finite or cost > DIVERGENCE_FACTOR * first):
                history["diverged"] = i
            if not finite or (stop_on_divergence and history["diverged"] is not None):
                break
            history["cost"].append(cost)
            for w in weights:
                g_norm = _norm(grads[w])
                ratio = learning_rate * g_norm / max(_norm(params[w]), 1e-300)
                if not np.isfinite(ratio) and history["diverged"] is None:
                    history["diverged"] = i + 1  # an update beyond any float, as if it overflowed the weights
                history["grad_norm"][w].append(g_norm)
                history["update_ratio"][w].append(ratio)
            for name, value in params.items():
                value -= learning_rate * grads[name]
            if not all(np.all(np.isfinite(value)) for value in params.values()):
                if history["diverged"] is None:
                    history["diverged"] = i + 1
                break
    return history


def learning_rate_sweep(make_model, X, Y, learning_rates, num_iterations):
    """Train a fresh model (make_model() -> Model, same seed each call) for each learning rate.

    Returns a list of dicts, one per learning rate: "learning_rate", "history"
    (from train_monitored) and "model" (the trained model, to inspect afterwards).
    """
    if len(learning_rates) == 0:
        raise ValueError("learning_rates must hold at least one learning rate")
    results = []
    for lr in learning_rates:
        model = make_model()
        results.append({"learning_rate": lr, "history": train_monitored(model, X, Y, lr, num_iterations),
                        "model": model})
    return results
