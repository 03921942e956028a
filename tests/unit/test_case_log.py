"""The case as an encrypted, append-only log on the tablet, unlocked by the officer's PIN."""

from __future__ import annotations

import sqlite3

import pytest

from app import crypto
from app.case import FieldErrors
from app.store import EventRow, Session, select
from app.tablet import MAX_PIN_ATTEMPTS, Tablet, WrongPin
from tests.pathway import OFFICER, PIN, TODAY, born_years_before, details, provisioned_tablet, walk_pathway


def test_a_case_walked_to_the_leaflet_is_a_log_of_events_in_order(tmp_path):
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = walk_pathway(session)
    kinds = [e.kind for e in session.events(case_id)]
    assert kinds == ["case_opened", "screening_completed", "suitability_assessed", "provider_agreed",
                     "consent_given", "share_consent_recorded", "consent_summary_stored", "proposal_made",
                     "sentence_recorded", "appointment_booked", "leaflet_printed"]
    case = session.case(case_id)
    assert case.status == "complete"
    assert case.screening and "atr_candidate" in case.screening["result"]["flags"]


def test_the_log_survives_a_restart_and_the_clock_keeps_moving_forward(tmp_path):
    tablet = provisioned_tablet(tmp_path)
    case_id = walk_pathway(tablet.unlock(OFFICER, PIN))
    last = max(e.hlc for e in tablet.unlock(OFFICER, PIN).events(case_id))
    reopened = Tablet(tmp_path)
    assert reopened.clock.now() > last
    assert reopened.unlock(OFFICER, PIN).case(case_id).status == "complete"


def test_payloads_are_encrypted_and_bound_to_their_event(tmp_path):
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    case_id = session.open_case(details("Ophelia Wrenfield-Stroud"), TODAY)
    db = sqlite3.connect(tmp_path / "tablet.db")
    payloads = [row[0] for row in db.execute("select payload from eventrow")]
    assert payloads and all(b"Ophelia" not in p for p in payloads)
    with Session(tablet.engine) as s:
        row = s.exec(select(EventRow).where(EventRow.case_id == case_id)).one()
    with pytest.raises(crypto.VaultError):
        crypto.decrypt(session._key, row.payload, crypto.event_aad(row.id, "another-case"))


def test_a_name_is_found_through_the_blind_index_not_plaintext(tmp_path):
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = session.open_case(details("Ophelia Wrenfield-Stroud"), TODAY)
    assert session.find_by_name("  ophelia   WRENFIELD-stroud ") == [case_id]
    assert session.find_by_name("Someone Else") == []


def test_a_right_pin_resets_the_count(tmp_path):
    tablet = provisioned_tablet(tmp_path)
    for _ in range(MAX_PIN_ATTEMPTS - 1):
        with pytest.raises(WrongPin):
            tablet.unlock(OFFICER, "0000")
    tablet.unlock(OFFICER, PIN)
    with pytest.raises(WrongPin) as exc:
        tablet.unlock(OFFICER, "0000")
    assert exc.value.tries_left == MAX_PIN_ATTEMPTS - 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": " "}, "name"),
    ({"dob": None}, "dob"),
    ({"dob": born_years_before(17, TODAY)}, "dob"),
    ({"court_id": "nowhere"}, "court_id"),
    ({"referral_source": "astrologer"}, "referral_source"),
    ({"offence": ""}, "offence"),
    ({"guilty_plea_anticipated": None}, "guilty_plea_anticipated"),
    ({"interpreter_needed": True, "language": ""}, "language"),
])
def test_bad_details_are_refused_at_the_field_and_nothing_is_saved(tmp_path, changes, field):
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    with pytest.raises(FieldErrors) as exc:
        session.open_case(details(**changes), TODAY)
    assert field in exc.value.errors
    assert session.todays_cases("chelmsford-mc", TODAY) == []


def test_under_18_gives_the_age_and_the_reason(tmp_path):
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    with pytest.raises(FieldErrors) as exc:
        session.open_case(details(dob=born_years_before(17, TODAY)), TODAY)
    assert "17" in exc.value.errors["dob"] and "18" in exc.value.errors["dob"]


def test_todays_list_shows_todays_hearings_at_this_court(tmp_path):
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    session.open_case(details("Alba Here"), TODAY)
    session.open_case(details("Bram Elsewhere", court_id="colchester-mc"), TODAY)
    assert [c.name for c in session.todays_cases("chelmsford-mc", TODAY)] == ["Alba Here"]


def test_a_booked_slot_is_not_offered_again_on_this_tablet(tmp_path):
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    walk_pathway(session, "First Person")
    taken = session.case(session.todays_cases("chelmsford-mc", TODAY)[0].case_id).appointment
    assert taken is not None
    assert taken["slot_id"] not in {s.id for s in session.available_slots("open-road", TODAY)}


