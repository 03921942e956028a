"""The tablet's sync against a real site server (SQLite and PostgreSQL): nothing lost, nothing doubled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.store import EventRow, Session, select
from sync.client import SyncClient
from tests.pathway import OFFICER, PIN, provisioned_tablet, walk_pathway
from tests.pg import fresh_schema
from tests.plaintext import files_containing
from tests.support import free_port, running_server

DEFENDANT = "Philippa Vexworth-Adebayo"


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        with running_server(f"sqlite:///{tmp_path}/server/server.db", tmp_path / "server") as url:
            yield url
    else:
        with fresh_schema(request.getfixturevalue("pg_url")) as db, running_server(db, tmp_path / "server") as url:
            yield url


def test_a_case_made_offline_reaches_the_server_once(tmp_path, server_url):
    tablet = provisioned_tablet(tmp_path / "tablet")
    session = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session, DEFENDANT)  # written before the tablet ever saw the server
    assert tablet.sync_status().pending == 6 and tablet.unsent() == []  # queued, but not sealed to any server yet

    client = SyncClient(tablet, server_url, "demo")
    assert client.pull_config()
    assert session.seal_unsealed() == 6
    assert client.push() == 6
    assert tablet.sync_status().synced == 6 and tablet.sync_status().pending == 0

    # Pushing again, or after a crash that forgot the acknowledgement, stores nothing twice.
    with Session(tablet.engine) as s:
        for row in s.exec(select(EventRow)):
            row.sync_state = "pending"
            s.add(row)
        s.commit()
    assert client.push() == 6
    events = httpx.get(f"{server_url}/api/v1/sites/demo/cases/{case_id}/events").json()
    assert len(events) == 6
    assert httpx.get(f"{server_url}/api/v1/sites/demo/summary").json() == {"events": 6, "cases": 1}


def test_an_unreachable_server_leaves_events_queued_and_says_so(tmp_path, server_url):
    tablet = provisioned_tablet(tmp_path / "tablet")
    assert SyncClient(tablet, server_url, "demo").pull_config()
    walk_pathway(tablet.unlock(OFFICER, PIN), DEFENDANT)

    nowhere = SyncClient(tablet, f"http://127.0.0.1:{free_port()}", "demo", timeout=1)
    assert nowhere.push() == 0
    status = tablet.sync_status()
    assert status.pending == 6 and status.synced == 0
    assert "will sync when connected" in (status.last_error or "")

    assert SyncClient(tablet, server_url, "demo").push() == 6  # the signal comes back
    assert tablet.sync_status().pending == 0


def test_a_refused_batch_is_kept_with_the_servers_reason(tmp_path, server_url):
    tablet = provisioned_tablet(tmp_path / "tablet")
    client = SyncClient(tablet, server_url, "demo")
    assert client.pull_config()
    walk_pathway(tablet.unlock(OFFICER, PIN), DEFENDANT)
    with Session(tablet.engine) as s:  # a blob damaged on the tablet: the server cannot open it
        row = s.exec(select(EventRow)).first()
        assert row is not None and row.sealed is not None
        row.sealed = row.sealed[:-1] + bytes([row.sealed[-1] ^ 1])
        s.add(row)
        s.commit()
    assert client.push() == 0
    status = tablet.sync_status()
    assert status.failed == 6 and status.synced == 0
    assert "HTTP 422" in (status.last_error or "")


def test_no_name_is_written_in_plaintext_by_tablet_or_server(tmp_path, server_url):
    tablet = provisioned_tablet(tmp_path / "tablet")
    client = SyncClient(tablet, server_url, "demo")
    assert client.pull_config()
    walk_pathway(tablet.unlock(OFFICER, PIN), DEFENDANT)
    assert client.push() == 6
    assert files_containing(tmp_path, DEFENDANT) == []
