"""A feed-forward network as a stack of layers plus an output (notebook 04).

forward runs the layers left to right keeping each cache; backward runs them
right to left, starting from the output's dZ[L] = A[L] - Y. Parameters are
exposed as one dict "W1", "b1", ..., "WL", "bL" (l counts the layers that have
parameters) whose arrays are the layers' own, so an update in place trains the model.
"""
import numpy as np

from .activations import sigmoid
from .checks import as_float_array, check_shape, is_integer, is_number
from .layers import Dense
from .losses import sigmoid_cross_entropy

__all__ = ["SigmoidCrossEntropy", "Model", "mlp", "train"]


class SigmoidCrossEntropy:
    """Binary output: ŷ = σ(Z[L]) with cost binary cross-entropy, for Z[L] of shape (1, m).

    An output object turns the last layer's Z into a cost and dZ, probabilities
    and labels; softmax (notebook 06) is another one with the same three methods.
    """

    name = "sigmoid_cross_entropy"

    def loss(self, Z, Y):
        """(cost, dZ) with dZ = σ(Z) - Y, for Y (1, m) of 0/1 labels."""
        if np.ndim(Y) != 2:
            raise ValueError(f"Y must have shape (1, m), one 0/1 label per column, got shape {np.shape(Y)}; "
                             f"for labels y of shape (m,) pass y.reshape(1, -1)")
        return sigmoid_cross_entropy(Z, Y)

    def probabilities(self, Z):
        """P(y = 1 | x) for each example, shape (1, m)."""
        return sigmoid(_binary_logits(Z))

    def predict(self, Z):
        """Labels (m,) in {0, 1}: σ(z) > 0.5 exactly when z > 0."""
        return (_binary_logits(Z)[0] > 0).astype(np.int64)


def _binary_logits(Z):
    """Z[L] as a float array of shape (1, m): a binary output has one logit per example, and
    reading row 0 of a wider Z would quietly ignore the other rows."""
    Z = as_float_array("Z", Z, ndim=2)
    check_shape("Z", Z, (1, None))
    return Z


class Model:
    """layers: a list of layer objects (see nnlib.layers); output: e.g. SigmoidCrossEntropy().

    A layer has `params` (a dict of the arrays the optimizers train), `n_in` and `n_out`
    (the shape of one example going in and coming out, without the example axis: an int n
    for (n, m) activations, a tuple such as (C, H, W) for (C, H, W, m) images, or None for a
    layer that keeps its input's shape), forward(A_prev, training) -> (A, cache),
    backward(dA, cache) -> (dA_prev, grads) and config(). It may also have `state`: a dict of
    arrays that are not trained (batch normalization's running averages, notebook 11), which
    no optimizer sees and io.py saves and restores.
    """

    def __init__(self, layers, output):
        if not isinstance(layers, (list, tuple)) or len(layers) == 0:
            raise ValueError(f"layers must be a non-empty list of layer objects, got {layers!r}")
        layers = list(layers)
        for i, layer in enumerate(layers):
            missing = [a for a in ("params", "n_in", "n_out", "forward", "backward") if not hasattr(layer, a)]
            if missing:
                raise TypeError(f"layers[{i}] ({type(layer).__name__}) is not a layer: it has no {missing}")
        missing = [a for a in ("loss", "probabilities", "predict") if not hasattr(output, a)]
        if missing:
            raise TypeError(f"output must be an output object such as SigmoidCrossEntropy(); "
                            f"{type(output).__name__} has no {missing}")
        width = None  # the shape of one example that the next layer receives (None: not known yet)
        for i, layer in enumerate(layers):
            if layer.n_in is not None:
                if width is not None and _shape(layer.n_in) != _shape(width):
                    raise ValueError(f"layer sizes do not match: layers[{i}] ({layer!r}) expects {layer.n_in} "
                                     f"inputs but the layer before it gives {width}")
            if layer.n_out is not None:
                width = layer.n_out
        if all(layer.n_in is None for layer in layers):
            raise ValueError("layers must include at least one layer with a fixed input size n_in (e.g. Dense)")
        if isinstance(output, SigmoidCrossEntropy) and width is not None and _shape(width) != (1,):
            raise ValueError(f"output SigmoidCrossEntropy needs a last layer of 1 unit (one logit per example), "
                             f"but the last layer gives {width}; use SoftmaxCrossEntropy for several classes")
        self.layers, self.output = layers, output
        self.n_x = next(layer.n_in for layer in layers if layer.n_in is not None)
        self.input_shape = _shape(self.n_x)  # one example: (n_x,) for vectors, (C, H, W) for images

    @property
    def params(self):
        """dict "W1", "b1", ... -> the layers' own arrays (not copies)."""
        return _numbered(self.layers, [layer.params for layer in self.layers])

    def forward(self, X, training=False):
        """X (n_x, m), or (*input_shape, m) -> (Z[L] of the last layer, list of caches)."""
        X = as_float_array("X", X, ndim=len(self.input_shape) + 1)
        if X.shape[-1] == 0:
            raise ValueError(f"X must hold at least one example (m >= 1 on its last axis), got shape {X.shape}")
        if len(self.input_shape) == 1 and X.shape[0] != self.n_x:
            raise ValueError(f"X has {X.shape[0]} rows but the network expects n_x = {self.n_x}: "
                             f"X must be (n_x, m), one example per column (transposed?)")
        if X.shape[:-1] != self.input_shape:
            raise ValueError(f"X has shape {X.shape} but the network expects {self.input_shape + ('m',)}: "
                             f"one example per index of the last axis")
        A, caches = X, []
        for layer in self.layers:
            A, cache = layer.forward(A, training)
            caches.append(cache)
        return A, caches

    def backward(self, dZ, caches):
        """dZ[L] (from the output's loss) -> grads dict keyed like self.params."""
        grads_per_layer = []
        dA = dZ
        for l in reversed(range(len(self.layers))):
            layer, cache = self.layers[l], caches[l]
            if l == 0 and isinstance(layer, Dense):
                # dA[0] = W1ᵀ dZ1 would be the gradient with respect to the data X: nobody needs it
                dA, grads = layer.backward(dA, cache, need_dA_prev=False)
            else:
                dA, grads = layer.backward(dA, cache)
            grads_per_layer.append(grads)
        return _numbered(self.layers, grads_per_layer[::-1])

    def loss_and_grads(self, X, Y):
        """One training pass: (cost, grads) for inputs X (n_x, m) and targets Y (one column per example)."""
        _check_examples(X, Y)
        Z, caches = self.forward(X, training=True)
        cost, dZ = self.output.loss(Z, Y)
        return cost, self.backward(dZ, caches)

    def cost(self, X, Y, training=False):
        """The cost alone; training=True runs the layers as in training (dropout on)."""
        _check_examples(X, Y)
        Z, _ = self.forward(X, training)
        return self.output.loss(Z, Y)[0]

    def predict_proba(self, X):
        """The output's probabilities for X (n_x, m)."""
        return self.output.probabilities(self.forward(X)[0])

    def predict(self, X):
        """Integer labels (m,) for X (n_x, m)."""
        return self.output.predict(self.forward(X)[0])

    def __repr__(self):
        return f"Model({self.layers}, output={self.output.name})"


