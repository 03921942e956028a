"""Enrolment: one-time codes a site admin issues, redeemed by a tablet that brings its own public keys.

Why a proof instead of the code: the tablet sends an HMAC under a key derived from the code, and the
server answers with one too, so whoever sits between them learns nothing they could enrol with, and
the tablet knows the identity key it pins came from the server the admin issued the code on. The
server keeps only a lookup id and that derived key, and each code works once (presenting it again
with the same keys gets the same answer, so a tablet whose first answer was lost can retry).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import select
from sqlmodel import Session

from app import clock
from sync.context import ServerContext
from sync.db import Device, EnrolmentCode, as_utc, utcnow
from sync.protocol import EnrolRequest, EnrolResponse, ErrorDetail
from sync.signing import (
    code_id,
    code_mac_key,
    enrol_request_proof,
    enrol_response_proof,
    new_code,
    proofs_match,
)

NOT_VALID = ("this enrolment code is not valid: it is unknown, already used or expired "
             "(ask the site admin for a new one)")


def issue_code(ctx: ServerContext, site_id: str, device_name: str, created_by: str,
               valid_hours: int | None = None, courts: Iterable[str] = ()) -> tuple[str, datetime]:
    """A new one-time code for one named tablet at one site; shown once, kept only as a derived key.

    `courts` are the site's courts the tablet will serve: cases handed over from custody reach only those.
    """
    served = court_list(ctx, site_id, courts)
    name = " ".join(device_name.split())
    if not 1 <= len(name) <= 80:
        raise HTTPException(422, "device_name: must be 1 to 80 characters")
    code = new_code()
    now = utcnow()
    expires = now + timedelta(hours=valid_hours or ctx.settings.code_hours)
    with Session(ctx.db.writer) as s, s.begin():
        s.add(EnrolmentCode(code_id=code_id(code), site_id=site_id, device_name=name, mac_key=code_mac_key(code),
                            created_by=created_by, created_at=now, expires_at=expires, courts=served))
    return code, expires


def court_list(ctx: ServerContext, site_id: str, courts: Iterable[str]) -> str:
    """The courts as stored (space-separated, in the site's order), or 422 naming one the site does not have."""
    site = ctx.site_or_404(site_id)
    known = [c.id for c in site.courts]
    wanted = {c.strip() for c in courts if c.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        raise HTTPException(422, f"courts: site '{site_id}' has no court '{unknown[0]}' (its courts: "
                                 f"{', '.join(known) or 'none'})")
    return " ".join(c for c in known if c in wanted)


def set_courts(ctx: ServerContext, device_id: str, courts: Iterable[str]) -> Device:
    """Say which courts a tablet serves from now on (cases already handed over stay where they went)."""
    with Session(ctx.db.writer, expire_on_commit=False) as s, s.begin():
        device = s.get(Device, device_id)
        if device is None:
            raise HTTPException(404, f"unknown device '{device_id}'")
        device.courts = court_list(ctx, device.site_id, courts)
        s.add(device)
        return device


def redeem(ctx: ServerContext, req: EnrolRequest) -> EnrolResponse:
    with Session(ctx.db.writer) as s, s.begin():
        code = s.get(EnrolmentCode, req.code_id)
        if code is None:
            raise HTTPException(403, NOT_VALID)
        expected = enrol_request_proof(code.mac_key, req.code_id, req.device_id, req.signing_key, req.inbox_key)
        if not proofs_match(expected, req.proof):
            raise HTTPException(403, NOT_VALID)
        again = code.used_at is not None and code.device_id == req.device_id and code.request_proof == req.proof
        if code.used_at is not None and not again:
            raise HTTPException(403, NOT_VALID)
        if not again and as_utc(code.expires_at) < utcnow():  # type: ignore[operator]
            raise HTTPException(403, NOT_VALID)
        device = s.get(Device, req.device_id)
        if not again:
            if device is not None:
                raise HTTPException(409, f"device id '{req.device_id}' is already enrolled: a tablet that was "
                                         "reset must start with a new device id")
            now = utcnow()
            device = Device(device_id=req.device_id, site_id=code.site_id, name=code.device_name,
                            signing_key=req.signing_key, inbox_key=req.inbox_key, status="active",
                            code_id=code.code_id, enrolled_at=now, courts=code.courts)
            s.add(device)
            code.used_at, code.device_id, code.request_proof = now, req.device_id, req.proof
            s.add(code)
        assert device is not None
        if device.status != "active":
            raise HTTPException(403, f"device '{req.device_id}' was revoked by the site admin: it may not sync")
        site_id, name, mac_key = device.site_id, device.name, code.mac_key
    keys = ctx.keys
    return EnrolResponse(
        device_id=req.device_id, device_name=name, site_id=site_id, server_identity_key=keys.identity_public,
        server_seal_key=keys.seal_public, server_time=clock.now().timestamp(),
        proof=enrol_response_proof(mac_key, req.proof, req.device_id, site_id, keys.identity_public,
                                   keys.seal_public))


def list_devices(ctx: ServerContext, site_id: str | None = None) -> list[Device]:
    query = select(Device).order_by(Device.site_id, Device.enrolled_at)
    if site_id is not None:
        query = query.where(Device.site_id == site_id)
    with Session(ctx.db.engine) as s:
        return list(s.execute(query).scalars())


def revoke(ctx: ServerContext, device_id: str, by: str) -> Device:
    """From this moment every request the device signs is refused; what it already pushed stays."""
    with Session(ctx.db.writer, expire_on_commit=False) as s, s.begin():
        device = s.get(Device, device_id)
        if device is None:
            raise HTTPException(404, f"unknown device '{device_id}'")
        if device.status != "revoked":
            device.status, device.revoked_at, device.revoked_by = "revoked", utcnow(), by[:80]
            s.add(device)
        return device


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["enrolment"])

    @api.post("/api/v1/enrol", response_model=EnrolResponse,
              responses={status: {"model": ErrorDetail} for status in (403, 409, 422, 429)})
    def enrol(req: EnrolRequest, request: Request) -> EnrolResponse:
        """A tablet presents a one-time code (as a proof) and its public keys, and learns whom to trust."""
        ctx.limit_address(request.client.host if request.client else None)
        return redeem(ctx, req)

    return api
