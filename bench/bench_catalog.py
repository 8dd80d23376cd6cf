"""``catalog.similar.*``: HNSW nearest-neighbour search on 100,000 samples against an exact scan of the same rows.

The vectors are 128-d and clustered (1,000 centres with noise, L2-normalised), as audio
features of a real library are; they are generated here because decoding 100,000 audio
files would measure the decoder, not the search. The HNSW query is the service the API
calls (``catalog.services.sample_nearest``, ``hnsw.ef_search`` = CATALOG_HNSW_EF_SEARCH);
the exact scan is the same query with index scans disabled, so PostgreSQL computes every
distance and sorts.
"""

import time

import numpy as np
from django.db import connection, transaction

from catalog.models import Sample
from catalog.services import sample_nearest

ROWS = 100_000
QUERIES = 40
K = 10
PREFIX = "bench-sample-"
INDEX_SQL = (
    "create index if not exists catalog_sample_audio_hnsw on catalog_sample"
    " using hnsw (audio_features vector_cosine_ops) with (m = 16, ef_construction = 64)"
)


def vectors(rows: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(1000, 128))
    data = centres[rng.integers(0, 1000, rows)] + 0.35 * rng.normal(size=(rows, 128))
    return (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)


def ensure_rows(report) -> None:
    if Sample.all_objects.filter(name__startswith=PREFIX).count() == ROWS:
        return
    data = vectors(ROWS)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        Sample.all_objects.filter(name__startswith=PREFIX).hard_delete()
        cursor.execute("drop index if exists catalog_sample_audio_hnsw")
        cursor.execute("create temporary table bench_vectors (n integer, v vector(128)) on commit drop")
        with cursor.connection.cursor().copy("copy bench_vectors (n, v) from stdin") as copy:
            for index, vector in enumerate(data):
                copy.write_row((index, "[" + ",".join(f"{value:.6f}" for value in vector) + "]"))
        cursor.execute(
            """
            insert into catalog_sample (id, name, category, audio_file, audio_sha256, key, tags, audio_features,
                text_sha256, embedded_audio_sha256, embedded_text_sha256, created_at, updated_at)
            select gen_random_uuid(), %s || n, 'other', 'bench/' || n || '.wav', '', '', '{}', v, '', '', '',
                now(), now()
            from bench_vectors
            """,
            [PREFIX],
        )
        cursor.execute("set local maintenance_work_mem = '512MB'")
        index_started = time.perf_counter()
        cursor.execute(INDEX_SQL)
        report("catalog.similar.index_build_s", time.perf_counter() - index_started, "s")
        cursor.execute("analyze catalog_sample")
    report("catalog.similar.load_s", time.perf_counter() - started, "s")


def exact(vector) -> list:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("set local enable_indexscan = off")
        queryset = Sample.objects.nearest(vector.tolist(), field="audio_features")
        return list(queryset.values_list("pk", flat=True)[:K])


def approximate(vector) -> list:
    return [sample.pk for sample in sample_nearest(vector=vector.tolist(), by="audio", k=K)]


def run(report, timed):
    ensure_rows(report)
    rng = np.random.default_rng(11)
    queries = vectors(ROWS)[rng.integers(0, ROWS, QUERIES)] + 0.05 * rng.normal(size=(QUERIES, 128))
    recalls = []
    for vector in queries:
        truth = set(exact(vector))
        recalls.append(len(truth & set(approximate(vector))) / K)
    report("catalog.similar.recall_at_10", float(np.mean(recalls)), "")
    exact_median = timed(lambda: [exact(v) for v in queries[:10]], repeat=5, warmup=1) / 10
    hnsw_median = timed(lambda: [approximate(v) for v in queries[:10]], repeat=5, warmup=1) / 10
    report("catalog.similar.exact_ms", exact_median * 1000, "ms")
    report("catalog.similar.hnsw_ms", hnsw_median * 1000, "ms")
    report("catalog.similar.speedup_vs_exact", exact_median / hnsw_median, "x")
