"""Batch normalization and layer normalization (notebook 11).

Both standardize, then scale and shift with learned γ and β:
  x̂ = (x - μ) / √(σ² + ε),   y = γ x̂ + β.
They differ only in which entries share one μ and σ²:
  batch norm   per feature (row of X (n, m)), over the m examples of the batch;
               images (C, H, W, m): per channel, over H, W and m;
  layer norm   per example (column), over its features (every axis but the last).
Batch norm's statistics depend on the batch, so inference uses running averages of
them instead (layer.state: not trained, saved and restored by io.py); layer norm
computes the same thing in training and inference.
The running variance averages the batch's biased variance (1/m, as in CS231n); PyTorch's
BatchNorm1d averages the unbiased one (1/(m-1)) instead, a difference that vanishes for large m.

As in nnlib.layers, the dY a backward receives is m times ∂J/∂Y (the output's
dZ = Ŷ - Y carries no 1/m), and parameter gradients are means over the m examples:
dγ = (1/m) Σ dY ⊙ x̂, dβ = (1/m) Σ dY.
"""
import numpy as np

from .activations import get_activation
from .checks import as_float_array, is_integer, is_number
from .layers import activation_backward, activation_forward

__all__ = [
    "standardize_forward", "standardize_backward_graph", "standardize_backward", "batch_axes",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_graph", "batchnorm_inference",
    "batchnorm_inference_backward", "layer_axes", "layernorm_forward", "layernorm_backward",
    "BatchNorm", "LayerNorm",
]


def _array(name, A, min_ndim=1):
    """A as a float array (float32 stays, other numbers become float64) of at least min_ndim axes and
    one value. The values are not scanned (NaN propagates), as in the layers of notebook 04."""
    if not isinstance(A, np.ndarray) or A.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric NumPy array, got "
                        f"{f'dtype {A.dtype}' if isinstance(A, np.ndarray) else type(A).__name__}")
    if A.ndim < min_ndim or A.size == 0:
        raise ValueError(f"{name} must have at least {min_ndim} axes and one value, got shape {A.shape}")
    return A if A.dtype in (np.float32, np.float64) else A.astype(np.float64)


def _param(name, p, shape):
    """γ, β, a running μ or σ²: a numeric array of exactly `shape` (one value per feature or channel)."""
    if not isinstance(p, np.ndarray) or p.dtype.kind not in "biuf" or p.shape != shape:
        raise ValueError(f"{name} must be a numeric array of shape {shape}, got "
                         f"{getattr(p, 'shape', type(p).__name__)} {getattr(p, 'dtype', '')}".rstrip())
    return p


def _upstream(name, dY, shape):
    """The upstream gradient of a backward function: an array of the forward output's shape."""
    if not isinstance(dY, np.ndarray) or dY.dtype.kind not in "biuf" or dY.shape != shape:
        raise ValueError(f"{name} must be a numeric array of the forward output's shape {shape}, got "
                         f"{getattr(dY, 'shape', type(dY).__name__)}")
    return dY


def standardize_forward(X, axes, eps=1e-5):
    """x̂ = (X - μ) / √(σ² + ε), with μ and σ² the mean and (biased) variance over `axes`.

    Returns (x̂, cache) with cache = (x̂, 1/√(σ² + ε), axes, μ, σ²); μ and σ² keep X's
    number of axes (size 1 along `axes`) so that they broadcast against X.
    """
    X = _array("X", X)
    if (not isinstance(axes, tuple) or not all(is_integer(a) and 0 <= a < X.ndim for a in axes)
            or len(set(axes)) != len(axes)):
        raise ValueError(f"axes must be a tuple of distinct axes of X (0..{X.ndim - 1}), got {axes!r}")
    _check_eps(eps, zero_ok=True)
    mu = X.mean(axis=axes, keepdims=True)
    Xhat = X - mu
    var = np.mean(Xhat * Xhat, axis=axes, keepdims=True)
    if eps == 0 and np.any(var == 0):
        raise ValueError("eps=0 with a constant X over axes: x̂ would be 0/0; pass eps > 0")
    inv_std = 1.0 / np.sqrt(var + eps)
    Xhat *= inv_std  # in place: X - μ becomes x̂
    return Xhat, (Xhat, inv_std, axes, mu, var)


