"""First appointments: one per provider in the order, booked from the site's slots or by hand.

Why it looks like this: attrition between sentence and first treatment contact is where orders fail, so
the appointment on the leaflet must be real. A tablet can only know its own bookings, so a slot booked
here is refused if any live booking on this tablet holds it, and every slot booking stays *provisional*
until the site server, which sees every tablet, answers that this booking holds the slot (`confirmed`) or
that another tablet's booking got there first (`lost`). The answers are kept on the tablet by booking id
only (the appointment_booked event id): they say nothing about the person, so no key is needed to store them
and the background sync can record them while the tablet is locked.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy.engine import Engine

from app.case import Case, FieldErrors
from app.i18n import _
from app.site import LONDON, Provider, Site, Slot
from app.store import get_meta, set_meta

# What the site server says about a booking (sync/bookings.py); "provisional" until it has said anything.
PROVISIONAL, CONFIRMED, LOST, SUPERSEDED, MANUAL = "provisional", "confirmed", "lost", "superseded", "manual"
FINAL_STATES = (CONFIRMED, LOST, SUPERSEDED, MANUAL)
MAX_DAYS_AHEAD = 120  # a first appointment months away is almost certainly a typing mistake
_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME_RE = re.compile(r"(\d{1,2})[:.](\d{2})")

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def booking_lock(tablet_key: str) -> threading.Lock:
    """One booking at a time per tablet, so two sessions cannot both take the last look at a free slot."""
    with _locks_guard:
        return _locks.setdefault(tablet_key, threading.Lock())


@dataclass(frozen=True)
class Need:
    """One appointment the order needs: a provider and the requirements it sees the person for."""

    provider: Provider
    requirements: tuple[str, ...]
    options: tuple[Provider, ...]  # providers the CDO could choose instead (none once the provider agreed)
    booking: dict[str, Any] | None  # the live booking for it, if made
    state: str | None  # the server's answer for that booking


def order_requirements(case: Case) -> list[str]:
    """Requirements as they stand (imposed once sentenced, else proposed)."""
    return list(case.requirements)


def appointments_needed(case: Case, site: Site, chosen: Mapping[str, str] | None = None) -> list[Need]:
    """One appointment per provider in the order: a combined order with two providers needs two.

    The provider is the one that agreed to the requirement; failing that, the one already booked, the one
    the CDO picked on screen (`chosen`: requirement -> provider id), or the site's first for it.
    """
    chosen = chosen or {}
    booked = {r: a for a in case.appointments.values() for r in a.get("requirements", ())}
    picks: dict[str, tuple[Provider, tuple[Provider, ...]]] = {}
    for req in order_requirements(case):
        offered = tuple(site.providers_for(req))
        agreed = case.providers.get(req, {})
        if agreed.get("outcome") == "agreed" and any(p.id == agreed.get("provider_id") for p in site.providers):
            picks[req] = (site.provider(agreed["provider_id"]), ())
            continue
        if not offered:
            continue
        want = chosen.get(req) or (booked[req]["provider_id"] if req in booked else offered[0].id)
        picks[req] = (next((p for p in offered if p.id == want), offered[0]), offered)
    needs: list[Need] = []
    for provider_id in dict.fromkeys(p.id for p, _o in picks.values()):
        reqs = tuple(r for r, (p, _o) in picks.items() if p.id == provider_id)
        options = tuple(dict.fromkeys(o for r in reqs for o in picks[r][1]))
        booking = next((a for a in case.appointments.values() if a.get("provider_id") == provider_id), None)
        state = case.booking_states.get(booking["booking_id"], PROVISIONAL) if booking else None
        needs.append(Need(picks[reqs[0]][0], reqs, options, booking, state))
    return needs


def slots_by_day(slots: Iterable[Slot]) -> list[tuple[date, list[Slot]]]:
    """Slots grouped by their London date, in time order, for a screen that shows one day at a time."""
    ordered = sorted(slots, key=lambda s: s.start)
    return [(day, list(group)) for day, group in groupby(ordered, key=lambda s: s.start.astimezone(LONDON).date())]


def free_slots(provider: Provider, today: date, held: set[str]) -> list[Slot]:
    return [s for s in provider.slots(today) if s.id not in held]


def booking_payload(need: Need, slot: Slot | None, start: datetime, minutes: int, reason: str) -> dict[str, Any]:
    """The appointment_booked record: what was booked, for which requirements, and which booking it replaces."""
    replaces = [need.booking["booking_id"]] if need.booking else []
    return {
        "provider_id": need.provider.id, "requirements": list(need.requirements),
        "slot_id": slot.id if slot else None, "source": "slot" if slot else "manual",
        "start": start.astimezone(LONDON).isoformat(), "minutes": minutes,
        "replaces": replaces, "reason": reason, "confirmed": False,
    }


@dataclass(frozen=True)
class ManualAppointment:
    """An appointment agreed by phone with a provider that has no bookable slots in the configuration."""

    day: str  # DD/MM/YYYY as typed
    at: str  # HH:MM as typed
    minutes: str

    def validate(self, today: date) -> tuple[datetime, int]:
        """The appointment as an aware London time and its length; each mistake named at its field."""
        errors: dict[str, str] = {}
        day = _parse_day(self.day)
        at = _parse_time(self.at)
        if day is None:
            errors["day"] = _("Enter the date as day, month and year, for example 07/04/2026")
        elif day <= today:
            errors["day"] = _("The appointment must be after today")
        elif day > today + timedelta(days=MAX_DAYS_AHEAD):
            errors["day"] = _("Check the date: it is more than {n} days away").format(n=MAX_DAYS_AHEAD)
        if at is None:
            errors["at"] = _("Enter the time as hours and minutes, for example 14:30")
        minutes = int(self.minutes) if self.minutes.strip().isdigit() else 0
        if not 5 <= minutes <= 480:
            errors["minutes"] = _("Enter how long the appointment is, in minutes (5 to 480)")
        if not errors and day is not None and at is not None:
            start = datetime.combine(day, at, tzinfo=LONDON)
            if start.astimezone(UTC).astimezone(LONDON).time() != at:
                errors["at"] = _("That time does not exist on that day because the clocks go forward: "
                                 "check the time with the provider")
        if errors:
            raise FieldErrors(errors)
        assert day is not None and at is not None
        return datetime.combine(day, at, tzinfo=LONDON), minutes


def _parse_day(text: str) -> date | None:
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def _parse_time(text: str) -> time | None:
    m = _TIME_RE.fullmatch(text.strip())
    if not m or not (0 <= int(m[1]) <= 23 and 0 <= int(m[2]) <= 59):
        return None
    return time(int(m[1]), int(m[2]))


# --- what the site server has said, kept on the tablet ----------------------------------------------------

_OUTCOMES, _TAKEN = "booking_outcomes", "slots_taken_elsewhere"


@dataclass(frozen=True)
class Outcome:
    """The server's answer for one booking: its state, and the booking that holds the slot if it lost."""

    booking_id: str
    state: str
    held_by: str | None = None


