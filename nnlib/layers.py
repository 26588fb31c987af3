"""Forward/backward pairs for a fully connected layer (notebook 04).

In the style of CS231n: every forward returns its output and a cache, and the
matching backward takes the upstream gradient and that cache. Shapes:
A_prev (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1), Z and A (n[l], m).

A layer object (Dense here; Dropout and others later) is anything with
  params            dict name -> array (empty if the layer has none)
  n_in, n_out       the sizes it expects and returns (None: any, unchanged)
  forward(A_prev, training) -> (A, cache)
  backward(dA, cache)       -> (dA_prev, grads)  with grads keyed like params
                    (Dense also takes need_dA_prev=False, used for the model's first layer)
  config()          the constructor arguments, so a model can be saved
"""
import numpy as np

from .activations import get_activation
from .initializers import initialize_weights

__all__ = [
    "linear_forward", "linear_backward", "activation_forward", "activation_backward", "dense_forward",
    "dense_backward", "Dense"
]


def linear_forward(A_prev, W, b):
    """Z = W A_prev + b, with b broadcast over the m columns. Returns (Z, cache).

    float16 input is computed in float32: float16 overflows at 65504, so a sum of a few
    moderate products (or a bias near that bound) would become inf.
    """
    if np.float16 in (np.asarray(A_prev).dtype, np.asarray(W).dtype):  # the cache keeps the float32 copies for backward
        A_prev, W = A_prev.astype(np.float32), W.astype(np.float32)
    Z = W @ A_prev
    Z += b  # in place: one (n[l], m) array per layer, not two
    return Z, (A_prev, W)


def linear_backward(dZ, cache, need_dA_prev=True):
    """Given dZ (n[l], m), return dA_prev = W^T dZ, dW = (1/m) dZ A_prev^T, db = (1/m) Σ_i dZ[:, i].

    need_dA_prev=False skips W^T dZ and returns None for it: the first layer's A_prev is
    the data X, whose gradient nobody uses, and that product is a quarter of a training
    step's arithmetic on MNIST-sized inputs.
    """
    A_prev, W = cache
    m = A_prev.shape[1]
    if m == 0:
        raise ValueError(f"A_prev must hold at least one example (m >= 1 columns), got shape {A_prev.shape}")
    ### BEGIN SOLUTION
    dW = dZ @ A_prev.T
    dW /= m  # in place, like Z += b above: no temporary array the size of W
    db = dZ.sum(axis=1, keepdims=True)
    db /= m
    dA_prev = W.T @ dZ if need_dA_prev else None
    return dA_prev, dW, db
    ### END SOLUTION


def activation_forward(Z, activation):
    """A = g(Z) for a named activation. Returns (A, cache)."""
    g, _ = get_activation(activation)
    return g(Z), (Z, activation)


def activation_backward(dA, cache):
    """dZ = dA * g'(Z), element by element."""
    Z, activation = cache
    if activation == "identity":  # g'(Z) = 1: skip a multiplication by ones
        return dA
    if activation == "relu":  # g'(Z) is 1 where Z > 0, else 0: multiply by that mask directly
        return dA * (Z > 0)
    _, g_prime = get_activation(activation)
    return dA * g_prime(Z)


def dense_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b). Returns (A, cache)."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = activation_forward(Z, activation)
    return A, (linear_cache, activation_cache)


def dense_backward(dA, cache, need_dA_prev=True):
    """Backward of dense_forward: returns (dA_prev, dW, db) (dA_prev None if not needed)."""
    linear_cache, activation_cache = cache
    dZ = activation_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache, need_dA_prev)


class Dense:
    """A fully connected layer A = g(W A_prev + b) holding its parameters W (n_out, n_in) and b (n_out, 1).

    n_in, n_out: sizes n[l-1] and n[l]. activation: a name from nnlib.activations
    ("relu", "tanh", "sigmoid", "identity"). init: a name from nnlib.initializers.
    rng: the np.random.Generator that draws W. training is accepted by forward
    for the layer protocol and ignored: a dense layer is the same in training and inference.
    """

    def __init__(self, n_in, n_out, activation="relu", init="he", rng=None, dtype=np.float64):
        get_activation(activation)  # fail now on an unknown name, not at the first forward
        W = initialize_weights(n_out, n_in, init, rng, dtype)  # also checks n_out, n_in, init and rng
        self.n_in, self.n_out, self.activation, self.init = int(n_in), int(n_out), activation, init
        self.params = {"W": W, "b": np.zeros((self.n_out, 1), dtype=W.dtype)}

    def forward(self, A_prev, training=False):
        if np.ndim(A_prev) != 2 or np.shape(A_prev)[0] != self.n_in:
            raise ValueError(f"A_prev must have shape ({self.n_in}, m) for {self!r}, got {np.shape(A_prev)}")
        return dense_forward(A_prev, self.params["W"], self.params["b"], self.activation)

    def backward(self, dA, cache, need_dA_prev=True):
        dA_prev, dW, db = dense_backward(dA, cache, need_dA_prev)
        return dA_prev, {"W": dW, "b": db}

    def config(self):
        return {"n_in": self.n_in, "n_out": self.n_out, "activation": self.activation, "init": self.init}

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation})"
