"""Tests for nnlib.optim (notebook 07): each update against a hand-computed step, state, bad hyperparameters."""
import numpy as np
import pytest

from nnlib.optim import SGD, Adam, AdamW, Momentum, RMSprop

P0 = np.array([1.0, -2.0])
G = np.array([0.5, 0.25])


def one_step(optimizer, grads=(G,)):
    params = {"w": P0.copy()}
    array = params["w"]
    for g in grads:
        optimizer.step(params, {"w": np.array(g)})
    assert params["w"] is array  # updated in place
    return array


def test_sgd_hand_computed():
    # θ - α g = [1 - 0.1·0.5, -2 - 0.1·0.25]
    np.testing.assert_allclose(one_step(SGD(0.1)), [0.95, -2.025], rtol=1e-15)


def test_momentum_hand_computed():
    # v1 = 0.1 g = [0.05, 0.025]; θ1 = θ0 - 0.1 v1 = [0.995, -2.0025]
    np.testing.assert_allclose(one_step(Momentum(0.1, beta=0.9)), [0.995, -2.0025], rtol=1e-15)
    # v2 = 0.9 v1 + 0.1 g = [0.095, 0.0475]; θ2 = θ1 - 0.1 v2 = [0.9855, -2.00725]
    np.testing.assert_allclose(one_step(Momentum(0.1, beta=0.9), (G, G)), [0.9855, -2.00725], rtol=1e-15)


def test_rmsprop_hand_computed():
    # s1 = 0.1 g² = [0.025, 0.00625]; g/√s1 = 1/√0.1 = 3.16227766... for both coordinates
    step = 0.01 * 0.5 / (np.sqrt(0.025) + 1e-8), 0.01 * 0.25 / (np.sqrt(0.00625) + 1e-8)
    np.testing.assert_allclose(step, 0.0316227766, rtol=1e-5)  # ε shifts the 7th digit
    np.testing.assert_allclose(one_step(RMSprop(0.01, beta=0.9)), [1 - step[0], -2 - step[1]], rtol=1e-15)


def test_rmsprop_beta_0999_first_step_is_large():
    # β = 0.999 and no bias correction: the first step is α/√(1-β) ≈ 31.6 α per coordinate
    w = one_step(RMSprop(0.001, beta=0.999))
    np.testing.assert_allclose(P0 - w, [0.001 / np.sqrt(0.001)] * 2, rtol=1e-5)


def test_rmsprop_default_beta_is_0_9():
    # the default changed from 0.999 to 0.9: first step α/√0.1 ≈ 3.16 α
    assert RMSprop(0.01).beta == 0.9
    w = one_step(RMSprop(0.001))
    np.testing.assert_allclose(P0 - w, [0.001 / np.sqrt(0.1)] * 2, rtol=1e-5)


def test_adam_first_step_is_learning_rate_times_sign():
    # m̂1 = g and v̂1 = g², so the step is α g / (|g| + ε) ≈ α sign(g)
    w = one_step(Adam(0.01))
    np.testing.assert_allclose(w, [1 - 0.01 * 0.5 / (0.5 + 1e-8), -2 - 0.01 * 0.25 / (0.25 + 1e-8)], rtol=1e-15)


def test_adam_two_steps_hand_computed():
    g1, g2 = np.array([0.5, 0.25]), np.array([-0.1, 0.4])
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
    m1 = (1 - b1) * g1
    v1 = (1 - b2) * g1 ** 2
    theta1 = P0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    m2 = b1 * m1 + (1 - b1) * g2
    v2 = b2 * v1 + (1 - b2) * g2 ** 2
    theta2 = theta1 - lr * (m2 / (1 - b1 ** 2)) / (np.sqrt(v2 / (1 - b2 ** 2)) + eps)
    opt = Adam(lr)
    np.testing.assert_allclose(one_step(opt, (g1, g2)), theta2, rtol=1e-14)
    assert opt.t == 2
    np.testing.assert_allclose(opt.state["w"]["v"], m2, rtol=1e-14)  # first moment (v, as momentum's)
    np.testing.assert_allclose(opt.state["w"]["s"], v2, rtol=1e-14)  # second moment (s, as RMSprop's)


def test_adamw_two_steps_hand_computed():
    # θ ← (1 - α λ_w) θ, then Adam's step (Loshchilov & Hutter; PyTorch's AdamW does the same for its params)
    g1, g2 = np.array([0.5, 0.25]), np.array([-0.1, 0.4])
    b1, b2, lr, eps, wd = 0.9, 0.999, 0.01, 1e-8, 0.5
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1 ** 2
    theta1 = (1 - lr * wd) * P0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2 ** 2
    theta2 = (1 - lr * wd) * theta1 - lr * (m2 / (1 - b1 ** 2)) / (np.sqrt(v2 / (1 - b2 ** 2)) + eps)
    params = {"W1": P0.copy(), "b1": P0.copy()}
    opt = AdamW(lr, weight_decay=wd)
    for g in (g1, g2):
        opt.step(params, {"W1": g, "b1": g})
    np.testing.assert_allclose(params["W1"], theta2, rtol=1e-14)
    # the bias is not decayed: plain Adam
    np.testing.assert_allclose(params["b1"], one_step(Adam(lr), (g1, g2)), rtol=1e-14)
    # first step by hand in round numbers: 0.995 θ - 0.01 sign(g) = (0.985, -2.0)
    params = {"W": P0.copy()}
    AdamW(0.01, weight_decay=0.5).step(params, {"W": G})
    np.testing.assert_allclose(params["W"], [0.985, -2.0], rtol=1e-6)


