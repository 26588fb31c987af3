"""nnlib.checks: the input checks behind every nnlib error message."""

import numpy as np
import pytest

from nnlib.checks import as_float_array, check_binary_labels, check_labels, check_shape, is_integer, is_number


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


@pytest.mark.parametrize("value", [0, 3, -2, np.int64(5), np.uint8(1)])
def test_is_integer_accepts_python_and_numpy_integers(value):
    assert is_integer(value) and is_number(value)


@pytest.mark.parametrize("value", [2.5, np.float32(1.0), np.float64(2.0)])
def test_is_number_accepts_floats_that_is_integer_rejects(value):
    assert is_number(value) and not is_integer(value)


@pytest.mark.parametrize("value", [True, False, np.bool_(True), "3", None, [1], np.array(3), 1 + 0j])
def test_bool_strings_arrays_and_complex_are_neither(value):
    assert not is_integer(value) and not is_number(value)


@pytest.mark.parametrize(
    "value, dtype",
    [([[1, 2], [3, 4]], np.float64), (np.arange(4, dtype=np.int8), np.float64),
     (np.array([True, False]), np.float64), (np.ones(3, dtype=np.float16), np.float64),
     (np.ones(3, dtype=np.float32), np.float32), (np.ones(3), np.float64), (2.5, np.float64)],
)
def test_as_float_array_converts_to_float64_and_keeps_float32(value, dtype):
    out = as_float_array("X", value)
    assert isinstance(out, np.ndarray) and out.dtype == dtype
    np.testing.assert_array_equal(out, np.asarray(value, dtype=dtype))


def test_as_float_array_does_not_copy_float64():
    x = np.ones((2, 3))
    assert as_float_array("X", x) is x


@pytest.mark.parametrize("value", [["a", "b"], np.array([{}, 1], dtype=object), np.array([1 + 2j])])
def test_as_float_array_rejects_non_real_input_naming_it(value):
    with pytest.raises(TypeError, match="^weights must be"):
        as_float_array("weights", value)


def test_as_float_array_checks_ndim():
    assert as_float_array("X", np.zeros((2, 3)), ndim=2).shape == (2, 3)
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(3,\)"):
        as_float_array("X", np.zeros(3), ndim=2)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_as_float_array_rejects_nan_and_inf(bad):
    with pytest.raises(ValueError, match="X contains NaN or infinite values"):
        as_float_array("X", [[1.0, bad]])


def test_check_shape_accepts_matches_and_wildcards():
    check_shape("W1", np.zeros((4, 3)), (4, 3))
    check_shape("Y", np.zeros((1, 7)), (1, None))
    check_shape("b", np.zeros((4, 1)), (None, 1))


@pytest.mark.parametrize("shape", [(3, 4), (4,), (4, 3, 1), (1, 3)])
def test_check_shape_rejects_mismatches_naming_the_argument(shape):
    with pytest.raises(ValueError, match=r"W1 must have shape \(4, any\), got"):
        check_shape("W1", np.zeros(shape), (4, None))


def test_check_binary_labels():
    check_binary_labels("Y", np.array([[0, 1, 1, 0]]))
    check_binary_labels("Y", np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"Y must contain only 0 and 1, found \[-1, 2\]"):
        check_binary_labels("Y", np.array([[0, 2, 1, -1, 2]]))
    with pytest.raises(ValueError, match="only 0 and 1"):
        check_binary_labels("Y", np.array([[0.5, 1.0]]))


def test_check_labels_returns_int64():
    out = check_labels("labels", np.array([0.0, 3.0, 9.0]), 10)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [0, 3, 9])
    assert check_labels("labels", np.array([], dtype=np.int64), 3).shape == (0,)


@pytest.mark.parametrize(
    "labels, error, message",
    [(np.array([0, 10]), ValueError, r"labels must lie in 0..9, found \[10\]"),
     (np.array([-1, 0]), ValueError, r"labels must lie in 0..9, found \[-1\]"),
     (np.array([0.5, 1.0]), ValueError, "labels must contain whole numbers"),
     (np.array([np.nan, 1.0]), ValueError, "labels contains NaN"),
     (np.array([np.inf, 1.0]), ValueError, "labels contains NaN or infinite"),
     (np.array([[0, 1]]), ValueError, "labels must be 1-D"),
     (np.array(["a", "b"]), TypeError, "labels must be integer class labels"),
     (np.array([1 + 0j]), TypeError, "labels must be integer class labels")],
)
def test_check_labels_rejects_bad_labels(labels, error, message):
    with pytest.raises(error, match=message):
        check_labels("labels", labels, 10)