def standardize_backward_graph(dXhat, cache):
    """dX from dx̂, node by node through the graph of standardize_forward (N entries share one μ):

    μ = (1/N) Σ x;  c = x - μ;  v = (1/N) Σ c²;  s = √(v + ε);  r = 1/s;  x̂ = c r
    """
    Xhat, inv_std, axes, _, _ = cache
    _upstream("dXhat", dXhat, Xhat.shape)
    N = Xhat.size // inv_std.size
    s = 1.0 / inv_std
    c = Xhat * s                                       # the node c = x - μ, rebuilt from the cache
    dr = np.sum(dXhat * c, axis=axes, keepdims=True)   # x̂ = c r: r is shared by N entries, so sum
    dc = dXhat * inv_std                               # x̂ = c r: c's first path
    ds = -dr / (s * s)                                 # r = 1/s
    dv = ds / (2.0 * s)                                # s = √(v + ε)
    dc += (2.0 / N) * c * dv                           # v = (1/N) Σ c²: c's second path
    dmu = -np.sum(dc, axis=axes, keepdims=True)        # c = x - μ: μ is shared, so sum
    return dc + dmu / N                                # μ = (1/N) Σ x: x's second path


def standardize_backward(dXhat, cache):
    """The same dX in compact form, sums over `axes`:

    dX = 1/(N √(σ² + ε)) · (N dx̂ - Σ dx̂ - x̂ Σ (dx̂ ⊙ x̂)).
    """
    Xhat, inv_std, axes, _, _ = cache
    _upstream("dXhat", dXhat, Xhat.shape)
    N = Xhat.size // inv_std.size
    dX = dXhat * N
    dX -= dXhat.sum(axis=axes, keepdims=True)
    dX -= Xhat * np.sum(dXhat * Xhat, axis=axes, keepdims=True)
    dX *= inv_std / N
    return dX


def batch_axes(X):
    """The axes batch norm averages over: every axis but the first (features or channels)."""
    return tuple(range(1, np.ndim(X)))


def batchnorm_forward(X, gamma, beta, eps=1e-5):
    """Training mode: Y = γ x̂ + β with x̂ standardized by the batch's own μ and σ² per feature.

    X (n, m) with γ, β (n, 1); or images X (C, H, W, m) with γ, β (C, 1, 1, 1), per channel.
    Returns (Y, cache); the batch's μ and σ² are cache[1][3] and cache[1][4].
    """
    X = _array("X", X, 2)
    shape = (X.shape[0],) + (1,) * (X.ndim - 1)
    _param("gamma", gamma, shape), _param("beta", beta, shape)
    Xhat, standardize_cache = standardize_forward(X, batch_axes(X), eps)
    return gamma * Xhat + beta, (gamma, standardize_cache)


def _affine_backward(dY, gamma, Xhat, axes):
    """dγ = (1/m) Σ dY ⊙ x̂ and dβ = (1/m) Σ dY over `axes` (m: the examples, last axis), and dx̂ = γ dY."""
    m = dY.shape[-1]
    dgamma = np.sum(dY * Xhat, axis=axes, keepdims=True) / m
    dbeta = dY.sum(axis=axes, keepdims=True) / m
    return gamma * dY, dgamma, dbeta


def batchnorm_backward(dY, cache):
    """(dX, dγ, dβ) for batchnorm_forward, dX by the compact formula."""
    gamma, standardize_cache = cache
    _upstream("dY", dY, standardize_cache[0].shape)
    dXhat, dgamma, dbeta = _affine_backward(dY, gamma, standardize_cache[0], standardize_cache[2])
    return standardize_backward(dXhat, standardize_cache), dgamma, dbeta


def batchnorm_backward_graph(dY, cache):
    """(dX, dγ, dβ) for batchnorm_forward, dX node by node on the graph (equal to batchnorm_backward)."""
    gamma, standardize_cache = cache
    _upstream("dY", dY, standardize_cache[0].shape)
    dXhat, dgamma, dbeta = _affine_backward(dY, gamma, standardize_cache[0], standardize_cache[2])
    return standardize_backward_graph(dXhat, standardize_cache), dgamma, dbeta


