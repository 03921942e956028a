"""What the CSTR leaflet says, in the person's language: every sentence through gettext, dates and times by CLDR.

The words are built for one language at a time without touching the app's current language, because the
officer's screens stay in English while a leaflet is printed in Urdu. Catalogues are the app's
`messages` domain in locales/<code>/LC_MESSAGES; a catalogue that has not been compiled yet is compiled
in memory from its .po file, so a leaflet never comes out in English by accident.
"""

from __future__ import annotations

import gettext
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app import ical
from app.clock import LONDON
from app.i18n import DOMAIN, LOCALES_DIR, UNREVIEWED
from app.shaping import Script, ltr
from app.site import ACCESSIBILITY, ROLES

log = logging.getLogger("courtside.leaflet")

# The consent languages (issue 5): court interpreter requests and Census 2021, with Welsh for its equal status.
LANGUAGES = ("en", "cy", "pl", "ro", "ur", "pa", "lt", "pt", "ar", "bn", "sq")
_SCRIPTS = {"ur": "urdu", "ar": "arabic", "bn": "bengali", "pa": "gurmukhi"}
# CLDR locales for dates and times: British English, and European Portuguese as most often asked for here.
_CLDR = {"en": "en_GB", "pt": "pt_PT"}
_cache: dict[tuple[str, int], gettext.NullTranslations] = {}
_cache_lock = threading.Lock()


class UnknownLanguage(ValueError):
    """A leaflet was asked for in a language the leaflet is not translated into."""


def script_for(code: str) -> Script:
    check_language(code)
    loc = Locale.parse(code)
    return Script(_SCRIPTS.get(code, "latin"), loc.character_order == "right-to-left", code)


def cldr_locale(code: str) -> str:
    """The CLDR locale whose date and time formats the leaflet uses for a language."""
    return _CLDR.get(code, code)


def check_language(code: str) -> None:
    if code not in LANGUAGES:
        raise UnknownLanguage(f"no leaflet in {code!r}: choose one of {', '.join(LANGUAGES)}")


def translations(code: str) -> gettext.NullTranslations:
    """The catalogue for one language: the compiled .mo when it is up to date, else the .po compiled in memory."""
    check_language(code)
    if code == "en":
        return NullTranslations()
    folder = LOCALES_DIR / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if not po.is_file():
        raise UnknownLanguage(f"{po} is missing: the leaflet cannot be printed in {code!r}")
    fresh = mo.is_file() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns
    source = mo if fresh else po
    key = (str(source), source.stat().st_mtime_ns)
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            if fresh:
                with open(mo, "rb") as f:
                    found = Translations(f, domain=DOMAIN)
            else:
                log.info("%s is not compiled: compiling it in memory (run make to compile)", po)
                with open(po, "rb") as f:
                    catalog = read_po(f, locale=code, domain=DOMAIN)
                buf = BytesIO()
                write_mo(buf, catalog, use_fuzzy=False)
                buf.seek(0)
                found = Translations(buf, domain=DOMAIN)
            _cache[key] = found
        return found


def review_note(code: str, part: str) -> str:
    """Who reviewed one part of the person's words in this language ("leaflet" or "equality"), and when;
    "unreviewed" for a draft. The parts are reviewed apart: a leaflet is checked on paper, the questions on screen.
    """
    if code == "en":
        return "source text"
    tr = translations(code)
    # TRANSLATORS: write "unreviewed", or the name of the qualified translator who reviewed every word of this part
    # in this language (the leaflet, on the printed result; the equality questions and answers), and the date.
    # Until then the officer is told the words are a draft.
    notes = {"leaflet": tr.pgettext("leaflet", "translation-review"),
             "equality": tr.pgettext("equality", "translation-review")}
    note = notes[part].strip()
    return UNREVIEWED if note in ("", "translation-review") else note


def reviewed(code: str, part: str) -> bool:
    return review_note(code, part).casefold() != UNREVIEWED


@dataclass(frozen=True)
class LeafletAppointment:
    """One booked appointment as the leaflet shows it; words the site wrote are given by language."""

    booking_id: str  # stable across reprints: the calendar event's id
    start: datetime  # aware; printed in London time
    minutes: int
    provider_name: str
    address: str
    phone: str
    booked_at: datetime  # aware; the calendar event's stamp
    see: str = ""  # a key of app.site.ROLES, translated here
    see_text: dict[str, str] = field(default_factory=dict)  # or the site's own words, by language
    directions: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeafletData:
    """Everything one leaflet needs. No name unless the site chose to print it (`person_name`)."""

    requirements: tuple[str, ...]
    appointments: tuple[LeafletAppointment, ...]
    probation_contact: str
    probation_phone: str = ""
    probation_email: str = ""
    order_months: int | None = None
    person_name: str | None = None


@dataclass(frozen=True)
class Section:
    """One idea of the leaflet: a picture for the easy-read version, a heading, and short paragraphs."""

    picture: str
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    """One appointment, as rows of (picture, label, value), with its calendar event for the QR code."""

    rows: tuple[tuple[str, str, str], ...]
    calendar: str
    qr_caption: str


@dataclass(frozen=True)
class LeafletText:
    language: str
    script: Script
    doc_title: str
    title: str
    subtitle: str
    name_line: str
    appointments_heading: str
    cards: tuple[Card, ...]
    sections: tuple[Section, ...]
    # An unreviewed translation says so on paper too, as it does on screen (sentences, set as one paragraph).
    draft_note: tuple[str, ...] = ()


