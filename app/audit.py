"""The audit trail: every view, create, change, print, export, purge and unlock attempt, hash-chained.

Why: the Data Protection Act 2018 Part 3 asks for a log of collection, alteration, consultation,
disclosure and erasure with who and when. Each entry holds the SHA-256 of the one before and its own
sequence number, and the newest hash is also kept apart (Meta `audit_head`), so removing, altering or
reordering any entry — the last one included — breaks the chain where it happened. Entries hold ids and
event kinds only, never a name, a date of birth or an answer, so the trail can stay in clear and be
read without an officer's key.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine

from app import clock
from app.i18n import N_
from app.store import AuditRow, Meta, Session, select

VIEW, CREATE, CHANGE, PRINT, EXPORT, PURGE = "view", "create", "change", "print", "export", "purge"
SEARCH = "search"  # a look-up by name: which officer, how many matches (never the name typed)
LISTED = "listed"  # the detail of a view entry for a case shown in a list (its name was on screen)
UNLOCK, UNLOCK_FAILED, LOCKED_OUT, WIPED = "unlock", "unlock_failed", "locked_out", "keys_wiped"
KEY_DELETED = "key_deleted"  # one officer's wrapped key, e.g. when the site file no longer lists them
# What each action is called where a person reads the trail (the site admin's audit page).
ACTION_NAMES = {VIEW: N_("Viewed"), CREATE: N_("Created"), CHANGE: N_("Changed"), PRINT: N_("Printed"),
                EXPORT: N_("Exported"), PURGE: N_("Purged"), SEARCH: N_("Searched by name"), UNLOCK: N_("Unlocked"),
                UNLOCK_FAILED: N_("Wrong PIN"), LOCKED_OUT: N_("Locked out"), WIPED: N_("Keys wiped"),
                KEY_DELETED: N_("Officer's key deleted")}
GENESIS = "0" * 64
HEAD = "audit_head"

# One writer at a time in this process, so two threads never chain onto the same previous entry.
LOCK = threading.Lock()


@dataclass(frozen=True)
class Break:
    """The first entry where the chain does not hold, and why."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


def _digest(prev_hash: str, seq: int, entry_id: str, at: str, action: str, officer_id: str, device_id: str,
            case_id: str, detail: str) -> str:
    body = json.dumps([seq, entry_id, at, action, officer_id, device_id, case_id, detail], separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def row_digest(row: AuditRow | Any) -> str:
    """The hash an entry must carry; anything with the entry's fields will do (the server checks wire entries)."""
    return _digest(row.prev_hash, row.seq, row.id, row.at, row.action, row.officer_id, row.device_id, row.case_id,
                   row.detail)


def append(s: Session, action: str, device_id: str, officer_id: str = "", case_id: str = "", detail: str = "",
           at: datetime | None = None) -> AuditRow:
    """Chain one entry in the caller's transaction; the caller holds `LOCK` until it commits.

    Taking part in the caller's transaction means a purge and its audit entry land together or not at all.
    """
    last = s.exec(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()  # type: ignore[union-attr]
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    stamp = (at or clock.now()).astimezone(UTC).isoformat(timespec="milliseconds")
    row = AuditRow(seq=seq, id=str(uuid.uuid4()), at=stamp, action=action, officer_id=officer_id,
                   device_id=device_id, case_id=case_id, detail=detail, prev_hash=prev, hash="")
    row.hash = row_digest(row)
    s.add(row)
    s.merge(Meta(key=HEAD, value=f"{seq}:{row.hash}"))
    return row


def record(engine: Engine, action: str, device_id: str, officer_id: str = "", case_id: str = "",
           detail: str = "", at: datetime | None = None) -> AuditRow:
    """Chain one entry in a transaction of its own."""
    with LOCK, Session(engine) as s:
        row = append(s, action, device_id, officer_id, case_id, detail, at)
        s.commit()
        s.refresh(row)
        return row


def record_many(engine: Engine, action: str, device_id: str, officer_id: str, items: list[tuple[str, str]]) -> None:
    """Chain one entry per (case id, detail), all in one transaction (a list showing many cases)."""
    with LOCK, Session(engine) as s:
        for case_id, detail in items:
            append(s, action, device_id, officer_id, case_id, detail)
        s.commit()


def entries(engine: Engine, case_id: str | None = None) -> list[AuditRow]:
    with Session(engine) as s:
        query = select(AuditRow).order_by(AuditRow.seq)
        if case_id is not None:
            query = query.where(AuditRow.case_id == case_id)
        return list(s.exec(query).all())


def count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(AuditRow)).one()


def verify(engine: Engine) -> Break | None:
    """The first broken entry, or None when the whole chain holds up to the recorded head."""
    prev, expected = GENESIS, 1
    with Session(engine) as s:
        head = s.get(Meta, HEAD)
        for row in s.exec(select(AuditRow).order_by(AuditRow.seq)):
            if row.seq != expected:
                return Break(expected, f"missing (the next entry held is {row.seq})")
            if row.prev_hash != prev:
                return Break(row.seq, "does not follow the entry before it (removed, reordered or altered)")
            if row_digest(row) != row.hash:
                return Break(row.seq, "was altered after it was written")
            prev, expected = row.hash, expected + 1
        count = s.exec(select(func.count()).select_from(AuditRow)).one()
    if head is None:
        return Break(1, "the chain's head is missing") if count else None
    held = f"{expected - 1}:{prev}"
    if head.value != held:
        head_seq = head.value.split(":", 1)[0]
        return Break(int(head_seq) if head_seq.isdigit() else expected,
                     "missing or altered: the trail ends before its recorded head")
    return None


def pending(engine: Engine, limit: int = 500) -> list[AuditRow]:
    """Entries not yet sent to the site server, oldest first."""
    with Session(engine) as s:
        return list(s.exec(select(AuditRow).where(AuditRow.sync_state == "pending").order_by(AuditRow.seq)
                           .limit(limit)).all())


def mark_sent(engine: Engine, through_seq: int) -> None:
    """The server holds every entry up to `through_seq` (it keeps them in order, so one number says it)."""
    with Session(engine) as s:
        for row in s.exec(select(AuditRow).where(AuditRow.sync_state == "pending", AuditRow.seq <= through_seq)):
            row.sync_state = "synced"
            s.add(row)
        s.commit()
