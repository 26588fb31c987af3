"""Gradient checking with centred finite differences (notebook 02).

∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h), with error O(h^2). The analytic
gradient is trusted when its relative error to this estimate is below 1e-7 in
float64; between 1e-7 and 1e-5 look closer; above 1e-3 it is almost surely wrong.
"""
import numpy as np

__all__ = ["numerical_gradient", "relative_error", "check_gradients"]


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of the scalar function f at x.

    f: called as f(x) and returning a float. x: float64 array of any shape; it
    is perturbed in place one entry at a time and restored, so f may read x
    through a closure (a model's weight matrix, say). Returns an array shaped like x.
    Costs 2 * x.size calls of f.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 ndarray (finite differences in float32 are too coarse)")
    _check_step(h)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        try:
            x[i] = original + h
            f_plus = f(x)
            x[i] = original - h
            f_minus = f(x)
        finally:
            x[i] = original  # restored exactly, even if f raises
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _check_step(h):
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)) or not 0 < h < np.inf:
        raise ValueError(f"h must be a positive finite step, such as 1e-5, got {h!r}")


def relative_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||): scale-free, in [0, 1], 0 when both are 0.

    A gradient that is c times the true one (c > 0) scores |c - 1| / (c + 1);
    one with the wrong sign scores 1.
    """
    ### BEGIN SOLUTION
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"analytic has shape {analytic.shape} but numeric has shape {numeric.shape}")
    if not (np.all(np.isfinite(analytic)) and np.all(np.isfinite(numeric))):
        raise ValueError("analytic and numeric must be finite: a NaN or infinite gradient has no relative error")
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)
    ### END SOLUTION


def check_gradients(f, params, grads, h=1e-5):
    """Relative error of each analytic gradient in `grads` against finite differences.

    params: dict name -> float64 array that f() reads (perturbed in place, then restored).
    grads: dict name -> analytic gradient of f with respect to params[name], same shape.
    f: called with no arguments, returns the scalar cost.
    Returns dict name -> relative error.
    """
    _check_step(h)
    mismatched = sorted(set(params) ^ set(grads))
    if mismatched:
        raise ValueError(f"params and grads must have the same names; mismatched: {mismatched}")
    for name in params:
        if not isinstance(params[name], np.ndarray) or params[name].dtype != np.float64:
            raise TypeError(f"params[{name!r}] must be a float64 ndarray, got "
                            f"{type(params[name]).__name__} {getattr(params[name], 'dtype', '')}".rstrip())
        if np.shape(grads[name]) != params[name].shape:
            raise ValueError(f"grads[{name!r}] has shape {np.shape(grads[name])} but "
                             f"params[{name!r}] has shape {params[name].shape}")
    return {name: relative_error(grads[name], numerical_gradient(lambda _: f(), params[name], h))
            for name in params}