def words(data: LeafletData, code: str) -> LeafletText:
    """Everything the leaflet says, in `code`."""
    tr = translations(code)
    script = script_for(code)
    # Site data (names, addresses, numbers) is left to right: inside right-to-left text it is kept whole.
    site: Callable[[str], str] = ltr if script.rtl else str
    _: Callable[[str], str] = tr.gettext
    ngettext: Callable[[str, str, int], str] = tr.ngettext

    cldr = cldr_locale(code)

    def day(value: datetime) -> str:
        return format_date(value.astimezone(LONDON).date(), format="full", locale=cldr)

    def clock(value: datetime) -> str:
        return format_time(value, format="short", tzinfo=LONDON, locale=cldr)

    def see(appt: LeafletAppointment) -> str:
        if appt.see in ROLES:
            return _(ROLES[appt.see])
        return appt.see_text.get(code) or site(appt.see_text.get("en", ""))

    appointments = data.appointments
    cards = []
    for a in appointments:
        minutes = a.minutes
        rows = [
            ("calendar", _("Day"), day(a.start)),
            ("clock", _("Time"), clock(a.start)),
            ("clock", _("How long"), ngettext("About %(n)d minute", "About %(n)d minutes", minutes) % {"n": minutes}),
            ("place", _("Place"), f"{site(a.provider_name)}\n{site(a.address)}"),
            ("person", _("You will see"), see(a)),
            ("phone", _("Phone"), site(a.phone)),
        ]
        event = ical.CalendarEvent(
            uid=f"{a.booking_id}@courtside", start=a.start, minutes=minutes,
            summary=_("Appointment: %(provider)s") % {"provider": a.provider_name},
            location=a.address.replace("\n", ", "),
            description=_("If you cannot go, phone %(phone)s.") % {"phone": a.phone},
            stamp=a.booked_at)
        cards.append(Card(tuple(r for r in rows if r[2]), ical.calendar([event]),
                          _("Scan this code with your phone camera to put the appointment in your calendar.")))

    order: list[str] = []
    texts = {
        "ATR": (_("Alcohol treatment requirement"), _("A treatment service will help you drink less or stop.")),
        "DRR": (_("Drug rehabilitation requirement"),
                _("A treatment service will help you stop using drugs. You will have drug tests.")),
        "MHTR_PRIMARY": (_("Mental health treatment requirement"),
                         _("You will meet a mental health worker and talk about how you feel.")),
        "MHTR_SECONDARY": (_("Mental health treatment requirement"),
                           _("A community mental health team will help you.")),
    }
    for requirement in data.requirements:
        if requirement not in texts:
            raise ValueError(f"unknown requirement {requirement!r}; expected one of {', '.join(texts)}")
        name, plain = texts[requirement]
        order += [name, plain]
    months = data.order_months
    if months:
        order.append(ngettext("Your order lasts %(n)d month.", "Your order lasts %(n)d months.", months)
                     % {"n": months})

    travel: list[str] = []
    for a in appointments:
        lines = [site(a.provider_name)] if len(appointments) > 1 else []
        directions = a.directions.get(code) or site(a.directions.get("en", ""))
        if directions:
            lines.append(directions)
        spoken = [Locale.parse(lang).get_display_name(code) or lang for lang in a.languages if lang != "en"]
        if spoken:
            lines.append(_("Staff there speak: %(languages)s.") % {"languages": ", ".join(spoken)})
        features = [_(ACCESSIBILITY[f]) for f in a.accessibility if f in ACCESSIBILITY]
        if features:
            lines.append(_("Access: %(features)s.") % {"features": ", ".join(features)})
        travel.append("\n".join(lines))

    phones = ", ".join(dict.fromkeys(site(a.phone) for a in appointments))
    contact = [site(data.probation_contact)]
    if data.probation_phone:
        contact.append(_("Phone: %(phone)s") % {"phone": site(data.probation_phone)})
    if data.probation_email:
        contact.append(_("Email: %(email)s") % {"email": site(data.probation_email)})
    contact.append(_("Ask them if you have any questions about your order."))

    sections = [
        Section("order", _("What your order is"), tuple(order)),
        Section("bring", _("What to bring"), (_("This leaflet."), _("Any medicines you take."),
                                             _("Your glasses or hearing aid, if you use them."))),
        Section("travel", _("How to get there"), tuple(t for t in travel if t)),
        Section("cannot_go", _("If you cannot go"),
                (_("Phone %(phone)s as soon as you can, before the appointment.") % {"phone": phones},
                 _("If you are ill, get a note from a doctor."))),
        Section("probation", _("Your probation contact"), tuple(c for c in contact if c)),
        Section("missed", _("If you miss appointments"),
                (_("The treatment service will tell your probation officer within 2 days."),
                 _("If you keep missing appointments, you may have to go back to court. "
                   "The court could give you a different sentence."))),
    ]
    draft: tuple[str, ...] = ()
    if code != "en" and not reviewed(code, "leaflet"):
        draft = (_("A qualified translator has not checked this leaflet yet."),
                 _("If something is not clear, ask your probation contact."))
    name = data.person_name
    return LeafletText(
        language=code, script=script, doc_title=_("CSTR leaflet"),
        title=_("Your treatment order"), subtitle=_("Community sentence treatment requirement"),
        name_line=_("For: %(name)s") % {"name": site(name)} if name else "",
        appointments_heading=ngettext("Your next appointment", "Your next appointments", len(appointments)),
        cards=tuple(cards), sections=tuple(s for s in sections if s.paragraphs), draft_note=draft,
    )
