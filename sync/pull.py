"""Pull: each device's feed (site configuration, and the cases shared with it) from a server-given cursor.

Why a feed of positions: a tablet keeps only the last position it stored, so a dropped connection
resumes where it stopped instead of starting again from zero. Positions are handed out under a lock
(sync.db.next_seq), so a reader never passes one that is not yet visible. Events in the feed are
opened with the server's key and sealed again to the device's inbox key: only that tablet can read
them, and only once an officer unlocks it. The drift check compares digests of what each side holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from app import screening
from app.crypto import VaultError, event_aad, seal, unseal
from app.site import CONTENT_DIR, Site
from sync.auth import AuthedDevice, device_auth, signed
from sync.context import ServerContext
from sync.db import CaseShare, Device, FeedEntry, ServerEvent, SiteConfig, lock_feed, next_seq, utcnow
from sync.protocol import (
    MAX_PULL_ITEMS,
    DriftDigest,
    ErrorDetail,
    HandOver,
    HeldEvent,
    HeldEvents,
    PullItem,
    PullPage,
    ShareResult,
    SiteDocument,
    WireEvent,
)
from sync.push import parse_body
from sync.signing import b64, set_digest

log = logging.getLogger("courtside.server")
EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]
FEED = FeedEntry.__table__  # type: ignore[attr-defined]
SHARES = CaseShare.__table__  # type: ignore[attr-defined]

CursorParam = Annotated[str, Query(pattern=r"^[0-9]{1,18}$", description="opaque position from the last page")]


# --- the site configuration as versioned documents ---

def site_document(site: Site) -> dict[str, Any]:
    """The site file plus the versions of the content it runs with (screening tool, easy-read consent)."""
    tools: dict[str, dict[str, Any]] = {}
    try:
        tool = screening.load_tool(site.screening_tool)
        tools[tool.id] = {"version": tool.version, "content_hash": tool.content_hash,
                          "file": Path(tool.path).name, "files": screening.tool_files(tool)}
    except Exception as exc:  # a tool being edited must not stop the server: the tablet keeps its bundled copy
        log.warning("screening tool %s of site %s could not be loaded: %s", site.screening_tool, site.id,
                    type(exc).__name__)
        tools[site.screening_tool] = {"version": None, "content_hash": None}
    consent: dict[str, dict[str, Any]] = {}
    for path in sorted((CONTENT_DIR / "easy_read").glob("*/*.toml")):
        raw = path.read_bytes()
        try:
            version = tomllib.loads(raw.decode()).get("version")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            version = None
        consent[f"{path.parent.name}/{path.stem}"] = {"version": version if isinstance(version, str) else None,
                                                       "sha256": hashlib.sha256(raw).hexdigest()}
    return {"site": site.raw, "tools": tools, "consent": consent}


def publish_site_configs(ctx: ServerContext) -> None:
    """At start: a site whose configuration changed gets a new version, which goes into every device's feed."""
    table = SiteConfig.__table__  # type: ignore[attr-defined]
    documents = {site_id: site_document(site) for site_id, site in ctx.sites.items()}
    with ctx.db.writer.begin() as conn:
        for site_id, document in documents.items():
            text = json.dumps(document, sort_keys=True, separators=(",", ":"))
            content_hash = hashlib.sha256(text.encode()).hexdigest()
            latest = conn.execute(select(table.c.content_hash).where(table.c.site_id == site_id)
                                  .order_by(table.c.version.desc()).limit(1)).scalar()
            if latest == content_hash:
                continue
            version = next_seq(conn)
            conn.execute(table.insert().values(version=version, site_id=site_id, content_hash=content_hash,
                                               document=text, created_at=utcnow()))
            conn.execute(FEED.insert().values(seq=version, site_id=site_id, device_id=None, type="config",
                                              event_id=None, config_version=version))
            log.info("site %s configuration version %d published", site_id, version)


# --- sharing a case with a device ---