def test_consent_must_be_attested_and_come_before_booking(tmp_path):
    from app import screening
    from app.consent import consent_text
    from tests.pathway import alcohol_dependent_answers

    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = session.open_case(details(), TODAY)
    tool = screening.load_tool("cdo_court_screen")
    session.record_screening(case_id, tool, alcohol_dependent_answers(tool))
    session.propose(case_id, ["ATR"])
    slot = session.available_slots("open-road", TODAY)[0]
    with pytest.raises(FieldErrors):
        session.book_appointment(case_id, slot, TODAY)
    with pytest.raises(FieldErrors):
        session.record_consent(case_id, consent_text(["ATR"]), "agree", 3, attested=False)
    session.record_consent(case_id, consent_text(["ATR"]), "disagree", 3, attested=True)
    assert session.case(case_id).task_status()["consent"] == "in_progress"
    with pytest.raises(FieldErrors):
        session.book_appointment(case_id, slot, TODAY)


def test_a_requirement_no_rule_book_names_cannot_be_taken_forward(tmp_path):
    from app import screening
    from tests.pathway import alcohol_dependent_answers

    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = session.open_case(details(), TODAY)
    session.record_screening(case_id, screening.load_tool("cdo_court_screen"),
                             alcohol_dependent_answers(screening.load_tool("cdo_court_screen")))
    with pytest.raises(FieldErrors, match="Unknown requirement: atr"):
        session.propose(case_id, ["atr"])  # the case page would have nothing to call it
    assert session.case(case_id).requirements == []


def test_a_person_resolving_a_conflict_between_two_corrections_keeps_the_one_they_chose() -> None:
    from app.case import CaseEvent, fold

    def correction(event_id: str, hlc: str, months: int) -> CaseEvent:  # both made apart, after the same record
        return CaseEvent(event_id, "c1", "correction_made", hlc, "cdo-sam", {
            "_prior": "0001", "target_kind": "sentence_recorded", "replaces": "s",
            "reason": "Court clerk confirmed", "record": {"months": months}})

    events = [CaseEvent("s", "c1", "sentence_recorded", "0001", "cdo-sam", {"months": 6}),
              correction("a", "0002", 9), correction("b", "0003", 12)]
    assert fold("c1", events).sentence == {"months": 12} and len(fold("c1", events).conflicts) == 1
    resolved = fold("c1", [*events, CaseEvent("r", "c1", "conflict_resolved", "0004", "cdo-sam", {
        "event_ids": ["a", "b"], "kept": "a", "reason": "The earlier one was right"})])
    assert resolved.sentence == {"months": 9} and resolved.conflicts == []


def test_the_history_reads_newest_first_with_a_screening_saved_as_it_goes_on_one_line() -> None:
    from app.case import CaseEvent, history_lines

    def event(n: int, kind: str, officer: str = OFFICER) -> CaseEvent:
        return CaseEvent(f"e{n}", "c", kind, f"{1_700_000_000_000 + n * 1000:013d}.00000.tab", officer, {})

    events = [event(0, "case_opened"), *[event(n, "screening_progress_saved") for n in range(1, 48)],
              event(48, "screening_completed"), event(49, "screening_progress_saved", "ld-jordan")]
    lines = history_lines(events[::-1])  # in whatever order they were stored
    assert [(line.kind, line.officer_id, line.count) for line in lines] == [
        ("screening_progress_saved", "ld-jordan", 1), ("screening_completed", OFFICER, 1),
        ("screening_progress_saved", OFFICER, 47), ("case_opened", OFFICER, 1)]
    assert (lines[2].first, lines[2].last) == (events[1].hlc, events[47].hlc)


def test_saved_details_are_corrected_with_a_reason_and_the_history_says_what_changed(tmp_path):
    from app.case import history_lines

    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = session.open_case(details("Zebedee Quixotic"), TODAY)
    with pytest.raises(FieldErrors) as unchanged:
        session.update_details(case_id, details("Zebedee Quixotic"), TODAY, "Misspelt")
    assert "Nothing has changed" in unchanged.value.errors["reason"]
    with pytest.raises(FieldErrors) as no_reason:
        session.update_details(case_id, details("Zebedee Quixotic-Marchbanks"), TODAY, "")
    assert "reason" in no_reason.value.errors

    case = session.update_details(case_id, details("Zebedee Quixotic-Marchbanks", court_id="colchester-mc"), TODAY,
                                  "Name misspelt; the case was listed at Colchester")
    assert case.details and case.details.name == "Zebedee Quixotic-Marchbanks"
    opened = next(e for e in case.history if e.kind == "case_opened")
    assert opened.payload["name"] == "Zebedee Quixotic"  # the version it replaces stays in the log
    latest = history_lines(case.history)[0]
    assert (latest.kind, latest.officer_id) == ("correction_made", OFFICER)
    assert latest.correction == {"record": "details", "reason": "Name misspelt; the case was listed at Colchester",
                                 "changed": ["name", "court_id"]}
    # Listed, and found, under the corrected name and court.
    assert [c.name for c in session.todays_cases("colchester-mc", TODAY)] == ["Zebedee Quixotic-Marchbanks"]
    assert session.todays_cases("chelmsford-mc", TODAY) == []
    assert session.find_by_name("Zebedee Quixotic-Marchbanks") == [case_id]
