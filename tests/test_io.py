"""nnlib.io (notebook 10): a saved model loads back with identical predictions, the
write is atomic, and each kind of bad file raises a clear error."""
import json
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

from nnlib.io import FORMAT, load_model, save_model
from nnlib.layers import Dense
from nnlib.model import Model, SigmoidCrossEntropy, mlp, train
from nnlib.regularization import Dropout
from nnlib.softmax import SoftmaxCrossEntropy

DIGITS = Path(__file__).resolve().parent.parent / "data" / "digits.h5"


def softmax_model(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    layers = [Dense(6, 8, "relu", "he", rng, dtype), Dropout(0.8, rng),
              Dense(8, 5, "tanh", "xavier", rng, dtype), Dense(5, 3, "identity", "xavier", rng, dtype)]
    return Model(layers, SoftmaxCrossEntropy())


def inputs(n_x=6, m=25, seed=1):
    return np.random.default_rng(seed).standard_normal((n_x, m))


def test_round_trip_gives_identical_predictions(tmp_path):
    model = softmax_model()
    for p in model.params.values():  # not the initial weights: a "trained" model
        p += 0.1
    hyper = {"learning_rate": 0.001, "epochs": np.int64(30), "sizes": [6, 8, 5, 3], "optimizer": "Adam",
             "lambd": np.float64(1e-4), "note": None}
    path = tmp_path / "model.h5"
    save_model(model, path, hyperparameters=hyper)
    loaded, loaded_hyper = load_model(path)
    X = inputs()
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded_hyper == {"learning_rate": 0.001, "epochs": 30, "sizes": [6, 8, 5, 3], "optimizer": "Adam",
                            "lambd": 1e-4, "note": None}
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dropout", "Dense", "Dense"]
    assert [layer.config() for layer in loaded.layers] == [layer.config() for layer in model.layers]
    assert loaded.output.name == "softmax_cross_entropy"
    for name, value in model.params.items():
        assert loaded.params[name].dtype == value.dtype
        np.testing.assert_array_equal(loaded.params[name], value)


def test_round_trip_binary_float32_and_no_hyperparameters(tmp_path):
    model = mlp([4, 3, 1], init="he", rng=np.random.default_rng(2), dtype=np.float32)
    path = tmp_path / "binary.h5"
    save_model(model, path)
    loaded, hyper = load_model(str(path))  # a str path works too
    assert hyper == {}
    assert isinstance(loaded.output, SigmoidCrossEntropy)
    assert loaded.params["W1"].dtype == np.float32
    X = inputs(n_x=4).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_loaded_model_trains_on_bit_for_bit(tmp_path):
    X = inputs(n_x=4)
    Y = (X[:1] > 0).astype(np.float64)
    model = mlp([4, 5, 1], rng=np.random.default_rng(4))
    train(model, X, Y, 0.1, 10)
    save_model(model, tmp_path / "m.h5")
    loaded, _ = load_model(tmp_path / "m.h5")
    assert train(loaded, X, Y, 0.1, 10) == train(model, X, Y, 0.1, 10)
    for name in model.params:
        np.testing.assert_array_equal(loaded.params[name], model.params[name])


def test_loaded_dropout_can_train(tmp_path):
    model = softmax_model()
    save_model(model, tmp_path / "m.h5")
    loaded, _ = load_model(tmp_path / "m.h5", rng=np.random.default_rng(5))
    Y = np.eye(3)[:, np.arange(25) % 3]
    cost, grads = loaded.loss_and_grads(inputs(), Y)
    assert np.isfinite(cost) and set(grads) == set(loaded.params)


def test_overwrite_replaces_the_file(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(seed=0), path)
    second = softmax_model(seed=1)
    save_model(second, path)
    loaded, _ = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(inputs()), second.predict_proba(inputs()))
    assert os.listdir(tmp_path) == ["m.h5"]


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_model(tmp_path / "nothing.h5")


def test_an_hdf5_file_of_another_kind():
    with pytest.raises(ValueError, match="is not an nnlib model file"):
        load_model(DIGITS)


