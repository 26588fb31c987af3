"""nnlib.autograd (notebook 14): every op against finite differences, broadcasting undone, the MLP's
gradients equal to nnlib's hand-derived ones, deep graphs without recursion, and bad input."""
import numpy as np
import pytest

from nnlib.autograd import Tensor, as_tensor, topological_order
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.model import mlp
from nnlib.softmax import SoftmaxCrossEntropy

rng = np.random.default_rng(0)
X = rng.normal(size=(3, 4))
POS = rng.uniform(0.5, 2.0, size=(3, 4))
COL = rng.normal(size=(3, 1))
ROW = rng.normal(size=(1, 4))
VEC = rng.normal(size=(4,))
MAT = rng.normal(size=(4, 2))

# name -> (op on one Tensor, the input it is checked at)
OPS = {
    "add broadcast col": (lambda t: t + Tensor(COL), X),
    "col receives the sum": (lambda t: Tensor(X) + t, COL),
    "row receives the sum": (lambda t: t * Tensor(X), ROW),
    "1-D broadcast over rows": (lambda t: Tensor(X) - t, VEC),
    "radd/rsub/rmul": (lambda t: 3.0 - (2.0 * t + 1.0), X),
    "neg": (lambda t: -t, X),
    "mul": (lambda t: t * Tensor(POS), X),
    "div numerator": (lambda t: t / Tensor(POS), X),
    "div denominator": (lambda t: Tensor(X) / t, POS),
    "rtruediv": (lambda t: 1.0 / t, POS),
    "pow": (lambda t: t**3, X),
    "pow fractional": (lambda t: t**0.5, POS),
    "matmul left": (lambda t: t @ Tensor(MAT), X),
    "matmul right": (lambda t: Tensor(MAT.T) @ t.T, X),
    "transpose": (lambda t: t.T, X),
    "sum all": (lambda t: t.sum(), X),
    "sum axis 0": (lambda t: t.sum(axis=0), X),
    "sum axis 1 keepdims": (lambda t: t.sum(axis=1, keepdims=True), X),
    "mean all": (lambda t: t.mean(), X),
    "mean axis 0": (lambda t: t.mean(axis=0), X),
    "exp": (lambda t: t.exp(), X),
    "log": (lambda t: t.log(), POS),
    "relu": (lambda t: t.relu(), X),
    "tanh": (lambda t: t.tanh(), X),
    "sigmoid": (lambda t: t.sigmoid(), X),
    "logsumexp axis 0": (lambda t: t.logsumexp(axis=0), X),
    "logsumexp axis 1": (lambda t: t.logsumexp(axis=1), X),
    "input used twice": (lambda t: t * t + t.exp() * t, X),
}


@pytest.mark.parametrize("name", OPS)
def test_every_op_against_finite_differences(name):
    op, x0 = OPS[name]
    weights = np.random.default_rng(1).normal(size=op(Tensor(x0)).shape)
    t = Tensor(x0.copy())
    (op(t) * weights).sum().backward()
    numeric = numerical_gradient(lambda x: float((op(Tensor(x)).data * weights).sum()), x0.copy())
    assert t.grad.shape == x0.shape
    assert relative_error(t.grad, numeric) < 1e-7


def test_values_equal_numpy():
    np.testing.assert_array_equal((Tensor(X) @ Tensor(MAT)).data, X @ MAT)
    np.testing.assert_allclose(Tensor(X).logsumexp(axis=0).data, np.log(np.exp(X).sum(axis=0, keepdims=True)))
    big = Tensor(np.array([[1000.0, -1000.0], [999.0, 0.0]]))
    np.testing.assert_allclose(big.logsumexp(axis=0).data, [[1000 + np.log1p(np.exp(-1.0)), 0.0]])
    np.testing.assert_array_equal(Tensor(np.array([-800.0, 800.0])).sigmoid().data, [0.0, 1.0])


def test_relu_gradient_at_zero_is_zero():
    t = Tensor(np.array([-1.0, 0.0, 2.0]))
    t.relu().sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0, 1.0])


def test_backward_overwrites_grads_and_keeps_float32():
    t = Tensor(np.ones((2, 2), dtype=np.float32))
    y = (t * 3.0).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(t.grad, np.full((2, 2), 3.0))
    assert t.grad.dtype == np.float32


def test_backward_with_an_upstream_gradient():
    t = Tensor(X.copy())
    G = np.arange(12.0).reshape(3, 4)
    (t * 2.0).backward(G)
    np.testing.assert_array_equal(t.grad, 2 * G)


def tensor_cost(params, X, Y, activation):
    A = Tensor(X)
    L = len(params) // 2
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = getattr(Z, activation)() if l < L else Z
    return (A.logsumexp(axis=0) - (A * Y).sum(axis=0, keepdims=True)).mean()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("m", [1, 7, 257])
def test_mlp_gradients_equal_nnlibs_hand_derived_ones(activation, m):
    rng = np.random.default_rng(m)
    model = mlp([5, 8, 6, 4], activation, output=SoftmaxCrossEntropy(), rng=rng)
    X = rng.normal(size=(5, m))
    Y = np.eye(4)[:, rng.integers(0, 4, size=m)]
    cost, grads = model.loss_and_grads(X, Y)
    params = {name: Tensor(value) for name, value in model.params.items()}
    auto = tensor_cost(params, X, Y, activation)
    auto.backward()
    assert abs(float(auto.data) - cost) <= 1e-12 * abs(cost)
    for name in grads:
        assert relative_error(params[name].grad, grads[name]) <= 1e-12, name


def test_a_deep_chain_needs_no_recursion():
    x = Tensor(0.3)
    y = x
    for _ in range(20000):
        y = y * 1.0001
    y.backward()
    assert len(topological_order(y)) == 40001
    np.testing.assert_allclose(x.grad, 1.0001**20000, rtol=1e-10)


def test_topological_order_puts_parents_first():
    a, b = Tensor(1.0), Tensor(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    position = {id(node): k for k, node in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is e and len(order) == 5


def test_as_tensor():
    t = Tensor(1.0)
    assert as_tensor(t) is t
    assert isinstance(as_tensor(2), Tensor) and as_tensor(2).data.dtype == np.float64


def test_bad_input():
    with pytest.raises(TypeError, match="data must be a numeric array"):
        Tensor("abc")
    with pytest.raises(ValueError, match="data .*NaN"):
        Tensor(np.array([np.nan]))
    with pytest.raises(ValueError, match=r"backward\(\) without grad needs a Tensor holding one number, got shape \(3, 4\)"):
        Tensor(X).exp().backward()
    with pytest.raises(ValueError, match=r"grad must have the Tensor's shape \(3, 4\), got \(4, 3\)"):
        Tensor(X).exp().backward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"matmul needs \(n, k\) @ \(k, m\) matrices, got \(3, 4\) @ \(3, 4\)"):
        Tensor(X) @ Tensor(X)
    with pytest.raises(ValueError, match="log needs positive entries"):
        Tensor(X).log()
    with pytest.raises(TypeError, match="the exponent must be a number"):
        Tensor(X) ** Tensor(2.0)
