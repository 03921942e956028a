"""Site admins: scrypt-hashed passwords, sessions kept only as token hashes, bearer tokens and cookies.

Why both: the JSON admin API takes `Authorization: Bearer <token>` (no cookie, so no cross-site
request can use it); the admin pages use an HttpOnly, SameSite=Strict cookie scoped to /admin, and
every form they post carries the session's CSRF token as well.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import HTTPException, Request
from sqlalchemy import delete
from sqlmodel import Session

from sync.context import ServerContext
from sync.db import AdminSession, AdminUser, as_utc, utcnow

NAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,80}$"
MIN_PASSWORD = 10
COOKIE = "courtside_admin"
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class Admin:
    name: str
    csrf: str


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def set_password(ctx: ServerContext, name: str, password: str) -> None:
    """Create the admin, or give them a new password (and end their sessions)."""
    if not re.fullmatch(NAME_PATTERN, name):
        raise ValueError("an admin name is 1 to 80 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"an admin password needs at least {MIN_PASSWORD} characters")
    salt = os.urandom(16)
    with Session(ctx.db.writer) as s, s.begin():
        s.merge(AdminUser(name=name, password_hash=_hash(password, salt, _N, _R, _P), salt=salt, kdf_n=_N,
                          kdf_r=_R, kdf_p=_P, created_at=utcnow()))
        s.execute(delete(AdminSession).where(AdminSession.admin_name == name))  # type: ignore[arg-type]


_DUMMY_SALT = os.urandom(16)


def check_password(ctx: ServerContext, name: str, password: str) -> bool:
    with Session(ctx.db.engine) as s:
        user = s.get(AdminUser, name) if re.fullmatch(NAME_PATTERN, name) else None
    if user is None:
        _hash(password, _DUMMY_SALT, _N, _R, _P)  # the same time either way: no hint which names exist
        return False
    return hmac.compare_digest(_hash(password, user.salt, user.kdf_n, user.kdf_r, user.kdf_p), user.password_hash)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(ctx: ServerContext, name: str) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(hours=ctx.settings.session_hours)
    with Session(ctx.db.writer) as s, s.begin():
        s.execute(delete(AdminSession).where(AdminSession.expires_at < now))  # type: ignore[arg-type]
        s.add(AdminSession(token_hash=_token_hash(token), admin_name=name, csrf=secrets.token_urlsafe(32),
                           created_at=now, expires_at=expires))
    return token, expires


def end_session(ctx: ServerContext, token: str) -> None:
    with Session(ctx.db.writer) as s, s.begin():
        s.execute(delete(AdminSession).where(AdminSession.token_hash == _token_hash(token)))  # type: ignore[arg-type]


def session_admin(ctx: ServerContext, token: str | None) -> Admin | None:
    if not token or len(token) > 200:
        return None
    with Session(ctx.db.engine) as s:
        row = s.get(AdminSession, _token_hash(token))
    if row is None or as_utc(row.expires_at) < utcnow():  # type: ignore[operator]
        return None
    return Admin(row.admin_name, row.csrf)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def admin_api(ctx: ServerContext):  # noqa: ANN201 - a FastAPI dependency
    """The signed-in admin of a JSON request (Bearer token), or 401."""

    def dependency(request: Request) -> Admin:
        admin = session_admin(ctx, bearer_token(request))
        if admin is None:
            raise HTTPException(401, "sign in as a site admin first (POST /api/v1/admin/login) and send "
                                     "Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"})
        return admin

    return dependency
