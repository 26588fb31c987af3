"""Recurrent layers: a vanilla RNN and a GRU, unrolled in time, with backpropagation through time (notebook 13).

A batch of sequences is X of shape (n_x, T, m): n_x features per time step, T time steps,
m examples, the examples on the LAST axis as everywhere in nnlib. One time step X[:, t, :]
is then an (n_x, m) matrix like notebook 04's A, and the whole batch reshapes for free to
(n_x, T·m), so the input half of every pre-activation, W_x x_t for all t at once, is ONE
matrix product before the loop over time. Hidden states are kept as (n_h, T, m) likewise.

Vanilla RNN (h_0 = 0):   a_t = W_x x_t + W_h h_{t-1} + b,   h_t = tanh(a_t)
BPTT, with g_t = ∂L/∂h_t arriving from above (0 where nothing reads h_t):
    dh_t = g_t + W_hᵀ da_{t+1}      (dh_T = g_T),     da_t = dh_t ⊙ (1 - h_t²)
    dW_x = Σ_t da_t x_tᵀ,   dW_h = Σ_t da_t h_{t-1}ᵀ,   db = Σ_t da_t,   dx_t = W_xᵀ da_t
GRU (the variant of cuDNN and PyTorch: the reset gate multiplies W_h h, so one matmul per step):
    z_t = σ(W_xz x_t + W_hz h_{t-1} + b_z)          update gate
    r_t = σ(W_xr x_t + W_hr h_{t-1} + b_r)          reset gate
    n_t = tanh(W_xn x_t + r_t ⊙ (W_hn h_{t-1}) + b_n)   candidate
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}          an additive path from h_{t-1} to h_t
The three gates' weights are stacked: W_x (3 n_h, n_x), W_h (3 n_h, n_h), b (3 n_h, 1), in the order z, r, n.

As in nnlib.layers, the upstream gradient of a layer is per example (dZ = A - Y of the
softmax output, not divided by m) and the layer divides its weight gradients by m.
"""
import numpy as np

from .checks import is_integer, is_number

__all__ = [
    "rnn_forward", "rnn_backward", "gru_forward", "gru_backward", "orthogonal", "RNN", "GRU",
    "global_norm", "clip_by_global_norm", "with_clipping",
]

_DTYPES = (np.float32, np.float64)


# ----------------------------------------------------------------------------- checks

def _check_sequences(X, n_x=None, seq_len=None):
    """X must be a float array (n_x, T, m) with T >= 1 and m >= 1."""
    if not isinstance(X, np.ndarray):
        raise TypeError(f"X must be a NumPy array of shape (n_x, T, m), got {type(X).__name__}")
    if X.dtype not in _DTYPES:
        raise TypeError(f"X must be float32 or float64, got dtype {X.dtype}")
    if X.ndim != 3:
        raise ValueError(f"X must be 3-D (n_x, T, m): features, time steps, examples; got shape {X.shape}"
                         + ("; for one feature per step use X[None]" if X.ndim == 2 else ""))
    if X.shape[1] == 0:
        raise ValueError(f"X has sequence length T = 0 (shape {X.shape}): a sequence needs at least one time step")
    if X.shape[2] == 0:
        raise ValueError(f"X has no examples (m = 0, shape {X.shape})")
    if n_x is not None and X.shape[0] != n_x:
        raise ValueError(f"X has {X.shape[0]} features per time step but the layer expects n_x = {n_x} "
                         f"(X must be (n_x, T, m); transposed?)")
    if seq_len is not None and X.shape[1] != seq_len:
        raise ValueError(f"X has T = {X.shape[1]} time steps but the layer was built for seq_len = {seq_len}")


def _check_weights(X, h0, Wx, Wh, b, gates):
    """Wx (g n_h, n_x), Wh (g n_h, n_h), b (g n_h, 1), h0 (n_h, m) for g = gates; returns n_h."""
    for name, A in (("h0", h0), ("Wx", Wx), ("Wh", Wh), ("b", b)):
        if not isinstance(A, np.ndarray) or A.ndim != 2 or A.dtype.kind not in "biuf":
            raise ValueError(f"{name} must be a 2-D numeric array, got "
                             f"{f'shape {A.shape}, dtype {A.dtype}' if isinstance(A, np.ndarray) else type(A).__name__}")
    rows = Wx.shape[0]
    if Wx.ndim != 2 or rows % gates or Wx.shape[1] != X.shape[0]:
        raise ValueError(f"Wx must have shape ({gates}·n_h, n_x={X.shape[0]}), got {Wx.shape}")
    n_h = rows // gates
    if Wh.shape != (rows, n_h):
        raise ValueError(f"Wh must have shape ({rows}, {n_h}) to match Wx's hidden size n_h = {n_h}, got {Wh.shape}")
    if b.shape != (rows, 1):
        raise ValueError(f"b must have shape ({rows}, 1) to match Wx's hidden size n_h = {n_h}, got {b.shape}")
    if h0.shape != (n_h, X.shape[2]):
        raise ValueError(f"h0 must have shape (n_h, m) = ({n_h}, {X.shape[2]}), got {h0.shape}")
    return n_h


