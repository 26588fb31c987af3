"""nnlib against PyTorch in float64 (the `bridge` extra): every layer, output, regularizer and optimizer,
at random sizes including batches of 1 and 257, to a relative error of 1e-10 (notebook 15 explains each
convention). Skipped, with the command that installs PyTorch, when it is missing.

Conventions mapped here: examples in columns (ours) vs rows (PyTorch); our dA and dZ are per example,
i.e. m times PyTorch's .grad of the mean cost, while parameter gradients are equal; Momentum averages
(PyTorch's lr = α(1 - β)); RMSprop's β is PyTorch's alpha."""
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install -e '.[bridge]' "
                                            "(a CPU build: see the README)")

import nnlib  # noqa: E402
from nnlib import optim  # noqa: E402
from nnlib.gradcheck import relative_error  # noqa: E402
from nnlib.layers import Dense  # noqa: E402
from nnlib.model import SigmoidCrossEntropy  # noqa: E402
from nnlib.regularization import Dropout, with_l2  # noqa: E402
from nnlib.softmax import SoftmaxCrossEntropy  # noqa: E402

TOL = 1e-10
SIZES = [1, 2, 257]
ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda z: z}
torch.set_num_threads(1)


def t(array):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


WORST = [0.0]  # the largest relative error seen in this run (the README quotes it)


def close(ours, theirs):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    error = relative_error(np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64))
    WORST[0] = max(WORST[0], error)
    return error <= TOL


def layer_parity(layer, A_prev, torch_forward, params_torch):
    """Forward, then backward with a random upstream dA: our dA_prev must be m times PyTorch's
    gradient of J = (1/m) Σ dA ⊙ A, and our parameter gradients equal to PyTorch's."""
    m = A_prev.shape[-1]
    A, cache = layer.forward(A_prev, training=True)
    dA = np.random.default_rng(99).normal(size=A.shape)
    dA_prev, grads = layer.backward(dA, cache)
    A_prev_t = t(A_prev)
    A_t = torch_forward(A_prev_t, params_torch)
    assert close(A, A_t), "forward"
    ((A_t * torch.from_numpy(dA)).sum() / m).backward()
    assert close(dA_prev, m * A_prev_t.grad), "dA_prev"
    for name, grad in grads.items():
        assert close(grad, params_torch[name].grad), name


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("m", SIZES)
def test_dense(activation, m):
    rng = np.random.default_rng(m)
    layer = Dense(7, 5, activation, rng=rng)
    layer.params["b"] += rng.normal(size=(5, 1))
    params = {k: t(v) for k, v in layer.params.items()}
    layer_parity(layer, rng.normal(size=(7, m)), lambda A, p: ACTIVATIONS[activation](p["W"] @ A + p["b"]), params)


@pytest.mark.parametrize("m", SIZES)
def test_dropout_with_pytorchs_own_mask(m):
    """torch's dropout draws the mask; given the same mask, ours scales the survivors the same way."""
    keep_prob = 0.7
    torch.manual_seed(m)
    A_rows = torch.tensor(np.random.default_rng(m).normal(size=(m, 6)), requires_grad=True)
    out = torch.nn.functional.dropout(A_rows, p=1 - keep_prob, training=True)
    mask = (out != 0).detach().numpy().T
    layer = Dropout(keep_prob, mask=mask)
    layer_parity(layer, A_rows.detach().numpy().T,
                 lambda A, p: torch.nn.functional.dropout(A, p=0.0) * torch.from_numpy(mask) / keep_prob, {})
    A_ours, _ = layer.forward(A_rows.detach().numpy().T, training=True)
    assert close(A_ours, out.T)
    assert np.array_equal(layer.forward(A_rows.detach().numpy().T, training=False)[0], A_rows.detach().numpy().T)


@pytest.mark.parametrize("m", SIZES)
def test_sigmoid_cross_entropy(m):
    rng = np.random.default_rng(m)
    Z = rng.normal(0, 5, size=(1, m))
    Y = rng.integers(0, 2, size=(1, m)).astype(float)
    cost, dZ = SigmoidCrossEntropy().loss(Z, Y)
    Z_t = t(Z.T)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(Z_t, torch.from_numpy(Y.T))
    loss.backward()
    assert close(cost, loss) and close(dZ, m * Z_t.grad.T)
    assert close(SigmoidCrossEntropy().probabilities(Z), torch.sigmoid(Z_t).T)


