"""Property-based fuzzing of nnlib's whole public API (issue 14), with Hypothesis.

The contract every public function and class keeps, whatever it is given:
  - it returns finite results of the documented shape, or
  - it raises ValueError or TypeError with a message (FloatingPointError for a training run that
    diverges, FileNotFoundError for a missing file),
and never another exception type, never a silent NaN. Element-wise and layer arithmetic (the
activations, the layers' forward/backward pairs, an optimizer's step) does not inspect its input, for
speed: for those the contract is that finite input of moderate size (|x| <= 1e100) gives finite output.

FUZZ below maps every public name ("module.name") to how it is fuzzed: a strategy for its arguments
(valid ones; the test then replaces one argument at a time by garbage) and the shape its result must
have. test_every_public_name_is_fuzzed fails when a module gains a public function or class that is
not in FUZZ: add a row (a later notebook's module needs rows for its layers, e.g. "conv.Conv2D").

Profiles (tests/conftest.py): "ci" (the default) is derandomized, so CI never flakes, and keeps
the suite well under 60 s; run `HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz*.py` by hand.
"""
import importlib
import math
import pkgutil
import warnings
from dataclasses import dataclass
from typing import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import nnlib  # noqa: E402
from nnlib import (activations, batches, gradcheck, initializers, io, layers, lr_range, model,  # noqa: E402
                   monitoring, optim, plots, regularization, softmax)

# --- strategies ----------------------------------------------------------------------------------

SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, -1e300, 1e-300, 5e-324, 1e30, -1e30]
DTYPES = [np.float64, np.float32, np.float16, np.int64, np.bool_]
sizes = st.integers(1, 5)


@st.composite
def floats(draw, shape, dtype=None, low=-4.0, high=4.0, specials=True):
    """An array of `shape`: moderate values, sometimes a special one (NaN, inf, huge, tiny), and a dtype
    that shrinks to float64 (also float32, float16, integer and bool)."""
    shape = tuple(shape)
    a = draw(hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_subnormal=False)))
    if specials and a.size:
        for i, v in draw(st.lists(st.tuples(st.integers(0, a.size - 1), st.sampled_from(SPECIAL)), max_size=2)):
            a.flat[i] = v
    dtype = dtype or draw(st.sampled_from(DTYPES))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return a.astype(dtype)


@st.composite
def labels01(draw, shape):
    """0/1 labels of `shape`, sometimes with a wrong entry (2, -1, 0.5, NaN)."""
    a = draw(hnp.arrays(np.float64, tuple(shape), elements=st.sampled_from([0.0, 1.0])))
    if a.size:
        for i, v in draw(st.lists(st.tuples(st.integers(0, a.size - 1), st.sampled_from([2.0, -1.0, 0.5, np.nan])),
                                  max_size=1)):
            a.flat[i] = v
    return a.astype(draw(st.sampled_from([np.float64, np.float32, np.int64, np.bool_])))


@st.composite
def int_labels(draw, m, C):
    """Integer class labels (m,) in 0..C-1, sometimes with a wrong entry (-1, C, 0.5, NaN)."""
    a = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, C - 1))).astype(np.float64)
    if m:
        for i, v in draw(st.lists(st.tuples(st.integers(0, m - 1), st.sampled_from([-1, C, 0.5, np.nan])),
                                  max_size=1)):
            a[i] = v
    return a if np.any(a % 1) or np.any(np.isnan(a)) else a.astype(draw(st.sampled_from([np.int64, np.float64])))


def one_hot_cols(C, m):
    return int_labels(m, C).map(lambda y: np.eye(C)[np.nan_to_num(y).astype(int) % C].T)


garbage_arrays = hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
garbage = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3000), st.floats(), st.text(max_size=3),
    st.lists(st.integers(-2, 5), max_size=3), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)),
)
rngs = st.integers(0, 2**16).map(np.random.default_rng)
activation_names = st.sampled_from(sorted(activations.ACTIVATIONS))
probabilities = st.floats(0.05, 1.0)


@st.composite
def small_mlp(draw, binary=None, n_x=None):
    """A small model from mlp: binary (sigmoid output) or softmax, any hidden activation and dtype."""
    binary = draw(st.booleans()) if binary is None else binary
    n_x = n_x or draw(sizes)
    hidden = draw(st.lists(sizes, max_size=2))
    out = 1 if binary else draw(st.integers(2, 4))
    return model.mlp([n_x, *hidden, out], hidden_activation=draw(activation_names),
                     output=None if binary else softmax.SoftmaxCrossEntropy(),
                     init=draw(st.sampled_from(sorted(initializers.INITIALIZERS))), rng=draw(rngs),
                     dtype=draw(st.sampled_from([np.float64, np.float32])))


@st.composite
def model_and_data(draw, m_max=6):
    """(model, X (n_x, m), Y) with Y matching the model's output."""
    net = draw(small_mlp())
    m = draw(st.integers(1, m_max))
    X = draw(floats((net.n_x, m)))
    C = net.layers[-1].n_out
    Y = draw(labels01((1, m))) if C == 1 else draw(st.one_of(one_hot_cols(C, m), int_labels(m, C)))
    return net, X, Y


def is_data(value):
    """The arguments that garbage replaces: arrays, numbers, names, lists and None (an optional argument).
    Models, generators, functions, caches and dicts of arrays are the library's own objects: a wrong one is
    a programming error, not bad data (as a wrong self would be)."""
    return value is None or isinstance(value, (np.ndarray, np.generic, bool, int, float, str, list))


def args(**strategies):
    return st.fixed_dictionaries(strategies)


# --- the contract --------------------------------------------------------------------------------

@dataclass
class Spec:
    fn: Callable
    args: st.SearchStrategy
    check: Callable = None  # check(result, kwargs) for a call with valid arguments
    raises: tuple = ()  # exception types allowed besides ValueError and TypeError
    propagates: bool = False  # arithmetic that does not inspect its input (see the module docstring)
    corrupt: bool = True  # replace arguments by garbage (False for scenarios that build their own)
    fixed: tuple = ()  # arguments that are never replaced (a scenario's own switches)
    reports_divergence: bool = False  # a monitor whose history may hold inf once it says it diverged
    garbage: st.SearchStrategy = None  # what replaces an argument (default: garbage, or garbage_arrays if propagates)


FUZZ = {}


def fuzz(name, args_strategy, fn=None, **kw):
    module_name, _, attr = name.partition(".")
    FUZZ[name] = Spec(fn or getattr(importlib.import_module(f"nnlib.{module_name}"), attr), args_strategy, **kw)


