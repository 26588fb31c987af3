"""Fixtures shared by the unit tests."""

import os
import warnings

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles for the fuzz suite (tests/test_fuzz*.py). "ci", the default, is derandomized (the same
# examples on every run, so CI never flakes) and small enough that the suite stays well under 60 s;
# "long" is for a run by hand: HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py tests/test_fuzz_io.py
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=30, derandomize=True, deadline=None, database=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
settings.register_profile("long", max_examples=500, deadline=None, suppress_health_check=_SLOW_OK, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def warnings_are_errors():
    """Turn every warning into an error: nnlib must stay quiet (no RuntimeWarning from an overflow,
    a log of 0 or a division by 0) for all the inputs a test gives it. A module opts in with
    pytestmark = pytest.mark.usefixtures("warnings_are_errors")."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
