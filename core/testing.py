"""Generic API test cases (the NetBox pattern): a test module declares what is special, the rest is inherited.

    class TestTenantAPI(CrudAPITests):
        model = Tenant
        factory = TenantFactory
        url_base = "core-api:tenant"
        brief_fields = ["id", "name", "slug"]

        def create_data(self): return {"name": "New", "slug": "new"}
        def update_data(self): return {"name": "Renamed"}

The cases run as a superuser (who has every model permission), as an ordinary
authenticated user (who reads but may not write) and anonymously (401).
"""

from __future__ import annotations

import re
import threading

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django.db import (
    DataError,
    IntegrityError,
    close_old_connections,
    connection,
    models,
    transaction,
)
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@pytest.mark.django_db
class CrudAPITests:
    model = None
    factory = None
    url_base = ""
    brief_fields: list[str] = []
    #: queries a list page may cost, whatever its size (auth, count, rows, prefetches)
    max_list_queries = 6

    def create_data(self) -> dict:
        raise NotImplementedError

    def update_data(self) -> dict:
        raise NotImplementedError

    def make(self, **kwargs):
        return self.factory(**kwargs)

    def list_url(self) -> str:
        return reverse(f"{self.url_base}-list")

    def detail_url(self, obj) -> str:
        return reverse(f"{self.url_base}-detail", args=[obj.pk])

    # reading

    def test_list_requires_authentication(self, api_client):
        assert api_client.get(self.list_url()).status_code in (401, 403)

    def test_list_returns_objects(self, admin_api_client):
        objects = [self.make() for _ in range(3)]
        response = admin_api_client.get(self.list_url(), {"page_size": 100})
        assert response.status_code == 200, response.data
        ids = {row["id"] for row in response.data["results"]}
        assert {str(obj.pk) for obj in objects} <= ids

    def test_list_query_count_does_not_grow_with_page_size(self, admin_api_client):
        self.make()
        admin_api_client.get(self.list_url())  # warm up per-process caches (content types, permissions)
        with CaptureQueriesContext(connection) as one:
            admin_api_client.get(self.list_url(), {"page_size": 100})
        for _ in range(9):
            self.make()
        with CaptureQueriesContext(connection) as ten:
            response = admin_api_client.get(self.list_url(), {"page_size": 100})
        assert response.status_code == 200
        assert len(ten) == len(one), [q["sql"] for q in ten.captured_queries]
        assert len(ten) <= self.max_list_queries, [q["sql"] for q in ten.captured_queries]

    def test_list_rows_match_detail_representation(self, admin_api_client):
        """List pages may be built from ``values()`` (core.api.values); they must say what the serializer says."""
        obj = self.make()
        rows = admin_api_client.get(self.list_url(), {"page_size": 500}).json()["results"]
        row = next(row for row in rows if row["id"] == str(obj.pk))
        detail = admin_api_client.get(self.detail_url(obj)).json()
        assert {key: row[key] for key in row} == {key: detail[key] for key in row}

    def test_list_rows_match_detail_with_optional_fields_empty(self, admin_api_client):
        """The same parity with every nullable field (relations included) null and every optional text empty."""
        obj = self.make()
        for field in self.model._meta.concrete_fields:
            if field.primary_key or not field.editable:
                continue
            if field.null:
                value = None
            elif field.blank and isinstance(field, models.CharField | models.TextField) and not field.choices:
                value = ""
            else:
                continue
            try:  # past the triggers: an append-only row may be made this way, it cannot be changed to it
                with pgtrigger.ignore(), transaction.atomic():
                    self.model._base_manager.filter(pk=obj.pk).update(**{field.attname: value})
            except (IntegrityError, DataError):
                pass  # a constraint needs this one set
        rows = admin_api_client.get(self.list_url(), {"page_size": 500}).json()["results"]
        row = next(row for row in rows if row["id"] == str(obj.pk))
        detail = admin_api_client.get(self.detail_url(obj)).json()
        assert {key: row[key] for key in row} == {key: detail[key] for key in row}

    def test_retrieve_returns_object(self, admin_api_client):
        obj = self.make()
        response = admin_api_client.get(self.detail_url(obj))
        assert response.status_code == 200, response.data
        assert response.data["id"] == str(obj.pk)

    def test_retrieve_unknown_id_is_404(self, admin_api_client):
        obj = self.make()
        url = self.detail_url(obj).replace(str(obj.pk), "00000000-0000-0000-0000-000000000000")
        response = admin_api_client.get(url)
        assert response.status_code == 404
        assert response.data["message"]

    def test_brief_fields_are_nested_where_declared(self, admin_api_client):
        obj = self.make()
        data = admin_api_client.get(self.detail_url(obj)).data
        for field in self.brief_fields:
            assert field in data

    # writing

    def test_create_makes_object(self, admin_api_client):
        before = self.model._default_manager.count()
        response = admin_api_client.post(self.list_url(), self.create_data(), format="json")
        assert response.status_code == 201, response.data
        assert self.model._default_manager.count() == before + 1

    def test_create_with_empty_body_is_400_naming_fields(self, admin_api_client):
        response = admin_api_client.post(self.list_url(), {}, format="json")
        assert response.status_code == 400
        assert response.data["errors"] and all("field" in error for error in response.data["errors"])

    def test_update_changes_object(self, admin_api_client):
        obj = self.make()
        data = self.update_data()
        response = admin_api_client.patch(self.detail_url(obj), data, format="json")
        assert response.status_code == 200, response.data
        obj.refresh_from_db()
        for key, value in data.items():
            if not isinstance(value, dict | list):
                assert str(response.data[key]) == str(value)

    def test_delete_removes_object(self, admin_api_client):
        obj = self.make()
        response = admin_api_client.delete(self.detail_url(obj))
        assert response.status_code == 204
        assert not self.model._default_manager.filter(pk=obj.pk).exists()

    def test_write_without_permission_is_403(self, user_client):
        obj = self.make()
        self.grant_read(user_client, obj)
        assert user_client.post(self.list_url(), self.create_data(), format="json").status_code in (400, 403)
        assert user_client.patch(self.detail_url(obj), self.update_data(), format="json").status_code in (403, 404)
        assert user_client.delete(self.detail_url(obj)).status_code in (403, 404)
        assert self.model._default_manager.filter(pk=obj.pk).exists()

    def grant_read(self, client, obj) -> None:
        """Hook: give the plain user of ``client`` read access to ``obj`` where reading needs more than a login."""


