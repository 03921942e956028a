"""The site server: FastAPI on SQLite or PostgreSQL, for enrolled tablets and the site admin.

It stores the events tablets push (sync.push), serves each tablet its feed of configuration and
shared cases (sync.pull), enrols and revokes tablets (sync.enrolment) and has pages and an API for
the site admin (sync.admin_pages, sync.admin). Here is only the wiring and what every request
shares: body size limit, the server's clock in a header, and every error as a JSON body with a
reason (never a traceback). The protocol is written down in sync/PROTOCOL.md; the OpenAPI schema at
/openapi.json is its contract.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import clock
from app.site import SITES_DIR, ConfigError, Site, load_site
from sync import admin, admin_pages, audit_trail, bookings, enrolment, pull, push, retention
from sync.context import ServerContext, ServerKeys, Settings
from sync.db import migrate, open_database
from sync.protocol import NOT_JSON, PROTOCOL_VERSION, ErrorDetail, Health, readable
from sync.ratelimit import Rate
from sync.signing import H_SERVER_TIME

log = logging.getLogger("courtside.server")

MAX_BODY_BYTES = 8 * 1024 * 1024


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir}/server.db"


def load_sites(site_paths: list[Path] | None) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for path in sorted(SITES_DIR.glob("*.toml")) if site_paths is None else site_paths:
        site = load_site(path)
        if site.id in sites:
            raise ConfigError(f"{path}: site id '{site.id}' is already used by another site file")
        sites[site.id] = site
    return sites


def open_context(db_url: str, data_dir: Path, site_paths: list[Path] | None = None,
                 settings: Settings | None = None) -> ServerContext:
    """The database (migrated), keys and sites: what the server and the admin commands both need."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(db_url)
    migrate(db)
    return ServerContext(db, ServerKeys.load(data_dir), load_sites(site_paths), settings or Settings())


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
        more = scope["method"] in ("POST", "PUT", "PATCH", "DELETE")
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


class ServerTime:
    """Every answer carries the server's clock, so a tablet can sign with a time the server accepts."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Any) -> None:
            if message["type"] == "http.response.start":
                stamp = f"{clock.now().timestamp():.3f}".encode()
                message = {**message, "headers": [*message.get("headers", []), (H_SERVER_TIME.lower().encode(), stamp)]}
            await send(message)

        await self.app(scope, receive, stamped)


def create_app(db_url: str, data_dir: Path, site_paths: list[Path] | None = None,
               settings: Settings | None = None) -> FastAPI:
    """Build the server for one database and data directory (its keys), serving the given site files."""
    ctx = open_context(db_url, data_dir, site_paths, settings)
    pull.publish_site_configs(ctx)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        purging = asyncio.create_task(retention.purge_on_schedule(ctx))
        yield
        purging.cancel()
        with suppress(asyncio.CancelledError):
            await purging
        ctx.db.dispose()

    app = FastAPI(title="Courtside site server", version=str(PROTOCOL_VERSION), lifespan=lifespan,
                  description="Sync for enrolled tablets and the site admin's API. See sync/PROTOCOL.md.")
    app.state.ctx = ctx

    app.add_middleware(ServerTime)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": readable(exc)}, status_code=422)  # type: ignore[arg-type]

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # only FastAPI's body parser raises 400 here: a malformed body is a 422
            return JSONResponse({"detail": NOT_JSON}, status_code=422)
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Only the type and route are logged: a traceback's locals could hold request data.
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.get("/healthz", response_model=Health, responses={503: {"model": ErrorDetail}}, tags=["health"])
    def healthz() -> Any:
        """Up, and the database answers."""
        try:
            with ctx.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.error("health check: database %s", type(exc).__name__)
            return JSONResponse({"detail": "the database does not answer"}, status_code=503)
        return Health(status="ok", database=ctx.db.dialect)

    if ctx.settings.bench_noop:
        @app.post("/api/v1/noop", include_in_schema=False)
        async def noop(request: Request) -> Response:
            await request.body()
            return Response(b"{}", media_type="application/json")

    for module in (enrolment, push, pull, admin, admin_pages, bookings, audit_trail):
        app.include_router(module.router(ctx))
    return app


def serve(host: str, port: int, db_url: str, data_dir: Path, site_paths: list[Path] | None = None,
          settings: Settings | None = None) -> None:
    """Run the server in this process until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(db_url, data_dir, site_paths, settings), host=host, port=port, log_level="info",
                timeout_keep_alive=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sync.server", description="Courtside site server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--data-dir", type=Path, default=Path("server-data"),
                        help="holds the server keys (and the SQLite database by default)")
    parser.add_argument("--db", default=None, help="database URL; default sqlite:///DATA_DIR/server.db")
    parser.add_argument("--site", type=Path, action="append", dest="sites",
                        help="a site file to serve (repeatable); default every content/sites/*.toml")
    parser.add_argument("--device-rate", type=float, default=Settings.device_rate.per_second,
                        help="requests per second each device may make (burst 5x)")
    parser.add_argument("--address-rate", type=float, default=Settings.address_rate.per_second,
                        help="unauthenticated attempts per second from one address (burst 15x)")
    parser.add_argument("--purge-every-hours", type=float, default=Settings.purge_every_hours,
                        help="run the retention purge at start-up and then this often (default 24; 0: never)")
    parser.add_argument("--bench-noop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    settings = Settings(device_rate=Rate(args.device_rate, max(1, int(args.device_rate * 5))),
                        address_rate=Rate(args.address_rate, max(1, int(args.address_rate * 15))),
                        purge_every_hours=args.purge_every_hours, bench_noop=args.bench_noop)
    serve(args.host, args.port, args.db or default_db_url(data_dir), data_dir, args.sites, settings)


if __name__ == "__main__":
    main()
