"""The tablet's side of booking clashes: ask the site server about this tablet's bookings, keep its answers.

Runs beside the sync loop, in its own thread, with the tablet possibly locked: it needs no officer key,
because it sends only booking ids (event ids) and slot ids and keeps only the server's answers by booking
id (app.appointment.BookingLedger). The officer sees a lost booking the next time the case is opened.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from sqlmodel import Session, select

from app import clock
from app.appointment import FINAL_STATES, BookingLedger, Outcome
from app.store import EventRow
from sync.bookings import StatusAnswer, TakenAnswer
from sync.client import SyncClient, SyncError, _body

log = logging.getLogger("courtside.sync")
BATCH = 500


def booking_ids(client: SyncClient) -> list[str]:
    """Every booking on this tablet (appointment_booked events: the kind is kept in clear for sync)."""
    with Session(client.tablet.engine) as s:
        return list(s.exec(select(EventRow.id).where(EventRow.kind == "appointment_booked")
                           .order_by(EventRow.hlc)).all())


def check_bookings(client: SyncClient, today: date | None = None) -> list[Outcome]:
    """Ask about every booking without a final answer yet, and about the slots the tablet may offer.

    Returns the answers received in this round (an unknown booking is one the server has not been sent yet).
    """
    ledger = BookingLedger(client.tablet.engine)
    unsettled = ledger.unsettled(booking_ids(client))
    outcomes: list[Outcome] = []
    for start in range(0, len(unsettled), BATCH):
        answer: StatusAnswer = client._json(StatusAnswer, client._call(
            "POST", "/api/v1/bookings/status", body=_body({"booking_ids": unsettled[start:start + BATCH]})))
        outcomes += [Outcome(b.booking_id, b.state, b.held_by) for b in answer.bookings if b.state != "unknown"]
    ledger.note(outcomes)
    if client.tablet.has_site:
        day = today or clock.today()
        slots = [s.id for p in client.tablet.site.providers for s in p.slots(day)][:2000]
        if slots:
            taken: TakenAnswer = client._json(TakenAnswer, client._call(
                "POST", "/api/v1/bookings/taken", body=_body({"slot_ids": slots})))
            ledger.note_taken(slots, taken.taken)
    lost = [o for o in outcomes if o.state == "lost"]
    if lost:
        log.warning("event=bookings_lost count=%d", len(lost))
    return outcomes


class BookingWatch:
    """Checks bookings every `interval` seconds in a daemon thread; quicker while some await an answer."""

    def __init__(self, client: SyncClient, interval: float = 30.0, busy_interval: float = 5.0) -> None:
        self.client = SyncClient(client.tablet, client.server_url, client.site_id)  # its own connection
        self.interval = interval
        self.busy_interval = busy_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="courtside-bookings", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.interval
            try:
                if self.client.enrolled:
                    check_bookings(self.client)
                    states = BookingLedger(self.client.tablet.engine).states()
                    if any(b not in states or states[b].state not in FINAL_STATES for b in booking_ids(self.client)):
                        wait = self.busy_interval
            except SyncError as exc:
                log.info("event=booking_check_refused status=%s", exc.status)
            except Exception as exc:  # a bug here must never take the app down
                log.error("event=booking_check_failed error=%s", type(exc).__name__)
            self._stop.wait(wait)