def share_case(ctx: ServerContext, site_id: str, case_id: str, device_id: str, by: str) -> ShareResult:
    """Put a case's events into a device's feed, and its later events as they arrive."""
    ctx.site_or_404(site_id)
    with ctx.db.writer.begin() as conn:
        lock_feed(conn)  # before reading the case's events: see sync.db.lock_feed
        target = conn.execute(select(Device.__table__).where(  # type: ignore[attr-defined]
            Device.__table__.c.device_id == device_id)).first()  # type: ignore[attr-defined]
        if target is None or target.site_id != site_id:
            raise HTTPException(404, f"no device '{device_id}' is enrolled at site '{site_id}'")
        if target.status != "active":
            raise HTTPException(409, f"device '{device_id}' was revoked: a case cannot be shared with it")
        events = _case_events(conn, site_id, case_id)
        count = _share_with(conn, site_id, case_id, device_id, by, events)
    log.info("case shared site=%s device=%s events=%d", site_id, device_id, count)
    return ShareResult(case_id=case_id, device_id=device_id, events=count)


def share_with_court(ctx: ServerContext, site_id: str, case_id: str, court_id: str, sender: str) -> ShareResult:
    """A case handed over to a court goes to the active tablets that serve that court, and to the sender (so the
    court's later work flows back to custody); no other tablet of the site receives it (need to know)."""
    site = ctx.site_or_404(site_id)
    if court_id not in {c.id for c in site.courts}:
        raise HTTPException(404, f"site '{site_id}' has no court '{court_id}'")
    table = Device.__table__  # type: ignore[attr-defined]
    with ctx.db.writer.begin() as conn:
        lock_feed(conn)
        events = _case_events(conn, site_id, case_id)
        active = conn.execute(select(table.c.device_id, table.c.courts).where(
            table.c.site_id == site_id, table.c.status == "active").order_by(table.c.device_id)).all()
        serving = {d.device_id for d in active if court_id in d.courts.split()}
        devices = [d.device_id for d in active if d.device_id in serving or d.device_id == sender]
        if not serving:
            log.warning("case handed over to court %s of site %s, which no tablet serves yet", court_id, site_id)
        counts = {d: _share_with(conn, site_id, case_id, d, f"device:{sender} to court:{court_id}", events)
                  for d in devices}
    log.info("case handed over site=%s court=%s devices=%d", site_id, court_id, len(devices))
    return ShareResult(case_id=case_id, device_id="", events=max(counts.values(), default=0), devices=devices)


def _case_events(conn: Connection, site_id: str, case_id: str) -> list[Any]:
    events = conn.execute(select(EVENTS.c.id, EVENTS.c.device_id).where(
        EVENTS.c.site_id == site_id, EVENTS.c.case_id == case_id).order_by(EVENTS.c.hlc, EVENTS.c.id)).all()
    if not events:
        raise HTTPException(404, f"site '{site_id}' holds no events of case {case_id}")
    return list(events)


def _share_with(conn: Connection, site_id: str, case_id: str, device_id: str, by: str, events: list[Any]) -> int:
    """Record the share once and feed the device the case's events it lacks; returns how many it now has."""
    already = conn.execute(select(SHARES.c.case_id).where(SHARES.c.case_id == case_id,
                                                          SHARES.c.device_id == device_id)).first()
    if already is None:
        conn.execute(SHARES.insert().values(case_id=case_id, device_id=device_id, site_id=site_id,
                                            shared_by=by[:100], shared_at=utcnow()))
        fed = set(conn.execute(select(FEED.c.event_id).where(FEED.c.device_id == device_id,
                                                             FEED.c.event_id.in_([e.id for e in events])))
                  .scalars())
        todo = [e.id for e in events if e.device_id != device_id and e.id not in fed]
        if todo:
            start = next_seq(conn, len(todo))
            conn.execute(FEED.insert(), [{"seq": start + i, "site_id": site_id, "device_id": device_id,
                                          "type": "event", "event_id": event_id, "config_version": None}
                                         for i, event_id in enumerate(todo)])
    count = conn.execute(select(FEED.c.seq).where(FEED.c.device_id == device_id, FEED.c.type == "event",
                                                  FEED.c.event_id.in_([e.id for e in events]))).all()
    return len(count)


