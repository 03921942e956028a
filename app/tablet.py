"""The tablet's services: unlock, the case log, and each pathway step. Screens call only this.

Every method here may block (SQLite, scrypt, PDF), so screens call them through `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func

from app import crypto, screening, suitability
from app.case import SCHEMA_VERSION, Case, CaseDetails, CaseEvent, FieldErrors, fold
from app.clock import HybridClock
from app.consent import ConsentText
from app.i18n import _
from app.leaflet import LeafletData, render_leaflet
from app.screening import Tool
from app.site import Site, Slot, build_site
from app.store import CaseRow, EventRow, OfficerKey, Session, get_meta, open_engine, select, set_meta
from app.suitability import Decision

MAX_PIN_ATTEMPTS = 5


class WrongPin(Exception):
    def __init__(self, tries_left: int) -> None:
        super().__init__(tries_left)
        self.tries_left = tries_left


class OfficerLocked(Exception):
    """Too many wrong PINs: this officer's key was wiped; a site admin must re-enrol them."""


@dataclass(frozen=True)
class CaseSummary:
    case_id: str
    name: str
    court_id: str
    hearing_date: date
    status: str


@dataclass(frozen=True)
class SyncStatus:
    pending: int
    synced: int
    failed: int
    last_error: str | None
    last_success: str | None


