"""The training loop: epochs of shuffled mini-batches, with validation, a schedule and a callback (notebook 07).

fit(model, X, Y, optimizer, epochs, batch_size, rng) trains a model in place, one
optimizer.step per mini-batch (nnlib.batches.minibatches), and returns a history of
lists, one entry per epoch. X is (n_x, m) (or (..., m) for images and sequences: the
examples on the last axis); Y is (1, m) binary targets, (C, m) one-hot or (m,) labels.
"""
import math
import time

import numpy as np

from .batches import minibatches
from .checks import as_float_array, is_integer, is_number
from .model import _diverged

__all__ = ["labels_of", "fit"]


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
