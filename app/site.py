"""The site configuration (courts, officers, providers, slots): declarative data, validated on load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NoReturn

from babel import Locale, UnknownLocaleError

from app.clock import LONDON
from app.i18n import N_
from app.toml_source import TomlError, TomlSource

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
SITES_DIR = CONTENT_DIR / "sites"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
REQUIREMENTS = ("ATR", "DRR", "MHTR_PRIMARY", "MHTR_SECONDARY")
# Who the person will see, as a role the leaflet can translate; a site may instead write its own words.
ROLES: dict[str, str] = {
    "drug_alcohol_worker": N_("a drug and alcohol worker"),
    "psychologist": N_("a psychologist"),
    "mental_health_nurse": N_("a mental health nurse"),
    "psychiatrist": N_("a psychiatrist"),
    "therapist": N_("a therapist"),
    "key_worker": N_("a key worker"),
}
# Access features a provider can list; the leaflet says each in the person's language.
ACCESSIBILITY: dict[str, str] = {
    "step_free": N_("Step-free entrance"),
    "lift": N_("Lift to every floor"),
    "hearing_loop": N_("Hearing loop"),
    "accessible_toilet": N_("Accessible toilet"),
    "parking": N_("Blue badge parking"),
    "quiet_room": N_("Quiet waiting room"),
    "interpreter": N_("Interpreters can be booked"),
}
PAPER = ("a4", "a5-fold")
OFFICER_ROLES = ("cdo", "ld", "provider", "admin")  # what each may see and do: app/roles.py
_HOURS_RE = re.compile(r"(\d{2}:\d{2})-(\d{2}:\d{2})")


class ConfigError(ValueError):
    """A configuration file is wrong; the message names the file, the line where known, and what is wrong."""


@dataclass(frozen=True)
class Court:
    id: str
    name: str


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    role: str  # "cdo" (court duty officer), "ld" (liaison and diversion), "provider" or "admin": app/roles.py
    phone: str = ""  # how a colleague reaches them, e.g. a CDO calling L&D about a case handed over
    email: str = ""
    provider: str = ""  # a provider practitioner's service (a [[providers]] id)


@dataclass(frozen=True)
class Slot:
    provider_id: str
    start: datetime  # aware, Europe/London
    minutes: int

    @property
    def id(self) -> str:
        return f"{self.provider_id}@{self.start.isoformat()}"


@dataclass(frozen=True)
class Provider:
    """A treatment provider: where the person goes, who they see, and when appointments can be booked.

    A provider with no slot times is booked by hand: the CDO phones them and enters what was agreed.
    """

    id: str
    name: str
    requirements: tuple[str, ...]
    address: str
    phone: str
    see: str  # a key of ROLES, or the site's own words in English
    email: str = ""
    see_text: dict[str, str] = field(default_factory=dict, compare=False)  # the site's words by language
    directions: dict[str, str] = field(default_factory=dict, compare=False)  # how to get there, by language
    languages: tuple[str, ...] = ()  # languages staff speak (interpreters aside), as language codes
    accessibility: tuple[str, ...] = ()  # keys of ACCESSIBILITY
    opening_hours: tuple[tuple[str, tuple[tuple[time, time], ...]], ...] = ()  # (weekday, ((open, close), ...))
    weekdays: tuple[str, ...] = ()
    times: tuple[time, ...] = ()
    minutes: int = 60
    days_ahead: int = 14
    closed: tuple[date, ...] = ()

    @property
    def books_by_hand(self) -> bool:
        return not (self.weekdays and self.times)

    def slots(self, today: date) -> list[Slot]:
        """Bookable slots from tomorrow for `days_ahead` days, in London time (correct across clock changes).

        Each slot is built from the wall-clock time on its own date, so 10:00 stays 10:00 whichever side of
        a clock change it falls; a time that does not exist that day (clocks going forward) is skipped.
        """
        out: list[Slot] = []
        for offset in range(1, self.days_ahead + 1):
            day = today + timedelta(days=offset)
            if WEEKDAYS[day.weekday()] not in self.weekdays or day in self.closed:
                continue
            for t in self.times:
                start = datetime.combine(day, t, tzinfo=LONDON)
                if start.astimezone(UTC).astimezone(LONDON).time() != t:
                    continue
                out.append(Slot(self.id, start, self.minutes))
        return out


@dataclass(frozen=True)
class Security:
    """The site's choices for tablet security; the defaults are what a site gets without a [security] table.

    Why site settings: how long an unattended tablet stays open, how many guesses a thief gets and how long
    closed cases stay on a tablet are policy for the site's information governance lead, not code.
    """

    pin_min_length: int = 4
    lockout_after: int = 5  # wrong PINs in a row before the officer is locked out (another officer re-enrols them)
    wipe_after: int = 10  # wrong PINs in a row on the tablet before every wrapped key is destroyed
    idle_lock_minutes: int = 5
    purge_after_days: int = 30  # a closed case, fully synced, leaves the tablet this long after its last change


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    screening_tool: str
    probation_contact: str
    retention_years: int
    courts: tuple[Court, ...]
    officers: tuple[Officer, ...]
    providers: tuple[Provider, ...]
    raw: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)
    probation_phone: str = ""
    probation_email: str = ""
    leaflet_shows_name: bool = False  # the leaflet leaves court with the person: no name unless the site says so
    leaflet_paper: str = "a4"  # "a4", or "a5-fold": an A4 sheet printed landscape and folded to A5
    security: Security = field(default_factory=Security)
    custody_suites: tuple[Court, ...] = ()  # where L&D practitioners see detainees before court

    def custody_suite(self, suite_id: str) -> Court:
        return next(c for c in self.custody_suites if c.id == suite_id)

    def court(self, court_id: str) -> Court:
        return next(c for c in self.courts if c.id == court_id)

    def officer(self, officer_id: str) -> Officer:
        return next(o for o in self.officers if o.id == officer_id)

    def provider(self, provider_id: str) -> Provider:
        return next(p for p in self.providers if p.id == provider_id)

    def providers_for(self, requirement: str) -> list[Provider]:
        return [p for p in self.providers if requirement in p.requirements]


def _require(data: dict[str, Any], key: str, where: str, src: TomlSource) -> Any:
    if key not in data or data[key] in ("", None):
        at = src.at(src.containing(f"[{where}") if where else None)
        raise ConfigError(f"{at}: '{key}' is missing in [{where or 'top level'}]")
    return data[key]


def parse_site(text: str, path: Path) -> Site:
    """Parse and validate a site file's text; `path` is only for messages."""
    try:
        data = TomlSource.from_text(path, text).parse()
    except TomlError as exc:
        raise ConfigError(str(exc)) from None
    return build_site(data, path, text)


