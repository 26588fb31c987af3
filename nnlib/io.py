"""Save a trained model to one HDF5 file and load it back (notebook 10).

The file holds everything needed to rebuild the model, and nothing executable
(no pickle): it can be read by any HDF5 tool, and loading it cannot run code.

  /                    attrs: format = "nnlib-model", format_version = 1,
                              nnlib_version, output (e.g. "softmax_cross_entropy"),
                              output_module (e.g. "nnlib.softmax"),
                              hyperparameters (a JSON object), num_layers
  /layers/0, /1, ...   attrs: class (e.g. "Dense"), module (e.g. "nnlib.layers"),
                              config (JSON of layer.config())
                       one dataset per parameter ("W", "b"), stored with its dtype
  /layers/i/state      one dataset per entry of layer.state, if the layer has state
                       (arrays that are not trained, e.g. batch norm's running averages)

Any layer class or output defined in one of nnlib's own modules can be stored, so the layers
and outputs of later notebooks need no change here; loading imports only nnlib's modules, never other code.
Files written before `module` and `state` existed (only Dense and Dropout) still load.

The write is atomic: the file is written under a temporary name in the same
directory and renamed over `path` with os.replace only once it is complete, so
a crash mid-write leaves any earlier file at `path` untouched and never a half file.
"""
import importlib
import inspect
import json
import os
import tempfile
from pathlib import Path

import h5py
import numpy as np

from . import __version__
from .checks import is_integer
from .layers import Dense
from .model import Model, SigmoidCrossEntropy
from .regularization import Dropout
from .softmax import SoftmaxCrossEntropy

__all__ = ["save_model", "load_model"]

FORMAT = "nnlib-model"
FORMAT_VERSION = 1

# What a file may name: layers by class name (files without a module attribute), outputs by their `name`.
LAYERS = {cls.__name__: cls for cls in (Dense, Dropout)}
OUTPUTS = {cls.name: cls for cls in (SigmoidCrossEntropy, SoftmaxCrossEntropy)}


def _to_json(name, value):
    """JSON text of value; NumPy scalars and arrays become numbers and lists."""
    def convert(x):
        if isinstance(x, np.generic):
            return x.item()
        if isinstance(x, np.ndarray):
            return x.tolist()
        raise TypeError(f"{name} must hold only numbers, strings, lists and dicts; "
                        f"got a {type(x).__name__}")
    return json.dumps(value, default=convert, sort_keys=True)


