"""Convolutional layers: Conv2D, Conv1D and Flatten, built on im2col (notebook 12).

Images keep the example on the last axis: A is (C, H, W, m). A convolution with F
filters of size kh x kw is a dense layer applied to every patch: im2col gathers the
patches into cols (C·kh·kw, H_out·W_out·m), the weights are W (F, C·kh·kw) and
b (F, 1), and Z = W @ cols + b is notebook 04's product, reshaped to (F, H_out, W_out, m).
Output size along each axis: n_out = (n + 2 p - k) // s + 1.

Backward: dW = (1/m) dZ cols^T and db = (1/m) Σ dZ as in a dense layer, and
dcols = W^T dZ, which col2im adds back onto the pixels each patch came from. For
stride 1 that equals a full convolution of dZ with the flipped kernel (conv_dX_full).
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import get_activation
from .checks import is_integer
from .initializers import initialize_weights
from .layers import activation_backward

__all__ = [
    "conv_output_shape", "pad_images", "conv2d_loops", "im2col", "col2im", "conv_forward",
    "conv_backward", "conv_dX_full", "Conv2D",
]


def _pair(name, value, minimum):
    """An int or a pair of ints (>= minimum) -> a tuple (vertical, horizontal)."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(is_integer(v) and v >= minimum for v in pair):
        raise ValueError(f"{name} must be an integer >= {minimum} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _shape(name, value, length):
    """n_in given as a tuple (or JSON list) of `length` positive ints."""
    shape = tuple(value) if isinstance(value, (tuple, list)) else None
    if shape is None or len(shape) != length or not all(is_integer(v) and v >= 1 for v in shape):
        raise ValueError(f"{name} must be {length} positive integers, got {value!r}")
    return tuple(int(v) for v in shape)


def conv_output_shape(H, W, kernel, stride, padding):
    """(H_out, W_out) = ((H + 2 ph - kh) // sh + 1, (W + 2 pw - kw) // sw + 1).

    Raises ValueError when the kernel is larger than the padded input.
    """
    for name, value in (("H", H), ("W", W)):
        if not is_integer(value) or value < 1:
            raise ValueError(f"{name} must be a positive integer (pixels), got {value!r}")
    (kh, kw), (sh, sw), (ph, pw) = _pair("kernel", kernel, 1), _pair("stride", stride, 1), _pair("padding", padding, 0)
    if kh > H + 2 * ph or kw > W + 2 * pw:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input {H + 2 * ph}x{W + 2 * pw} "
                         f"({H}x{W} with padding {ph}, {pw})")
    return (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1


def _check_images(name, A, channels=None):
    if not isinstance(A, np.ndarray) or A.ndim != 4:
        raise ValueError(f"{name} must be a 4-D array (C, H, W, m), one image per index of the last axis, "
                         f"got {f'shape {A.shape}' if isinstance(A, np.ndarray) else type(A).__name__}")
    if A.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {A.dtype}")
    if channels is not None and A.shape[0] != channels:
        raise ValueError(f"{name} has {A.shape[0]} channels (shape {A.shape}) but the layer expects "
                         f"{channels}: images are (C, H, W, m)")


def _check_weights(name, A, shape):
    """A numeric array whose shape matches `shape` (None: any size on that axis)."""
    if (not isinstance(A, np.ndarray) or A.dtype.kind not in "biuf" or A.ndim != len(shape)
            or any(want is not None and want != got for want, got in zip(shape, A.shape))):
        pretty = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must be a numeric array of shape {pretty}, got "
                         f"{getattr(A, 'shape', type(A).__name__)} {getattr(A, 'dtype', '')}".rstrip())


def pad_images(X, padding):
    """X (C, H, W, m) with ph rows of zeros above and below and pw columns left and right."""
    _check_images("X", X)
    ph, pw = _pair("padding", padding, 0)
    if ph == 0 and pw == 0:
        return X
    C, H, W, m = X.shape
    Xp = np.zeros((C, H + 2 * ph, W + 2 * pw, m), dtype=X.dtype)
    Xp[:, ph:ph + H, pw:pw + W] = X
    return Xp


def conv2d_loops(X, W4, b, stride=(1, 1), padding=(0, 0)):
    """The definition, in loops (slow; the reference for im2col):

    Z[f, i, j, e] = b[f] + Σ_{c, u, v} W4[f, c, u, v] X_pad[c, i·sh + u, j·sw + v, e]

    X (C, H, W, m), W4 (F, C, kh, kw), b (F, 1) -> Z (F, H_out, W_out, m).
    """
    _check_images("X", X)
    _check_weights("W4", W4, (None, X.shape[0], None, None))
    F, C, kh, kw = W4.shape
    _check_weights("b", b, (F, 1))
    stride, padding = _pair("stride", stride, 1), _pair("padding", padding, 0)
    H_out, W_out = conv_output_shape(X.shape[1], X.shape[2], (kh, kw), stride, padding)
    Xp = pad_images(X, padding)
    Z = np.zeros((F, H_out, W_out, X.shape[3]), dtype=np.result_type(X, W4, b))  # b = 0.5 on integer images: floats
    for e in range(X.shape[3]):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    patch = Xp[:, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw, e]
                    Z[f, i, j, e] = np.sum(W4[f] * patch) + b[f, 0]
    return Z


