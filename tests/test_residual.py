"""nnlib.residual (notebook 11): the residual block's backward (the identity highway) against finite
differences, parameter and state naming inside a Model, config round trips, and saving and loading
models with batch norm and residual blocks through nnlib.io (no change to io.py needed)."""

import h5py
import numpy as np
import pytest

from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.io import load_model, save_model
from nnlib.layers import Dense
from nnlib.model import Model
from nnlib.normalization import BatchNorm, LayerNorm
from nnlib.optim import Adam
from nnlib.regularization import Dropout
from nnlib.residual import Residual
from nnlib.softmax import SoftmaxCrossEntropy
from nnlib.training import fit

TOL = 1e-7

pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def deep_model(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Model([Dense(4, 6, "relu", "he", rng, dtype),
                  Residual([Dense(6, 6, "tanh", "he", rng, dtype), BatchNorm(6, activation="relu", dtype=dtype),
                            Dense(6, 6, "identity", "he", rng, dtype)]),
                  Residual([LayerNorm(6, activation="tanh", dtype=dtype), Dense(6, 6, "identity", "he", rng, dtype),
                            Residual([Dense(6, 6, "sigmoid", "xavier", rng, dtype)])]),
                  BatchNorm(6, activation="relu", dtype=dtype),
                  Dense(6, 3, "identity", "he", rng, dtype)], SoftmaxCrossEntropy())


def batch(m=8, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, m)), np.eye(3)[:, rng.integers(0, 3, m)]


@pytest.mark.parametrize("training", [True, False])
def test_whole_model_gradient_check(training):
    model = deep_model()
    X, Y = batch()
    for _ in range(10):  # give the running averages values of their own
        model.forward(X, True)
    Z, caches = model.forward(X, training)
    grads = model.backward(model.output.loss(Z, Y)[1], caches)
    errors = check_gradients(lambda: model.output.loss(model.forward(X, training)[0], Y)[0], model.params, grads)
    assert max(errors.values()) < TOL, errors


def test_block_input_gradient_and_the_highway():
    rng = np.random.default_rng(0)
    block = Residual([Dense(5, 5, "relu", "he", rng), Dense(5, 5, "identity", "he", rng)])
    X, dA = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    _, cache = block.forward(X, True)
    dX, _ = block.backward(dA, cache)
    numeric = numerical_gradient(lambda x: float(np.sum(block.forward(x, True)[0] * dA)), X)
    assert relative_error(dX, numeric) < TOL
    block.layers[1].params["W"][:] = 0  # F's path carries nothing back: only the highway is left
    dX, _ = block.backward(dA, block.forward(X, True)[1])
    np.testing.assert_array_equal(dX, dA)


def test_parameter_and_state_names():
    model = deep_model()
    assert list(model.params) == ["W1", "b1", "W1_2", "b1_2", "gamma2_2", "beta2_2", "W3_2", "b3_2",
                                  "gamma1_3", "beta1_3", "W2_3", "b2_3", "W1_3_3", "b1_3_3",
                                  "gamma4", "beta4", "W5", "b5"]
    assert list(model.layers[1].state) == ["running_mean2_", "running_var2_"]
    assert model.layers[2].state == {}
    block = model.layers[1]
    assert block.params["W1_"] is block.layers[0].params["W"]  # the layers' own arrays: optimizers train them


def test_writing_to_the_blocks_params_and_state_writes_into_its_layers():
    block = deep_model().layers[1]
    new_W, new_mean = np.full((6, 6), 0.5), np.full((6, 1), 2.0)
    block.params["W3_"] = new_W
    block.state["running_mean2_"] = new_mean
    assert block.layers[2].params["W"] is new_W
    assert block.layers[1].state["running_mean"] is new_mean
    with pytest.raises(KeyError, match="not one of the block's entries"):
        block.params["W9_"] = new_W


def test_training_updates_the_layers_inside_blocks():
    model = deep_model()
    before = {name: p.copy() for name, p in model.params.items()}
    X, Y = batch(m=40)
    fit(model, X, Y, Adam(0.01), epochs=2, batch_size=8, rng=np.random.default_rng(0))
    assert all(not np.array_equal(before[name], p) for name, p in model.params.items())


def test_same_seed_same_parameters():
    results = []
    for _ in range(2):
        model = deep_model(seed=3)
        X, Y = batch(m=40)
        fit(model, X, Y, Adam(0.01), epochs=2, batch_size=8, rng=np.random.default_rng(0))
        results.append(model.params)
    for name in results[0]:
        np.testing.assert_array_equal(results[0][name], results[1][name])


def test_config_rebuilds_the_block():
    block = deep_model().layers[2]
    rebuilt = Residual(**block.config(), rng=np.random.default_rng(0))
    assert rebuilt.config() == block.config()
    assert [type(layer) for layer in rebuilt.layers] == [LayerNorm, Dense, Residual]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_save_and_load_round_trip(tmp_path, dtype):
    model = deep_model(dtype=dtype)
    X, Y = batch(m=40)
    fit(model, X.astype(dtype), Y.astype(dtype), Adam(0.01), epochs=2, batch_size=8, rng=np.random.default_rng(0))
    save_model(model, tmp_path / "m.h5", {"depth": 5})
    loaded, hyper = load_model(tmp_path / "m.h5")
    assert hyper == {"depth": 5}
    assert repr(loaded) == repr(model)
    for name, p in model.params.items():
        assert loaded.params[name].dtype == p.dtype
        np.testing.assert_array_equal(loaded.params[name], p)
    for i in (1, 3):
        for key, value in model.layers[i].state.items():
            np.testing.assert_array_equal(loaded.layers[i].state[key], value)
    X_test = np.random.default_rng(5).normal(size=(4, 30)).astype(dtype)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))


def test_a_file_written_before_notebook_11_still_loads(tmp_path):
    rng = np.random.default_rng(0)
    model = Model([Dense(4, 6, "relu", "he", rng), Dropout(0.8, rng), Dense(6, 3, "identity", "he", rng)],
                  SoftmaxCrossEntropy())
    save_model(model, tmp_path / "old.h5")
    with h5py.File(tmp_path / "old.h5", "r+") as f:  # the layout of notebook 10's first io.py
        for i in range(f.attrs["num_layers"]):
            del f[f"layers/{i}"].attrs["module"]
    loaded, _ = load_model(tmp_path / "old.h5")
    X = rng.normal(size=(4, 9))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_block_naming_code_outside_nnlib_does_not_load(tmp_path):
    model = deep_model()
    save_model(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        config = f["layers/2"].attrs["config"].replace('"nnlib.layers"', '"os"')
        f["layers/2"].attrs["config"] = config
    with pytest.raises(ValueError, match=r"'Dense' of module 'os' is not a layer of nnlib"):
        load_model(tmp_path / "m.h5")


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="layers must be a non-empty list"):
        Residual([])
    with pytest.raises(ValueError, match="must return its input's shape"):
        Residual([Dense(4, 6, rng=rng)])
    with pytest.raises(ValueError, match="layer sizes do not match"):
        Residual([Dense(4, 6, rng=rng), Dense(5, 4, rng=rng)])
    with pytest.raises(TypeError, match="is not a layer"):
        Residual([type("Half", (), {"forward": None})()])
    with pytest.raises(ValueError, match="must be a layer object or a dict"):
        Residual([object()])
    with pytest.raises(ValueError, match="a dict with keys 'class', 'module' and 'config'"):
        Residual([{"class": "Dense"}])
