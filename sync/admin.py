"""The site admin's JSON API: sign in, enrolment codes, devices (list, revoke), sharing, sync health, cases.

Nothing here returns a payload: events are listed by their clear sync fields only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from sync import admin_auth, enrolment, pull
from sync.admin_auth import Admin
from sync.context import ServerContext
from sync.db import Quarantine, ServerAudit, ServerEvent, as_utc
from sync.protocol import (
    DEVICE_PATTERN,
    SITE_PATTERN,
    UUID_PATTERN,
    CaseEvent,
    CourtId,
    DeviceId,
    DeviceName,
    ErrorDetail,
    ShareResult,
    SiteId,
    SiteSummary,
)
from sync.push import parse_body

EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]
SiteIdParam = Annotated[str, PathParam(min_length=1, max_length=64, pattern=SITE_PATTERN)]
CaseIdParam = Annotated[str, PathParam(min_length=36, max_length=36, pattern=UUID_PATTERN)]
DeviceIdParam = Annotated[str, PathParam(min_length=4, max_length=64, pattern=DEVICE_PATTERN)]


class Login(BaseModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class AdminToken(BaseModel):
    token: str
    expires_at: datetime


class CodeRequest(BaseModel):
    site_id: SiteId
    device_name: DeviceName
    valid_hours: int = Field(default=24, ge=1, le=24 * 14)
    courts: list[CourtId] = Field(default=[], max_length=50,
                              description="court ids of the site this tablet serves: custody hand-overs reach only "
                                          "the tablets of their court")


class CourtsRequest(BaseModel):
    courts: list[CourtId] = Field(max_length=50, description="court ids of the device's site; empty: no court")


class IssuedCode(BaseModel):
    """Shown once: only a key derived from the code is kept."""

    code: str
    site_id: str
    device_name: str
    courts: list[str]
    expires_at: datetime


class ShareRequest(BaseModel):
    site_id: SiteId
    case_id: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
    device_id: DeviceId


class DeviceInfo(BaseModel):
    device_id: str
    site_id: str
    name: str
    status: str
    courts: list[str] = Field(description="the courts it serves (custody hand-overs to them reach it)")
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    last_push_at: datetime | None
    last_pull_at: datetime | None
    reported_pending: int | None
    reported_quarantined: int | None
    events: int = Field(description="events the server holds from this device")
    rejected: int = Field(description="distinct events this device pushed that the server quarantined")


class QuarantinedInfo(BaseModel):
    device_id: str
    site_id: str
    event_id: str | None
    reason: str
    first_seen: datetime
    last_seen: datetime
    times: int


class SiteHealth(BaseModel):
    site_id: str
    events: int
    cases: int
    devices_active: int
    devices_revoked: int


class SyncHealth(BaseModel):
    sites: list[SiteHealth]
    devices: list[DeviceInfo]
    quarantined: list[QuarantinedInfo]


def find_case(ctx: ServerContext, site_id: str, reference: str) -> str:
    """The case id a site admin means by the reference the tablet shows ("3F2A-9C1B") or by its whole id; a
    reference that names no case, or more than one, is refused with the reason. A case's audit trail can reach
    the server before its events, so both are searched."""
    ctx.site_or_404(site_id)
    wanted = reference.strip().lower()
    head = wanted.replace("-", "")
    if len(wanted) != 36 and not (len(head) == 8 and all(c in "0123456789abcdef" for c in head)):
        raise HTTPException(422, f"'{reference}' is not a case reference: it is eight letters and digits, as "
                                 "the tablet shows it under the person's name (for example 3F2A-9C1B)")
    found: set[str] = set()
    with ctx.db.engine.connect() as conn:
        for table in (EVENTS, ServerAudit.__table__):  # type: ignore[attr-defined]
            column = table.c.case_id
            match = column == wanted if len(wanted) == 36 else column.like(f"{head}-%")
            found |= set(conn.execute(select(column).where(table.c.site_id == site_id, match).distinct()
                                      .limit(2)).scalars())
    if not found:
        raise HTTPException(404, f"no case with reference '{reference}' has reached the server for this site")
    if len(found) > 1:
        raise HTTPException(409, f"more than one case has reference '{reference}': give the whole case id")
    return found.pop()


def device_infos(ctx: ServerContext) -> list[DeviceInfo]:
    with ctx.db.engine.connect() as conn:
        counts = dict(conn.execute(select(EVENTS.c.device_id, func.count()).group_by(EVENTS.c.device_id)).all())
        q = Quarantine.__table__  # type: ignore[attr-defined]
        rejected = dict(conn.execute(select(q.c.device_id, func.count()).group_by(q.c.device_id)).all())
    return [DeviceInfo(
        device_id=d.device_id, site_id=d.site_id, name=d.name, status=d.status, courts=d.courts.split(),
        enrolled_at=as_utc(d.enrolled_at), revoked_at=as_utc(d.revoked_at), last_seen_at=as_utc(d.last_seen_at),
        last_push_at=as_utc(d.last_push_at), last_pull_at=as_utc(d.last_pull_at),
        reported_pending=d.reported_pending, reported_quarantined=d.reported_quarantined,
        events=counts.get(d.device_id, 0), rejected=rejected.get(d.device_id, 0))
        for d in enrolment.list_devices(ctx)]


def sync_health(ctx: ServerContext) -> SyncHealth:
    devices = device_infos(ctx)
    q = Quarantine.__table__  # type: ignore[attr-defined]
    with ctx.db.engine.connect() as conn:
        per_site = {r.site_id: r for r in conn.execute(select(
            EVENTS.c.site_id, func.count().label("events"), func.count(EVENTS.c.case_id.distinct()).label("cases"))
            .group_by(EVENTS.c.site_id))}
        quarantined = conn.execute(select(q).order_by(q.c.last_seen.desc()).limit(200)).all()
    sites = []
    for site_id in sorted(set(ctx.sites) | set(per_site)):
        row = per_site.get(site_id)
        mine = [d for d in devices if d.site_id == site_id]
        sites.append(SiteHealth(site_id=site_id, events=row.events if row else 0, cases=row.cases if row else 0,
                                devices_active=sum(d.status == "active" for d in mine),
                                devices_revoked=sum(d.status == "revoked" for d in mine)))
    return SyncHealth(sites=sites, devices=devices, quarantined=[QuarantinedInfo(
        device_id=r.device_id, site_id=r.site_id, event_id=r.event_id, reason=r.reason,
        first_seen=as_utc(r.first_seen), last_seen=as_utc(r.last_seen), times=r.times) for r in quarantined])


def case_events(ctx: ServerContext, site_id: str, case_id: str) -> list[CaseEvent]:
    ctx.site_or_404(site_id)
    query = (select(EVENTS.c.id, EVENTS.c.kind, EVENTS.c.hlc, EVENTS.c.device_id, EVENTS.c.officer_id,
                    EVENTS.c.schema_version)
             .where(EVENTS.c.site_id == site_id, EVENTS.c.case_id == case_id).order_by(EVENTS.c.hlc, EVENTS.c.id))
    with ctx.db.engine.connect() as conn:
        return [CaseEvent.model_validate(row._asdict()) for row in conn.execute(query)]


def site_summary(ctx: ServerContext, site_id: str) -> SiteSummary:
    ctx.site_or_404(site_id)
    with ctx.db.engine.connect() as conn:
        events, cases = conn.execute(select(func.count(), func.count(EVENTS.c.case_id.distinct()))
                                     .where(EVENTS.c.site_id == site_id)).one()
    return SiteSummary(events=events, cases=cases)


def _info(ctx: ServerContext, device_id: str) -> DeviceInfo:
    return next(d for d in device_infos(ctx) if d.device_id == device_id)


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["admin"])
    signed_in = Depends(admin_auth.admin_api(ctx))
    errors: dict[int | str, dict[str, Any]] = {s: {"model": ErrorDetail} for s in (401, 404, 409, 422, 429)}

    @api.post("/api/v1/admin/login", response_model=AdminToken, responses=errors,
              openapi_extra={"requestBody": {"required": True,
                                             "content": {"application/json": {"schema": Login.model_json_schema()}}}})
    async def login(request: Request) -> AdminToken:
        """Sign in as a site admin; send the token back as `Authorization: Bearer <token>`."""
        ctx.limit_address(request.client.host if request.client else None)
        body = parse_body(Login, await request.body())
        if not await run_in_threadpool(admin_auth.check_password, ctx, body.name, body.password):
            raise HTTPException(401, "wrong admin name or password")
        token, expires = await run_in_threadpool(admin_auth.start_session, ctx, body.name)
        return AdminToken(token=token, expires_at=expires)

    @api.post("/api/v1/admin/logout", status_code=204, responses=errors)
    def logout(request: Request, _admin: Admin = signed_in) -> None:
        """End this session."""
        token = admin_auth.bearer_token(request)
        if token:
            admin_auth.end_session(ctx, token)

    @api.post("/api/v1/admin/enrolment-codes", response_model=IssuedCode, responses=errors)
    def issue(body: CodeRequest, who: Admin = signed_in) -> IssuedCode:
        """A one-time code for one named tablet; the tablet presents it to enrol."""
        code, expires = enrolment.issue_code(ctx, body.site_id, body.device_name, f"admin:{who.name}",
                                             body.valid_hours, body.courts)
        return IssuedCode(code=code, site_id=body.site_id, device_name=body.device_name,
                          courts=enrolment.court_list(ctx, body.site_id, body.courts).split(), expires_at=expires)

    @api.get("/api/v1/admin/devices", response_model=list[DeviceInfo], responses=errors)
    def devices(_admin: Admin = signed_in) -> list[DeviceInfo]:
        """Every enrolled device, with its last contact and what it reported of its queue."""
        return device_infos(ctx)

    @api.post("/api/v1/admin/devices/{device_id}/revoke", response_model=DeviceInfo, responses=errors)
    def revoke(device_id: DeviceIdParam, who: Admin = signed_in) -> DeviceInfo:
        """Refuse this device from now on; what it pushed stays."""
        enrolment.revoke(ctx, device_id, f"admin:{who.name}")
        return _info(ctx, device_id)

    @api.put("/api/v1/admin/devices/{device_id}/courts", response_model=DeviceInfo, responses=errors)
    def courts(device_id: DeviceIdParam, body: CourtsRequest, _admin: Admin = signed_in) -> DeviceInfo:
        """Set the courts this device serves; cases handed over to them from now on reach it."""
        enrolment.set_courts(ctx, device_id, body.courts)
        return _info(ctx, device_id)

    @api.post("/api/v1/admin/shares", response_model=ShareResult, responses=errors)
    def share(body: ShareRequest, who: Admin = signed_in) -> ShareResult:
        """Share a case with a device (its events go into that device's feed)."""
        return pull.share_case(ctx, body.site_id, body.case_id, body.device_id, f"admin:{who.name}")

    @api.get("/api/v1/admin/sync-health", response_model=SyncHealth, responses=errors)
    def health(_admin: Admin = signed_in) -> SyncHealth:
        """Per site and per device: what is held, last contact, queues reported, quarantined events."""
        return sync_health(ctx)

    @api.get("/api/v1/sites/{site_id}/cases/{case_id}/events", response_model=list[CaseEvent], responses=errors)
    def events_of_case(site_id: SiteIdParam, case_id: CaseIdParam, _admin: Admin = signed_in) -> list[CaseEvent]:
        """A case's events in clock order: clear sync fields only, never the payload."""
        return case_events(ctx, site_id, case_id)

    @api.get("/api/v1/sites/{site_id}/summary", response_model=SiteSummary, responses=errors)
    def summary(site_id: SiteIdParam, _admin: Admin = signed_in) -> SiteSummary:
        """How many events and cases the site holds."""
        return site_summary(ctx, site_id)

    return api
