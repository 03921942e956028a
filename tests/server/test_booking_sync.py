"""Two tablets book the same slot while offline; on sync the server says which booking holds it and which lost.

Over real HTTP, on SQLite and PostgreSQL, with enrolled tablets and the real client: the booking that reached
the server first is confirmed, the other is told it lost and to which booking; the CDO on the second tablet
sees the clash, books another time (the old slot is no longer offered) and the leaflet is marked to reprint.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.appointment import CONFIRMED, LOST, MANUAL, SUPERSEDED, BookingLedger, ManualAppointment
from app.case import IN_PROGRESS
from sync.bookings import Ledger
from sync.bookings_client import check_bookings
from tests.pathway import TODAY, next_clock_change, walk_pathway
from tests.server.harness import Enrolled, SiteServer


def booking(tab: Enrolled, case_id: str) -> dict[str, object]:
    (only,) = tab.session.case(case_id).appointments.values()
    return only


def book_nth_slot(tab: Enrolled, case_id: str, n: int) -> dict[str, object]:
    """Tests share the module's server: each books its own slot so it does not meet another test's bookings."""
    slot = tab.tablet.site.provider("open-road").slots(TODAY)[n]
    tab.session.book_appointment(case_id, slot, TODAY)
    return booking(tab, case_id)


def test_a_clash_across_tablets_is_found_on_sync_and_booked_again(site_server: SiteServer, tmp_path: Path) -> None:
    court, custody = (site_server.enrolled_tablet(tmp_path / name, name) for name in ("court", "custody"))
    first_case, second_case = walk_pathway(court.session, "Fay Court"), walk_pathway(custody.session, "Gus Custody")
    mine, theirs = book_nth_slot(court, first_case, 5), book_nth_slot(custody, second_case, 5)
    assert mine["slot_id"] == theirs["slot_id"]  # neither tablet could know: both were offline
    custody.session.record_leaflet_given(second_case)

    # Before anything is pushed the server knows neither booking: both stay provisional.
    assert check_bookings(custody.client, TODAY) == []
    court.client.push()
    custody.client.push()

    court_says = {o.booking_id: (o.state, o.held_by) for o in check_bookings(court.client, TODAY)}
    custody_says = {o.booking_id: (o.state, o.held_by) for o in check_bookings(custody.client, TODAY)}
    assert court_says[str(mine["booking_id"])] == (CONFIRMED, mine["booking_id"])
    assert custody_says[str(theirs["booking_id"])] == (LOST, mine["booking_id"])  # and which booking won

    case = custody.session.case(second_case)
    assert case.booking_states == {theirs["booking_id"]: LOST}
    assert case.task_status()["appointment"] == IN_PROGRESS
    assert case.needs_reprint  # its leaflet was handed over with the lost time on it
    free = custody.session.available_slots("open-road", TODAY)
    assert mine["slot_id"] not in {s.id for s in free}  # the server said another tablet holds it

    custody.session.book_appointment(second_case, free[0], TODAY)
    rebooked = booking(custody, second_case)
    assert rebooked["reason"] == "clash" and rebooked["replaces"] == [theirs["booking_id"]]
    custody.client.push()
    check_bookings(custody.client, TODAY)
    states = BookingLedger(custody.tablet.engine).states()
    assert states[str(rebooked["booking_id"])].state in (CONFIRMED, LOST)  # free[0] may be another test's
    assert list(custody.session.case(second_case).appointments) == [rebooked["booking_id"]]

    # The first tablet's booking stays confirmed whatever arrives later.
    assert [o.state for o in check_bookings(court.client, TODAY)] == []  # nothing left unsettled there
    assert BookingLedger(court.tablet.engine).states()[str(mine["booking_id"])].state == CONFIRMED


def test_a_rebooking_frees_the_slot_for_other_tablets(site_server: SiteServer, tmp_path: Path) -> None:
    one, two = (site_server.enrolled_tablet(tmp_path / name, name) for name in ("one", "two"))
    case_one = walk_pathway(one.session, "Hal One")
    held = book_nth_slot(one, case_one, 9)
    one.client.push()
    answers = {o.booking_id: o.state for o in check_bookings(one.client, TODAY)}
    assert answers[str(held["booking_id"])] == CONFIRMED, answers
    one.session.book_by_hand(case_one, "open-road", ManualAppointment(
        (TODAY + timedelta(days=9)).strftime("%d/%m/%Y"), "16:00", "30"), TODAY)
    one.client.push()
    by_hand = str(booking(one, case_one)["booking_id"])
    assert {o.booking_id: o.state for o in check_bookings(one.client, TODAY)} == {by_hand: MANUAL}
    server_says = Ledger(site_server.ctx).status("demo", [str(held["booking_id"]), by_hand])
    assert [(b.booking_id, b.state) for b in server_says.bookings] == [(held["booking_id"], SUPERSEDED),
                                                                       (by_hand, MANUAL)]

    case_two = walk_pathway(two.session, "Ida Two")
    taken = book_nth_slot(two, case_two, 9)  # the slot the first tablet let go
    assert taken["slot_id"] == held["slot_id"]
    two.client.push()
    assert {o.booking_id: o.state for o in check_bookings(two.client, TODAY)}[str(taken["booking_id"])] == CONFIRMED


def test_a_ten_oclock_slot_after_the_clocks_go_forward_is_ten_oclock_on_the_server(site_server: SiteServer,
                                                                                    tmp_path: Path) -> None:
    """Booked while England is on GMT for the Monday after the clocks go forward: the server holds and reports the
    slot as 10:00 BST (09:00 UTC), the same slot another tablet would offer, not an hour off."""
    tab = site_server.enrolled_tablet(tmp_path / "spring", "spring")
    case_id = walk_pathway(tab.session, "Jo Spring", leaflet=False)
    change = next_clock_change(TODAY + timedelta(days=2), forward=True)
    friday, monday = change - timedelta(days=2), change + timedelta(days=1)
    slot = next(s for s in tab.tablet.site.provider("open-road").slots(friday)
                if s.start.date() == monday and s.start.hour == 10)
    tab.session.book_appointment(case_id, slot, friday)
    tab.client.push()
    held = booking(tab, case_id)
    assert {o.booking_id: o.state for o in check_bookings(tab.client, friday)}[str(held["booking_id"])] == CONFIRMED
    taken = Ledger(site_server.ctx).taken("demo", [str(held["slot_id"])]).taken
    assert taken == [f"open-road@{monday.isoformat()}T10:00:00+01:00"]