class BookingLedger:
    """Server answers by booking id, and slots the server says other tablets hold (so they are not offered)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def states(self) -> dict[str, Outcome]:
        raw = json.loads(get_meta(self.engine, _OUTCOMES) or "{}")
        return {k: Outcome(k, v["state"], v.get("held_by")) for k, v in raw.items()}

    def note(self, outcomes: Sequence[Outcome]) -> None:
        raw = json.loads(get_meta(self.engine, _OUTCOMES) or "{}")
        for o in outcomes:
            raw[o.booking_id] = {"state": o.state, "held_by": o.held_by}
        set_meta(self.engine, _OUTCOMES, json.dumps(raw, sort_keys=True))

    def unsettled(self, booking_ids: Iterable[str]) -> list[str]:
        """Bookings the server has not given a final answer for yet."""
        states = self.states()
        return [b for b in booking_ids if b not in states or states[b].state not in FINAL_STATES]

    def taken_elsewhere(self) -> set[str]:
        return set(json.loads(get_meta(self.engine, _TAKEN) or "[]"))

    def note_taken(self, asked: Iterable[str], taken: Iterable[str]) -> None:
        """Replace what is known about the slots asked about; keep what is known about others."""
        known = self.taken_elsewhere() - set(asked)
        set_meta(self.engine, _TAKEN, json.dumps(sorted(known | set(taken))))
