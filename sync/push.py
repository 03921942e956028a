"""Push: a signed batch of sealed events, stored as a set union; a bad event is set aside, never the batch.

Why it looks like this: tablets retry, crash and reconnect, so storing is INSERT ... ON CONFLICT DO
NOTHING keyed by event id and repeating a push changes nothing. Each event is checked on its own
(shape, then whether its sealed blob opens with this server's key), so one damaged record is
quarantined with its reason and the rest of the queue goes in. What cannot be an honest tablet's
mistake refuses the whole batch and stores nothing: a batch naming another device or site, events
made by another device, a replayed request, too many events. Payloads stay sealed and are never logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from app.crypto import VaultError, event_aad, unseal
from sync import report_store
from sync.auth import AuthedDevice, device_auth, signed
from sync.context import ServerContext
from sync.db import (
    CaseShare,
    Device,
    FeedEntry,
    Quarantine,
    RequestNonce,
    ServerEvent,
    insert_for,
    lock_feed,
    next_seq,
    utcnow,
)
from sync.protocol import (
    MAX_BATCH_EVENTS,
    NOT_JSON,
    UUID_PATTERN,
    ErrorDetail,
    PushBatch,
    PushResult,
    Rejection,
    WireEvent,
    parse_event,
    readable,
)

log = logging.getLogger("courtside.server")
M = TypeVar("M", bound=BaseModel)

EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]
NOT_OPENED = ("does not open with this server's key: altered on the tablet, moved to another record, or sealed "
              "to another server")
HELD_OTHERWISE = "this event id is already held with different content (another record, site or device)"
_COMPARED = ("case_id", "site_id", "device_id", "officer_id", "kind", "hlc", "schema_version", "digest")


def parse_body(model: type[M], body: bytes) -> M:
    """The request body as `model`, or 422 naming the fields (the body is read here, after the signature)."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise HTTPException(422, NOT_JSON) from None
        raise HTTPException(422, readable(exc)) from None


def _raw_id(raw: object) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and re.fullmatch(UUID_PATTERN, value) else None


def _raw_digest(raw: object) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


def _row(ev: WireEvent, sealed: bytes, site_id: str, now: Any) -> dict[str, Any]:
    return {"id": ev.id, "case_id": ev.case_id, "site_id": site_id, "device_id": ev.device_id,
            "officer_id": ev.officer_id, "kind": ev.kind, "hlc": ev.hlc, "schema_version": ev.schema_version,
            "sealed": sealed, "received_at": now, "digest": hashlib.sha256(sealed).hexdigest()}


def check_batch(ctx: ServerContext, device: AuthedDevice, batch: PushBatch) -> None:
    """Refusals of the whole batch: nothing from it is stored."""
    if batch.device_id != device.device_id:
        raise HTTPException(403, f"the batch names device '{batch.device_id}' but is signed by "
                                 f"'{device.device_id}': nothing from this batch was stored")
    if batch.site_id != device.site_id:
        raise HTTPException(403, f"device '{device.device_id}' is enrolled at site '{device.site_id}', not "
                                 f"'{batch.site_id}': nothing from this batch was stored")
    ctx.site_or_404(batch.site_id)
    if len(batch.events) > MAX_BATCH_EVENTS:
        raise HTTPException(413, f"a batch holds at most {MAX_BATCH_EVENTS} events and this one has "
                                 f"{len(batch.events)}: send it in parts; nothing from this batch was stored")


