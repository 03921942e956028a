"""Background sync: backoff with jitter, a round when the signal comes back or a record is saved, and the
status line the officer sees (pending count, last success, anything held back with its reason)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from sync.client import SyncClient
from sync.loop import Backoff, SyncLoop
from tests.server.faultproxy import FaultProxy, Plan
from tests.server.harness import SiteServer


def eventually(check: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll until true; the limit only stops a broken test from hanging, it is not what is tested."""
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def test_backoff_doubles_up_to_its_cap_with_jitter_in_the_upper_half() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(1))
    ceilings = [backoff.ceiling(n) for n in range(1, 9)]
    assert ceilings == [1, 2, 4, 8, 16, 32, 60, 60]
    for n in range(1, 30):
        assert backoff.ceiling(n) / 2 <= backoff.delay(n) <= backoff.ceiling(n)
    one, other = Backoff(rng=random.Random(1)), Backoff(rng=random.Random(2))
    assert [one.delay(5) for _ in range(5)] != [other.delay(5) for _ in range(5)]  # tablets fall out of step


def test_sync_resumes_by_itself_when_the_signal_comes_back(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    tab.new_case(notes=2)
    proxy = FaultProxy(int(site_server.url.rsplit(":", 1)[1])).start()
    proxy.plan = Plan({"drop_request": 1.0})  # no signal in the court building
    loop = SyncLoop(SyncClient(tab.tablet, proxy.url, timeout=1), interval=0.05,
                    backoff=Backoff(base=0.01, cap=0.05), unreachable_cap=0.05, drift_every=0)
    try:
        loop.start()
        eventually(lambda: loop.failures >= 3, "three failed rounds")
        status = tab.tablet.sync_status()
        assert status.pending == 3 and "will sync when connected" in (status.last_error or "")
        proxy.plan = Plan.calm()  # the signal comes back
        eventually(lambda: tab.tablet.sync_status().pending == 0, "everything sent")
    finally:
        loop.stop(timeout=10)
        proxy.stop()
    status = tab.tablet.sync_status()
    assert status.last_success and not status.last_error
    assert set(site_server.held(tab.device_id)) == tab.own_ids()


def test_a_saved_record_is_pushed_at_once_when_kicked(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    case_id = tab.new_case(notes=0)
    loop = SyncLoop(SyncClient(tab.tablet, site_server.url), interval=3600, drift_every=3600)
    try:
        loop.start()
        eventually(lambda: tab.tablet.sync_status().pending == 0, "the first round")
        tab.session.record(case_id, "note_added", {"n": 1})
        loop.kick()  # what the screens do after every save
        eventually(lambda: tab.tablet.sync_status().pending == 0, "the kicked round")
    finally:
        loop.stop(timeout=10)
    assert loop.rounds >= 2


def test_a_refusing_server_is_left_alone_for_the_whole_wait(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    tab.new_case(notes=0)
    site_server.admin().post(f"/api/v1/admin/devices/{tab.device_id}/revoke")
    loop = SyncLoop(tab.client, backoff=Backoff(base=10, rng=random.Random(3)))
    wait, kick_cuts_wait = loop.run_round()
    assert 5 <= wait <= 10 and not kick_cuts_wait
    status = tab.tablet.sync_status()
    assert status.pending == 1 and "revoked" in (status.last_error or "")


def test_the_status_line_shows_pending_last_success_and_what_was_held_back() -> None:
    from app.tablet import SyncStatus
    from screens.shell import sync_status_text

    assert sync_status_text(SyncStatus(0, 0, 0, None, None)) == "Nothing to sync yet"
    # 10:42 GMT on a November day: the status shows the time on the court's clock, whatever today is.
    synced = sync_status_text(SyncStatus(0, 6, 0, "", "2026-11-23T10:42:00+00:00"))
    assert synced == "All records synced · last synced 10:42"
    waiting = sync_status_text(SyncStatus(2, 6, 0, "Server not reachable: will sync when connected",
                                          "2026-11-23T10:42:00+00:00"))
    assert waiting == ("2 records waiting — Server not reachable: will sync when connected · last synced 10:42")
    held = sync_status_text(SyncStatus(1, 6, 0, "", None, 2, "events.0.kind: String should match pattern"))
    assert held == "2 records held back by the server · 1 record waiting"  # the reasons: "Records held back"
