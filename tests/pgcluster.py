"""A throwaway PostgreSQL cluster on loopback, from the `postgresql` package's server binaries.

One helper for the test fixtures (tests/conftest.py, tests/test_faults.py) and the load bench.
initdb refuses to run as root: as root the cluster belongs to the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.kernel.localhttp import free_port


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, or None."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(bins[-1]).parent if bins else None


class Cluster:
    """initdb + start on a free loopback port; `stop` / `start` again; `remove` when done."""

    def __init__(self, prefix: str = "backfill-pg-", password: str | None = None) -> None:
        bindir = server_binaries()
        if bindir is None:
            raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bindir, self.password = bindir, password
        self.data = Path(tempfile.mkdtemp(prefix=prefix))
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self._ctl("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()

    def _ctl(self, prog: str, *args: str) -> None:
        subprocess.run(self.run_as + [str(self.bindir / prog), *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._ctl(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data}",
            "-l",
            str(self.data / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._ctl("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, db: str = "postgres") -> str:
        # trust auth ignores a password: tests give one to prove it never shows in an error
        user = "postgres" if self.password is None else f"postgres:{self.password}"
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"

    def create_db(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def remove(self) -> None:
        subprocess.run(
            self.run_as + [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(self.data, ignore_errors=True)
