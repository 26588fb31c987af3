"""nnlib: the small neural-network library that the nn-from-scratch notebooks write.

Every module here is written by one `%%writefile` cell of one notebook; run the
notebooks in order and the package rebuilds itself. Conventions (notebook 00):
X is (n_x, m) with one example per column, W[l] is (n[l], n[l-1]), b[l] is (n[l], 1).

`import nnlib` imports nothing else. `nnlib.model` (a module) or `nnlib.mlp` (a name
in some module's __all__) imports what it needs on first use (PEP 562), so this file,
written before any other module exists, never has to change when a notebook adds one.
"""
import importlib
import pkgutil

__version__ = "0.1.0"


def _modules():
    """The names of the package's modules, sorted: the .py files the notebooks have written."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def __getattr__(name):
    """nnlib.<module>, or nnlib.<name> for a name listed in a module's __all__ (first match)."""
    if name.startswith("_"):  # __path__, _ipython_canary_... : probes by tools, never a public name
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    modules = _modules()
    if name in modules:
        return importlib.import_module(f"{__name__}.{name}")
    for module_name in modules:
        module = importlib.import_module(f"{__name__}.{module_name}")
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    names = set(globals()) | set(_modules())
    for module_name in _modules():
        names.update(getattr(importlib.import_module(f"{__name__}.{module_name}"), "__all__", ()))
    return sorted(names)
