"""nnlib.activations: values, derivatives (vs finite differences), extreme inputs, dtypes."""

import numpy as np
import pytest

from nnlib.activations import (ACTIVATIONS, get_activation, identity, identity_derivative, relu, relu_derivative,
                               sigmoid, sigmoid_derivative, tanh, tanh_derivative)
from nnlib.gradcheck import relative_error

NAMES = ["sigmoid", "tanh", "relu", "identity"]


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_centred_differences(name):
    g, g_prime = get_activation(name)
    z = np.random.default_rng(0).uniform(-6, 6, size=(7, 30))
    z = np.where(np.abs(z) < 1e-3, 0.5, z)          # stay away from ReLU's kink
    h = 1e-5
    numeric = (g(z + h) - g(z - h)) / (2 * h)
    assert relative_error(g_prime(z), numeric) < 1e-7


def test_sigmoid_values():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15, atol=0)
    assert sigmoid(np.array(0.0)) == 0.5
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), atol=1e-15)
    np.testing.assert_allclose(sigmoid_derivative(z), sigmoid(z) * (1 - sigmoid(z)))
    assert sigmoid_derivative(np.array(0.0)) == 0.25


def test_tanh_relu_identity_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(tanh(z), np.tanh(z))
    np.testing.assert_allclose(tanh_derivative(z), 1 - np.tanh(z) ** 2)
    np.testing.assert_array_equal(relu(z), [0, 0, 0, 0.5, 2])
    np.testing.assert_array_equal(relu_derivative(z), [0, 0, 0, 1, 1])   # 0 at the kink
    np.testing.assert_array_equal(identity(z), z)
    np.testing.assert_array_equal(identity_derivative(z), np.ones(5))


@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_are_finite_without_warnings(name):
    g, g_prime = get_activation(name)
    z = np.array([[-1e4, -1000.0, -710.0, -40.0, 0.0, 40.0, 710.0, 1000.0, 1e4]])
    for dtype in (np.float64, np.float32):
        zz = z.astype(dtype)
        assert np.all(np.isfinite(g(zz))) and np.all(np.isfinite(g_prime(zz)))


def test_sigmoid_saturates_exactly():
    out = sigmoid(np.array([-1e4, -800.0, 800.0, 1e4]))
    np.testing.assert_array_equal(out, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(sigmoid_derivative(np.array([-1e4, 1e4])), [0.0, 0.0])
    np.testing.assert_array_equal(tanh(np.array([-1e4, 1e4])), [-1.0, 1.0])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_are_kept(name, dtype):
    g, g_prime = get_activation(name)
    z = np.linspace(-3, 3, 24).reshape(2, 3, 4).astype(dtype)
    for out in (g(z), g_prime(z)):
        assert out.dtype == dtype and out.shape == z.shape


def test_integer_input_gives_floats():
    z = np.array([-2, 0, 3])
    for name in ["sigmoid", "tanh"]:
        g, g_prime = get_activation(name)
        assert g(z).dtype == np.float64 and g_prime(z).dtype == np.float64
    assert relu_derivative(z).dtype == np.float64


def test_registry_and_lookup():
    assert set(ACTIVATIONS) == set(NAMES)
    assert get_activation("relu") == (relu, relu_derivative)
    with pytest.raises(ValueError, match=r"activation must be one of .*'sigmoid'.*got 'softplus'"):
        get_activation("softplus")