def _shapes(data: dict[str, Any], src: TomlSource) -> None:
    """Every part of the file is the kind of value it must be, checked before any is read: a number where a list
    belongs (or a null in configuration that came as JSON) is named with its line, never met later as a TypeError.
    """
    def fail(line: int | None, what: str, must: str) -> NoReturn:
        raise ConfigError(f"{src.at(line)}: {what} must be {must}")

    if not isinstance(data, dict):
        fail(None, "the site file", "a set of tables: [site], [[courts]], [[officers]], ...")
    for key in ("site", "leaflet", "security"):
        if key in data and not isinstance(data[key], dict):
            fail(src.key_after(key) or src.table(key), key, f"a table, written [{key}]")
    for key in ("courts", "officers", "custody_suites", "providers"):
        if key in data and not (isinstance(data[key], list) and all(isinstance(e, dict) for e in data[key])):
            fail(src.key_after(key) or src.header(key, 0), key, f"entries each written [[{key}]]")
    for key in _SITE_TEXT:
        if key in data.get("site", {}) and not isinstance(data["site"][key], str):
            fail(src.key_after(key, src.table("site")), f"[site] {key}", 'text in quotes')
    for key in ("courts", "officers", "custody_suites"):
        for n, entry in enumerate(data.get(key, [])):
            for name, value in entry.items():
                if not isinstance(value, str):
                    fail(src.key_in_table(name, src.header(key, n)), f"[[{key}]] number {n + 1} {name}",
                         "text in quotes")
    for n, provider in enumerate(data.get("providers", [])):
        head = src.header("providers", n)
        slots = provider.get("slots", {})
        if not isinstance(slots, dict):
            fail(src.key_after("slots", head), f"provider {n + 1} slots", "a table, written [providers.slots]")
        hours = provider.get("opening_hours", {})
        if not isinstance(hours, dict) or not all(isinstance(v, str) for v in hours.values()):
            fail(src.key_after("opening_hours", head), f"provider {n + 1} opening_hours",
                 'a table of days, written [providers.opening_hours] with lines like mon = "09:00-17:00"')
        for table, key, kinds, example in _PROVIDER_LISTS:
            value = (slots if table == "slots" else provider).get(key, [])
            if not (isinstance(value, list) and all(isinstance(v, kinds) and not isinstance(v, bool) for v in value)):
                fail(src.key_after(key, head), f"provider {n + 1} {'slots ' if table == 'slots' else ''}{key}",
                     f"a list, for example {key} = {example}")


