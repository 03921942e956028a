"""The tablet's sync ledger: enrolment and the pinned server, the queue's states, the pull cursor, the inbox.

Why it is its own room: `sync/` talks HTTP and must not reach into the store, and the case log in
`app/tablet.py` should not have to know about servers. Everything here works while the tablet is
locked (no officer key): it moves sealed blobs and clear sync fields only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Row, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from app import audit, clock, officers
from app.device import DeviceKeys, FileKeyStore, KeyStore, new_device_keys, open_device_keys
from app.i18n import _
from app.site import ConfigError, build_site
from app.store import EventRow, InboxRow, Meta, Session, get_meta, select, set_meta

PENDING_STATES = ("pending", "failed")  # "failed" is what older versions left after a refused batch
# What a push carries of a queued event: its clear sync fields and the blob sealed to the server.
WIRE_COLUMNS = ("id", "case_id", "kind", "hlc", "device_id", "officer_id", "schema_version", "sealed")


@dataclass(frozen=True)
class Enrolment:
    """This tablet's registration with its site server, and the server identity it pinned."""

    server_url: str
    site_id: str
    device_id: str
    device_name: str
    server_identity_key: str
    server_seal_key: str


@dataclass(frozen=True)
class Quarantined:
    event_id: str
    case_id: str
    kind: str
    reason: str


@dataclass(frozen=True)
class PulledEvent:
    """An event of a shared case as the server sent it: clear fields plus the payload sealed to this device."""

    seq: int
    id: str
    case_id: str
    kind: str
    hlc: str
    device_id: str
    officer_id: str
    schema_version: int
    sealed: bytes


@dataclass(frozen=True)
class PulledConfig:
    seq: int
    version: int
    site: dict[str, Any]
    content: dict[str, Any]  # tools and consent content versions


def now_text() -> str:
    return clock.local_now().isoformat(timespec="seconds")


def sealed_digest(sealed: bytes | None) -> str:
    return hashlib.sha256(sealed or b"").hexdigest()


