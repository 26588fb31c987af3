"""Element-wise activation functions g and their derivatives g' (notebook 01).

Each function maps Z of any shape to an array of the same shape and dtype.
The backward pass of an activation is dZ = dA * g'(Z).
"""
import numpy as np

__all__ = [
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative", "identity",
    "identity_derivative", "get_activation"
]


def sigmoid(Z):
    """σ(z) = 1 / (1 + e^(-z)), finite and warning-free for any z.

    e^(-z) overflows for z < -709, so we only ever exponentiate -|z| <= 0:
    for z >= 0, σ(z) = 1 / (1 + e^(-z)); for z < 0, σ(z) = e^(z) / (1 + e^(z)).
    """
    ### BEGIN SOLUTION
    Z = np.asarray(Z)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(Z, np.float32))
    ### END SOLUTION


def sigmoid_derivative(Z):
    """σ'(z) = σ(z) (1 - σ(z))."""
    s = sigmoid(Z)
    return s * (1.0 - s)


def tanh(Z):
    """tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z)), in (-1, 1)."""
    return np.tanh(Z)


def tanh_derivative(Z):
    """tanh'(z) = 1 - tanh(z)^2."""
    t = np.tanh(Z)
    return 1.0 - t * t


def relu(Z):
    """ReLU(z) = max(0, z)."""
    return np.maximum(Z, 0)


def relu_derivative(Z):
    """ReLU'(z) = 1 for z > 0, else 0 (we take 0 at the kink z = 0)."""
    return (np.asarray(Z) > 0).astype(np.result_type(Z, np.float32))


def identity(Z):
    """g(z) = z: the output layer's 'activation' when the loss applies its own (sigmoid, softmax)."""
    return np.asarray(Z)


def identity_derivative(Z):
    """g'(z) = 1."""
    return np.ones_like(Z, dtype=np.result_type(Z, np.float32))


# name -> (g, g'). Layers refer to activations by name so a model can be saved to a file.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "identity": (identity, identity_derivative),
}


def get_activation(name):
    """Return (g, g') for an activation name such as "relu"."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