_SITE_TEXT = ("id", "name", "screening_tool", "probation_contact", "probation_phone", "probation_email")
# Lists a provider entry holds: (table, key, what each item may be, an example as written).
_PROVIDER_LISTS: tuple[tuple[str, str, type | tuple[type, ...], str], ...] = (
    ("provider", "requirements", str, '["ATR", "DRR"]'), ("provider", "languages", str, '["pl", "ur"]'),
    ("provider", "accessibility", str, '["step_free"]'), ("slots", "weekdays", str, '["mon", "wed"]'),
    ("slots", "times", (str, time), '["10:00", "14:00"]'), ("slots", "closed", (str, date), '["2026-12-25"]'))


def build_site(data: dict[str, Any], path: Path, text: str = "") -> Site:
    """Validate parsed configuration; `text` (the file as written) lets errors name their line."""
    src = TomlSource.from_text(path, text)
    _shapes(data, src)

    def req(d: dict[str, Any], key: str, where: str) -> Any:
        return _require(d, key, where, src)

    def at(needle: str) -> str:
        return src.at(src.containing(needle))

    s = req(data, "site", "")
    providers = _providers(data, src)
    courts = tuple(Court(req(c, "id", "[courts"), req(c, "name", "[courts")) for c in data.get("courts", []))
    officers = tuple(
        Officer(req(o, "id", "[officers"), req(o, "name", "[officers"), o.get("role", "cdo"),
                str(o.get("phone", "")), str(o.get("email", "")), str(o.get("provider", "")))
        for o in data.get("officers", [])
    )
    suites = tuple(Court(req(c, "id", "[custody_suites"), req(c, "name", "[custody_suites"))
                   for c in data.get("custody_suites", []))
    if bad := [o.id for o in officers if o.role not in OFFICER_ROLES]:
        raise ConfigError(f"{at('[[officers')}: unknown role for {', '.join(bad)}: use one of "
                          f"{', '.join(OFFICER_ROLES)}")
    known_providers = {p.id for p in providers}
    for o in officers:
        where = at(f'"{o.id}"')
        if o.role == "provider" and o.provider not in known_providers:
            raise ConfigError(f"{where}: officer '{o.id}' is a provider practitioner: set provider = one of "
                              f"{', '.join(sorted(known_providers)) or '(no [[providers]] listed)'}")
        if o.provider and o.role != "provider":
            raise ConfigError(f"{where}: officer '{o.id}' names a provider but has the role '{o.role}': only a "
                              "provider practitioner belongs to a provider")
    if any(o.role == "ld" for o in officers) and not suites:
        raise ConfigError(f"{path}: an officer has the role 'ld': list their [[custody_suites]]")
    if not courts:
        raise ConfigError(f"{path}: at least one [[courts]] entry is needed")
    if not officers:
        raise ConfigError(f"{path}: at least one [[officers]] entry is needed")
    years = s.get("retention_years", 8)
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 100:
        raise ConfigError(f"{src.at(src.key_after('retention_years'))}: [site] retention_years must be a whole number "
                          "of years from 1 to 100 (NHS: adult health 8, mental health 20)")
    return Site(
        id=req(s, "id", "site"), name=req(s, "name", "site"), screening_tool=req(s, "screening_tool", "site"),
        probation_contact=s.get("probation_contact", ""), retention_years=years,
        courts=courts, officers=officers, providers=tuple(providers), raw=data,
        probation_phone=str(s.get("probation_phone", "")), probation_email=str(s.get("probation_email", "")),
        custody_suites=suites, **_leaflet_options(data, src), security=_security(data, src),
    )


