"""Bookings across tablets: the server says which booking holds a slot, and which lost it to another tablet.

A tablet can only refuse double-booking among its own bookings; two tablets offline at two courts can both
book Tuesday 10:00 at the same provider. The server sees every tablet's `appointment_booked` events, so it
decides, by one rule, in the order the events reached it: the first booking to claim a slot holds it
(`confirmed`); a later booking of the same slot has `lost`, and the answer names the booking that holds
it; a booking that a later one replaces (`replaces` in its payload) is `superseded` and frees its slot;
a booking agreed by phone, with no slot, is `manual`. Receipt order, not booking time, decides, so a
booking the server has confirmed stays confirmed whatever arrives later.

Nothing new is stored: the answer is worked out from the events the server already holds (opened with
its key, as push does; payloads are never logged), and opened bookings are kept in memory by event id
because events never change. Routes (signed by an enrolled device, like every sync route; the site is
the device's own):

- `POST /api/v1/bookings/status` `{"booking_ids": [...]}` -> `{"bookings": [{"booking_id", "state", "held_by"}]}`;
  `state` is one of confirmed, lost, superseded, manual, unknown (the server does not hold that event yet).
- `POST /api/v1/bookings/taken` `{"slot_ids": [...]}` -> `{"taken": [...]}`: which of those slots a live
  booking holds, so a tablet stops offering them.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from app.crypto import VaultError, event_aad, unseal
from sync.auth import AuthedDevice, device_auth, signed
from sync.context import ServerContext
from sync.db import ServerEvent
from sync.protocol import UUID_PATTERN, ErrorDetail
from sync.push import parse_body

log = logging.getLogger("courtside.server")

EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]
BookingId = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
SlotId = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,120}$")]


class StatusQuery(BaseModel):
    booking_ids: list[BookingId] = Field(min_length=1, max_length=500)


class BookingState(BaseModel):
    booking_id: str
    state: str = Field(description="confirmed | lost | superseded | manual | unknown")
    held_by: str | None = Field(default=None, description="the booking that holds the slot (for a lost booking, "
                                                           "the one that beat it)")


class StatusAnswer(BaseModel):
    bookings: list[BookingState]


class TakenQuery(BaseModel):
    slot_ids: list[SlotId] = Field(min_length=1, max_length=2000)


class TakenAnswer(BaseModel):
    taken: list[str]


@dataclass(frozen=True)
class _Booking:
    booking_id: str
    slot_id: str | None
    replaces: tuple[str, ...]


class Ledger:
    """Replays a site's bookings in the order the server received them. Deterministic: no state is kept
    but the opened payloads, which cannot change."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._opened: dict[str, _Booking | None] = {}
        self._lock = threading.Lock()

    def _open(self, row: Any) -> _Booking | None:
        try:
            payload = json.loads(unseal(self.ctx.keys.seal, row.sealed, event_aad(row.id, row.case_id)))
        except (VaultError, ValueError):
            log.warning("event=booking_unreadable booking=%s", row.id)  # left out of the slot ledger
            return None
        slot = payload.get("slot_id")
        return _Booking(row.id, str(slot) if slot else None, tuple(str(r) for r in payload.get("replaces") or ()))

    def replay(self, site_id: str) -> tuple[dict[str, BookingState], dict[str, str]]:
        """Every booking's state, and slot id -> the booking holding it."""
        query = (select(EVENTS.c.id, EVENTS.c.case_id, EVENTS.c.sealed)
                 .where(EVENTS.c.site_id == site_id, EVENTS.c.kind == "appointment_booked")
                 .order_by(EVENTS.c.received_at, EVENTS.c.hlc, EVENTS.c.id))
        with self.ctx.db.engine.connect() as conn:
            rows = conn.execute(query).all()
        bookings: list[_Booking] = []
        with self._lock:
            for row in rows:
                if row.id not in self._opened:
                    self._opened[row.id] = self._open(row)
                found = self._opened[row.id]
                if found is not None:
                    bookings.append(found)
        states: dict[str, BookingState] = {}
        holder: dict[str, str] = {}  # slot -> booking
        slot_of: dict[str, str] = {}  # booking -> slot it holds
        for b in bookings:
            for old in b.replaces:
                if old in slot_of:
                    holder.pop(slot_of.pop(old), None)
                states[old] = BookingState(booking_id=old, state="superseded")
            if b.booking_id in states:  # replaced before it arrived: it never holds anything
                continue
            if b.slot_id is None:
                states[b.booking_id] = BookingState(booking_id=b.booking_id, state="manual")
            elif b.slot_id in holder:
                states[b.booking_id] = BookingState(booking_id=b.booking_id, state="lost", held_by=holder[b.slot_id])
            else:
                holder[b.slot_id] = b.booking_id
                slot_of[b.booking_id] = b.slot_id
                states[b.booking_id] = BookingState(booking_id=b.booking_id, state="confirmed",
                                                    held_by=b.booking_id)
        return states, holder

    def status(self, site_id: str, booking_ids: list[str]) -> StatusAnswer:
        states, _holder = self.replay(site_id)
        return StatusAnswer(bookings=[states.get(b) or BookingState(booking_id=b, state="unknown")
                                      for b in dict.fromkeys(booking_ids)])

    def taken(self, site_id: str, slot_ids: list[str]) -> TakenAnswer:
        _states, holder = self.replay(site_id)
        return TakenAnswer(taken=[s for s in dict.fromkeys(slot_ids) if s in holder])


_ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorDetail} for status in (401, 403, 422, 429)}


def router(ctx: ServerContext) -> APIRouter:
    r = APIRouter(prefix="/api/v1/bookings", tags=["bookings"])
    authed = Depends(device_auth(ctx))
    ledger = Ledger(ctx)

    @r.post("/status", response_model=StatusAnswer, responses=_ERRORS)
    async def booking_status(request: Request, device: AuthedDevice = authed) -> Response:
        """The server's answer for each booking: which holds its slot, which lost it and to whom."""
        query = parse_body(StatusQuery, await request.body())
        answer = await run_in_threadpool(ledger.status, device.site_id, query.booking_ids)
        return signed(ctx, device, answer)

    @r.post("/taken", response_model=TakenAnswer, responses=_ERRORS)
    async def slots_taken(request: Request, device: AuthedDevice = authed) -> Response:
        """Which of these slots a live booking holds, so the tablet stops offering them."""
        query = parse_body(TakenQuery, await request.body())
        answer = await run_in_threadpool(ledger.taken, device.site_id, query.slot_ids)
        return signed(ctx, device, answer)

    return r