def _check_upstream(dH, H_shape, return_sequences):
    n_h, T, m = H_shape
    expected = (n_h, T, m) if return_sequences else (n_h, m)
    if not isinstance(dH, np.ndarray) or dH.shape != expected:
        raise ValueError(f"the upstream gradient must have the shape of the layer's output {expected}, "
                         f"got {getattr(dH, 'shape', type(dH).__name__)}")


def _sigmoid_(Z):
    """σ(Z) in place, as (1 + tanh(Z/2)) / 2: exact, never overflows, three cheap passes."""
    Z *= 0.5
    np.tanh(Z, out=Z)
    Z += 1.0
    Z *= 0.5
    return Z


def _input_projection(X, Wx, b):
    """W_x x_t + b for every t at once: (rows, T, m), one matmul on X seen as (n_x, T·m)."""
    n_x, T, m = X.shape
    G = (Wx @ X.reshape(n_x, T * m)).reshape(-1, T, m)
    G += b[:, :, None]
    return G


def _weight_grads(dG, X, dGh, H, Wx, m):
    """dW_x = Σ_t dg_t x_tᵀ, dW_h = Σ_t dgh_t h_{t-1}ᵀ, db = Σ_t dg_t (all / m) and dX = W_xᵀ dG."""
    n_x, T, _ = X.shape
    rows = dG.shape[0]
    dG2 = dG.reshape(rows, T * m)
    dWx = dG2 @ X.reshape(n_x, T * m).T
    dWh = dGh.reshape(rows, T * m) @ H[:, :T].reshape(-1, T * m).T  # H[:, t] is h_{t-1}
    db = dG2.sum(axis=1, keepdims=True)
    for grad in (dWx, dWh, db):
        grad /= m
    dX = (Wx.T @ dG2).reshape(n_x, T, m)
    return dX, dWx, dWh, db


# ----------------------------------------------------------------------------- vanilla RNN

def rnn_forward(X, h0, Wx, Wh, b):
    """Run h_t = tanh(W_x x_t + W_h h_{t-1} + b) over t = 1..T.

    X (n_x, T, m), h0 (n_h, m), Wx (n_h, n_x), Wh (n_h, n_h), b (n_h, 1).
    Returns (H, cache) with H (n_h, T, m) holding h_1..h_T.
    """
    _check_sequences(X)
    n_h = _check_weights(X, h0, Wx, Wh, b, 1)
    _, T, m = X.shape
    A = _input_projection(X, Wx, b)           # W_x x_t + b for all t
    H = np.empty((n_h, T + 1, m), dtype=A.dtype)  # H[:, 0] = h_0, H[:, t] = h_t
    H[:, 0] = h0
    for t in range(T):
        a_t = A[:, t]
        a_t += Wh @ H[:, t]
        np.tanh(a_t, out=H[:, t + 1])
    return H[:, 1:], (X, H, Wx, Wh)


def rnn_backward(dH, cache):
    """Backpropagation through time for rnn_forward.

    dH: (n_h, T, m), the gradient arriving at each h_t from above (zeros where nothing reads
    h_t, e.g. everywhere but t = T for a classifier of the last state).
    Returns (dX (n_x, T, m), dh0 (n_h, m), dWx, dWh, db).
    """
    X, H, Wx, Wh = cache
    n_h, T1, m = H.shape
    T = T1 - 1
    if not isinstance(dH, np.ndarray) or dH.shape != (n_h, T, m):
        raise ValueError(f"dH must have shape (n_h, T, m) = {(n_h, T, m)}, got {getattr(dH, 'shape', dH)}")
    dA = np.empty((n_h, T, m), dtype=H.dtype)
    dh = np.zeros((n_h, m), dtype=H.dtype)    # the gradient from the future: none after step T
    for t in reversed(range(T)):
        ### BEGIN SOLUTION
        dh += dH[:, t]                        # dh_t = g_t + W_hᵀ da_{t+1}
        h_t = H[:, t + 1]
        da = dA[:, t]
        np.multiply(h_t, h_t, out=da)
        np.subtract(1.0, da, out=da)
        da *= dh                              # da_t = dh_t ⊙ (1 - h_t²)
        dh = Wh.T @ da                        # W_hᵀ da_t: the part of dh_{t-1} from the future
        ### END SOLUTION
    dX, dWx, dWh, db = _weight_grads(dA, X, dA, H, Wx, m)
    return dX, dh, dWx, dWh, db


