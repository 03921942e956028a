"""England's clocks: a 10:00 appointment on the day the clocks change is 10:00 on the wall wherever it is shown, and
"today" is England's date, which is not the UTC date for an hour either side of midnight half the year.

The two appointment days are the Sundays England's clocks change in 2027: their meaning never changes, so they are
fixed. The app's clock is set for each test (`app.clock.use`) to three days before, when the booking is made.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app import clock
from app.appointment import ManualAppointment
from app.clock import LONDON
from app.i18n import set_locale
from screens.appointment import slot_label_from
from tests.leaflet_pdf import calendar_events, shows
from tests.pathway import OFFICER, PIN, provisioned_tablet, walk_pathway

FORWARD, BACK = date(2027, 3, 28), date(2027, 10, 31)  # 01:00 UTC: GMT to BST; 01:00 UTC: BST to GMT


@pytest.mark.parametrize(("day", "utc_hour"), [(FORWARD, 9), (BACK, 10)])
def test_a_ten_oclock_appointment_on_a_clock_change_day_is_ten_oclock_on_screen_leaflet_and_calendar(
        tmp_path: Path, day: date, utc_hour: int) -> None:
    booked_on = day - timedelta(days=3)
    with clock.use(datetime.combine(booked_on, time(11, 0), LONDON)):
        session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
        case_id = walk_pathway(session, on=booked_on, leaflet=False)
        session.book_by_hand(case_id, "open-road", ManualAppointment(day.strftime("%d/%m/%Y"), "10:00", "45"),
                             booked_on)
        (booking,) = session.case(case_id).appointments.values()
        start = datetime.fromisoformat(str(booking["start"]))
        assert start.astimezone(UTC).hour == utc_hour  # the moment, as every other system reads it

        set_locale("en_GB")
        assert slot_label_from(booking) == f"{day:%A}, {day.day} {day:%B %Y}, 10:00"  # the officer's screen
        pdf = session.leaflet(case_id)
        assert shows(pdf, f"{day:%A}, {day.day} {day:%B %Y}") and shows(pdf, "10:00")
        (event,) = calendar_events(pdf)  # the QR code a phone reads
        assert event.decoded("DTSTART").astimezone(UTC) == datetime.combine(day, time(utc_hour), UTC)
        assert event.decoded("DTSTART").astimezone(LONDON).time() == time(10, 0)


@pytest.mark.parametrize(("instant", "england"), [
    (datetime(2027, 10, 30, 23, 30, tzinfo=UTC), date(2027, 10, 31)),  # 00:30 BST on the 31st
    (datetime(2027, 7, 1, 23, 30, tzinfo=UTC), date(2027, 7, 2)),  # any summer night after 23:00 UTC
    (datetime(2027, 12, 31, 23, 30, tzinfo=UTC), date(2027, 12, 31)),  # GMT: the same as UTC
    (datetime(2028, 2, 29, 0, 30, tzinfo=UTC), date(2028, 2, 29)),
])
def test_today_is_englands_date_rolling_over_at_local_midnight(instant: datetime, england: date) -> None:
    with clock.use(instant):
        assert clock.today() == england


def test_the_clock_only_takes_an_instant_with_its_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"), clock.use(datetime(2027, 1, 1)):
        pass  # pragma: no cover