def batchnorm_inference(X, gamma, beta, running_mean, running_var, eps=1e-5):
    """Inference mode: the same affine map for every example, with the running μ and σ².

    Returns (Y, cache). Each example's output depends on that example alone.
    """
    X = _array("X", X, 2)
    shape = (X.shape[0],) + (1,) * (X.ndim - 1)
    for name, p in (("gamma", gamma), ("beta", beta), ("running_mean", running_mean), ("running_var", running_var)):
        _param(name, p, shape)
    if not np.all(running_var >= 0):  # one number per feature: cheap to check
        raise ValueError(f"running_var must be >= 0 (a variance), got {running_var.ravel()[:5].tolist()}")
    _check_eps(eps, zero_ok=True)
    if eps == 0 and np.any(np.asarray(running_var) == 0):
        raise ValueError("eps=0 with a running_var of 0: x̂ would divide by 0; pass eps > 0")
    inv_std = 1.0 / np.sqrt(running_var + eps)
    Xhat = (X - running_mean) * inv_std
    return gamma * Xhat + beta, (gamma, Xhat, inv_std)


def batchnorm_inference_backward(dY, cache):
    """(dX, dγ, dβ) for batchnorm_inference: μ and σ² are constants here, so dX = γ dY / √(σ² + ε)."""
    gamma, Xhat, inv_std = cache
    _upstream("dY", dY, Xhat.shape)
    dXhat, dgamma, dbeta = _affine_backward(dY, gamma, Xhat, batch_axes(dY))
    return dXhat * inv_std, dgamma, dbeta


def layer_axes(X):
    """The axes layer norm averages over: every axis but the last (the examples)."""
    return tuple(range(np.ndim(X) - 1))


def layernorm_forward(X, gamma, beta, eps=1e-5):
    """Y = γ x̂ + β with x̂ standardized per example (column), over its features.

    X (n, m) with γ, β (n, 1) (or X (C, H, W, m) with γ, β (C, H, W, 1)). Returns (Y, cache).
    """
    X = _array("X", X, 2)
    _param("gamma", gamma, X.shape[:-1] + (1,)), _param("beta", beta, X.shape[:-1] + (1,))
    ### BEGIN SOLUTION
    Xhat, standardize_cache = standardize_forward(X, layer_axes(X), eps)
    return gamma * Xhat + beta, (gamma, standardize_cache)
    ### END SOLUTION


def layernorm_backward(dY, cache):
    """(dX, dγ, dβ) for layernorm_forward; dγ and dβ are means over the m examples."""
    ### BEGIN SOLUTION
    gamma, standardize_cache = cache
    Xhat = standardize_cache[0]
    _upstream("dY", dY, Xhat.shape)
    m = dY.shape[-1]
    dgamma = np.sum(dY * Xhat, axis=-1, keepdims=True) / m  # γ is per feature: sum over the examples
    dbeta = dY.sum(axis=-1, keepdims=True) / m
    return standardize_backward(gamma * dY, standardize_cache), dgamma, dbeta
    ### END SOLUTION


def _feature_shape(name, n):
    """n (an int, or a shape such as (C, H, W), or a JSON list of one) as a tuple of positive ints."""
    shape = (n,) if is_integer(n) else tuple(n) if isinstance(n, (list, tuple)) else None
    if not shape or not all(is_integer(s) and s >= 1 for s in shape):
        raise ValueError(f"{name} must be a positive integer n (inputs (n, m)) or a shape such as "
                         f"(C, H, W), got {n!r}")
    return tuple(int(s) for s in shape)


def _check_eps(eps, zero_ok=False):
    """A layer's eps must be > 0; the functions take 0 too (the exact formula, as the tests compare)."""
    if not is_number(eps) or not (eps >= 0 if zero_ok else eps > 0) or not eps < np.inf:
        raise ValueError(f"eps must be a {'non-negative' if zero_ok else 'positive'} number (finite), got {eps!r}")
    return float(eps)


class _Normalization:
    """What BatchNorm and LayerNorm share: γ, β, an activation after them, shape checks."""

    def __init__(self, n, eps, activation, dtype, param_shape):
        self.shape = _feature_shape("n", n)
        self.eps = _check_eps(eps)
        get_activation(activation)  # fail now on an unknown name
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise TypeError(f"dtype must be np.float32 or np.float64, got {np.dtype(dtype)}")
        self.activation = activation
        self.n_in = self.n_out = self.shape[0] if len(self.shape) == 1 else self.shape
        self.params = {"gamma": np.ones(param_shape, dtype), "beta": np.zeros(param_shape, dtype)}

    def _check_input(self, A_prev):
        A_prev = as_float_array("A_prev", A_prev)
        if A_prev.shape[:-1] != self.shape or A_prev.ndim != len(self.shape) + 1:
            raise ValueError(f"A_prev must have shape {self.shape + ('m',)} for {self!r}, got {A_prev.shape}")
        return A_prev

    def _config(self):
        n = self.shape[0] if len(self.shape) == 1 else list(self.shape)
        return {"n": n, "eps": self.eps, "activation": self.activation}