# ----------------------------------------------------------------------------- GRU

def gru_forward(X, h0, Wx, Wh, b):
    """Run the GRU over t = 1..T (see the module docstring for the equations).

    X (n_x, T, m), h0 (n_h, m), Wx (3 n_h, n_x), Wh (3 n_h, n_h), b (3 n_h, 1) in gate order z, r, n.
    Returns (H, cache) with H (n_h, T, m) holding h_1..h_T.
    """
    _check_sequences(X)
    n_h = _check_weights(X, h0, Wx, Wh, b, 3)
    _, T, m = X.shape
    k = n_h
    G = _input_projection(X, Wx, b)           # W_x x_t + b for all t: (3 n_h, T, m)
    dtype = G.dtype
    H = np.empty((n_h, T + 1, m), dtype=dtype)  # H[:, t] = h_t, H[:, 0] = h_0
    ZR = G[:2 * k]                            # becomes the gates z, r in place
    N = G[2 * k:]                             # becomes the candidate n in place
    HN = np.empty((n_h, T, m), dtype=dtype)   # W_hn h_{t-1}, needed in backward for dr
    H[:, 0] = h0
    for t in range(T):
        h_prev = H[:, t]
        Gh = Wh @ h_prev                      # (3 n_h, m): all three recurrent products at once
        zr = ZR[:, t]
        zr += Gh[:2 * k]
        _sigmoid_(zr)
        hn = HN[:, t]
        hn[...] = Gh[2 * k:]
        n = N[:, t]
        n += zr[k:] * hn                      # + r ⊙ (W_hn h_{t-1})
        np.tanh(n, out=n)
        h = H[:, t + 1]
        np.subtract(h_prev, n, out=h)
        h *= zr[:k]
        h += n                                # h_t = n + z ⊙ (h_{t-1} - n)
    return H[:, 1:], (X, H, G, HN, Wx, Wh)


def gru_backward(dH, cache):
    """Backpropagation through time for gru_forward.

    dH: (n_h, T, m), the gradient arriving at each h_t from above. Returns
    (dX (n_x, T, m), dh0 (n_h, m), dWx, dWh, db).
    Per step, with dh = dh_t and a_z, a_r, a_n the pre-activations of z, r, n:
      da_n = dh ⊙ (1 - z) ⊙ (1 - n²)          da_z = dh ⊙ (h_{t-1} - n) ⊙ z(1 - z)
      da_r = da_n ⊙ (W_hn h_{t-1}) ⊙ r(1 - r)
      dh_{t-1} = dh ⊙ z + W_hᵀ [da_z; da_r; r ⊙ da_n] + g_{t-1}
    """
    X, H, G, HN, Wx, Wh = cache
    n_h, T1, m = H.shape
    T, k = T1 - 1, n_h
    if not isinstance(dH, np.ndarray) or dH.shape != (n_h, T, m):
        raise ValueError(f"dH must have shape (n_h, T, m) = {(n_h, T, m)}, got {getattr(dH, 'shape', dH)}")
    dtype = H.dtype
    dG = np.empty((3 * k, T, m), dtype=dtype)   # ∂/∂(pre-activations): da_z, da_r, da_n
    dGh = np.empty((3 * k, T, m), dtype=dtype)  # ∂/∂(W_h h_{t-1}): da_z, da_r, r ⊙ da_n
    tmp = np.empty((k, m), dtype=dtype)
    dh = np.zeros((n_h, m), dtype=dtype)
    for t in reversed(range(T)):
        dh += dH[:, t]
        z, r, n, h_prev = G[:k, t], G[k:2 * k, t], G[2 * k:, t], H[:, t]
        # candidate: h = (1 - z) n + z h_prev  ->  ∂h/∂n = 1 - z, then tanh' = 1 - n²
        da_n = dG[2 * k:, t]
        np.multiply(n, n, out=da_n)
        np.subtract(1.0, da_n, out=da_n)
        np.subtract(1.0, z, out=tmp)
        da_n *= tmp
        da_n *= dh
        # update gate: ∂h/∂z = h_prev - n, then σ' = z (1 - z); tmp still holds 1 - z
        da_z = dG[:k, t]
        np.subtract(h_prev, n, out=da_z)
        da_z *= dh
        da_z *= z
        da_z *= tmp
        # reset gate: a_n = ... + r ⊙ hn  ->  ∂a_n/∂r = hn, then σ' = r (1 - r)
        da_r = dG[k:2 * k, t]
        np.multiply(da_n, HN[:, t], out=da_r)
        np.subtract(1.0, r, out=tmp)
        tmp *= r
        da_r *= tmp
        gh = dGh[:, t]
        gh[:2 * k] = dG[:2 * k, t]
        np.multiply(da_n, r, out=gh[2 * k:])  # ∂a_n/∂(W_hn h_{t-1}) = r
        dh *= z                               # the additive path: ∂h_t/∂h_{t-1} ∋ diag(z)
        dh += Wh.T @ gh
    dX, dWx, dWh, db = _weight_grads(dG, X, dGh, H, Wx, m)
    return dX, dh, dWx, dWh, db


