"""Run every ``bench/bench_*.py`` against a scratch database on the project's server.

Each module defines ``run(report)``; ``report(name, value, unit)`` prints ``name: value unit``.
Figures are ratios against a baseline measured in the same run wherever a time is involved,
because these machines are shared and noisy. Results go to ``.bench/results.json``.
Usage: ``make bench`` or ``python bench/run.py [name-filter]``.
"""

import importlib.util
import json
import os
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


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"  # kept between runs
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
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
        module.run(report, timed=timed)

    out = ROOT / ".bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() and selected else {}
    out.write_text(json.dumps({**previous, **results}, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