class Tablet:
    """One tablet's data directory: its store, site configuration, device id and clock."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.engine = open_engine(self.data_dir / "tablet.db")
        device = get_meta(self.engine, "device_id")
        if device is None:
            device = uuid.uuid4().hex[:12]
            set_meta(self.engine, "device_id", device)
        self.device_id = device
        self.clock = HybridClock(device)
        self._site: tuple[str, Site] | None = None
        with Session(self.engine) as s:
            last = s.exec(select(func.max(EventRow.hlc))).one()
        if last:
            self.clock.observe(last)

    # --- configuration ---
    @property
    def site(self) -> Site:
        raw = get_meta(self.engine, "site_json")
        if raw is None:
            raise RuntimeError("this tablet has no site configuration yet")
        if self._site is None or self._site[0] != raw:  # parse once per configuration, not per screen
            self._site = (raw, build_site(json.loads(raw), Path(get_meta(self.engine, "site_source") or "site")))
        return self._site[1]

    @property
    def has_site(self) -> bool:
        return get_meta(self.engine, "site_json") is not None

    def install_site(self, site: Site, source: str) -> None:
        """Keep the configuration as data: it arrives from the server or, for a first start, from a file."""
        set_meta(self.engine, "site_json", json.dumps(site.raw))
        set_meta(self.engine, "site_source", source)

    @property
    def server_public_key(self) -> str | None:
        return get_meta(self.engine, "server_public_key")

    def set_server_public_key(self, key_b64: str) -> None:
        set_meta(self.engine, "server_public_key", key_b64)

    # --- officers and keys ---
    def enrolled_officers(self) -> list[str]:
        with Session(self.engine) as s:
            return [k.officer_id for k in s.exec(select(OfficerKey)) if k.wrapped_key is not None]

    def enrol_officer(self, officer_id: str, pin: str, data_key: bytes | None = None) -> None:
        """Wrap the tablet data key for an officer. The first officer creates the key."""
        if len(pin) < 4 or not pin.isdigit():
            raise FieldErrors({"pin": _("The PIN must be at least 4 digits")})
        self.site.officer(officer_id)
        with Session(self.engine) as s:
            if data_key is None:
                if s.exec(select(OfficerKey)).first() is not None:
                    raise PermissionError("an enrolled officer must unlock to enrol another")
                data_key = crypto.new_key()
            params = crypto.KdfParams.fresh()
            s.merge(OfficerKey(officer_id=officer_id, kdf_salt=params.salt, kdf_n=params.n, kdf_r=params.r,
                               kdf_p=params.p, failed_attempts=0,
                               wrapped_key=crypto.wrap_key(data_key, pin, params, officer_id.encode())))
            s.commit()

    def unlock(self, officer_id: str, pin: str) -> OfficerSession:
        with Session(self.engine) as s:
            key = s.get(OfficerKey, officer_id)
            if key is None or key.wrapped_key is None:
                raise OfficerLocked(officer_id)
            params = crypto.KdfParams(salt=key.kdf_salt, n=key.kdf_n, r=key.kdf_r, p=key.kdf_p)
            try:
                data_key = crypto.unwrap_key(key.wrapped_key, pin, params, officer_id.encode())
            except crypto.VaultError:
                key.failed_attempts += 1
                left = MAX_PIN_ATTEMPTS - key.failed_attempts
                if left <= 0:
                    key.wrapped_key = None
                s.add(key)
                s.commit()
                if left <= 0:
                    raise OfficerLocked(officer_id) from None
                raise WrongPin(left) from None
            key.failed_attempts = 0
            s.add(key)
            s.commit()
        return OfficerSession(self, officer_id, data_key)

    # --- sync bookkeeping (no key needed: sealed payloads are ready to go) ---
    def sync_status(self) -> SyncStatus:
        with Session(self.engine) as s:
            counts = dict(s.exec(select(EventRow.sync_state, func.count()).group_by(EventRow.sync_state)).all())
        return SyncStatus(counts.get("pending", 0), counts.get("synced", 0), counts.get("failed", 0),
                          get_meta(self.engine, "sync_last_error"), get_meta(self.engine, "sync_last_success"))

    def unsent(self, limit: int = 200) -> list[EventRow]:
        with Session(self.engine) as s:
            rows = s.exec(select(EventRow).where(EventRow.sync_state != "synced", EventRow.sealed.is_not(None))
                          .order_by(EventRow.hlc).limit(limit)).all()
            return list(rows)

    def mark_synced(self, ids: list[str]) -> None:
        with Session(self.engine) as s:
            for row in s.exec(select(EventRow).where(EventRow.id.in_(ids))):
                row.sync_state, row.sync_error = "synced", None
                s.add(row)
            s.commit()
        set_meta(self.engine, "sync_last_success", datetime.now().astimezone().isoformat(timespec="seconds"))
        set_meta(self.engine, "sync_last_error", "")

    def mark_failed(self, ids: list[str], reason: str) -> None:
        """A refusal from the server: kept, flagged with its reason, retried later; never dropped."""
        with Session(self.engine) as s:
            for row in s.exec(select(EventRow).where(EventRow.id.in_(ids))):
                row.sync_state, row.sync_error = "failed", reason
                s.add(row)
            s.commit()
        set_meta(self.engine, "sync_last_error", reason)

    def note_unreachable(self, reason: str) -> None:
        set_meta(self.engine, "sync_last_error", reason)


class OfficerSession:
    """An unlocked officer: holds the data key in memory only."""

    def __init__(self, tablet: Tablet, officer_id: str, data_key: bytes) -> None:
        self.tablet = tablet
        self.officer_id = officer_id
        self._key = data_key
        self._index_key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"courtside blind index").derive(
            data_key)

    @property
    def officer_name(self) -> str:
        return self.tablet.site.officer(self.officer_id).name

    # --- the log ---
    def _append(self, s: Session, case_id: str, kind: str, payload: dict[str, Any]) -> CaseEvent:
        event_id = str(uuid.uuid4())
        hlc = self.tablet.clock.now()
        plain = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        aad = crypto.event_aad(event_id, case_id)
        server_key = self.tablet.server_public_key
        s.add(EventRow(
            id=event_id, case_id=case_id, kind=kind, hlc=hlc, device_id=self.tablet.device_id,
            officer_id=self.officer_id, schema_version=SCHEMA_VERSION,
            payload=crypto.encrypt(self._key, plain, aad),
            sealed=crypto.seal(server_key, plain, aad) if server_key else None,
        ))
        return CaseEvent(event_id, case_id, kind, hlc, self.officer_id, payload)

    def _open(self, rows: list[EventRow]) -> list[CaseEvent]:
        return [CaseEvent(r.id, r.case_id, r.kind, r.hlc, r.officer_id,
                          json.loads(crypto.decrypt(self._key, r.payload, crypto.event_aad(r.id, r.case_id))))
                for r in rows]

    def _rows(self, s: Session, case_id: str) -> list[EventRow]:
        return list(s.exec(select(EventRow).where(EventRow.case_id == case_id).order_by(EventRow.hlc)).all())

    def events(self, case_id: str) -> list[CaseEvent]:
        with Session(self.tablet.engine) as s:
            return self._open(self._rows(s, case_id))

    def case(self, case_id: str) -> Case:
        return fold(case_id, self.events(case_id))

    def record(self, case_id: str, kind: str, payload: dict[str, Any]) -> Case:
        """Append one event and refresh the clear-text projection in the same transaction."""
        with Session(self.tablet.engine) as s:
            new = self._append(s, case_id, kind, payload)
            s.flush()
            case = fold(case_id, self._open(self._rows(s, case_id)))
            row = s.get(CaseRow, case_id)
            if row is None:
                raise KeyError(case_id)
            row.status, row.updated_hlc = case.status, new.hlc
            s.add(row)
            s.commit()
        return case

    def seal_unsealed(self) -> int:
        """Seal events written before the server's key was known, so they can be pushed."""
        server_key = self.tablet.server_public_key
        if not server_key:
            return 0
        with Session(self.tablet.engine) as s:
            rows = s.exec(select(EventRow).where(EventRow.sealed.is_(None))).all()
            for r in rows:
                aad = crypto.event_aad(r.id, r.case_id)
                r.sealed = crypto.seal(server_key, crypto.decrypt(self._key, r.payload, aad), aad)
                s.add(r)
            s.commit()
            return len(rows)

    # --- pathway steps ---
    def open_case(self, details: CaseDetails, today: date) -> str:
        site = self.tablet.site
        details.validate(today, {c.id for c in site.courts})
        case_id = str(uuid.uuid4())
        with Session(self.tablet.engine) as s:
            ev = self._append(s, case_id, "case_opened", details.to_payload())
            assert details.hearing_date is not None
            s.add(CaseRow(case_id=case_id, court_id=details.court_id, hearing_date=details.hearing_date,
                          created_on=today, opened_by=self.officer_id, status=fold(case_id, [ev]).status,
                          name_index=crypto.blind_index(self._index_key, details.name), updated_hlc=ev.hlc))
            s.commit()
        return case_id

    def todays_cases(self, court_id: str, today: date) -> list[CaseSummary]:
        """Cases heard today at this court, and cases opened on this tablet today for it."""
        with Session(self.tablet.engine) as s:
            rows = s.exec(select(CaseRow).where(CaseRow.court_id == court_id).where(
                (CaseRow.hearing_date == today) | (CaseRow.created_on == today)).order_by(CaseRow.updated_hlc)).all()
            opened = {e.case_id: e for e in s.exec(select(EventRow).where(
                EventRow.kind == "case_opened", EventRow.case_id.in_([r.case_id for r in rows])))}
        out = []
        for r in rows:
            name = CaseDetails.from_payload(self._open([opened[r.case_id]])[0].payload).name
            out.append(CaseSummary(r.case_id, name, r.court_id, r.hearing_date, r.status))
        return out

    def find_by_name(self, name: str) -> list[str]:
        idx = crypto.blind_index(self._index_key, name)
        with Session(self.tablet.engine) as s:
            return list(s.exec(select(CaseRow.case_id).where(CaseRow.name_index == idx)).all())

    def available_slots(self, provider_id: str, today: date) -> list[Slot]:
        """Slots from the site configuration that no case on this tablet holds (a rebooking frees the old slot)."""
        with Session(self.tablet.engine) as s:
            rows = s.exec(select(EventRow).where(EventRow.kind == "appointment_booked").order_by(EventRow.hlc)).all()
            latest = {e.case_id: e for e in self._open(list(rows))}
        taken = {e.payload["slot_id"] for e in latest.values()}
        return [slot for slot in self.tablet.site.provider(provider_id).slots(today) if slot.id not in taken]

    def record_screening(self, case_id: str, tool: Tool, answers: dict[str, str]) -> Case:
        problems = screening.validate_answers(tool, answers)
        result = screening.score(tool, answers)
        if problems or not result.complete:
            raise FieldErrors({"screening": "; ".join(problems) or _("Answer every question before you finish")})
        return self.record(case_id, "screening_completed", {
            "tool_id": tool.id, "tool_version": tool.version, "tool_hash": tool.content_hash,
            "answers": dict(answers), "result": result.to_dict()})

    def suitability(self, case_id: str) -> list[Decision]:
        case = self.case(case_id)
        if case.screening is None or case.details is None or case.details.dob is None:
            raise FieldErrors({"screening": _("Complete the screening first")})
        assert case.details.hearing_date is not None
        return suitability.assess(case.screening, case.details.dob, case.details.hearing_date)

    def propose(self, case_id: str, proposed: list[str]) -> Case:
        decisions = self.suitability(case_id)
        suitability.validate_proposal(proposed, decisions)
        return self.record(case_id, "suitability_assessed", {
            "decisions": [d.to_dict() for d in decisions], "proposed": proposed,
            "warnings": suitability.proposal_warnings(proposed)})

    def record_consent(self, case_id: str, text: ConsentText, decision: str, pages_seen: int,
                       attested: bool) -> Case:
        if decision not in ("agree", "disagree", "more_time"):
            raise FieldErrors({"decision": _("Choose agree, do not agree, or need more time")})
        if not attested:
            raise FieldErrors({"attest": _("Confirm that you explained the requirement and the person answered")})
        return self.record(case_id, "consent_given" if decision == "agree" else "consent_declined", {
            "requirements": self.case(case_id).proposed, "text_key": text.key, "text_version": text.version,
            "text_hash": text.content_hash, "locale": text.locale, "format": "easy_read",
            "decision": decision, "pages_seen": pages_seen, "pages_total": len(text.pages),
            "attested_by": self.officer_id})

    def book_appointment(self, case_id: str, slot: Slot, today: date) -> Case:
        case = self.case(case_id)
        if not case.consented:
            raise FieldErrors({"slot": _("Consent is needed before an appointment is booked")})
        if slot.id not in {s.id for s in self.available_slots(slot.provider_id, today)}:
            raise FieldErrors({"slot": _("That appointment is no longer free: choose another")})
        return self.record(case_id, "appointment_booked", {
            "provider_id": slot.provider_id, "slot_id": slot.id, "start": slot.start.isoformat(),
            "minutes": slot.minutes, "confirmed": False})

    def leaflet(self, case_id: str) -> bytes:
        """The leaflet PDF, in memory only; recording that it was printed is a separate step."""
        case = self.case(case_id)
        if case.appointment is None:
            raise FieldErrors({"appointment": _("Book the appointment first")})
        site = self.tablet.site
        provider = site.provider(case.appointment["provider_id"])
        return render_leaflet(LeafletData(
            requirements=tuple(case.proposed), appointment_start=datetime.fromisoformat(case.appointment["start"]),
            appointment_minutes=case.appointment["minutes"], provider_name=provider.name,
            provider_address=provider.address, provider_phone=provider.phone, see=provider.see,
            probation_contact=site.probation_contact))

    def record_leaflet_given(self, case_id: str, locale: str = "en") -> Case:
        case = self.case(case_id)
        if case.appointment is None:
            raise FieldErrors({"appointment": _("Book the appointment first")})
        return self.record(case_id, "leaflet_printed", {"slot_id": case.appointment["slot_id"], "locale": locale})
