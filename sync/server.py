"""The site server: stores pushed case events as an idempotent set union and serves site configuration.

Why it looks like this: tablets retry, crash and reconnect, so a push must be safe to repeat in any
order (INSERT ... ON CONFLICT DO NOTHING keyed by event id); a batch is one transaction, so a refused
event leaves nothing half-stored; and the server opens every sealed blob before accepting it, so a
tampered or moved record is refused at the door. Payloads stay sealed in the database and are never
logged. SQLite (WAL) is the one-command default; PostgreSQL is production; both run the same code.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Column, DateTime, LargeBinary, String, event, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Field, Session, SQLModel, create_engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.crypto import VaultError, event_aad, load_or_create_server_key, public_key_b64, unseal
from app.site import SITES_DIR, ConfigError, Site, load_site
from sync.protocol import (
    PROTOCOL_VERSION,
    CaseEvent,
    ErrorDetail,
    PushBatch,
    PushResult,
    SiteConfig,
    SiteSummary,
    WireEvent,
)

log = logging.getLogger("courtside.server")

MAX_BODY_BYTES = 8 * 1024 * 1024

# Stamps and ids must sort bytewise on every backend; a PostgreSQL locale collation would not.
_SortableText = String(64).with_variant(String(64, collation="C"), "postgresql")


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
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir}/server.db"


def make_engine(db_url: str) -> Engine:
    """SQLite gets WAL (readers never block the writer) and cross-thread use; PostgreSQL uses psycopg 3."""
    url = make_url(db_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship, not psycopg2
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        return engine
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ValueError(f"unsupported database URL scheme '{url.drivername}' (use sqlite:/// or postgresql+psycopg://)")


def _load_sites(site_paths: list[Path]) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for path in site_paths:
        site = load_site(path)
        if site.id in sites:
            raise ConfigError(f"{path}: site id '{site.id}' is already used by another site file")
        sites[site.id] = site
    return sites


class BodyLimit:
    """Refuses request bodies over the limit with 413, before the app parses anything (chunked or not)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        # Read the body here (bounded), then replay it: a chunked body has no length to check up front.
        chunks: list[bytes] = []
        size = 0
        more = scope["method"] in ("POST", "PUT", "PATCH")
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        if not chunks:
            await self.app(scope, receive, send)
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Callable[[Any], Awaitable[None]]) -> None:
        response = JSONResponse(
            {"detail": f"request body is larger than {self.limit // (1024 * 1024)} MiB"}, status_code=413,
            headers={"connection": "close"})
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Any:
    return {"type": "http.disconnect"}


def _readable(exc: RequestValidationError) -> str:
    """Validation errors as one sentence naming the field, without echoing what was sent."""
    parts = []
    for error in exc.errors()[:5]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "path", "query")]
        field = ".".join(loc) or "body"
        msg = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        parts.append(f"{field}: {msg}")
    more = len(exc.errors()) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorDetail} for status in (404, 409, 413, 422)}

