"""Fixtures shared by every test layer: a real PostgreSQL, the site server in its own process, and catalogues
a test may edit."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from app import crypto, equality, leaflet_words
from app.i18n import LOCALES_DIR
from tests.pg import postgres_url
from tests.support import running_server

RunServer = Callable[..., str]


TEST_KDF_N = 2**10


@pytest.fixture(autouse=True)
def quick_pin_kdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Officer keys made in a test are wrapped with scrypt at N=2^10 instead of the tablet's 2^15.

    Why: each enrolment and unlock costs 0.1 s at 2^15, and the tests make thousands of them, a third of the
    suite's time. The parameters are stored with each wrapped key, so a key made here unlocks by its own; the
    tablet's real cost is checked by tests marked `real_kdf`, paid by every server and demo a test starts (their
    own processes never see this), and measured by `make bench`."""
    if request.node.get_closest_marker("real_kdf") is None:
        monkeypatch.setattr(crypto.KdfParams, "fresh", classmethod(lambda cls: cls(salt=os.urandom(16), n=TEST_KDF_N)))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A real PostgreSQL URL (postgresql+psycopg://...) for the whole session; never skipped."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_url())
        except RuntimeError as exc:  # no binaries, or the cluster would not start: say so, do not skip
            pytest.fail(str(exc), pytrace=False)
        yield url


@pytest.fixture
def run_server() -> Iterator[RunServer]:
    """run_server(db_url, data_dir, site_paths=None, **kw) -> base URL; each server is stopped after the test."""
    with ExitStack() as stack:

        def start(db_url: str, data_dir: Path, site_paths: list[Path] | None = None, **kw: Any) -> str:
            return stack.enter_context(running_server(db_url, data_dir, site_paths, **kw))

        yield start


@pytest.fixture
def own_locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the catalogues (sources only) that the app reads instead of the project's."""
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(equality, "LOCALES_DIR", copy)
    monkeypatch.setattr(leaflet_words, "LOCALES_DIR", copy)
    return copy
