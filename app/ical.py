"""The appointment as an iCalendar event (RFC 5545), for the leaflet's QR code: a phone adds it to its calendar.

Times are written in UTC ("...Z"), which every calendar reads the same way and which cannot drift across the
clock change; the phone shows them in its own local time. The event names no person: it carries the
provider, the address, the phone number to call and a stable id, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PRODID = "-//Courtside//CSTR leaflet//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable for one booking, so scanning a reprinted leaflet updates rather than duplicates
    start: datetime  # aware
    minutes: int
    summary: str
    location: str
    description: str
    stamp: datetime  # when the booking was made (DTSTAMP), aware


def calendar(events: list[CalendarEvent]) -> str:
    """A VCALENDAR holding the events, CRLF line ends, long lines folded at 75 octets."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for ev in events:
        if ev.start.tzinfo is None or ev.stamp.tzinfo is None:
            raise ValueError("calendar times must be timezone-aware")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_text(ev.uid)}",
            f"DTSTAMP:{_utc(ev.stamp)}",
            f"DTSTART:{_utc(ev.start)}",
            f"DTEND:{_utc(ev.start + timedelta(minutes=ev.minutes))}",
            f"SUMMARY:{_text(ev.summary)}",
            f"LOCATION:{_text(ev.location)}",
            f"DESCRIPTION:{_text(ev.description)}",
            "BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_text(ev.summary)}", "TRIGGER:-P1D", "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and new lines."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)
