"""One site server per backend per test module (SQLite, then PostgreSQL), in its own process.

Tests share the module's server and stay out of each other's way by using their own tablets,
devices and cases, and by comparing what the database holds before and after.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync.server import open_context
from tests.pg import fresh_schema
from tests.server.harness import SiteServer
from tests.support import running_server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "sqlite":
        yield from _serve(f"sqlite:///{root}/server.db", root)
    else:
        with fresh_schema(request.getfixturevalue("pg_url")) as url:
            yield from _serve(url, root)


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """One server on SQLite only, for behaviour that does not depend on the database engine."""
    root = tmp_path_factory.mktemp("server-sqlite")
    yield from _serve(f"sqlite:///{root}/server.db", root)


def _serve(db_url: str, root) -> Iterator[SiteServer]:  # noqa: ANN001
    with running_server(db_url, root / "data") as url:
        ctx = open_context(db_url, root / "data")
        try:
            yield SiteServer(url, ctx, root / "data", db_url)
        finally:
            ctx.db.dispose()