def save_model(model, path, hyperparameters=None):
    """Write model (layers, parameters, output) and a dict of hyperparameters to the HDF5 file `path`.

    Atomic: the file appears under `path` complete or not at all, and an older file
    at `path` stays as it was until the new one is complete.
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be an nnlib Model, got {type(model).__name__}")
    if hyperparameters is not None and not isinstance(hyperparameters, dict):
        raise TypeError(f"hyperparameters must be a dict or None, got {type(hyperparameters).__name__}")
    for i, layer in enumerate(model.layers):
        if _layer_class(type(layer).__module__, type(layer).__name__) is not type(layer):
            raise ValueError(f"model.layers[{i}] is a {type(layer).__name__} from {type(layer).__module__}; "
                             f"save_model can store layers defined in nnlib's own modules")
    if _output_class(type(model.output).__module__, getattr(model.output, "name", None)) is not type(model.output):
        raise ValueError(f"model.output {type(model.output).__name__} from {type(model.output).__module__} is not "
                         f"an output that save_model can store (one defined in nnlib's own modules, with a name)")
    hyper_json = _to_json("hyperparameters", hyperparameters or {})
    configs = [_to_json(f"model.layers[{i}].config()", layer.config()) for i, layer in enumerate(model.layers)]

    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path must name a file, got the directory {path}")
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: the folder {directory} does not exist")
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with h5py.File(tmp_name, "w") as f:
            f.attrs["format"] = FORMAT
            f.attrs["format_version"] = FORMAT_VERSION
            f.attrs["nnlib_version"] = __version__
            f.attrs["output"] = model.output.name
            f.attrs["output_module"] = type(model.output).__module__
            f.attrs["hyperparameters"] = hyper_json
            f.attrs["num_layers"] = len(model.layers)
            layers = f.create_group("layers")
            for i, (layer, config) in enumerate(zip(model.layers, configs)):
                group = layers.create_group(str(i))
                group.attrs["class"] = type(layer).__name__
                group.attrs["module"] = type(layer).__module__
                group.attrs["config"] = config
                for key, value in layer.params.items():
                    group.create_dataset(key, data=value)
                state = getattr(layer, "state", None) or {}
                if state:
                    states = group.create_group("state")
                    for key, value in state.items():
                        states.create_dataset(key, data=value)
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private (0o600); a model file is for sharing
        ### BEGIN SOLUTION
        with open(tmp_name, "rb+") as written:
            os.fsync(written.fileno())  # on disk before the rename makes it visible
        os.replace(tmp_name, path)  # atomic on POSIX and Windows: the old file or the new, never a mix
        ### END SOLUTION
    except BaseException:
        ### BEGIN SOLUTION
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
        raise
        ### END SOLUTION
    _fsync_directory(directory)


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _layer_class(module, class_name):
    """The layer class `class_name` of nnlib module `module` (e.g. "nnlib.layers"), or None.

    module None (a file written before modules were stored) looks in LAYERS. Only a module
    named nnlib.<name> is ever imported, so a file cannot make load_model run other code.
    """
    if not isinstance(class_name, str):
        return None
    if module is None:
        return LAYERS.get(class_name)
    source = _nnlib_module(module)
    cls = getattr(source, class_name, None)
    if not isinstance(cls, type) or cls.__module__ != module:
        return None
    if not all(callable(getattr(cls, a, None)) for a in ("forward", "backward", "config")):
        return None
    return cls


def _output_class(module, name):
    """The output class of nnlib module `module` whose `name` is `name`, or None
    (module None: a file written before output modules were stored, looked up in OUTPUTS)."""
    if module is None:
        return OUTPUTS.get(name) if isinstance(name, str) else None
    source = _nnlib_module(module)
    for cls in vars(source).values() if source is not None else ():
        if (isinstance(cls, type) and cls.__module__ == module and getattr(cls, "name", None) == name
                and all(callable(getattr(cls, a, None)) for a in ("loss", "probabilities", "predict"))):
            return cls
    return None


def _nnlib_module(module):
    """The module nnlib.<name> named by `module`, or None: no other module is ever imported."""
    package = __name__.rpartition(".")[0]  # "nnlib"
    name = module.rpartition(".")[2] if isinstance(module, str) else ""
    if module != f"{package}.{name}" or not name.isidentifier() or name.startswith("_"):
        return None
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


class _InvalidFile(ValueError):
    """What is wrong with a file; load_model raises it as "<path> is not a valid nnlib model file: ..."."""


class _NotModel(ValueError):
    """A file of another kind or version: load_model raises a ValueError with this message as it is."""


def _build_layer(i, cls, config, rng):
    """cls(**config), giving it a random generator if its constructor takes one."""
    if not isinstance(config, dict):
        raise _InvalidFile(f"layer {i} ({cls.__name__}): its config must be a JSON object, got {config!r}")
    kwargs = dict(config)
    if "rng" in inspect.signature(cls).parameters and "rng" not in kwargs:
        kwargs["rng"] = rng
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        raise _InvalidFile(f"layer {i} ({cls.__name__}): its config {config} is invalid: {error}") from None


def load_model(path, rng=None):
    """Read a file written by save_model. Returns (model, hyperparameters).

    rng: the generator handed to layers that draw random numbers in training
    (Dropout); default np.random.default_rng(0). Predictions do not depend on it.
    Raises FileNotFoundError for a missing file and ValueError for a file that
    is not an nnlib model, is damaged, or whose parameters do not fit their layer's config.

    A damaged or crafted file costs no more memory than its own size: every dataset and
    every size in a layer's config is checked against the file's size before anything is
    read or allocated (a Dense config against its stored W exactly).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no model file at {path}")
    rng = np.random.default_rng(0) if rng is None else rng
    try:
        f = h5py.File(path, "r")
    except Exception:  # noqa: BLE001  OSError for most damage; HDF5 raises others for some truncations
        raise ValueError(f"{path} is not an nnlib model file (not an HDF5 file, or a damaged one)") from None
    try:
        with f:
            if not _is_text(f.attrs.get("format")) or f.attrs.get("format") != FORMAT:
                raise _NotModel(f"{path} is not an nnlib model file (no format = {FORMAT!r} attribute)")
            version = f.attrs.get("format_version")
            if not (is_integer(version) and version == FORMAT_VERSION):
                raise _NotModel(f"{path} has format_version {version}; this nnlib reads version {FORMAT_VERSION}")
            return _read_model(f, path, rng, os.path.getsize(path))
    except _NotModel as error:
        raise ValueError(str(error)) from None
    except _InvalidFile as error:
        raise ValueError(f"{path} is not a valid nnlib model file: {error}") from None
    except Exception as error:  # noqa: BLE001  any other failure: an attribute or group is missing or garbled
        raise ValueError(f"{path} is not a valid nnlib model file (damaged): {type(error).__name__}: {error}") from None


def _is_text(value):
    return isinstance(value, str)