SiteIdParam = Annotated[str, PathParam(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
CaseIdParam = Annotated[str, PathParam(min_length=36, max_length=36,
                                       pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]


def create_app(db_url: str, data_dir: Path, site_paths: list[Path] | None = None) -> FastAPI:
    """Build the server for one database and data directory (server key), serving the given site files."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server_key = load_or_create_server_key(data_dir / "server_key.pem")
    public_key = public_key_b64(server_key)
    sites = _load_sites(sorted(SITES_DIR.glob("*.toml")) if site_paths is None else site_paths)
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine, tables=[ServerEvent.__table__])  # type: ignore[list-item]
    table = ServerEvent.__table__
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="Courtside site server", version=str(PROTOCOL_VERSION), lifespan=lifespan)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _readable(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # only FastAPI's body parser raises 400 here: a malformed body is a 422
            return JSONResponse({"detail": "body: could not be read as JSON (bad encoding, nesting too deep, "
                                           "or a number too long)"}, status_code=422)
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Only the type and route are logged: a traceback's locals could hold request data.
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    def site_or_404(site_id: str) -> Site:
        site = sites.get(site_id)
        if site is None:
            raise HTTPException(404, f"unknown site '{site_id}'")
        return site

    def check_sealed(ev: WireEvent) -> None:
        try:
            unseal(server_key, ev.sealed_bytes(), event_aad(ev.id, ev.case_id))
        except VaultError:
            raise HTTPException(
                422, f"event {ev.id} does not open with this server's key (altered, moved to another "
                     "record, or sealed to another server); nothing from this batch was stored") from None

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/sites/{site_id}/config", response_model=SiteConfig, responses=_ERRORS)
    def site_config(site_id: SiteIdParam) -> SiteConfig:
        return SiteConfig(site=site_or_404(site_id).raw, server_public_key=public_key)

    @app.post("/api/v1/events", response_model=PushResult, responses=_ERRORS)
    def push_events(batch: PushBatch) -> PushResult:
        site_or_404(batch.site_id)
        for ev in batch.events:  # all opened before anything is written: a bad one refuses the batch
            check_sealed(ev)
        unique: dict[str, WireEvent] = {}
        for ev in batch.events:
            unique.setdefault(ev.id, ev)
        now = datetime.now(UTC)
        # Rows go in id order so concurrent overlapping pushes take row locks in one order (no deadlock).
        rows = [{"id": ev.id, "case_id": ev.case_id, "site_id": batch.site_id, "device_id": ev.device_id,
                 "officer_id": ev.officer_id, "kind": ev.kind, "hlc": ev.hlc,
                 "schema_version": ev.schema_version, "sealed": ev.sealed_bytes(), "received_at": now}
                for ev in sorted(unique.values(), key=lambda ev: ev.id)]
        statement = (insert(table).values(rows).on_conflict_do_nothing(index_elements=["id"])
                     .returning(table.c.id))
        with Session(engine) as session, session.begin():
            new_ids = set(session.execute(statement).scalars())
            held = [ev for ev in unique.values() if ev.id not in new_ids]
            if held:
                owners = {row.id: (row.site_id, row.case_id) for row in session.execute(
                    select(table.c.id, table.c.site_id, table.c.case_id)
                    .where(table.c.id.in_([ev.id for ev in held])))}
                for ev in held:
                    if owners.get(ev.id) != (batch.site_id, ev.case_id):
                        # Raising inside session.begin() rolls the whole batch back.
                        raise HTTPException(409, f"event {ev.id} is already held for another site or case; "
                                                 "nothing from this batch was stored")
        log.info("push site=%s device=%s events=%d stored=%d duplicates=%d", batch.site_id,
                 batch.device_id, len(batch.events), len(new_ids), len(batch.events) - len(new_ids))
        return PushResult(stored=len(new_ids), duplicates=len(batch.events) - len(new_ids),
                          accepted_ids=list(unique))

    @app.get("/api/v1/sites/{site_id}/cases/{case_id}/events", response_model=list[CaseEvent],
             responses=_ERRORS)
    def case_events(site_id: SiteIdParam, case_id: CaseIdParam) -> list[CaseEvent]:
        site_or_404(site_id)
        query = (select(table.c.id, table.c.kind, table.c.hlc, table.c.device_id, table.c.officer_id,
                        table.c.schema_version)
                 .where(table.c.site_id == site_id, table.c.case_id == case_id)
                 .order_by(table.c.hlc, table.c.id))
        with Session(engine) as session:
            return [CaseEvent.model_validate(row._asdict()) for row in session.execute(query)]

    @app.get("/api/v1/sites/{site_id}/summary", response_model=SiteSummary, responses=_ERRORS)
    def site_summary(site_id: SiteIdParam) -> SiteSummary:
        site_or_404(site_id)
        query = (select(func.count(), func.count(table.c.case_id.distinct()))
                 .where(table.c.site_id == site_id))
        with Session(engine) as session:
            events, cases = session.execute(query).one()
        return SiteSummary(events=events, cases=cases)

    return app


def serve(host: str, port: int, db_url: str, data_dir: Path, site_paths: list[Path] | None = None) -> None:
    """Run the server in this process until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(db_url, data_dir, site_paths), host=host, port=port, log_level="info")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sync.server", description="Courtside site server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--data-dir", type=Path, default=Path("server-data"),
                        help="holds the server key (and the SQLite database by default)")
    parser.add_argument("--db", default=None, help="database URL; default sqlite:///DATA_DIR/server.db")
    parser.add_argument("--site", type=Path, action="append", dest="sites",
                        help="a site file to serve (repeatable); default every content/sites/*.toml")
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    serve(args.host, args.port, args.db or default_db_url(data_dir), data_dir, args.sites)


if __name__ == "__main__":
    main()