def hand_over(ctx: ServerContext, device: AuthedDevice, request: HandOver) -> ShareResult:
    """A device may hand over a case it made events for, or that was shared with it."""
    with ctx.db.engine.connect() as conn:
        made = conn.execute(select(EVENTS.c.id).where(EVENTS.c.case_id == request.case_id,
                                                      EVENTS.c.device_id == device.device_id).limit(1)).first()
        shared = conn.execute(select(SHARES.c.case_id).where(SHARES.c.case_id == request.case_id,
                                                             SHARES.c.device_id == device.device_id)).first()
    if made is None and shared is None:
        raise HTTPException(403, f"device '{device.device_id}' holds no events of case {request.case_id} on this "
                                 "server: it can only hand over a case it has pushed or was given")
    if request.to_court_id is not None:
        return share_with_court(ctx, device.site_id, request.case_id, request.to_court_id, device.device_id)
    assert request.to_device_id is not None
    return share_case(ctx, device.site_id, request.case_id, request.to_device_id, f"device:{device.device_id}")


# --- the feed ---

def pull_page(ctx: ServerContext, device: AuthedDevice, cursor: int, limit: int, pending: int | None,
              quarantined: int | None) -> PullPage:
    with ctx.db.engine.connect() as conn:
        rows = conn.execute(select(FEED.c.seq, FEED.c.type, FEED.c.event_id, FEED.c.config_version).where(
            FEED.c.seq > cursor, or_(FEED.c.device_id == device.device_id,
                                     (FEED.c.device_id.is_(None)) & (FEED.c.site_id == device.site_id)))
            .order_by(FEED.c.seq).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        events = _events(conn, [r.event_id for r in rows if r.type == "event"])
        configs = _configs(conn, [r.config_version for r in rows if r.type == "config"])
        inbox_key = conn.execute(select(Device.__table__.c.inbox_key).where(  # type: ignore[attr-defined]
            Device.__table__.c.device_id == device.device_id)).scalar_one()  # type: ignore[attr-defined]
    items = []
    for r in rows:
        if r.type == "event" and r.event_id in events:
            try:
                event = _reseal(ctx, events[r.event_id], inbox_key)
            except VaultError:  # checked when it was pushed, so the database itself was altered
                log.error("event=stored_event_unreadable event_id=%s", r.event_id)  # left out of the feed
                continue
            items.append(PullItem(seq=r.seq, type="event", event=event))
        elif r.type == "config" and r.config_version in configs:
            items.append(PullItem(seq=r.seq, type="config", config=configs[r.config_version]))
    _note_pull(ctx, device, pending, quarantined)
    return PullPage(cursor=str(rows[-1].seq if rows else cursor), more=more, items=items)


def _events(conn: Connection, ids: list[str]) -> dict[str, Any]:
    if not ids:
        return {}
    return {r.id: r for r in conn.execute(select(EVENTS).where(EVENTS.c.id.in_(ids)))}


def _configs(conn: Connection, versions: list[int]) -> dict[int, SiteDocument]:
    if not versions:
        return {}
    table = SiteConfig.__table__  # type: ignore[attr-defined]
    return {r.version: SiteDocument(version=r.version, content_hash=r.content_hash, **json.loads(r.document))
            for r in conn.execute(select(table).where(table.c.version.in_(versions)))}


def _reseal(ctx: ServerContext, row: Any, inbox_key: str) -> WireEvent:
    aad = event_aad(row.id, row.case_id)
    payload = unseal(ctx.keys.seal, row.sealed, aad)
    return WireEvent(id=row.id, case_id=row.case_id, kind=row.kind, hlc=row.hlc, device_id=row.device_id,
                     officer_id=row.officer_id, schema_version=row.schema_version,
                     sealed=b64(seal(inbox_key, payload, aad)))


def _note_pull(ctx: ServerContext, device: AuthedDevice, pending: int | None, quarantined: int | None) -> None:
    """What the tablet reports of its queue, for the sync-health page."""
    table = Device.__table__  # type: ignore[attr-defined]
    now = utcnow()
    with ctx.db.writer.begin() as conn:
        conn.execute(update(table).where(table.c.device_id == device.device_id).values(
            last_pull_at=now, last_seen_at=now, reported_pending=pending, reported_quarantined=quarantined))


# --- drift check ---

def drift_digest(ctx: ServerContext, device: AuthedDevice, cursor: int) -> DriftDigest:
    with ctx.db.engine.connect() as conn:
        own = conn.execute(select(EVENTS.c.id, EVENTS.c.digest).where(
            EVENTS.c.device_id == device.device_id, EVENTS.c.site_id == device.site_id)).all()
        shared = conn.execute(select(FEED.c.event_id).distinct().where(
            FEED.c.device_id == device.device_id, FEED.c.type == "event", FEED.c.seq <= cursor)).scalars().all()
    return DriftDigest(own=set_digest((r.id, r.digest) for r in own),
                       shared=set_digest((event_id, "") for event_id in shared), cursor=str(cursor))


def held_events(ctx: ServerContext, device: AuthedDevice, bucket: str) -> HeldEvents:
    with ctx.db.engine.connect() as conn:
        rows = conn.execute(select(EVENTS.c.id, EVENTS.c.digest).where(
            EVENTS.c.device_id == device.device_id, EVENTS.c.site_id == device.site_id,
            EVENTS.c.id.startswith(bucket)).order_by(EVENTS.c.id)).all()
    return HeldEvents(bucket=bucket, events=[HeldEvent(id=r.id, digest=r.digest) for r in rows])


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["sync"])
    authed = Depends(device_auth(ctx))
    errors: dict[int | str, dict[str, Any]] = {s: {"model": ErrorDetail} for s in (401, 403, 404, 409, 422, 429)}

    @api.get("/api/v1/sync/pull", response_model=PullPage, responses=errors)
    async def pull(device: AuthedDevice = authed, cursor: CursorParam = "0",
                   limit: Annotated[int, Query(ge=1, le=MAX_PULL_ITEMS)] = 200,
                   pending: Annotated[int | None, Query(ge=0, le=10**9)] = None,
                   quarantined: Annotated[int | None, Query(ge=0, le=10**9)] = None) -> Response:
        """The next page of this device's feed after `cursor`: configuration and events of shared cases."""
        page = await run_in_threadpool(pull_page, ctx, device, int(cursor), limit, pending, quarantined)
        return signed(ctx, device, page)

    @api.get("/api/v1/sync/digest", response_model=DriftDigest, responses=errors)
    async def digest(device: AuthedDevice = authed, cursor: CursorParam = "0") -> Response:
        """Digests of what the server holds for this device, to compare with what the tablet holds."""
        return signed(ctx, device, await run_in_threadpool(drift_digest, ctx, device, int(cursor)))

    @api.get("/api/v1/sync/held", response_model=HeldEvents, responses=errors)
    async def held(device: AuthedDevice = authed,
                   bucket: Annotated[str, Query(pattern=r"^[0-9a-f]$")] = "0") -> Response:
        """This device's events the server holds in one digest bucket, to repair a drift."""
        return signed(ctx, device, await run_in_threadpool(held_events, ctx, device, bucket))

    @api.post("/api/v1/sync/hand-over", response_model=ShareResult, responses=errors,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": HandOver.model_json_schema()}}}})
    async def hand_over_case(request: Request, device: AuthedDevice = authed) -> Response:
        """Share a case this device holds with another device of its site (custody to court)."""
        body = parse_body(HandOver, await request.body())
        return signed(ctx, device, await run_in_threadpool(hand_over, ctx, device, body))

    return api
