"""The site configuration (courts, officers, providers, slots): declarative data, validated on load."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
SITES_DIR = CONTENT_DIR / "sites"
LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
REQUIREMENTS = ("ATR", "DRR", "MHTR_PRIMARY", "MHTR_SECONDARY")


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
    role: str


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
    id: str
    name: str
    requirements: tuple[str, ...]
    address: str
    phone: str
    see: str
    weekdays: tuple[str, ...] = ()
    times: tuple[time, ...] = ()
    minutes: int = 60
    days_ahead: int = 14

    def slots(self, today: date) -> list[Slot]:
        """Bookable slots from tomorrow for `days_ahead` days, in London time (correct across clock changes)."""
        out: list[Slot] = []
        for offset in range(1, self.days_ahead + 1):
            day = today + timedelta(days=offset)
            if WEEKDAYS[day.weekday()] not in self.weekdays:
                continue
            for t in self.times:
                out.append(Slot(self.id, datetime.combine(day, t, tzinfo=LONDON), self.minutes))
        return out


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

    def court(self, court_id: str) -> Court:
        return next(c for c in self.courts if c.id == court_id)

    def officer(self, officer_id: str) -> Officer:
        return next(o for o in self.officers if o.id == officer_id)

    def provider(self, provider_id: str) -> Provider:
        return next(p for p in self.providers if p.id == provider_id)

    def providers_for(self, requirement: str) -> list[Provider]:
        return [p for p in self.providers if requirement in p.requirements]


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _require(data: dict[str, Any], key: str, where: str, path: Path, text: str) -> Any:
    if key not in data or data[key] in ("", None):
        line = _line_of(text, f"[{where}") if where else None
        at = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{at}: '{key}' is missing in [{where or 'top level'}]")
    return data[key]


def parse_site(text: str, path: Path) -> Site:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return build_site(data, path, text)


def build_site(data: dict[str, Any], path: Path, text: str = "") -> Site:
    """Validate parsed configuration; `text` (the file as written) lets errors name their line."""

    def req(d: dict[str, Any], key: str, where: str) -> Any:
        return _require(d, key, where, path, text)

    def at(needle: str) -> str:
        line = _line_of(text, needle)
        return f"{path}:{line}" if line else str(path)

    s = req(data, "site", "")
    providers = []
    for p in data.get("providers", []):
        pid = req(p, "id", "[providers")
        reqs = tuple(req(p, "requirements", "[providers"))
        for r in reqs:
            if r not in REQUIREMENTS:
                raise ConfigError(f"{at(r)}: provider '{pid}' names unknown requirement '{r}' "
                                  f"(expected one of {', '.join(REQUIREMENTS)})")
        slots = p.get("slots", {})
        weekdays = tuple(slots.get("weekdays", ()))
        for w in weekdays:
            if w not in WEEKDAYS:
                raise ConfigError(f"{at(w)}: provider '{pid}' has unknown weekday '{w}'")
        times = []
        for t in slots.get("times", ()):
            if not re.fullmatch(r"\d{2}:\d{2}", str(t)):
                raise ConfigError(f"{at(str(t))}: provider '{pid}' has slot time '{t}', expected HH:MM")
            try:
                times.append(time.fromisoformat(t))
            except ValueError:
                raise ConfigError(f"{at(str(t))}: provider '{pid}' has impossible time '{t}'") from None
        providers.append(Provider(
            id=pid, name=req(p, "name", "[providers"), requirements=reqs,
            address=req(p, "address", "[providers"), phone=req(p, "phone", "[providers"),
            see=p.get("see", ""), weekdays=weekdays, times=tuple(times),
            minutes=int(slots.get("minutes", 60)), days_ahead=int(slots.get("days_ahead", 14)),
        ))
    courts = tuple(Court(req(c, "id", "[courts"), req(c, "name", "[courts")) for c in data.get("courts", []))
    officers = tuple(
        Officer(req(o, "id", "[officers"), req(o, "name", "[officers"), o.get("role", "cdo"))
        for o in data.get("officers", [])
    )
    if not courts:
        raise ConfigError(f"{path}: at least one [[courts]] entry is needed")
    if not officers:
        raise ConfigError(f"{path}: at least one [[officers]] entry is needed")
    return Site(
        id=req(s, "id", "site"), name=req(s, "name", "site"), screening_tool=req(s, "screening_tool", "site"),
        probation_contact=s.get("probation_contact", ""), retention_years=int(s.get("retention_years", 8)),
        courts=courts, officers=officers, providers=tuple(providers), raw=data,
    )


def load_site(path: Path | str) -> Site:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the site file ({exc.strerror})") from None
    return parse_site(text, path)


def demo_site_path() -> Path:
    return SITES_DIR / "demo.toml"
