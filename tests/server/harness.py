"""The site server as the tests see it: a real process, plus the same database opened here to look inside.

Why look inside: "stores nothing" and "exactly once" are claims about the database, so the tests
read it directly instead of trusting the API that is under test. Codes are issued the way a site
admin does on the server's own shell (sync.enrolment on the database), tablets enrol over HTTP.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from app.tablet import OfficerSession, Tablet
from sync import admin_auth, enrolment
from sync.client import SyncClient, wire_event
from sync.context import ServerContext
from sync.db import FeedEntry, Quarantine, RequestNonce, ServerEvent
from sync.signing import sign_request
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet

ADMIN, ADMIN_PASSWORD = "site-admin", "a long admin password"
SECRET = "Alex Example, born 1990-01-01"  # stands for personal data: must never be readable at rest
EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]


@dataclass
class SiteServer:
    url: str
    ctx: ServerContext
    data_dir: Path
    db_url: str

    def issue_code(self, name: str = "Test tablet", site: str = "demo", hours: int | None = None,
                   courts: Sequence[str] = ()) -> str:
        return enrolment.issue_code(self.ctx, site, name, "test", hours, courts)[0]

    def enrolled_tablet(self, data_dir: Path, name: str = "Test tablet", courts: Sequence[str] = (),
                        **client_kw: Any) -> Enrolled:
        tablet = provisioned_tablet(data_dir)
        client = SyncClient(tablet, self.url, "demo", **client_kw)
        client.enrol(self.issue_code(name, courts=courts))
        return Enrolled(tablet, client, tablet.unlock(OFFICER, PIN))

    def ensure_admin(self) -> None:
        """The test site admin exists (a new password would end every session, so it is set only once)."""
        if not admin_auth.check_password(self.ctx, ADMIN, ADMIN_PASSWORD):
            admin_auth.set_password(self.ctx, ADMIN, ADMIN_PASSWORD)

    def admin(self) -> httpx.Client:
        """An API client signed in as the site admin (Bearer token)."""
        self.ensure_admin()
        http = httpx.Client(base_url=self.url, timeout=30)
        token = http.post("/api/v1/admin/login", json={"name": ADMIN, "password": ADMIN_PASSWORD}).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        return http

    # --- what the database holds ---
    def held(self, device_id: str | None = None) -> dict[str, str]:
        """Event id to digest of the sealed blob, for every event held (or one device's)."""
        query = select(EVENTS.c.id, EVENTS.c.digest)
        if device_id is not None:
            query = query.where(EVENTS.c.device_id == device_id)
        with self.ctx.db.engine.connect() as conn:
            return dict(conn.execute(query).all())

    def count(self, table: Any = ServerEvent) -> int:
        with self.ctx.db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table.__table__)).scalar_one())

    def footprint(self) -> tuple[int, int, int]:
        """Events, quarantined refusals and feed entries: what a refused request must leave unchanged."""
        return self.count(ServerEvent), self.count(Quarantine), self.count(FeedEntry)

    def nonces(self) -> int:
        return self.count(RequestNonce)


@dataclass
class Enrolled:
    tablet: Tablet
    client: SyncClient
    session: OfficerSession

    @property
    def device_id(self) -> str:
        return self.tablet.device_id

    def new_case(self, notes: int = 2, name: str = SECRET) -> str:
        """A case opened on this tablet with a few more events: `notes + 1` events in all."""
        case_id = self.session.open_case(details(name), TODAY)
        for n in range(notes):
            self.session.record(case_id, "note_added", {"n": n, "text": SECRET})
        return case_id

    def own_ids(self) -> set[str]:
        from app.store import EventRow, Session

        with Session(self.tablet.engine) as s:
            return set(s.exec(select(EventRow.id).where(EventRow.device_id == self.device_id)).scalars())

    def signed_headers(self, method: str, target: str, body: bytes, **override: Any) -> dict[str, str]:
        keys = self.tablet.ledger.device_keys()
        assert keys is not None
        return sign_request(override.get("key", keys.signing), override.get("device_id", self.device_id), method,
                            target, body, override.get("when", time.time()))

    def batch_body(self, events: list[dict[str, Any]] | None = None, **fields: Any) -> bytes:
        """A push body of this tablet's queued events (as the client would send them), fields overridden."""
        if events is None:
            events = [wire_event(r) for r in self.tablet.unsent(500)]
        return json.dumps({"site_id": "demo", "device_id": self.device_id, "events": events, **fields}).encode()


def new_id() -> str:
    return str(uuid.uuid4())
