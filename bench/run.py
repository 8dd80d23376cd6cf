"""Run every ``bench/bench_*.py`` against a scratch database on the project's server.

Each module defines ``run(report)``; ``report(name, value, unit)`` prints ``name: value unit``.
Figures are ratios against a baseline measured in the same run wherever a time is involved,
because these machines are shared and noisy. Results go to ``.bench/results.json``.
Usage: ``make bench`` or ``python bench/run.py [--profile] [name-filter]``.

With ``--profile``, modules whose ``run`` takes a ``profile`` argument also run their requests under cProfile
(``profile(name, function)``) and write the summary to ``.bench/profile/<name>.txt``: the functions with the
most time of their own, then the most cumulative time, per call of ``function``.
"""

import cProfile
import importlib.util
import inspect
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool, like `make bench`


def timed(function, *, repeat: int = 30, warmup: int = 3) -> float:
    """Median wall time of ``function()`` in seconds."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return median(samples)


def profile(name: str, function, *, repeat: int = 200, warmup: int = 10, lines: int = 30) -> Path:
    """Run ``function()`` ``repeat`` times under cProfile; write the summary to ``.bench/profile/<name>.txt``."""
    for _ in range(warmup):
        function()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        function()
    profiler.disable()
    elapsed = time.perf_counter() - start
    out = io.StringIO()
    out.write(f"{name}: {repeat} calls, {elapsed / repeat * 1000:.3f} ms per call under the profiler\n")
    for order in ("tottime", "cumulative"):
        out.write(f"\n--- by {order} ---\n")
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(lines)
    path = ROOT / ".bench" / "profile" / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue())
    print(f"profile of {name}: {path.relative_to(ROOT)}", flush=True)
    return path


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"  # kept between runs
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    profiling = "--profile" in argv
    argv = [arg for arg in argv if arg != "--profile"]
    selected = argv[1] if len(argv) > 1 else ""
    results: dict[str, float] = {}

    def report(name: str, value: float, unit: str = "") -> None:
        results[name] = value
        print(f"{name}: {value:.4g} {unit}".rstrip(), flush=True)

    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        if selected and selected not in path.stem:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if profiling and "profile" in inspect.signature(module.run).parameters:
            module.run(report, timed=timed, profile=profile)
        else:
            module.run(report, timed=timed)

    out = ROOT / ".bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() and selected else {}
    out.write_text(json.dumps({**previous, **results}, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
