"""The check that every test asserts its outcome (tests/assert_outcome.py) tells asserting tests from the rest."""

from __future__ import annotations

import pytest

from tests import assert_outcome


def _helper_that_asserts(value):
    assert value


def _helper_that_only_calls(value):
    return str(value)


def sample_with_assert():
    assert 1 + 1 == 2


def sample_with_raises():
    with pytest.raises(ZeroDivisionError):
        _ = 1 / 0


def sample_with_named_helper(response):
    assert_api_error(response, 400)  # noqa: F821 - only parsed, never run


def sample_with_module_helper():
    _helper_that_asserts(True)


def sample_that_only_calls():
    _helper_that_only_calls(3)


def sample_that_only_builds():
    {"a": 1}.copy()


@pytest.mark.parametrize(
    ("function", "asserts"),
    [
        (sample_with_assert, True),
        (sample_with_raises, True),
        (sample_with_named_helper, True),
        (sample_with_module_helper, True),
        (sample_that_only_calls, False),
        (sample_that_only_builds, False),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_function_asserts_when_it_or_a_helper_does(function, asserts):
    assert assert_outcome._asserts(function) is asserts


def test_the_marker_is_registered(pytestconfig):
    markers = pytestconfig.getini("markers")
    assert any(line.startswith(assert_outcome.MARKER) for line in markers)
