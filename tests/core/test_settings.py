"""The settings read ``DATABASE_URL`` in every shape the README allows, not only the embedded server's."""

import runpy
from pathlib import Path

import pytest

SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def load_settings(monkeypatch, url: str) -> dict:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TEST_DATABASE_NAME", raising=False)
    return runpy.run_path(str(SETTINGS))["DATABASES"]["default"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://user:password@db.example.org:5432/platform",
            {"USER": "user", "PASSWORD": "password", "HOST": "db.example.org", "PORT": 5432, "NAME": "platform"},
        ),
        ("postgres://user@db.example.org/platform", {"USER": "user", "PASSWORD": "", "HOST": "db.example.org"}),
        ("postgresql://db.example.org/platform", {"HOST": "db.example.org", "NAME": "platform"}),
        (
            "postgres://user:p%40ss@db.example.org:6543/platform?sslmode=require",
            {"PASSWORD": "p@ss", "PORT": 6543, "OPTIONS": {"sslmode": "require"}},
        ),
        ("postgres://user@/platform?host=/var/run/postgresql", {"HOST": "/var/run/postgresql", "NAME": "platform"}),
    ],
)
def test_database_url_shapes_configure_postgresql(monkeypatch, url, expected):
    database = load_settings(monkeypatch, url)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    for key, value in expected.items():
        if key == "OPTIONS":
            assert value.items() <= database["OPTIONS"].items()
        else:
            assert database[key] == value, (key, database)
    assert "hnsw.ef_search=" in database["OPTIONS"]["options"]
    assert "host" not in database["OPTIONS"]