def _local_text(value: Any, what: str, where: str) -> dict[str, str]:
    """Site words that may be given once (English) or per language: {en = "...", pl = "..."}."""
    if isinstance(value, str):
        return {"en": value} if value.strip() else {}
    if isinstance(value, dict):
        if "en" not in value:
            raise ConfigError(f"{where}: {what} is given per language but has no 'en' entry to fall back on")
        for code, words in value.items():
            _language_code(code, what, where)
            if not isinstance(words, str):
                raise ConfigError(f"{where}: {what} for '{code}' must be text")
        return {str(k): str(v) for k, v in value.items()}
    raise ConfigError(f"{where}: {what} must be text, or a table of text by language code")


def _language_code(code: Any, what: str, where: str) -> str:
    try:
        Locale.parse(str(code))
    except (ValueError, UnknownLocaleError):
        raise ConfigError(f"{where}: {what} names '{code}', which is not a language code (e.g. 'en', 'pl', 'ur')") \
            from None
    return str(code)


def _hhmm(value: Any, what: str, where: str) -> time:
    if not re.fullmatch(r"\d{2}:\d{2}", str(value)):
        raise ConfigError(f"{where}: {what} '{value}' should be a 24-hour time as HH:MM, e.g. 09:30")
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {what} '{value}' is not a real time of day") from None