# ----------------------------------------------------------------------------- layers

def orthogonal(n, rng, dtype):
    """An n×n random orthogonal matrix (QR of a Gaussian, signs fixed): all singular values 1."""
    if not is_integer(n) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a np.random.Generator, e.g. np.random.default_rng(0)")
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return (Q * np.sign(np.diag(R))).astype(dtype)


class _Recurrent:
    """Shared by RNN and GRU: shapes, parameters, the layer protocol."""

    gates = 1
    _forward = staticmethod(rnn_forward)
    _backward = staticmethod(rnn_backward)

    def __init__(self, n_x, n_h, seq_len=None, return_sequences=False, rng=None, dtype=np.float64):
        for name, value in (("n_x", n_x), ("n_h", n_h)):
            if not is_integer(value) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if seq_len is not None and (not is_integer(seq_len) or seq_len < 1):
            raise ValueError(f"seq_len must be a positive integer (or None for any length), got {seq_len!r}")
        if not isinstance(return_sequences, bool):
            raise TypeError(f"return_sequences must be True or False, got {return_sequences!r}")
        if np.dtype(dtype) not in _DTYPES:
            raise TypeError(f"dtype must be np.float32 or np.float64, got {np.dtype(dtype)}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a np.random.Generator, e.g. np.random.default_rng(0)")
        self.n_x, self.n_h = int(n_x), int(n_h)
        self.seq_len = None if seq_len is None else int(seq_len)
        self.return_sequences = return_sequences
        # n_in / n_out: one example's shape. With seq_len None the layer takes any length, but
        # then Model cannot check or fix its input shape, so Model needs seq_len given.
        self.n_in = None if seq_len is None else (self.n_x, self.seq_len)
        if return_sequences:
            self.n_out = None if seq_len is None else (self.n_h, self.seq_len)
        else:
            self.n_out = self.n_h
        g = self.gates
        # W_x: Var 1/n_x (Xavier, notebook 04); W_h: orthogonal per gate, so that ‖W_h v‖ = ‖v‖ at the start
        Wx = rng.standard_normal((g * self.n_h, self.n_x)) * np.sqrt(1.0 / self.n_x)
        Wh = np.concatenate([orthogonal(self.n_h, rng, np.float64) for _ in range(g)], axis=0)
        self.params = {"Wx": Wx.astype(dtype), "Wh": Wh.astype(dtype),
                       "b": np.zeros((g * self.n_h, 1), dtype=dtype)}

    def forward(self, A_prev, training=False):
        """A_prev (n_x, T, m) -> h_T (n_h, m), or all of h_1..h_T (n_h, T, m) with return_sequences."""
        _check_sequences(A_prev, self.n_x, self.seq_len)
        p = self.params
        h0 = np.zeros((self.n_h, A_prev.shape[2]), dtype=p["Wx"].dtype)
        H, cache = self._forward(A_prev.astype(p["Wx"].dtype, copy=False), h0, p["Wx"], p["Wh"], p["b"])
        out = H if self.return_sequences else H[:, -1]
        return out, (cache, H.shape)

    def backward(self, dA, cache):
        """dA: the gradient at the output -> (dA_prev (n_x, T, m), grads {"Wx", "Wh", "b"})."""
        inner, H_shape = cache
        _check_upstream(dA, H_shape, self.return_sequences)
        if self.return_sequences:
            dH = dA
        else:
            dH = np.zeros(H_shape, dtype=dA.dtype)
            dH[:, -1] = dA
        dX, _, dWx, dWh, db = self._backward(dH, inner)
        return dX, {"Wx": dWx, "Wh": dWh, "b": db}

    def config(self):
        return {"n_x": self.n_x, "n_h": self.n_h, "seq_len": self.seq_len,
                "return_sequences": self.return_sequences, "dtype": str(self.params["Wx"].dtype)}

    def __repr__(self):
        T = "T" if self.seq_len is None else self.seq_len
        out = f"({self.n_h}, {T})" if self.return_sequences else f"{self.n_h}"
        return f"{type(self).__name__}(({self.n_x}, {T}) -> {out})"


