"""Optimizers, learning-rate schedules, a training loop over mini-batches and a learning-rate finder (notebook 07).

An optimizer's step(params, grads) updates every array of params IN PLACE (p -= ...),
so the model, whose params dict holds its layers' own arrays, trains as it steps.
State that an optimizer keeps (velocity, squared-gradient averages) lives in
self.state[name], one array per parameter name and of the parameter's shape and dtype.

Update rules, for a parameter θ with gradient g (all element-wise):
  SGD       θ -= α g
  Momentum  v = β v + (1 - β) g;                       θ -= α v
  RMSprop   s = β s + (1 - β) g²;                      θ -= α g / (√s + ε)
  Adam      v = β1 v + (1 - β1) g;  s = β2 s + (1 - β2) g²;  t += 1
            v̂ = v / (1 - β1^t);  ŝ = s / (1 - β2^t);  θ -= α v̂ / (√ŝ + ε)
  AdamW     Adam, and before it θ -= α λ_w θ for the weights (decoupled weight decay)
(v and s are momentum's and RMSprop's averages: Adam keeps both; Kingma & Ba call them m and v.)
Momentum uses the averaging form of the deeplearning.ai course; PyTorch's SGD(momentum=β)
accumulates v = β v + g instead, which is the same method with α_torch = α (1 - β).
"""
import math
import time

import numpy as np

from .batches import minibatches
from .checks import as_float_array, is_integer, is_number
from .model import _diverged

__all__ = [
    "Optimizer", "SGD", "Momentum", "RMSprop", "Adam", "is_weight", "AdamW", "inverse_time_decay",
    "step_decay", "cosine_decay", "warmup_cosine", "labels_of", "fit", "lr_finder",
    "suggest_learning_rate",
]


def _positive(name, value):
    # finite too: a learning rate of inf turns every update into NaN, an epsilon of inf every update into 0
    if not is_number(value) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number (and finite), got {value!r}")
    return float(value)


def _epoch(epoch):
    if not is_integer(epoch) or epoch < 0:
        raise ValueError(f"epoch must be a non-negative integer, got {epoch!r}")
    return int(epoch)


def _beta(name, value):
    if not is_number(value) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


class Optimizer:
    """Base class: keeps learning_rate and per-parameter state; subclasses define _update."""

    def __init__(self, learning_rate):
        self.learning_rate = _positive("learning_rate", learning_rate)
        self.state = {}  # parameter name -> {slot name -> array shaped like the parameter}

    def step(self, params, grads):
        """Update each array params[name] in place using grads[name]."""
        for name, p in params.items():
            if name not in grads:
                raise ValueError(f"grads has no entry {name!r}; it must have the same names as params")
            if not isinstance(p, np.ndarray):
                raise TypeError(f"params[{name!r}] must be a NumPy array (it is updated in place)")
            self._update(name, p, grads[name])

    def _slots(self, name, p, *slots):
        """The state arrays `slots` of parameter `name`, created as zeros (shaped like p) on first use."""
        state = self.state.get(name)
        if state is None:
            state = self.state[name] = {slot: np.zeros_like(p) for slot in slots}
        return [state[slot] for slot in slots]

    def reset(self):
        """Forget all state (velocities, averages, step count)."""
        self.state.clear()

    def _update(self, name, p, g):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate:g})"


class SGD(Optimizer):
    """Plain (mini-batch) gradient descent: θ -= α g."""

    def _update(self, name, p, g):
        p -= self.learning_rate * g


class Momentum(Optimizer):
    """Gradient descent with momentum: v = β v + (1 - β) g, θ -= α v (v: an average of recent gradients)."""

    def __init__(self, learning_rate, beta=0.9):
        super().__init__(learning_rate)
        self.beta = _beta("beta", beta)

    def _update(self, name, p, g):
        v, = self._slots(name, p, "v")
        ### BEGIN SOLUTION
        v *= self.beta
        v += (1.0 - self.beta) * g
        p -= self.learning_rate * v
        ### END SOLUTION


class RMSprop(Optimizer):
    """RMSprop: s = β s + (1 - β) g², θ -= α g / (√s + ε): each coordinate scaled by its recent RMS gradient."""

    def __init__(self, learning_rate, beta=0.9, epsilon=1e-8):
        # β = 0.9 (Hinton's lecture value; until this version the default was 0.999): without
        # a bias correction the first step is α/√(1 - β) per weight, 3.2 α here but 31.6 α at 0.999.
        super().__init__(learning_rate)
        self.beta = _beta("beta", beta)
        self.epsilon = _positive("epsilon", epsilon)

    def _update(self, name, p, g):
        s, buf = self._slots(name, p, "s", "buffer")  # buffer: scratch space, no new arrays per step
        np.multiply(g, g, out=buf)
        buf *= 1.0 - self.beta
        s *= self.beta
        s += buf                            # s = β s + (1 - β) g²
        np.sqrt(s, out=buf)
        buf += self.epsilon                 # √s + ε
        np.divide(g, buf, out=buf)
        buf *= self.learning_rate
        p -= buf                            # θ -= α g / (√s + ε)


