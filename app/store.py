"""The tablet's local store: SQLite in WAL mode through SQLModel.

Only what is needed to list and sync is kept in clear (ids, stamps, court, hearing date, status);
everything that names a person or says anything about their health is an encrypted payload.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, create_engine, select


class OfficerKey(SQLModel, table=True):
    """An officer's wrapped copy of the tablet data key; wiped after too many wrong PINs."""

    officer_id: str = Field(primary_key=True)
    wrapped_key: bytes | None = None
    kdf_salt: bytes
    kdf_n: int
    kdf_r: int
    kdf_p: int
    failed_attempts: int = 0


class EventRow(SQLModel, table=True):
    id: str = Field(primary_key=True)
    case_id: str = Field(index=True)
    kind: str
    hlc: str = Field(index=True)
    device_id: str
    officer_id: str
    schema_version: int
    payload: bytes  # AES-256-GCM under the tablet data key, aad = event id | case id
    sealed: bytes | None = None  # the same payload sealed to the site server, ready to push
    # pending | synced | quarantined (refused by the server, kept with its reason) | failed (older versions: pending)
    sync_state: str = Field(default="pending", index=True)
    sync_error: str | None = None


class CaseRow(SQLModel, table=True):
    """The clear-text projection used to list cases without opening every record."""

    case_id: str = Field(primary_key=True)
    court_id: str = Field(index=True)
    hearing_date: date = Field(index=True)
    created_on: date = Field(index=True)
    opened_by: str
    status: str
    name_index: str = Field(index=True)
    updated_hlc: str


class InboxRow(SQLModel, table=True):
    """An event pulled from the server (a case shared with this tablet), sealed to the device's inbox key.

    It waits here, unreadable without the device key, until an officer unlocks and it is taken into the
    case log under the data key (the sync loop pulls while the tablet is locked).
    """

    id: str = Field(primary_key=True)
    case_id: str = Field(index=True)
    kind: str
    hlc: str
    device_id: str
    officer_id: str
    schema_version: int
    sealed: bytes
    seq: int
    error: str | None = None  # why it could not be taken into the log, if it could not


class AuditRow(SQLModel, table=True):
    """One audit event (app/audit.py): who did what, when, on which device, to which case; ids only, never names.

    Each row carries the hash of the one before, so a removed, altered or reordered row is detected.
    """

    seq: int = Field(primary_key=True)
    id: str = Field(index=True)
    at: str  # UTC, ISO 8601
    action: str
    officer_id: str
    device_id: str
    case_id: str = Field(index=True)  # "" when the event is about no one case (an unlock, a wipe)
    detail: str  # an event kind or a count: never personal data
    prev_hash: str
    hash: str
    sync_state: str = Field(default="pending", index=True)


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API types
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a saved consent survives power loss
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # a purged case's pages are overwritten, not left in free space
    cursor.close()


def open_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    tables = (OfficerKey, EventRow, CaseRow, InboxRow, AuditRow, Meta)
    SQLModel.metadata.create_all(engine, tables=[t.__table__ for t in tables])
    return engine


def get_meta(engine: Engine, key: str) -> str | None:
    with Session(engine) as s:
        row = s.get(Meta, key)
        return row.value if row else None


def set_meta(engine: Engine, key: str, value: str) -> None:
    with Session(engine) as s:
        s.merge(Meta(key=key, value=value))
        s.commit()


__all__ = ["OfficerKey", "EventRow", "CaseRow", "InboxRow", "AuditRow", "Meta", "open_engine", "get_meta", "set_meta",
           "select", "Session"]
