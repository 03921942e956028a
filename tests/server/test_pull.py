"""Pulling over real HTTP: the site configuration, and cases handed over from custody to court, from a cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app import screening
from app.store import InboxRow, Session
from app.tablet import Tablet
from sync.client import SyncClient, SyncError
from tests.pathway import OFFICER, PIN, TODAY
from tests.plaintext import files_containing
from tests.server.faultproxy import FaultProxy, Plan
from tests.server.harness import SECRET, Enrolled, SiteServer, new_id


def _inbox(tab: Enrolled) -> list[InboxRow]:
    with Session(tab.tablet.engine) as s:
        return list(s.exec(select(InboxRow)).scalars())


@pytest.fixture
def custody_and_court(site_server: SiteServer, tmp_path: Path) -> tuple[Enrolled, Enrolled]:
    return (site_server.enrolled_tablet(tmp_path / "custody", name="Custody suite tablet"),
            site_server.enrolled_tablet(tmp_path / "court", name="Court tablet"))


def test_a_new_tablet_gets_its_site_configuration_from_the_server(site_server: SiteServer, tmp_path: Path) -> None:
    tablet = Tablet(tmp_path / "tablet")  # nothing installed: no site file at all
    assert not tablet.has_site
    client = SyncClient(tablet, site_server.url)
    client.enrol(site_server.issue_code())
    client.pull()
    assert tablet.has_site and tablet.site.id == "demo"
    assert [c.id for c in tablet.site.courts][0] == "chelmsford-mc"
    content = tablet.ledger.site_content()
    assert "cdo_court_screen" in content["tools"]
    assert "en/atr" in content["consent"] and len(content["consent"]["en/atr"]["sha256"]) == 64
    tool = tablet.screening_tool()  # the tool the site runs, as the server sent it
    assert Path(tool.path).is_relative_to(tmp_path / "tablet")
    assert tool.content_hash == screening.load_tool("cdo_court_screen").content_hash
    cursor = tablet.ledger.cursor()
    client.pull()
    assert tablet.ledger.cursor() == cursor  # nothing new: the checkpoint stays


def test_a_case_handed_over_from_custody_reaches_court_sealed_until_an_officer_unlocks(
        custody_and_court: tuple[Enrolled, Enrolled], tmp_path: Path) -> None:
    custody, court = custody_and_court
    case_id = custody.new_case(notes=2)
    assert custody.client.push() == 3
    assert custody.client.hand_over(case_id, court.device_id).events == 3

    court_client = SyncClient(Tablet(tmp_path / "court"), court.client.server_url)  # the sync loop: locked
    court_client.pull()
    assert len(_inbox(court)) == 3
    assert files_containing(tmp_path / "court", SECRET) == []  # sealed to the court tablet's device key

    session = court.tablet.unlock(OFFICER, PIN)  # taken into the log under the data key
    assert _inbox(court) == []
    assert session.case(case_id).details.name == SECRET  # type: ignore[union-attr]
    assert case_id in session.find_by_name(SECRET)
    assert case_id in [c.case_id for c in session.todays_cases("chelmsford-mc", TODAY)]
    assert files_containing(tmp_path / "court", SECRET) == []

    custody.session.record(case_id, "note_added", {"text": "seen by the liaison and diversion nurse"})
    custody.client.push()
    court.client.pull()
    court.client.pull()  # again: nothing twice
    assert len(_inbox(court)) == 1
    assert session.take_in_shared(TODAY) == 1
    assert len(session.events(case_id)) == 4
    assert court.tablet.unsent() == []  # what came from the server is not pushed back
    custody.client.pull()
    assert _inbox(custody) == []  # a tablet is not sent its own events


def test_a_device_may_hand_over_only_a_case_it_holds_to_a_device_of_its_site(
        custody_and_court: tuple[Enrolled, Enrolled]) -> None:
    custody, court = custody_and_court
    case_id = custody.new_case(notes=0)
    custody.client.push()
    with pytest.raises(SyncError) as raised:
        court.client.hand_over(case_id, court.device_id)  # court never held it
    assert raised.value.status == 403
    with pytest.raises(SyncError) as raised:
        custody.client.hand_over(case_id, "nosuchdevice")
    assert raised.value.status == 404
    with pytest.raises(SyncError) as raised:
        custody.client.hand_over(new_id(), court.device_id)
    assert raised.value.status == 403


def test_a_site_admin_can_share_a_case_with_a_device(site_server: SiteServer,
                                                     custody_and_court: tuple[Enrolled, Enrolled]) -> None:
    custody, court = custody_and_court
    case_id = custody.new_case(notes=1)
    custody.client.push()
    admin = site_server.admin()
    shared = admin.post("/api/v1/admin/shares", json={"site_id": "demo", "case_id": case_id,
                                                      "device_id": court.device_id})
    assert shared.status_code == 200 and shared.json()["events"] == 2
    court.client.pull()
    assert {r.id for r in _inbox(court)} == custody.own_ids()
    unknown = admin.post("/api/v1/admin/shares", json={"site_id": "demo", "case_id": new_id(),
                                                       "device_id": court.device_id})
    assert unknown.status_code == 404 and "holds no events" in unknown.json()["detail"]


def test_the_checkpoint_moves_only_after_a_page_is_stored(site_server: SiteServer,
                                                          custody_and_court: tuple[Enrolled, Enrolled]) -> None:
    custody, court = custody_and_court
    case_id = custody.new_case(notes=6)
    custody.client.push()
    court.client.pull()  # the configuration and anything earlier: the shared case comes after
    custody.client.hand_over(case_id, court.device_id)
    court.client.pull_limit = 3

    proxy = FaultProxy(int(site_server.url.rsplit(":", 1)[1])).start()
    seen = []

    def second_answer_is_lost(_request: bytes) -> None:
        seen.append(1)
        proxy.plan = Plan({"drop_response": 1.0}) if len(seen) == 2 else Plan.calm()

    proxy.on_request = second_answer_is_lost
    try:
        with pytest.raises(SyncError):
            SyncClient(court.tablet, proxy.url, pull_limit=3).pull()
    finally:
        proxy.stop()
    cursor = int(court.tablet.ledger.cursor())
    stored = _inbox(court)
    assert len(stored) == 3 and all(r.seq <= cursor for r in stored)  # page one kept, and only it

    court.client.pull()  # resumes from the checkpoint, not from zero
    assert {r.id for r in _inbox(court)} == custody.own_ids()
    assert len(_inbox(court)) == 7


def test_a_broken_configuration_from_the_server_is_skipped_and_the_last_good_one_kept(tmp_path: Path) -> None:
    from app.syncstate import PulledConfig
    from tests.pathway import provisioned_tablet

    tablet = provisioned_tablet(tmp_path / "tablet")
    broken = PulledConfig(seq=7, version=7, site={"site": {"id": "demo"}}, content={})  # no courts, no officers
    tablet.ledger.store_pulled([], [broken], "7")
    assert tablet.site.courts[0].id == "chelmsford-mc"  # still the last good configuration
    assert tablet.ledger.cursor() == "7"  # the feed does not stick on it
    assert "version 7 from the server was not installed" in (tablet.sync_status().last_error or "")


def _pulled_tool(tablet: Tablet, files: dict[str, str], content_hash: str) -> None:
    from app.syncstate import PulledConfig

    config = PulledConfig(seq=8, version=8, site=tablet.site.raw, content={"tools": {"cdo_court_screen": {
        "version": "9", "content_hash": content_hash, "file": "cdo_court_screen.toml", "files": files}}})
    tablet.ledger.store_pulled([], [config], "8")


def test_a_tool_the_site_changed_reaches_the_tablet_without_an_app_update(tmp_path: Path) -> None:
    from tests.pathway import provisioned_tablet

    tablet = provisioned_tablet(tmp_path / "tablet")
    bundled = screening.load_tool("cdo_court_screen")
    files = screening.tool_files(bundled)
    files["cdo_court_screen.toml"] = files["cdo_court_screen.toml"].replace(
        f'version = "{bundled.version}"', 'version = "9"', 1)
    changed = screening.install_tool("cdo_court_screen.toml", files, tmp_path / "server-side")
    _pulled_tool(tablet, files, changed.content_hash)
    used = tablet.screening_tool()
    assert (used.version, used.content_hash) == ("9", changed.content_hash) != (bundled.version, bundled.content_hash)


def test_a_tool_that_does_not_match_its_hash_or_escapes_its_folder_is_not_used(tmp_path: Path) -> None:
    from tests.pathway import provisioned_tablet

    tablet = provisioned_tablet(tmp_path / "tablet")
    bundled = screening.load_tool("cdo_court_screen")
    files = screening.tool_files(bundled)
    _pulled_tool(tablet, files, "0" * 64)  # altered on the way: the hash the server sent does not match
    assert tablet.screening_tool().path == bundled.path
    _pulled_tool(tablet, {**files, "../../escape.toml": "x"}, bundled.content_hash)
    assert tablet.screening_tool().path == bundled.path
    assert not (tmp_path / "escape.toml").exists()