#: what no message a user reads may carry: a Python repr, class or traceback (the fuzz tests scan every 4xx for it)
PYTHON_TEXT = re.compile(r"object at 0x|Traceback \(most recent call last\)|<class '|<function |<module '|File \"/")


def assert_valid(instance: models.Model, **full_clean_kwargs) -> None:
    """Assert that ``instance`` passes ``full_clean()`` (an assertion helper: a failure names each field's errors)."""
    try:
        instance.full_clean(**full_clean_kwargs)
    except ValidationError as error:
        raise AssertionError(f"{instance._meta.label} is invalid: {error.message_dict}") from None


def assert_stored_and_valid(instance: models.Model) -> None:
    """Assert that ``instance`` (a factory's row) is in the database as it is in memory and passes ``full_clean()``."""
    assert instance.pk is not None, f"{instance._meta.label} was not saved"
    assert type(instance)._base_manager.filter(pk=instance.pk).exists(), f"{instance._meta.label} is not stored"
    assert_valid(instance)


def run_concurrently(*functions):
    """Start the functions together in threads (each on its own connection); return what each raised or returned."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _field_data(bound_field) -> dict:
    widget = bound_field.field.widget
    widget = getattr(widget, "widget", widget)  # the admin's related-field wrapper
    value, name = bound_field.value(), bound_field.html_name
    if hasattr(widget, "widgets") and hasattr(widget, "decompress"):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        return {
            f"{name}{suffix}": "" if part is None else str(part)
            for suffix, part in zip(widget.widgets_names, parts, strict=False)
        }
    if isinstance(value, bool):
        return {name: "on"} if value else {}
    if value is None:
        return {name: ""}
    if isinstance(value, list | tuple):
        return {name: [str(item) for item in value]}
    return {name: value if isinstance(value, str) else str(value)}


def admin_form_data(response) -> dict:
    """The POST data an admin add/change page would send unchanged: the form, every inline and its management
    form. Tests change a few keys and post it back."""
    data: dict = {}
    form = response.context["adminform"].form
    for bound_field in form:
        data.update(_field_data(bound_field))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound_field in formset.management_form:
            data.update(_field_data(bound_field))
        for inline_form in formset.forms:
            for bound_field in inline_form:
                data.update(_field_data(bound_field))
    return data