def _shape(size):
    """A layer's n_in or n_out as a shape tuple: 5 -> (5,); (1, 28, 28) stays as it is."""
    return (int(size),) if is_integer(size) else tuple(int(s) for s in size)


def _numbered(layers, per_layer):
    """Merge one dict per layer into one dict keyed "W1", "b1", "W2", ...: l counts only the
    layers that have parameters, so a Dropout between two Dense layers takes no number."""
    named, l = {}, 0
    for layer, entries in zip(layers, per_layer):
        if layer.params:
            l += 1
            named.update({f"{key}{l}": value for key, value in entries.items()})
    return named


def _check_examples(X, Y):
    """X (..., m) and Y (..., m) must hold the same number m of examples (last axis)."""
    X_shape, Y_shape = np.shape(X), np.shape(Y)
    if len(X_shape) >= 2 and len(Y_shape) >= 1 and Y_shape[-1] != X_shape[-1]:
        raise ValueError(f"Y must have one column per example: X has m = {X_shape[-1]} columns, "
                         f"Y has shape {Y_shape}")


def mlp(layer_sizes, hidden_activation="relu", output=None, init="he", rng=None, dtype=np.float64):
    """A multilayer perceptron: layer_sizes = [n_x, n[1], ..., n[L]].

    Hidden layers use `hidden_activation`; the last layer is linear and the
    output object (default SigmoidCrossEntropy) applies σ or softmax in its loss.
    """
    # a list, a tuple or a 1-D array such as np.array([5, 3, 1]) (its entries are NumPy integers)
    sizes = list(layer_sizes) if isinstance(layer_sizes, (list, tuple, range, np.ndarray)) else []
    if len(sizes) < 2 or any(not is_integer(n) or n < 1 for n in sizes):
        raise ValueError(f"layer_sizes must be at least two positive integers [n_x, ..., n_L], got {layer_sizes}")
    activations = [hidden_activation] * (len(sizes) - 2) + ["identity"]
    layers = [Dense(n_in, n_out, activation, init, rng, dtype)
              for n_in, n_out, activation in zip(sizes[:-1], sizes[1:], activations)]
    return Model(layers, output if output is not None else SigmoidCrossEntropy())


def train(model, X, Y, learning_rate, num_iterations, print_every=0):
    """Full-batch gradient descent: θ <- θ - α ∂J/∂θ for every parameter, in place.

    Returns the list of costs, one per iteration. print_every > 0 prints the cost
    every that many iterations.
    """
    if not is_number(learning_rate) or not learning_rate > 0 or not np.isfinite(learning_rate):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    for name, n in (("num_iterations", num_iterations), ("print_every", print_every)):
        if not is_integer(n) or n < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {n!r}")
    costs = []
    params = model.params
    for i in range(num_iterations):
        try:
            cost, grads = model.loss_and_grads(X, Y)
        except ValueError as error:
            # after a step, the loss refusing NaN/inf logits means the weights blew up, not bad data
            if i > 0 and _diverged(model, X):
                raise FloatingPointError(f"the weights overflowed at iteration {i} ({error}): "
                                         f"lower the learning rate") from error
            raise
        if not np.isfinite(cost):
            raise FloatingPointError(f"cost became {cost} at iteration {i}: lower the learning rate")
        for name, value in params.items():
            value -= learning_rate * grads[name]
        costs.append(cost)
        if print_every and (i % print_every == 0 or i == num_iterations - 1):
            print(f"iteration {i:5d}  cost {cost:.4f}")
    if num_iterations and _diverged(model):
        raise FloatingPointError("the weights overflowed in the last iteration: lower the learning rate")
    return costs


def _diverged(model, X=None):
    """True if a parameter is NaN or infinite, or (given a batch X) the forward pass overflows.

    Called only when something already failed or once after training, so it costs nothing per step."""
    if not all(np.all(np.isfinite(p)) for p in model.params.values()):
        return True
    if X is None:
        return False
    with np.errstate(all="ignore"):
        Z, _ = model.forward(X)
    return not np.all(np.isfinite(Z))
