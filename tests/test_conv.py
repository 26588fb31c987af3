"""nnlib.conv and nnlib.pooling (notebook 12): loops = im2col, every backward against finite
differences (float64, relative error < 1e-7), col2im = a full convolution with the flipped kernel,
the layers under the layer protocol (a whole CNN, save and load), and bad input.

Convention (notebook 04): with the test cost J = (1/m) sum(R * out), dW and db equal dJ/dW and dJ/db,
and the gradients passed between layers are per example: dA_prev = m * dJ/dA_prev.
"""
import numpy as np
import pytest

from nnlib.conv import (
    Conv2D,
    col2im,
    conv2d_loops,
    conv_backward,
    conv_dX_full,
    conv_forward,
    conv_output_shape,
    im2col,
)
from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.io import load_model, save_model
from nnlib.layers import Dense
from nnlib.model import Model
from nnlib.optim import Adam
from nnlib.pooling import (
    AvgPool2D,
    Flatten,
    MaxPool2D,
    avgpool_backward,
    avgpool_forward,
    maxpool_backward,
    maxpool_forward,
)
from nnlib.softmax import SoftmaxCrossEntropy
from nnlib.training import fit

TOL = 1e-7
pytestmark = pytest.mark.usefixtures("warnings_are_errors")

# (kernel, stride, padding) cases: square, rectangular, stride > 1, padding, both, 1-D (height 1)
CASES = [((3, 3), (1, 1), (0, 0)), ((3, 2), (1, 1), (1, 1)), ((3, 3), (2, 2), (1, 1)),
         ((2, 3), (2, 1), (0, 2)), ((1, 3), (1, 2), (0, 1))]


def mean_dot(R, out):
    return float(np.sum(R * out)) / out.shape[-1]


