"""nnlib.regression (notebook 16): the squared-error output, its gradient, its errors, and io."""
import numpy as np
import pytest

from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.io import load_model, save_model
from nnlib.model import mlp
from nnlib.optim import Adam
from nnlib.regression import SquaredError, squared_error
from nnlib.training import fit

pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def test_cost_and_dZ_by_hand():
    cost, dZ = squared_error(np.array([[1.0, 2.0, 4.0]]), np.array([[1.0, 0.0, 1.0]]))
    assert cost == pytest.approx(13 / 6)
    np.testing.assert_array_equal(dZ, [[0.0, 2.0, 3.0]])


@pytest.mark.parametrize("k,m", [(1, 1), (3, 7), (2, 257)])
def test_dZ_is_m_times_the_gradient_of_the_mean_cost(k, m):
    rng = np.random.default_rng(k + m)
    Z, Y = rng.normal(size=(k, m)), rng.normal(size=(k, m))
    _, dZ = squared_error(Z, Y)
    numeric = numerical_gradient(lambda z: m * squared_error(z, Y)[0], Z.copy())
    assert relative_error(dZ, numeric) < 1e-7


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_whole_model_gradient_check(activation):
    rng = np.random.default_rng(0)
    model = mlp([3, 5, 4, 2], activation, output=SquaredError(), rng=rng)
    X, Y = rng.normal(size=(3, 6)), rng.normal(size=(2, 6))
    _, grads = model.loss_and_grads(X, Y)
    errors = check_gradients(lambda: model.cost(X, Y), model.params, grads)
    assert max(errors.values()) < 1e-7, errors


def test_predictions_are_the_outputs_and_fit_learns_a_line():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(1, 100))
    y = 3 * x - 0.5
    model = mlp([1, 1], output=SquaredError(), rng=rng)
    fit(model, x, y, Adam(0.1), epochs=200, batch_size=20, rng=rng)
    np.testing.assert_allclose(model.params["W1"], [[3.0]], atol=1e-3)
    np.testing.assert_allclose(model.params["b1"], [[-0.5]], atol=1e-3)
    assert model.predict(x).shape == (1, 100)
    np.testing.assert_array_equal(model.predict(x), model.predict_proba(x))


def test_save_and_load_a_regression_model(tmp_path):
    rng = np.random.default_rng(2)
    model = mlp([2, 6, 3], "tanh", output=SquaredError(), rng=rng)
    save_model(model, tmp_path / "r.h5")
    loaded, _ = load_model(tmp_path / "r.h5")
    assert isinstance(loaded.output, SquaredError)
    X = rng.normal(size=(2, 5))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_bad_input():
    with pytest.raises(ValueError, match=r"Y must have shape \(k, m\).*y.reshape\(1, -1\)"):
        squared_error(np.zeros((1, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"Y must have the shape of Z \(1, 3\).*got \(2, 3\)"):
        squared_error(np.zeros((1, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="no examples"):
        squared_error(np.zeros((1, 0)), np.zeros((1, 0)))
    with pytest.raises(ValueError, match="Z contains NaN"):
        squared_error(np.array([[np.nan]]), np.zeros((1, 1)))
    with pytest.raises(TypeError, match="Y must be a numeric array"):
        squared_error(np.zeros((1, 1)), np.array([["a"]]))
