"""Reverse-mode automatic differentiation over NumPy arrays (notebook 14).

A Tensor holds `data` (a float ndarray) and, after backward(), `grad` (same shape):
the derivative of one final scalar L with respect to it. Every operation records its
inputs (`parents`) and a function `vjp` mapping the upstream gradient G = ∂L/∂out to
one gradient per input (a vector-Jacobian product). backward() visits each node of
the graph once, outputs before inputs, so the whole gradient costs one backward pass
whatever the number of inputs. An op whose inputs were broadcast returns gradients of
the broadcast shape; backward sums them back to each input's own shape (_unbroadcast).
"""
import numpy as np

from .activations import sigmoid as _sigmoid
from .checks import as_float_array, is_number

__all__ = ["Tensor", "as_tensor", "topological_order"]


class Tensor:
    """data: an array (or number) of floats; float32 stays float32, the rest become float64."""

    def __init__(self, data):
        self.data = as_float_array("data", data)
        self.grad, self.parents, self.vjp, self.op = None, (), None, ""

    @classmethod
    def from_op(cls, data, parents, vjp, op):
        """The output of an op: data computed from `parents` (Tensors), and
        vjp(G) -> one gradient per parent, each of data's (broadcast) shape or the parent's."""
        out = cls.__new__(cls)
        out.data, out.grad, out.parents, out.vjp, out.op = np.asarray(data), None, tuple(parents), vjp, op
        return out

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op or 'leaf'!r})"

    def backward(self, grad=None):
        """Fill .grad of every Tensor this one was computed from with ∂self/∂that Tensor.

        self must hold one number, or grad (the same shape as self) gives the weights of
        self's entries. Each call overwrites the grads of the whole graph.
        """
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without grad needs a Tensor holding one number, got shape "
                                 f"{self.shape}: reduce it first (e.g. .sum()) or pass grad of that shape")
            grad = np.ones_like(self.data)
        grad = as_float_array("grad", grad)
        if grad.shape != self.shape:
            raise ValueError(f"grad must have the Tensor's shape {self.shape}, got {grad.shape}")
        order = topological_order(self)
        for node in order:
            node.grad = np.zeros_like(node.data)
        self.grad += grad
        for node in reversed(order):  # every node after all the nodes computed from it
            if node.vjp is None:
                continue
            for parent, g in zip(node.parents, node.vjp(node.grad)):
                parent.grad += _unbroadcast(g, parent.shape)

    # Arithmetic: numbers and arrays on either side become constant Tensors.
    def __add__(self, other):
        other = as_tensor(other)
        return Tensor.from_op(self.data + other.data, (self, other), lambda G: (G, G), "+")

    def __mul__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data
        return Tensor.from_op(a * b, (self, other), lambda G: (G * b, G * a), "*")

    def __neg__(self):
        return Tensor.from_op(-self.data, (self,), lambda G: (-G,), "neg")

    def __sub__(self, other):
        return self + (-as_tensor(other))

    def __truediv__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data
        return Tensor.from_op(a / b, (self, other), lambda G: (G / b, -G * a / b**2), "/")

    def __pow__(self, k):
        if not is_number(k):
            raise TypeError(f"the exponent must be a number, got {type(k).__name__}")
        a = self.data
        return Tensor.from_op(a**k, (self,), lambda G: (G * k * a ** (k - 1),), f"**{k}")

    __radd__, __rmul__ = __add__, __mul__

    def __rsub__(self, other):
        return as_tensor(other) - self

    def __rtruediv__(self, other):
        return as_tensor(other) / self

    def __matmul__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul needs (n, k) @ (k, m) matrices, got {a.shape} @ {b.shape}")
        return Tensor.from_op(a @ b, (self, other), lambda G: (G @ b.T, a.T @ G), "@")

    @property
    def T(self):
        return Tensor.from_op(self.data.T, (self,), lambda G: (G.T,), "T")

    # Reductions: backward spreads G back over the summed axis.
    def sum(self, axis=None, keepdims=False):
        shape = self.shape

        def vjp(G):
            if axis is not None and not keepdims:
                G = np.expand_dims(G, axis)
            return (np.broadcast_to(G, shape),)
        return Tensor.from_op(self.data.sum(axis=axis, keepdims=keepdims), (self,), vjp, "sum")

    def mean(self, axis=None, keepdims=False):
        axes = range(self.data.ndim) if axis is None else np.atleast_1d(axis)
        count = int(np.prod([self.shape[a] for a in axes]))
        return self.sum(axis, keepdims) / count

    def logsumexp(self, axis=0):
        """log Σ_k e^{x_k} along `axis` (kept, size 1), shifted by the max so nothing overflows."""
        x = self.data
        out = x.max(axis=axis, keepdims=True)
        out = out + np.log(np.exp(x - out).sum(axis=axis, keepdims=True))
        return Tensor.from_op(out, (self,), lambda G: (G * np.exp(x - out),), "logsumexp")  # G · softmax(x)

    # Element-wise functions: G times the derivative.
    def exp(self):
        out = np.exp(self.data)
        return Tensor.from_op(out, (self,), lambda G: (G * out,), "exp")

    def log(self):
        a = self.data
        if not (a > 0).all():
            raise ValueError("log needs positive entries; compute log-probabilities with logsumexp instead")
        return Tensor.from_op(np.log(a), (self,), lambda G: (G / a,), "log")

    def relu(self):
        a = self.data
        return Tensor.from_op(np.maximum(a, 0), (self,), lambda G: (G * (a > 0),), "relu")

    def tanh(self):
        out = np.tanh(self.data)
        return Tensor.from_op(out, (self,), lambda G: (G * (1 - out**2),), "tanh")

    def sigmoid(self):
        out = _sigmoid(self.data)
        return Tensor.from_op(out, (self,), lambda G: (G * out * (1 - out),), "sigmoid")


def as_tensor(x):
    """x itself if it is a Tensor, else a constant Tensor holding x."""
    return x if isinstance(x, Tensor) else Tensor(x)


def topological_order(root):
    """Every Tensor root depends on, each after its parents (inputs first), root last.

    A loop with an explicit stack, not recursion: a graph thousands of ops deep
    (a long training step, a recurrent network) would exceed Python's recursion limit.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"root must be a Tensor (the output of a computation), got {type(root).__name__}")
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
    return order


def _unbroadcast(G, shape):
    """Sum G (an op's broadcast shape) back down to `shape`: an input used many times over
    a broadcast axis receives the sum of the gradients of all its uses."""
    G = np.asarray(G)
    while G.ndim > len(shape):
        G = G.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and G.shape[axis] != 1:
            G = G.sum(axis=axis, keepdims=True)
    return G