@pytest.mark.parametrize("m", SIZES)
def test_softmax_cross_entropy(m):
    rng = np.random.default_rng(m)
    Z = rng.normal(0, 5, size=(4, m))
    labels = rng.integers(0, 4, size=m)
    Y = np.eye(4)[:, labels]
    cost, dZ = SoftmaxCrossEntropy().loss(Z, Y)
    Z_t = t(Z.T)
    loss = torch.nn.functional.cross_entropy(Z_t, torch.from_numpy(labels))
    loss.backward()
    assert close(cost, loss) and close(dZ, m * Z_t.grad.T)
    assert close(SoftmaxCrossEntropy().probabilities(Z), torch.softmax(Z_t, dim=1).T)


@pytest.mark.parametrize("m", SIZES)
def test_l2_as_weight_decay_on_the_weights(m):
    from nnlib.model import mlp
    rng = np.random.default_rng(m)
    model = mlp([6, 5, 3], "tanh", output=SoftmaxCrossEntropy(), rng=rng)
    X, labels = rng.normal(size=(6, m)), rng.integers(0, 3, size=m)
    lambd = 0.3
    cost, grads = with_l2(model, lambd)(X, np.eye(3)[:, labels])
    p = {k: t(v) for k, v in model.params.items()}
    Z = p["W2"] @ torch.tanh(p["W1"] @ torch.from_numpy(X) + p["b1"]) + p["b2"]
    loss = torch.nn.functional.cross_entropy(Z.T, torch.from_numpy(labels))
    loss = loss + lambd / (2 * m) * sum((p[k] ** 2).sum() for k in p if k.startswith("W"))
    loss.backward()
    assert close(cost, loss)
    for k in grads:
        assert close(grads[k], p[k].grad), k


@pytest.mark.parametrize("m", SIZES)
def test_squared_error(m):
    from nnlib.regression import SquaredError
    rng = np.random.default_rng(m)
    Z, Y = rng.normal(size=(3, m)), rng.normal(size=(3, m))
    cost, dZ = SquaredError().loss(Z, Y)
    Z_t = t(Z.T)
    loss = torch.nn.functional.mse_loss(Z_t, torch.from_numpy(Y.T), reduction="sum") / (2 * m)   # (1/2m) Σ
    loss.backward()
    assert close(cost, loss) and close(dZ, m * Z_t.grad.T)


@pytest.mark.parametrize("m", [2, 7, 257])
def test_batchnorm_training_and_running_averages(m):
    from nnlib.normalization import BatchNorm
    rng = np.random.default_rng(m)
    layer = BatchNorm(5, momentum=0.9, eps=1e-5, activation="relu")
    layer.params["gamma"][...] = rng.uniform(0.5, 2, size=(5, 1))
    layer.params["beta"][...] = rng.normal(size=(5, 1))
    params = {k: t(v) for k, v in layer.params.items()}
    running_mean, running_var = torch.zeros(5, dtype=torch.float64), torch.ones(5, dtype=torch.float64)
    A_prev = rng.normal(2.0, 3.0, size=(5, m))

    def forward(A, p):
        out = torch.nn.functional.batch_norm(A.T, running_mean, running_var, p["gamma"].ravel(), p["beta"].ravel(),
                                             training=True, momentum=0.1, eps=1e-5)
        return torch.relu(out).T
    layer_parity(layer, A_prev, forward, params)
    assert close(layer.state["running_mean"].ravel(), running_mean)
    # PyTorch averages the unbiased batch variance (1/(m-1)), nnlib the one it normalizes with (1/m)
    batch_var = A_prev.var(axis=1)
    assert close(layer.state["running_var"].ravel(), 0.9 + 0.1 * batch_var)
    assert close(0.9 + 0.1 * batch_var * m / (m - 1), running_var)


