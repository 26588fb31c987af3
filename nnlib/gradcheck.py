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
    Costs 2 * x.size calls of f. h must lie in (0, 1]: a larger step measures a secant,
    not a derivative (the error of the centred difference grows as h^2). Raises ValueError
    when x[i] ± h rounds back to x[i] (h lost in a huge entry) or when a difference
    quotient is not finite (f overflowed near x).
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 ndarray (finite differences in float32 are too coarse)")
    _check_step(h)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        if original + h == original or original - h == original:
            raise ValueError(f"h={h!r} is lost in x[{', '.join(map(str, i))}] = {float(original)!r}: x + h rounds to x in "
                             "float64, so the difference would be 0 whatever f is; use a larger h")
        try:
            x[i] = original + h
            f_plus = f(x)
            x[i] = original - h
            f_minus = f(x)
        finally:
            x[i] = original  # restored exactly, even if f raises
        grad[i] = (f_plus - f_minus) / (2 * h)
        if not np.isfinite(grad[i]):  # an estimate of inf or NaN is no estimate: say why instead
            raise ValueError(f"the centred difference at x[{', '.join(map(str, i))}] is not finite with h={h!r}: "
                             f"f(x + h) = {f_plus!r}, f(x - h) = {f_minus!r}; f must be finite near x and h small")
    return grad


def _check_step(h):
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)) or not 0 < h <= 1:
        raise ValueError(f"h must be a small positive step in (0, 1], such as 1e-5, got {h!r}")


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
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0))
    if scale == 0:
        return 0.0
    analytic, numeric = analytic / scale, numeric / scale  # the ratio is scale-free; squaring 1e300 is not
    return float(np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric)))
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
