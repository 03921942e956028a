"""The leaflet's QR code: a phone camera reads a valid iCalendar event at the right time, on both sides of
the clock change, in any script."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app.ical import CalendarEvent, calendar
from app.leaflet import render_leaflet
from tests.leaflet_pdf import calendar_events
from tests.unit.test_leaflet import DATA, OPEN_ROAD

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(("start", "utc_hour"), [
    (datetime(2026, 3, 27, 10, 0, tzinfo=LONDON), 10),  # Friday before the clocks go forward: GMT
    (datetime(2026, 3, 30, 10, 0, tzinfo=LONDON), 9),  # Monday after: BST
    (datetime(2026, 10, 26, 10, 0, tzinfo=LONDON), 10),  # Monday after they go back: GMT again
])
def test_the_qr_code_adds_the_appointment_at_the_right_moment(start: datetime, utc_hour: int) -> None:
    pdf = render_leaflet(replace(DATA, appointments=(replace(OPEN_ROAD, start=start),)))
    (event,) = calendar_events(pdf)
    begins = event.decoded("DTSTART")
    assert begins == start and begins.astimezone(UTC).hour == utc_hour
    assert event.decoded("DTEND") - begins == timedelta(minutes=60)
    assert str(event["LOCATION"]) == OPEN_ROAD.address
    assert str(event["SUMMARY"]) == "Appointment: Open Road Drug & Alcohol Service"
    assert "01245 000 200" in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"{OPEN_ROAD.booking_id}@courtside"  # a reprint updates the same event


@pytest.mark.parametrize("code", ["ar", "ur", "bn", "pl"])
def test_the_qr_code_carries_the_persons_language(code: str) -> None:
    from app.leaflet_words import translations

    (event,) = calendar_events(render_leaflet(DATA, code))
    expected = translations(code).gettext("Appointment: %(provider)s") % {"provider": OPEN_ROAD.provider_name}
    assert str(event["SUMMARY"]) == expected
    assert event.decoded("DTSTART") == OPEN_ROAD.start


def test_each_appointment_of_a_combined_order_has_its_own_code() -> None:
    second = replace(OPEN_ROAD, booking_id="7d2b0c55-7d0a-4e53-a5c9-62c4ab0d9e11", provider_name="Talking Therapies",
                     start=datetime(2026, 4, 9, 13, 30, tzinfo=LONDON), minutes=50)
    events = calendar_events(render_leaflet(replace(DATA, requirements=("ATR", "MHTR_PRIMARY"),
                                                    appointments=(OPEN_ROAD, second))))
    assert sorted(e.decoded("DTSTART") for e in events) == [OPEN_ROAD.start, second.start]


def test_the_calendar_text_is_escaped_and_folded_as_rfc_5545_says() -> None:
    long_place = "Unit 12; The Long Business Park, Westway Industrial Estate, Chelmsford, Essex CM1 3AB " * 2
    text = calendar([CalendarEvent(uid="x@courtside", start=datetime(2026, 4, 7, 10, 0, tzinfo=LONDON), minutes=45,
                                   summary="Appointment: Café, ñ & «Ω»", location=long_place,
                                   description="Line one\nline two", stamp=datetime(2026, 4, 1, tzinfo=UTC))])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert text.endswith("END:VCALENDAR\r\n")
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["LOCATION"]) == long_place
    assert str(event["SUMMARY"]) == "Appointment: Café, ñ & «Ω»"
    assert str(event["DESCRIPTION"]) == "Line one\nline two"
    assert event.decoded("DTSTART") == datetime(2026, 4, 7, 9, 0, tzinfo=UTC)


def test_a_naive_time_cannot_go_into_a_calendar() -> None:
    with pytest.raises(ValueError, match="aware"):
        calendar([CalendarEvent(uid="x", start=datetime(2026, 4, 7, 10, 0), minutes=45, summary="", location="",
                                description="", stamp=datetime(2026, 4, 1, tzinfo=UTC))])