class RNN(_Recurrent):
    """A vanilla (Elman) RNN layer h_t = tanh(W_x x_t + W_h h_{t-1} + b), h_0 = 0.

    Input (n_x, T, m); output the last hidden state h_T (n_h, m) for a Dense head, or with
    return_sequences=True all of them (n_h, T, m). seq_len fixes T (needed inside a Model).
    Parameters Wx (n_h, n_x), Wh (n_h, n_h), b (n_h, 1).
    """


class GRU(_Recurrent):
    """A gated recurrent unit layer (equations in the module docstring), h_0 = 0.

    Input (n_x, T, m); output h_T (n_h, m), or all states (n_h, T, m) with return_sequences.
    Parameters Wx (3 n_h, n_x), Wh (3 n_h, n_h), b (3 n_h, 1), gate blocks in the order z, r, n.
    """

    gates = 3
    _forward = staticmethod(gru_forward)
    _backward = staticmethod(gru_backward)


# ----------------------------------------------------------------------------- gradient clipping

def global_norm(grads):
    """‖g‖ = sqrt(Σ over every array of Σ of its squared entries): the length of all gradients as one vector."""
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict name -> array (as loss_and_grads returns), got {type(grads).__name__}")
    arrays = [np.asarray(g) for g in grads.values()]
    for name, g in zip(grads, arrays):
        if g.dtype.kind not in "biuf":
            raise TypeError(f"grads[{name!r}] must be a real numeric array, got dtype {g.dtype}")
    # in float64, scaled by the largest entry: the squares of float32 gradients of 1e20 would overflow
    arrays = [g.astype(np.float64, copy=False) for g in arrays]
    scale = max((float(np.max(np.abs(g))) for g in arrays if g.size), default=0.0)
    if scale == 0 or not np.isfinite(scale):
        return scale
    return scale * float(np.sqrt(sum(float(np.vdot(g / scale, g / scale)) for g in arrays)))


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so that their global norm is at most max_norm.

    g <- g · min(1, max_norm / ‖g‖): the direction is kept, only the step length is capped.
    Returns (clipped grads (a new dict; the input arrays are untouched), the norm before clipping).
    """
    if not is_number(max_norm) or not max_norm > 0 or not np.isfinite(max_norm):
        raise ValueError(f"max_norm must be a positive finite number, got {max_norm!r}")
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise FloatingPointError(f"the gradient norm is {norm}: clipping cannot repair NaN or inf gradients")
    if norm <= max_norm:
        return dict(grads), norm
    scale = max_norm / norm
    return {name: g * np.asarray(scale, dtype=g.dtype) for name, g in grads.items()}, norm


def with_clipping(loss_and_grads, max_norm):
    """Wrap a loss_and_grads(X, Y) -> (cost, grads) for fit so that its gradients are clipped.

    loss_and_grads: e.g. model.loss_and_grads or nnlib.regularization.with_l2(model, λ).
    The returned function keeps the norm before clipping of every call in its list `.norms`.
    """
    if not callable(loss_and_grads):
        raise TypeError(f"loss_and_grads must be callable (e.g. model.loss_and_grads), got {loss_and_grads!r}")
    clip_by_global_norm({}, max_norm)  # checks max_norm now, not at the first batch

    def clipped(X, Y):
        cost, grads = loss_and_grads(X, Y)
        grads, norm = clip_by_global_norm(grads, max_norm)
        clipped.norms.append(norm)
        return cost, grads

    clipped.norms = []
    return clipped
