"""The CSTR leaflet handed over at sentence: the next appointment and what to do, in the person's language.

It is rendered in memory and returned as bytes because it holds health and sentencing details: nothing
is left on the tablet's disk in plaintext. It carries no name unless the site chooses otherwise, since
the person takes it out of court and may lose it. The pieces: `leaflet_words` says it in the person's
language, `leaflet_layout` lays it out (A4 or A5 fold, standard or easy read), `shaping` sets every script,
`ical` puts the appointment in the QR code.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from reportlab import rl_config

from app import clock
from app.case import Case
from app.clock import wall_time
from app.leaflet_layout import render
from app.leaflet_words import (
    LANGUAGES,
    LeafletAppointment,
    LeafletData,
    UnknownLanguage,
    check_language,
    script_for,
    words,
)
from app.site import LONDON, PAPER, ConfigError, Site, demo_site_path, load_site

__all__ = ["LANGUAGES", "LeafletAppointment", "LeafletData", "UnknownLanguage", "demo_command", "demo_data",
           "leaflet_data",
           "leaflet_language", "render_leaflet", "script_for"]

# ReportLab keeps fonts and their subsets in module state: one leaflet at a time per process.
_render_lock = threading.Lock()


def render_leaflet(data: LeafletData, language: str = "en", easy_read: bool = False, paper: str = "a4") -> bytes:
    """The leaflet as PDF bytes; never touches the disk (personal data must not be left in plaintext)."""
    check_language(language)
    if paper not in PAPER:
        raise ValueError(f"unknown paper {paper!r}: expected one of {', '.join(PAPER)}")
    if not data.requirements:
        raise ValueError("a leaflet needs at least one requirement")
    if not data.appointments:
        raise ValueError("a leaflet needs at least one appointment")
    for a in data.appointments:
        for what, value in (("start", a.start), ("booked_at", a.booked_at)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"appointment {what} must be timezone-aware; a naive time would print in UTC")
    with _render_lock:
        a85, rl_config.useA85 = rl_config.useA85, 0  # binary streams: smaller, and ASCII85 in Python is slow
        try:
            return render(words(data, language), easy_read, paper)
        finally:
            rl_config.useA85 = a85


def leaflet_language(case: Case) -> str:
    """The language consent was taken in, when the leaflet has it; else English."""
    chosen = str((case.consent or {}).get("locale") or "en").split("_")[0]
    return chosen if chosen in LANGUAGES else "en"


def leaflet_data(case: Case, site: Site, name: str | None = None) -> LeafletData:
    """The leaflet for a case's live appointments, earliest first. `name` is printed only if the site allows it."""
    if not case.appointments:
        raise ValueError("book the appointment first")
    stamps = {ev.id: ev.hlc for ev in case.history}
    appointments = []
    for booking_id, a in sorted(case.appointments.items(), key=lambda kv: kv[1]["start"]):
        provider = site.provider(a["provider_id"])
        appointments.append(LeafletAppointment(
            booking_id=booking_id, start=datetime.fromisoformat(a["start"]), minutes=int(a["minutes"]),
            provider_name=provider.name, address=provider.address, phone=provider.phone,
            booked_at=wall_time(stamps[booking_id]) if booking_id in stamps else datetime.fromtimestamp(0, UTC),
            see=provider.see, see_text=provider.see_text,
            directions=provider.directions, languages=provider.languages, accessibility=provider.accessibility))
    order = (case.sentence or {}).get("order") or {}
    return LeafletData(
        requirements=tuple(case.requirements), appointments=tuple(appointments),
        probation_contact=site.probation_contact, probation_phone=site.probation_phone,
        probation_email=site.probation_email, order_months=order.get("order_months"),
        person_name=name if site.leaflet_shows_name else None)


def demo_data(site: Site, today: date) -> LeafletData:
    """A sample leaflet from the site's first provider with slots, for translators and sites to review."""
    provider = next(p for p in site.providers if p.slots(today))
    slot = provider.slots(today)[0]
    booked = datetime.combine(today, datetime.min.time(), tzinfo=LONDON)
    return LeafletData(
        requirements=provider.requirements[:1],
        appointments=(LeafletAppointment(
            booking_id="demo", start=slot.start, minutes=slot.minutes, provider_name=provider.name,
            address=provider.address, phone=provider.phone, booked_at=booked, see=provider.see,
            see_text=provider.see_text, directions=provider.directions, languages=provider.languages,
            accessibility=provider.accessibility),),
        probation_contact=site.probation_contact, probation_phone=site.probation_phone,
        probation_email=site.probation_email, order_months=12,
        person_name="A. Sample" if site.leaflet_shows_name else None)


def demo_command(language: str, easy_read: bool, out: Path, site_file: Path | None = None,
                 paper: str | None = None, today: date | None = None) -> int:
    """`courtside leaflet --demo`: write a sample leaflet (no real person's details) for review; exit status."""
    try:
        site = load_site(site_file or demo_site_path())
        check_language(language)
        pdf = render_leaflet(demo_data(site, today or clock.today()), language, easy_read, paper or site.leaflet_paper)
    except (ConfigError, UnknownLanguage, ValueError, StopIteration) as exc:
        reason = "the site has no provider with bookable slots" if isinstance(exc, StopIteration) else str(exc)
        print(f"courtside leaflet: {reason}", file=sys.stderr)
        return 2
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        print(f"courtside leaflet: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"{out}: {'easy-read' if easy_read else 'standard'} leaflet in {language}, {len(pdf) // 1024} KiB")
    return 0