@pytest.mark.parametrize("m", SIZES)
def test_batchnorm_inference(m):
    from nnlib.normalization import BatchNorm
    rng = np.random.default_rng(m)
    layer = BatchNorm(4)
    layer.state["running_mean"][...] = rng.normal(size=(4, 1))
    layer.state["running_var"][...] = rng.uniform(0.5, 2, size=(4, 1))
    layer.params["gamma"][...] = rng.uniform(0.5, 2, size=(4, 1))
    params = {k: t(v) for k, v in layer.params.items()}
    mean, var = (torch.from_numpy(layer.state[k].ravel().copy()) for k in ("running_mean", "running_var"))
    A_prev = rng.normal(size=(4, m))
    A_ours, cache = layer.forward(A_prev, training=False)
    dA = rng.normal(size=A_ours.shape)
    dA_prev, grads = layer.backward(dA, cache)
    A_prev_t = t(A_prev)
    out = torch.nn.functional.batch_norm(A_prev_t.T, mean, var, params["gamma"].ravel(), params["beta"].ravel(),
                                         training=False, eps=1e-5).T
    assert close(A_ours, out)
    ((out * torch.from_numpy(dA)).sum() / m).backward()
    assert close(dA_prev, m * A_prev_t.grad)
    for k in grads:
        assert close(grads[k], params[k].grad), k


@pytest.mark.parametrize("m", SIZES)
def test_layernorm(m):
    from nnlib.normalization import LayerNorm
    rng = np.random.default_rng(m)
    layer = LayerNorm(6, activation="tanh")
    layer.params["gamma"][...] = rng.uniform(0.5, 2, size=(6, 1))
    layer.params["beta"][...] = rng.normal(size=(6, 1))
    params = {k: t(v) for k, v in layer.params.items()}
    layer_parity(layer, rng.normal(1.0, 2.0, size=(6, m)),
                 lambda A, p: torch.tanh(torch.nn.functional.layer_norm(
                     A.T, (6,), p["gamma"].ravel(), p["beta"].ravel(), eps=1e-5)).T, params)


@pytest.mark.parametrize("m", SIZES)
def test_residual_block(m):
    from nnlib.residual import Residual
    rng = np.random.default_rng(m)
    layer = Residual([Dense(5, 5, "relu", rng=rng), Dense(5, 5, "identity", rng=rng)])
    for k in ("b1_", "b2_"):
        layer.params[k][...] = rng.normal(size=(5, 1))
    params = {k: t(v) for k, v in layer.params.items()}
    layer_parity(layer, rng.normal(size=(5, m)),
                 lambda A, p: A + p["W2_"] @ torch.relu(p["W1_"] @ A + p["b1_"]) + p["b2_"], params)


def _torch_recurrent(module, layer, order):
    """Copy an nnlib RNN/GRU's Wx, Wh, b into a torch.nn.RNN/GRU, gate blocks in PyTorch's order."""
    n_h = layer.n_h
    def blocks(a):
        return torch.from_numpy(np.concatenate([a[g * n_h:(g + 1) * n_h] for g in order]))
    with torch.no_grad():
        module.weight_ih_l0.copy_(blocks(layer.params["Wx"]))
        module.weight_hh_l0.copy_(blocks(layer.params["Wh"]))
        module.bias_ih_l0.copy_(blocks(layer.params["b"]).ravel())
        module.bias_hh_l0.zero_()        # nnlib has one bias per gate (and none inside r ⊙ (W_hn h))
    return lambda grad: np.concatenate([grad[k * n_h:(k + 1) * n_h] for k in np.argsort(order)])


