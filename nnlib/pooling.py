"""Pooling layers and Flatten for images (C, H, W, m) (notebook 12).

A pooling window of ph x pw pixels, moved by (sh, sw), reduces each channel on its
own: max pooling keeps the largest pixel of each window, average pooling their mean.
Both have no parameters. The window's pixels are taken offset by offset, (u, v) for
u < ph, v < pw, each as one strided slice of the whole batch: ph·pw slices, no loop
over positions or examples.

Backward: average pooling hands each pixel of a window dA / (ph·pw); max pooling
routes dA to the pixel that won, and only to it. When several pixels of a window tie
for the maximum, the first in row-major order within the window wins (a fixed rule,
so the gradient is deterministic).
"""
import numpy as np

from .checks import is_integer

__all__ = [
    "pool_output_shape", "maxpool_forward", "maxpool_backward", "avgpool_forward", "avgpool_backward",
    "MaxPool2D", "AvgPool2D", "Flatten",
]


def _pair(name, value, minimum):
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(is_integer(v) and v >= minimum for v in pair):
        raise ValueError(f"{name} must be an integer >= {minimum} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def pool_output_shape(H, W, pool, stride):
    """(H_out, W_out) = ((H - ph) // sh + 1, (W - pw) // sw + 1); ValueError if the window does not fit."""
    for name, value in (("H", H), ("W", W)):
        if not is_integer(value) or value < 1:
            raise ValueError(f"{name} must be a positive integer (pixels), got {value!r}")
    (ph, pw), (sh, sw) = _pair("pool", pool, 1), _pair("stride", stride, 1)
    if ph > H or pw > W:
        raise ValueError(f"pool_size {ph}x{pw} is larger than the input {H}x{W}")
    return (H - ph) // sh + 1, (W - pw) // sw + 1


def _check_images(name, A):
    if not isinstance(A, np.ndarray) or A.ndim != 4 or A.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a 4-D numeric array (C, H, W, m), got "
                         f"{f'shape {A.shape}, dtype {A.dtype}' if isinstance(A, np.ndarray) else type(A).__name__}")


def _check_upstream(dA, shape):
    if not isinstance(dA, np.ndarray) or dA.dtype.kind not in "biuf" or dA.shape != tuple(shape):
        raise ValueError(f"dA must be a numeric array of the forward output's shape {tuple(shape)}, got "
                         f"{getattr(dA, 'shape', type(dA).__name__)}")


def _offsets(X, pool, stride):
    """The ph·pw strided views X[:, u + sh·i, v + sw·j, :] (each (C, H_out, W_out, m)), in row-major (u, v) order."""
    _check_images("X", X)
    (ph, pw), (sh, sw) = _pair("pool", pool, 1), _pair("stride", stride, 1)
    H_out, W_out = pool_output_shape(X.shape[1], X.shape[2], pool, stride)
    return [X[:, u:u + sh * (H_out - 1) + 1:sh, v:v + sw * (W_out - 1) + 1:sw]
            for u in range(ph) for v in range(pw)]


def maxpool_forward(X, pool, stride):
    """X (C, H, W, m) -> (A (C, H_out, W_out, m), cache): the maximum of each window.

    The cache holds one boolean mask per offset k = u·pw + v, shape (ph·pw, C, H_out, W_out, m):
    won[k] is True where offset k is the window's winner, the first offset whose value
    equals the maximum (exactly one True per output).
    """
    views = _offsets(X, pool, stride)
    pool, stride = _pair("pool", pool, 1), _pair("stride", stride, 1)
    A = views[0].copy()
    for view in views[1:]:
        np.maximum(A, view, out=A)
    won = np.empty((len(views),) + A.shape, dtype=bool)
    np.equal(views[0], A, out=won[0])
    taken = won[0].copy()                   # outputs whose winner is already found
    for k in range(1, len(views)):
        np.equal(views[k], A, out=won[k])
        won[k] &= ~taken                    # a later tie loses to the earlier offset
        taken |= won[k]
    return A, (X.shape, won, pool, stride)


def maxpool_backward(dA, cache):
    """dA (C, H_out, W_out, m) -> dX (C, H, W, m): each dA goes to its window's winning pixel."""
    X_shape, won, pool, stride = cache
    _check_upstream(dA, won.shape[1:])
    (ph, pw), (sh, sw) = pool, stride
    H_out, W_out = won.shape[2:4]
    dX = np.zeros(X_shape, dtype=dA.dtype)
    for k in range(ph * pw):
        u, v = divmod(k, pw)
        target = dX[:, u:u + sh * (H_out - 1) + 1:sh, v:v + sw * (W_out - 1) + 1:sw]
        if sh >= ph and sw >= pw:  # windows do not overlap: each pixel belongs to one window at most
            np.multiply(dA, won[k], out=target)
        else:                      # overlapping windows add up their contributions
            target += dA * won[k]
    return dX