def test_a_file_that_is_not_hdf5(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("hello")
    with pytest.raises(ValueError, match="is not an nnlib model file"):
        load_model(path)
    with pytest.raises(ValueError, match="is not an nnlib model file"):
        load_model(tmp_path)  # a directory is not a model file either


def test_a_newer_format_version(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        f.attrs["format_version"] = 2
    with pytest.raises(ValueError, match="format_version 2"):
        load_model(path)


def test_shape_mismatch_names_the_layer_and_parameter(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        del f["layers/2/W"]
        f["layers/2/W"] = np.zeros((5, 7))
    with pytest.raises(ValueError, match=r"layer 2 \(Dense\) parameter 'W' has shape \(5, 7\).*\(5, 8\)"):
        load_model(path)


def test_config_that_disagrees_with_the_weights(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f["layers/0"].attrs["config"])
        config["n_out"] = 9
        f["layers/0"].attrs["config"] = json.dumps(config)
    with pytest.raises(ValueError, match=r"layer 0 \(Dense\) parameter 'W'"):
        load_model(path)


def test_missing_parameter_and_unknown_names(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        del f["layers/3/b"]
    with pytest.raises(ValueError, match=r"layer 3 \(Dense\) stores parameters \['W'\]"):
        load_model(path)
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        f["layers/1"].attrs["class"] = "Conv2D"
    with pytest.raises(ValueError, match="layer 1 has unknown class 'Conv2D'"):
        load_model(path)
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        f.attrs["output"] = "hinge"
    with pytest.raises(ValueError, match="unknown output 'hinge'"):
        load_model(path)


def test_crash_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.h5"
    old = softmax_model(seed=0)
    save_model(old, path)
    before = path.read_bytes()

    calls = []
    real_create_dataset = h5py.Group.create_dataset

    def crash_after_two(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt("simulated crash mid-write")
        return real_create_dataset(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        save_model(softmax_model(seed=1), path)
    assert len(calls) == 3  # it did crash in the middle of the parameters
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.h5"]
    with pytest.raises(KeyboardInterrupt):
        save_model(softmax_model(seed=1), tmp_path / "new.h5")
    assert os.listdir(tmp_path) == ["m.h5"]  # no half file under the new name either
    monkeypatch.undo()
    loaded, _ = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(inputs()), old.predict_proba(inputs()))


def test_file_layout(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(), path, {"epochs": 3})
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == FORMAT and f.attrs["format_version"] == 1
        assert f.attrs["num_layers"] == 4 and json.loads(f.attrs["hyperparameters"]) == {"epochs": 3}
        assert f["layers/1"].attrs["class"] == "Dropout" and len(f["layers/1"]) == 0
        assert json.loads(f["layers/1"].attrs["config"]) == {"keep_prob": 0.8}
        assert f["layers/0/W"].shape == (8, 6)


def test_save_bad_arguments(tmp_path):
    path = tmp_path / "m.h5"
    with pytest.raises(TypeError, match="model"):
        save_model("not a model", path)
    with pytest.raises(TypeError, match="hyperparameters"):
        save_model(softmax_model(), path, hyperparameters=[1, 2])
    with pytest.raises(TypeError, match="hyperparameters"):
        save_model(softmax_model(), path, hyperparameters={"rng": np.random.default_rng(0)})

    class Unknown(Dropout):
        pass

    model = softmax_model()
    model.layers[1] = Unknown(0.5)
    with pytest.raises(ValueError, match=r"model.layers\[1\] is a Unknown"):
        save_model(model, path)
    with pytest.raises(ValueError, match="directory"):
        save_model(softmax_model(), tmp_path)
    assert os.listdir(tmp_path) == []  # nothing written by a refused save


def test_save_into_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_model(softmax_model(), tmp_path / "no" / "such" / "m.h5")
    assert os.listdir(tmp_path) == []


def test_a_damaged_model_file(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        del f.attrs["hyperparameters"]
    with pytest.raises(ValueError, match="not a valid nnlib model file"):
        load_model(path)
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        del f["layers/2"]
    with pytest.raises(ValueError, match="not a valid nnlib model file"):
        load_model(path)
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        f["layers/0"].attrs["config"] = "{not json"
    with pytest.raises(ValueError, match="not a valid nnlib model file"):
        load_model(path)
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        f["layers/0"].attrs["config"] = "[8, 6]"
    with pytest.raises(ValueError, match=r"layer 0 \(Dense\): its config must be a JSON object"):
        load_model(path)


def test_parameters_that_are_not_floats(tmp_path):
    path = tmp_path / "m.h5"
    save_model(softmax_model(), path)
    with h5py.File(path, "r+") as f:
        del f["layers/3/b"]
        f["layers/3/b"] = np.zeros((3, 1), dtype=np.int64)
    with pytest.raises(ValueError, match=r"layer 3 \(Dense\) parameter 'b' has dtype int64"):
        load_model(path)


def test_no_pickle_in_the_module():
    source = (Path(__file__).resolve().parent.parent / "nnlib" / "io.py").read_text()
    assert "pickle" not in source.replace("(no pickle)", "")


class _Scaler:
    """A layer with state, as Part II's layers have (batch norm's running averages): A = s * A_prev."""

    n_in = n_out = None

    def __init__(self, width):
        self.width, self.params = width, {}
        self.state = {"scale": np.ones((width, 1))}

    def forward(self, A_prev, training=False):
        return self.state["scale"] * A_prev, None

    def backward(self, dA, cache):
        return self.state["scale"] * dA, {}

    def config(self):
        return {"width": self.width}


@pytest.fixture
def stateful_layer_module(monkeypatch):
    """A layer class that lives in an nnlib module (nnlib.fake_stateful), as a later notebook's would."""
    import sys
    import types

    module = types.ModuleType("nnlib.fake_stateful")
    cls = type("Scaler", (_Scaler,), {"__module__": "nnlib.fake_stateful"})
    module.Scaler = cls
    monkeypatch.setitem(sys.modules, "nnlib.fake_stateful", module)
    return cls


def test_layers_of_any_nnlib_module_and_their_state_round_trip(tmp_path, stateful_layer_module):
    rng = np.random.default_rng(0)
    scaler = stateful_layer_module(4)
    scaler.state["scale"] = rng.uniform(0.5, 2.0, size=(4, 1))
    model = Model([Dense(3, 4, "relu", rng=rng), scaler, Dense(4, 1, "identity", rng=rng)],
                  SigmoidCrossEntropy())
    save_model(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert f["layers/1"].attrs["module"] == "nnlib.fake_stateful"
        assert sorted(f["layers/1/state"]) == ["scale"]
    loaded, _ = load_model(tmp_path / "m.h5")
    np.testing.assert_array_equal(loaded.layers[1].state["scale"], scaler.state["scale"])
    X = rng.normal(size=(3, 9))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_state_that_disagrees_with_the_config(tmp_path, stateful_layer_module):
    rng = np.random.default_rng(0)
    model = Model([Dense(3, 4, rng=rng), stateful_layer_module(4), Dense(4, 1, "identity", rng=rng)],
                  SigmoidCrossEntropy())
    save_model(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        del f["layers/1/state/scale"]
        f["layers/1/state"].create_dataset("scale", data=np.ones((5, 1)))
    with pytest.raises(ValueError, match=r"layer 1 \(Scaler\) state 'scale' has shape \(5, 1\)"):
        load_model(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        del f["layers/1/state"]
    with pytest.raises(ValueError, match=r"stores state \[\] but its config needs \['scale'\]"):
        load_model(tmp_path / "m.h5")


def test_a_file_written_before_modules_were_stored_still_loads(tmp_path):
    model, X = softmax_model(), inputs()
    save_model(model, tmp_path / "old.h5")
    with h5py.File(tmp_path / "old.h5", "r+") as f:
        for i in range(f.attrs["num_layers"]):
            del f[f"layers/{i}"].attrs["module"]
    loaded, _ = load_model(tmp_path / "old.h5")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("module", ["os", "nnlib.io.os", "numpy.linalg", "nnlib._private", "nnlib.no_such_module"])
def test_only_nnlib_modules_are_imported_when_loading(tmp_path, module):
    model = softmax_model()
    save_model(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        f["layers/0"].attrs["module"] = module
    with pytest.raises(ValueError, match="layer 0 has unknown class 'Dense'"):
        load_model(tmp_path / "m.h5")


def test_save_refuses_a_layer_from_outside_nnlib(tmp_path):
    rng = np.random.default_rng(0)
    model = Model([Dense(3, 4, rng=rng), _Scaler(4), Dense(4, 1, "identity", rng=rng)], SigmoidCrossEntropy())
    with pytest.raises(ValueError, match=r"model.layers\[1\] is a _Scaler from .*nnlib's own modules"):
        save_model(model, tmp_path / "m.h5")

