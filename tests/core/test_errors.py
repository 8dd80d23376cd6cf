"""Hostile input and the one error shape: every class of bad request is a 4xx in JSON, never a 500 or HTML."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.test import Client
from knox.models import AuthToken
from rest_framework.exceptions import Throttled
from rest_framework.test import APIClient

from core.api import parsers
from core.api.exceptions import exception_handler, flatten_errors
from tests.core.factories import UserFactory

T0 = 1_735_689_600  # 2025-01-01 UTC


def assert_api_error(response, status: int) -> dict:
    """The documented shape under /api/: JSON with a message and a list of field errors."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], list)
    return body


def assert_listenbrainz_error(response, status: int) -> dict:
    """ListenBrainz's own shape under /1/: {"code": <status>, "error": "<message>"}."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert body["code"] == status and isinstance(body["error"], str) and body["error"]
    return body


@pytest.fixture
def member(db):
    return UserFactory(username="mira")


@pytest.fixture
def token_client(member):
    _, key = AuthToken.objects.create(user=member)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def listen(**extra) -> dict:
    return {"listened_at": T0, "track_metadata": {"artist_name": "Duster", "track_name": "Echo", **extra}}


def submit(client, body: str | bytes):
    return client.post("/1/submit-listens", body, content_type="application/json")


# Parsing: nesting, size, numbers, text -----------------------------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("body", [DEEP, '{"a":' * 3000 + "1" + "}" * 3000])
def test_deeply_nested_body_is_400_on_drf_endpoints(admin_api_client, body):
    response = admin_api_client.post("/api/catalog/genres/", body, content_type="application/json")
    assert_api_error(response, 400)


def test_deeply_nested_body_is_400_on_unauthenticated_token_endpoint(db):
    response = Client().post("/api/auth/token/", DEEP, content_type="application/json")
    body = assert_api_error(response, 400)
    assert "nested too deeply" in body["message"]


def test_deeply_nested_listen_is_listenbrainz_400(token_client):
    nested = {"k": None}
    for _ in range(900):
        nested = {"k": nested}
    response = submit(token_client, json.dumps({"listen_type": "single", "payload": [listen(additional_info=nested)]}))
    assert "nested too deeply" in assert_listenbrainz_error(response, 400)["error"]


def test_nesting_within_the_limit_is_parsed():
    body = "[" * 64 + "]" * 64
    assert parsers.loads(body) is not None
    with pytest.raises(parsers.UnsafeInput):
        parsers.loads("[" * 65 + "]" * 65)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_numbers_are_400(admin_api_client, number):
    body = '{"name": "x", "slug": "x", "weight": NUMBER}'.replace("NUMBER", number)
    response = admin_api_client.post("/api/catalog/genres/", body, content_type="application/json")
    assert "finite" in assert_api_error(response, 400)["message"]


def test_integer_beyond_python_digit_limit_is_400(admin_api_client):
    response = admin_api_client.post("/api/catalog/genres/", "1" * 5000, content_type="application/json")
    assert_api_error(response, 400)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "\\ud800"),  # a text field
        ("role", "\\udfff"),  # a choice field, whose error message echoes the value
        ("user", "\\ud800"),  # a foreign key
        ("tenant", "abc\\u0000"),  # NUL in a UUID field
    ],
)
def test_lone_surrogates_and_nul_in_body_are_400_naming_the_field(admin_api_client, field, value):
    body = '{"' + field + '": "' + value + '"}'
    response = admin_api_client.post("/api/core/memberships/", body, content_type="application/json")
    error = assert_api_error(response, 400)
    assert error["errors"][0]["field"] == field
    assert "\\u" in error["message"]  # names the character by its escape, never echoes it


def test_surrogate_in_a_key_is_400(admin_api_client):
    response = admin_api_client.post("/api/core/tenants/", '{"\\ud83d": 1}', content_type="application/json")
    assert_api_error(response, 400)


def test_surrogate_pair_is_a_character_not_a_problem():
    assert parsers.loads('{"emoji": "\\ud83c\\udfb5"}') == {"emoji": "\U0001f3b5"}


def test_invalid_utf8_body_is_400(admin_api_client):
    response = admin_api_client.post("/api/core/tenants/", b'{"name": "\xff"}', content_type="application/json")
    assert_api_error(response, 400)


def test_surrogates_in_listens_are_listenbrainz_400(token_client):
    body = json.dumps({"listen_type": "single", "payload": [listen()]}).replace("Duster", "\\ud800")
    assert_listenbrainz_error(submit(token_client, body), 400)


def test_error_messages_never_carry_unencodable_text():
    errors = flatten_errors({"role": ['"\ud800" is not a valid choice.'], "name\x00": ["bad \x00"]})
    assert json.dumps(errors, ensure_ascii=False).encode("utf-8")
    assert all("\x00" not in error["message"] and "\x00" not in error["field"] for error in errors)


def test_nul_in_form_fields_is_400(admin_api_client):
    response = admin_api_client.post("/api/catalog/samples/", {"name": "a\x00b"}, format="multipart")
    assert_api_error(response, 400)


# NUL in URLs --------------------------------------------------------------------------------------------------------


def test_nul_in_listenbrainz_path_is_listenbrainz_400(token_client):
    assert_listenbrainz_error(token_client.get("/1/user/a%00b/listens"), 400)


@pytest.mark.parametrize("query", ["q=a%00b", "genre=%00", "artist_id=%00", "ordering=%00name"])
def test_nul_in_query_parameters_is_400(admin_api_client, query):
    assert_api_error(admin_api_client.get(f"/api/catalog/albums/?{query}"), 400)


def test_nul_in_api_path_is_400(admin_api_client):
    assert_api_error(admin_api_client.get("/api/catalog/genres/a%00b/"), 400)


# Body size ------------------------------------------------------------------------------------------------------------


def test_listen_submission_between_django_default_and_listenbrainz_limit_is_accepted(token_client, member):
    padding = "x" * 9000
    payload = [
        {
            "listened_at": T0 + 60 * n,
            "track_metadata": {"artist_name": "Duster", "track_name": f"Song {n}", "additional_info": {"p": padding}},
        }
        for n in range(300)
    ]
    body = json.dumps({"listen_type": "import", "payload": payload})
    assert len(body) > 2_621_440  # over Django's default DATA_UPLOAD_MAX_MEMORY_SIZE
    response = submit(token_client, body)
    assert response.status_code == 200, response.content[:300]


def test_listen_submission_over_the_limit_is_listenbrainz_413(token_client, settings):
    body = b" " * (settings.API_MAX_JSON_BYTES + 1)
    assert_listenbrainz_error(submit(token_client, body), 413)


def test_api_json_body_over_the_limit_is_413(admin_api_client, settings):
    settings.API_MAX_JSON_BYTES = 1000
    body = json.dumps({"name": "x" * 2000})
    assert_api_error(admin_api_client.post("/api/core/tenants/", body, content_type="application/json"), 413)


def test_body_over_the_limit_without_content_length_is_413(admin_api_client, settings):
    """A chunked body has no Content-Length for the middleware to check: the parser stops reading at the limit."""
    settings.API_MAX_JSON_BYTES = 1000
    request_factory_body = json.dumps({"name": "x" * 2000}).encode()
    response = admin_api_client.generic(
        "POST", "/api/core/tenants/", request_factory_body, content_type="application/json", CONTENT_LENGTH=""
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")


def test_invalid_content_length_is_400(admin_api_client):
    response = admin_api_client.generic("POST", "/api/core/tenants/", b"{}", CONTENT_LENGTH="-1")
    assert_api_error(response, 400)


def test_upload_limit_is_separate_from_json_limit(admin_api_client, settings):
    settings.API_MAX_UPLOAD_BYTES = 1000
    response = admin_api_client.post("/api/catalog/samples/", {"name": "x" * 2000}, format="multipart")
    assert "upload" in assert_api_error(response, 413)["message"]


# One shape for every status -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/no-such-app/", "/api/catalog/albums/not-a-uuid/", "/api/catalog/albums/123/", "/api/catalog/nothing"],
)
def test_unknown_api_paths_and_malformed_ids_are_json_404(admin_api_client, path):
    assert_api_error(admin_api_client.get(path), 404)


def test_unknown_listenbrainz_path_is_listenbrainz_404(db):
    assert_listenbrainz_error(Client().get("/1/no-such-endpoint"), 404)


def test_wrong_method_on_listenbrainz_is_listenbrainz_405_with_allow(token_client):
    response = token_client.get("/1/submit-listens")
    assert_listenbrainz_error(response, 405)
    assert response["Allow"] == "POST"


def test_wrong_method_on_api_is_json_405(admin_api_client):
    response = admin_api_client.put("/api/catalog/genres/", {}, format="json")
    assert_api_error(response, 405)


def test_unsupported_content_type_is_json_415(admin_api_client):
    response = admin_api_client.post("/api/catalog/genres/", b"<genre/>", content_type="application/xml")
    body = assert_api_error(response, 415)
    assert "application/xml" in body["message"]


def test_unsatisfiable_accept_header_is_json_406(admin_api_client):
    response = admin_api_client.get("/api/catalog/genres/", HTTP_ACCEPT="application/xml")
    assert_api_error(response, 406)


def test_api_error_is_json_even_for_a_browser(admin_api_client):
    response = admin_api_client.get(
        "/api/catalog/albums/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT="text/html"
    )
    assert_api_error(response, 404)


def test_csrf_failure_on_listenbrainz_is_listenbrainz_403(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert_listenbrainz_error(client.post("/1/validate-token"), 403)


def test_csrf_failure_on_api_is_json_403(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert "CSRF" in assert_api_error(client.post("/api/core/tenants/", {}), 403)["message"]


def test_server_error_is_json_500_with_error_id_in_the_log(admin_api_client, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("core.api.views.TenantViewSet.list", boom)
    with caplog.at_level(logging.ERROR, logger="core.api.exceptions"):
        response = admin_api_client.get("/api/core/tenants/")
    body = assert_api_error(response, 500)
    assert "secret" not in response.content.decode()
    assert body["error_id"] and body["error_id"] in caplog.text
    assert "secret internals" in caplog.text


def test_server_error_on_listenbrainz_is_listenbrainz_500(token_client, monkeypatch, caplog):
    monkeypatch.setattr("club.listenbrainz.views._member", lambda name: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="core.api.exceptions"):
        response = token_client.get("/1/user/mira/listens")
    body = assert_listenbrainz_error(response, 500)
    assert "ZeroDivision" not in body["error"]
    error_id = body["error"].rsplit(" ", 1)[-1].rstrip(").")
    assert error_id in caplog.text


def test_database_down_is_json_503_with_retry_after(admin_api_client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr("core.api.views.TenantViewSet.list", down)
    response = admin_api_client.get("/api/core/tenants/")
    assert_api_error(response, 503)
    assert int(response["Retry-After"]) > 0
    assert "refused" not in response.content.decode()


def test_database_down_in_middleware_is_json_503(db, monkeypatch):
    """An exception raised outside any view reaches handler500, which answers in the same shape."""

    def down(self, request):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr("django.contrib.sessions.middleware.SessionMiddleware.process_request", down)
    client = Client(raise_request_exception=False)
    response = client.get("/api/core/tenants/")
    assert_api_error(response, 503)
    assert response["Retry-After"]


def test_database_down_when_a_write_begins_is_json_503(db, monkeypatch):
    """A write's transaction begins in core.middleware, outside the view: handler500 answers that too."""

    def down(*args, **kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr("core.middleware.transaction", SimpleNamespace(atomic=down))
    response = Client(raise_request_exception=False).post("/api/core/tenants/", {}, content_type="application/json")
    assert_api_error(response, 503)
    assert response["Retry-After"]


def test_server_error_in_middleware_is_json_500(db, monkeypatch):
    def broken(self, request):
        raise RuntimeError("broken middleware")

    monkeypatch.setattr("django.contrib.sessions.middleware.SessionMiddleware.process_request", broken)
    response = Client(raise_request_exception=False).get("/1/validate-token")
    assert_listenbrainz_error(response, 500)


def test_throttled_is_429_in_the_shape_with_retry_after():
    response = exception_handler(Throttled(wait=7), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert set(response.data) == {"message", "errors"} and "7 seconds" in response.data["message"]


def test_pages_outside_the_api_keep_django_errors(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_unauthenticated_api_request_is_json_401(db):
    response = APIClient().get("/api/core/tenants/")
    assert_api_error(response, 401)


# Filters by id --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/core/memberships/", "tenant_id"),
        ("/api/catalog/albums/", "artist_id"),
        ("/api/catalog/tracks/", "album_id"),
    ],
)
def test_filter_by_well_formed_unknown_id_is_an_empty_list(admin_api_client, path, param):
    response = admin_api_client.get(path, {param: "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["results"] == []


def test_filter_by_ids_takes_comma_separated_and_repeated_values(admin_api_client):
    from tests.catalog.factories import AlbumFactory

    first, second, _other = AlbumFactory(), AlbumFactory(), AlbumFactory()
    for params in (
        {"artist_id": f"{first.artist_id},{second.artist_id}"},
        {"artist_id": [first.artist_id, second.artist_id]},
    ):
        rows = admin_api_client.get("/api/catalog/albums/", params).json()["results"]
        assert {row["id"] for row in rows} == {str(first.pk), str(second.pk)}


def test_filter_by_malformed_id_is_400_naming_the_filter(admin_api_client):
    response = admin_api_client.get("/api/catalog/albums/", {"artist_id": "not-a-uuid"})
    assert assert_api_error(response, 400)["errors"][0]["field"] == "artist_id"


def test_services_conflict_error_is_409_in_the_shape_with_its_field_and_extra_keys():
    """core.services.ConflictError is Django's side of a 409: services raise it, the handler gives the one shape."""
    from core.services import ConflictError

    error = ConflictError("Head moved.", code="stale_head", field="expected_head", extra={"head": "abc"})
    response = exception_handler(error, {"request": None})
    assert response.status_code == 409
    assert response.data == {
        "head": "abc",
        "message": "expected_head: Head moved.",
        "errors": [{"field": "expected_head", "message": "Head moved.", "code": "stale_head"}],
    }
    listed = ConflictError("Both changed.", errors=[{"field": "resolutions.drums", "message": "x", "code": "c"}])
    assert exception_handler(listed, {"request": None}).data["errors"][0]["field"] == "resolutions.drums"
