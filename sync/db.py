"""The site server's database: its tables (SQLModel), engines for SQLite and PostgreSQL, and migrations.

Why two engines on SQLite: a write transaction there must take the write lock when it begins
(BEGIN IMMEDIATE), or two writers that both read first deadlock on the upgrade; readers keep the
plain engine and never wait. On PostgreSQL one engine does both, and feed positions are handed out
under a row lock (`next_seq`) so they become visible in the order they were given. The schema is
owned by Alembic (sync/migrations), never by create_all: a server upgraded across versions keeps
its data, including a database made by the first version, which had no migration history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    event,
    inspect,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Field, SQLModel, create_engine

from app import clock

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Stamps and ids must sort bytewise on every backend; a PostgreSQL locale collation would not.
_SortableText = String(64).with_variant(String(64, collation="C"), "postgresql")


def _when(nullable: bool = False) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable))


class ServerEvent(SQLModel, table=True):
    """A stored case event: clear sync columns plus the payload exactly as sealed by the tablet."""

    __tablename__ = "server_event"

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(index=True, max_length=36)
    site_id: str = Field(index=True, max_length=64)
    device_id: str = Field(max_length=100)
    officer_id: str = Field(max_length=100)
    kind: str = Field(max_length=40)
    hlc: str = Field(sa_column=Column(_SortableText, nullable=False))
    schema_version: int
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    received_at: datetime = _when()
    digest: str = Field(max_length=64, description="sha256 hex of sealed: duplicates and drift are compared by it")


class Device(SQLModel, table=True):
    """An enrolled tablet: its public keys, its site, and whether it may still talk to the server."""

    __tablename__ = "device"

    device_id: str = Field(primary_key=True, max_length=64)
    site_id: str = Field(index=True, max_length=64)
    name: str = Field(max_length=80)
    signing_key: str = Field(max_length=44)
    inbox_key: str = Field(max_length=44)
    status: str = Field(max_length=16)  # active | revoked
    code_id: str = Field(max_length=32)
    courts: str = Field(default="", max_length=1000)  # space-separated court ids it serves (hand-overs go there)
    enrolled_at: datetime = _when()
    revoked_at: datetime | None = _when(nullable=True)
    revoked_by: str | None = Field(default=None, max_length=80)
    last_seen_at: datetime | None = _when(nullable=True)
    last_push_at: datetime | None = _when(nullable=True)
    last_pull_at: datetime | None = _when(nullable=True)
    reported_pending: int | None = None
    reported_quarantined: int | None = None


class EnrolmentCode(SQLModel, table=True):
    """A one-time code a site admin issued for one named tablet; only a key derived from it is kept."""

    __tablename__ = "enrolment_code"

    code_id: str = Field(primary_key=True, max_length=32)
    site_id: str = Field(max_length=64)
    device_name: str = Field(max_length=80)
    courts: str = Field(default="", max_length=1000)  # given to the device when the code is redeemed
    mac_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_by: str = Field(max_length=80)
    created_at: datetime = _when()
    expires_at: datetime = _when()
    used_at: datetime | None = _when(nullable=True)
    device_id: str | None = Field(default=None, max_length=64)
    request_proof: str | None = Field(default=None, max_length=64)


class RequestNonce(SQLModel, table=True):
    """Nonces of signed writes seen inside the clock window: a replayed request is refused."""

    __tablename__ = "request_nonce"

    device_id: str = Field(primary_key=True, max_length=64)
    nonce: str = Field(primary_key=True, max_length=64)
    seen_at: datetime = _when()


class CaseShare(SQLModel, table=True):
    """A case shared with a device (handed over from custody to court, or by an admin)."""

    __tablename__ = "case_share"

    case_id: str = Field(primary_key=True, max_length=36)
    device_id: str = Field(primary_key=True, max_length=64)
    site_id: str = Field(max_length=64)
    shared_by: str = Field(max_length=100)
    shared_at: datetime = _when()


class FeedEntry(SQLModel, table=True):
    """One position in a device's pull feed (or a whole site's, for configuration)."""

    __tablename__ = "feed_entry"
    __table_args__ = (Index("ix_feed_entry_device_seq", "device_id", "seq"),
                      Index("ix_feed_entry_site_seq", "site_id", "seq"))

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    site_id: str = Field(max_length=64)
    device_id: str | None = Field(default=None, max_length=64)  # None: for every device of the site
    type: str = Field(max_length=16)  # event | config
    event_id: str | None = Field(default=None, max_length=36)
    config_version: int | None = None


class SiteConfig(SQLModel, table=True):
    """A version of a site's configuration document, kept so tablets get each change once."""

    __tablename__ = "site_config"

    version: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    site_id: str = Field(index=True, max_length=64)
    content_hash: str = Field(max_length=64)
    document: str
    created_at: datetime = _when()


