"""Each check cell, run on the answers a student might write: correct variants must PASS, plausible wrong
answers must FAIL with their own hint, and nothing may raise but the check's AssertionError.

The check cells are taken from the committed notebooks and run without a kernel, in a subprocess (one per
check) over a copy of the tree: for a %%writefile exercise the variant replaces the solution region of the
module (then the check loads it, as in the notebook); for a value exercise the variant is a line of code that
defines the answer. `coursekit.verdict` gives the line the check cell would print or raise.

Each case: (label, variant, expected) where expected is "PASS" or a piece of the FAIL hint.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from notebook_tools import ROOT, read_notebook

STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
SYNTAX = "return np.where(Z >= 0,"

SIGMOID = [
    ("reference", None, "PASS"),
    ("tanh form", "Z = np.asarray(Z)\nreturn (0.5 * (1 + np.tanh(Z / 2))).astype(np.result_type(Z, np.float32))", "PASS"),
    ("masks", "Z = np.asarray(Z)\nout = np.empty_like(Z, dtype=np.result_type(Z, np.float32))\npos = Z >= 0\n"
              "out[pos] = 1 / (1 + np.exp(-Z[pos]))\ne = np.exp(Z[~pos])\nout[~pos] = e / (1 + e)\nreturn out", "PASS"),
    ("naive", "return 1 / (1 + np.exp(-Z))", "warns"),
    ("errstate hides the overflow", "with np.errstate(over='ignore'):\n    return 1 / (1 + np.exp(-np.asarray(Z)))",
     "overflow was not"),
    ("overwrites Z", "e = np.exp(-np.abs(Z))\nZ[...] = np.where(Z >= 0, 1 / (1 + e), e / (1 + e))\nreturn Z",
     "changed its input"),
    ("always float64", "Z = np.asarray(Z, dtype=np.float64)\ne = np.exp(-np.abs(Z))\n"
                       "return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))", "float32"),
    ("branches swapped", "e = np.exp(-np.abs(Z))\nreturn np.where(Z >= 0, e / (1 + e), 1 / (1 + e))", "expected"),
    ("a list", "return [[0.5]]", "shape"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

INITIAL_COST = [
    ("np.log(2)", "initial_cost = np.log(2)", "PASS"),
    ("-log(1/2)", "initial_cost = -np.log(0.5)", "PASS"),
    ("python float", "initial_cost = 0.6931471805599453", "PASS"),
    ("size-1 array", "initial_cost = np.array([np.log(2)])", "PASS"),
    ("rounded", "initial_cost = 0.693", "the training run started at"),
    ("log of 1/2", "initial_cost = np.log(0.5)", "negative"),
    ("a string", "initial_cost = 'ln 2'", "should be a number"),
    ("two numbers", "initial_cost = [np.log(2), np.log(2)]", "one number"),
    ("undefined", "", "not defined"),
]

RELATIVE_ERROR = [
    ("reference", None, "PASS"),
    ("sums of squares", "a, n = np.asarray(analytic, float), np.asarray(numeric, float)\n"
                        "if a.shape != n.shape:\n    raise ValueError(f'shapes {a.shape} and {n.shape} differ')\n"
                        "d = np.sqrt(np.sum(a ** 2)) + np.sqrt(np.sum(n ** 2))\n"
                        "return 0.0 if d == 0 else float(np.sqrt(np.sum((a - n) ** 2)) / d)", "PASS"),
    ("spectral norm", "a, n = np.asarray(analytic, float), np.asarray(numeric, float)\n"
                      "if a.shape != n.shape:\n    raise ValueError(f'{a.shape} vs {n.shape}')\n"
                      "o = 2 if a.ndim == 2 else None\nd = np.linalg.norm(a, o) + np.linalg.norm(n, o)\n"
                      "return 0.0 if d == 0 else float(np.linalg.norm(a - n, o) / d)", "Frobenius"),
    ("no 0/0 guard", "a, n = np.asarray(analytic, float), np.asarray(numeric, float)\n"
                     "if a.shape != n.shape:\n    raise ValueError(f'{a.shape} vs {n.shape}')\n"
                     "return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))", "warns"),
    ("no shape check", "a, n = np.asarray(analytic, float), np.asarray(numeric, float)\n"
                       "d = np.linalg.norm(a) + np.linalg.norm(n)\n"
                       "return 0.0 if d == 0 else float(np.linalg.norm(a - n) / d)", "accepts arrays of shapes"),
    ("flattened first", "a, n = np.ravel(analytic).astype(float), np.ravel(numeric).astype(float)\n"
                        "if a.size != n.size:\n    raise ValueError(f'{np.shape(analytic)} vs {np.shape(numeric)}')\n"
                        "d = np.linalg.norm(a) + np.linalg.norm(n)\n"
                        "return 0.0 if d == 0 else float(np.linalg.norm(a - n) / d)", "accepts arrays of shapes"),
    ("silent shape message", "a, n = np.asarray(analytic, float), np.asarray(numeric, float)\n"
                             "if a.shape != n.shape:\n    raise ValueError('shapes differ')\n"
                             "d = np.linalg.norm(a) + np.linalg.norm(n)\n"
                             "return 0.0 if d == 0 else float(np.linalg.norm(a - n) / d)", "name both shapes"),
    ("a 0-d array", "a, n = np.asarray(analytic, float), np.asarray(numeric, float)\n"
                    "if a.shape != n.shape:\n    raise ValueError(f'{a.shape} vs {n.shape}')\n"
                    "d = np.linalg.norm(a) + np.linalg.norm(n)\n"
                    "return np.array(0.0) if d == 0 else np.array(np.linalg.norm(a - n) / d)", "Python float"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

DW_SETUP = """
from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
rng = np.random.default_rng(3)
X3, T3, W3 = rng.normal(size=(4, 10)), rng.normal(size=(4, 10)), rng.normal(size=(4, 4))
"""
DW_FIXED = [
    ("matrix product", "dW_fixed = 2 * (W3 @ X3 - T3) @ X3.T / X3.shape[1]", "PASS"),
    ("einsum", "dW_fixed = 2 * np.einsum('ji,ki->jk', W3 @ X3 - T3, X3) / X3.shape[1]", "PASS"),
    ("nested lists", "dW_fixed = (2 * (W3 @ X3 - T3) @ X3.T / X3.shape[1]).tolist()", "PASS"),
    ("no 1/m", "dW_fixed = 2 * (W3 @ X3 - T3) @ X3.T", "m = 10 times too large"),
    ("the 1/2 cost's gradient", "dW_fixed = (W3 @ X3 - T3) @ X3.T / X3.shape[1]", "half the true gradient"),
    ("factor 4", "dW_fixed = 4 * (W3 @ X3 - T3) @ X3.T / X3.shape[1]", "twice the true gradient"),
    ("flipped sign", "dW_fixed = 2 * (T3 - W3 @ X3) @ X3.T / X3.shape[1]", "wrong sign"),
    ("transposed", "dW_fixed = 2 * X3 @ (W3 @ X3 - T3).T / X3.shape[1]", "transpose"),
    ("wrong shape", "dW_fixed = 2 * (W3 @ X3 - T3) / X3.shape[1]", "shape"),
    ("a string", "dW_fixed = 'dW'", "array of numbers"),
    ("undefined", "", "not defined"),
]

RATIO = [
    ("exact", "predicted_ratio = (1 / np.sqrt(2)) ** 9", "PASS"),
    ("rounded", "predicted_ratio = 0.044", "PASS"),
    ("power of two", "predicted_ratio = 2 ** -4.5", "PASS"),
    ("size-1 array", "predicted_ratio = np.array([0.0442])", "PASS"),
    ("one layer", "predicted_ratio = 1 / np.sqrt(2)", "one layer"),
    ("ten steps", "predicted_ratio = (1 / np.sqrt(2)) ** 10", "9 layers"),
    ("variances", "predicted_ratio = 0.5 ** 9", "variances"),
    ("no change", "predicted_ratio = 1.0", "E[a^2]"),
    ("a string", "predicted_ratio = 'small'", "one number"),
]

NUM_PARAMS = [
    ("count", "num_params = 6273", "PASS"),
    ("formula", "num_params = 64 * 65 + 32 * 65 + 1 * 33", "PASS"),
    ("numpy integer", "num_params = np.int64(6273)", "PASS"),
    ("whole float", "num_params = 6273.0", "PASS"),
    ("not whole", "num_params = 6273.9", "whole number"),
    ("weights only", "num_params = 64 * 64 + 64 * 32 + 32", "only the weights"),
    ("input biases", "num_params = 6273 + 64", "input layer"),
    ("a string", "num_params = '6273'", "whole number"),
    ("a bool", "num_params = True", "whole number"),
]

SOFTMAX = [
    ("reference", None, "PASS"),
    ("max without keepdims", "E = np.exp(Z - np.max(Z, axis=0))\nreturn E / np.sum(E, axis=0)", "PASS"),
    ("shift by the mean", "E = np.exp(Z - Z.mean(axis=0, keepdims=True))\nreturn E / E.sum(axis=0, keepdims=True)", "warns"),
    ("shift by the minimum", "E = np.exp(Z - Z.min(axis=0, keepdims=True))\nreturn E / E.sum(axis=0, keepdims=True)", "warns"),
    ("global maximum", "E = np.exp(Z - Z.max())\nreturn E / E.sum(axis=0, keepdims=True)", "warns"),
    ("no shift", "E = np.exp(Z)\nreturn E / E.sum(axis=0, keepdims=True)", "warns"),
    ("row-wise", "E = np.exp(Z - Z.max(axis=-1, keepdims=True))\nreturn E / E.sum(axis=-1, keepdims=True)", "rows"),
    ("row-wise axis=1", "E = np.exp(Z - Z.max(axis=1, keepdims=True))\nreturn E / E.sum(axis=1, keepdims=True)", "rows"),
    ("in place", "Z -= Z.max(axis=0, keepdims=True)\nnp.exp(Z, out=Z)\nZ /= Z.sum(axis=0, keepdims=True)\nreturn Z",
     "changed its input"),
    ("float64 always", "Z = Z.astype(np.float64)\nE = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
                       "return E / E.sum(axis=0, keepdims=True)", "float32"),
    ("2-D only", "Z = np.atleast_2d(Z)\nE = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
                 "return E / E.sum(axis=0, keepdims=True)", "one vector"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

RIGHT_06 = "my_softmax = np.array([0.25, 0.75])\nmy_jacobian = np.array([[0.25, -0.25], [-0.25, 0.25]])\n" \
           "my_cost = np.log(10)\nmy_dz = np.array([0.7, -0.8, 0.1])\n"
ANSWERS_06 = [
    ("exact", RIGHT_06, "PASS"),
    ("columns and decimals", RIGHT_06 + "my_softmax = np.array([[0.25], [0.75]])\nmy_dz = [[0.7], [-0.8], [0.1]]\n"
                                        "my_cost = 2.303\n", "PASS"),
    ("size-1 cost", RIGHT_06 + "my_cost = np.array([np.log(10)])\n", "PASS"),
    ("lists", RIGHT_06 + "my_softmax = [1 / 4, 3 / 4]\nmy_jacobian = [[0.25, -0.25], [-0.25, 0.25]]\n", "PASS"),
    ("log(9.8)", RIGHT_06 + "my_cost = np.log(9.8)\n", "3. not quite"),
    ("log10", RIGHT_06 + "my_cost = 1.0\n", "natural logarithm"),
    ("dz sign", RIGHT_06 + "my_dz = [-0.7, 0.8, -0.1]\n", "4. the sign is flipped"),
    ("dz of s", RIGHT_06 + "my_dz = [0.7, 0.2, 0.1]\n", "4. that is s itself"),
    ("softmax swapped", RIGHT_06 + "my_softmax = [0.75, 0.25]\n", "1. the larger logit"),
    ("jacobian signs", RIGHT_06 + "my_jacobian = [[0.25, 0.25], [0.25, 0.25]]\n", "2. check the signs"),
    ("three numbers", RIGHT_06 + "my_softmax = [0.25, 0.75, 0.0]\n", "1. my_softmax should hold two numbers"),
    ("strings", RIGHT_06 + "my_cost = 'ln 10'\n", "a number or an array"),
    ("undefined", "", "not defined"),
]

LINEAR_BACKWARD = [
    ("reference", None, "PASS"),
    ("plain", "dW = dZ @ A_prev.T / m\ndb = np.sum(dZ, axis=1, keepdims=True) / m\n"
              "return (W.T @ dZ if need_dA_prev else None), dW, db", "PASS"),
    ("no 1/m", "return (W.T @ dZ if need_dA_prev else None), dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)",
     "m = 5 times too large"),
    ("1/m in dA_prev", "return (W.T @ dZ / m if need_dA_prev else None), dZ @ A_prev.T / m, "
                       "dZ.sum(axis=1, keepdims=True) / m", "too small"),
    ("db without keepdims", "return (W.T @ dZ if need_dA_prev else None), dZ @ A_prev.T / m, dZ.sum(axis=1) / m",
     "keepdims"),
    ("dZ divided in place", "dZ /= m\nreturn (W.T @ dZ * m if need_dA_prev else None), dZ @ A_prev.T, "
                            "dZ.sum(axis=1, keepdims=True)", "changed one of its inputs"),
    ("ignores need_dA_prev", "return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m",
     "need_dA_prev=False"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

BACKWARD_03 = """
def backward(Y, params, cache, hidden="tanh"):
    X, Z1, A1, A2 = cache
    m = X.shape[1]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dA1 = params["W2"].T @ dZ2
    dZ1 = dA1 * (1 - A1 ** 2) if hidden == "tanh" else dA1 * (Z1 > 0)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