class Adam(Optimizer):
    """Adam: momentum (v) and RMSprop (s) together, both bias-corrected; t counts the step() calls."""

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
        super().__init__(learning_rate)
        self.beta1 = _beta("beta1", beta1)
        self.beta2 = _beta("beta2", beta2)
        self.epsilon = _positive("epsilon", epsilon)
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        # v̂ / (√ŝ + ε) = √(1 - β2^t) / (1 - β1^t) · v / (√s + ε √(1 - β2^t)) exactly, so both bias
        # corrections become two scalars per step (Kingma & Ba, 2015, end of section 2).
        # _update moves θ by self._step_size · v / (√s + self._epsilon_hat): set both for step t.
        ### BEGIN SOLUTION
        root = math.sqrt(1.0 - self.beta2 ** self.t)
        self._step_size = self.learning_rate * root / (1.0 - self.beta1 ** self.t)
        self._epsilon_hat = self.epsilon * root
        ### END SOLUTION
        super().step(params, grads)

    def reset(self):
        super().reset()
        self.t = 0

    def _update(self, name, p, g):
        v, s, buf = self._slots(name, p, "v", "s", "buffer")  # buffer: scratch space, no new arrays per step
        np.subtract(g, v, out=buf)
        buf *= 1.0 - self.beta1
        v += buf                            # v = β1 v + (1 - β1) g  (= v + (1 - β1)(g - v))
        np.multiply(g, g, out=buf)
        buf -= s
        buf *= 1.0 - self.beta2
        s += buf                            # s = β2 s + (1 - β2) g²
        np.sqrt(s, out=buf)
        buf += self._epsilon_hat
        np.divide(v, buf, out=buf)
        buf *= self._step_size
        p -= buf                            # θ -= α v̂ / (√ŝ + ε)


def is_weight(name):
    """True for the parameters that weight decay shrinks: the weight matrices "W..." (not the biases)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a parameter name such as 'W1', got {type(name).__name__}")
    return name.startswith("W")


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): θ -= α λ_w θ, then Adam's step.

    weight_decay λ_w multiplies every weight (names starting with "W"; biases are left alone,
    as nnlib's L2 leaves them) by 1 - α λ_w per step, whatever its gradient. L2 under Adam
    (adding (λ/m) W to the gradient) is not the same: that term goes through Adam's division
    by √ŝ, so weights with small gradients are pulled to 0 hard and weights with large ones
    hardly at all. PyTorch's AdamW multiplies by 1 - α λ_w as well (and decays biases too).
    """

    def __init__(self, learning_rate, weight_decay=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        super().__init__(learning_rate, beta1, beta2, epsilon)
        if not is_number(weight_decay) or not weight_decay >= 0:
            raise ValueError(f"weight_decay must be a number >= 0, got {weight_decay!r}")
        self.weight_decay = float(weight_decay)

    def _update(self, name, p, g):
        if self.weight_decay and is_weight(name):
            p *= 1.0 - self.learning_rate * self.weight_decay   # decoupled: not divided by √ŝ
        super()._update(name, p, g)

    def __repr__(self):
        return f"AdamW(learning_rate={self.learning_rate:g}, weight_decay={self.weight_decay:g})"


def inverse_time_decay(lr0, decay_rate, epoch):
    """α = α0 / (1 + decay_rate · epoch)."""
    lr0, epoch = _positive("lr0", lr0), _epoch(epoch)
    if not is_number(decay_rate) or not 0 <= decay_rate < math.inf:
        raise ValueError(f"decay_rate must be a finite number >= 0, got {decay_rate!r}")
    return lr0 / (1.0 + decay_rate * epoch)


def step_decay(lr0, drop, every, epoch):
    """α = α0 · drop^floor(epoch / every): multiply by `drop` every `every` epochs."""
    lr0, epoch = _positive("lr0", lr0), _epoch(epoch)
    if not is_number(drop) or not 0 < drop <= 1:
        raise ValueError(f"drop must be a number in (0, 1], got {drop!r}")
    if not is_integer(every) or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    return lr0 * drop ** (epoch // every)


def cosine_decay(lr0, epochs, epoch, lr_min=0.0):
    """α = lr_min + (α0 - lr_min) (1 + cos(π · epoch / epochs)) / 2: from α0 at epoch 0 down to lr_min."""
    lr0, epoch = _positive("lr0", lr0), _epoch(epoch)
    if not is_integer(epochs) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not is_number(lr_min) or not 0 <= lr_min <= lr0:
        raise ValueError(f"lr_min must be a number in [0, lr0], got {lr_min!r}")
    return lr_min + (lr0 - lr_min) * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs)) / 2.0


