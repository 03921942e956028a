"""Booking on one tablet: a slot is held by one case only, a rebooking frees it, a clash the server reports is
shown, and the leaflet is marked to be printed again whenever the appointment on it changes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date

from app.appointment import LOST, BookingLedger, ManualAppointment, Outcome
from app.case import DONE, IN_PROGRESS, FieldErrors
from app.clock import LONDON
from app.tablet import OfficerSession
from tests.leaflet_pdf import shows
from tests.pathway import OFFICER, PIN, TODAY, next_clock_change, provisioned_tablet, walk_pathway


@pytest.fixture
def session(tmp_path: Path) -> OfficerSession:
    return provisioned_tablet(tmp_path / "tablet").unlock(OFFICER, PIN)


def booking_of(session: OfficerSession, case_id: str) -> dict[str, object]:
    (booking,) = session.case(case_id).appointments.values()
    return booking


def test_a_slot_one_case_holds_is_refused_for_another_case_on_this_tablet(session: OfficerSession) -> None:
    first = walk_pathway(session, "Ada First")
    taken = booking_of(session, first)["slot_id"]
    second = walk_pathway(session, "Bo Second")  # books the first slot still free
    assert booking_of(session, second)["slot_id"] != taken
    assert taken not in {s.id for s in session.available_slots("open-road", TODAY)}
    slot = next(s for s in session.tablet.site.provider("open-road").slots(TODAY) if s.id == taken)
    with pytest.raises(FieldErrors, match="no longer free"):
        session.book_appointment(second, slot, TODAY)


def test_two_sessions_booking_the_same_slot_at_once_get_it_once(session: OfficerSession) -> None:
    cases = [walk_pathway(session, name) for name in ("Cy One", "Di Two")]
    slot = session.available_slots("open-road", TODAY)[0]

    def book(case_id: str) -> str:
        try:
            session.book_appointment(case_id, slot, TODAY)
            return "booked"
        except FieldErrors:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(book, cases)) == ["booked", "refused"]


def test_rebooking_frees_the_old_slot_and_the_leaflet_must_be_printed_again(session: OfficerSession) -> None:
    case_id = walk_pathway(session)  # booked and the leaflet handed over
    old = booking_of(session, case_id)
    assert session.case(case_id).task_status()["leaflet"] == DONE
    later = session.available_slots("open-road", TODAY)[3]
    session.book_appointment(case_id, later, TODAY)
    case = session.case(case_id)
    new = booking_of(session, case_id)
    assert new["replaces"] == [old["booking_id"]] and new["reason"] == "change"
    assert old["slot_id"] in {s.id for s in session.available_slots("open-road", TODAY)}
    assert case.needs_reprint and case.task_status()["leaflet"] == IN_PROGRESS
    session.record_leaflet_given(case_id, "en")
    assert not session.case(case_id).needs_reprint


def test_a_clash_the_server_reports_is_shown_and_booked_again(session: OfficerSession) -> None:
    case_id = walk_pathway(session)
    lost = booking_of(session, case_id)
    BookingLedger(session.tablet.engine).note([Outcome(str(lost["booking_id"]), LOST, "another-booking")])
    case = session.case(case_id)
    assert case.booking_states == {lost["booking_id"]: LOST}
    assert case.task_status()["appointment"] == IN_PROGRESS and case.needs_reprint
    (need,) = session.appointment_plan(case_id)
    assert need.state == LOST
    session.book_appointment(case_id, session.available_slots("open-road", TODAY)[0], TODAY)
    rebooked = booking_of(session, case_id)
    assert rebooked["reason"] == "clash" and rebooked["replaces"] == [lost["booking_id"]]
    assert session.case(case_id).task_status()["appointment"] == DONE


def test_an_appointment_agreed_by_phone_goes_on_the_leaflet(session: OfficerSession) -> None:
    case_id = walk_pathway(session)
    day = TODAY + timedelta(days=8)
    session.book_by_hand(case_id, "open-road", ManualAppointment(day.strftime("%d/%m/%Y"), "15:15", "45"), TODAY)
    booking = booking_of(session, case_id)
    assert booking["source"] == "manual" and booking["slot_id"] is None
    start = datetime.fromisoformat(str(booking["start"]))
    assert start.utcoffset() == datetime.combine(day, time(15, 15), LONDON).utcoffset()  # GMT or BST, that day's
    session.reauthenticate(PIN)  # a leaflet was given on the way: this is a reprint
    pdf = session.leaflet(case_id)
    assert shows(pdf, format_date(day, "full", locale="en_GB")) and shows(pdf, "15:15")
    assert shows(pdf, "About 45 minutes")
    with pytest.raises(FieldErrors) as bad:
        session.book_by_hand(case_id, "open-road", ManualAppointment("1 Dec", "3pm", "45"), TODAY)
    assert set(bad.value.errors) == {"day", "at"}


def test_the_leaflet_comes_in_the_language_asked_for_with_no_name(session: OfficerSession) -> None:
    name = "Eli Nameless-Onpaper"
    case_id = walk_pathway(session, name)
    start = datetime.fromisoformat(str(booking_of(session, case_id)["start"]))
    from babel.dates import format_date

    session.reauthenticate(PIN)  # a reprint
    pdf = session.leaflet(case_id, "pl", easy_read=True)
    assert shows(pdf, format_date(start.date(), "full", locale="pl"))
    assert not shows(pdf, name) and name.encode() not in pdf


def test_a_provider_outside_the_order_cannot_be_booked(session: OfficerSession) -> None:
    case_id = walk_pathway(session)
    slot = session.tablet.site.provider("mind-primary").slots(TODAY)[0]
    with pytest.raises(FieldErrors, match="does not see the person"):
        session.book_appointment(case_id, slot, TODAY)


def test_clock_change_slots_are_booked_at_their_local_time(session: OfficerSession) -> None:
    case_id = walk_pathway(session)
    change = next_clock_change(TODAY + timedelta(days=2), forward=True)  # a Sunday in March, its Friday after today
    friday, monday = change - timedelta(days=2), change + timedelta(days=1)
    slot = next(s for s in session.available_slots("open-road", friday) if s.start.date() == monday)
    session.book_appointment(case_id, slot, friday)
    start = datetime.fromisoformat(str(booking_of(session, case_id)["start"]))
    assert (start.hour, start.utcoffset().total_seconds()) == (10, 3600)  # 10:00 BST, booked while it was GMT
    session.reauthenticate(PIN)  # a reprint
    pdf = session.leaflet(case_id)
    assert shows(pdf, format_date(monday, "full", locale="en_GB")) and shows(pdf, "10:00")


def test_a_leaflet_given_in_a_draft_translation_is_recorded_as_one(session: OfficerSession) -> None:
    case_id = walk_pathway(session)  # the leaflet was given in English: the source text
    assert session.case(case_id).leaflet["translation_reviewed"] is True
    session.record_leaflet_given(case_id, "ur", easy_read=True)
    assert session.case(case_id).leaflet == {**session.case(case_id).leaflet, "locale": "ur", "easy_read": True,
                                             "translation_reviewed": False}