def leaves(value, depth=0):
    """Every number and array inside a result (dicts, lists, tuples, models)."""
    if depth > 6:
        return
    if isinstance(value, (np.ndarray, np.generic, float, int)) and not isinstance(value, (bool, np.bool_)):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from leaves(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from leaves(v, depth + 1)
    elif isinstance(value, model.Model):
        yield from leaves(value.params, depth + 1)


def is_finite(value):
    for leaf in leaves(value):
        a = np.asarray(leaf)
        if a.dtype.kind in "fc" and not np.all(np.isfinite(a)):
            return False
    return True


def moderate(kwargs):
    """All float arrays and numbers in the arguments finite and |x| <= 1e100."""
    for leaf in leaves(kwargs):
        a = np.asarray(leaf)
        if a.dtype.kind == "c":
            return False
        # float32's moderate is smaller: a square of 1e20 overflows it
        bound = 1e15 if a.dtype == np.float32 else 1e100
        if a.dtype.kind == "f" and (not np.all(np.isfinite(a)) or (a.size and np.max(np.abs(a.astype(np.float64))) > bound)):
            return False
    return True


def outcome(spec, kwargs):
    """Call spec.fn(**kwargs) under the contract: (True, result), or (False, error) for an allowed error."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = spec.fn(**kwargs)
    except (ValueError, TypeError, *spec.raises) as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        return False, error
    finally:
        plt.close("all")
    return True, result


# --- the table: every public name and how it is fuzzed -------------------------------------------

def any_shape_floats():
    return hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4).flatmap(floats)


def same_shape(result, kw):
    assert np.shape(result) == np.shape(kw["Z"])


for _name in ["sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
              "identity", "identity_derivative"]:
    fuzz(f"activations.{_name}", args(Z=any_shape_floats()), check=same_shape, propagates=True)
fuzz("activations.get_activation", args(name=activation_names),
     check=lambda r, kw: (callable(r[0]) and callable(r[1])) or pytest.fail("not (g, g')"))

# batches
fuzz("batches.num_batches", args(m=st.integers(0, 50), batch_size=st.integers(1, 60)),
     check=lambda r, kw: r == math.ceil(kw["m"] / kw["batch_size"]) or pytest.fail(str(r)))


def _minibatches(X, Y, batch_size, rng):
    return list(batches.minibatches(X, Y, batch_size, rng))


def _check_minibatches(result, kw):
    m = kw["X"].shape[-1]
    assert sum(x.shape[-1] for x, _ in result) == m
    assert all(x.shape[-1] == y.shape[-1] <= kw["batch_size"] for x, y in result)


fuzz("batches.minibatches", st.tuples(sizes, st.integers(0, 9)).flatmap(lambda nm: args(
    X=floats(nm), Y=st.one_of(labels01((1, nm[1])), int_labels(nm[1], 3)), batch_size=sizes, rng=rngs)),
    fn=_minibatches, check=_check_minibatches, propagates=True)  # moves data, does not look at it

# checks
fuzz("checks.is_integer", args(value=garbage), check=lambda r, kw: isinstance(r, bool) or pytest.fail("not bool"))
fuzz("checks.is_number", args(value=garbage), check=lambda r, kw: isinstance(r, bool) or pytest.fail("not bool"))
fuzz("checks.as_float_array", args(name=st.just("X"), value=any_shape_floats(), ndim=st.integers(0, 3)),
     check=lambda r, kw: r.dtype in (np.float32, np.float64) and r.ndim == kw["ndim"] or pytest.fail(str(r.dtype)))
fuzz("checks.check_shape", args(name=st.just("X"), array=any_shape_floats(),
                                 expected=st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=3).map(tuple)))
fuzz("checks.check_binary_labels", st.tuples(sizes, sizes).flatmap(lambda s: args(name=st.just("Y"), Y=labels01(s))))
fuzz("checks.check_labels", st.tuples(st.integers(0, 6), st.integers(1, 4)).flatmap(lambda mc: args(
    name=st.just("y"), labels=int_labels(*mc), num_classes=st.just(mc[1]))),
    check=lambda r, kw: r.dtype == np.int64 and r.shape == np.shape(kw["labels"]) or pytest.fail(str(r)))

# data
fuzz("data.load_dataset", args(name=st.sampled_from(["digits", "mnist1d"]), data_dir=st.none()),
     raises=(FileNotFoundError,), check=lambda r, kw: isinstance(r, dict) and len(r) >= 2 or pytest.fail(str(r)))
fuzz("preprocessing.images_to_columns", st.tuples(st.integers(0, 4), sizes, sizes).flatmap(lambda s: args(images=floats(s))),
     check=lambda r, kw: r.shape == (kw["images"].shape[1] * kw["images"].shape[2], kw["images"].shape[0])
     or pytest.fail(str(r.shape)))
fuzz("preprocessing.train_val_test_split", st.tuples(sizes, st.integers(0, 12)).flatmap(lambda nm: args(
    X=floats(nm), y=int_labels(nm[1], 3), fractions=st.just((0.6, 0.2, 0.2)), rng=rngs)),
    check=lambda r, kw: sum(x.shape[-1] for x, _ in r) == kw["X"].shape[-1] or pytest.fail("lost examples"),
    propagates=True)  # moves data, does not look at it
fuzz("preprocessing.standardize", st.tuples(sizes, sizes).flatmap(lambda nm: args(X_train=floats(nm))),
     check=lambda r, kw: r.shape == kw["X_train"].shape or pytest.fail(str(r.shape)))
fuzz("preprocessing.one_hot", st.tuples(st.integers(0, 6), st.integers(1, 4)).flatmap(lambda mc: args(
    labels=int_labels(*mc), num_classes=st.just(mc[1]))),
    check=lambda r, kw: r.shape == (kw["num_classes"], len(kw["labels"])) and np.all(r.sum(axis=0) == 1)
    or pytest.fail(str(r)))
fuzz("preprocessing.from_one_hot", st.tuples(sizes, sizes).flatmap(lambda cm: args(Y=floats(cm))),
     check=lambda r, kw: r.shape == (kw["Y"].shape[1],) or pytest.fail(str(r.shape)))

# datasets


def _check_points(result, kw):
    X, y = result
    assert X.shape == (2, kw["m"]) and y.shape == (kw["m"],) and y.dtype == np.int64


_noise = st.one_of(st.floats(0, 1), st.sampled_from([np.nan, np.inf, -1.0]))
fuzz("datasets.xor", args(m=st.integers(0, 30), rng=rngs, noise=_noise), check=_check_points)
fuzz("datasets.flower", args(m=st.integers(0, 30), rng=rngs, petals=st.integers(-1, 6), noise=_noise),
     check=_check_points)
fuzz("datasets.moons", args(m=st.integers(0, 30), rng=rngs, noise=_noise), check=_check_points)
fuzz("datasets.circles", args(m=st.integers(0, 30), rng=rngs, noise=_noise,
                              factor=st.one_of(st.floats(-0.5, 1.5), st.just(np.nan))), check=_check_points)
fuzz("datasets.spirals", args(m=st.integers(0, 30), rng=rngs, classes=st.integers(0, 5), noise=_noise,
                              turns=st.one_of(st.floats(-1, 3), st.just(np.inf))), check=_check_points)

# diagnostics, monitoring, diagnostic_plots


@st.composite
def model_and_X(draw):
    net = draw(small_mlp())
    return {"model": net, "X": draw(floats((net.n_x, draw(st.integers(1, 6)))))}


fuzz("diagnostics.trace_forward", model_and_X(),
     check=lambda r, kw: len(r) == len(kw["model"].layers) or pytest.fail(str(len(r))))
fuzz("diagnostics.dead_relu_fraction", st.tuples(st.integers(0, 4), st.integers(0, 4)).flatmap(
    lambda s: args(Z=floats(s))), check=lambda r, kw: 0 <= r <= 1 or pytest.fail(str(r)))
fuzz("diagnostics.saturated_fraction", args(Z=any_shape_floats(), activation=st.sampled_from(["sigmoid", "tanh"]),
                                            threshold=st.one_of(st.floats(0.001, 0.5), st.sampled_from([0, 1, np.nan]))),
     check=lambda r, kw: 0 <= r <= 1 or pytest.fail(str(r)))
fuzz("diagnostics.activation_report", model_and_X(), check=lambda r, kw: isinstance(r, list) or pytest.fail(str(r)))
fuzz("monitoring.gradient_norms", st.dictionaries(st.sampled_from(["W1", "b1", "W2"]), any_shape_floats(),
                                                   max_size=3).map(lambda g: {"grads": g}), propagates=True,
     check=lambda r, kw: set(r) == set(kw["grads"]) or pytest.fail(str(r)))


@st.composite
def training_args(draw, m_max=6):
    net, X, Y = draw(model_and_data(m_max))
    return {"model": net, "X": X, "Y": Y,
            "learning_rate": draw(st.one_of(st.floats(1e-3, 1.0), st.sampled_from([1e4, 1e300, np.inf, 0.0, -1.0]))),
            "num_iterations": draw(st.integers(0, 5))}


fuzz("monitoring.train_monitored", training_args(), raises=(FloatingPointError,), reports_divergence=True,
     check=lambda r, kw: len(r["cost"]) <= kw["num_iterations"] or pytest.fail(str(r)))


def _sweep(model, X, Y, learning_rate, num_iterations):
    return monitoring.learning_rate_sweep(lambda: model, X, Y, [learning_rate], num_iterations)


fuzz("monitoring.learning_rate_sweep", training_args(), fn=_sweep, raises=(FloatingPointError,), reports_divergence=True,
     check=lambda r, kw: len(r) == 1 or pytest.fail(str(r)))


@st.composite
def histogram_args(draw):
    return {**draw(model_and_X()), "bins": draw(st.one_of(st.integers(1, 50), st.sampled_from([0, -1]))),
            "title": draw(st.one_of(st.none(), st.text(max_size=5)))}


fuzz("diagnostic_plots.plot_activation_histograms", histogram_args())
fuzz("diagnostic_plots.plot_gradient_norms", st.tuples(st.integers(1, 4)).flatmap(lambda n: args(history=st.fixed_dictionaries(
    {"grad_norm": st.dictionaries(st.sampled_from(["W1", "W2"]), st.lists(st.floats(1e-6, 10), min_size=n[0],
                                                                               max_size=n[0]), min_size=1)}))))

# gradcheck


def _numerical_gradient(x, h):
    return gradcheck.numerical_gradient(lambda v: float(np.sum(v * v)), x, h)


fuzz("gradcheck.numerical_gradient", args(x=st.tuples(st.integers(0, 3), st.integers(1, 3)).flatmap(
    lambda s: floats(s, dtype=np.float64, specials=False)), h=st.one_of(st.floats(1e-7, 1e-2), st.sampled_from(
        [0.0, -1e-5, np.nan, np.inf]))), fn=_numerical_gradient,
    check=lambda r, kw: np.testing.assert_allclose(r, 2 * kw["x"], atol=1e-3))
fuzz("gradcheck.relative_error", st.tuples(sizes, sizes).flatmap(lambda s: args(analytic=floats(s), numeric=floats(s))),
     check=lambda r, kw: 0 <= r <= 1 or pytest.fail(str(r)))


def _check_gradients(W, h):
    params = {"W": W}
    return gradcheck.check_gradients(lambda: float(np.sum(params["W"] ** 3)), params, {"W": 3 * W ** 2}, h)


fuzz("gradcheck.check_gradients", args(W=st.tuples(sizes, sizes).flatmap(
    lambda s: floats(s, dtype=np.float64, specials=False)), h=st.one_of(st.just(1e-5), st.sampled_from(
        [0.0, -1e-5, np.nan]))), fn=_check_gradients, fixed=("W",),
    check=lambda r, kw: r["W"] < 1e-4 or np.min(np.abs(kw["W"])) < 1e-2 or pytest.fail(str(r)))

# initializers


def _weights_shape(result, kw):
    assert result.shape == (kw["n_out"], kw["n_in"])


for _name in ["zeros", "small", "large", "xavier", "he"]:
    fuzz(f"initializers.{_name}", args(n_out=sizes, n_in=sizes, rng=rngs), check=_weights_shape)
fuzz("initializers.initialize_weights", args(n_out=sizes, n_in=sizes, method=st.sampled_from(sorted(
    initializers.INITIALIZERS)), rng=rngs, dtype=st.sampled_from([np.float64, np.float32, np.float16, int])),
    check=_weights_shape)

# io: save then load gives the same predictions (the file mutations are in test_fuzz_io.py)
_json = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=False,
                                                                                        allow_infinity=False),
                               st.text(max_size=4)),
                     lambda inner: st.one_of(st.lists(inner, max_size=3),
                                             st.dictionaries(st.text(max_size=3), inner, max_size=3)), max_leaves=6)


def _save_and_load(model, X, hyperparameters, tmp_dir):
    path = f"{tmp_dir}/m.h5"
    io.save_model(model, path, hyperparameters)
    loaded, hyper = io.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    return hyper


@st.composite
def save_args(draw):
    net = draw(small_mlp())
    return {"model": net, "X": draw(floats((net.n_x, 3), specials=False)),
            "hyperparameters": draw(st.one_of(st.none(), st.dictionaries(st.text(max_size=4), _json, max_size=3))),
            "tmp_dir": st.just(None)}


FUZZ_TMP = {}
fuzz("io.save_model", save_args(), fn=lambda **kw: _save_and_load(**{**kw, "tmp_dir": FUZZ_TMP["dir"]}),
     raises=(FileNotFoundError,))
fuzz("io.load_model", save_args(), fn=lambda **kw: _save_and_load(**{**kw, "tmp_dir": FUZZ_TMP["dir"]}),
     corrupt=False)

# layers


@st.composite
def linear_args(draw, cache=False):
    n_in, n_out, m = draw(sizes), draw(sizes), draw(st.integers(0, 4))
    A_prev, W, b = draw(floats((n_in, m))), draw(floats((n_out, n_in))), draw(floats((n_out, 1)))
    if not cache:
        return {"A_prev": A_prev, "W": W, "b": b}
    return {"dZ": draw(floats((n_out, m))), "cache": (A_prev, W), "need_dA_prev": draw(st.booleans())}


def _check_linear_forward(result, kw):
    Z, cache = result
    assert Z.shape == (kw["W"].shape[0], kw["A_prev"].shape[1])


def _check_linear_backward(result, kw):
    dA_prev, dW, db = result
    A_prev, W = kw["cache"]
    assert dW.shape == W.shape and db.shape == (W.shape[0], 1)
    assert (dA_prev is None) if not kw["need_dA_prev"] else dA_prev.shape == A_prev.shape


fuzz("layers.linear_forward", linear_args(), check=_check_linear_forward, propagates=True)
fuzz("layers.linear_backward", linear_args(cache=True), check=_check_linear_backward, propagates=True)
fuzz("layers.activation_forward", args(Z=any_shape_floats(), activation=activation_names),
     check=lambda r, kw: r[0].shape == np.shape(kw["Z"]) or pytest.fail("shape"), propagates=True)
fuzz("layers.activation_backward", st.tuples(sizes, sizes).flatmap(lambda s: args(
    dA=floats(s), cache=st.tuples(floats(s), activation_names))),
    check=lambda r, kw: r.shape == kw["dA"].shape or pytest.fail("shape"), propagates=True)


@st.composite
def dense_args(draw, backward=False):
    kw = draw(linear_args())
    kw["activation"] = draw(activation_names)
    if not backward:
        return kw
    A, cache = layers.dense_forward(**{k: v.astype(np.float64) if isinstance(v, np.ndarray) else v
                                       for k, v in kw.items()})
    return {"dA": draw(floats(A.shape)), "cache": cache, "need_dA_prev": draw(st.booleans())}


fuzz("layers.dense_forward", dense_args(), propagates=True,
     check=lambda r, kw: r[0].shape == (kw["W"].shape[0], kw["A_prev"].shape[1]) or pytest.fail("shape"))
fuzz("layers.dense_backward", dense_args(backward=True), propagates=True,
     check=lambda r, kw: r[1].shape == kw["cache"][0][1].shape or pytest.fail("shape"))


def _dense(n_in, n_out, activation, init, rng, dtype, A_prev, training):
    layer = layers.Dense(n_in, n_out, activation, init, rng, dtype)
    A, cache = layer.forward(A_prev, training)
    dA_prev, grads = layer.backward(np.ones_like(A), cache)
    assert A.shape == (n_out, A_prev.shape[1]) and dA_prev.shape == A_prev.shape
    assert grads["W"].shape == (n_out, n_in) and layer.config()["n_in"] == n_in
    return A, grads


@st.composite
def dense_layer_args(draw):
    n_in = draw(sizes)
    return {"n_in": n_in, "n_out": draw(sizes), "activation": draw(activation_names),
            "init": draw(st.sampled_from(sorted(initializers.INITIALIZERS))), "rng": draw(rngs),
            "dtype": draw(st.sampled_from([np.float64, np.float32])),
            "A_prev": draw(floats((n_in, draw(st.integers(1, 4))), dtype=np.float64)), "training": draw(st.booleans())}


fuzz("layers.Dense", dense_layer_args(), fn=_dense, propagates=True)

# losses


@st.composite
def binary_pair(draw, name, probabilities=False):
    m = draw(st.integers(0, 5))
    low, high = (0.0, 1.0) if probabilities else (-30.0, 30.0)
    return {name: draw(floats((1, m), low=low, high=high)), "Y": draw(labels01((1, m)))}


fuzz("losses.binary_cross_entropy", binary_pair("A", True), check=lambda r, kw: r >= 0 or pytest.fail(str(r)))
fuzz("losses.binary_cross_entropy_derivative", binary_pair("A", True),
     check=lambda r, kw: r.shape == kw["A"].shape or pytest.fail("shape"))
fuzz("losses.sigmoid_cross_entropy", binary_pair("Z"),
     check=lambda r, kw: r[0] >= 0 and r[1].shape == kw["Z"].shape or pytest.fail(str(r)))

# metrics


@st.composite
def label_pair(draw):
    m, C = draw(st.integers(0, 6)), draw(st.integers(1, 4))
    return {"y_true": draw(int_labels(m, C)), "y_pred": draw(int_labels(m, C))}


def _ratio(result, kw):
    assert 0 <= result <= 1


fuzz("metrics.accuracy", label_pair(), check=_ratio)
for _name in ["precision", "recall", "f1"]:
    fuzz(f"metrics.{_name}", label_pair().map(lambda kw: {**kw, "positive": 1}), check=_ratio)
fuzz("metrics.binary_counts", label_pair().map(lambda kw: {**kw, "positive": 1}),
     check=lambda r, kw: sum(r.values()) == len(kw["y_true"]) or pytest.fail(str(r)))
fuzz("metrics.confusion_matrix", label_pair().map(lambda kw: {**kw, "num_classes": 4}),
     check=lambda r, kw: r.shape == (4, 4) and r.sum() == len(kw["y_true"]) or pytest.fail(str(r)))

# model


def _sigmoid_output(Z, Y):
    out = model.SigmoidCrossEntropy()
    cost, dZ = out.loss(Z, Y)
    P, labels = out.probabilities(Z), out.predict(Z)
    assert dZ.shape == P.shape == np.shape(Z) and labels.shape == (np.shape(Z)[1],)
    return cost, dZ, P, labels


fuzz("model.SigmoidCrossEntropy", binary_pair("Z"), fn=_sigmoid_output)


def _model(layer_sizes, activations_, output, X, Y):
    rng = np.random.default_rng(0)
    built = [layers.Dense(a, b, act, rng=rng) for a, b, act in zip(layer_sizes, layer_sizes[1:], activations_)]
    net = model.Model(built, output)
    cost, grads = net.loss_and_grads(X, Y)
    assert set(grads) == set(net.params)
    P, labels = net.predict_proba(X), net.predict(X)
    assert labels.shape == (np.shape(X)[-1],)
    return cost, grads, P


@st.composite
def model_args(draw):
    layer_sizes = draw(st.lists(sizes, min_size=2, max_size=4))
    m = draw(st.integers(0, 4))
    C = layer_sizes[-1]
    output = draw(st.sampled_from([model.SigmoidCrossEntropy(), softmax.SoftmaxCrossEntropy()]))
    Y = draw(labels01((1, m))) if isinstance(output, model.SigmoidCrossEntropy) else draw(one_hot_cols(C, m))
    return {"layer_sizes": layer_sizes, "activations_": draw(st.lists(activation_names, min_size=3, max_size=3)),
            "output": output, "X": draw(floats((layer_sizes[0], m))), "Y": Y}


fuzz("model.Model", model_args(), fn=_model, fixed=("layer_sizes", "activations_"))  # the scenario builds its layers from these
fuzz("model.mlp", args(layer_sizes=st.lists(sizes, min_size=2, max_size=4).map(lambda s: [*s[:-1], 1]),
                       hidden_activation=activation_names, rng=rngs),
     check=lambda r, kw: len(r.layers) == len(kw["layer_sizes"]) - 1 or pytest.fail(str(r)))
fuzz("model.train", training_args(), raises=(FloatingPointError,),
     check=lambda r, kw: len(r) == kw["num_iterations"] or pytest.fail(str(r)))

# optim, schedules, training, lr_range (notebook 07)


def _optimizer(cls, learning_rate, hyper, W, g, steps):
    opt = cls(learning_rate, **hyper)
    params = {"W": W.astype(np.float64)}
    for _ in range(steps):
        opt.step(params, {"W": g})
    opt.reset()
    assert repr(opt)
    return params


@st.composite
def optimizer_args(draw, cls, hyper_names):
    shape = (draw(sizes), draw(sizes))
    bad = st.sampled_from([np.nan, np.inf, -0.5, 1.0, 0.0])
    chosen = draw(st.sets(st.sampled_from(hyper_names))) if hyper_names else set()
    hyper = {h: draw(st.one_of(st.floats(0.0, 0.999), bad) if "beta" in h else st.one_of(st.floats(1e-9, 1e-3), bad))
             for h in sorted(chosen)}
    return {"cls": cls, "learning_rate": draw(st.one_of(st.floats(1e-4, 1.0), st.sampled_from(
        [0.0, -1.0, np.inf, np.nan]))), "hyper": hyper, "W": draw(floats(shape, dtype=np.float64)),
        "g": draw(floats(shape, dtype=np.float64)), "steps": draw(st.integers(1, 3))}


fuzz("optim.Optimizer", args(learning_rate=st.one_of(st.floats(1e-4, 1.0), st.sampled_from([0.0, np.inf]))),
     fn=lambda learning_rate: repr(optim.Optimizer(learning_rate)))
for _cls, _hyper in [(optim.SGD, []), (optim.Momentum, ["beta"]), (optim.RMSprop, ["beta", "epsilon"]),
                     (optim.Adam, ["beta1", "beta2", "epsilon"])]:
    fuzz(f"optim.{_cls.__name__}", optimizer_args(_cls, _hyper), fn=_optimizer, propagates=True,
         fixed=("W", "g", "steps"))
_epochs = st.one_of(st.integers(0, 50), st.just(-1))
fuzz("schedules.inverse_time_decay", args(lr0=st.floats(1e-4, 1.0), decay_rate=st.floats(0, 10), epoch=_epochs),
     check=lambda r, kw: 0 < r <= kw["lr0"] or pytest.fail(str(r)))
fuzz("schedules.step_decay", args(lr0=st.floats(1e-4, 1.0), drop=st.floats(0.01, 1.0), every=st.integers(0, 5),
                              epoch=_epochs), check=lambda r, kw: 0 <= r <= kw["lr0"] or pytest.fail(str(r)))
fuzz("training.labels_of", st.tuples(st.integers(1, 4), sizes).flatmap(lambda cm: args(Y=st.one_of(
    labels01((1, cm[1])), one_hot_cols(max(cm[0], 2), cm[1]), int_labels(cm[1], 3)))),
    check=lambda r, kw: r.shape == (np.shape(kw["Y"])[-1],) or pytest.fail(str(r.shape)))


@st.composite
def fit_args(draw):
    net, X, Y = draw(model_and_data(m_max=8))
    cls = draw(st.sampled_from([optim.SGD, optim.Momentum, optim.RMSprop, optim.Adam]))
    lr = draw(st.one_of(st.floats(1e-3, 0.5), st.sampled_from([1e4, 1e300])))
    rate = draw(st.one_of(st.none(), st.floats(1e-3, 1.0), st.sampled_from([-1.0, np.nan, np.inf])))
    return {"model": net, "X": X, "Y": Y, "optimizer": cls(lr), "epochs": draw(st.integers(1, 3)),
            "batch_size": draw(sizes), "rng": draw(rngs),
            "schedule": None if rate is None else (lambda epoch, rate=rate: rate),
            "validation": draw(st.one_of(st.none(), st.just((X, Y))))}


fuzz("training.fit", fit_args(), raises=(FloatingPointError,),
     check=lambda r, kw: 1 <= len(r["cost"]) <= kw["epochs"] or pytest.fail(str(r)))


def _lr_finder(model, X, Y, lr_min, lr_max, num_steps, batch_size, rng):
    return lr_range.lr_finder(lambda: model, X, Y, lr_min=lr_min, lr_max=lr_max, num_steps=num_steps,
                           batch_size=batch_size, rng=rng)


@st.composite
def lr_finder_args(draw):
    net, X, Y = draw(model_and_data(m_max=8))
    return {"model": net, "X": X, "Y": Y, "lr_min": draw(st.floats(1e-6, 1e-3)),
            "lr_max": draw(st.one_of(st.floats(1e-2, 1e3), st.sampled_from([np.inf, 0.0]))),
            "num_steps": draw(st.integers(1, 12)), "batch_size": draw(sizes), "rng": draw(rngs)}


fuzz("lr_range.lr_finder", lr_finder_args(), fn=_lr_finder, raises=(FloatingPointError,),
     check=lambda r, kw: r[0].shape == r[1].shape and r[0].size <= kw["num_steps"] or pytest.fail(str(r)))
fuzz("lr_range.suggest_learning_rate", sizes.flatmap(lambda n: args(lrs=floats((n,), low=1e-6, high=10.0),
                                                                costs=floats((n,), low=0.0, high=10.0))),
     check=lambda r, kw: r >= 0 or pytest.fail(str(r)))

# plots


@st.composite
def points(draw, m_min=1):
    m = draw(st.integers(m_min, 8))
    return {"X": draw(floats((2, m))), "y": draw(int_labels(m, 3))}


fuzz("plots.plot_points", points(), check=lambda r, kw: isinstance(r, plt.Axes) or pytest.fail(str(r)))


def _boundary(X, y, kind, resolution=5):
    predict = {"zeros": lambda P: np.zeros(P.shape[1], int), "halfplane": lambda P: (P[0] > 0).astype(int),
               "nan": lambda P: np.full(P.shape[1], np.nan), "wrong": lambda P: np.zeros(3, int)}[kind]
    return plots.plot_decision_boundary(predict, X, y, resolution=resolution)


fuzz("plots.plot_decision_boundary", points().flatmap(
    lambda kw: st.fixed_dictionaries({**{k: st.just(v) for k, v in kw.items()},
                                      "kind": st.sampled_from(["zeros", "halfplane", "nan", "wrong"])})),
    fn=_boundary, fixed=("kind",))  # resolution stays small: a resolution of 10^5 is a request for 10^10 grid points
fuzz("plots.plot_costs", args(curves=st.dictionaries(st.text(max_size=3), st.integers(1, 5).flatmap(
    lambda n: floats((n,), low=1e-3, high=5.0)), min_size=1, max_size=2), logy=st.booleans()))
fuzz("image_plots.show_images", args(images=st.tuples(st.integers(1, 3), sizes, sizes).flatmap(floats),
                               ncols=st.integers(0, 4)))

# regularization


@st.composite
def l2_args(draw):
    params = draw(st.dictionaries(st.sampled_from(["W1", "b1", "W2"]), st.tuples(sizes, sizes).flatmap(floats),
                                  max_size=3))
    return {"params": params, "lambd": draw(st.one_of(st.floats(0, 10), st.sampled_from([-1.0, np.nan, np.inf]))),
            "m": draw(st.integers(0, 50))}


fuzz("regularization.l2_cost", l2_args(), check=lambda r, kw: r >= 0 or pytest.fail(str(r)), propagates=True)
fuzz("regularization.l2_grads", l2_args(),
     check=lambda r, kw: set(r) == {k for k in kw["params"] if k.startswith("W")} or pytest.fail(str(r)),
     propagates=True)


def _with_l2(model, X, Y, lambd, m):
    cost, grads = regularization.with_l2(model, lambd, m)(X, Y)
    assert set(grads) == set(model.params)
    return cost, grads


@st.composite
def with_l2_args(draw):
    net, X, Y = draw(model_and_data())
    return {"model": net, "X": X, "Y": Y, "lambd": draw(st.one_of(st.floats(0, 10), st.just(np.nan))),
            "m": draw(st.one_of(st.none(), st.integers(0, 50)))}


fuzz("regularization.with_l2", with_l2_args(), fn=_with_l2)


@st.composite
def dropout_args(draw, backward=False):
    shape = (draw(sizes), draw(st.integers(0, 4)))
    kw = {"A": draw(floats(shape)), "keep_prob": draw(st.one_of(probabilities, st.sampled_from([0.0, 1.5, np.nan]))),
          "rng": draw(rngs), "mask": draw(st.one_of(st.none(), labels01(shape)))}
    if not backward:
        return kw
    return {"dA": draw(floats(shape)), "cache": regularization.dropout_forward(
        np.ones(shape), draw(probabilities), np.random.default_rng(0))[1]}


fuzz("regularization.dropout_forward", dropout_args(),
     check=lambda r, kw: r[0].shape == kw["A"].shape or pytest.fail("shape"))
fuzz("regularization.dropout_backward", dropout_args(backward=True), propagates=True,
     check=lambda r, kw: r.shape == kw["dA"].shape or pytest.fail("shape"))


def _dropout(keep_prob, rng, A, training):
    layer = regularization.Dropout(keep_prob, rng)
    out, cache = layer.forward(A, training)
    dA, grads = layer.backward(np.ones_like(out), cache)
    assert out.shape == dA.shape == np.shape(A) and grads == {} and layer.config() == {"keep_prob": layer.keep_prob}
    return out, dA


fuzz("regularization.Dropout", args(keep_prob=st.one_of(probabilities, st.sampled_from([0.0, 2.0])), rng=rngs,
                                    A=st.tuples(sizes, sizes).flatmap(floats), training=st.booleans()),
     fn=_dropout, propagates=True)


def _early_stopping(values, patience, monitor, min_delta):
    holder = type("Holder", (), {})()
    holder.params = {"W1": np.zeros((2, 2))}
    stopper = regularization.EarlyStopping(holder, patience, monitor, min_delta)
    history = {monitor: []}
    for epoch, value in enumerate(values):
        holder.params["W1"][...] = epoch
        history[monitor].append(value)
        if stopper(epoch, history):
            break
    stopper.on_train_end()
    if values:
        assert holder.params["W1"][0, 0] == stopper.best_epoch
    return stopper.best_value


fuzz("regularization.EarlyStopping", args(values=st.lists(st.floats(0, 5), max_size=8), patience=st.integers(0, 3),
                                          monitor=st.sampled_from(["val_cost", "val_accuracy", "cost", "loss"]),
                                          min_delta=st.one_of(st.floats(0, 1), st.sampled_from([-1.0, np.nan]))),
     fn=_early_stopping)

# softmax


def _logits(ndim):
    return (st.tuples(st.integers(0, 4)) if ndim == 1 else st.tuples(st.integers(0, 4), st.integers(0, 4))).flatmap(
        lambda s: floats(s, low=-50, high=50))


for _name in ["logsumexp", "softmax", "log_softmax"]:
    fuzz(f"softmax.{_name}", args(Z=st.one_of(_logits(1), _logits(2))))
fuzz("softmax.softmax_jacobian", args(s=st.integers(0, 4).flatmap(lambda n: floats((n,), low=0, high=1))),
     check=lambda r, kw: r.shape == (kw["s"].size,) * 2 or pytest.fail("shape"))


@st.composite
def categorical_pair(draw, name):
    C, m = draw(st.integers(1, 4)), draw(st.integers(0, 4))
    low, high = (0.0, 1.0) if name == "A" else (-50.0, 50.0)
    A = draw(floats((C, m), low=low, high=high))
    return {name: A, "Y": draw(st.one_of(one_hot_cols(C, m), int_labels(m, C), floats((C, m))))}


fuzz("softmax.categorical_cross_entropy", categorical_pair("A"), check=lambda r, kw: r >= 0 or pytest.fail(str(r)))
fuzz("softmax.softmax_cross_entropy", categorical_pair("Z"),
     check=lambda r, kw: r[1].shape == kw["Z"].shape or pytest.fail("shape"))


def _softmax_output(Z, Y):
    out = softmax.SoftmaxCrossEntropy()
    cost, dZ = out.loss(Z, Y)
    P, labels = out.probabilities(Z), out.predict(Z)
    assert dZ.shape == P.shape == np.shape(Z) and labels.shape == (np.shape(Z)[1],)
    return cost, dZ, P, labels


fuzz("softmax.SoftmaxCrossEntropy", categorical_pair("Z"), fn=_softmax_output)


# optim and schedules: what notebook 07 added for notebook 08 (AdamW), and its schedules

fuzz("optim.AdamW", optimizer_args(optim.AdamW, ["weight_decay", "beta1", "beta2", "epsilon"]), fn=_optimizer,
     propagates=True, fixed=("W", "g", "steps"))
fuzz("optim.is_weight", args(name=st.sampled_from(["W1", "b1", "W", "gamma2", "W1_3", ""])),
     check=lambda r, kw: r == kw["name"].startswith("W") or pytest.fail(str(r)))
fuzz("schedules.cosine_decay", args(lr0=st.floats(1e-4, 1.0), epochs=st.integers(1, 30), epoch=_epochs),
     check=lambda r, kw: 0 <= r <= kw["lr0"] or pytest.fail(str(r)))
fuzz("schedules.warmup_cosine", args(lr0=st.floats(1e-4, 1.0), warmup=st.integers(0, 5), epochs=st.integers(6, 30),
                                 epoch=_epochs), check=lambda r, kw: 0 <= r <= kw["lr0"] or pytest.fail(str(r)))

# Part II (notebooks 11-16), in two parts. SCENARIOS run each module on valid, randomly drawn input
# and check its pieces against each other (backward against the graph version, im2col against the
# loops, a layer's gradients against its parameters): test_scenario. The FUZZ rows after them give
# every public name garbage, one argument at a time, as for Part I (see "Part II rows" below).

SCENARIOS = {}


def scenario(name, strategy, fn, **kw):
    key = name.split(".")[0] + "." + (name.split(".")[1] if "<lambda>" in fn.__name__ else fn.__name__.strip("_"))
    SCENARIOS[key] = Spec(fn, strategy, corrupt=False, **kw)


valid = {"specials": False, "dtype": np.float64}


@st.composite
def features(draw, min_m=1):
    n, m = draw(st.integers(2, 5)), draw(st.integers(min_m, 5))
    return {"X": draw(floats((n, m), **valid)), "gamma": draw(floats((n, 1), low=0.5, high=2, **valid)),
            "beta": draw(floats((n, 1), **valid))}


def _standardize(X, gamma, beta, axes_of):
    from nnlib import normalization as nz
    Xhat, cache = nz.standardize_forward(X, axes_of(X))
    dXhat = np.ones_like(Xhat)
    a, b = nz.standardize_backward(dXhat, cache), nz.standardize_backward_graph(dXhat, cache)
    assert a.shape == b.shape == X.shape and np.allclose(a, b, atol=1e-8)
    return Xhat, a


def _batchnorm_pair(X, gamma, beta):
    from nnlib import normalization as nz
    Y, cache = nz.batchnorm_forward(X, gamma, beta)
    dX, dgamma, dbeta = nz.batchnorm_backward(np.ones_like(Y), cache)
    dX2, _, _ = nz.batchnorm_backward_graph(np.ones_like(Y), cache)
    Z, cache2 = nz.batchnorm_inference(X, gamma, beta, X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True))
    dZ = nz.batchnorm_inference_backward(np.ones_like(Z), cache2)
    assert dX.shape == dX2.shape == X.shape and dgamma.shape == gamma.shape
    return Y, dX, dX2, Z, dZ


def _layernorm_pair(X, gamma, beta):
    from nnlib import normalization as nz
    Y, cache = nz.layernorm_forward(X, gamma, beta)
    dX, dgamma, dbeta = nz.layernorm_backward(np.ones_like(Y), cache)
    assert dX.shape == X.shape and dgamma.shape == gamma.shape
    return Y, dX


def _standardize_batch(X, gamma, beta):
    from nnlib import normalization as nz
    return _standardize(X, gamma, beta, nz.batch_axes)


def _standardize_layer(X, gamma, beta):
    from nnlib import normalization as nz
    return _standardize(X, gamma, beta, nz.layer_axes)


scenario("normalization.standardize_forward", features(min_m=2), _standardize_batch)
scenario("normalization.layer_axes", features(), _standardize_layer)
scenario("normalization.batchnorm_forward", features(min_m=2), _batchnorm_pair)
scenario("normalization.layernorm_forward", features(), _layernorm_pair)


def _layer_round(layer, A_prev, training=True):
    A, cache = layer.forward(A_prev, training)
    dA_prev, grads = layer.backward(np.ones_like(A), cache)
    assert dA_prev.shape == A_prev.shape and set(grads) == set(layer.params)
    for k, g in grads.items():
        assert g.shape == layer.params[k].shape, k
    assert layer.config() is not None
    return A, dA_prev, grads


def _norm_layer(cls, X, activation, training):
    from nnlib import normalization as nz
    layer = getattr(nz, cls)(X.shape[0], activation=activation)
    return _layer_round(layer, X, training)


scenario("normalization.BatchNorm", features(min_m=2).flatmap(lambda kw: args(
    X=st.just(kw["X"]), activation=activation_names, training=st.booleans())),
    lambda X, activation, training: _norm_layer("BatchNorm", X, activation, training))
scenario("normalization.LayerNorm", features().flatmap(lambda kw: args(
    X=st.just(kw["X"]), activation=activation_names, training=st.booleans())),
    lambda X, activation, training: _norm_layer("LayerNorm", X, activation, training))


def _residual(X, activation, rng):
    from nnlib.residual import Residual
    n = X.shape[0]
    return _layer_round(Residual([layers.Dense(n, n, activation, rng=rng), layers.Dense(n, n, "identity", rng=rng)]), X)


scenario("residual.Residual", features().flatmap(lambda kw: args(X=st.just(kw["X"]), activation=activation_names,
                                                                   rng=rngs)), _residual)


@st.composite
def images(draw):
    C, H, W, m = draw(st.integers(1, 3)), draw(st.integers(3, 6)), draw(st.integers(3, 6)), draw(st.integers(1, 3))
    k, stride, pad = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 1))
    return {"X": draw(floats((C, H, W, m), **valid)), "F": draw(st.integers(1, 3)), "k": k, "stride": stride,
            "pad": pad, "rng": draw(rngs)}


def _conv(X, F, k, stride, pad, rng):
    from nnlib import conv
    C, H, W, m = X.shape
    H_out, W_out = conv.conv_output_shape(H, W, (k, k), (stride, stride), (pad, pad))
    W4 = rng.normal(size=(F, C, k, k))
    b = rng.normal(size=(F, 1))
    Z, cache = conv.conv_forward(X, W4.reshape(F, -1), b, (k, k), (stride, stride), (pad, pad))
    Z_loops = conv.conv2d_loops(X, W4, b, (stride, stride), (pad, pad))
    assert Z.shape == (F, H_out, W_out, m) and np.allclose(Z, Z_loops)
    dX, dW, db = conv.conv_backward(np.ones_like(Z), cache)
    cols = conv.im2col(X, (k, k), (stride, stride), (pad, pad))
    back = conv.col2im(np.ones_like(cols), X.shape, (k, k), (stride, stride), (pad, pad))
    assert dX.shape == back.shape == X.shape and conv.pad_images(X, (pad, pad)).shape[1] == H + 2 * pad
    if stride == 1:
        assert np.allclose(conv.conv_dX_full(np.ones_like(Z), W4, (pad, pad)), dX)
    layer = conv.Conv2D((C, H, W), F, k, stride, pad, rng=rng)
    return Z, dX, dW, db, _layer_round(layer, X)


for _name in ["conv_output_shape", "pad_images", "conv2d_loops", "im2col", "col2im", "conv_forward", "conv_backward",
              "conv_dX_full", "Conv2D"]:
    scenario(f"conv.{_name}", images(), _conv)


def _pool(X, F, k, stride, pad, rng):
    from nnlib import pooling
    C, H, W, m = X.shape
    pool = min(k + 1, H, W)
    out = pooling.pool_output_shape(H, W, (pool, pool), (stride, stride))
    results = []
    for forward, backward, cls in [(pooling.maxpool_forward, pooling.maxpool_backward, pooling.MaxPool2D),
                                   (pooling.avgpool_forward, pooling.avgpool_backward, pooling.AvgPool2D)]:
        A, cache = forward(X, (pool, pool), (stride, stride))
        assert A.shape == (C, *out, m) and backward(np.ones_like(A), cache).shape == X.shape
        results.append(_layer_round(cls((C, H, W), pool, stride), X))
    results.append(_layer_round(pooling.Flatten((C, H, W)), X))
    return results


for _name in ["pool_output_shape", "maxpool_forward", "maxpool_backward", "avgpool_forward", "avgpool_backward",
              "MaxPool2D", "AvgPool2D", "Flatten"]:
    scenario(f"pooling.{_name}", images(), _pool)


@st.composite
def sequences(draw):
    n_x, n_h, T, m = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
    return {"X": draw(floats((n_x, T, m), **valid)), "n_h": n_h, "return_sequences": draw(st.booleans()),
            "rng": draw(rngs), "max_norm": draw(st.floats(0.1, 10))}


def _recurrent(X, n_h, return_sequences, rng, max_norm):
    from nnlib import recurrent
    n_x, T, m = X.shape
    out = []
    for cls in (recurrent.RNN, recurrent.GRU):
        layer = cls(n_x, n_h, seq_len=T, return_sequences=return_sequences, rng=rng)
        out.append(_layer_round(layer, X))
    grads = {"W": rng.normal(size=(3, 2)) * 100, "b": rng.normal(size=(3, 1))}
    clipped, _ = recurrent.clip_by_global_norm(grads, max_norm)
    assert recurrent.global_norm(clipped) <= max_norm * (1 + 1e-9) + 1e-12
    net = model.Model([recurrent.GRU(n_x, n_h, seq_len=T, rng=rng), layers.Dense(n_h, 1, "identity", rng=rng)],
                      model.SigmoidCrossEntropy())
    cost, g = recurrent.with_clipping(net.loss_and_grads, max_norm)(X, (rng.random((1, m)) > 0.5).astype(float))
    assert recurrent.orthogonal(n_h, rng, np.float64).shape == (n_h, n_h)
    return out, cost, g


for _name in ["rnn_forward", "rnn_backward", "gru_forward", "gru_backward", "orthogonal", "RNN", "GRU", "global_norm",
              "clip_by_global_norm", "with_clipping"]:
    scenario(f"recurrent.{_name}", sequences(), _recurrent)


def _autograd(X, gamma, beta):
    from nnlib.autograd import Tensor, as_tensor, topological_order
    x, g = Tensor(X), as_tensor(gamma)
    out = ((x * g + beta).tanh().sum(axis=0, keepdims=True).logsumexp(axis=1) + (x ** 2).mean()).sum()
    out.backward()
    assert x.grad.shape == X.shape and g.grad.shape == gamma.shape and topological_order(out)[-1] is out
    return float(out.data), x.grad, g.grad


for _name in ["Tensor", "as_tensor", "topological_order"]:
    scenario(f"autograd.{_name}", features(), _autograd)


def _regression(X, gamma, beta):
    from nnlib.regression import SquaredError, squared_error
    cost, dZ = squared_error(X, X * gamma + beta)
    out = SquaredError()
    assert np.array_equal(out.predict(X), X) and np.array_equal(out.probabilities(X), X)
    assert cost >= 0 and dZ.shape == X.shape
    return cost, dZ


for _name in ["squared_error", "SquaredError"]:
    scenario(f"regression.{_name}", features(), _regression)


def _playground(dataset, width, activation, lambd, keep_prob, seed):
    from nnlib import playground
    run = playground.Run(dataset=dataset, depth=1, width=width, activation=activation, lambd=lambd,
                         keep_prob=keep_prob, seed=seed, m=20).train(2)
    playground.draw(run)
    return run.costs, run.accuracy()


for _name in ["Run", "draw", "playground"]:
    scenario(f"playground.{_name}", args(dataset=st.sampled_from(["xor", "moons", "circles", "spirals", "flower"]),
                                         width=st.integers(1, 6), activation=activation_names,
                                         lambd=st.floats(0, 2), keep_prob=st.floats(0.5, 1.0), seed=st.integers(0, 9)),
             _playground)


# Part II rows: garbage in, one argument at a time, as for Part I. The public forward functions and
# the constructors check what they are given (rank, dtype, shapes that must agree, kernel, stride,
# padding and pool sizes); like Part I's linear_forward they do not scan the values (NaN propagates),
# so they are `propagates` rows and garbage for them is any argument at all (GARBAGE_II below); a
# backward function is fuzzed on its upstream gradient, with a cache from a valid forward pass.

GARBAGE_II = st.one_of(garbage, st.sampled_from([0, -1, (0, 1), (2, -1), (99, 99), (1, 2, 3), 2.5, "2"]),
                       hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
                                  hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4)))


def fuzz2(name, strategy, fn=None, **kw):
    fuzz(name, strategy, fn=fn, garbage=GARBAGE_II, **kw)


@st.composite
def columns(draw, min_m=1, images_too=True):
    """X (n, m) or images (C, H, W, m), values as in Part I (specials, dtypes)."""
    shape = draw(st.one_of(st.tuples(st.integers(2, 4), st.integers(min_m, 4)),
                           *([st.tuples(st.integers(1, 3), sizes, sizes, st.integers(min_m, 3))] if images_too else [])))
    return draw(floats(shape))


def _param_shape(X, kind):
    return (X.shape[0],) + (1,) * (X.ndim - 1) if kind == "batch" else X.shape[:-1] + (1,)


@st.composite
def norm_args(draw, kind, min_m=1):
    X = draw(columns(min_m))
    p = _param_shape(X, kind)
    return {"X": X, "gamma": draw(floats(p, low=0.5, high=2)), "beta": draw(floats(p)),
            "eps": draw(st.one_of(st.just(1e-5), st.floats(1e-8, 1.0)))}


def _nz():
    from nnlib import normalization
    return normalization


def _same_shape_as_X(result, kw):
    assert result[0].shape == np.shape(kw["X"])


fuzz2("normalization.standardize_forward", columns().flatmap(lambda X: args(
    X=st.just(X), axes=st.sampled_from([tuple(range(1, X.ndim)), tuple(range(X.ndim - 1))]),
    eps=st.floats(1e-8, 1.0))), fn=lambda X, axes, eps: _nz().standardize_forward(X, axes, eps),
    propagates=True, check=_same_shape_as_X)
fuzz2("normalization.batch_axes", args(X=columns()), fn=lambda X: _nz().batch_axes(X),
      check=lambda r, kw: r == tuple(range(1, kw["X"].ndim)) or pytest.fail(str(r)))
fuzz2("normalization.layer_axes", args(X=columns()), fn=lambda X: _nz().layer_axes(X),
      check=lambda r, kw: r == tuple(range(kw["X"].ndim - 1)) or pytest.fail(str(r)))
fuzz2("normalization.batchnorm_forward", norm_args("batch"), fn=lambda X, gamma, beta, eps: _nz().batchnorm_forward(
    X, gamma, beta, eps), propagates=True, check=_same_shape_as_X)
fuzz2("normalization.layernorm_forward", norm_args("layer"), fn=lambda X, gamma, beta, eps: _nz().layernorm_forward(
    X, gamma, beta, eps), propagates=True, check=_same_shape_as_X)


@st.composite
def inference_args(draw):
    kw = draw(norm_args("batch"))
    p = np.shape(kw["gamma"])
    return {**kw, "running_mean": draw(floats(p)), "running_var": draw(floats(p, low=0.0, high=3.0))}


fuzz2("normalization.batchnorm_inference", inference_args(), fn=lambda X, gamma, beta, eps, running_mean, running_var:
      _nz().batchnorm_inference(X, gamma, beta, running_mean, running_var, eps), propagates=True,
      check=_same_shape_as_X)


def _backward_row(forward, backward):
    """fn(dY, X, gamma, beta): backward(dY, cache of forward on a valid X); only dY is fuzzed."""
    def fn(dY, X, gamma, beta):
        _, cache = forward(X, gamma, beta)
        return backward(dY, cache)
    return fn


def _with_dY(strategy):
    return strategy.flatmap(lambda kw: args(dY=floats(np.shape(kw["X"])), X=st.just(kw["X"]),
                                            gamma=st.just(kw["gamma"]), beta=st.just(kw["beta"])))


def _valid_norm(kind, min_m=2):
    shape = st.one_of(st.tuples(st.integers(2, 4), st.integers(min_m, 4)),
                      st.tuples(st.integers(1, 3), sizes, sizes, st.integers(min_m, 3)))
    return shape.flatmap(lambda s: args(X=floats(s, **valid), gamma=floats(_param_shape(np.empty(s), kind), low=0.5,
                                                                          high=2, **valid),
                                        beta=floats(_param_shape(np.empty(s), kind), **valid)))


def _check_dX(result, kw):
    dX = result[0] if isinstance(result, tuple) else result
    assert dX.shape == kw["X"].shape


def _standardize_fw(X, gamma, beta):
    return _nz().standardize_forward(X, _nz().batch_axes(X))


def _inference_fw(X, gamma, beta):
    return _nz().batchnorm_inference(X, gamma, beta, np.zeros_like(gamma), np.ones_like(gamma))


for _name, _fw, _bw, _kind in [("standardize_backward", _standardize_fw, "standardize_backward", "batch"),
                               ("standardize_backward_graph", _standardize_fw, "standardize_backward_graph", "batch"),
                               ("batchnorm_backward", "batchnorm_forward", "batchnorm_backward", "batch"),
                               ("batchnorm_backward_graph", "batchnorm_forward", "batchnorm_backward_graph", "batch"),
                               ("batchnorm_inference_backward", _inference_fw, "batchnorm_inference_backward", "batch"),
                               ("layernorm_backward", "layernorm_forward", "layernorm_backward", "layer")]:
    fuzz2(f"normalization.{_name}", _with_dY(_valid_norm(_kind)),
          fn=(lambda fw, bw: lambda dY, X, gamma, beta: _backward_row(
              fw if callable(fw) else getattr(_nz(), fw), getattr(_nz(), bw))(dY, X, gamma, beta))(_fw, _bw),
          fixed=("X", "gamma", "beta"), propagates=True, check=_check_dX)


def _norm_layer_row(cls):
    def fn(n, eps, activation, X, training):
        layer = getattr(_nz(), cls)(n, eps=eps, activation=activation)
        return _layer_round(layer, X, training)
    return fn


@st.composite
def norm_layer_args(draw):
    X = draw(columns(min_m=2))
    return {"n": X.shape[0] if X.ndim == 2 else list(X.shape[:-1]), "eps": draw(st.floats(1e-8, 1.0)),
            "activation": draw(activation_names), "X": X, "training": draw(st.booleans())}


fuzz2("normalization.BatchNorm", norm_layer_args(), fn=_norm_layer_row("BatchNorm"), fixed=("training",))
fuzz2("normalization.LayerNorm", norm_layer_args(), fn=_norm_layer_row("LayerNorm"), fixed=("training",))


def _residual_row(n, activation, X, rng):
    from nnlib.residual import Residual
    return _layer_round(Residual([layers.Dense(n, n, activation, rng=rng), layers.Dense(n, n, "identity", rng=rng)]), X)


fuzz2("residual.Residual", st.tuples(st.integers(1, 4), sizes).flatmap(lambda nm: args(
    n=st.just(nm[0]), activation=activation_names, X=floats(nm), rng=rngs)), fn=_residual_row, propagates=True)


# conv and pooling


def _cv():
    from nnlib import conv
    return conv


def _pl():
    from nnlib import pooling
    return pooling


# sizes as an int or a list of two (a list, not a tuple, so that garbage replaces it: see is_data)
kernels = st.one_of(st.integers(1, 3), st.lists(st.integers(1, 3), min_size=2, max_size=2))
strides = st.one_of(st.integers(1, 2), st.lists(st.integers(1, 2), min_size=2, max_size=2))
paddings = st.one_of(st.integers(0, 1), st.lists(st.integers(0, 1), min_size=2, max_size=2))


def _pair_of(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


@st.composite
def conv_args(draw, weights="2d"):
    """Images (C, H, W, m) big enough for the kernel, the kernel, stride and padding, and weights for them."""
    k, s, p = draw(kernels), draw(strides), draw(paddings)
    (kh, kw), (ph, pw) = _pair_of(k), _pair_of(p)
    C, F, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(max(1, kh - 2 * ph), 5)), draw(st.integers(max(1, kw - 2 * pw), 5))
    kw_ = {"X": draw(floats((C, H, W, m))), "kernel": k, "stride": s, "padding": p}
    if weights == "2d":
        kw_.update(W=draw(floats((F, C * kh * kw))), b=draw(floats((F, 1))))
    elif weights == "4d":
        kw_.update(W4=draw(floats((F, C, kh, kw))), b=draw(floats((F, 1))))
    return kw_


def _check_conv_out(result, kw):
    Z = result[0] if isinstance(result, tuple) else result
    assert Z.shape[1:] == _dZ_for(kw), Z.shape


fuzz2("conv.conv_output_shape", conv_args(None).map(lambda kw: {
    "H": kw["X"].shape[1], "W": kw["X"].shape[2], "kernel": kw["kernel"], "stride": kw["stride"],
    "padding": kw["padding"]}), fn=lambda H, W, kernel, stride, padding: _cv().conv_output_shape(H, W, kernel, stride,
                                                                                               padding))
fuzz2("conv.pad_images", conv_args(None).map(lambda kw: {"X": kw["X"], "padding": kw["padding"]}),
      fn=lambda X, padding: _cv().pad_images(X, padding), propagates=True,
      check=lambda r, kw: r.shape[1] == kw["X"].shape[1] + 2 * _pair_of(kw["padding"])[0] or pytest.fail(str(r.shape)))
fuzz2("conv.conv2d_loops", conv_args("4d"), fn=lambda X, W4, b, kernel, stride, padding: _cv().conv2d_loops(
    X, W4, b, stride, padding), fixed=("kernel",), propagates=True, check=_check_conv_out)
fuzz2("conv.im2col", conv_args(None), fn=lambda X, kernel, stride, padding: _cv().im2col(X, kernel, stride, padding),
      propagates=True)
fuzz2("conv.conv_forward", conv_args("2d"), fn=lambda X, W, b, kernel, stride, padding: _cv().conv_forward(
    X, W, b, kernel, stride, padding), propagates=True, check=_check_conv_out)


def _conv_backward(dZ, X, W, b, kernel, stride, padding, need_dA_prev):
    _, cache = _cv().conv_forward(X, W, b, kernel, stride, padding)
    return _cv().conv_backward(dZ, cache, need_dA_prev)


def _col2im(dcols, X, kernel, stride, padding):
    return _cv().col2im(dcols, X.shape, kernel, stride, padding)


def _valid_conv(weights="2d"):
    return conv_args(weights).map(lambda kw: {k: (v.astype(np.float64) if isinstance(v, np.ndarray) else v)
                                              for k, v in kw.items()}).filter(
        lambda kw: all(np.all(np.isfinite(v)) and np.max(np.abs(v), initial=0) < 1e10
                       for v in kw.values() if isinstance(v, np.ndarray)))


def _dZ_for(kw):
    (kh, kw_), (sh, sw), (ph, pw) = _pair_of(kw["kernel"]), _pair_of(kw["stride"]), _pair_of(kw["padding"])
    C, H, W, m = kw["X"].shape
    return ((H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw_) // sw + 1, m)


fuzz2("conv.conv_backward", _valid_conv().flatmap(lambda kw: args(
    dZ=floats((kw["W"].shape[0], *_dZ_for(kw))), need_dA_prev=st.booleans(),
    **{k: st.just(v) for k, v in kw.items()})), fn=_conv_backward,
    fixed=("X", "W", "b", "kernel", "stride", "padding"), propagates=True)
fuzz2("conv.col2im", _valid_conv(None).flatmap(lambda kw: args(
    dcols=floats((kw["X"].shape[0] * int(np.prod(_pair_of(kw["kernel"]))), int(np.prod(_dZ_for(kw))))),
    **{k: st.just(v) for k, v in kw.items()})), fn=_col2im, fixed=("X",), propagates=True,
    check=lambda r, kw: r.shape == kw["X"].shape or pytest.fail(str(r.shape)))


@st.composite
def conv_dX_full_args(draw):
    kw = draw(conv_args("4d"))
    F = kw["W4"].shape[0]
    (kh, kw_), (ph, pw) = kw["W4"].shape[2:], _pair_of(kw["padding"])
    C, H, W, m = kw["X"].shape
    return {"dZ": draw(floats((F, H + 2 * ph - kh + 1, W + 2 * pw - kw_ + 1, m))), "W4": kw["W4"],
            "padding": kw["padding"]}


fuzz2("conv.conv_dX_full", conv_dX_full_args(), fn=lambda dZ, W4, padding: _cv().conv_dX_full(dZ, W4, padding),
      propagates=True)


def _conv_layer(n_in, filters, kernel_size, stride, padding, activation, X, rng):
    return _layer_round(_cv().Conv2D(n_in, filters, kernel_size, stride, padding, activation, rng=rng), X)


fuzz2("conv.Conv2D", conv_args(None).flatmap(lambda kw: args(
    n_in=st.just(list(kw["X"].shape[:3])), filters=st.integers(1, 3), kernel_size=st.just(kw["kernel"]),
    stride=st.just(kw["stride"]), padding=st.just(kw["padding"]), activation=activation_names,
    X=st.just(kw["X"]), rng=rngs)), fn=_conv_layer, propagates=True)


@st.composite
def pool_args(draw):
    p, s = draw(kernels), draw(st.one_of(st.none(), strides))
    ph, pw = _pair_of(p)
    C, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    X = draw(floats((C, draw(st.integers(ph, 5)), draw(st.integers(pw, 5)), m)))
    return {"X": X, "pool": p, "stride": p if s is None else s}


fuzz2("pooling.pool_output_shape", pool_args().map(lambda kw: {"H": kw["X"].shape[1], "W": kw["X"].shape[2],
                                                              "pool": kw["pool"], "stride": kw["stride"]}),
      fn=lambda H, W, pool, stride: _pl().pool_output_shape(H, W, pool, stride))
for _name in ["maxpool_forward", "avgpool_forward"]:
    fuzz2(f"pooling.{_name}", pool_args(), fn=(lambda n: lambda X, pool, stride: getattr(_pl(), n)(X, pool, stride))(
        _name), propagates=True)


def _pool_backward(name):
    def fn(dA, X, pool, stride):
        A, cache = getattr(_pl(), name + "_forward")(X, pool, stride)
        return getattr(_pl(), name + "_backward")(dA, cache)
    return fn


def _pool_out(kw):
    (ph, pw), (sh, sw) = _pair_of(kw["pool"]), _pair_of(kw["stride"])
    C, H, W, m = kw["X"].shape
    return C, (H - ph) // sh + 1, (W - pw) // sw + 1, m


for _name in ["maxpool", "avgpool"]:
    fuzz2(f"pooling.{_name}_backward", pool_args().flatmap(lambda kw: args(dA=floats(_pool_out(kw)), **{
        k: st.just(v) for k, v in kw.items()})), fn=_pool_backward(_name), fixed=("X", "pool", "stride"),
        propagates=True, check=lambda r, kw: r.shape == kw["X"].shape or pytest.fail(str(r.shape)))


def _pool_layer(cls):
    def fn(n_in, pool_size, stride, X):
        return _layer_round(getattr(_pl(), cls)(n_in, pool_size, stride), X)
    return fn


for _name in ["MaxPool2D", "AvgPool2D"]:
    fuzz2(f"pooling.{_name}", pool_args().map(lambda kw: {"n_in": list(kw["X"].shape[:3]), "pool_size": kw["pool"],
                                                          "stride": kw["stride"], "X": kw["X"]}),
          fn=_pool_layer(_name), propagates=True)
fuzz2("pooling.Flatten", columns().map(lambda X: {"n_in": list(X.shape[:-1]), "X": X}),
      fn=lambda n_in, X: _layer_round(_pl().Flatten(n_in), X), propagates=True)  # a reshape: NaN in, NaN out


# recurrent


def _rc():
    from nnlib import recurrent
    return recurrent


@st.composite
def rnn_args(draw, gates=1):
    n_x, n_h, T, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    return {"X": draw(floats((n_x, T, m), dtype=draw(st.sampled_from([np.float64, np.float32])))),
            "h0": draw(floats((n_h, m))), "Wx": draw(floats((gates * n_h, n_x))),
            "Wh": draw(floats((gates * n_h, n_h))), "b": draw(floats((gates * n_h, 1)))}


for _name, _g in [("rnn", 1), ("gru", 3)]:
    fuzz2(f"recurrent.{_name}_forward", rnn_args(_g), fn=(lambda n: lambda X, h0, Wx, Wh, b: getattr(
        _rc(), n + "_forward")(X, h0, Wx, Wh, b))(_name), propagates=True,
        check=lambda r, kw: r[0].shape == (kw["h0"].shape[0], *kw["X"].shape[1:]) or pytest.fail(str(r[0].shape)))


def _rnn_backward(name):
    def fn(dH, X, h0, Wx, Wh, b):
        _, cache = getattr(_rc(), name + "_forward")(X, h0, Wx, Wh, b)
        return getattr(_rc(), name + "_backward")(dH, cache)
    return fn


def _valid_rnn(gates):
    return rnn_args(gates).map(lambda kw: {k: v.astype(np.float64) for k, v in kw.items()}).filter(
        lambda kw: all(np.all(np.isfinite(v)) and np.max(np.abs(v)) < 1e10 for v in kw.values()))


for _name, _g in [("rnn", 1), ("gru", 3)]:
    fuzz2(f"recurrent.{_name}_backward", _valid_rnn(_g).flatmap(lambda kw: args(
        dH=floats((kw["h0"].shape[0], *kw["X"].shape[1:])), **{k: st.just(v) for k, v in kw.items()})),
        fn=_rnn_backward(_name), fixed=("X", "h0", "Wx", "Wh", "b"), propagates=True,
        check=lambda r, kw: r[0].shape == kw["X"].shape or pytest.fail(str(r[0].shape)))
fuzz2("recurrent.orthogonal", args(n=st.integers(1, 5), rng=rngs, dtype=st.sampled_from([np.float64, np.float32])),
      fn=lambda n, rng, dtype: _rc().orthogonal(n, rng, dtype),
      check=lambda r, kw: np.allclose(r @ r.T, np.eye(kw["n"]), atol=1e-5) or pytest.fail("not orthogonal"))


def _recurrent_layer(cls):
    def fn(n_x, n_h, seq_len, return_sequences, X, rng):
        return _layer_round(getattr(_rc(), cls)(n_x, n_h, seq_len, return_sequences, rng), X)
    return fn


for _name in ["RNN", "GRU"]:
    fuzz2(f"recurrent.{_name}", rnn_args().map(lambda kw: kw["X"]).flatmap(lambda X: args(
        n_x=st.just(X.shape[0]), n_h=st.integers(1, 3), seq_len=st.sampled_from([None, X.shape[1]]),
        return_sequences=st.booleans(), X=st.just(X), rng=rngs)), fn=_recurrent_layer(_name), propagates=True)


def _grads_dict():
    return st.dictionaries(st.sampled_from(["W1", "b1", "W2"]), st.tuples(sizes, sizes).flatmap(floats), max_size=3)


fuzz2("recurrent.global_norm", args(grads=_grads_dict()), fn=lambda grads: _rc().global_norm(grads), propagates=True,
      check=lambda r, kw: r >= 0 or pytest.fail(str(r)))
fuzz2("recurrent.clip_by_global_norm", args(grads=_grads_dict(), max_norm=st.floats(0.1, 10)),
      fn=lambda grads, max_norm: _rc().clip_by_global_norm(grads, max_norm), raises=(FloatingPointError,),
      propagates=True, check=lambda r, kw: r[1] >= 0 or pytest.fail(str(r)))


def _with_clipping(max_norm, X, Y, net):
    return _rc().with_clipping(net.loss_and_grads, max_norm)(X, Y)


@st.composite
def clipping_args(draw):
    net, X, Y = draw(model_and_data())
    return {"max_norm": draw(st.floats(0.1, 10)), "X": X, "Y": Y, "net": net}


fuzz2("recurrent.with_clipping", clipping_args(), fn=_with_clipping, raises=(FloatingPointError,))


# autograd, regression, playground


def _ag():
    from nnlib import autograd
    return autograd


def _tensor_round(data, exponent):
    x = _ag().Tensor(data)
    out = ((x * 2.0 + 1.0).tanh() ** exponent).sum()
    out.backward()
    assert x.grad.shape == x.shape
    return float(out.data), x.grad


fuzz2("autograd.Tensor", args(data=any_shape_floats(), exponent=st.sampled_from([1, 2, 3])), fn=_tensor_round,
      fixed=("exponent",))  # the scenario's choice of operation: garbage goes to Tensor's data
fuzz2("autograd.as_tensor", args(x=any_shape_floats()), fn=lambda x: _ag().as_tensor(x).data,
      check=lambda r, kw: r.shape == np.shape(kw["x"]) or pytest.fail(str(r.shape)))
fuzz2("autograd.topological_order", args(root=st.just(None)).map(
    lambda kw: {"root": (_ag().Tensor(np.ones(2)) * 3.0).sum()}) | args(root=garbage),
    fn=lambda root: _ag().topological_order(root),
    check=lambda r, kw: r[-1] is kw["root"] or pytest.fail(str(r)))


def _rg():
    from nnlib import regression
    return regression


fuzz2("regression.squared_error", st.tuples(sizes, sizes).flatmap(lambda s: args(Z=floats(s), Y=floats(s))),
      fn=lambda Z, Y: _rg().squared_error(Z, Y), check=lambda r, kw: r[0] >= 0 or pytest.fail(str(r)))
fuzz2("regression.SquaredError", st.tuples(sizes, sizes).flatmap(lambda s: args(Z=floats(s), Y=floats(s))),
      fn=lambda Z, Y: _rg().SquaredError().loss(Z, Y))


def _run(dataset, depth, width, activation, lambd, keep_prob, seed, m, epochs):
    from nnlib import playground
    run = playground.Run(dataset=dataset, depth=depth, width=width, activation=activation, lambd=lambd,
                         keep_prob=keep_prob, seed=seed, m=m).train(epochs)
    return run.costs, run.accuracy()


_run_args = args(dataset=st.sampled_from(["xor", "moons", "circles", "spirals", "flower"]), depth=st.integers(1, 2),
                 width=st.integers(1, 6), activation=activation_names, lambd=st.floats(0, 2),
                 keep_prob=st.floats(0.5, 1.0), seed=st.integers(0, 9), m=st.integers(2, 40), epochs=st.integers(0, 2))
fuzz2("playground.Run", _run_args, fn=_run)


def _draw(run, fig):
    from nnlib import playground
    return playground.draw(run, fig) and None


_a_run = {}


def a_run():
    """One small trained Run, made once (draw is what is fuzzed, not training)."""
    from nnlib import playground
    if "run" not in _a_run:
        _a_run["run"] = playground.Run(dataset="xor", depth=1, width=3, m=20).train(1)
    return _a_run["run"]


fuzz2("playground.draw", args(run=st.builds(a_run), fig=st.none()), fn=_draw)


def _playground_box(epochs, frames, depth, width, activation):
    import importlib.util

    from nnlib import playground
    try:
        box = playground.playground(epochs=epochs, frames=frames, dataset="xor", depth=depth, width=width,
                                    activation=activation)
    except ImportError:
        if importlib.util.find_spec("ipywidgets") is None:  # the test extra alone (CI's unit tests on 3.10/3.13):
            return []                                        # arguments checked, then the documented ImportError
        raise
    assert len(box.run.costs) == frames * (epochs // frames)
    return box.run.costs


# a small run (a few ms to train; the figure drawn at the end is most of the time)
fuzz2("playground.playground", args(epochs=st.integers(2, 3), frames=st.integers(1, 2), depth=st.just(1),
                                    width=st.integers(1, 3), activation=st.sampled_from(["relu", "tanh"])),
      fn=_playground_box)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@given(data=st.data())
def test_scenario(name, data):
    """Part II on valid input: its pieces agree with each other and every result is finite."""
    spec = SCENARIOS[name]
    kwargs = dict(data.draw(spec.args, label="arguments"))
    ok, result = outcome(spec, kwargs)
    assert ok, f"{name} refused valid input {kwargs}: {result}"
    assert is_finite(result), f"{name} returned a NaN or infinity for {kwargs}"


# --- the tests -----------------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def fuzz_tmp(tmp_path_factory):
    FUZZ_TMP["dir"] = tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("name", sorted(FUZZ))
@given(data=st.data())
def test_contract(name, data):
    spec = FUZZ[name]
    kwargs = dict(data.draw(spec.args, label="arguments"))
    data_args = [k for k in sorted(kwargs) if k not in spec.fixed and is_data(kwargs[k])] if spec.corrupt else []
    victim = data.draw(st.sampled_from([None, *data_args]), label="garbage in")
    if victim is not None:  # arithmetic promises nothing for a list or a string, only for arrays
        bad = spec.garbage if spec.garbage is not None else garbage_arrays if spec.propagates else garbage
        kwargs[victim] = data.draw(bad, label=victim)
    ok, result = outcome(spec, kwargs)
    if not ok:
        return
    if spec.propagates and not moderate(kwargs):
        return  # arithmetic on NaN, inf or 1e300: no promise beyond the exception types
    if spec.reports_divergence and result_diverged(result):
        return
    assert is_finite(result), f"{name} returned a NaN or infinity for {kwargs}: {result}"
    if victim is None and spec.check is not None:
        spec.check(result, kwargs)


def result_diverged(result):
    histories = [r["history"] for r in result] if isinstance(result, list) else [result]
    return all(h["diverged"] is not None for h in histories)


def public_names():
    """Every public function and class of every nnlib module: the module's __all__ if it has one, else the
    callables defined in it whose names do not start with "_" (constants are not fuzzed)."""
    found = set()
    for info in pkgutil.iter_modules(nnlib.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"nnlib.{info.name}")
        names = getattr(module, "__all__", None)
        if names is None:
            names = [n for n, obj in vars(module).items()
                     if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__]
        found |= {f"{info.name}.{n}" for n in names if callable(getattr(module, n))}
    return found


def test_every_public_name_is_fuzzed():
    public = public_names()
    assert not public - set(FUZZ), f"public names with no row in FUZZ (add one): {sorted(public - set(FUZZ))}"
    assert not set(FUZZ) - public, f"rows in FUZZ for names that are not public: {sorted(set(FUZZ) - public)}"
    assert len(public) > 90


def test_the_contract_catches_what_it_should():
    """The harness itself: a silent NaN, an IndexError and an empty message all fail it."""
    spec = Spec(fn=lambda Z: np.log(Z - 10), args=args(Z=st.just(np.ones(2))))
    ok, result = outcome(spec, {"Z": np.ones(2)})
    assert ok and not is_finite(result)
    with pytest.raises(IndexError):
        outcome(Spec(fn=lambda: [][1], args=args()), {})
    with pytest.raises(AssertionError, match="without a message"):
        outcome(Spec(fn=lambda: (_ for _ in ()).throw(ValueError()), args=args()), {})
    ok, _ = outcome(Spec(fn=lambda: (_ for _ in ()).throw(FloatingPointError("diverged")), args=args(),
                         raises=(FloatingPointError,)), {})
    assert not ok
