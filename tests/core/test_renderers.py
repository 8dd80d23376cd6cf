"""core.api.renderers: orjson gives DRF's bytes for every value, or DRF renders them."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api.renderers import ContentNegotiation, JSONRenderer

VALUES = [
    None,
    True,
    0,
    -(2**63),
    2**64 - 1,
    2**70,  # past 64 bits: orjson refuses, DRF renders
    0.1,
    -0.0,
    1e16,
    1e22,
    1.5e300,
    5e-324,
    1e-05,  # Python writes 1e-05, orjson 0.00001
    1e-07,
    2.3523573848418126e-09,
    0.0001,
    "",
    "plain",
    "é ☃ 😀",
    "\u2028 and \u2029",  # escaped by DRF for JavaScript
    '\x00\x01\x1f\x7f\n\t"\\/',
    "e-mail 0.0000",
    datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 2, 3, 4, 5),
    datetime.date(2026, 1, 2),
    datetime.time(1, 2, 3, 400),
    datetime.timedelta(seconds=90),
    decimal.Decimal("1.50"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    gettext_lazy("Invalid input."),
    b"bytes",
    {3, 4},
    (1, "two"),
    {"message": "slug: Enter a valid slug.", "errors": [{"field": "slug", "message": "x", "code": "invalid"}]},
    {1: "an integer key"},
    {"nested": [{"a": [1.0, None, {"b": "\u2029"}]}]},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_same_bytes_as_drf(value):
    expected = renderers.JSONRenderer().render(value)
    assert JSONRenderer().render(value) == expected
    assert JSONRenderer().render({"results": [value, value], "next": None}) == renderers.JSONRenderer().render(
        {"results": [value, value], "next": None}
    )


def test_unserialisable_values_fail_as_before():
    with pytest.raises(TypeError):
        renderers.JSONRenderer().render({"x": object()})
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})


def test_indent_is_drfs():
    rendered = JSONRenderer().render({"a": [1]}, "application/json; indent=4")
    assert rendered == renderers.JSONRenderer().render({"a": [1]}, "application/json; indent=4")
    assert b"\n    " in rendered


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/json; indent=2", "application/json; indent=2"),
        ("text/html", "text/html"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
    ],
)
def test_negotiation_agrees_with_drf(accept, chosen):
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/", **extra))
    choices = [JSONRenderer(), renderers.BrowsableAPIRenderer()]
    ours = ContentNegotiation().select_renderer(request, choices)
    theirs = ContentNegotiation.__mro__[1]().select_renderer(request, choices)
    assert ours == theirs
    assert ours[1] == chosen


def test_orjson_serves_pages_of_uuids_and_timestamps(monkeypatch):
    """The fallback is for small floats only: a page of ids (whose text holds ``3e-4``) is orjson's."""
    page = {"results": [{"id": "669b0a03-a8be-4706-820a-dbe4b76d78e0", "played_at": "2026-01-01T06:36:00Z"}] * 3}
    monkeypatch.setattr(renderers.JSONRenderer, "render", lambda *args, **kwargs: pytest.fail("DRF rendered it"))
    assert JSONRenderer().render(page).startswith(b'{"results":[{"id":"669b0a03-a8be')
