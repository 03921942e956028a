"""Custody to court over a real server: L&D screens and hands over to a court, the court's tablet lists the case
and continues it, both see each other's work, and edits made apart are both kept and flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app import screening
from app.case import CaseDetails
from app.custody import LD_TOOL, Detainee, HandOver
from app.tablet import OfficerSession
from tests.pathway import PIN, TODAY, born_years_before, give_consent, ld_answers
from tests.plaintext import files_containing
from tests.server.harness import EVENTS, Enrolled, SiteServer

LD_OFFICER = "ld-jordan"
NAME = "Perpetua Vandersloot-Okonjo"


def _ld_session(tab: Enrolled) -> OfficerSession:
    """The custody tablet's L&D practitioner, enrolled beside the demo CDO with the same data key."""
    tab.tablet.enrol_officer(LD_OFFICER, PIN, data_key=tab.session._key)
    return tab.tablet.unlock(LD_OFFICER, PIN)


def _custody_case(ld: OfficerSession) -> str:
    case_id = ld.open_custody_case(Detainee(NAME, born_years_before(41, TODAY), "CR-04412-26", "chelmsford-custody",
                                            ("easy_read", "interpreter_spoken"), "Reads a little English",
                                            "Polish", True), TODAY)
    tool = screening.load_tool(LD_TOOL)
    ld.record_screening(case_id, tool, ld_answers(tool))
    return case_id


@pytest.fixture
def custody_and_court(site_server: SiteServer, tmp_path: Path) -> tuple[Enrolled, Enrolled]:
    return (site_server.enrolled_tablet(tmp_path / "custody", name="Custody suite tablet"),
            site_server.enrolled_tablet(tmp_path / "court", name="Court tablet", courts=["chelmsford-mc"]))


def test_a_case_handed_over_to_a_court_reaches_its_tablets_and_both_sides_see_each_other(
        site_server: SiteServer, custody_and_court: tuple[Enrolled, Enrolled], tmp_path: Path) -> None:
    custody, court = custody_and_court
    ld = _ld_session(custody)
    case_id = _custody_case(ld)
    handover = HandOver("chelmsford-mc", TODAY, "01245 000 700", "jordan.okafor@ld.example")
    with pytest.raises(Exception, match="not agreed to share"):
        ld.hand_over_to_court(case_id, handover, TODAY)  # consent to share comes first
    ld.record_custody_share(case_id, "agree", interpreter="Polish interpreter by phone")
    ld.hand_over_to_court(case_id, handover, TODAY)
    assert custody.tablet.pending_handovers() == [(case_id, "chelmsford-mc")]
    custody.client.sync_once()
    assert custody.tablet.pending_handovers() == []

    court.client.sync_once()
    assert files_containing(tmp_path / "court", NAME) == []  # sealed to the court tablet until an officer unlocks
    cdo = court.tablet.unlock("cdo-sam", PIN)
    cdo.reauthenticate(PIN)  # the case is Jordan's so far: opening it takes the CDO's PIN again
    listed = {c.case_id: c for c in cdo.todays_cases("chelmsford-mc", TODAY)}
    assert listed[case_id].name == NAME
    assert listed[case_id].from_custody and listed[case_id].from_custody["by_name"] == "Jordan Okafor"
    assert listed[case_id].from_custody["by_phone"] == "01245 000 700"
    case = cdo.case(case_id)
    assert case.details and case.details.referral_source == "liaison_diversion" and case.details.language == "Polish"
    assert case.screening and case.screening["tool_id"] == LD_TOOL  # no re-keying: the court continues it

    # The CDO confirms the details (adding the charge) and goes on to suitability and consent.
    d = case.details
    cdo.update_details(case_id, CaseDetails(**{**d.__dict__, "offence": "Theft from a shop",
                                               "guilty_plea_anticipated": True}), TODAY)
    cdo.propose(case_id, ["ATR"])
    give_consent(cdo, case_id, ["ATR"])
    court.client.sync_once()
    custody.client.sync_once()
    ld.take_in_shared(TODAY)
    kinds = [(e.kind, e.officer_id) for e in ld.events(case_id)]
    assert ("custody_opened", LD_OFFICER) in kinds and ("consent_given", "cdo-sam") in kinds
    assert ld.case(case_id).consented
    with site_server.ctx.db.engine.connect() as conn:
        devices = set(conn.execute(select(EVENTS.c.device_id).where(EVENTS.c.case_id == case_id)).scalars())
    assert devices == {custody.device_id, court.device_id}  # one case on the server, both tablets' events


