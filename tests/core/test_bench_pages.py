"""The HTTP and in-process API benchmarks measure one list endpoint of every app (bench/pages.py)."""

import importlib.util
from pathlib import Path

from django.urls import resolve

from config.urls import API_APPS

ROOT = Path(__file__).resolve().parents[2]


def load_pages():
    spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_app_has_a_list_endpoint_in_the_bench():
    pages = load_pages()
    assert set(pages.APP_LISTS) == set(API_APPS)
    ids = {"user": "00000000-0000-0000-0000-000000000001", "tenant": "00000000-0000-0000-0000-000000000002"}
    ids["album"] = "00000000-0000-0000-0000-000000000003"
    for app, path in pages.APP_LISTS.items():
        match = resolve(path.format(**ids).split("?")[0])
        assert match.url_name.endswith("-list"), (app, path)
        assert match.func.cls.__module__.startswith(f"{app}."), (app, match.func.cls)
        assert "page_size=100" in path, "every list is measured with 100 rows a page"
