"""Learning-rate schedules: callables epoch -> α for fit(..., schedule=...) (notebook 07).

Each function takes the epoch (0, 1, 2, ...) last, so a lambda fixes the rest:
  schedule = lambda epoch: step_decay(1.0, 0.5, 5, epoch)      # halve every 5 epochs
  inverse_time_decay  α = α0 / (1 + k · epoch)
  step_decay          α = α0 · drop^floor(epoch / every)
  cosine_decay        α = α_min + (α0 - α_min) (1 + cos(π · epoch / E)) / 2, then α_min after epoch E
  warmup_cosine       α0 (epoch + 1) / w for the first w epochs, then cosine_decay over E - w epochs
"""
import math

from .checks import is_integer, is_number
from .optim import _positive

__all__ = ["inverse_time_decay", "step_decay", "cosine_decay", "warmup_cosine"]


def _epoch(epoch):
    if not is_integer(epoch) or epoch < 0:
        raise ValueError(f"epoch must be a non-negative integer, got {epoch!r}")
    return int(epoch)


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
