"""Each check cell, run on the answers a student might write: correct variants must PASS, plausible wrong
answers must FAIL with their own hint, and nothing may raise but the check's AssertionError.

The check cells are taken from the committed notebooks and run without a kernel, in a subprocess (one per
check) over a copy of the tree: for a %%writefile exercise the variant replaces the solution region of the
module (then the check loads it, as in the notebook); for a value exercise the variant is a line of code that
defines the answer. `coursekit.verdict` gives the line the check cell would print or raise. A check that reads the
notebook's state (data, helper functions) gets it from the notebook's own statements (NB(...), notebook_setup).

Each case: (label, variant, expected) where expected is "PASS" or a piece of the FAIL hint.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from notebook_tools import NEEDS_EXTRA, ROOT, read_notebook

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

# --- 00: the mean image of each class (value exercise; the notebook's own X, digits and one_hot) -------------
Y00 = "Y = one_hot(digits['labels'], 10)\n"
MEAN_IMAGE = [
    ("reference", "Y_all = one_hot(digits['labels'], 10)\nM = (X @ Y_all.T) / Y_all.sum(axis=1)", "PASS"),
    ("counts as a (1, 10) row", Y00 + "M = X @ Y.T / Y.sum(axis=1, keepdims=True).T", "PASS"),
    ("bincount and einsum", "M = np.einsum('pi,ki->pk', X, one_hot(digits['labels'], 10)) / "
                            "np.bincount(digits['labels'], minlength=10)", "PASS"),
    ("a loop over the ten classes", "M = np.stack([X[:, digits['labels'] == k].mean(axis=1) for k in range(10)], "
                                    "axis=1)", "PASS"),
    ("float32", Y00 + "M = (X @ Y.T / Y.sum(axis=1)).astype(np.float32)", "PASS"),
    ("sums, not means", Y00 + "M = X @ Y.T", "sums of each class"),
    ("divided by m", Y00 + "M = X @ Y.T / Y.shape[1]", "divide the sums X Y^T by the counts"),
    ("floor division", Y00 + "M = X @ Y.T // Y.sum(axis=1)", "is not the mean of the class"),
    ("the overall mean image", "M = np.repeat(X.mean(axis=1, keepdims=True), 10, axis=1)", "column 0 of M"),
    ("transposed (10, 64)", Y00 + "M = Y @ X.T / Y.sum(axis=1, keepdims=True)", "shape (64, 10)"),
    ("a nested list", Y00 + "M = (X @ Y.T / Y.sum(axis=1)).tolist()", "array of shape (64, 10)"),
    ("a string", "M = 'the mean images'", "array of shape (64, 10)"),
    ("undefined", "", "not defined"),
]

# --- 03: backward pass with sigmoid hidden units ----------------------------------------------------------
BS = "def backward_sigmoid(Y, params, cache):\n    X, Z1, A1, A2 = cache\n    m = X.shape[1]\n"
BS_TAIL = ("    return {'W1': dZ1 @ X.T / m, 'b1': dZ1.sum(axis=1, keepdims=True) / m,\n"
           "            'W2': dZ2 @ A1.T / m, 'b2': dZ2.sum(axis=1, keepdims=True) / m}\n")
BACKWARD_SIGMOID = [
    ("reference", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * A1 * (1 - A1)\n" + BS_TAIL, "PASS"),
    ("sigma' from Z1", BS + "    dZ2 = A2 - Y\n    s = 1 / (1 + np.exp(-Z1))\n"
                            "    dZ1 = params['W2'].T @ dZ2 * s * (1 - s)\n" + BS_TAIL, "PASS"),
    ("einsum and means", BS + "    dZ2 = A2 - Y\n    dZ1 = np.einsum('ji,jk->ik', params['W2'], dZ2) * (A1 - A1 ** 2)\n"
                              "    return {'W2': np.einsum('ik,jk->ij', dZ2, A1) / m, 'b2': dZ2.mean(axis=1, keepdims=True),\n"
                              "            'W1': np.einsum('ik,jk->ij', dZ1, X) / m, 'b1': dZ1.mean(axis=1, keepdims=True)}\n",
     "PASS"),
    ("tanh' kept", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * (1 - A1 ** 2)\n" + BS_TAIL, "sigma'(z)"),
    ("sigma' of Z1 as if it were a", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * Z1 * (1 - Z1)\n" + BS_TAIL,
     "sigma'(z)"),
    ("no 1/m in dW1", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * A1 * (1 - A1)\n"
                           + BS_TAIL.replace("dZ1 @ X.T / m", "dZ1 @ X.T"), "m = 8 times too large"),
    ("dW2 with Z1", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * A1 * (1 - A1)\n"
                         + BS_TAIL.replace("dZ2 @ A1.T", "dZ2 @ Z1.T"), "the output layer is the same"),
    ("db1 without keepdims", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * A1 * (1 - A1)\n"
                                  + BS_TAIL.replace("dZ1.sum(axis=1, keepdims=True)", "dZ1.sum(axis=1)"),
     "has the shape of its parameter"),
    ("keys dW1, ...", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * A1 * (1 - A1)\n"
                           + BS_TAIL.replace("'W1'", "'dW1'"), "with the keys"),
    ("a tuple", BS + "    dZ2 = A2 - Y\n    dZ1 = (params['W2'].T @ dZ2) * A1 * (1 - A1)\n"
                     "    return dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m, dZ2 @ A1.T / m, dZ2.mean()\n",
     "must return a dict"),
    ("stub", BS + "    " + STUB.replace("\n", "\n    "), "NotImplementedError"),
    ("undefined", "", "not defined"),
]

# --- 05: the lazy classifier's scores ----------------------------------------------------------------------
LAZY = ("lazy_guess = {'accuracy': 0.458, 'precision': 0.458, 'recall': 1.0, 'f1': 2 * 0.458 / 1.458}\n")
LAZY_GUESS = [
    ("rounded fractions", LAZY, "PASS"),
    ("exact, numpy scalars", "p = np.float64(165 / 360)\n"
                             "lazy_guess = {'accuracy': p, 'precision': p, 'recall': 1, 'f1': 2 * p / (p + 1)}", "PASS"),
    ("size-1 arrays", LAZY + "lazy_guess = {k: np.array([v]) for k, v in lazy_guess.items()}", "PASS"),
    ("percentages", LAZY + "lazy_guess = {k: 100 * v for k, v in lazy_guess.items()}", "looks like a percentage"),
    ("accuracy of the even images", LAZY + "lazy_guess['accuracy'] = 0.542", "right on exactly the odd images"),
    ("precision 1", LAZY + "lazy_guess['precision'] = 1.0", "TP + FP is the whole test set"),
    ("recall = precision", LAZY + "lazy_guess['recall'] = 0.458", "FN = 0"),
    ("F1 as the arithmetic mean", LAZY + "lazy_guess['f1'] = (0.458 + 1) / 2", "F1 = 2 P R / (P + R)"),
    ("NaN left in", LAZY + "lazy_guess['f1'] = float('nan')", "is not what nnlib.metrics measures"),
    ("a key missing", LAZY + "del lazy_guess['f1']", "a dict with the keys"),
    ("a list", "lazy_guess = [0.458, 0.458, 1.0, 0.629]", "a dict with the keys"),
    ("a string value", LAZY + "lazy_guess['recall'] = 'all of them'", "should be a number"),
    ("undefined", "", "not defined"),
]

# --- 07: momentum memory, Adam's first step, the bias-correction factor, batches per epoch -----------------
RIGHT_07 = "my_memory = 100\nmy_first_step = np.array([-0.01, 0.01])\nmy_factor = 0.2 / np.sqrt(0.001)\nmy_batches = (17, 54)\n"
ANSWERS_07 = [
    ("exact", RIGHT_07, "PASS"),
    ("expressions and lists", "my_memory = 1 / (1 - 0.99)\nmy_first_step = [-0.01, 0.01]\nmy_factor = 6.32\n"
                              "my_batches = [int(np.ceil(1078 / 64)), 1078 % 64]\n", "PASS"),
    ("a column and size-1 arrays", RIGHT_07 + "my_first_step = np.array([[-0.01], [0.01]])\n"
                                             "my_memory = np.array([100.0])\nmy_factor = np.array([6.325])\n"
                                             "my_batches = np.array([17.0, 54.0])\n", "PASS"),
    ("roughly 95", RIGHT_07 + "my_memory = 95", "PASS"),
    ("memory as a weight", RIGHT_07 + "my_memory = 0.99", "that is a weight"),
    ("memory 1 / beta", RIGHT_07 + "my_memory = 1 / 0.99", "1 / (1 - β)"),
    ("the text's 10 (beta = 0.9)", RIGHT_07 + "my_memory = 10", "1 / (1 - β)"),
    ("step with the gradient", RIGHT_07 + "my_first_step = [0.01, -0.01]", "AGAINST the gradient"),
    ("SGD's step", RIGHT_07 + "my_first_step = [-0.005, 0.03]", "that is SGD's step"),
    ("step of alpha * g / |g|^2", RIGHT_07 + "my_first_step = [-0.02, 0.01 / 3]", "v̂_1 / √ŝ_1"),
    ("three numbers", RIGHT_07 + "my_first_step = [-0.01, 0.01, 0.0]", "two numbers"),
    ("factor upside down", RIGHT_07 + "my_factor = np.sqrt(0.001) / 0.2", "upside down"),
    ("v corrected", RIGHT_07 + "my_factor = 1 / np.sqrt(0.001)", "v_1 is not corrected either"),
    ("no square root", RIGHT_07 + "my_factor = 0.2 / 0.001", "3. not quite"),
    ("the text's 3.16 (beta1 = 0.9)", RIGHT_07 + "my_factor = 3.16", "3. not quite"),
    ("16 steps", RIGHT_07 + "my_batches = (16, 54)", "one more step"),
    ("last batch full", RIGHT_07 + "my_batches = (17, 64)", "17 steps is right"),
    ("swapped", RIGHT_07 + "my_batches = (54, 17)", "4. not quite"),
    ("a word", RIGHT_07 + "my_memory = 'a hundred'", "not text: my_memory"),
    ("a number as text", RIGHT_07 + "my_memory = '100'", "not text: my_memory"),
    ("undefined", "", "not defined"),
]

# --- 08: inverted dropout's outputs, the L2 shrink factor --------------------------------------------------
RIGHT_08 = "my_values = (0.0, 2.5 / 0.8)\nmy_mean = 0.2 * 0.0 + 0.8 * (2.5 / 0.8)\nmy_factor = 1 - 0.1 * 3.0 / 150\n"
ANSWERS_08 = [
    ("exact", RIGHT_08, "PASS"),
    ("reversed, numpy, size-1", "my_values = np.array([3.125, 0])\nmy_mean = np.float64(2.5)\n"
                                "my_factor = np.array([0.998])\n", "PASS"),
    ("rounded to two decimals", RIGHT_08 + "my_values = [0, 3.13]", "PASS"),
    ("kept value not rescaled", RIGHT_08 + "my_values = (0, 2.5)", "also rescales a kept activation"),
    ("multiplied by keep_prob", RIGHT_08 + "my_values = (0, 2.5 * 0.8)", "divided by keep_prob, not multiplied"),
    ("dropped value 2.5", RIGHT_08 + "my_values = (2.5, 3.125)", "a dropped unit outputs 0"),
    ("three values", RIGHT_08 + "my_values = (0, 2.5, 3.125)", "exactly two outputs"),
    ("one number", RIGHT_08 + "my_values = 3.125", "exactly two outputs"),
    ("a word", RIGHT_08 + "my_values = 'zero or 3.125'", "the two possible outputs as numbers"),
    ("unweighted mean", RIGHT_08 + "my_mean = (0 + 3.125) / 2", "weigh each output by its probability"),
    ("what the weights lose", RIGHT_08 + "my_factor = 0.1 * 3.0 / 150", "1 minus that"),
    ("lambda not divided by m", RIGHT_08 + "my_factor = 1 - 0.1 * 3.0", "divided by the number of training examples"),
    ("lambda / 2m", RIGHT_08 + "my_factor = 1 - 0.1 * 3.0 / 300", "(something) W - α dW"),
    ("words", RIGHT_08 + "my_factor = 'about one'", "should be one number"),
    ("undefined", "", "not defined"),
]

# --- 09: what the stuck networks output --------------------------------------------------------------------
ANSWERS_09 = [
    ("exact", "p_each_class = 0.1\np_positive = 0.9", "PASS"),
    ("expressions, numpy", "p_each_class = 1 / 10\np_positive = np.float64(9 / 10)", "PASS"),
    ("size-1 arrays", "p_each_class = np.array([0.1])\np_positive = np.array([0.9])", "PASS"),
    ("from the cost", "p_each_class = np.exp(-2.3026)\np_positive = 0.9", "PASS"),
    ("the cost itself", "p_each_class = 2.3026\np_positive = 0.9", "strictly between 0 and 1"),
    ("one half", "p_each_class = 0.5\np_positive = 0.9", "must add up to 1"),
    ("ten probabilities", "p_each_class = np.full(10, 0.1)\np_positive = 0.9", "each be one number"),
    ("the negative class", "p_each_class = 0.1\np_positive = 0.1", "probability of the negative class"),
    ("one half for the binary", "p_each_class = 0.1\np_positive = 0.5", "costs ln 2"),
    ("the cost for the binary", "p_each_class = 0.1\np_positive = 0.3251", "which c minimizes"),
    ("a string", "p_each_class = 'uniform'\np_positive = 0.9", "each be one number"),
    ("undefined", "", "not defined"),
]

# --- 10: the atomic write of save_model (two regions: the rename, the except branch) -----------------------
SYNC = "with open(tmp_name, 'rb+') as written:\n    os.fsync(written.fileno())\n"
CLEAN = "if os.path.exists(tmp_name):\n    os.remove(tmp_name)\nraise"
ATOMIC_SAVE = [
    ("reference", None, "PASS"),
    ("os.open and pathlib", ("fd = os.open(tmp_name, os.O_RDONLY)\ntry:\n    os.fsync(fd)\nfinally:\n    os.close(fd)\n"
                             "os.replace(tmp_name, path)", "Path(tmp_name).unlink(missing_ok=True)\nraise"), "PASS"),
    ("no fsync", ("os.replace(tmp_name, path)", CLEAN), "renamed before it is on disk"),
    ("fsync after the rename", ("os.replace(tmp_name, path)\nwith open(path, 'rb+') as f:\n    os.fsync(f.fileno())",
                                CLEAN), "renamed before it is on disk"),
    ("fsync of the name", ("os.fsync(tmp_name)\nos.replace(tmp_name, path)", CLEAN), "save_model raised TypeError"),
    ("copied, then deleted", (SYNC + "import shutil\nshutil.copyfile(tmp_name, path)\nos.remove(tmp_name)", CLEAN),
     "copying is not atomic"),
    ("copied, left behind", (SYNC + "import shutil\nshutil.copyfile(tmp_name, path)", CLEAN),
     "rename the temporary file, do not copy it"),
    ("swallows the crash", (None, "if os.path.exists(tmp_name):\n    os.remove(tmp_name)"), "swallowed a crash"),
    ("raises its own error", (None, "os.remove(tmp_name)\nraise RuntimeError('could not save the model')"),
     "came out of save_model as RuntimeError"),
    ("keeps the temporary file", (None, "raise"), "delete the temporary file in the except branch"),
    ("deletes the old file", (None, "if os.path.exists(path):\n    os.remove(path)\nraise"), "changed or deleted the old file"),
    ("except branch still a stub", (None, STUB), "after a crash mid-write save_model raises NotImplementedError"),
    ("stub", STUB, "still raises NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

# --- 10: the standard error, selection bias, examples per epoch --------------------------------------------
RIGHT_10 = "my_se = np.sqrt(0.9 * 0.1 / 2000)\nmy_unbiased = False\nmy_steps = int(np.ceil(5 * 3500 / 128))\n"
ANSWERS_10 = [
    ("exact", RIGHT_10, "PASS"),
    ("rounded, numpy types", "my_se = 0.0067\nmy_unbiased = np.bool_(False)\nmy_steps = np.int64(137)", "PASS"),
    ("from the notebook's variables", "my_se = np.array([np.sqrt(0.09 / 2000)])\nmy_unbiased = 1 > 2\n"
                                      "my_steps = -(-5 * len(y_train) // 128)", "PASS"),
    ("a whole float", RIGHT_10 + "my_steps = 137.0", "PASS"),
    ("a percentage", RIGHT_10 + "my_se = 0.67", "looks like a percentage"),
    ("the variance", RIGHT_10 + "my_se = 0.9 * 0.1 / 2000", "is the variance"),
    ("p forgotten", RIGHT_10 + "my_se = np.sqrt(0.1 / 2000)", "use SE = sqrt(p(1-p)/n)"),
    ("1 / sqrt(n)", RIGHT_10 + "my_se = 1 / np.sqrt(2000)", "use SE = sqrt(p(1-p)/n)"),
    ("unbiased", RIGHT_10 + "my_unbiased = True", "largest of 20 noisy estimates"),
    ("a word", RIGHT_10 + "my_unbiased = 'no'", "should be True or False"),
    ("0 for False", RIGHT_10 + "my_unbiased = 0", "should be True or False"),
    ("the examples, not the steps", RIGHT_10 + "my_steps = 5 * 3500", "how many batches of 128 is that"),
    ("the original images", RIGHT_10 + "my_steps = int(np.ceil(3500 / 128))", "counts the original training images only"),
    ("the last batch forgotten", RIGHT_10 + "my_steps = 5 * 3500 // 128", "the last batch is a step too"),
    ("the whole dataset", RIGHT_10 + "my_steps = int(np.ceil(5 * 5000 / 128))", "copies of each"),
    ("not whole", RIGHT_10 + "my_steps = 5 * 3500 / 128", "whole number"),
    ("a string", RIGHT_10 + "my_steps = '137'", "whole number"),
    ("undefined", "", "not defined"),
]

# --- 11: layer normalization (two regions: forward, backward) ----------------------------------------------
LN_STATS = ("axes = tuple(range(X.ndim - 1))\nmu = X.mean(axis=axes, keepdims=True)\n"
            "var = X.var(axis=axes, keepdims=True{ddof})\ninv_std = 1 / {denominator}\nXhat = (X - mu) * inv_std\n"
            "return gamma * Xhat + beta, (gamma, (Xhat, inv_std, axes, mu, var))")


def ln_forward(ddof="", denominator="np.sqrt(var + eps)"):
    return LN_STATS.format(ddof=ddof, denominator=denominator)


LN_BACK = ("gamma, standardize_cache = cache\nXhat = standardize_cache[0]\n"
           "dgamma = {dgamma}\ndbeta = {dbeta}\nreturn {dX}, dgamma, dbeta")


def ln_backward(dgamma="(dY * Xhat).mean(axis=-1, keepdims=True)", dbeta="dY.mean(axis=-1, keepdims=True)",
                dX="standardize_backward(gamma * dY, standardize_cache)"):
    return LN_BACK.format(dgamma=dgamma, dbeta=dbeta, dX=dX)


LAYERNORM = [
    ("reference", None, "PASS"),
    ("own statistics, means in backward", (ln_forward(), ln_backward()), "PASS"),
    ("reshaped to (features, m)", (
        "m = X.shape[-1]\nXhat, c = standardize_forward(X.reshape(-1, m), (0,), eps)\n"
        "return gamma * Xhat.reshape(X.shape) + beta, (gamma, c, X.shape)",
        "gamma, c, shape = cache\nm = dY.shape[-1]\nXhat = c[0].reshape(shape)\n"
        "dX = standardize_backward((gamma * dY).reshape(-1, m), c).reshape(shape)\n"
        "return dX, np.sum(dY * Xhat, axis=-1, keepdims=True) / m, np.sum(dY, axis=-1, keepdims=True) / m"), "PASS"),
    ("compact formula by hand", (None, ln_backward(
        dX="(lambda d, r, N: r / N * (N * d - d.sum(axis=standardize_cache[2], keepdims=True) - Xhat * "
           "(d * Xhat).sum(axis=standardize_cache[2], keepdims=True)))(gamma * dY, standardize_cache[1], "
           "Xhat.size // standardize_cache[1].size)")), "PASS"),
    ("over the examples, as batch norm", ("Xhat, c = standardize_forward(X, (X.ndim - 1,), eps)\n"
                                          "return gamma * Xhat + beta, (gamma, c)", None), "every axis but the last"),
    ("over the first axis only", ("Xhat, c = standardize_forward(X, (0,), eps)\nreturn gamma * Xhat + beta, (gamma, c)",
                                  None), "every axis but the last"),
    ("sample variance", (ln_forward(ddof=", ddof=1"), None), "biased variance"),
    ("eps outside the square root", (ln_forward(denominator="(np.sqrt(var) + eps)"), None), "inside the square root"),
    ("eps not passed on", ("Xhat, c = standardize_forward(X, layer_axes(X))\nreturn gamma * Xhat + beta, (gamma, c)",
                           None), "the eps it is given"),
    ("no gamma and beta", ("Xhat, c = standardize_forward(X, layer_axes(X), eps)\nreturn Xhat, (gamma, c)", None),
     "gamma * x̂ + beta"),
    ("dY not scaled by gamma", (None, ln_backward(dX="standardize_backward(dY, standardize_cache)")), "gamma * dY"),
    ("only the direct path", (None, ln_backward(dX="gamma * dY * standardize_cache[1]")), "paths through μ and σ²"),
    ("dgamma summed", (None, ln_backward(dgamma="(dY * Xhat).sum(axis=-1, keepdims=True)")), "dgamma = (1/m)"),
    ("dbeta summed", (None, ln_backward(dbeta="dY.sum(axis=-1, keepdims=True)")), "dbeta = (1/m)"),
    ("dgamma over the features", (None, ln_backward(dgamma="(dY * Xhat).mean(axis=0, keepdims=True)")),
     "dgamma must have shape"),
    ("dbeta without keepdims", (None, ln_backward(dbeta="dY.mean(axis=-1)")), "dbeta must have shape"),
    ("no gamma/beta gradients", (None, ln_backward(dgamma="np.zeros_like(gamma)", dbeta="np.zeros_like(gamma)")),
     "dgamma differs"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

# --- 12: a convolutional layer's output shape and parameter count ------------------------------------------
CL = "def conv_layer_size(n_in, filters, kernel_size, stride, padding):\n    C, H, W = n_in\n"


def conv_size(side="(d + 2 * padding - kernel_size) // stride + 1", params="filters * (C * kernel_size ** 2 + 1)",
              shape="(filters, out(H), out(W))"):
    return CL + f"    out = lambda d: {side}\n    return {shape}, {params}\n"


CONV_LAYER_SIZE = [
    ("reference", conv_size(), "PASS"),
    ("floor of a division, numpy ints", conv_size(side="np.int64(np.floor((d + 2 * padding - kernel_size) / stride)) + 1",
                                                  params="filters * C * kernel_size * kernel_size + filters"), "PASS"),
    ("int() of a division", conv_size(side="int((d - kernel_size + 2 * padding) / stride + 1)"), "PASS"),
    ("no + 1", conv_size(side="(d + 2 * padding - kernel_size) // stride"), "the first position counts too"),
    ("true division", conv_size(side="(d + 2 * padding - kernel_size) / stride + 1"), "has a fraction"),
    ("ceil", conv_size(side="-(-(d + 2 * padding - kernel_size) // stride) + 1"), "(H + 2p - k) // s + 1"),
    ("padding on one side", conv_size(side="(d + padding - kernel_size) // stride + 1"), "(H + 2p - k) // s + 1"),
    ("channels last", conv_size(shape="(out(H), out(W), filters)"), "one channel per filter"),
    ("weights only", conv_size(params="filters * C * kernel_size ** 2"), "counts the weights only"),
    ("one channel per filter", conv_size(params="filters * (kernel_size ** 2 + 1)"), "spans all C"),
    ("one bias per layer", conv_size(params="filters * C * kernel_size ** 2 + 1"), "F (C k k + 1)"),
    ("weights and biases apart", conv_size(params="(filters * C * kernel_size ** 2, filters)"), "one whole number"),
    ("num_params not whole", conv_size(params="filters * (C * kernel_size ** 2 + 1) + 0.5"), "one whole number"),
    ("a list", CL + "    return [filters, H, W]\n", "must return a tuple"),
    ("a string", CL + "    return 'F x H x W'\n", "must return a tuple"),
    ("stub", CL + "    raise NotImplementedError()\n", "NotImplementedError"),
    ("undefined", "", "not defined"),
]

# --- 13: the BPTT loop body --------------------------------------------------------------------------------
BPTT = [
    ("reference", None, "PASS"),
    ("new arrays", "dh = dh + dH[:, t]\ndA[:, t] = dh * (1 - H[:, t + 1] ** 2)\ndh = Wh.T @ dA[:, t]", "PASS"),
    ("factored tanh', einsum", "h = H[:, t + 1]\ndh += dH[:, t]\ndA[:, t] = dh * (1 - h) * (1 + h)\n"
                               "dh = np.einsum('ij,im->jm', Wh, dA[:, t])", "PASS"),
    ("W_h not transposed", "dh += dH[:, t]\ndA[:, t] = dh * (1 - H[:, t + 1] ** 2)\ndh = Wh @ dA[:, t]", "Wh.T @ da"),
    ("dH added at the last step only", "if t == T - 1:\n    dh += dH[:, t]\ndA[:, t] = dh * (1 - H[:, t + 1] ** 2)\n"
                                       "dh = Wh.T @ dA[:, t]", "at EVERY step"),
    ("dh not carried", "dh = dH[:, t].copy()\ndA[:, t] = dh * (1 - H[:, t + 1] ** 2)\ndh = Wh.T @ dA[:, t]",
     "not dh = ..."),
    ("dH not added", "dA[:, t] = dh * (1 - H[:, t + 1] ** 2)\ndh = Wh.T @ dA[:, t]", "every weight gradient is zero"),
    ("no tanh'", "dh += dH[:, t]\ndA[:, t] = dh\ndh = Wh.T @ dA[:, t]", "(1 - h_t²)"),
    ("h_(t-1) in tanh'", "dh += dH[:, t]\ndA[:, t] = dh * (1 - H[:, t] ** 2)\ndh = Wh.T @ dA[:, t]", "not h_(t-1)"),
    ("off by one in dH", "dh += dH[:, t - 1]\ndA[:, t] = dh * (1 - H[:, t + 1] ** 2)\ndh = Wh.T @ dA[:, t]",
     "the same t"),
    ("dA not written", "dh += dH[:, t]\nda = dh * (1 - H[:, t + 1] ** 2)\ndh = Wh.T @ da", "dA[:, t]"),
    ("stub", STUB, "NotImplementedError"),
    ("syntax error", SYNTAX, "syntax error"),
]

# --- 15: nnlib's Momentum for PyTorch's SGD(lr=0.05, momentum=0.8) -----------------------------------------
MOMENTUM_CONVERSION = [
    ("reference", "nnlib_momentum = Momentum(0.05 / (1 - 0.8), beta=0.8)", "PASS"),
    ("keywords", "nnlib_momentum = Momentum(learning_rate=0.25, beta=0.8)", "PASS"),
    ("numpy floats", "nnlib_momentum = Momentum(np.float64(0.05) / np.float64(0.2), np.float64(0.8))", "PASS"),
    ("the same lr", "nnlib_momentum = Momentum(0.05, beta=0.8)", "your learning rate is 1 times PyTorch's"),
    ("lr times (1 - beta)", "nnlib_momentum = Momentum(0.05 * (1 - 0.8), beta=0.8)", "0.2 times PyTorch's"),
    ("default beta", "nnlib_momentum = Momentum(0.25)", "beta is the same number in both forms"),
    ("1 - beta as beta", "nnlib_momentum = Momentum(0.25, 0.2)", "beta is the same number in both forms"),
    ("PyTorch's optimizer", "nnlib_momentum = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.05, "
                            "momentum=0.8)", "must be a Momentum"),
    ("the class", "nnlib_momentum = Momentum", "must be a Momentum"),
    ("the numbers", "nnlib_momentum = (0.25, 0.8)", "must be a Momentum"),
    ("undefined", "", "not defined"),
]


def NB(*names, cells=(), then=""):
    """A set-up taken from the notebook itself (see notebook_setup)."""
    return {"names": names, "cells": cells, "then": then}


# (notebook, check cell grade_id, module of the %%writefile exercise or None, set-up code or NB(...), cases)
EXERCISES = [
    ("00_notation_numpy_data", "check-mean-image", None, NB("load_dataset", "digits", "one_hot", "X"), MEAN_IMAGE),
    ("01_single_neuron", "check-sigmoid", "activations", "import warnings", SIGMOID),
    ("01_single_neuron", "check-initial-cost", None, "best_lr = 0.5\ncurves = {0.5: [float(np.log(2)), 0.6]}", INITIAL_COST),
    ("02_gradient_checking", "check-relative-error", "gradcheck", "import warnings", RELATIVE_ERROR),
    ("02_gradient_checking", "check-dW-fixed", None, DW_SETUP, DW_FIXED),
    ("03_one_hidden_layer", "nb03_check_backward", None, "", BACKWARD),
    ("03_one_hidden_layer", "nb03_check_backward_sigmoid", None, "", BACKWARD_SIGMOID),
    ("04_deep_network", "nb04_check_linear_backward", "layers", "", LINEAR_BACKWARD),
    ("04_deep_network", "nb04_check_xavier_relu_ratio", None, "", RATIO),
    ("04_deep_network", "nb04_check_parameter_count", None, "from nnlib.model import mlp", NUM_PARAMS),
    ("05_image_classification", "nb05_check_precision_recall_f1", "metrics", "import warnings", PRECISION),
    ("05_image_classification", "nb05_check_lazy_guess", None,
     NB("load_dataset", "images_to_columns", "train_val_test_split", "digits", "X_all", "d_test", "y_test",
        "accuracy", "precision", "recall", "f1"), LAZY_GUESS),
    ("06_softmax", "nb06_check_softmax", "softmax", "import warnings", SOFTMAX),
    ("06_softmax", "nb06_check_check_yourself", None, "", ANSWERS_06),
    ("07_optimization", "nb07_check_momentum_adam", "optim", "", MOMENTUM),
    ("07_optimization", "nb07_check_check_yourself", None, "", ANSWERS_07),
    ("08_regularization", "nb08_check_l2_grads_dropout", "regularization", "", L2_GRADS),
    ("08_regularization", "nb08_check_dropout_decay_answers", None, NB("SGD"), ANSWERS_08),
    ("09_debugging_training", "nb09_check_dead_relu_saturated", "diagnostics", "", DEAD_RELU),
    ("09_debugging_training", "nb09_check_stuck_outputs", None, "", ANSWERS_09),
    ("10_capstone", "nb10_check_atomic_save", "io",
     NB("network", "f32", "Dense", "Dropout", "Model", "SoftmaxCrossEntropy", "os", "tempfile", "pathlib", "h5py"),
     ATOMIC_SAVE),
    # The chosen model (trained in the notebook, minutes here) is the one with shifted copies: the notebook asserts it.
    ("10_capstone", "nb10_check_answers", None,
     NB("load_dataset", "train_val_test_split", "mnist", "index", "y_train", "base", "mnist_grid",
        then="mnist_choice = next(name for name, config in mnist_grid.items() if config['shifted'])"), ANSWERS_10),
    ("11_deep_networks", "nb11_check_layernorm", "normalization", "import importlib\n"
     "from nnlib.gradcheck import numerical_gradient, relative_error", LAYERNORM),
    ("12_convolutional_networks", "nb12_check_conv_layer_size", None, NB("Conv2D"), CONV_LAYER_SIZE),
    ("13_recurrent_networks", "nb13_check_bptt_loop", "recurrent", "import importlib\n"
     "from nnlib.gradcheck import numerical_gradient, relative_error", BPTT),
    ("14_automatic_differentiation", "check-softplus", None, SOFTPLUS_SETUP, SOFTPLUS),
    ("15_from_nnlib_to_pytorch", "check-momentum-conversion", None,
     NB("torch", "Momentum", "relative_error", cells=("def run_torch",)), MOMENTUM_CONVERSION),
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


def with_region(module_text: str, body: str | tuple | None) -> str:
    """The module with its first solution region's body replaced (None: unchanged, the reference);
    a tuple gives the bodies of the first regions in order (None keeps that region's reference);
    a stub replaces every region (what make_student does)."""
    if body is None:
        return module_text
    bodies = list(body) if isinstance(body, tuple) else [body]
    lines, out, k, region = module_text.splitlines(keepends=True), [], 0, 0
    while k < len(lines):
        line = lines[k]
        new = STUB if body == STUB else bodies[region] if region < len(bodies) else None
        if "### BEGIN SOLUTION" in line and new is not None:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(textwrap.indent(new, indent) + "\n")
            while "### END SOLUTION" not in lines[k]:
                k += 1
        else:
            out.append(line)
        region += "### END SOLUTION" in lines[k]
        k += 1
    return "".join(out)


def _bound_names(statement: ast.stmt) -> set[str]:
    """The names a top-level statement binds (def, class, import, assignment, also inside a try)."""
    names = set()
    for node in ast.walk(statement):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def notebook_setup(notebook: str, grade_id: str, names=(), cells=(), then: str = "") -> str:
    """The notebook's own code for the state a check reads, so the set-up mirrors the notebook: for each of
    `names` the last top-level statement before the check cell that binds it, and every code cell before it
    that contains one of the strings `cells`, in notebook order; then `then` (what cannot be rerun here, e.g.
    the outcome of a long training, stated and justified by the notebook's own asserts)."""
    nb = read_notebook(ROOT / "notebooks" / f"{notebook}.ipynb")
    end = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    last, whole = {}, {}
    for i, cell in enumerate(nb.cells[:end]):
        if cell.cell_type != "code" or cell.source.startswith("%%"):
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))
        if any(marker in source for marker in cells):
            whole[(i, -1)] = source
        for j, statement in enumerate(ast.parse(source).body):
            for name in _bound_names(statement) & set(names):
                last[name] = ((i, j), ast.get_source_segment(source, statement))
    missing = set(names) - set(last)
    assert not missing, f"{notebook} binds none of {sorted(missing)} before {grade_id}"
    pieces = dict(whole)
    pieces.update(dict(last.values()))
    return "\n".join(pieces[k] for k in sorted(pieces)) + "\n" + then


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
    extra = NEEDS_EXTRA.get(f"{notebook}.ipynb")
    if extra:
        pytest.importorskip(extra[0], reason=f"{notebook} needs {extra[0]}: {extra[1]}")
    if isinstance(setup, dict):
        setup = notebook_setup(notebook, grade_id, **setup)
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