def test_adamw_with_zero_decay_is_adam():
    params, adam = {"W1": P0.copy()}, {"W1": P0.copy()}
    a, b = AdamW(0.01, weight_decay=0.0), Adam(0.01)
    for g in (G, -2 * G, G):
        a.step(params, {"W1": g})
        b.step(adam, {"W1": g})
    np.testing.assert_array_equal(params["W1"], adam["W1"])


def test_l2_under_adam_differs_from_adamw():
    # L2 adds c θ to the gradient, and Adam divides it by √ŝ: a weight with zero data gradient is pulled
    # to 0 by about α per step whatever its size; AdamW shrinks it by the factor (1 - α λ_w) per step.
    c, lr, steps = 0.5, 0.01, 50
    small_grad = np.array([0.0, 0.0, 10.0])        # two weights without data gradient, one with a large one
    theta0 = np.array([1.0, 0.1, 1.0])
    l2 = {"W": theta0.copy()}
    decoupled = {"W": theta0.copy()}
    adam, adamw = Adam(lr), AdamW(lr, weight_decay=c)
    for _ in range(steps):
        adam.step(l2, {"W": small_grad + c * l2["W"]})
        adamw.step(decoupled, {"W": small_grad})
    # AdamW: every weight without data gradient shrinks by exactly (1 - α c)^steps
    np.testing.assert_allclose(decoupled["W"][:2], theta0[:2] * (1 - lr * c) ** steps, rtol=1e-12)
    # L2 under Adam: the weight at 1.0 moves ≈ α per step (0.5 in 50 steps), far more than AdamW's 1 - 0.995^50 ≈ 0.22
    assert 1.0 - l2["W"][0] > 0.45 and 1.0 - decoupled["W"][0] < 0.23
    # ... and the small weight 0.1 reaches 0 (it hovers within a few α), where AdamW keeps 0.1 · 0.78
    assert abs(l2["W"][1]) < 0.03 and decoupled["W"][1] > 0.07
    # the weight with a large data gradient: its L2 term is drowned by the division by √ŝ ≈ |10 + ...|
    assert not np.allclose(l2["W"], decoupled["W"], atol=1e-3)


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1), lambda: RMSprop(0.01),
                                  lambda: Adam(0.01), lambda: AdamW(0.01, weight_decay=0.1)])
def test_state_per_parameter_name_and_float32_kept(make):
    opt = make()
    params = {"W1": np.ones((2, 3), dtype=np.float32), "b1": np.zeros((2, 1), dtype=np.float32)}
    grads = {"W1": np.full((2, 3), 0.5, dtype=np.float32), "b1": np.full((2, 1), -1.0, dtype=np.float32)}
    for _ in range(3):
        opt.step(params, grads)
    assert params["W1"].dtype == np.float32 and params["b1"].dtype == np.float32
    assert np.all(params["W1"] < 1) and np.all(params["b1"] > 0)
    if not isinstance(opt, SGD):
        assert set(opt.state) == {"W1", "b1"}
        assert all(a.shape == params[n].shape and a.dtype == np.float32
                   for n, slots in opt.state.items() for a in slots.values())


def test_optimizers_minimize_a_quadratic():
    target = np.array([3.0, -1.0])
    for opt in (SGD(0.1), Momentum(0.1), RMSprop(0.01, beta=0.9), Adam(0.05)):
        params = {"w": np.zeros(2)}
        for _ in range(500):
            opt.step(params, {"w": params["w"] - target})
        np.testing.assert_allclose(params["w"], target, atol=0.05)


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        SGD(0)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        Adam(-1e-3)
    with pytest.raises(ValueError, match="beta must be a number in"):
        Momentum(0.1, beta=1.0)
    with pytest.raises(ValueError, match="beta2 must be a number in"):
        Adam(0.1, beta2=1.5)
    with pytest.raises(ValueError, match="epsilon must be a positive number"):
        RMSprop(0.1, epsilon=0)
    with pytest.raises(ValueError, match="grads has no entry 'b'"):
        SGD(0.1).step({"w": np.zeros(2), "b": np.zeros(1)}, {"w": np.zeros(2)})
    with pytest.raises(TypeError, match=r"params\['w'\] must be a NumPy array"):
        SGD(0.1).step({"w": [1.0]}, {"w": np.zeros(1)})