"""
BACKWARD = [
    ("reference", BACKWARD_03, "PASS"),
    ("tanh' from Z1", BACKWARD_03.replace("np.tanh", "").replace("(1 - A1 ** 2)", "(1 - np.tanh(Z1) ** 2)"), "PASS"),
    ("no 1/m in dW2", BACKWARD_03.replace("dW2 = dZ2 @ A1.T / m", "dW2 = dZ2 @ A1.T"), "m = 6 times too large"),
    ("tanh' with Z1", BACKWARD_03.replace("(1 - A1 ** 2)", "(1 - Z1 ** 2)"), "not with Z1"),
    ("ReLU' of A", BACKWARD_03.replace("(Z1 > 0)", "A1"), "ReLU'(z)"),
    ("dW1 transposed", BACKWARD_03.replace("dW1 = dZ1 @ X.T / m", "dW1 = X @ dZ1.T / m"), "transposed"),
    ("db2 without keepdims", BACKWARD_03.replace("db2 = dZ2.sum(axis=1, keepdims=True) / m", "db2 = dZ2.sum() / m"),
     "keepdims"),
    ("wrong keys", BACKWARD_03.replace('"W1": dW1', '"dW1": dW1'), "keys"),
    ("stub", 'def backward(Y, params, cache, hidden="tanh"):\n    raise NotImplementedError()\n', "NotImplementedError"),
    ("undefined (the cell did not run)", "", "not defined"),
]

METRICS = [("reference", None, "PASS"), ("stub", STUB, "NotImplementedError"), ("syntax error", SYNTAX, "syntax error")]

SP = "def softplus(x):\n    x = as_tensor(x)\n    "
SOFTPLUS = [
    ("logaddexp", SP + "return Tensor.from_op(np.logaddexp(0, x.data), (x,), lambda G: (G * sigmoid(x.data),), 'sp')",
     "PASS"),
    ("max + log1p", SP + "d = np.maximum(x.data, 0) + np.log1p(np.exp(-np.abs(x.data)))\n"
                         "    return Tensor.from_op(d, (x,), lambda G: (G * sigmoid(x.data),), 'sp')", "PASS"),
    ("naive log(1 + e^x)", SP + "return Tensor.from_op(np.log(1 + np.exp(x.data)), (x,), "
                                "lambda G: (G * sigmoid(x.data),), 'sp')", "np.logaddexp"),
    ("composed from ops", SP + "return (x.exp() + 1.0).log()", "np.logaddexp"),
    ("forgets G", SP + "return Tensor.from_op(np.logaddexp(0, x.data), (x,), lambda G: (sigmoid(x.data),), 'sp')",
     "multiply by G"),
    ("vjp not a tuple", SP + "return Tensor.from_op(np.logaddexp(0, x.data), (x,), "
                             "lambda G: G * sigmoid(x.data), 'sp')", "a tuple"),
    ("wrong derivative", SP + "return Tensor.from_op(np.logaddexp(0, x.data), (x,), "
                              "lambda G: (G * np.logaddexp(0, x.data),), 'sp')", "sigmoid"),
    ("an ndarray", SP + "return np.logaddexp(0, x.data)", "must return a Tensor"),
    ("writes into x", SP + "s = sigmoid(x.data)\n    np.logaddexp(0, x.data, out=x.data)\n"
                           "    return Tensor.from_op(x.data, (x,), lambda G: (G * s,), 'sp')", "changed x.data"),
    ("no parents", SP + "return Tensor.from_op(np.logaddexp(0, x.data), (), lambda G: (), 'sp')", "parents"),
    ("stub", SP + "raise NotImplementedError()", "NotImplementedError"),
    ("undefined", "", "not defined"),
]
SOFTPLUS_SETUP = ("import warnings\nfrom nnlib.activations import sigmoid\nfrom nnlib.autograd import Tensor, as_tensor\n"
                  "from nnlib.gradcheck import numerical_gradient, relative_error")

IW = "def interpolating_weights(f, knots):\n    knots = np.asarray(knots, dtype=float)\n    v = f(knots)\n    n = len(knots) - 1\n"
INTERPOLATION = [
    ("slope changes", IW + "    s = np.diff(v) / np.diff(knots)\n    a = np.diff(s, prepend=0.0)\n"
                           "    return np.ones((n, 1)), -knots[:-1, None], a[None, :], np.full((1, 1), v[0])", "PASS"),
    ("a loop", IW + "    W2, prev = np.zeros((1, n)), 0.0\n    for j in range(n):\n"
                    "        s = (v[j + 1] - v[j]) / (knots[j + 1] - knots[j])\n        W2[0, j], prev = s - prev, s\n"
                    "    return np.ones((n, 1)), -knots[:-1].reshape(n, 1), W2, np.array([[v[0]]])", "PASS"),
    ("slopes, not their changes", IW + "    s = np.diff(v) / np.diff(knots)\n"
                                       "    return np.ones((n, 1)), -knots[:-1, None], s[None, :], np.full((1, 1), v[0])",
     "slope changes"),
    ("no output bias", IW + "    s = np.diff(v) / np.diff(knots)\n    a = np.diff(s, prepend=0.0)\n"
                            "    return np.ones((n, 1)), -knots[:-1, None], a[None, :], np.zeros((1, 1))", "wrong height"),
    ("equal spacing assumed", IW + "    h = (knots[-1] - knots[0]) / n\n    s = np.diff(v) / h\n"
                                   "    a = np.diff(s, prepend=0.0)\n"
                                   "    return np.ones((n, 1)), -knots[:-1, None], a[None, :], np.full((1, 1), v[0])",
     "not equally spaced"),
    ("one unit per knot", IW + "    s = np.diff(v) / np.diff(knots)\n    a = np.append(np.diff(s, prepend=0.0), 0.0)\n"
                               "    return np.ones((n + 1, 1)), -knots[:, None], a[None, :], np.full((1, 1), v[0])",
     "must have shape"),
    ("a dict", IW + "    return {'W1': 1}", "tuple"),
    ("stub", IW + "    raise NotImplementedError()", "NotImplementedError"),
]

PRECISION = [
    ("reference", None, "PASS"),
    ("recall's formula", 'return c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0', "TP / (TP + FP)"),
    ("no 0/0 guard", 'return c["tp"] / (c["tp"] + c["fp"])', "return 0.0 then"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]
MOMENTUM = [
    ("reference", None, "PASS"),
    ("accumulates (PyTorch's form)", "v *= self.beta\nv += g\np -= self.learning_rate * v", "PyTorch's form"),
    ("a new array, not in place", "v = self.beta * v + (1.0 - self.beta) * g\np -= self.learning_rate * v", "in place"),
    ("plain SGD", "p -= self.learning_rate * g", "ours averages"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]
L2_GRADS = [
    ("reference", None, "PASS"),
    ("no 1/m", "return {name: lambd * W for name, W in _weights(params).items()}", "forgot to divide by m"),
    ("1/2m", "return {name: (lambd / (2 * m)) * W for name, W in _weights(params).items()}", "half the gradient"),
    ("biases too", "return {name: (lambd / m) * W for name, W in params.items()}", "biases are not penalized"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]
DEAD_RELU = [
    ("reference", None, "PASS"),
    ("fraction of entries", "return float(np.mean(Z <= 0))", "fraction of units (rows)"),
    ("strict inequality", "return float(np.mean(np.all(Z < 0, axis=1)))", "use Z <= 0"),
    ("over the wrong axis", "return float(np.mean(np.all(Z <= 0, axis=0)))", "rows are units"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

# (notebook, check cell grade_id, module of the %%writefile exercise or None, set-up code, cases)
EXERCISES = [
    ("01_single_neuron", "check-sigmoid", "activations", "import warnings", SIGMOID),
    ("01_single_neuron", "check-initial-cost", None, "best_lr = 0.5\ncurves = {0.5: [float(np.log(2)), 0.6]}", INITIAL_COST),
    ("02_gradient_checking", "check-relative-error", "gradcheck", "import warnings", RELATIVE_ERROR),
    ("02_gradient_checking", "check-dW-fixed", None, DW_SETUP, DW_FIXED),
    ("03_one_hidden_layer", "nb03_check_backward", None, "", BACKWARD),
    ("04_deep_network", "nb04_check_linear_backward", "layers", "", LINEAR_BACKWARD),
    ("04_deep_network", "nb04_check_xavier_relu_ratio", None, "", RATIO),
    ("04_deep_network", "nb04_check_parameter_count", None, "from nnlib.model import mlp", NUM_PARAMS),
    ("05_image_classification", "nb05_check_precision_recall_f1", "metrics", "import warnings", PRECISION),
    ("06_softmax", "nb06_check_softmax", "softmax", "import warnings", SOFTMAX),
    ("06_softmax", "nb06_check_check_yourself", None, "", ANSWERS_06),
    ("07_optimization", "nb07_check_momentum_adam", "optim", "", MOMENTUM),
    ("08_regularization", "nb08_check_l2_grads_dropout", "regularization", "", L2_GRADS),
    ("09_debugging_training", "nb09_check_dead_relu_saturated", "diagnostics", "", DEAD_RELU),
    ("11_deep_networks", "nb11_check_layernorm", "normalization", "import importlib\n"
     "from nnlib.gradcheck import numerical_gradient, relative_error", METRICS),
    ("13_recurrent_networks", "nb13_check_bptt_loop", "recurrent", "import importlib\n"
     "from nnlib.gradcheck import numerical_gradient, relative_error", METRICS),
    ("14_automatic_differentiation", "check-softplus", None, SOFTPLUS_SETUP, SOFTPLUS),
    ("16_what_networks_can_learn", "check-interpolating-weights", None, "from nnlib.model import mlp", INTERPOLATION),
]

RUNNER = r"""
import json, sys
from pathlib import Path
tree = Path(sys.argv[1])
spec = json.loads(Path(sys.argv[2]).read_text())
sys.path.insert(0, str(tree))
import coursekit
coursekit.setup(spec["notebook"])
import numpy as np
module_path = tree / "nnlib" / f"{spec['module']}.py" if spec["module"] else None
results = []
for label, text in spec["variants"]:
    ns = {"np": np, "coursekit": coursekit, "__name__": "__main__"}
    exec(spec["setup"], ns)
    if module_path is not None:
        module_path.write_text(text, encoding="utf-8")
    else:
        try:
            exec(text, ns)
        except Exception as err:
            results.append([label, f"VARIANT RAISED {type(err).__name__}: {err}"])
            continue
    exec(spec["check"], ns)
    results.append([label, coursekit.verdict(ns[spec["function"]])])