def warmup_cosine(lr0, warmup, epochs, epoch, lr_min=0.0):
    """Linear warmup α0 (epoch + 1) / warmup for the first `warmup` epochs, then cosine_decay
    from α0 to lr_min over the remaining epochs - warmup (epochs counts the warmup too)."""
    lr0, epoch = _positive("lr0", lr0), _epoch(epoch)
    if not is_integer(warmup) or warmup < 0:
        raise ValueError(f"warmup must be a non-negative integer, got {warmup!r}")
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return cosine_decay(lr0, max(epochs - warmup, 1), epoch - warmup, lr_min)


def labels_of(Y):
    """Integer labels (m,) from targets: (m,) labels, binary (1, m) or one-hot (C, m)."""
    Y = np.asarray(Y)
    if Y.ndim not in (1, 2) or Y.shape[-1] == 0:
        raise ValueError(f"Y must be labels (m,), binary (1, m) or one-hot (C, m) with m >= 1, got shape {Y.shape}")
    if Y.ndim == 1:
        return Y.astype(np.int64)
    if Y.shape[0] == 1:
        return Y[0].astype(np.int64)
    return np.argmax(Y, axis=0)


def fit(model, X, Y, optimizer, epochs, batch_size, rng, loss_and_grads=None, validation=None,
        schedule=None, callback=None, verbose=0):
    """Train `model` in place with mini-batches; return the history of each epoch.

    Each epoch draws a fresh shuffle from `rng` (nnlib.batches.minibatches), and for each
    batch computes (cost, grads) = loss_and_grads(X_batch, Y_batch) (default
    model.loss_and_grads; pass e.g. nnlib.regularization.with_l2(model, λ)) and calls
    optimizer.step(model.params, grads).

    schedule: callable epoch -> learning rate, applied at the start of each epoch.
    validation: (X_val, Y_val), evaluated after each epoch (dropout off).
    callback: callable (epoch, history) -> True to stop after this epoch; if it has a
      method on_train_end() (EarlyStopping does: it restores the best weights), that is
      called when training ends.
    verbose: print every `verbose` epochs (and the last); 0 prints nothing.

    Returns a dict of lists, one entry per epoch: "cost" (mean training cost over the
    epoch's batches, weighted by batch size, as returned by loss_and_grads), "lr",
    "time" (cumulative seconds spent in the training loop, validation excluded) and,
    with validation, "val_cost" (the data cost alone) and "val_accuracy".
    """
    if not is_integer(epochs) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must have a step(params, grads) method, got {optimizer!r}")
    X = as_float_array("X", X)
    if X.ndim < 2:
        raise ValueError(f"X must be (n_x, m), one example per column (or (..., m) for images), got shape {X.shape}")
    m = X.shape[-1]
    if m == 0:
        raise ValueError(f"X must hold at least one example (m >= 1 on its last axis), got shape {X.shape}")
    if loss_and_grads is None:
        loss_and_grads = model.loss_and_grads
    if validation is not None:
        X_val, Y_val = validation
        y_val = labels_of(Y_val)
    params = model.params
    history = {"cost": [], "lr": [], "time": []}
    if validation is not None:
        history.update(val_cost=[], val_accuracy=[])
    elapsed, steps = 0.0, 0
    for epoch in range(epochs):
        if schedule is not None:
            lr = schedule(epoch)
            # a negative rate would climb the cost, a NaN one would silently fill the weights with NaN
            if not is_number(lr) or not 0 < lr < math.inf:
                raise ValueError(f"schedule({epoch}) must return a positive finite learning rate, got {lr!r}")
            optimizer.learning_rate = float(lr)
        start = time.perf_counter()
        total = 0.0
        for X_batch, Y_batch in minibatches(X, Y, batch_size, rng):
            try:
                cost, grads = loss_and_grads(X_batch, Y_batch)
            except ValueError as error:
                # the loss refusing NaN/inf logits after a step: the weights blew up, not bad data
                if steps > 0 and _diverged(model, X_batch):
                    raise FloatingPointError(f"the weights overflowed in epoch {epoch} ({error}): "
                                             f"lower the learning rate") from error
                raise
            if not np.isfinite(cost):
                raise FloatingPointError(f"cost became {cost} in epoch {epoch}: lower the learning rate")
            optimizer.step(params, grads)
            steps += 1
            total += cost * X_batch.shape[-1]
        elapsed += time.perf_counter() - start
        history["cost"].append(total / m)
        history["lr"].append(optimizer.learning_rate)
        history["time"].append(elapsed)
        line = f"epoch {epoch:4d}  cost {total / m:.4f}"
        if validation is not None:
            Z_val, _ = model.forward(X_val, training=False)
            history["val_cost"].append(model.output.loss(Z_val, Y_val)[0])
            history["val_accuracy"].append(float(np.mean(model.output.predict(Z_val) == y_val)))
            line += f"  val_cost {history['val_cost'][-1]:.4f}  val_accuracy {history['val_accuracy'][-1]:.1%}"
        if verbose and (epoch % verbose == 0 or epoch == epochs - 1):
            print(line)
        if callback is not None and callback(epoch, history):
            if verbose:
                print(f"stopped by the callback after epoch {epoch}")
            break
    if callback is not None and hasattr(callback, "on_train_end"):
        callback.on_train_end()
    if _diverged(model):
        raise FloatingPointError("the weights overflowed in the last step: lower the learning rate")
    return history