class Counter(SQLModel, table=True):
    __tablename__ = "sync_counter"

    name: str = Field(primary_key=True, max_length=32)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


class Quarantine(SQLModel, table=True):
    """An event the server would not store, with why: what the sync-health page lists. Never its content."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("device_id", "raw_digest", name="uq_quarantine_device_raw"),)

    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(index=True, max_length=64)
    site_id: str = Field(max_length=64)
    event_id: str | None = Field(default=None, max_length=36)
    reason: str = Field(max_length=500)
    raw_digest: str = Field(max_length=64)
    first_seen: datetime = _when()
    last_seen: datetime = _when()
    times: int = 1


class ReportFact(SQLModel, table=True):
    """A case's report facts (app.report.Facts as JSON), refolded whenever its events arrive. They name nobody:
    month, court, stages, requirements, lengths, referral source, consent format, equality categories."""

    __tablename__ = "report_fact"
    __table_args__ = (Index("ix_report_fact_site_month", "site_id", "month"),)

    case_id: str = Field(primary_key=True, max_length=36)
    site_id: str = Field(max_length=64)
    month: str = Field(max_length=7)
    court_id: str = Field(max_length=64)
    facts: str
    updated_at: datetime = _when()


class ServerAudit(SQLModel, table=True):
    """A tablet's audit entry (app/audit.py) as the tablet chained it: ids and kinds only, never content.

    Keyed by device and sequence, so a resent entry changes nothing; the chain is checked on arrival, and an
    entry arriving again with a different hash is refused, so a tablet's trail cannot be rewritten later.
    """

    __tablename__ = "server_audit"

    device_id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    site_id: str = Field(index=True, max_length=64)
    id: str = Field(max_length=36)
    at: str = Field(max_length=40)
    action: str = Field(max_length=40)
    officer_id: str = Field(max_length=100)
    case_id: str = Field(index=True, max_length=36)
    detail: str = Field(max_length=200)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    received_at: datetime = _when()


class AdminUser(SQLModel, table=True):
    __tablename__ = "admin_user"

    name: str = Field(primary_key=True, max_length=80)
    password_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    salt: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    kdf_n: int
    kdf_r: int
    kdf_p: int
    created_at: datetime = _when()


class AdminSession(SQLModel, table=True):
    """A signed-in admin: only a hash of the token is kept, so a copied database signs nobody in."""

    __tablename__ = "admin_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    admin_name: str = Field(max_length=80)
    csrf: str = Field(max_length=64)
    created_at: datetime = _when()
    expires_at: datetime = _when()


def utcnow() -> datetime:
    return clock.now()


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without a zone; everything is stored in UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Database:
    """Where reads and writes go; `writer` begins every transaction holding the write lock on SQLite."""

    url: str
    engine: Engine
    writer: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
        if self.writer is not self.engine:
            self.writer.dispose()


def _sqlite_engine(url: Any, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged event survives power loss
        cursor.close()
        if immediate:
            dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, says when to begin

    if immediate:
        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def open_database(db_url: str) -> Database:
    """SQLite (WAL, cross-thread) or PostgreSQL through psycopg 3; anything else is refused by name."""
    url = make_url(db_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship, not psycopg2
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return Database(db_url, _sqlite_engine(url, immediate=False), _sqlite_engine(url, immediate=True))
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        return Database(db_url, engine, engine)
    raise ValueError(f"unsupported database URL scheme '{url.drivername}' (use sqlite:/// or postgresql+psycopg://)")


def migrate(db: Database) -> None:
    """Bring the schema to the newest version; a first-version database (no history) is recognised first."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.writer.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7007001)"))  # one migrator at a time
        tables = set(inspect(conn).get_table_names())
        config.attributes["connection"] = conn
        if "server_event" in tables and "alembic_version" not in tables:
            command.stamp(config, "0001")
        command.upgrade(config, "head")


def next_seq(conn: Connection, count: int = 1) -> int:
    """Reserve `count` feed positions and return the first. The counter row stays locked until commit,
    so positions become visible in the order they were handed out (a reader never skips one)."""
    table = Counter.__table__  # type: ignore[attr-defined]
    last = conn.execute(update(table).where(table.c.name == "feed").values(value=table.c.value + count)
                        .returning(table.c.value)).scalar_one()
    return int(last) - count + 1


def insert_for(conn: Connection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING / DO UPDATE on both engines."""
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def lock_feed(conn: Connection) -> None:
    """Hold the feed lock until commit. A push that looks up a case's shares and a share that looks up the
    case's events both take it first, so whichever commits second sees what the first did: an event pushed
    while its case is being shared still reaches the device's feed (SQLite writers are serialised anyway)."""
    table = Counter.__table__  # type: ignore[attr-defined]
    conn.execute(update(table).where(table.c.name == "feed").values(value=table.c.value))
