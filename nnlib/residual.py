"""Residual connections (notebook 11): a block that adds its input to what its layers compute.

  A = A_prev + F(A_prev),   F = the block's layers applied in turn,
  dA_prev = dA + (the backward of F)(dA).
The "+ dA" is the highway: however small F's backward makes the gradient, the
block passes its upstream gradient on unchanged, so a stack of blocks cannot lose it.

A Residual is one layer of a Model. Its params and state name its layers' entries
"<key><j>_" (j = 1, 2, ...: the layer's position in the block), e.g. "W1_", "gamma2_";
inside a Model, which appends the block's number l, that reads "W1_3": W1 of layer 3.
Writing to block.params["W1_"] (as io.load_model does) writes into the layer itself.
config() describes the layers (class, nnlib module, config), so io.py can save the block
and rebuild it with Residual(**config) like any other layer.
"""
from .checks import is_integer

__all__ = ["Residual"]


class _Linked(dict):
    """A dict of the block's named arrays whose item assignment also replaces the array in the layer."""

    def __init__(self, entries):
        super().__init__((name, owner[key]) for name, owner, key in entries)
        self._owners = {name: (owner, key) for name, owner, key in entries}

    def __setitem__(self, name, value):
        if name not in self._owners:
            raise KeyError(f"{name!r} is not one of the block's entries {sorted(self)}")
        owner, key = self._owners[name]
        owner[key] = value
        super().__setitem__(name, value)


def _shape(size):
    return None if size is None else (int(size),) if is_integer(size) else tuple(int(s) for s in size)


def _build(i, spec, rng):
    """A layer from {"class": ..., "module": "nnlib.<name>", "config": {...}}, as io.load_model builds one."""
    # io.py resolves the class: only nnlib's own modules can be named, so a config cannot run other code
    from .io import _build_layer, _layer_class

    if not isinstance(spec, dict) or sorted(spec) != ["class", "config", "module"]:
        raise ValueError(f"layers[{i}] must be a layer object or a dict with keys 'class', 'module' and "
                         f"'config' (as Residual.config() writes), got {spec!r}")
    cls = _layer_class(spec["module"], spec["class"])
    if cls is None:
        raise ValueError(f"layers[{i}]: {spec['class']!r} of module {spec['module']!r} is not a layer of nnlib")
    return _build_layer(i, cls, spec["config"], rng)


class Residual:
    """A residual block: A = A_prev + F(A_prev), F = `layers` (a non-empty list) in turn.

    layers: layer objects, or their descriptions {"class", "module", "config"} (what
    config() returns; rng is then handed to those that draw random numbers, as in io.py).
    F must return an output of its input's shape.
    """

    def __init__(self, layers, rng=None):
        if not isinstance(layers, (list, tuple)) or len(layers) == 0:
            raise ValueError(f"layers must be a non-empty list of layers, got {layers!r}")
        layers = [layer if hasattr(layer, "forward") else _build(i, layer, rng) for i, layer in enumerate(layers)]
        width = None  # the shape going into the next layer, as Model checks it
        for i, layer in enumerate(layers):
            missing = [a for a in ("params", "n_in", "n_out", "forward", "backward", "config") if not hasattr(layer, a)]
            if missing:
                raise TypeError(f"layers[{i}] ({type(layer).__name__}) is not a layer: it has no {missing}")
            if layer.n_in is not None and width is not None and _shape(layer.n_in) != width:
                raise ValueError(f"layer sizes do not match: layers[{i}] ({layer!r}) expects {layer.n_in} "
                                 f"inputs but the layer before it gives {width}")
            width = _shape(layer.n_out) if layer.n_out is not None else width
        first = next((layer.n_in for layer in layers if layer.n_in is not None), None)
        if first is not None and width is not None and _shape(first) != width:
            raise ValueError(f"a residual block must return its input's shape (A_prev + F(A_prev)): "
                             f"its layers take {first} and give {width}")
        self.layers = layers
        self.n_in = self.n_out = first

    def _entries(self, attribute):
        return [(f"{key}{j}_", getattr(layer, attribute), key)
                for j, layer in enumerate(self.layers, start=1)
                for key in (getattr(layer, attribute, None) or {})]

    @property
    def params(self):
        """The layers' parameters, named "<key><j>_"; the arrays are the layers' own."""
        return _Linked(self._entries("params"))

    @property
    def state(self):
        """The layers' state (e.g. batch norm's running averages), named like params."""
        return _Linked(self._entries("state"))

    def forward(self, A_prev, training=False):
        A, caches = A_prev, []
        for layer in self.layers:
            A, cache = layer.forward(A, training)
            caches.append(cache)
        if A.shape != A_prev.shape:
            raise ValueError(f"the block's layers turned A_prev {A_prev.shape} into {A.shape}; "
                             f"A_prev + F(A_prev) needs the same shape")
        return A_prev + A, caches

    def backward(self, dA, cache):
        grads, dF = {}, dA
        for j in reversed(range(len(self.layers))):
            dF, layer_grads = self.layers[j].backward(dF, cache[j])
            grads.update({f"{key}{j + 1}_": g for key, g in layer_grads.items()})
        return dA + dF, grads  # the highway: dA passes unchanged, F's path adds to it

    def config(self):
        return {"layers": [{"class": type(layer).__name__, "module": type(layer).__module__,
                            "config": layer.config()} for layer in self.layers]}

    def __repr__(self):
        return f"Residual({self.layers})"