def test_edits_made_apart_are_both_kept_and_flagged_for_a_person(
        custody_and_court: tuple[Enrolled, Enrolled]) -> None:
    custody, court = custody_and_court
    ld = _ld_session(custody)
    case_id = _custody_case(ld)
    ld.record_custody_share(case_id, "agree")
    ld.hand_over_to_court(case_id, HandOver("chelmsford-mc", TODAY, "01245 000 700"), TODAY)
    custody.client.sync_once()
    court.client.sync_once()
    cdo = court.tablet.unlock("cdo-sam", PIN)
    cdo.reauthenticate(PIN)  # Jordan's case
    details = cdo.case(case_id).details
    assert details is not None

    # Offline on both sides: each corrects the language the interpreter should speak.
    ld_edit = ld.record(case_id, "details_updated", {**details.to_payload(), "language": "Romanian"})
    cdo_edit = cdo.update_details(case_id, CaseDetails(**{**details.__dict__, "offence": "Shop theft",
                                                          "guilty_plea_anticipated": True,
                                                          "language": "Polish (Silesian)"}), TODAY)
    assert not ld_edit.conflicts and not cdo_edit.conflicts  # neither knows yet
    custody.client.sync_once()
    court.client.sync_once()
    custody.client.sync_once()
    ld.take_in_shared(TODAY)
    cdo.take_in_shared(TODAY)
    for session in (ld, cdo):
        case = session.case(case_id)
        assert len(case.conflicts) == 1 and case.conflicts[0].record == "details"
        languages = [e.payload["language"] for e in case.history if e.kind == "details_updated"]
        assert sorted(languages) == ["Polish (Silesian)", "Romanian"]  # nothing lost
    conflict = cdo.case(case_id).conflicts[0]
    kept = next(i for i, e in zip(conflict.event_ids, conflict.officer_ids, strict=True) if e == "cdo-sam")
    resolved = cdo.resolve_conflict(case_id, conflict, kept, "Checked with the person at court")
    assert resolved.conflicts == [] and resolved.details and resolved.details.language == "Polish (Silesian)"


def test_a_hand_over_reaches_only_the_tablets_of_that_court(
        site_server: SiteServer, custody_and_court: tuple[Enrolled, Enrolled], tmp_path: Path) -> None:
    custody, court = custody_and_court
    elsewhere = site_server.enrolled_tablet(tmp_path / "colchester", name="Colchester tablet",
                                            courts=["colchester-mc"])
    unassigned = site_server.enrolled_tablet(tmp_path / "spare", name="Spare tablet")
    ld = _ld_session(custody)
    case_id = _custody_case(ld)
    ld.record_custody_share(case_id, "agree")
    ld.hand_over_to_court(case_id, HandOver("chelmsford-mc", TODAY, "01245 000 700"), TODAY)
    custody.client.sync_once()
    for tab in (court, elsewhere, unassigned):
        tab.client.sync_once()
    assert court.session.take_in_shared(TODAY) > 0
    assert case_id in {c.case_id for c in court.session.todays_cases("chelmsford-mc", TODAY)}
    for tab in (elsewhere, unassigned):  # need to know: another court's tablet, and one serving none, get nothing
        assert tab.tablet.ledger.inbox() == []
        assert tab.session.take_in_shared(TODAY) == 0
        assert case_id not in {c.case_id for c in tab.session.todays_cases("chelmsford-mc", TODAY)}

    # The site admin moves the spare tablet to Chelmsford: the next hand-over there reaches it too.
    admin = site_server.admin()
    moved = admin.put(f"/api/v1/admin/devices/{unassigned.device_id}/courts", json={"courts": ["chelmsford-mc"]})
    assert moved.status_code == 200 and moved.json()["courts"] == ["chelmsford-mc"]
    unknown = admin.put(f"/api/v1/admin/devices/{unassigned.device_id}/courts", json={"courts": ["nowhere-mc"]})
    assert unknown.status_code == 422 and "no court 'nowhere-mc'" in unknown.json()["detail"]
    second = _custody_case(ld)
    ld.record_custody_share(second, "agree")
    ld.hand_over_to_court(second, HandOver("chelmsford-mc", TODAY, "01245 000 700"), TODAY)
    custody.client.sync_once()
    unassigned.client.sync_once()
    assert unassigned.session.take_in_shared(TODAY) > 0
    assert second in {c.case_id for c in unassigned.session.todays_cases("chelmsford-mc", TODAY)}
