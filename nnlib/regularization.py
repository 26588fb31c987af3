"""Regularization: L2 weight penalty, inverted dropout and early stopping (notebook 08).

L2 adds (λ / 2m) Σ_l ||W[l]||²_F to the cost and so (λ / m) W[l] to each dW[l]
(biases are not penalized). Inverted dropout keeps each activation with probability
keep_prob and divides the survivors by keep_prob, so E[output] = input and nothing
changes at inference. EarlyStopping watches the validation cost during fit and
puts back the weights of the best epoch.
"""
import numpy as np

from .checks import as_float_array, is_integer, is_number

__all__ = [
    "l2_cost", "l2_grads", "with_l2", "dropout_forward", "dropout_backward", "Dropout", "EarlyStopping"
]


def _weights(params):
    """The weight matrices of a params dict: the names starting with "W" (not the biases b)."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict name -> array such as model.params, got {type(params).__name__}")
    return {name: p for name, p in params.items() if name.startswith("W")}


def _check_l2(lambd, m):
    if not is_number(lambd) or not 0 <= lambd < np.inf:
        raise ValueError(f"lambd must be a number >= 0 (and finite), got {lambd!r}")
    if not is_integer(m) or m < 1:
        raise ValueError(f"m must be a positive integer (the number of examples), got {m!r}")


def l2_cost(params, lambd, m):
    """(λ / 2m) Σ_l ||W[l]||²_F, the sum of every squared weight (biases excluded)."""
    _check_l2(lambd, m)
    return float(lambd / (2 * m) * sum(np.sum(W * W) for W in _weights(params).values()))


def l2_grads(params, lambd, m):
    """∂/∂W[l] of l2_cost: (λ / m) W[l]; a dict with the weight names only."""
    _check_l2(lambd, m)
    ### BEGIN SOLUTION
    return {name: (lambd / m) * W for name, W in _weights(params).items()}
    ### END SOLUTION


def with_l2(model, lambd, m=None):
    """A loss_and_grads(X, Y) -> (cost + l2_cost, grads + l2_grads) for fit (nnlib.training.fit).

    m: the divisor of the penalty. None uses the batch's number of examples: on the full
    batch that is exactly the course's J = (1/m) Σ L + (λ/2m) Σ ||W||². With mini-batches
    pass m = the training set's size, so that every batch gradient estimates the gradient
    of that same J (with m=None a batch of b examples would weigh the penalty m/b times more).
    """
    _check_l2(lambd, 1 if m is None else m)

    def loss_and_grads(X, Y):
        cost, grads = model.loss_and_grads(X, Y)
        n = X.shape[1] if m is None else m
        params = model.params
        grads = dict(grads)
        for name, W in _weights(params).items():
            with np.errstate(over="ignore"):  # reported below, with the argument to blame
                grads[name] = grads[name] + (lambd / n) * W
            if not np.all(np.isfinite(grads[name])):  # one O(size of W) pass, small beside the layer's matmuls
                raise ValueError(f"lambd={lambd!r} is too large: the L2 gradient (lambd / m) {name} overflows "
                                 f"{W.dtype} (or the model's gradient {name} is not finite)")
        with np.errstate(over="ignore"):
            total = cost + l2_cost(params, lambd, n)
        if not np.isfinite(total):
            raise ValueError(f"lambd={lambd!r} is too large: the L2 penalty overflows (cost {total})")
        return total, grads

    return loss_and_grads


def _check_keep_prob(keep_prob):
    if not is_number(keep_prob) or not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob!r}")
    return float(keep_prob)


def dropout_forward(A, keep_prob, rng=None, mask=None):
    """Inverted dropout: A_out = A * D / keep_prob with D[i, j] = 1 with probability keep_prob, else 0.

    mask: a fixed 0/1 (or boolean) array of A's shape to use instead of a random one
    (for gradient checks); otherwise D is drawn from rng. Returns (A_out, cache) where
    the cache is the scaled mask D / keep_prob.
    """
    keep_prob = _check_keep_prob(keep_prob)
    A = as_float_array("A", A)
    with np.errstate(over="ignore"):
        if not np.isfinite(A.dtype.type(1.0 / keep_prob)):
            raise ValueError(f"keep_prob={keep_prob!r} is too small for {A.dtype}: 1/keep_prob overflows it")
    if mask is None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a np.random.Generator (or pass a fixed mask)")
        mask = rng.random(A.shape) < keep_prob
    else:
        mask = np.asarray(mask)
        if mask.shape != A.shape:
            raise ValueError(f"mask must have the shape of A {A.shape}, got {mask.shape}")
        if not np.all((mask == 0) | (mask == 1)):
            raise ValueError("mask must contain only 0 and 1 (or False and True)")
    ### BEGIN SOLUTION
    scaled_mask = mask.astype(A.dtype)
    scaled_mask *= 1.0 / keep_prob
    return A * scaled_mask, scaled_mask
    ### END SOLUTION


def dropout_backward(dA, cache):
    """dA_prev = dA * D / keep_prob: the dropped units pass no gradient, the kept ones are scaled alike."""
    ### BEGIN SOLUTION
    return dA * cache
    ### END SOLUTION


class Dropout:
    """A dropout layer for Model's list of layers: inverted dropout in training, identity at inference.

    keep_prob: probability of keeping each unit. rng: the Generator that draws the masks.
    mask: a fixed mask (shape (n, m) of the activations it sees) for gradient checks.
    """

    n_in = n_out = None  # any width, unchanged

    def __init__(self, keep_prob, rng=None, mask=None):
        self.keep_prob = _check_keep_prob(keep_prob)
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a np.random.Generator or None, got {type(rng).__name__}")
        self.rng, self.mask = rng, mask
        self.params = {}

    def forward(self, A_prev, training=False):
        if not training or (self.keep_prob == 1.0 and self.mask is None):
            return A_prev, None
        return dropout_forward(A_prev, self.keep_prob, self.rng, self.mask)

    def backward(self, dA, cache):
        if cache is None:
            return dA, {}
        return dropout_backward(dA, cache), {}

    def config(self):
        return {"keep_prob": self.keep_prob}

    def __repr__(self):
        return f"Dropout(keep_prob={self.keep_prob:g})"


class EarlyStopping:
    """A callback for fit: stop when the validation cost has not improved for `patience` epochs.

    It keeps a copy of the parameters of the best epoch so far and, when training ends
    (stopped early or not), copies them back into the model's arrays in place.
    monitor: "val_cost" (lower is better, the default), "val_accuracy" (higher is better)
    or "cost". An improvement must beat the best by more than min_delta.
    Afterwards: best_epoch, best_value, stopped_epoch (None if it never stopped).
    """

    def __init__(self, model, patience, monitor="val_cost", min_delta=0.0):
        if not is_integer(patience) or patience < 1:
            raise ValueError(f"patience must be a positive integer, got {patience!r}")
        if monitor not in ("val_cost", "val_accuracy", "cost"):
            raise ValueError(f"monitor must be 'val_cost', 'val_accuracy' or 'cost', got {monitor!r}")
        if not is_number(min_delta) or not min_delta >= 0:
            raise ValueError(f"min_delta must be a number >= 0, got {min_delta!r}")
        self.model, self.patience, self.monitor, self.min_delta = model, int(patience), monitor, float(min_delta)
        self.sign = -1.0 if monitor == "val_accuracy" else 1.0  # compare sign * value: lower is better
        self.best_value, self.best_epoch, self.stopped_epoch = None, None, None
        self.best_params, self.wait = None, 0

    def __call__(self, epoch, history):
        if self.monitor not in history:
            raise ValueError(f"history has no {self.monitor!r}: pass validation=(X_val, Y_val) to fit")
        value = history[self.monitor][-1]
        if self.best_value is None or self.sign * value < self.sign * self.best_value - self.min_delta:
            self.best_value, self.best_epoch, self.wait = value, epoch, 0
            self.best_params = {name: p.copy() for name, p in self.model.params.items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self):
        """Copy the best epoch's parameters back into the model (in place)."""
        if self.best_params is not None:
            for name, p in self.model.params.items():
                p[...] = self.best_params[name]

    def on_train_end(self):
        self.restore()
