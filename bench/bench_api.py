"""``api.*``: API pages in-process (Django's test client, no HTTP), against their SQL.

- ``api.list100.ratio_to_raw_sql``: a 100-row list page with nested relations against the raw SQL that returns
  the same JSON.
- ``api.pages.<name>.ratio_to_sql``: each page of ``bench/pages.py`` (the listens page, the track page, a
  one-row page, a detail page) against running the SQL statements that the same request sends, captured from it.

``bench/run.py --profile api`` also writes the profile of the listens and track pages to ``.bench/profile/``.
"""

import json
import sys
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

URL = "/api/core/memberships/"

RAW_SQL = """
select coalesce(json_agg(row_to_json(page)), '[]'::json)::text from (
    select m.id, m.role,
           json_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name, 'handle', u.handle)
               as "user",
           json_build_object('id', t.id, 'name', t.name, 'slug', t.slug) as tenant,
           m.created_at, m.updated_at
    from core_membership m
    join core_user u on u.id = m.user_id
    join core_tenant t on t.id = m.tenant_id
    where t.deleted_at is null
    order by t.name, u.username
    limit %s
) page
"""


def ensure_rows(count: int):
    from tests.core.factories import MembershipFactory, TenantFactory, UserFactory

    reader = UserFactory(username="bench-reader", superuser=True)
    tenant = TenantFactory(slug="bench", name="Bench")
    have = tenant.memberships.count()
    for index in range(have, count):
        MembershipFactory(tenant=tenant, user=UserFactory(username=f"bench-{index:04d}", password=None))
    return reader


def run_pages(report, timed, profile=None):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pages

    user, requests = pages.seed()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {pages.token_for(user)}")
    for name in ("listens100", "tracks100", "listens1", "listen_detail"):
        path = requests[name]
        statements, _response = pages.captured_sql(client, path)

        def sql(statements=statements):
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                    cursor.fetchall()

        def page(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.content

        api_s, sql_s = timed(page, repeat=100), timed(sql, repeat=100)
        report(f"api.pages.{name}.api_ms", api_s * 1000, "ms")
        report(f"api.pages.{name}.queries", len(statements), "queries")
        report(f"api.pages.{name}.ratio_to_sql", api_s / sql_s, "x")
        if profile is not None and name in ("listens100", "tracks100"):
            profile(f"api.pages.{name}", page)


def run(report, timed, profile=None):
    reader = ensure_rows(100)
    _, key = AuthToken.objects.create(user=reader)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def api_page(size):
        response = client.get(URL, {"page_size": size})
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == size
        return response

    def raw_page():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [100])
            return json.loads(cursor.fetchone()[0])

    assert len(raw_page()) == 100
    api_median = timed(lambda: api_page(100))
    raw_median = timed(raw_page)
    report("api.list100.api_ms", api_median * 1000, "ms")
    report("api.list100.raw_sql_ms", raw_median * 1000, "ms")
    report("api.list100.ratio_to_raw_sql", api_median / raw_median, "x")
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            api_page(size)
        report(f"api.list{size}.queries", len(queries), "queries")
    run_pages(report, timed, profile)
