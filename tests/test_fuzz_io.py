"""A mutating fuzzer for nnlib.io.load_model (issue 14): valid model files, damaged in every way a disk, a
transfer or a crafted file can damage them, must load as a working model or raise ValueError with a message,
and never cost more memory than a small multiple of the file.

Mutations: truncation, byte flips, changed root and layer attributes (garbage of any type), datasets
replaced by ones of another shape or dtype (or a huge declared shape, compressed), extra and missing
datasets and groups. Profiles as in test_fuzz.py (tests/conftest.py)."""
import json
import shutil
import tracemalloc

import h5py
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib.io import load_model, save_model
from nnlib.layers import Dense
from nnlib.model import Model, SigmoidCrossEntropy
from nnlib.regularization import Dropout
from nnlib.softmax import SoftmaxCrossEntropy

PEAK_BYTES = 8e6  # the models here are a few kB: anything near this is an allocation driven by the file


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """Two valid files: a softmax model with dropout, and a binary float32 one."""
    folder = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    softmax_net = Model([Dense(4, 6, "relu", rng=rng), Dropout(0.8, rng), Dense(6, 3, "identity", rng=rng)],
                        SoftmaxCrossEntropy())
    binary_net = Model([Dense(3, 2, "tanh", rng=rng, dtype=np.float32), Dense(2, 1, "identity", rng=rng,
                                                                               dtype=np.float32)],
                       SigmoidCrossEntropy())
    paths = []
    for i, net in enumerate([softmax_net, binary_net]):
        path = folder / f"m{i}.h5"
        save_model(net, path, {"lr": 0.1, "sizes": [4, 6, 3]})
        paths.append(path)
    return paths


attribute_values = st.one_of(
    st.none().map(lambda _: "__delete__"), st.integers(-2**40, 2**40), st.floats(), st.text(max_size=8),
    st.sampled_from(["[" * 5000, "{}", "[]", "null", json.dumps({"n_in": 10**5, "n_out": 10**5}),
                     json.dumps({"n_in": 4, "n_out": 6, "activation": "relu", "init": "he", "rng": 1}),
                     json.dumps({"keep_prob": 2.0}), "nnlib.io", "os", "Dense", "Dropout", "softmax_cross_entropy",
                     "nnlib-model"]),
    hnp.arrays(st.sampled_from([np.int64, np.float64, np.bool_]), st.integers(0, 3)),
)


@st.composite
def mutation(draw, names):
    kind = draw(st.sampled_from(["truncate", "flip", "attribute", "dataset", "extra", "delete"]))
    if kind in ("truncate", "flip"):
        return kind, draw(st.floats(0, 1)), draw(st.integers(1, 8)), draw(st.integers(0, 255))
    if kind == "attribute":
        where = draw(st.sampled_from(["/", *names["groups"]]))
        key = draw(st.sampled_from(["format", "format_version", "output", "hyperparameters", "num_layers", "class",
                                    "module", "config", "extra"]))
        return kind, where, key, draw(attribute_values)
    if kind == "dataset":
        shape = draw(st.one_of(hnp.array_shapes(min_dims=0, max_dims=3, max_side=7), st.just((10**6, 10**6))))
        dtype = draw(st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.bool_, "S3"]))
        fill = draw(st.sampled_from([0.0, 1.0, np.nan, np.inf]))
        return kind, draw(st.sampled_from(names["datasets"])), shape, dtype, fill
    if kind == "extra":
        return kind, draw(st.sampled_from(["/", *names["groups"]])), draw(st.sampled_from(["W", "b", "state", "x"]))
    return kind, draw(st.sampled_from(names["datasets"] + names["groups"])), None


def structure(path):
    groups, datasets = [], []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, item: (datasets if isinstance(item, h5py.Dataset) else groups).append(name))
    return {"groups": groups, "datasets": datasets}


def apply(path, change):
    kind = change[0]
    if kind in ("truncate", "flip"):
        raw = bytearray(path.read_bytes())
        position = int(change[1] * (len(raw) - 1))
        if kind == "truncate":
            raw = raw[:position]
        else:
            for i in range(position, min(position + change[2], len(raw))):
                raw[i] ^= change[3] or 0xFF
        path.write_bytes(bytes(raw))
        return
    with h5py.File(path, "r+") as f:
        if kind == "attribute":
            _, where, key, value = change
            if isinstance(value, str) and value == "__delete__":
                f[where].attrs.pop(key, None)
            else:
                f[where].attrs[key] = value
        elif kind == "dataset":
            _, name, shape, dtype, fill = change
            del f[name]
            if shape == (10**6, 10**6):  # 8 TB declared, a few bytes on disk
                f.create_dataset(name, shape=shape, dtype=np.float64, chunks=(1, 1000), compression="gzip")
            else:
                with np.errstate(all="ignore"):
                    value = np.full(shape, fill).astype(dtype) if dtype != "S3" else np.full(shape, b"abc")
                f.create_dataset(name, data=value)
        elif kind == "extra":
            _, where, key = change
            if key not in f[where]:
                f[where].create_dataset(key, data=np.zeros((2, 2)))
        else:
            del f[change[1]]


@given(which=st.integers(0, 1), data=st.data())
def test_a_damaged_file_loads_or_raises_value_error_within_a_memory_bound(originals, tmp_path_factory, which, data):
    source = originals[which]
    changes = data.draw(st.lists(mutation(structure(source)), min_size=1, max_size=3), label="mutations")
    path = tmp_path_factory.mktemp("mutant") / "m.h5"
    shutil.copy(source, path)
    for change in changes:
        try:
            apply(path, change)
        except (OSError, KeyError, ValueError, TypeError):  # an earlier change made this one impossible
            pass
    tracemalloc.start()
    try:
        try:
            model, hyper = load_model(path)
        except ValueError as error:
            assert str(error)
            return
        finally:
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        assert peak < PEAK_BYTES, f"load_model used {peak / 1e6:.1f} MB on a {path.stat().st_size} byte file"
    assert isinstance(hyper, dict)
    for value in model.params.values():
        assert np.all(np.isfinite(value))
    X = np.random.default_rng(0).standard_normal((model.n_x, 3))
    assert np.all(np.isfinite(model.predict_proba(X)))
    assert model.predict(X).shape == (3,)


def test_the_original_files_load(originals):
    for path in originals:
        model, hyper = load_model(path)
        assert hyper == {"lr": 0.1, "sizes": [4, 6, 3]}