class SyncLedger:
    def __init__(self, engine: Engine, data_dir: Path, device_id: str, keystore: KeyStore | None = None) -> None:
        self.engine = engine
        self.device_id = device_id
        self.keystore = keystore or FileKeyStore(Path(data_dir) / "device.kek")
        self._keys: DeviceKeys | None = None

    # --- device keys and enrolment ---
    def device_keys(self, create: bool = False) -> DeviceKeys | None:
        """The device's own keys, unwrapped once per process; `create` makes them on first enrolment."""
        if self._keys is None:
            wrapped = get_meta(self.engine, "device_keys")
            if wrapped is not None:
                self._keys = open_device_keys(self.keystore, bytes.fromhex(wrapped), self.device_id)
            elif create:
                keys, blob = new_device_keys(self.keystore, self.device_id)
                set_meta(self.engine, "device_keys", blob.hex())
                self._keys = keys
        return self._keys

    def enrolment(self) -> Enrolment | None:
        raw = get_meta(self.engine, "enrolment")
        return Enrolment(**json.loads(raw)) if raw else None

    def record_enrolment(self, enrolment: Enrolment) -> None:
        """Pin the server: its identity key signs every answer, its seal key is what events are sealed to."""
        with Session(self.engine) as s:
            s.merge(Meta(key="enrolment", value=json.dumps(enrolment.__dict__)))
            s.merge(Meta(key="server_public_key", value=enrolment.server_seal_key))
            s.merge(Meta(key="sync_last_error", value=""))
            s.commit()

    # --- the push queue ---
    def unsent(self, limit: int) -> list[Row[Any]]:
        """Sealed events this tablet made that the server has not acknowledged; quarantined ones wait aside.

        Rows of the wire columns, not ORM objects: a push reads its whole queue, and building an EventRow per
        event (with the payload it never sends) was half of the tablet's share of a push.
        """
        events = EventRow.__table__.c  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            return list(conn.execute(sa_select(*[events[k] for k in WIRE_COLUMNS]).where(
                events.sync_state.in_(PENDING_STATES), events.sealed.is_not(None),
                events.device_id == self.device_id).order_by(events.hlc).limit(limit)))

    def mark_synced(self, ids: Iterable[str]) -> None:
        """The server holds these now; one short transaction (no ORM session: it ran once per pushed batch)."""
        ids = list(ids)
        events = EventRow.__table__.c  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 500):
                conn.execute(update(EventRow.__table__).where(  # type: ignore[attr-defined]
                    events.id.in_(ids[start:start + 500])).values(sync_state="synced", sync_error=None))
            meta = sqlite_insert(Meta.__table__)  # type: ignore[attr-defined]
            conn.execute(meta.on_conflict_do_update(index_elements=["key"], set_={"value": meta.excluded.value}),
                         [{"key": "sync_last_success", "value": now_text()}, {"key": "sync_last_error", "value": ""}])

    def quarantine(self, reasons: dict[str, str]) -> None:
        """Set refused events aside with the server's reason: kept, shown, not pushed again until re-queued."""
        with Session(self.engine) as s:
            for event_id, reason in reasons.items():
                s.exec(update(EventRow).where(EventRow.id == event_id)  # type: ignore[call-overload]
                       .values(sync_state="quarantined", sync_error=reason[:500]))
            s.commit()

    def requeue(self, ids: Iterable[str]) -> int:
        """Put events back in the queue (after a fix, or when the server turns out to have lost them)."""
        ids = list(ids)
        with Session(self.engine) as s:
            result = s.exec(update(EventRow).where(EventRow.id.in_(ids))  # type: ignore[call-overload]
                            .values(sync_state="pending", sync_error=None))
            s.commit()
            return int(result.rowcount or 0)

    def requeue_quarantined(self) -> int:
        with Session(self.engine) as s:
            ids = list(s.exec(select(EventRow.id).where(EventRow.sync_state == "quarantined")).all())
        return self.requeue(ids)

    def quarantined(self) -> list[Quarantined]:
        with Session(self.engine) as s:
            rows = s.exec(select(EventRow).where(EventRow.sync_state == "quarantined").order_by(EventRow.hlc)).all()
            return [Quarantined(r.id, r.case_id, r.kind, r.sync_error or "") for r in rows]

    def counts(self) -> dict[str, int]:
        with Session(self.engine) as s:
            return dict(s.exec(select(EventRow.sync_state, func.count()).where(
                EventRow.device_id == self.device_id).group_by(EventRow.sync_state)).all())

    def note(self, reason: str) -> None:
        set_meta(self.engine, "sync_last_error", reason)

    # --- the pull feed ---
    def cursor(self) -> str:
        return get_meta(self.engine, "pull_cursor") or "0"

    def reset_cursor(self) -> None:
        set_meta(self.engine, "pull_cursor", "0")

    def store_pulled(self, events: list[PulledEvent], configs: list[PulledConfig], cursor: str) -> int:
        """Keep a page and move the checkpoint in one transaction: a crash leaves both or neither. A new site
        file takes away the keys of officers it no longer lists in that same transaction."""
        stored = 0
        with audit.LOCK, Session(self.engine) as s:
            ids = [e.id for e in events]
            known = set(s.exec(select(EventRow.id).where(EventRow.id.in_(ids))).all()) if ids else set()
            known |= set(s.exec(select(InboxRow.id).where(InboxRow.id.in_(ids))).all()) if ids else set()
            for e in events:
                if e.id in known or e.device_id == self.device_id:
                    continue
                known.add(e.id)
                s.add(InboxRow(id=e.id, case_id=e.case_id, kind=e.kind, hlc=e.hlc, device_id=e.device_id,
                               officer_id=e.officer_id, schema_version=e.schema_version, sealed=e.sealed, seq=e.seq))
                stored += 1
            for config in configs:
                source = f"site server, configuration version {config.version}"
                try:
                    site = build_site(config.site, Path(source))
                except (ConfigError, KeyError, TypeError, ValueError) as exc:
                    said = _("Site configuration version {version} from the server was not installed: {error}")
                    s.merge(Meta(key="sync_last_error", value=said.format(version=config.version, error=exc)[:500]))
                    continue  # the last good configuration stays; the feed moves on
                s.merge(Meta(key="site_json", value=json.dumps(config.site)))
                s.merge(Meta(key="site_source", value=source))
                s.merge(Meta(key="site_content", value=json.dumps(config.content)))
                officers.forget_removed(s, site, self.device_id)
                stored += 1
            s.merge(Meta(key="pull_cursor", value=cursor))
            s.commit()
        return stored

    def inbox(self) -> list[InboxRow]:
        with Session(self.engine) as s:
            return list(s.exec(select(InboxRow).where(InboxRow.error.is_(None)).order_by(InboxRow.hlc)).all())

    def site_content(self) -> dict[str, Any]:
        """Tool and consent content versions the server runs this site with (from the last configuration pulled)."""
        raw = get_meta(self.engine, "site_content")
        return json.loads(raw) if raw else {}

    # --- drift check ---
    def own_held(self) -> dict[str, str]:
        """What this tablet believes the server holds of its own events: id to digest of the sealed blob."""
        with Session(self.engine) as s:
            rows = s.exec(select(EventRow.id, EventRow.sealed).where(
                EventRow.device_id == self.device_id, EventRow.sync_state == "synced")).all()
        return {event_id: sealed_digest(sealed) for event_id, sealed in rows}

    def own_states(self, bucket: str) -> dict[str, tuple[str, str]]:
        """Every event this tablet made in a digest bucket: id to (sync state, digest of the sealed blob)."""
        with Session(self.engine) as s:
            rows = s.exec(select(EventRow.id, EventRow.sync_state, EventRow.sealed).where(
                EventRow.device_id == self.device_id, EventRow.sealed.is_not(None),
                EventRow.id.startswith(bucket))).all()
        return {event_id: (state, sealed_digest(sealed)) for event_id, state, sealed in rows}

    def shared_ids(self) -> list[str]:
        """Every event received from the server: waiting in the inbox or already in the log."""
        with Session(self.engine) as s:
            taken = s.exec(select(EventRow.id).where(EventRow.device_id != self.device_id)).all()
            waiting = s.exec(select(InboxRow.id)).all()
        return sorted(set(taken) | set(waiting))