def _providers(data: dict[str, Any], src: TomlSource) -> list[Provider]:
    def where(n: int, *needles: str) -> str:
        """Where to point: the first needle inside the n-th [[providers]] entry (its subtables included), not
        anywhere in the file; else the entry's header."""
        start, end = src.header("providers", n), src.header("providers", n + 1)
        for needle in needles:
            if line := src.containing(needle, start, end):
                return src.at(line)
        return src.at(start)

    providers: list[Provider] = []
    seen: set[str] = set()
    for n, p in enumerate(data.get("providers", [])):
        def need(key: str, n: int = n, p: dict[str, Any] = p) -> Any:
            if key not in p or p[key] in ("", None, []):
                raise ConfigError(f"{where(n)}: '{key}' is missing in [[providers]] number {n + 1}")
            return p[key]

        pid = str(need("id"))
        if pid in seen:
            raise ConfigError(f"{where(n, 'id')}: provider id '{pid}' is used twice")
        seen.add(pid)
        reqs = tuple(need("requirements"))
        for r in reqs:
            if r not in REQUIREMENTS:
                raise ConfigError(f"{where(n, r)}: provider '{pid}' names unknown requirement '{r}' "
                                  f"(expected one of {', '.join(REQUIREMENTS)})")
        see = p.get("see", "")
        see_text: dict[str, str] = {}
        if isinstance(see, dict) or (isinstance(see, str) and see not in ROLES):
            see_text = _local_text(see, f"provider '{pid}' see", where(n, "see"))
            see = ""
        languages = tuple(_language_code(c, f"provider '{pid}' languages", where(n, "languages"))
                          for c in p.get("languages", ()))
        for feature in p.get("accessibility", ()):
            if feature not in ACCESSIBILITY:
                raise ConfigError(f"{where(n, 'accessibility')}: provider '{pid}' lists unknown accessibility "
                                  f"'{feature}' (expected any of {', '.join(ACCESSIBILITY)})")
        hours: list[tuple[str, tuple[tuple[time, time], ...]]] = []
        for day, spans in (p.get("opening_hours") or {}).items():
            at = where(n, f"{day} =", "opening_hours")
            if day not in WEEKDAYS:
                raise ConfigError(f"{at}: provider '{pid}' opening_hours has unknown weekday '{day}' "
                                  f"(expected {', '.join(WEEKDAYS)})")
            parsed = []
            for span in str(spans).split(","):
                m = _HOURS_RE.fullmatch(span.strip())
                if not m:
                    raise ConfigError(f"{at}: provider '{pid}' opening hours '{span.strip()}' on {day} should look "
                                      "like 09:00-17:00 (several spans separated by commas)")
                opens, closes = _hhmm(m[1], "opening time", at), _hhmm(m[2], "closing time", at)
                if closes <= opens:
                    raise ConfigError(f"{at}: provider '{pid}' closes at {m[2]} on {day}, before it opens at {m[1]}")
                parsed.append((opens, closes))
            hours.append((day, tuple(parsed)))
        hours.sort(key=lambda h: WEEKDAYS.index(h[0]))
        slots = p.get("slots", {})
        weekdays = tuple(slots.get("weekdays", ()))
        for w in weekdays:
            if w not in WEEKDAYS:
                quoted = f'"{w}"'
                raise ConfigError(f"{where(n, quoted, 'weekdays')}: provider '{pid}' has unknown weekday "
                                  f"'{w}' (expected {', '.join(WEEKDAYS)})")
        times = [_hhmm(t, f"provider '{pid}' has slot time", where(n, str(t))) for t in slots.get("times", ())]
        minutes = slots.get("minutes", 60)
        days_ahead = slots.get("days_ahead", 14)
        for key, value, low, high in (("minutes", minutes, 5, 480), ("days_ahead", days_ahead, 1, 366)):
            if not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{where(n, key)}: provider '{pid}' slots {key} = {value!r}: expected a whole "
                                  f"number from {low} to {high}")
        closed = []
        for d in slots.get("closed", ()):
            try:
                closed.append(d if isinstance(d, date) else date.fromisoformat(str(d)))
            except ValueError:
                raise ConfigError(f"{where(n, str(d))}: provider '{pid}' closed date '{d}' should be "
                                  "YYYY-MM-DD") from None
        open_on = dict(hours)
        for w in weekdays if open_on else ():
            for t in times:
                end = (datetime.combine(date.min, t) + timedelta(minutes=minutes)).time()
                if not any(o <= t and end <= c for o, c in open_on.get(w, ())):
                    raise ConfigError(f"{where(n, t.strftime('%H:%M'))}: provider '{pid}' has a {minutes}-minute slot "
                                      f"at {t:%H:%M} on {w}, outside its opening hours")
        providers.append(Provider(
            id=pid, name=str(need("name")), requirements=reqs, address=str(need("address")),
            phone=str(need("phone")), email=str(p.get("email", "")), see=str(see), see_text=see_text,
            directions=_local_text(p.get("directions", ""), f"provider '{pid}' directions", where(n, "directions")),
            languages=languages, accessibility=tuple(p.get("accessibility", ())), opening_hours=tuple(hours),
            weekdays=weekdays, times=tuple(times), minutes=minutes, days_ahead=days_ahead, closed=tuple(closed),
        ))
    return providers


def _leaflet_options(data: dict[str, Any], src: TomlSource) -> dict[str, Any]:
    options = data.get("leaflet", {})
    at = src.at(src.containing("[leaflet]"))
    show_name = options.get("show_name", False)
    if not isinstance(show_name, bool):
        raise ConfigError(f"{at}: [leaflet] show_name must be true or false")
    paper = options.get("paper", "a4")
    if paper not in PAPER:
        raise ConfigError(f"{at}: [leaflet] paper '{paper}' is not one of {', '.join(PAPER)}")
    return {"leaflet_shows_name": show_name, "leaflet_paper": paper}


def _security(data: dict[str, Any], src: TomlSource) -> Security:
    options = data.get("security", {})
    at = src.at(src.containing("[security]"))
    unknown = set(options) - set(Security.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{at}: [security] does not know {', '.join(sorted(unknown))}")
    values = {}
    for key, value in options.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{at}: [security] {key} must be a whole number of at least 1")
        values[key] = value
    security = Security(**values)
    if security.wipe_after < security.lockout_after:
        raise ConfigError(f"{at}: [security] wipe_after must be at least lockout_after")
    return security


def load_site(path: Path | str) -> Site:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the site file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}): save the site file as UTF-8") from None
    return parse_site(text, path)


def demo_site_path() -> Path:
    return SITES_DIR / "demo.toml"
