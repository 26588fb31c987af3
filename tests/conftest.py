"""Fixtures shared by the unit tests."""

import warnings

import pytest


@pytest.fixture
def warnings_are_errors():
    """Turn every warning into an error: nnlib must stay quiet (no RuntimeWarning from an overflow,
    a log of 0 or a division by 0) for all the inputs a test gives it. A module opts in with
    pytestmark = pytest.mark.usefixtures("warnings_are_errors")."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
