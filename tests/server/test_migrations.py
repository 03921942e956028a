"""Upgrades keep data: a server database made by the first version, and a tablet from the previous version.

The first server schema is frozen below exactly as the first version created it (with create_all and
no migration history), filled the way that version filled it, and then the current server starts on it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Index, Integer, LargeBinary, MetaData, String, Table, create_engine, text

from app import clock
from app.crypto import load_or_create_server_key, public_key_b64
from app.tablet import Tablet
from sync.client import SyncClient
from sync.db import migrate, open_database
from sync.server import open_context
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet
from tests.pg import fresh_schema
from tests.server.harness import SECRET, SiteServer
from tests.support import running_server

FIRST_VERSION = MetaData()
Table(
    "server_event", FIRST_VERSION,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False),
    Column("site_id", String(64), nullable=False),
    Column("device_id", String(100), nullable=False),
    Column("officer_id", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("hlc", String(64).with_variant(String(64, collation="C"), "postgresql"), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_server_event_case_id", "case_id"),
    Index("ix_server_event_site_id", "site_id"),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/server.db"
    else:
        with fresh_schema(request.getfixturevalue("pg_url")) as url:
            yield url


def test_a_first_version_database_keeps_its_events_across_the_upgrade(empty_db: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    # A tablet of the first version sealed to the key the server published, and pushed; the server kept it.
    tablet = provisioned_tablet(tmp_path / "tablet", public_key_b64(load_or_create_server_key(
        data / "server_key.pem")))
    session = tablet.unlock(OFFICER, PIN)
    case_id = session.open_case(details(SECRET), TODAY)
    session.record(case_id, "screening_completed", {"answers": SECRET})
    session.record(case_id, "consent_given", {"decision": "agree"})
    rows = tablet.unsent(10)
    old = create_engine(empty_db)
    FIRST_VERSION.create_all(old)
    with old.begin() as conn:
        conn.execute(FIRST_VERSION.tables["server_event"].insert(), [
            {"id": r.id, "case_id": r.case_id, "site_id": "demo", "device_id": r.device_id, "officer_id": r.officer_id,
             "kind": r.kind, "hlc": r.hlc, "schema_version": r.schema_version, "sealed": r.sealed,
             "received_at": clock.now()} for r in rows])
    old.dispose()

    with running_server(empty_db, data) as url:
        ctx = open_context(empty_db, data)
        server = SiteServer(url, ctx, data, empty_db)
        try:
            assert server.held() == {r.id: hashlib.sha256(r.sealed or b"").hexdigest() for r in rows}
            kinds = [e["kind"] for e in server.admin().get(f"/api/v1/sites/demo/cases/{case_id}/events").json()]
            assert kinds == ["case_opened", "screening_completed", "consent_given"]
            with ctx.db.engine.connect() as conn:
                assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0005"
            # The same tablet, enrolled now, pushes what it still has queued: nothing is stored twice.
            client = SyncClient(tablet, url)
            client.enrol(server.issue_code())
            assert client.push() == 3
            assert len(server.held()) == 3
            assert client.check_drift().own_matches
        finally:
            ctx.db.dispose()


def test_migrating_again_changes_nothing(empty_db: str) -> None:
    db = open_database(empty_db)
    migrate(db)
    migrate(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM sync_counter WHERE name = 'feed'")).scalar_one() == 0
    db.dispose()


def test_a_tablet_from_the_previous_version_keeps_its_records_and_syncs(site_server: SiteServer,
                                                                         tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path / "tablet", site_server.ctx.keys.seal_public)
    session = tablet.unlock(OFFICER, PIN)
    case_id = session.open_case(details(SECRET), TODAY)
    session.record(case_id, "note_added", {"text": SECRET})
    tablet.engine.dispose()
    with sqlite3.connect(tmp_path / "tablet" / "tablet.db") as con:  # as the previous version left it
        con.execute("DROP TABLE inboxrow")
        con.execute("UPDATE eventrow SET sync_state = 'failed', sync_error = 'Server refused the records (HTTP "
                    "422)' WHERE kind = 'note_added'")
    con.close()

    upgraded = Tablet(tmp_path / "tablet")
    assert upgraded.sync_status().pending == 2  # a batch the old version flagged is simply still to send
    client = SyncClient(upgraded, site_server.url)
    client.enrol(site_server.issue_code())
    assert client.push() == 2
    assert upgraded.sync_status().pending == 0
    assert upgraded.unlock(OFFICER, PIN).case(case_id).details.name == SECRET  # type: ignore[union-attr]