@pytest.mark.parametrize("cell", ["RNN", "GRU"])
@pytest.mark.parametrize("m", SIZES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_layers(cell, m, return_sequences):
    from nnlib import recurrent
    rng = np.random.default_rng(m)
    n_x, n_h, T = 3, 4, 6
    layer = getattr(recurrent, cell)(n_x, n_h, seq_len=T, return_sequences=return_sequences, rng=rng)
    layer.params["b"][...] = rng.normal(size=layer.params["b"].shape)
    module = (torch.nn.RNN(n_x, n_h, nonlinearity="tanh", dtype=torch.float64) if cell == "RNN"
              else torch.nn.GRU(n_x, n_h, dtype=torch.float64))
    back = _torch_recurrent(module, layer, [0] if cell == "RNN" else [1, 0, 2])   # PyTorch: r, z, n; nnlib: z, r, n
    A_prev = rng.normal(size=(n_x, T, m))
    A, cache = layer.forward(A_prev, training=True)
    dA = rng.normal(size=A.shape)
    dA_prev, grads = layer.backward(dA, cache)
    X_t = torch.tensor(A_prev.transpose(1, 2, 0), requires_grad=True)          # (T, m, n_x)
    out, h_T = module(X_t)
    A_t = out.permute(2, 0, 1) if return_sequences else h_T[0].T               # (n_h, T, m) or (n_h, m)
    assert close(A, A_t)
    ((A_t * torch.from_numpy(dA)).sum() / m).backward()
    assert close(dA_prev, m * X_t.grad.permute(2, 0, 1))
    assert close(grads["Wx"], back(module.weight_ih_l0.grad.numpy()))
    assert close(grads["Wh"], back(module.weight_hh_l0.grad.numpy()))
    assert close(grads["b"].ravel(), back(module.bias_ih_l0.grad.numpy()))


def _images(A):
    """Our images (C, H, W, m) as PyTorch's (m, C, H, W), and back."""
    return A.permute(3, 0, 1, 2)


def _ours(A):
    return A.permute(1, 2, 3, 0)


@pytest.mark.parametrize("m", SIZES)
@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0)), (5, 1, 2)])
def test_conv2d(m, kernel, stride, padding):
    from nnlib.conv import Conv2D
    rng = np.random.default_rng(m)
    layer = Conv2D((3, 7, 8), 4, kernel, stride, padding, activation="tanh", rng=rng)
    layer.params["b"][...] = rng.normal(size=(4, 1))
    params = {k: t(v) for k, v in layer.params.items()}
    kh, kw = layer.kernel

    def forward(A, p):   # W (F, C·kh·kw) is PyTorch's (F, C, kh, kw) weight, flattened
        Z = torch.nn.functional.conv2d(_images(A), p["W"].reshape(4, 3, kh, kw), p["b"].ravel(),
                                       stride=layer.stride, padding=layer.padding)
        return torch.tanh(_ours(Z))
    layer_parity(layer, rng.normal(size=(3, 7, 8, m)), forward, params)


@pytest.mark.parametrize("m", SIZES)
@pytest.mark.parametrize("cls, torch_pool", [("MaxPool2D", torch.nn.functional.max_pool2d),
                                             ("AvgPool2D", torch.nn.functional.avg_pool2d)])
@pytest.mark.parametrize("pool, stride", [(2, None), (3, 2), ((1, 2), (1, 2))])
def test_pooling(m, cls, torch_pool, pool, stride):
    from nnlib import pooling
    rng = np.random.default_rng(m)
    layer = getattr(pooling, cls)((3, 7, 8), pool, stride)
    layer_parity(layer, rng.normal(size=(3, 7, 8, m)),
                 lambda A, p: _ours(torch_pool(_images(A), layer.pool, layer.stride)), {})


@pytest.mark.parametrize("m", SIZES)
def test_batchnorm_per_channel_on_images(m):
    from nnlib.normalization import BatchNorm
    rng = np.random.default_rng(m)
    layer = BatchNorm((3, 4, 5))
    layer.params["gamma"][...] = rng.uniform(0.5, 2, size=(3, 1, 1, 1))
    layer.params["beta"][...] = rng.normal(size=(3, 1, 1, 1))
    params = {k: t(v) for k, v in layer.params.items()}
    layer_parity(layer, rng.normal(1.0, 2.0, size=(3, 4, 5, m)),
                 lambda A, p: _ours(torch.nn.functional.batch_norm(
                     _images(A), None, None, p["gamma"].ravel(), p["beta"].ravel(), training=True, eps=1e-5)),
                 params)