def avgpool_forward(X, pool, stride):
    """X (C, H, W, m) -> (A (C, H_out, W_out, m), cache): the mean of each window."""
    views = _offsets(X, pool, stride)
    pool, stride = _pair("pool", pool, 1), _pair("stride", stride, 1)
    A = views[0].astype(np.result_type(X.dtype, np.float32))  # a mean of integers is not an integer
    for view in views[1:]:
        A += view
    A /= len(views)
    return A, (X.shape, pool, stride)


def avgpool_backward(dA, cache):
    """dA (C, H_out, W_out, m) -> dX (C, H, W, m): every pixel of a window gets dA / (ph·pw)."""
    X_shape, (ph, pw), (sh, sw) = cache
    _check_upstream(dA, (X_shape[0], *pool_output_shape(*X_shape[1:3], (ph, pw), (sh, sw)), X_shape[3]))
    H_out, W_out = dA.shape[1:3]
    share = dA / (ph * pw)
    dX = np.zeros(X_shape, dtype=dA.dtype)
    for u in range(ph):
        for v in range(pw):
            dX[:, u:u + sh * (H_out - 1) + 1:sh, v:v + sw * (W_out - 1) + 1:sw] += share
    return dX


class _Pool2D:
    """Shared by MaxPool2D and AvgPool2D: n_in (C, H, W); pool_size and stride an int or a pair
    (stride defaults to pool_size: windows side by side); n_out (C, H_out, W_out)."""

    def __init__(self, n_in, pool_size=2, stride=None):
        shape = tuple(n_in) if isinstance(n_in, (tuple, list)) else ()
        if len(shape) != 3 or not all(is_integer(v) and v >= 1 for v in shape):
            raise ValueError(f"n_in must be 3 positive integers (C, H, W), got {n_in!r}")
        self.n_in = tuple(int(v) for v in shape)
        self.pool = _pair("pool_size", pool_size, 1)
        self.stride = self.pool if stride is None else _pair("stride", stride, 1)
        C, H, W = self.n_in
        self.n_out = (C, *pool_output_shape(H, W, self.pool, self.stride))
        self.params = {}

    def _check(self, A_prev):
        if not isinstance(A_prev, np.ndarray) or A_prev.ndim != 4 or A_prev.shape[:3] != self.n_in:
            raise ValueError(f"A_prev must have shape {self.n_in + ('m',)} for {self!r}, got {np.shape(A_prev)}")

    def config(self):
        return {"n_in": list(self.n_in), "pool_size": list(self.pool), "stride": list(self.stride)}

    def __repr__(self):
        return f"{type(self).__name__}({self.n_in} -> {self.n_out}, {self.pool[0]}x{self.pool[1]})"


class MaxPool2D(_Pool2D):
    """Max pooling: the largest pixel of each window; the gradient goes to it alone."""

    def forward(self, A_prev, training=False):
        self._check(A_prev)
        return maxpool_forward(A_prev, self.pool, self.stride)

    def backward(self, dA, cache):
        return maxpool_backward(dA, cache), {}


class AvgPool2D(_Pool2D):
    """Average pooling: the mean of each window; the gradient is shared equally."""

    def forward(self, A_prev, training=False):
        self._check(A_prev)
        return avgpool_forward(A_prev, self.pool, self.stride)

    def backward(self, dA, cache):
        return avgpool_backward(dA, cache), {}


class Flatten:
    """(C, H, W, m) (or any (..., m)) -> (C·H·W, m): one column per example, for the Dense layers after.

    n_in: the shape of one example, e.g. (C, H, W). A reshape: no arithmetic, and backward
    reshapes dA back.
    """

    def __init__(self, n_in):
        shape = tuple(n_in) if isinstance(n_in, (tuple, list)) else ()
        if len(shape) < 1 or not all(is_integer(v) and v >= 1 for v in shape):
            raise ValueError(f"n_in must be a tuple of positive integers such as (C, H, W), got {n_in!r}")
        self.n_in = tuple(int(v) for v in shape)
        self.n_out = int(np.prod(self.n_in))
        self.params = {}

    def forward(self, A_prev, training=False):
        if not isinstance(A_prev, np.ndarray) or A_prev.shape[:-1] != self.n_in:
            raise ValueError(f"A_prev must have shape {self.n_in + ('m',)} for {self!r}, got {np.shape(A_prev)}")
        return A_prev.reshape(self.n_out, A_prev.shape[-1]), A_prev.shape

    def backward(self, dA, cache):
        return dA.reshape(cache), {}

    def config(self):
        return {"n_in": list(self.n_in)}

    def __repr__(self):
        return f"Flatten({self.n_in} -> {self.n_out})"
