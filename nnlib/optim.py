"""Optimizers: SGD, momentum, RMSprop, Adam and AdamW (notebook 07).

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

import numpy as np

from .checks import is_number

__all__ = ["Optimizer", "SGD", "Momentum", "RMSprop", "Adam", "is_weight", "AdamW"]


def _positive(name, value):
    # finite too: a learning rate of inf turns every update into NaN, an epsilon of inf every update into 0
    if not is_number(value) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number (and finite), got {value!r}")
    return float(value)


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
