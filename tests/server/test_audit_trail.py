"""The audit trail reaches the site server in order, chain checked; a rewritten tablet trail is refused there."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app import audit, clock
from app.case import case_reference
from app.tablet import WrongPin
from sync.audit_trail import case_trail
from sync.client import SyncClient, SyncError
from sync.enrolment import issue_code
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet, walk_pathway
from tests.server.harness import ADMIN, ADMIN_PASSWORD, SiteServer


def enrolled(server: SiteServer, data_dir: Path) -> SyncClient:
    tablet = provisioned_tablet(data_dir)
    client = SyncClient(tablet, server.url, "demo")
    client.enrol(issue_code(server.ctx, "demo", "Audit tablet", "test")[0])
    return client


def test_the_trail_is_sent_in_order_and_the_admin_sees_each_cases_entries(sqlite_server: SiteServer,
                                                                            tmp_path: Path) -> None:
    client = enrolled(sqlite_server, tmp_path)
    tablet = client.tablet
    case_id = walk_pathway(tablet.unlock(OFFICER, PIN))
    with pytest.raises(WrongPin):  # a failed unlock is audited too
        tablet.unlock(OFFICER, "0000")
    sent = len(audit.entries(tablet.engine))
    assert client.push_audit() == sent
    assert audit.pending(tablet.engine) == [] and client.push_audit() == 0
    trail = case_trail(sqlite_server.ctx, "demo", case_id)
    assert [e.seq for e in trail] == [e.seq for e in audit.entries(tablet.engine, case_id)]
    assert {e.action for e in trail} >= {audit.CREATE, audit.CHANGE, audit.PRINT}
    client.close()


def test_a_trail_rewritten_on_the_tablet_after_it_was_sent_is_refused(sqlite_server: SiteServer,
                                                                       tmp_path: Path) -> None:
    client = enrolled(sqlite_server, tmp_path)
    tablet = client.tablet
    tablet.unlock(OFFICER, PIN)  # an unlock: one entry
    client.push_audit()
    db = sqlite3.connect(tablet.data_dir / "tablet.db")
    db.execute("delete from auditrow")
    db.commit()
    db.close()
    tablet.unlock(OFFICER, PIN)  # a fresh chain starting again at 1, with another hash
    with pytest.raises(SyncError) as exc:
        client.push_audit()
    assert "audit entry 1" in exc.value.reason
    client.close()


def test_the_site_admin_finds_a_cases_trail_by_its_reference_and_reads_it_in_words(sqlite_server: SiteServer,
                                                                                   tmp_path: Path) -> None:
    client = enrolled(sqlite_server, tmp_path)
    session = client.tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session, "Perpetua Inglethorpe")
    client.push_audit()
    sqlite_server.ensure_admin()
    with httpx.Client(base_url=sqlite_server.url, timeout=30) as http:
        http.post("/admin/login", data={"name": ADMIN, "password": ADMIN_PASSWORD})
        page = http.get("/admin/audit", params={"site_id": "demo", "case": case_reference(case_id)}).text
        unknown = http.get("/admin/audit", params={"site_id": "demo", "case": "0000-0000"})
        not_a_reference = http.get("/admin/audit", params={"site_id": "demo", "case": "Perpetua"})
    officer = session.officer_name
    assert "Leaflet given" in page and "Changed" in page and f"<td>{officer}</td>" in page
    assert "<td>Audit tablet</td>" in page  # the tablet's name, not its id
    assert OFFICER not in page and client.tablet.device_id not in page and "leaflet_printed" not in page
    assert "Perpetua" not in page
    assert unknown.status_code == 404 and "no case with reference &#x27;0000-0000&#x27;" in unknown.text
    assert not_a_reference.status_code == 422 and "is not a case reference" in not_a_reference.text
    client.close()


def test_server_retention_deletes_a_cases_records_and_keeps_a_chained_entry_for_the_purge(
        sqlite_server: SiteServer, tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select

    from sync.retention import EVENTS, expired_cases, purge_expired, server_actor

    client = enrolled(sqlite_server, tmp_path)
    session = client.tablet.unlock(OFFICER, PIN)
    case_id = session.open_case(details(), TODAY)
    session.seal_unsealed()
    client.push()
    years = sqlite_server.ctx.site_or_404("demo").retention_years
    later = clock.now() + timedelta(days=366 * years + 1)
    assert case_id in purge_expired(sqlite_server.ctx, "demo", later, dry_run=True)
    assert case_id in purge_expired(sqlite_server.ctx, "demo", later)
    with sqlite_server.ctx.db.engine.connect() as conn:
        assert case_id not in expired_cases(conn, "demo", later)
        assert conn.execute(select(func.count()).select_from(EVENTS).where(EVENTS.c.case_id == case_id)).scalar() == 0
    entries = [e for e in case_trail(sqlite_server.ctx, "demo", case_id) if e.device_id == server_actor("demo")]
    assert [(e.action, e.detail) for e in entries] == [(audit.PURGE, "1 events")]
    assert entries[0].hash == audit.row_digest(entries[0])
    client.close()


def test_the_server_runs_the_retention_purge_on_its_own_schedule(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    from sync.retention import EVENTS, server_actor
    from sync.server import open_context
    from tests.support import running_server

    data, db_url = tmp_path / "server", f"sqlite:///{tmp_path}/server/server.db"
    with running_server(db_url, data, extra_args=["--device-rate", "1000", "--address-rate", "1000",
                                                  "--purge-every-hours", "0.0005"]) as url:  # every 1.8 s
        ctx = open_context(db_url, data)
        client = enrolled(SiteServer(url, ctx, data, db_url), tmp_path / "tablet")
        kept = client.tablet.unlock(OFFICER, PIN).open_case(details("Kept Person"), TODAY)
        old = client.tablet.unlock(OFFICER, PIN).open_case(details(), TODAY)
        assert client.push() == 2
        with ctx.db.writer.begin() as conn:  # as if its last event had come in a quarter of a century ago
            conn.execute(update(EVENTS).where(EVENTS.c.case_id == old).values(
                received_at=datetime(2001, 1, 1, tzinfo=UTC)))
        trail: list = []
        for _ in range(100):
            trail = [e for e in case_trail(ctx, "demo", old) if e.device_id == server_actor("demo")]
            if trail:
                break
            time.sleep(0.2)
        assert [(e.action, e.detail) for e in trail] == [(audit.PURGE, "1 events")]
        held = SiteServer(url, ctx, data, db_url).held()
        with ctx.db.engine.connect() as conn:
            cases = set(conn.execute(select(EVENTS.c.case_id)).scalars())
        assert cases == {kept} and len(held) == 1
        client.close()
        ctx.db.dispose()
