"""Every DRF view and action parses request bodies with core's parsers (``core.api.parsers``).

Core's parsers bound a body's size and nesting and refuse NUL characters and lone surrogates; DRF's stock
parsers do none of it (a JSON body nested 10,000 deep is a ``RecursionError``, a 500). The views are
discovered from the URL configuration (every router, every ``@action`` with its own ``parser_classes``, and
plain ``APIView``s such as the token endpoint), so a view that lands later is checked without touching this
file.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tests.audio_vcs.factories import ProjectFactory

CORE_PARSERS = "core.api.parsers"
DEEP_JSON = "[" * 10_000 + "]" * 10_000


def drf_views(patterns=None, prefix: str = ""):
    """(path pattern, view class, parser classes) of every DRF view the URL configuration mounts."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from drf_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if not (isinstance(view, type) and issubclass(view, APIView)) or "(?P<format>" in str(entry.pattern):
                continue  # not a DRF view, or DRF's format-suffix duplicate of one
            initkwargs = getattr(entry.callback, "initkwargs", {}) or {}
            parsers = initkwargs.get("parser_classes", view.parser_classes)  # an @action's own, or the view's
            yield prefix + str(entry.pattern), view, tuple(parsers)


def test_views_are_discovered():
    paths = {path for path, _, _ in drf_views()}
    assert len(paths) > 50
    assert any("commits" in path for path in paths) and any("auth/token" in path for path in paths)


def test_every_view_parses_bodies_with_core_parsers():
    offenders = sorted(
        {
            f"{path} ({view.__module__}.{view.__qualname__}): {parser.__module__}.{parser.__qualname__}"
            for path, view, parsers in drf_views()
            for parser in parsers
            if not any(base.__module__ == CORE_PARSERS for base in parser.__mro__)
        }
    )
    assert not offenders, (
        "these views parse bodies with a parser that is not core's (no size, depth, NUL or surrogate limits); "
        "use core.api.parsers.JSONParser, FormParser, MultiPartParser (or a subclass), or RawBodyParser for a "
        "body the view streams itself:\n" + "\n".join(offenders)
    )


@pytest.fixture
def owner_client(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    project = ProjectFactory()
    client = APIClient()
    client.force_authenticate(project.owner)
    client.project = project
    return client


def test_deep_json_commit_is_400_naming_the_depth(owner_client):
    """The stem commit action sets its own parsers: a hostile JSON body is core's 400, not a RecursionError."""
    url = reverse("audio_vcs-api:project-commits", args=[owner_client.project.pk])
    for body in (DEEP_JSON, "[" * 100 + "]" * 100):
        response = owner_client.post(url, body, content_type="application/json")
        assert response.status_code == 400, response.content[:300]
        assert "nested too deeply" in response.json()["message"]


def test_nul_in_a_midi_import_form_field_is_400(owner_client):
    """MIDI import takes multipart only: its fields get core's NUL check (and a JSON body is a 415)."""
    url = reverse("audio_vcs-api:composition-import-midi")
    response = owner_client.post(url, {"project": str(owner_client.project.pk), "name": "a\x00b"}, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert "null character" in response.json()["message"]
    assert owner_client.post(url, DEEP_JSON, content_type="application/json").status_code == 415
