"""The drift check: when a tablet and its server disagree about what is held, they notice and repair."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select, update

from app.store import EventRow, InboxRow, Session
from sync.db import ServerEvent
from tests.server.harness import SiteServer

EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]


def test_events_a_restored_server_lost_are_pushed_again(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    tab.new_case(notes=5)
    tab.client.push()
    lost = sorted(tab.own_ids())[:2]
    with site_server.ctx.db.writer.begin() as conn:  # the server came back from an older backup
        conn.execute(delete(EVENTS).where(EVENTS.c.id.in_(lost)))
    assert tab.tablet.sync_status().pending == 0  # the tablet believes all is well...

    report = tab.client.check_drift()  # ...until the digests disagree
    assert not report.own_matches and sorted(report.requeued) == lost
    assert tab.client.push() == 2
    assert set(site_server.held(tab.device_id)) == tab.own_ids()
    assert tab.client.check_drift().own_matches


def test_a_lost_acknowledgement_is_confirmed_without_pushing_again(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    tab.new_case(notes=2)
    tab.client.push()
    with Session(tab.tablet.engine) as s:
        s.exec(update(EventRow).values(sync_state="pending"))  # type: ignore[call-overload]
        s.commit()
    nonces = site_server.nonces()
    report = tab.client.check_drift()
    assert sorted(report.confirmed) == sorted(tab.own_ids())
    assert tab.tablet.sync_status().pending == 0
    assert site_server.nonces() == nonces  # no push was needed


def test_a_server_holding_another_version_is_flagged_on_the_tablet(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    tab.new_case(notes=1)
    tab.client.push()
    changed = sorted(tab.own_ids())[0]
    with site_server.ctx.db.writer.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.id == changed).values(digest="0" * 64))
    report = tab.client.check_drift()
    assert report.differing == [changed]
    [held_back] = tab.tablet.ledger.quarantined()
    assert held_back.event_id == changed and "different version" in held_back.reason


def test_a_tablet_that_lost_shared_records_pulls_them_again(site_server: SiteServer, tmp_path: Path) -> None:
    custody = site_server.enrolled_tablet(tmp_path / "custody")
    court = site_server.enrolled_tablet(tmp_path / "court")
    case_id = custody.new_case(notes=3)
    custody.client.push()
    custody.client.hand_over(case_id, court.device_id)
    court.client.pull()
    with Session(court.tablet.engine) as s:
        s.exec(delete(InboxRow).where(InboxRow.id.in_(sorted(custody.own_ids())[:2])))  # type: ignore[call-overload]
        s.commit()

    report = court.client.sync_once(check_drift=True)  # one round notices and repairs
    assert report is not None and not report.shared_matches
    with Session(court.tablet.engine) as s:
        assert set(s.exec(select(InboxRow.id)).scalars()) == custody.own_ids()
    assert court.client.check_drift().shared_matches
