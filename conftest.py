"""Repository-wide pytest hooks (the unit tests' fixtures are in tests/conftest.py).

A notebook that needs an optional extra (notebook 15 needs PyTorch, the `bridge` extra) is skipped under
nbval when the extra is missing, with the command that installs it, instead of failing in its first cell."""
import pytest
from notebook_tools import missing_extra


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb":
            reason = missing_extra(item.path)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
