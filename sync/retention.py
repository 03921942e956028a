"""Retention on the site server: a case's records are deleted once the site's retention period has passed.

It runs inside the server at start-up and then on a schedule (`--purge-every-hours`, default daily), and
on demand with `courtside server purge`. Why by the newest event: the server keeps payloads sealed and
does not fold cases, so "the record was last touched" is the newest event it received for the case; the
period (`retention_years` in the site file; NHS adult health 8 years, mental health 20) runs from there,
which for a closed case is its closing and is never earlier. Events, their feed positions and shares go;
each purge is an audit entry of the server's own, chained like a tablet's (app/audit.py), so the erasure
itself is on record (DPA 2018 Part 3). Audit entries are ids only and are kept.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from app import audit, clock
from sync.context import ServerContext
from sync.db import CaseShare, FeedEntry, ServerAudit, ServerEvent

EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]
AUDIT = ServerAudit.__table__  # type: ignore[attr-defined]
FEED = FeedEntry.__table__  # type: ignore[attr-defined]
SHARES = CaseShare.__table__  # type: ignore[attr-defined]
log = logging.getLogger("courtside.retention")


def server_actor(site_id: str) -> str:
    """The device id the server's own audit entries are kept under (no tablet id has a colon)."""
    return f"server:{site_id}"[:64]


def expired_cases(conn: Connection, site_id: str, cutoff: datetime) -> list[str]:
    return list(conn.execute(select(EVENTS.c.case_id).where(EVENTS.c.site_id == site_id)
                             .group_by(EVENTS.c.case_id).having(func.max(EVENTS.c.received_at) < cutoff)
                             .order_by(EVENTS.c.case_id)).scalars())


def _audit_purge(conn: Connection, site_id: str, case_id: str, removed: int, now: datetime) -> None:
    actor = server_actor(site_id)
    last = conn.execute(select(AUDIT.c.seq, AUDIT.c.hash).where(AUDIT.c.device_id == actor)
                        .order_by(AUDIT.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, audit.GENESIS)
    entry = ServerAudit(device_id=actor, seq=seq, site_id=site_id, id=f"purge-{seq}", at=now.isoformat(
        timespec="milliseconds"), action=audit.PURGE, officer_id="", case_id=case_id, detail=f"{removed} events",
        prev_hash=prev, hash="", received_at=now)
    entry.hash = audit.row_digest(entry)
    conn.execute(AUDIT.insert().values(**entry.model_dump()))


def purge_expired(ctx: ServerContext, site_id: str, now: datetime, dry_run: bool = False) -> list[str]:
    """Delete every case of the site whose newest event is older than its retention period; return their ids."""
    site = ctx.site_or_404(site_id)
    cutoff = now - timedelta(days=round(365.25 * site.retention_years))
    with ctx.db.writer.begin() as conn:
        cases = expired_cases(conn, site_id, cutoff)
        if dry_run:
            return cases
        for case_id in cases:
            ids = select(EVENTS.c.id).where(EVENTS.c.case_id == case_id, EVENTS.c.site_id == site_id)
            conn.execute(delete(FEED).where(FEED.c.event_id.in_(ids)))
            conn.execute(delete(SHARES).where(SHARES.c.case_id == case_id, SHARES.c.site_id == site_id))
            removed = conn.execute(delete(EVENTS).where(EVENTS.c.case_id == case_id,
                                                        EVENTS.c.site_id == site_id)).rowcount
            _audit_purge(conn, site_id, case_id, removed, now)
    return cases


async def purge_on_schedule(ctx: ServerContext) -> None:
    """Purge every site at start-up and then every `purge_every_hours`, for as long as the server runs.

    A failed round is logged (type only) and the next round tries again: retention must not stop the server.
    """
    every = ctx.settings.purge_every_hours * 3600
    while every > 0:
        for site_id in sorted(ctx.sites):
            try:
                cases = await run_in_threadpool(purge_expired, ctx, site_id, clock.now())
            except Exception as exc:  # noqa: BLE001 - logged without its message (it could hold data)
                log.error("retention purge site=%s failed: %s", site_id, type(exc).__name__)
            else:
                log.info("retention purge site=%s cases=%d", site_id, len(cases))
        await asyncio.sleep(every)
