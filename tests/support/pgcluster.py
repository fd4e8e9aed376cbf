"""A throwaway PostgreSQL cluster for the test suite (standard library only).

Usage::

    with PgCluster() as pg:
        url = pg.create_database("tandem_test")      # owned by the superuser "app"
        pg.create_role("tandem_app", password="x")   # NOSUPERUSER NOBYPASSRLS
        app_url = pg.url("tandem_test", user="tandem_app", password="x")

The cluster lives in a fresh temporary directory (data dir + socket dir), listens
on 127.0.0.1 on a free port, uses ``trust`` authentication and runs with
durability switched off (fsync, synchronous_commit, full_page_writes), so it is
fast and must never hold anything of value.

When running as root, ``initdb`` and ``pg_ctl`` are run as the ``postgres`` OS
user via ``runuser`` (PostgreSQL refuses to run as root). That user is created
with ``useradd --system postgres`` if it is missing; the Debian package
``postgresql-15`` normally creates it.

The server is stopped (``pg_ctl -m immediate``) and the directory removed by
``stop()``, which is idempotent and also runs at interpreter exit and on
SIGTERM. A small watchdog process additionally stops the server if the owning
Python process dies without running either (e.g. SIGKILL).

Binaries: ``$PG_BIN``, else ``/usr/lib/postgresql/15/bin``, else the newest
``/usr/lib/postgresql/*/bin``, else ``$PATH``.

``psycopg`` (3) is imported lazily, only by ``create_database``/``create_role``
and the ``--smoke`` entry point::

    python -m tests.support.pgcluster --smoke
"""
from __future__ import annotations

import atexit
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

__all__ = ["PgCluster", "PgClusterError", "find_pg_bin"]

SUPERUSER = "app"
HOST = "127.0.0.1"
OS_USER = "postgres"


class PgClusterError(RuntimeError):
    pass


def find_pg_bin() -> Path:
    """Directory holding initdb/pg_ctl, per the order in the module docstring."""
    env = os.environ.get("PG_BIN")
    if env:
        path = Path(env)
        if not (path / "pg_ctl").exists():
            raise PgClusterError(f"PG_BIN={env} does not contain pg_ctl")
        return path
    default = Path("/usr/lib/postgresql/15/bin")
    if (default / "pg_ctl").exists():
        return default

    def version_key(p: str):
        return [int(x) if x.isdigit() else 0 for x in re.split(r"[.]", Path(p).parent.name)]

    candidates = [p for p in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(p, "pg_ctl"))]
    if candidates:
        return Path(max(candidates, key=version_key))
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise PgClusterError(
        "PostgreSQL binaries not found: set PG_BIN, or install postgresql-15 (apt-get install postgresql-15)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- process-wide cleanup -------------------------------------------------

_live: "set[PgCluster]" = set()
_live_lock = threading.Lock()
_hooks_installed = False
_previous_sigterm = None


def _stop_all() -> None:
    with _live_lock:
        clusters = list(_live)
    for cluster in clusters:
        try:
            cluster.stop()
        except Exception:  # pragma: no cover - best effort at exit
            pass


def _on_sigterm(signum, frame):
    _stop_all()
    prev = _previous_sigterm
    if callable(prev):
        prev(signum, frame)
    elif prev == signal.SIG_IGN:
        return
    else:  # SIG_DFL (or unknown): die by SIGTERM as we would have
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _install_hooks() -> None:
    global _hooks_installed, _previous_sigterm
    if _hooks_installed:
        return
    atexit.register(_stop_all)
    if threading.current_thread() is threading.main_thread():
        _previous_sigterm = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _on_sigterm)
    _hooks_installed = True


# Runs in a separate process: waits for EOF on stdin (the parent closed the
# pipe or died), then stops the server if it is still up and removes the dir.
_WATCHDOG = r"""
import json, os, shutil, signal, subprocess, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
cmd, datadir, tmpdir = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
try:
    while sys.stdin.buffer.read(4096):
        pass
except Exception:
    pass
if os.path.exists(os.path.join(datadir, "postmaster.pid")):
    subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd="/", timeout=60)
shutil.rmtree(tmpdir, ignore_errors=True)
"""