def ingest(ctx: ServerContext, device: AuthedDevice, batch: PushBatch) -> PushResult:
    check_batch(ctx, device, batch)
    rejected: dict[int, Rejection] = {}
    good: list[tuple[int, WireEvent]] = []
    for index, raw in enumerate(batch.events):
        ev = parse_event(raw, index)
        if isinstance(ev, str):
            rejected[index] = Rejection(index=index, id=_raw_id(raw), reason=ev)
            continue
        if ev.device_id != device.device_id:
            raise HTTPException(403, f"event {ev.id} was made by device '{ev.device_id}', not by "
                                     f"'{device.device_id}': a device pushes only its own events; nothing from "
                                     "this batch was stored")
        good.append((index, ev))
    opened: list[tuple[int, WireEvent, bytes]] = []
    plaintexts: dict[str, bytes] = {}  # kept for the report facts, so no event is opened twice
    for index, ev in good:  # CPU work, done before the write lock is taken
        sealed = ev.sealed_bytes()
        try:
            plaintext = unseal(ctx.keys.seal, sealed, event_aad(ev.id, ev.case_id))
        except VaultError:
            rejected[index] = Rejection(index=index, id=ev.id, reason=NOT_OPENED)
            continue
        plaintexts.setdefault(ev.id, plaintext)
        opened.append((index, ev, sealed))

    now = utcnow()
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, ev, sealed in opened:
        row = _row(ev, sealed, batch.site_id, now)
        seen = first.get(ev.id)
        if seen is None:
            first[ev.id] = (index, row)
        elif any(seen[1][k] != row[k] for k in _COMPARED):
            rejected[index] = Rejection(index=index, id=ev.id, reason="appears twice in the batch with "
                                                                       "different content")
    # Rows go in id order so concurrent overlapping pushes take row locks in one order (no deadlock).
    rows = [row for _index, row in sorted(first.values(), key=lambda item: item[1]["id"])]

    with ctx.db.writer.begin() as conn:
        insert = insert_for(conn)
        try:
            conn.execute(insert(RequestNonce.__table__).values(  # type: ignore[attr-defined]
                device_id=device.device_id, nonce=device.nonce, seen_at=now))
        except IntegrityError:
            raise HTTPException(409, "this request was already received (a replay): sign a new one; nothing "
                                     "was stored") from None
        new_ids: set[str] = set()
        if rows:
            # One statement, compiled once and cached; the driver sends the rows in a few multi-row batches.
            statement = insert(EVENTS).on_conflict_do_nothing(index_elements=["id"]).returning(EVENTS.c.id)
            new_ids = set(conn.execute(statement, rows).scalars())
        held = [first[i] for i in first if i not in new_ids]
        if held:
            existing = {r.id: r for r in conn.execute(select(*[EVENTS.c[k] for k in ("id", *_COMPARED)])
                                                      .where(EVENTS.c.id.in_([row["id"] for _i, row in held])))}
            for index, row in held:
                stored = existing.get(row["id"])
                if stored is None or any(getattr(stored, k) != row[k] for k in _COMPARED):
                    rejected[index] = Rejection(index=index, id=row["id"], reason=HELD_OTHERWISE)
        if new_ids:
            _feed_shared(conn, batch.site_id, [row for row in rows if row["id"] in new_ids])
            report_store.refresh(conn, ctx.keys.seal, batch.site_id,
                                 {row["case_id"] for row in rows if row["id"] in new_ids},
                                 {i: plaintexts[i] for i in new_ids})
        if rejected:
            _quarantine(conn, device, batch, rejected, now)
        conn.execute(update(Device.__table__).where(  # type: ignore[attr-defined]
            Device.__table__.c.device_id == device.device_id).values(  # type: ignore[attr-defined]
            last_push_at=now, last_seen_at=now))
        if random.random() < 0.01:  # forget nonces that the clock window refuses anyway
            conn.execute(delete(RequestNonce.__table__).where(  # type: ignore[attr-defined]
                RequestNonce.__table__.c.seen_at < now - timedelta(seconds=3 * ctx.settings.clock_window)))  # type: ignore[attr-defined]

    rejected_ids = {r.id for r in rejected.values() if r.id}
    accepted = [event_id for event_id in first if event_id not in rejected_ids]
    good_count = sum(1 for index, ev, _sealed in opened if index not in rejected and ev.id not in rejected_ids)
    log.info("push site=%s device=%s events=%d stored=%d rejected=%d", batch.site_id, device.device_id,
             len(batch.events), len(new_ids), len(rejected))
    return PushResult(stored=len(new_ids), duplicates=good_count - len(new_ids), accepted=accepted,
                      rejected=sorted(rejected.values(), key=lambda r: r.index))


def _feed_shared(conn: Connection, site_id: str, rows: list[dict[str, Any]]) -> None:
    """New events of a case shared with other devices go into those devices' feeds."""
    lock_feed(conn)
    shares = conn.execute(select(CaseShare.case_id, CaseShare.device_id).where(  # type: ignore[call-overload]
        CaseShare.site_id == site_id, CaseShare.case_id.in_({row["case_id"] for row in rows}))).all()
    if not shares:
        return
    by_case: dict[str, list[str]] = {}
    for case_id, device_id in shares:
        by_case.setdefault(case_id, []).append(device_id)
    entries = [(row["id"], device_id) for row in sorted(rows, key=lambda r: r["hlc"])
               for device_id in by_case.get(row["case_id"], []) if device_id != row["device_id"]]
    if not entries:
        return
    start = next_seq(conn, len(entries))
    conn.execute(FeedEntry.__table__.insert(), [  # type: ignore[attr-defined]
        {"seq": start + i, "site_id": site_id, "device_id": device_id, "type": "event", "event_id": event_id,
         "config_version": None} for i, (event_id, device_id) in enumerate(entries)])


def _quarantine(conn: Connection, device: AuthedDevice, batch: PushBatch, rejected: dict[int, Rejection],
                now: Any) -> None:
    """Keep who, which id and why for the sync-health page; never the content that was refused."""
    table = Quarantine.__table__  # type: ignore[attr-defined]
    insert = insert_for(conn)
    for index, rejection in sorted(rejected.items()):
        statement = insert(table).values(
            device_id=device.device_id, site_id=batch.site_id, event_id=rejection.id, reason=rejection.reason[:500],
            raw_digest=_raw_digest(batch.events[index]), first_seen=now, last_seen=now, times=1)
        conn.execute(statement.on_conflict_do_update(
            index_elements=["device_id", "raw_digest"],
            set_={"last_seen": now, "reason": rejection.reason[:500], "times": table.c.times + 1}))


_PUSH_SCHEMA = PushBatch.model_json_schema()


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["sync"])
    authed = Depends(device_auth(ctx))

    @api.post("/api/v1/sync/push", response_model=PushResult,
              responses={status: {"model": ErrorDetail} for status in (401, 403, 404, 409, 413, 422, 429)},
              openapi_extra={"requestBody": {"required": True,
                                             "content": {"application/json": {"schema": _PUSH_SCHEMA}}}})
    async def push(request: Request, device: AuthedDevice = authed) -> Response:
        """Store a signed batch of sealed events; each is accepted or rejected with its reason."""
        batch = parse_body(PushBatch, await request.body())
        result = await run_in_threadpool(ingest, ctx, device, batch)
        return signed(ctx, device, result)

    return api