print("RESULTS" + json.dumps(results))
"""


def with_region(module_text: str, body: str | None) -> str:
    """The module with its first solution region's body replaced (None: unchanged, the reference);
    a stub replaces every region (what make_student does)."""
    if body is None:
        return module_text
    lines, out, k, done = module_text.splitlines(keepends=True), [], 0, False
    while k < len(lines):
        line = lines[k]
        if "### BEGIN SOLUTION" in line and (not done or body == STUB):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(textwrap.indent(body, indent) + "\n")
            while "### END SOLUTION" not in lines[k]:
                k += 1
            done = True
        else:
            out.append(line)
        k += 1
    return "".join(out)


def check_cell(notebook: str, grade_id: str):
    nb = read_notebook(ROOT / "notebooks" / f"{notebook}.ipynb")
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    *body, last = cell.source.rstrip().splitlines()
    assert last.startswith("coursekit.check(") and last.endswith(")")
    return "\n".join(body), last[len("coursekit.check("):-1]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    t = tmp_path_factory.mktemp("tree")
    shutil.copy2(ROOT / "coursekit.py", t / "coursekit.py")
    shutil.copytree(ROOT / "nnlib", t / "nnlib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", t / "data", ignore=shutil.ignore_patterns("*.py"))
    return t


@pytest.mark.parametrize("notebook, grade_id, module, setup, cases", EXERCISES, ids=[e[1] for e in EXERCISES])
def test_check_tells_right_from_wrong(tree, tmp_path, notebook, grade_id, module, setup, cases):
    check, function = check_cell(notebook, grade_id)
    original = (ROOT / "nnlib" / f"{module}.py").read_text(encoding="utf-8") if module else None
    variants = [(label, with_region(original, body) if module else body) for label, body, _ in cases]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"notebook": notebook, "module": module, "setup": setup, "check": check,
                                "function": function, "variants": variants}))
    try:
        done = subprocess.run([sys.executable, "-c", RUNNER, str(tree), str(spec)], capture_output=True, text=True,
                              timeout=300)
    finally:
        if module:
            (tree / "nnlib" / f"{module}.py").write_text(original, encoding="utf-8")
    assert "RESULTS" in done.stdout, done.stdout[-2000:] + done.stderr[-4000:]
    results = dict(json.loads(done.stdout.split("RESULTS", 1)[1]))
    wrong = []
    for label, _, expected in cases:
        got = results[label]
        ok = got.startswith("PASS: ") if expected == "PASS" else (got.startswith("FAIL: ") and expected in got)
        if not ok:
            wrong.append(f"{label!r}: expected {expected!r}, got {got!r}")
    assert not wrong, f"{notebook} {grade_id}:\n" + "\n".join(wrong)