@pytest.mark.parametrize("m", SIZES)
def test_flatten(m):
    from nnlib.pooling import Flatten
    layer_parity(Flatten((3, 4, 5)), np.random.default_rng(m).normal(size=(3, 4, 5, m)),
                 lambda A, p: torch.flatten(_images(A), start_dim=1).T, {})


def _steps(shapes, n=5, seed=0):
    rng = np.random.default_rng(seed)
    return [{k: rng.normal(size=s) for k, s in shapes.items()} for _ in range(n)]


# nnlib optimizer -> (its factory, PyTorch's equivalent)
def _weights_and_biases(p, weight_decay):
    """PyTorch parameter groups: decay on the weights (names "W..."), none on the biases, as nnlib."""
    return [{"params": [t for k, t in p.items() if k.startswith("W")], "weight_decay": weight_decay},
            {"params": [t for k, t in p.items() if not k.startswith("W")], "weight_decay": 0.0}]


# nnlib optimizer -> (its factory, PyTorch's equivalent given {name: tensor})
OPTIMIZERS = {
    "SGD": (lambda: optim.SGD(0.1), lambda p: torch.optim.SGD(p.values(), lr=0.1)),
    "Momentum": (lambda: optim.Momentum(0.1, beta=0.9),
                 lambda p: torch.optim.SGD(p.values(), lr=0.1 * (1 - 0.9), momentum=0.9)),
    "RMSprop": (lambda: optim.RMSprop(0.01, beta=0.9, epsilon=1e-8),
                lambda p: torch.optim.RMSprop(p.values(), lr=0.01, alpha=0.9, eps=1e-8)),
    "Adam": (lambda: optim.Adam(0.01, 0.9, 0.999, 1e-8),
             lambda p: torch.optim.Adam(p.values(), lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
    "AdamW": (lambda: optim.AdamW(0.01, weight_decay=0.1),
              lambda p: torch.optim.AdamW(_weights_and_biases(p, 0.1), lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("scale", [1.0, 1e-9])
def test_optimizer_five_steps(name, scale):
    """The same start and the same five gradients: the same weights after every step (scale 1e-9
    makes ε matter in the adaptive methods)."""
    make_ours, make_theirs = OPTIMIZERS[name]
    rng = np.random.default_rng(1)
    start = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=(4, 1)), "W2": rng.normal(size=(1, 4))}
    steps = [{k: scale * g for k, g in s.items()} for s in _steps({k: v.shape for k, v in start.items()})]
    ours, params = make_ours(), {k: v.copy() for k, v in start.items()}
    tensors = {k: t(v) for k, v in start.items()}
    theirs = make_theirs(tensors)
    for grads in steps:
        ours.step(params, grads)
        for k, tensor in tensors.items():
            tensor.grad = torch.from_numpy(grads[k].copy())
        theirs.step()
        for k in params:
            assert close(params[k], tensors[k]), (name, k)


def public_classes(predicate):
    found = set()
    for info in pkgutil.iter_modules(nnlib.__path__):
        module = importlib.import_module(f"nnlib.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and not name.startswith("_") and predicate(obj):
                found.add(name)
    return found


COVERED_LAYERS = {"Dense", "Dropout", "BatchNorm", "LayerNorm", "Residual", "RNN", "GRU", "Conv2D", "MaxPool2D",
                  "AvgPool2D", "Flatten"}
COVERED_OUTPUTS = {"SigmoidCrossEntropy", "SoftmaxCrossEntropy", "SquaredError"}


def test_every_layer_output_and_optimizer_is_covered():
    """A new public layer, output or optimizer of nnlib must get a parity test here."""
    def is_layer(cls):
        return all(callable(getattr(cls, a, None)) for a in ("forward", "backward", "config"))

    def is_output(cls):
        return all(callable(getattr(cls, a, None)) for a in ("loss", "probabilities", "predict"))

    def is_optimizer(cls):
        return issubclass(cls, optim.Optimizer) and cls is not optim.Optimizer

    assert public_classes(is_layer) - COVERED_LAYERS == set(), "layers without a parity test"
    assert public_classes(is_output) - COVERED_OUTPUTS == set(), "outputs without a parity test"
    assert public_classes(is_optimizer) - set(OPTIMIZERS) == set(), "optimizers without a parity test"