class PgCluster:
    """A temporary PostgreSQL cluster on 127.0.0.1:<free port>, superuser ``app``."""

    def __init__(self, bin_dir: "str | os.PathLike | None" = None, *, watchdog: bool = True,
                 start_timeout: int = 60):
        self.bin_dir = Path(bin_dir) if bin_dir else find_pg_bin()
        self.port: "int | None" = None
        self.tmpdir: "Path | None" = None
        self.watchdog = watchdog
        self.start_timeout = start_timeout
        self._as_root = os.geteuid() == 0
        self._owner_pid = os.getpid()
        self._started = False
        self._lock = threading.RLock()
        self._watchdog_proc: "subprocess.Popen | None" = None

    # -- paths -----------------------------------------------------------
    @property
    def datadir(self) -> Path:
        assert self.tmpdir is not None, "cluster not started"
        return self.tmpdir / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.tmpdir is not None, "cluster not started"
        return self.tmpdir / "sock"

    @property
    def logfile(self) -> Path:
        assert self.tmpdir is not None, "cluster not started"
        return self.tmpdir / "postgres.log"

    @property
    def host(self) -> str:
        return HOST

    @property
    def superuser(self) -> str:
        return SUPERUSER

    # -- URLs ------------------------------------------------------------
    def url(self, dbname: str = "postgres", user: str = SUPERUSER, password: "str | None" = None,
            driver: str = "postgresql+psycopg") -> str:
        """SQLAlchemy URL for ``dbname`` as ``user`` (``driver="postgresql"`` for a libpq URI)."""
        if self.port is None:
            raise PgClusterError("cluster not started")
        auth = quote(user, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return f"{driver}://{auth}@{HOST}:{self.port}/{quote(dbname, safe='')}"

    @property
    def superuser_url(self) -> str:
        return self.url("postgres")

    # -- lifecycle -------------------------------------------------------
    def __enter__(self) -> "PgCluster":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _cmd(self, *args: str) -> "list[str]":
        if self._as_root:
            return ["runuser", "-u", OS_USER, "--", *args]
        return list(args)

    def _run(self, *args: str, check: bool = True, timeout: "int | None" = 120) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            self._cmd(*args), cwd=str(self.tmpdir or "/"), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise PgClusterError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}")
        return proc

    def _ensure_os_user(self) -> None:
        import pwd

        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", OS_USER], check=True)

    def start(self) -> "PgCluster":
        with self._lock:
            if self._started:
                return self
            if self._as_root:
                self._ensure_os_user()
            self.tmpdir = Path(tempfile.mkdtemp(prefix="tandem-pg-"))
            self.socket_dir.mkdir()
            self._started = True  # from here on stop() has something to clean up
            with _live_lock:
                _live.add(self)
            _install_hooks()
            try:
                if self._as_root:
                    shutil.chown(self.tmpdir, OS_USER, OS_USER)
                    shutil.chown(self.socket_dir, OS_USER, OS_USER)
                    if self._run("test", "-w", str(self.tmpdir), check=False).returncode != 0:
                        raise PgClusterError(
                            f"user {OS_USER!r} cannot write {self.tmpdir}; a parent directory is "
                            "not traversable (set TMPDIR to e.g. /tmp)"
                        )
                self._initdb()
                self._start_watchdog()
                self._pg_ctl_start()
            except BaseException:
                self.stop()
                raise
            return self

    def _initdb(self) -> None:
        initdb = str(self.bin_dir / "initdb")
        base = [initdb, "-D", str(self.datadir), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--no-sync"]
        first = self._run(*base, "--locale=C.UTF-8", check=False)
        if first.returncode == 0:
            return
        shutil.rmtree(self.datadir, ignore_errors=True)
        second = self._run(*base, "--locale=C", check=False)
        if second.returncode != 0:
            raise PgClusterError(
                f"initdb failed with --locale=C.UTF-8:\n{first.stdout}\nand with --locale=C:\n{second.stdout}"
            )

    def _start_watchdog(self) -> None:
        if not self.watchdog:
            return
        self._watchdog_proc = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, json.dumps(self._cmd(*self._pg_ctl_stop_raw())),
             str(self.datadir), str(self.tmpdir)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd="/", start_new_session=True,
        )

    def _pg_ctl_start(self) -> None:
        pg_ctl = str(self.bin_dir / "pg_ctl")
        last_error = None
        for _attempt in range(3):  # the free port can be taken between probing and binding
            self.port = _free_port()
            opts = (
                f"-p {self.port} -k {self.socket_dir} -c listen_addresses={HOST} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            # -l is essential: without it the postmaster inherits our stdout pipe
            # and subprocess.run() would wait for it forever.
            proc = self._run(pg_ctl, "-D", str(self.datadir), "-o", opts, "-l", str(self.logfile),
                             "-t", str(self.start_timeout), "-w", "start",
                             check=False, timeout=self.start_timeout + 30)
            if proc.returncode == 0:
                return
            log = self._log_tail()
            last_error = f"pg_ctl start failed ({proc.returncode}):\n{proc.stdout}\n--- server log ---\n{log}"
            if "already in use" not in log and "could not bind" not in log:
                break
            self._run(*self._pg_ctl_stop_raw(), check=False)  # in case a postmaster half-started
        raise PgClusterError(last_error or "pg_ctl start failed")

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stop the server (immediate mode) and remove the temp dir. Safe to call repeatedly."""
        with self._lock:
            if not self._started:
                return
            if os.getpid() != self._owner_pid:
                return  # a forked child must not tear down its parent's cluster
            self._started = False
            with _live_lock:
                _live.discard(self)
            try:
                if self.tmpdir is not None and (self.datadir / "postmaster.pid").exists():
                    proc = self._run(*self._pg_ctl_stop_raw(), check=False, timeout=60)
                    if proc.returncode != 0:
                        self._kill_postmaster()
            finally:
                if self._watchdog_proc is not None:
                    try:
                        self._watchdog_proc.stdin.close()
                        self._watchdog_proc.wait(timeout=30)
                    except Exception:
                        pass
                    self._watchdog_proc = None
                if self.tmpdir is not None:
                    shutil.rmtree(self.tmpdir, ignore_errors=True)
                self.tmpdir = None

    def _pg_ctl_stop_raw(self) -> "list[str]":
        return [str(self.bin_dir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"]

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.datadir / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass

    # -- SQL helpers -----------------------------------------------------
    def _execute(self, statement, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname, driver="postgresql"), autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name: str, owner: str = SUPERUSER) -> str:
        """Create database ``name`` (owned by ``owner``) and return its SQLAlchemy URL (as ``app``)."""
        from psycopg import sql

        self._execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
            sql.Identifier(name), sql.Identifier(owner)))
        return self.url(name)

    def create_role(self, name: str, password: "str | None" = None, login: bool = True) -> str:
        """Create a non-owner application role (NOSUPERUSER NOBYPASSRLS ...); returns its name.

        Grants on schemas/tables are up to the caller (typically done by migrations
        or the test fixture); use ``url(db, user=name, password=password)`` to connect.
        """
        from psycopg import sql

        parts = [sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)),
                 sql.SQL("LOGIN" if login else "NOLOGIN"),
                 sql.SQL("NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION")]
        if password is not None:
            parts.append(sql.SQL("PASSWORD {}").format(sql.Literal(password)))
        self._execute(sql.SQL(" ").join(parts))
        return name


def _smoke() -> int:
    import psycopg

    with PgCluster() as pg:
        print(f"cluster up on {pg.host}:{pg.port} (bin {pg.bin_dir}, data {pg.datadir})")
        with psycopg.connect(pg.url(driver="postgresql")) as conn:
            print(conn.execute("select version()").fetchone()[0])
        url = pg.create_database("smoke_db")
        pg.create_role("smoke_role", password="s3cret")
        with psycopg.connect(pg.url("smoke_db", user="smoke_role", password="s3cret", driver="postgresql")) as conn:
            row = conn.execute("select current_user, rolsuper, rolbypassrls from pg_roles "
                               "where rolname = current_user").fetchone()
        print(f"created {url}; connected as {row[0]} (superuser={row[1]}, bypassrls={row[2]})")
    print("stopped")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--smoke"]:
        sys.exit(_smoke())
    print("usage: python -m tests.support.pgcluster --smoke", file=sys.stderr)
    sys.exit(2)
