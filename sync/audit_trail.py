"""Tablets' audit trails on the site server: received in order, chain checked, kept per device.

Why the server checks the chain: a tablet's own check (`courtside audit verify`) can be defeated by
whoever rewrites the whole tablet database; once entries are on the server, a rewritten entry arriving
again with another hash is refused, and a gap or a broken link is refused before anything is stored.
Entries carry ids and kinds only (app/audit.py), so they are kept in clear for the site admin.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from app import audit
from sync.auth import AuthedDevice, device_auth, signed
from sync.context import ServerContext
from sync.db import RequestNonce, ServerAudit, insert_for, utcnow
from sync.protocol import AuditBatch, AuditResult, ErrorDetail
from sync.push import parse_body

AUDIT = ServerAudit.__table__  # type: ignore[attr-defined]
def _refuse(reason: str) -> HTTPException:
    return HTTPException(409, f"{reason}: nothing from this batch was stored")


def receive(ctx: ServerContext, device: AuthedDevice, batch: AuditBatch) -> AuditResult:
    if batch.device_id != device.device_id or any(e.device_id != device.device_id for e in batch.entries):
        raise HTTPException(403, f"a device sends only its own audit trail ('{device.device_id}'): nothing from "
                                 "this batch was stored")
    entries = sorted(batch.entries, key=lambda e: e.seq)
    for entry in entries:
        if audit.row_digest(entry) != entry.hash:
            raise _refuse(f"audit entry {entry.seq} does not match its hash")
    now = utcnow()
    with ctx.db.writer.begin() as conn:
        try:
            conn.execute(insert_for(conn)(RequestNonce.__table__).values(  # type: ignore[attr-defined]
                device_id=device.device_id, nonce=device.nonce, seen_at=now))
        except IntegrityError:
            raise HTTPException(409, "this request was already received (a replay): sign a new one; nothing "
                                     "was stored") from None
        held = {r.seq: r.hash for r in conn.execute(select(AUDIT.c.seq, AUDIT.c.hash).where(
            AUDIT.c.device_id == device.device_id, AUDIT.c.seq.between(entries[0].seq - 1, entries[-1].seq)))}
        stored = 0
        for entry in entries:
            if entry.seq in held:
                if held[entry.seq] != entry.hash:
                    raise _refuse(f"audit entry {entry.seq} is already held with another hash (rewritten)")
                continue
            before = audit.GENESIS if entry.seq == 1 else held.get(entry.seq - 1)
            if before is None:
                raise _refuse(f"audit entries before {entry.seq} have not arrived")
            if entry.prev_hash != before:
                raise _refuse(f"audit entry {entry.seq} does not follow the entry before it")
            conn.execute(AUDIT.insert().values(site_id=device.site_id, received_at=now, **entry.model_dump()))
            held[entry.seq] = entry.hash
            stored += 1
        through = conn.execute(select(AUDIT.c.seq).where(AUDIT.c.device_id == device.device_id)
                               .order_by(AUDIT.c.seq.desc()).limit(1)).scalar_one()
    return AuditResult(stored=stored, held_through=through)


def case_trail(ctx: ServerContext, site_id: str, case_id: str) -> list[ServerAudit]:
    """Every audit entry about one case, from every tablet of the site, oldest first: what the admin page lists."""
    with ctx.db.engine.connect() as conn:
        rows = conn.execute(select(AUDIT).where(AUDIT.c.site_id == site_id, AUDIT.c.case_id == case_id)
                            .order_by(AUDIT.c.at, AUDIT.c.device_id, AUDIT.c.seq)).all()
    return [ServerAudit(**r._mapping) for r in rows]


_SCHEMA = AuditBatch.model_json_schema()


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["sync"])
    authed = Depends(device_auth(ctx))

    @api.post("/api/v1/sync/audit", response_model=AuditResult,
              responses={status: {"model": ErrorDetail} for status in (401, 403, 409, 422, 429)},
              openapi_extra={"requestBody": {"required": True,
                                             "content": {"application/json": {"schema": _SCHEMA}}}})
    async def push_audit(request: Request, device: AuthedDevice = authed) -> Response:
        """Store a device's audit entries in order, each checked against its hash and the one before."""
        batch = parse_body(AuditBatch, await request.body())
        return signed(ctx, device, await run_in_threadpool(receive, ctx, device, batch))

    return api
