"""A real PostgreSQL for the tests: the one named by COURTSIDE_TEST_PG_URL, or a throwaway local cluster.

Why not skip when PostgreSQL is missing: production runs on PostgreSQL, so a green run that never
touched it would be a false comfort. The throwaway cluster lives in a temp dir, listens only on
loopback, and is stopped and deleted afterwards. PostgreSQL refuses to run as root, so under root
the cluster is run as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support import free_port

ENV_URL = "COURTSIDE_TEST_PG_URL"
SUPERUSER = "postgres"
DATABASE = "courtside_test"


def pg_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found = [d for d in found if (d / "pg_ctl").exists()]
    if not found:
        on_path = shutil.which("initdb")
        if on_path and shutil.which("pg_ctl"):
            return Path(on_path).parent
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin: "
            f"install postgresql (make test does this), or set {ENV_URL} to a database URL")

    def version(d: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in d.parent.name.split(".") if x.isdigit())

    return max(found, key=version)


def _as_cluster_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", SUPERUSER, "--", *cmd]
    return cmd


def _run(cmd: list[str]) -> None:
    result = subprocess.run(_as_cluster_owner(cmd), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """initdb + pg_ctl start on a free loopback port; yields a postgresql+psycopg URL to a fresh database."""
    bindir = pg_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="courtside-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(SUPERUSER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    os.chmod(root, 0o700)
    data, socket_dir = root / "data", root
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
              "--encoding=UTF8", "--no-locale", "--no-sync"])
        for attempt in range(3):
            port = free_port()
            options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={socket_dir} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            try:
                _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "postgres.log"),
                      "-o", options, "-w", "-t", "60", "start"])
                started = True
                break
            except RuntimeError:
                if attempt == 2:  # the port was taken between picking and binding, three times over
                    raise
        admin = create_engine(f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {DATABASE}"))
        admin.dispose()
        yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            subprocess.run(_as_cluster_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                              "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_url() -> Iterator[str]:
    """COURTSIDE_TEST_PG_URL if set, else a throwaway cluster for as long as the context lasts."""
    given = os.environ.get(ENV_URL)
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


@contextmanager
def fresh_schema(pg_url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema, so each test starts from nothing."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