def _read_model(f, path, rng, file_size):
    _check_sizes(f, path, file_size)
    output_name = f.attrs["output"]
    output = _output_class(f.attrs.get("output_module"), output_name) if _is_text(output_name) else None
    if output is None:
        raise _InvalidFile(f"unknown output {output_name!r}, expected an output of nnlib such as {sorted(OUTPUTS)}")
    hyperparameters = json.loads(f.attrs["hyperparameters"])
    if not isinstance(hyperparameters, dict):
        raise _InvalidFile(f"hyperparameters must be a JSON object, got {type(hyperparameters).__name__}")
    num_layers = f.attrs["num_layers"]
    groups = sorted(f["layers"], key=lambda k: (len(k), k))
    if not is_integer(num_layers) or groups != [str(i) for i in range(num_layers)]:
        raise _InvalidFile(f"num_layers is {num_layers} but the file holds the layer groups {groups[:10]}"
                           f"{' ...' if len(groups) > 10 else ''}: expected 0, 1, ..., num_layers - 1")
    layers = []
    for i in range(int(num_layers)):
        group = f["layers"][str(i)]
        class_name, module = group.attrs["class"], group.attrs.get("module")
        cls = _layer_class(module, class_name)
        if cls is None:
            raise _InvalidFile(f"layer {i} has unknown class {class_name!r} (module {module!r}); "
                               f"expected a layer of nnlib such as {sorted(LAYERS)}")
        config = json.loads(group.attrs["config"])
        _check_config_sizes(path, i, cls, config, group, file_size)
        layer = _build_layer(i, cls, config, rng)
        _read_state(group, layer, path, i, class_name)
        stored = sorted(key for key in group if key != "state")
        if stored != sorted(layer.params):
            raise _InvalidFile(f"layer {i} ({class_name}) stores parameters {stored} "
                               f"but its config needs {sorted(layer.params)}")
        for key in stored:
            layer.params[key] = _read_array(group[key], layer.params[key].shape, path,
                                            f"layer {i} ({class_name}) parameter {key!r}")
        layers.append(layer)
    try:
        return Model(layers, output()), hyperparameters
    except (TypeError, ValueError) as error:
        raise _InvalidFile(f"its layers do not make a model: {error}") from None


def _check_sizes(f, path, file_size):
    """Every dataset must fit in the file: a compressed or never-written dataset could declare
    gigabytes that reading it would allocate."""
    def visit(name, item):
        if isinstance(item, h5py.Dataset) and item.size * item.dtype.itemsize > file_size:
            raise _InvalidFile(f"dataset {name!r} of shape {item.shape} declares "
                               f"{item.size * item.dtype.itemsize} bytes but the file has only {file_size}")
    f.visititems(visit)


def _integers(value):
    """Every integer inside a JSON value (numbers, lists, dicts)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _integers(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _integers(v)]
    return []


def _check_config_sizes(path, i, cls, config, group, file_size):
    """Refuse a config that would make the layer's constructor allocate more than the file can hold.

    No size in a config can exceed the number of float32 numbers the file has room for; a Dense
    layer's (n_out, n_in) must be its stored W's shape (checked before W is allocated)."""
    if not isinstance(config, dict):
        return  # _build_layer says so
    too_big = [n for n in _integers(config) if abs(n) > file_size // 4]
    if too_big:
        raise _InvalidFile(f"layer {i} ({cls.__name__}) config {config} holds the size {too_big[0]}, "
                           f"more than a file of {file_size} bytes can store")
    if cls is Dense and is_integer(config.get("n_in")) and is_integer(config.get("n_out")) \
            and isinstance(group.get("W"), h5py.Dataset):
        expected = (config["n_out"], config["n_in"])
        if group["W"].shape != expected:
            raise _InvalidFile(f"layer {i} (Dense) parameter 'W' has shape {group['W'].shape} "
                               f"but its config needs {expected}")


def _read_array(dataset, expected, path, what, floats_only=True):
    """The stored array, after checking its shape, dtype (float32/float64, or any real number
    type for state, which may count things) and values (finite)."""
    if not isinstance(dataset, h5py.Dataset):
        raise _InvalidFile(f"{what} is not a dataset")
    if dataset.shape != expected:
        raise _InvalidFile(f"{what} has shape {dataset.shape} but its config needs {expected}")
    real = np.issubdtype(dataset.dtype, np.floating) or np.issubdtype(dataset.dtype, np.integer)
    if dataset.dtype not in (np.float32, np.float64) and (floats_only or not real):
        raise _InvalidFile(f"{what} has dtype {dataset.dtype}; expected float32 or float64")
    value = dataset[()]
    if not np.all(np.isfinite(value)):
        raise _InvalidFile(f"{what} contains NaN or infinite values")
    return value


def _read_state(group, layer, path, i, class_name):
    """Restore layer.state from /layers/i/state, checking its keys and shapes against the config's."""
    expected = getattr(layer, "state", None) or {}
    stored = group.get("state", {})
    if sorted(stored) != sorted(expected):
        raise _InvalidFile(f"layer {i} ({class_name}) stores state {sorted(stored)} "
                           f"but its config needs {sorted(expected)}")
    for key in expected:
        layer.state[key] = _read_array(stored[key], np.shape(expected[key]), path,
                                       f"layer {i} ({class_name}) state {key!r}", floats_only=False)
