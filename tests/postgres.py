"""A throwaway PostgreSQL cluster for the tests: the Debian server binaries, started by the
tests on loopback in a temporary folder, as the `postgres` user when the tests run as root
(PostgreSQL refuses to run as root). `PostgresCluster.new_database()` gives each test its
own empty database; `stop()` and `start()` let a test take the server away for a while."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_GLOB = "/usr/lib/postgresql/*/bin"


def server_bin() -> Path | None:
    """The newest installed server's bin folder, None when PostgreSQL is not installed."""
    found = sorted(
        Path(p).parent
        for p in Path("/").glob(SERVER_GLOB.lstrip("/") + "/pg_ctl")
        if (Path(p).parent / "initdb").exists()
    )
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    def __init__(self, bin_dir: Path, settings: str = "") -> None:
        """`settings`: postgresql.conf lines added after the test settings (they win)."""
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="sohoa-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 200\n" + settings
            )
        self.start()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.root)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One PostgreSQL server for the session; skipped only when it is not installed."""
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip(f"PostgreSQL server binaries not installed ({SERVER_GLOB}/initdb)")
    cluster = PostgresCluster(bin_dir)
    try:
        yield cluster
    finally:
        cluster.remove()


BACKENDS = ("sqlite", "postgresql")


def new_archive(request: pytest.FixtureRequest, folder: Path) -> str:
    """A new, empty archive for the backend a fixture is parametrised with (BACKENDS):
    a SQLite file in `folder`, or a database of the session's PostgreSQL server."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        return cluster.new_database()
    return str(folder / "archive.db")
