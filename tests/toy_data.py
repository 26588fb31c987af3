"""Small seeded problems shared by the unit tests of the modules that the splits of notebooks 07 and 09
made (training, lr_range; diagnostics, monitoring, diagnostic_plots)."""
import numpy as np

from nnlib.model import mlp
from nnlib.preprocessing import one_hot
from nnlib.softmax import SoftmaxCrossEntropy


def binary(m=40, n_x=5, seed=0):
    """X (n_x, m) standard normal and Y (1, m): 1 where x0 + x1/2 > 0."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (X[0:1] + 0.5 * X[1:2] > 0).astype(np.float64)
    return X, Y


def three_classes(seed=0, m=120):
    """X (4, m), one-hot Y (3, m) and the labels (m,) of a learnable three-class problem."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, m))
    y = (X[0] + X[1] > 0).astype(int) + (X[2] > 0.5)
    return X, one_hot(y, 3), y


def three_class_model(seed=1):
    """A 4-8-3 softmax MLP for `three_classes`."""
    return mlp([4, 8, 3], output=SoftmaxCrossEntropy(), rng=np.random.default_rng(seed))