class BatchNorm(_Normalization):
    """Batch normalization, then an activation: A = g(γ x̂ + β) (g = identity by default).

    n: features (inputs (n, m)) or an image shape (C, H, W) (inputs (C, H, W, m), statistics
    per channel). Training mode standardizes with the batch's μ and σ² and updates
    state["running_mean"], state["running_var"] ← momentum · old + (1 - momentum) · batch;
    inference uses those running averages, so an example's output depends on it alone.
    """

    def __init__(self, n, momentum=0.9, eps=1e-5, activation="identity", dtype=np.float64):
        shape = _feature_shape("n", n)
        param_shape = (shape[0],) + (1,) * len(shape)  # (n, 1) or (C, 1, 1, 1)
        super().__init__(n, eps, activation, dtype, param_shape)
        if not is_number(momentum) or not 0 <= momentum < 1:
            raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.state = {"running_mean": np.zeros(param_shape, dtype), "running_var": np.ones(param_shape, dtype)}

    def forward(self, A_prev, training=False):
        A_prev = self._check_input(A_prev)
        gamma, beta = self.params["gamma"], self.params["beta"]
        if training:
            if A_prev.size // self.shape[0] < 2:
                raise ValueError(f"A_prev has m = {A_prev.shape[-1]} example(s): batch norm in training mode needs "
                                 f"at least 2 values per feature (the variance of one value is 0, every x̂ would "
                                 f"be 0); train with batches of 2 or more, or call forward with training=False")
            Z, cache = batchnorm_forward(A_prev, gamma, beta, self.eps)
            mu, var = cache[1][3], cache[1][4]
            for key, batch_value in (("running_mean", mu), ("running_var", var)):
                running = self.state[key]
                running *= self.momentum
                running += (1.0 - self.momentum) * batch_value
        else:
            Z, cache = batchnorm_inference(A_prev, gamma, beta, self.state["running_mean"],
                                           self.state["running_var"], self.eps)
        A, activation_cache = activation_forward(Z, self.activation)
        return A, (training, cache, activation_cache)

    def backward(self, dA, cache):
        training, bn_cache, activation_cache = cache
        dZ = activation_backward(dA, activation_cache)
        backward = batchnorm_backward if training else batchnorm_inference_backward
        dA_prev, dgamma, dbeta = backward(dZ, bn_cache)
        return dA_prev, {"gamma": dgamma, "beta": dbeta}

    def config(self):
        return dict(self._config(), momentum=self.momentum)

    def __repr__(self):
        return f"BatchNorm({self.n_in}, {self.activation})"


class LayerNorm(_Normalization):
    """Layer normalization, then an activation: A = g(γ x̂ + β), x̂ standardized per example.

    n: features (inputs (n, m)) or a shape (C, H, W); γ and β have one entry per feature,
    shape (n, 1) (or (C, H, W, 1)). The same computation in training and inference.
    """

    def __init__(self, n, eps=1e-5, activation="identity", dtype=np.float64):
        shape = _feature_shape("n", n)
        if int(np.prod(shape)) < 2:
            raise ValueError(f"n must give at least 2 features per example for layer norm, got {n!r}")
        super().__init__(n, eps, activation, dtype, shape + (1,))

    def forward(self, A_prev, training=False):
        A_prev = self._check_input(A_prev)
        Z, cache = layernorm_forward(A_prev, self.params["gamma"], self.params["beta"], self.eps)
        A, activation_cache = activation_forward(Z, self.activation)
        return A, (cache, activation_cache)

    def backward(self, dA, cache):
        ln_cache, activation_cache = cache
        dA_prev, dgamma, dbeta = layernorm_backward(activation_backward(dA, activation_cache), ln_cache)
        return dA_prev, {"gamma": dgamma, "beta": dbeta}

    def config(self):
        return self._config()

    def __repr__(self):
        return f"LayerNorm({self.n_in}, {self.activation})"
