"""Retention on the tablet: closed cases that the site server holds leave the tablet after the site's period.

Why: a tablet is carried between courts and can be lost; the server keeps the record for the site's
retention period (years), so the tablet needs a closed case only for a short while (a reprint, a
correction). Only a case whose every event is synced is purged, so nothing is lost; the purge and its
audit entry are one transaction, so there is never a purge without its entry. SQLite's secure_delete
(app/store.py) overwrites the freed pages, and the WAL is checkpointed so old pages do not linger there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, text

from app import audit
from app.clock import parse
from app.store import CaseRow, EventRow, InboxRow, Session, select

if TYPE_CHECKING:
    from app.tablet import Tablet

CLOSED = "complete"


def _last_change_ms(stamp: str) -> int | None:
    try:
        return parse(stamp)[0]
    except ValueError:
        return None


def purge_closed(tablet: Tablet, now: datetime, officer_id: str = "") -> list[str]:
    """Remove closed, fully synced cases unchanged for `purge_after_days`; return their ids (each one audited)."""
    cutoff = int((now - timedelta(days=tablet.site.security.purge_after_days)).timestamp() * 1000)
    purged: list[str] = []
    with audit.LOCK, Session(tablet.engine) as s:
        for row in s.exec(select(CaseRow).where(CaseRow.status == CLOSED)).all():
            changed = _last_change_ms(row.updated_hlc)
            if changed is None or changed > cutoff:
                continue
            unsynced = s.exec(select(func.count()).select_from(EventRow).where(
                EventRow.case_id == row.case_id, EventRow.sync_state != "synced")).one()
            if unsynced:
                continue
            removed = s.exec(delete(EventRow).where(EventRow.case_id == row.case_id)).rowcount  # type: ignore[call-overload]
            s.exec(delete(InboxRow).where(InboxRow.case_id == row.case_id))  # type: ignore[call-overload]
            s.delete(row)
            audit.append(s, audit.PURGE, tablet.device_id, officer_id, row.case_id, f"{removed} events", now)
            purged.append(row.case_id)
        s.commit()
    if purged:
        with tablet.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return purged
