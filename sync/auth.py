"""Who is asking: a device proves itself by signing each request; the server signs what it answers.

Order of checks, and why: an unknown device or a bad signature is 401 before anything else is
said (so a guesser learns nothing about which devices exist or are revoked); a genuine request from
a revoked device is 403 at once; a request outside the clock window is 401 with the server's time in
a header, so an honest tablet can correct its clock and retry; then the per-device rate limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import clock
from sync.context import ServerContext
from sync.db import Device
from sync.protocol import DEVICE_PATTERN
from sync.signing import (
    H_DEVICE,
    H_NONCE,
    H_SERVER_SIGNATURE,
    H_SIGNATURE,
    H_TIME,
    NONCE_PATTERN,
    b64,
    request_message,
    response_message,
    verify,
)


@dataclass(frozen=True)
class AuthedDevice:
    device_id: str
    site_id: str
    name: str
    nonce: str


def _target(request: Request) -> str:
    """The path and query exactly as sent, which is what the device signed."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    return (raw + (b"?" + query if query else b"")).decode("latin-1")


def _check(ctx: ServerContext, method: str, target: str, headers: dict[str, str], body: bytes,
           address: str | None) -> AuthedDevice:
    device_id, stamp = headers.get(H_DEVICE.lower()), headers.get(H_TIME.lower())
    nonce, signature = headers.get(H_NONCE.lower()), headers.get(H_SIGNATURE.lower())
    if not (device_id and stamp and nonce and signature):
        ctx.limit_address(address)
        raise HTTPException(401, f"this request is not signed: it needs the {H_DEVICE}, {H_TIME}, {H_NONCE} and "
                                 f"{H_SIGNATURE} headers (see PROTOCOL.md)")
    if (not re.fullmatch(DEVICE_PATTERN, device_id) or not re.fullmatch(r"[0-9]{1,12}", stamp)
            or not re.fullmatch(NONCE_PATTERN, nonce) or not re.fullmatch(r"[A-Za-z0-9+/]{86}==", signature)):
        ctx.limit_address(address)
        raise HTTPException(401, "the signature headers are malformed (see PROTOCOL.md)")
    with Session(ctx.db.engine) as s:
        device = s.get(Device, device_id)
    if device is None:
        ctx.limit_address(address)
        raise HTTPException(401, f"unknown device '{device_id}': enrol it with a code from the site admin")
    if not verify(device.signing_key, signature, request_message(method, target, device_id, stamp, nonce, body)):
        ctx.limit_address(address)
        raise HTTPException(401, "the signature does not match: the request was altered, or signed with "
                                 "another key")
    if device.status != "active":
        raise HTTPException(403, f"device '{device_id}' was revoked by the site admin: it may not sync")
    skew = int(stamp) - clock.now().timestamp()
    if abs(skew) > ctx.settings.clock_window:
        raise HTTPException(401, f"the request time is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} "
                                 "the server's clock: correct the clock and sign again")
    wait = ctx.device_limits.take(device_id)
    if wait:
        raise HTTPException(429, f"device '{device_id}' is sending too fast: wait {wait:.1f} s",
                            headers={"Retry-After": str(max(1, round(wait)))})
    return AuthedDevice(device_id, device.site_id, device.name, nonce)


def device_auth(ctx: ServerContext) -> Any:
    """A FastAPI dependency: the signed-in device, or a 401/403/429 with its reason."""

    async def dependency(request: Request) -> AuthedDevice:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        address = request.client.host if request.client else None
        return await run_in_threadpool(_check, ctx, request.method, _target(request), headers, body, address)

    return dependency


def signed(ctx: ServerContext, device: AuthedDevice, model: BaseModel, status: int = 200) -> Response:
    """A JSON answer signed with the server's identity key, bound to the request's nonce."""
    body = model.model_dump_json().encode()
    signature = ctx.keys.identity.sign(response_message(device.nonce, status, body))
    return Response(body, status_code=status, media_type="application/json",
                    headers={H_SERVER_SIGNATURE: b64(signature)})