def im2col(X, kernel, stride=(1, 1), padding=(0, 0)):
    """X (C, H, W, m) -> cols (C·kh·kw, H_out·W_out·m): one column per patch.

    Row (c, u, v) of cols holds pixel (u, v) of channel c of every patch; the columns
    run over (i, j, e) with the example e fastest, so W @ cols reshapes to (F, H_out, W_out, m).
    sliding_window_view gives every kh x kw window as a view (no copy); the one copy is
    the reshape, which reads m contiguous numbers at a time.
    """
    _check_images("X", X)
    kernel, stride, padding = _pair("kernel", kernel, 1), _pair("stride", stride, 1), _pair("padding", padding, 0)
    C, H, W, m = X.shape
    (kh, kw), (sh, sw) = kernel, stride
    H_out, W_out = conv_output_shape(H, W, kernel, stride, padding)
    windows = sliding_window_view(pad_images(X, padding), (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    # windows: (C, H_out, W_out, m, kh, kw) -> (C, kh, kw, H_out, W_out, m)
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(C * kh * kw, H_out * W_out * m)


def col2im(dcols, X_shape, kernel, stride=(1, 1), padding=(0, 0)):
    """The adjoint of im2col: add each column of dcols back onto the pixels its patch came from.

    dcols (C·kh·kw, H_out·W_out·m) -> dX (C, H, W, m). One strided slice-add per kernel
    offset (u, v), kh·kw of them: no loop over positions or examples.
    """
    C, H, W, m = _shape("X_shape", X_shape, 4)
    kernel, stride, padding = _pair("kernel", kernel, 1), _pair("stride", stride, 1), _pair("padding", padding, 0)
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    H_out, W_out = conv_output_shape(H, W, kernel, stride, padding)
    _check_weights("dcols", dcols, (C * kh * kw, H_out * W_out * m))
    d = dcols.reshape(C, kh, kw, H_out, W_out, m)
    dXp = np.zeros((C, H + 2 * ph, W + 2 * pw, m), dtype=dcols.dtype)
    for u in range(kh):
        for v in range(kw):
            dXp[:, u:u + sh * (H_out - 1) + 1:sh, v:v + sw * (W_out - 1) + 1:sw] += d[:, u, v]
    return dXp[:, ph:ph + H, pw:pw + W]


def conv_forward(A_prev, W, b, kernel, stride=(1, 1), padding=(0, 0)):
    """Z = W @ im2col(A_prev) + b, reshaped: A_prev (C, H, W, m), W (F, C·kh·kw), b (F, 1)
    -> (Z (F, H_out, W_out, m), cache)."""
    _check_images("A_prev", A_prev)
    kernel, stride, padding = _pair("kernel", kernel, 1), _pair("stride", stride, 1), _pair("padding", padding, 0)
    C, H, Wd, m = A_prev.shape
    _check_weights("W", W, (None, C * kernel[0] * kernel[1]))
    _check_weights("b", b, (W.shape[0], 1))
    H_out, W_out = conv_output_shape(H, Wd, kernel, stride, padding)
    cols = im2col(A_prev, kernel, stride, padding)
    Z = W @ cols
    Z += b
    return Z.reshape(W.shape[0], H_out, W_out, m), (A_prev.shape, cols, W, kernel, stride, padding)


def conv_backward(dZ, cache, need_dA_prev=True):
    """dZ (F, H_out, W_out, m) -> (dA_prev (C, H, W, m), dW (F, C·kh·kw), db (F, 1)).

    dW = (1/m) dZ cols^T and db = (1/m) Σ dZ over positions and examples (the weights are
    shared by every position, so their gradients add up); dA_prev = col2im(W^T dZ).
    need_dA_prev=False skips dA_prev (a first layer's input is the data).
    """
    X_shape, cols, W, kernel, stride, padding = cache
    m = X_shape[3]
    _check_weights("dZ", dZ, (W.shape[0], *conv_output_shape(*X_shape[1:3], kernel, stride, padding), m))
    if not isinstance(need_dA_prev, (bool, np.bool_)):
        raise TypeError(f"need_dA_prev must be True or False, got {need_dA_prev!r}")
    dZ2 = dZ.reshape(W.shape[0], -1)
    dW = dZ2 @ cols.T
    dW /= m
    db = dZ2.sum(axis=1, keepdims=True)
    db /= m
    dA_prev = col2im(W.T @ dZ2, X_shape, kernel, stride, padding) if need_dA_prev else None
    return dA_prev, dW, db


def conv_dX_full(dZ, W4, padding=(0, 0)):
    """dX of a stride-1 convolution as a full convolution of dZ with the flipped kernel.

    dX[c, y, x, e] = Σ_{f, u, v} dZ_full[f, y + u, x + v, e] · W4[f, c, kh-1-u, kw-1-v],
    where dZ_full is dZ padded by kh-1 and kw-1 (every output that pixel (y, x) touched),
    and the padding of the forward pass is cropped away. dZ (F, H_out, W_out, m),
    W4 (F, C, kh, kw) -> dX (C, H, W, m). (Without the 1/m: dA is per example.)
    """
    _check_images("dZ", dZ)
    _check_weights("W4", W4, (dZ.shape[0], None, None, None))
    F, C, kh, kw = W4.shape
    ph, pw = _pair("padding", padding, 0)
    if dZ.shape[1] + kh - 1 <= 2 * ph or dZ.shape[2] + kw - 1 <= 2 * pw:
        raise ValueError(f"padding {ph}, {pw} leaves no pixel of the input: dZ {dZ.shape[1]}x{dZ.shape[2]} "
                         f"and kernel {kh}x{kw} come from an input of {dZ.shape[1] + kh - 1 - 2 * ph}x"
                         f"{dZ.shape[2] + kw - 1 - 2 * pw} pixels")
    flipped = W4[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(C, F * kh * kw)  # (C, F·kh·kw)
    full = im2col(dZ, (kh, kw), (1, 1), (kh - 1, kw - 1))  # (F·kh·kw, H_pad·W_pad·m)
    H_pad, W_pad = dZ.shape[1] + kh - 1, dZ.shape[2] + kw - 1
    dXp = (flipped @ full).reshape(C, H_pad, W_pad, dZ.shape[3])
    return dXp[:, ph:H_pad - ph, pw:W_pad - pw]


class Conv2D:
    """A convolutional layer A = g(conv(A_prev, W) + b) on images (C, H, W, m).

    n_in: (C, H, W), the shape of one input image. filters: F, the number of output
    channels. kernel_size, stride, padding: an int or a pair (rows, columns).
    W is (F, C·kh·kw), drawn by `init` with fan-in C·kh·kw (He: Var(w) = 2 / (C·kh·kw));
    b is (F, 1). n_out = (F, H_out, W_out).
    """

    def __init__(self, n_in, filters, kernel_size, stride=1, padding=0, activation="relu", init="he",
                 rng=None, dtype=np.float64):
        self.n_in = _shape("n_in", n_in, 3)
        if not is_integer(filters) or filters < 1:
            raise ValueError(f"filters must be a positive integer, got {filters!r}")
        self.kernel = _pair("kernel_size", kernel_size, 1)
        self.stride = _pair("stride", stride, 1)
        self.padding = _pair("padding", padding, 0)
        get_activation(activation)
        C, H, W = self.n_in
        H_out, W_out = conv_output_shape(H, W, self.kernel, self.stride, self.padding)
        self.filters, self.activation, self.init = int(filters), activation, init
        self.n_out = (self.filters, H_out, W_out)
        fan_in = C * self.kernel[0] * self.kernel[1]
        weights = initialize_weights(self.filters, fan_in, init, rng, dtype)
        self.params = {"W": weights, "b": np.zeros((self.filters, 1), dtype=weights.dtype)}

    def forward(self, A_prev, training=False):
        _check_images("A_prev", A_prev, self.n_in[0])
        if A_prev.shape[1:3] != self.n_in[1:]:
            raise ValueError(f"A_prev has images of {A_prev.shape[1]}x{A_prev.shape[2]} pixels but {self!r} "
                             f"expects {self.n_in[1]}x{self.n_in[2]}")
        Z, conv_cache = conv_forward(A_prev, self.params["W"], self.params["b"], self.kernel, self.stride,
                                     self.padding)
        g, _ = get_activation(self.activation)
        return g(Z), (conv_cache, (Z, self.activation))

    def backward(self, dA, cache, need_dA_prev=True):
        conv_cache, activation_cache = cache
        dZ = activation_backward(dA, activation_cache)
        dA_prev, dW, db = conv_backward(dZ, conv_cache, need_dA_prev)
        return dA_prev, {"W": dW, "b": db}

    def config(self):
        return {"n_in": list(self.n_in), "filters": self.filters, "kernel_size": list(self.kernel),
                "stride": list(self.stride), "padding": list(self.padding), "activation": self.activation,
                "init": self.init}

    def __repr__(self):
        return (f"Conv2D({self.n_in} -> {self.n_out}, {self.kernel[0]}x{self.kernel[1]}, "
                f"stride {self.stride[0]}, padding {self.padding[0]}, {self.activation})")