def lr_finder(make_model, X, Y, optimizer=SGD, lr_min=1e-5, lr_max=10.0, num_steps=100, batch_size=32,
              rng=None, smoothing=0.9, stop_factor=4.0):
    """A learning-rate range test (L. Smith, 2015): costs of one run whose rate grows every step.

    make_model: callable () -> a fresh model (seeded, so the test is reproducible).
    optimizer: a class (or callable) learning_rate -> optimizer; its learning_rate is set before
      each mini-batch step, growing geometrically from lr_min to lr_max over num_steps steps.
    The cost of each batch (before its step) is smoothed with an exponential moving average
    (bias-corrected; smoothing=0 keeps the raw costs). The run stops early once the smoothed
    cost exceeds stop_factor times its best value, or the cost is no longer finite.

    Returns (lrs, costs), two 1-D arrays of equal length. A good learning rate lies where the
    cost falls fastest, well below the rate where it is lowest (see suggest_learning_rate).
    """
    if rng is None:
        raise ValueError("rng is required: pass np.random.default_rng(seed) so the test is reproducible")
    lr_min, lr_max = _positive("lr_min", lr_min), _positive("lr_max", lr_max)
    if not lr_max > lr_min:
        raise ValueError(f"lr_max must exceed lr_min, got lr_min={lr_min} and lr_max={lr_max}")
    if not isinstance(num_steps, (int, np.integer)) or num_steps < 2:
        raise ValueError(f"num_steps must be an integer >= 2, got {num_steps!r}")
    if not is_number(smoothing) or not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    if np.ndim(X) < 2 or np.shape(X)[-1] == 0:
        raise ValueError(f"X must be (n_x, m) with at least one example (m >= 1), got shape {np.shape(X)}")
    model = make_model()
    params = model.params
    opt = optimizer(lr_min)
    schedule = lr_min * (lr_max / lr_min) ** (np.arange(num_steps) / (num_steps - 1))
    batches = iter(())
    lrs, costs = [], []
    average, best = 0.0, np.inf
    for i, lr in enumerate(schedule):
        try:
            X_batch, Y_batch = next(batches)
        except StopIteration:
            batches = minibatches(X, Y, batch_size, rng)
            X_batch, Y_batch = next(batches)
        try:
            with np.errstate(over="raise", invalid="raise"):
                cost, grads = model.loss_and_grads(X_batch, Y_batch)
        except (FloatingPointError, ValueError):  # weights blown up: NaN/inf logits
            if i == 0:
                raise
            break
        if not np.isfinite(cost):
            break
        average = smoothing * average + (1 - smoothing) * cost
        smoothed = average / (1 - smoothing ** (i + 1))
        lrs.append(float(lr))
        costs.append(smoothed)
        if smoothed > stop_factor * best:
            break
        best = min(best, smoothed)
        opt.learning_rate = float(lr)
        opt.step(params, grads)
    return np.array(lrs), np.array(costs)


def suggest_learning_rate(lrs, costs):
    """A rule of thumb for lr_finder's output: one tenth of the rate with the lowest cost."""
    lrs, costs = as_float_array("lrs", lrs), as_float_array("costs", costs)
    if lrs.size == 0 or lrs.shape != costs.shape:
        raise ValueError("lrs and costs must be non-empty arrays of the same shape (from lr_finder)")
    if np.any(lrs <= 0):
        raise ValueError("lrs must be positive learning rates")
    return float(lrs[np.argmin(costs)] / 10)