def images(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("kernel,stride,padding", CASES)
def test_im2col_equals_the_loops(kernel, stride, padding):
    C, H, W, m, F = 3, 7, 6, 4, 5
    if kernel[0] == 1:
        H = 1
    X, W4, b = images((C, H, W, m)), images((F, C, *kernel), 1), images((F, 1), 2)
    Z, _ = conv_forward(X, W4.reshape(F, -1), b, kernel, stride, padding)
    loops = conv2d_loops(X, W4, b, stride, padding)
    assert Z.shape == loops.shape == (F, *conv_output_shape(H, W, kernel, stride, padding), m)
    assert np.max(np.abs(Z - loops)) < 1e-12


def test_im2col_layout_and_output_size():
    X = np.arange(2 * 4 * 4 * 3, dtype=float).reshape(2, 4, 4, 3)
    cols = im2col(X, (2, 2), (2, 2), (0, 0))
    assert cols.shape == (2 * 2 * 2, 2 * 2 * 3)
    # column (i, j, e) = (0, 1, 2): the patch rows 0-1, columns 2-3 of example 2; row (c, u, v) = (1, 1, 0)
    assert cols[1 * 4 + 1 * 2 + 0, (0 * 2 + 1) * 3 + 2] == X[1, 1, 2, 2]
    assert conv_output_shape(28, 28, (5, 5), (1, 1), (2, 2)) == (28, 28)
    assert conv_output_shape(28, 28, (5, 5), (1, 1), (0, 0)) == (24, 24)
    assert conv_output_shape(40, 1, (5, 1), (2, 1), (1, 0)) == (19, 1)


@pytest.mark.parametrize("kernel,stride,padding", CASES)
def test_conv_backward_matches_finite_differences(kernel, stride, padding):
    C, H, W, m, F = 2, 6, 7, 3, 4
    if kernel[0] == 1:
        H = 1
    X, Wt, b = images((C, H, W, m)), images((F, C * kernel[0] * kernel[1]), 1), images((F, 1), 2)
    Z, cache = conv_forward(X, Wt, b, kernel, stride, padding)
    R = images(Z.shape, 3)
    dX, dW, db = conv_backward(R, cache)
    f = lambda _: mean_dot(R, conv_forward(X, Wt, b, kernel, stride, padding)[0])
    assert relative_error(dW, numerical_gradient(f, Wt)) < TOL
    assert relative_error(db, numerical_gradient(f, b)) < TOL
    assert relative_error(dX, m * numerical_gradient(f, X)) < TOL
    assert conv_backward(R, cache, need_dA_prev=False)[0] is None


@pytest.mark.parametrize("padding", [(0, 0), (1, 2), (2, 2)])
def test_col2im_equals_a_full_convolution_with_the_flipped_kernel(padding):
    C, H, W, m, F, kernel = 3, 6, 5, 2, 4, (3, 3)
    X, W4, b = images((C, H, W, m)), images((F, C, *kernel), 1), images((F, 1), 2)
    Z, cache = conv_forward(X, W4.reshape(F, -1), b, kernel, (1, 1), padding)
    dZ = images(Z.shape, 3)
    dX, _, _ = conv_backward(dZ, cache)
    assert np.max(np.abs(conv_dX_full(dZ, W4, padding) - dX)) < 1e-12


def test_col2im_is_the_adjoint_of_im2col():
    # <im2col(X), D> = <X, col2im(D)> for any X, D: col2im is im2col transposed
    X = images((2, 5, 6, 3))
    cols = im2col(X, (3, 2), (2, 1), (1, 1))
    D = images(cols.shape, 1)
    assert abs(np.vdot(cols, D) - np.vdot(X, col2im(D, X.shape, (3, 2), (2, 1), (1, 1)))) < 1e-10


@pytest.mark.parametrize("pool,stride", [((2, 2), (2, 2)), ((3, 2), (1, 2)), ((1, 2), (1, 2)), ((2, 2), (1, 1))])
def test_pooling_backward_matches_finite_differences(pool, stride):
    X = images((2, 5, 6, 3))
    for forward, backward in ((maxpool_forward, maxpool_backward), (avgpool_forward, avgpool_backward)):
        A, cache = forward(X, pool, stride)
        R = images(A.shape, 1)
        f = lambda _, R=R, forward=forward: mean_dot(R, forward(X, pool, stride)[0])
        assert relative_error(backward(R, cache), X.shape[-1] * numerical_gradient(f, X)) < TOL


def test_maxpool_values_and_deterministic_ties():
    X = np.array([[1.0, 3.0, 2.0, 2.0], [3.0, 0.0, 2.0, 2.0]]).reshape(1, 2, 4, 1)
    A, cache = maxpool_forward(X, (2, 2), (2, 2))
    assert A.ravel().tolist() == [3.0, 2.0]
    dX = maxpool_backward(np.array([10.0, 20.0]).reshape(1, 1, 2, 1), cache)
    # ties: the first pixel in row-major order within the window gets the whole gradient
    assert dX.reshape(2, 4).tolist() == [[0.0, 10.0, 20.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    A_avg, _ = avgpool_forward(X, (2, 2), (2, 2))
    assert A_avg.ravel().tolist() == [1.75, 2.0]


def small_cnn(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    conv1 = Conv2D((2, 7, 7), 3, 3, stride=1, padding=1, activation="tanh", init="he", rng=rng, dtype=dtype)
    pool1 = MaxPool2D(conv1.n_out, 2)
    conv2 = Conv2D(pool1.n_out, 4, (2, 3), stride=(1, 2), padding=(1, 1), activation="relu", rng=rng,
                   dtype=dtype)
    pool2 = AvgPool2D(conv2.n_out, 2, stride=1)
    flat = Flatten(pool2.n_out)
    return Model([conv1, pool1, conv2, pool2, flat, Dense(flat.n_out, 3, "identity", "he", rng, dtype)],
                 SoftmaxCrossEntropy())


def test_a_whole_small_cnn_matches_finite_differences():
    model = small_cnn()
    X = images((2, 7, 7, 5), 1)
    Y = np.eye(3)[:, np.random.default_rng(2).integers(0, 3, 5)]
    _, grads = model.loss_and_grads(X, Y)
    errors = check_gradients(lambda: model.cost(X, Y), model.params, grads)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("layer", [
    Conv2D((2, 5, 6), 3, (3, 2), stride=2, padding=1, activation="tanh", rng=np.random.default_rng(0)),
    Conv2D((2, 1, 9), 3, (1, 3), stride=(1, 2), padding=(0, 1), activation="identity",
           rng=np.random.default_rng(0)),
    MaxPool2D((2, 5, 6), 2), AvgPool2D((2, 5, 6), (2, 3), stride=1), Flatten((2, 5, 6))])
def test_each_layer_input_gradient_matches_finite_differences(layer):
    X = images((*layer.n_in, 3), 4)
    A, cache = layer.forward(X, training=True)
    assert A.shape == ((layer.n_out, 3) if isinstance(layer.n_out, int) else (*layer.n_out, 3))
    R = images(A.shape, 5)
    dX, grads = layer.backward(R, cache)
    f = lambda _: mean_dot(R, layer.forward(X)[0])
    assert relative_error(dX, 3 * numerical_gradient(f, X)) < TOL
    for name, p in layer.params.items():
        assert relative_error(grads[name], numerical_gradient(f, p)) < TOL


def test_he_initialization_uses_fan_in_C_kh_kw():
    layer = Conv2D((4, 10, 10), 500, 5, rng=np.random.default_rng(0))
    assert layer.params["W"].shape == (500, 4 * 5 * 5) and layer.params["b"].shape == (500, 1)
    assert abs(layer.params["W"].var() / (2 / 100) - 1) < 0.03


def test_save_and_load_round_trip_gives_identical_predictions(tmp_path):
    model = small_cnn(dtype=np.float32)
    X = images((2, 7, 7, 6), 1).astype(np.float32)
    fit(model, X, np.eye(3, dtype=np.float32)[:, [0, 1, 2, 0, 1, 2]], Adam(0.01), epochs=2, batch_size=3,
        rng=np.random.default_rng(0))
    save_model(model, tmp_path / "cnn.h5")
    loaded, _ = load_model(tmp_path / "cnn.h5")
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    assert [layer.config() for layer in loaded.layers] == [layer.config() for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert all(p.dtype == np.float32 for p in loaded.params.values())


def test_float32_stays_float32():
    model = small_cnn(dtype=np.float32)
    X = images((2, 7, 7, 4), 1).astype(np.float32)
    Z, _ = model.forward(X)
    _, grads = model.loss_and_grads(X, np.eye(3, dtype=np.float32)[:, [0, 1, 2, 0]])
    assert Z.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())


def test_bad_input_gives_clear_errors():
    conv = Conv2D((3, 8, 8), 4, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="A_prev must be a 4-D array"):
        conv.forward(np.zeros((3, 8, 8)))                      # wrong rank: the example axis is missing
    with pytest.raises(ValueError, match="has 1 channels .* expects 3"):
        conv.forward(np.zeros((1, 8, 8, 2)))                   # channel mismatch
    with pytest.raises(ValueError, match="expects 8x8"):
        conv.forward(np.zeros((3, 9, 8, 2)))
    with pytest.raises(ValueError, match="kernel 7x7 is larger than the padded input 6x6"):
        Conv2D((1, 4, 4), 2, 7, padding=1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="kernel 5x5 is larger than the padded input 4x4"):
        im2col(np.zeros((1, 4, 4, 1)), (5, 5))
    with pytest.raises(ValueError, match="stride must be an integer >= 1"):
        Conv2D((1, 8, 8), 2, 3, stride=0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="padding must be an integer >= 0"):
        Conv2D((1, 8, 8), 2, 3, padding=-1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_in must be 3 positive integers"):
        Conv2D(64, 2, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        Conv2D((1, 8, 8), 0, 3, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        Conv2D((1, 8, 8), 2, 3)
    with pytest.raises(ValueError, match="stride must be an integer >= 1"):
        MaxPool2D((1, 4, 4), 2, stride=0)
    with pytest.raises(ValueError, match="pool_size 5x5 is larger than the input 4x4"):
        MaxPool2D((1, 4, 4), 5)
    with pytest.raises(ValueError, match=r"A_prev must have shape \(1, 4, 4, 'm'\)"):
        MaxPool2D((1, 4, 4), 2).forward(np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="A_prev must have shape"):
        Flatten((1, 4, 4)).forward(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match="layer sizes do not match"):
        Model([conv, Flatten((4, 7, 7)), Dense(196, 2, rng=np.random.default_rng(0))], SoftmaxCrossEntropy())
    model = Model([conv, Flatten(conv.n_out), Dense(144, 2, rng=np.random.default_rng(0))], SoftmaxCrossEntropy())
    with pytest.raises(ValueError, match="X has shape"):
        model.predict(np.zeros((3, 8, 9, 2)))
