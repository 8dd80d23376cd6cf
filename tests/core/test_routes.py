"""Every endpoint that a router registers is tested, and none is open to anonymous clients by mistake.

The routes are discovered from the URL configuration (every viewset any router mounts, in every app, those
that land later included), so a new list, detail or ``@action`` cannot arrive untested:

- each route must be exercised by some test: a ``CrudAPITests`` subclass whose ``url_base`` is the route's
  base name (for list, retrieve, create, update and delete), a test that names the route
  (``"club-api:week-tally"``), or a test file that spells out its path (``api/club/weeks/`` and ``tally/``);
- each route and method answers an anonymous request with 401 or 403, unless its view allows anyone
  (``AllowAny``), as the token endpoint does.

A route that really needs no test of its own goes in ``UNTESTED_ROUTES`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

TESTS_DIR = Path(__file__).resolve().parents[1]
CRUD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}
#: route name -> why it has no test of its own (remove an entry with its test)
UNTESTED_ROUTES: dict[str, str] = {}
#: a value of each path parameter that is not a UUID (the others get the nil UUID)
PATH_SAMPLES = {"sha256": "0" * 64}


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "catalog-api:sample-similar"
    pattern: str  # the full regex, e.g. "^api/catalog/samples/(?P<pk>...)/similar/$"
    view: type
    actions: tuple[tuple[str, str], ...]  # (HTTP method, action)

    @property
    def base_name(self) -> str:
        """The router's basename, with its namespace ("club-api:week" for "club-api:week-close-poll")."""
        for _, action in self.actions:
            url_name = getattr(getattr(self.view, action, None), "url_name", None)
            if url_name and self.name.endswith("-" + url_name):
                return self.name.removesuffix("-" + url_name)
        return self.name.rsplit("-", 1)[0]

    @property
    def static_parts(self) -> list[str]:
        """The literal pieces of the path between its parameters, without slashes at their ends."""
        pattern = self.pattern.strip("^$").replace("\\Z", "")
        pieces = [re.sub(r"\\(.)", r"\1", piece) for piece in re.split(r"\(\?P<[^>]+>[^)]*\)", pattern)]
        return [piece.strip("/") + "/" for piece in pieces if piece.strip("/")]

    def path_kwargs(self) -> dict[str, str]:
        names = re.findall(r"\(\?P<([^>]+)>", self.pattern)
        return {name: PATH_SAMPLES.get(name, "00000000-0000-0000-0000-000000000000") for name in names}


def walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern.regex.pattern).lstrip("^"), inner)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            actions = getattr(callback, "actions", None)
            if actions is None or "(?P<format>" in str(entry.pattern.regex.pattern):
                continue  # not a viewset route, or DRF's format-suffix duplicate of one
            yield Route(
                name=f"{namespace}:{entry.name}" if namespace else entry.name,
                pattern="^" + prefix + str(entry.pattern.regex.pattern).lstrip("^"),
                view=callback.cls,
                actions=tuple(sorted(actions.items())),
            )


@cache
def api_routes() -> list[Route]:
    return [route for route in walk(get_resolver().url_patterns) if route.pattern.startswith("^api/")]


@cache
def source_files() -> dict[Path, str]:
    return {path: path.read_text() for path in TESTS_DIR.rglob("test_*.py")}


def crud_bases(text: str) -> set[str]:
    """The ``url_base`` of every ``CrudAPITests`` subclass in a test module."""
    return set(re.findall(r"url_base\s*=\s*(?:\w+,\s*\w+,\s*)?[\"']([\w-]+:[\w-]+)[\"']", text))


def is_tested(route: Route) -> bool:
    crud = {action for _, action in route.actions} <= CRUD_ACTIONS
    for text in source_files().values():
        bases = crud_bases(text)
        if crud and route.base_name in bases:
            return True
        if f'"{route.name}"' in text or f"'{route.name}'" in text:
            return True
        if all(part in text for part in route.static_parts):
            return True
        # an action requested from a CrudAPITests subclass of its viewset: self.detail_url(obj) + "tally/"
        if route.base_name in bases and f'"{route.static_parts[-1]}"' in text:
            return True
        # a route name computed in a loop: reverse(f"audio_vcs-api:{name}-detail") over ("stem", ...)
        namespace, _, basename = route.base_name.rpartition(":")
        if f"{namespace}:{{" in text and f'("{basename}",' in text:
            return True
    return False


def test_routes_are_discovered():
    names = {route.name for route in api_routes()}
    assert {"catalog-api:sample-list", "catalog-api:sample-similar", "core-api:tenant-detail"} <= names


@pytest.mark.parametrize("route", api_routes(), ids=lambda route: route.name)
def test_every_route_has_a_test(route):
    if route.name in UNTESTED_ROUTES:
        assert len(UNTESTED_ROUTES[route.name]) > 10, "say why the route needs no test"
        return
    assert is_tested(route), (
        f"{route.name} ({route.pattern}, {dict(route.actions)}) has no test: give it a CrudAPITests subclass, "
        "a test that requests it, or an entry with a reason in UNTESTED_ROUTES"
    )


@pytest.mark.parametrize("route", api_routes(), ids=lambda route: route.name)
def test_every_route_refuses_anonymous_clients(db, route):
    if any(permission is AllowAny for permission in route.view.permission_classes):
        pytest.skip("open to anyone by design")
    client = APIClient()
    url = reverse(route.name, kwargs=route.path_kwargs())
    for method, _action in route.actions:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code in (401, 403), (method, url, response.status_code)
        assert response["Content-Type"].startswith("application/json")
