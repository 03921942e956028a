"""The tablet's services: unlock, the case log, and each pathway step. Screens call only this.

Every method here may block (SQLite, scrypt, PDF), so screens call them through `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Row, func

from app import appointment as appointments
from app import audit, clock, consent_record, crypto, equality, officers, retention, roles, screening, suitability
from app import custody as custodies
from app import proposal as proposals
from app import sentence as sentences
from app.case import PRIOR, REPORTERS, SCHEMA_VERSION, Case, CaseDetails, CaseEvent, Conflict, FieldErrors, fold
from app.clock import HybridClock
from app.consent import ConsentText
from app.consent_events import WITHDRAWN_KIND, consent_events, summary_pdf
from app.consent_events import withdrawal as consent_withdrawal
from app.consent_record import ConsentDetails
from app.i18n import _
from app.leaflet import leaflet_data, leaflet_language, render_leaflet
from app.leaflet_words import reviewed as translation_reviewed
from app.pin import check_pin
from app.rules import RulesError, rule_book
from app.screening import Tool
from app.site import Provider, Security, Site, Slot, build_site
from app.store import CaseRow, EventRow, InboxRow, Meta, OfficerKey, Session, get_meta, open_engine, select, set_meta
from app.suitability import Assessment, CaseFacts, Offence
from app.syncstate import SyncLedger

log = logging.getLogger("courtside.tablet")
# The events a case list opens: who the person is and where the case is heard (never the whole log).
LISTED_KINDS = ("case_opened", "details_updated", "custody_opened", "custody_updated", "handed_over")
MAX_PIN_ATTEMPTS = Security.lockout_after  # the default; each site sets its own in [security]
FAILED_META = "failed_unlocks"  # wrong PINs on this tablet since the last right one
WIPED_META = "keys_wiped"


class WrongPin(Exception):
    def __init__(self, tries_left: int) -> None:
        super().__init__(tries_left)
        self.tries_left = tries_left


class OfficerLocked(Exception):
    """Too many wrong PINs: this officer is locked out until another officer (or a site admin) enrols them again."""


class TabletWiped(OfficerLocked):
    """Too many wrong PINs on this tablet: every wrapped key was destroyed; the tablet must be enrolled again."""


class PinNeeded(Exception):
    """A sensitive action needs the officer's PIN again first (OfficerSession.reauthenticate); the message says
    why. `opening` is set when the action is opening a case at all (another officer's)."""

    def __init__(self, why: str, opening: bool = False) -> None:
        super().__init__(why)
        self.opening = opening


@dataclass(frozen=True)
class CaseSummary:
    case_id: str
    name: str
    court_id: str
    hearing_date: date
    status: str
    from_custody: dict[str, Any] | None = None  # the hand-over: who sent it from custody and how to reach them


@dataclass(frozen=True)
class SyncStatus:
    pending: int
    synced: int
    failed: int
    last_error: str | None
    last_success: str | None
    quarantined: int = 0  # refused by the server: kept aside with a reason, the rest of the queue goes on
    quarantine_reason: str | None = None


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
        self.ledger = SyncLedger(self.engine, self.data_dir, device)
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

    def screening_tool(self, name: str | None = None) -> Tool:
        """A tool as the site server runs it (pulled, hash checked), else the copy bundled with the app; by
        default the site's court tool."""
        name = name or self.site.screening_tool
        for entry in self.ledger.site_content().get("tools", {}).values():
            if not (entry.get("file") and entry.get("files")) or Path(entry["file"]).stem != name:
                continue
            try:
                tool = screening.install_tool(entry["file"], entry["files"], self.data_dir / "tools")
            except (screening.ToolError, OSError) as exc:
                log.warning("screening tool from the site server not used: %s", exc)
                continue
            if tool.content_hash == entry.get("content_hash"):
                return tool
            log.warning("screening tool from the site server not used: its content hash does not match")
        return screening.load_tool(name)

    @property
    def has_site(self) -> bool:
        return get_meta(self.engine, "site_json") is not None

    def install_site(self, site: Site, source: str) -> None:
        """Keep the configuration as data: it arrives from the server or, for a first start, from a file. An
        officer the new file no longer lists loses their wrapped key (app/officers.py)."""
        with audit.LOCK, Session(self.engine) as s:
            s.merge(Meta(key="site_json", value=json.dumps(site.raw)))
            s.merge(Meta(key="site_source", value=source))
            officers.forget_removed(s, site, self.device_id)
            s.commit()

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
        """Wrap the tablet data key for an officer. The first officer creates the key.

        Enrolling again (by an unlocked officer, who has the data key) also lifts a lockout.
        """
        check_pin(pin, self.site.security.pin_min_length)
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

    @property
    def wiped(self) -> bool:
        """Too many wrong PINs destroyed every wrapped key: the tablet must be reset and enrolled again."""
        return get_meta(self.engine, WIPED_META) is not None

    def open_key(self, officer_id: str, pin: str) -> bytes:
        """The data key for a right PIN; a wrong one is counted and audited, and locks out or wipes at the limits.

        The count is per officer (`lockout_after`, then the officer is locked out until another officer enrols
        them again) and for the whole tablet since the last good PIN (`wipe_after`, then every wrapped key is
        destroyed), so a thief cannot spread guesses over several officers.
        """
        security = self.site.security
        if self.wiped:
            raise TabletWiped(officer_id)
        with Session(self.engine) as s:
            key = s.get(OfficerKey, officer_id)
        if key is None or key.wrapped_key is None:
            raise OfficerLocked(officer_id)
        data_key = None
        if key.failed_attempts < security.lockout_after:
            params = crypto.KdfParams(salt=key.kdf_salt, n=key.kdf_n, r=key.kdf_r, p=key.kdf_p)
            try:
                data_key = crypto.unwrap_key(key.wrapped_key, pin, params, officer_id.encode())
            except crypto.VaultError:
                pass
        with audit.LOCK, Session(self.engine) as s:
            key = s.get(OfficerKey, officer_id)
            assert key is not None
            if data_key is not None:
                key.failed_attempts = 0
                s.add(key)
                s.merge(Meta(key=FAILED_META, value="0"))
                s.commit()
                return data_key
            key.failed_attempts += 1
            failed = int((s.get(Meta, FAILED_META) or Meta(key="", value="0")).value) + 1
            s.merge(Meta(key=FAILED_META, value=str(failed)))
            s.add(key)
            audit.append(s, audit.UNLOCK_FAILED, self.device_id, officer_id, detail=str(failed))
            if failed >= security.wipe_after:
                for k in s.exec(select(OfficerKey)):
                    k.wrapped_key = None
                    s.add(k)
                s.merge(Meta(key=WIPED_META, value=str(failed)))
                audit.append(s, audit.WIPED, self.device_id, officer_id, detail=str(failed))
                s.commit()
                log.warning("event=keys_wiped device=%s failed_unlocks=%d", self.device_id, failed)
                raise TabletWiped(officer_id)
            if key.failed_attempts == security.lockout_after:
                audit.append(s, audit.LOCKED_OUT, self.device_id, officer_id, detail=str(key.failed_attempts))
            s.commit()
            if key.failed_attempts >= security.lockout_after:
                raise OfficerLocked(officer_id)
            raise WrongPin(security.lockout_after - key.failed_attempts)

    def unlock(self, officer_id: str, pin: str, now: datetime | None = None) -> OfficerSession:
        """Open a session for a right PIN; closed, synced cases past the site's retention leave the tablet now."""
        session = OfficerSession(self, officer_id, self.open_key(officer_id, pin))
        audit.record(self.engine, audit.UNLOCK, self.device_id, officer_id)
        try:
            session.take_in_shared()
        except Exception as exc:  # a bad shared record must never stop an officer signing in; it stays in the inbox
            log.warning("event=take_in_shared_failed error=%s", type(exc).__name__)
        retention.purge_closed(self, now or clock.now(), officer_id)
        return session

    # --- sync bookkeeping (no key needed: sealed payloads are ready to go) ---
    def sync_status(self) -> SyncStatus:
        """Counts of this tablet's own records by sync state, the last error and success, any quarantined."""
        counts = self.ledger.counts()
        quarantined = self.ledger.quarantined() if counts.get("quarantined") else []
        # "failed" rows are from older versions, which flagged a whole refused batch: they are simply pending
        return SyncStatus(counts.get("pending", 0) + counts.get("failed", 0), counts.get("synced", 0), 0,
                          get_meta(self.engine, "sync_last_error"), get_meta(self.engine, "sync_last_success"),
                          len(quarantined), quarantined[0].reason if quarantined else None)

    def unsent(self, limit: int = 200) -> list[Row[Any]]:
        return self.ledger.unsent(limit)

    def mark_synced(self, ids: list[str]) -> None:
        self.ledger.mark_synced(ids)

    # --- hand-overs to a court, waiting for the server (clear ids only: the server cannot read the event) ---
    def pending_handovers(self) -> list[tuple[str, str]]:
        return [tuple(x) for x in json.loads(get_meta(self.engine, "pending_handovers") or "[]")]  # type: ignore[misc]

    def queue_handover(self, case_id: str, court_id: str) -> None:
        waiting = [x for x in self.pending_handovers() if x[0] != case_id] + [(case_id, court_id)]
        set_meta(self.engine, "pending_handovers", json.dumps(waiting))

    def handover_sent(self, case_id: str, court_id: str) -> None:
        waiting = [x for x in self.pending_handovers() if x != (case_id, court_id)]
        set_meta(self.engine, "pending_handovers", json.dumps(waiting))


class OfficerSession:
    """An unlocked officer: holds the data key in memory only."""

    REAUTH_SECONDS = 120  # a PIN given again covers the next sensitive actions for this long (a language change)

    def __init__(self, tablet: Tablet, officer_id: str, data_key: bytes) -> None:
        self.tablet = tablet
        self.officer_id = officer_id
        self._key = data_key
        self._index_key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"courtside blind index").derive(
            data_key)
        self._viewed: set[str] = set()  # cases this session has opened: a view is audited once per session
        self._listed: set[str] = set()  # cases this session has shown in a list (by name): audited once too
        self._reauth_until = 0.0

    def audit(self, action: str, case_id: str = "", detail: str = "") -> None:
        """One audit entry by this officer on this tablet (ids and kinds only: see app/audit.py)."""
        audit.record(self.tablet.engine, action, self.tablet.device_id, self.officer_id, case_id, detail)

    def reauthenticate(self, pin: str, for_a_while: bool = True) -> None:
        """The PIN again before a sensitive action (an export, a reprint, another officer's case, leaving
        defendant mode): wrong PINs count as at unlock. Raises WrongPin, OfficerLocked or TabletWiped.
        `for_a_while` lets the next sensitive actions in REAUTH_SECONDS go without asking; leaving defendant
        mode does not, as the officer took the tablet back for that one step.

        Why here and not in the screens: an unlocked tablet left on a court bench for a minute is the likeliest
        leak, and the service refuses the action itself (PinNeeded), so no screen can forget to ask.
        """
        if self.tablet.open_key(self.officer_id, pin) != self._key:
            raise OfficerLocked(self.officer_id)
        if for_a_while:
            self._reauth_until = time.monotonic() + self.REAUTH_SECONDS

    def recently_reauthenticated(self) -> bool:
        return time.monotonic() < self._reauth_until

    def _confirm_pin(self, why: str, opening: bool = False) -> None:
        if not self.recently_reauthenticated():
            raise PinNeeded(why, opening)

    @property
    def still_listed(self) -> bool:
        """False once a new site file no longer lists this officer: their key is gone and the session must end."""
        return any(o.id == self.officer_id for o in self.tablet.site.officers)

    @property
    def officer_name(self) -> str:
        return self.tablet.site.officer(self.officer_id).name

    @property
    def role(self) -> str:
        """Which start screen, tool, cases and records this officer works with (app/roles.py)."""
        return self.tablet.site.officer(self.officer_id).role

    @property
    def provider(self) -> Provider | None:
        """A provider practitioner's service; None for every other role."""
        provider_id = self.tablet.site.officer(self.officer_id).provider
        return self.tablet.site.provider(provider_id) if provider_id else None

    def _check_sees(self, case: Case) -> None:
        """The role may see the case, and a case this officer has not worked on needs their PIN once a session:
        a CDO or L&D practitioner can list every case of the court, but opening a colleague's is deliberate.
        (A provider practitioner sees only the cases referred to their service, so the referral is the reason.)"""
        role = self.role
        if not roles.may_see(role, self.provider, case):
            raise roles.NotPermitted(_("This case is not one your role needs to see."))
        if (case.case_id not in self._viewed and roles.sees_all(role)
                and all(ev.officer_id != self.officer_id for ev in case.history)):
            self._confirm_pin(_("Another officer has worked on this case and you have not. Enter your PIN to open "
                                "it."), opening=True)

    @property
    def screening_tool(self) -> str:
        return custodies.LD_TOOL if self.role == custodies.LD_ROLE else self.tablet.site.screening_tool

    # --- the log ---
    def _append(self, s: Session, case_id: str, kind: str, payload: dict[str, Any],
                prior: str | None = None) -> CaseEvent:
        if not roles.may_record(self.role, kind, payload):  # every write passes here, whatever the screen
            raise roles.NotPermitted(_("Your role ({role}) cannot record this.").format(
                role=_(roles.ROLE_NAMES[self.role])))
        event_id = str(uuid.uuid4())
        hlc = self.tablet.clock.now()
        if prior is not None:  # what this writer had seen: a later write from a tablet that had not is a conflict
            payload = {**payload, PRIOR: prior}
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

    def _events(self, case_id: str) -> list[CaseEvent]:
        with Session(self.tablet.engine) as s:
            return self._open(self._rows(s, case_id))

    def events(self, case_id: str) -> list[CaseEvent]:
        """The case's events as this officer's role may read them."""
        events = self._events(case_id)
        self._check_sees(fold(case_id, events))
        return [roles.hidden_payload(self.role, e) for e in events]

    def case(self, case_id: str) -> Case:
        case = fold(case_id, self._events(case_id))
        self._check_sees(case)
        if case_id not in self._viewed:
            self.audit(audit.VIEW, case_id)
            self._viewed.add(case_id)
        outcomes = appointments.BookingLedger(self.tablet.engine).states()  # the server's word on each booking
        case.booking_states = {b: outcomes[b].state for b in case.appointments if b in outcomes}
        return roles.as_seen_by(self.role, case)

    def _visible(self, case_ids: list[str]) -> list[str]:
        """Of these cases, those this officer's role may see (for a CDO or L&D, all of them, none opened)."""
        role = self.role
        if roles.sees_all(role):
            return case_ids
        provider = self.provider
        return [c for c in case_ids if roles.may_see(role, provider, fold(c, self._events(c)))]

    def record(self, case_id: str, kind: str, payload: dict[str, Any]) -> Case:
        """Append one event and refresh the clear-text projection in the same transaction."""
        return self.record_all(case_id, [(kind, payload)])

    def record_all(self, case_id: str, events: list[tuple[str, dict[str, Any]]]) -> Case:
        """Append events in one transaction (all or none) and refresh the clear-text projection with them."""
        with Session(self.tablet.engine) as s:
            prior = s.exec(select(func.max(EventRow.hlc)).where(EventRow.case_id == case_id)).one()
            new = [self._append(s, case_id, kind, payload, prior) for kind, payload in events][-1]
            s.flush()
            case = fold(case_id, self._open(self._rows(s, case_id)))
            row = s.get(CaseRow, case_id)
            if row is None:
                raise KeyError(case_id)
            row.status, row.updated_hlc = case.status, new.hlc
            if case.details is not None and case.details.hearing_date is not None \
                    and row.court_id != (case.custody or {}).get("custody_suite"):  # corrected details list anew
                row.court_id, row.hearing_date = case.details.court_id, case.details.hearing_date
                row.name_index = crypto.blind_index(self._index_key, case.details.name)
            s.add(row)
            s.commit()
        self.audit(audit.CHANGE, case_id, ",".join(kind for kind, _payload in events))
        return roles.as_seen_by(self.role, case)

    def seal_unsealed(self) -> int:
        """Seal events written before the server's key was known, so they can be pushed."""
        server_key = self.tablet.server_public_key
        if not server_key:
            return 0
        with Session(self.tablet.engine) as s:
            rows = s.exec(select(EventRow).where(EventRow.sealed.is_(None), EventRow.sync_state != "synced",
                                                 EventRow.device_id == self.tablet.device_id)).all()
            for r in rows:
                aad = crypto.event_aad(r.id, r.case_id)
                r.sealed = crypto.seal(server_key, crypto.decrypt(self._key, r.payload, aad), aad)
                s.add(r)
            s.commit()
            return len(rows)

    def take_in_shared(self, today: date | None = None) -> int:
        """Take events of cases shared with this tablet from the inbox into the log, under the data key."""
        ledger = self.tablet.ledger
        waiting = ledger.inbox()
        keys = ledger.device_keys() if waiting else None
        if keys is None:
            return 0
        touched: set[str] = set()
        with Session(self.tablet.engine) as s:
            for r in waiting:
                aad = crypto.event_aad(r.id, r.case_id)
                held = s.get(InboxRow, r.id)
                assert held is not None
                try:
                    plain = keys.open_inbox(r.sealed, aad)
                    json.loads(plain)
                except (crypto.VaultError, ValueError):
                    held.error = _("This shared record could not be opened: it was altered or not meant for "
                                   "this tablet")
                    s.add(held)
                    continue
                if s.get(EventRow, r.id) is None:
                    s.add(EventRow(id=r.id, case_id=r.case_id, kind=r.kind, hlc=r.hlc, device_id=r.device_id,
                                   officer_id=r.officer_id, schema_version=r.schema_version,
                                   payload=crypto.encrypt(self._key, plain, aad), sealed=None, sync_state="synced"))
                    try:
                        self.tablet.clock.observe(r.hlc)
                    except ValueError:
                        pass  # a stamp from another clock format still sorts; it just does not move ours
                s.delete(held)
                touched.add(r.case_id)
            s.flush()
            for case_id in touched:
                self._project_shared(s, case_id, today or clock.today())
            s.commit()
        for case_id in sorted(touched):
            self.audit(audit.CHANGE, case_id, "shared_received")
        return len(touched)

    def _project_shared(self, s: Session, case_id: str, today: date) -> None:
        """List a shared case beside this tablet's own, once its opening details have arrived."""
        events = self._open(self._rows(s, case_id))
        opened = next((e for e in events if e.kind in ("case_opened", "custody_opened")), None)
        if opened is None:
            return
        try:
            case = fold(case_id, events)
        except (KeyError, TypeError, ValueError):
            log.warning("event=shared_case_not_folded case=%s", case_id)
            return
        if case.details is None or case.details.hearing_date is None:
            return
        row = s.get(CaseRow, case_id) or CaseRow(
            case_id=case_id, court_id=case.details.court_id, hearing_date=case.details.hearing_date,
            created_on=today, opened_by=opened.officer_id,
            name_index=crypto.blind_index(self._index_key, case.details.name), status="", updated_hlc="")
        if row.court_id != (case.custody or {}).get("custody_suite"):  # a case moved to another court or day
            row.court_id, row.hearing_date = case.details.court_id, case.details.hearing_date
        row.status, row.updated_hlc = case.status, max(e.hlc for e in events)
        s.add(row)

    # --- pathway steps ---
    def open_case(self, details: CaseDetails, today: date) -> str:
        site = self.tablet.site
        details.validate(today, {c.id for c in site.courts})
        assert details.hearing_date is not None
        return self._start_case("case_opened", details.to_payload(), details.court_id, details.hearing_date,
                                details.name, today)

    def _start_case(self, kind: str, payload: dict[str, Any], listed_at: str, day: date, name: str,
                    today: date) -> str:
        """The first event of a case and its clear-text row (where it is listed, and a blind index of the name)."""
        case_id = str(uuid.uuid4())
        with Session(self.tablet.engine) as s:
            ev = self._append(s, case_id, kind, payload)
            s.add(CaseRow(case_id=case_id, court_id=listed_at, hearing_date=day, created_on=today,
                          opened_by=self.officer_id, status=fold(case_id, [ev]).status,
                          name_index=crypto.blind_index(self._index_key, name), updated_hlc=ev.hlc))
            s.commit()
        self.audit(audit.CREATE, case_id, "case_opened")
        self._viewed.add(case_id)
        return case_id

    def update_details(self, case_id: str, details: CaseDetails, today: date, reason: str = "") -> Case:
        """The court's officer confirms the details of a case from custody (which arrives without the offence), or
        corrects saved details: a correction says why and names the fields it changed, and the version it
        replaces stays in the log, so the history shows what changed, who changed it and when."""
        details.validate(today, {c.id for c in self.tablet.site.courts})
        case = self.case(case_id)
        payload = details.to_payload()
        if case.confirming_handover():
            return self.record(case_id, "details_updated", payload)
        before = case.details.to_payload() if case.details else {}
        changed = [key for key, value in payload.items() if before.get(key) != value]
        if not changed:
            raise FieldErrors({"reason": _("Nothing has changed: change a detail, or go back")})
        reason = sentences.check_reason(reason, _("Say why the details are corrected, for example 'name misspelt'"))
        return self._record_or_correct(case, "details_updated", "details", payload, reason, changed)

    def resolve_conflict(self, case_id: str, conflict: Conflict, kept: str, reason: str) -> Case:
        """A person chooses which of two concurrent versions stands; both stay in the history."""
        if kept not in conflict.event_ids:
            raise FieldErrors({"kept": _("Choose one of the two versions")})
        return self.record(case_id, "conflict_resolved", {"record": conflict.record,
                                                          "event_ids": list(conflict.event_ids), "kept": kept,
                                                          "reason": reason.strip()})

    # --- liaison and diversion in custody ---
    def open_custody_case(self, detainee: custodies.Detainee, today: date) -> str:
        """A detainee seen by L&D: listed under the custody suite on this tablet until handed over to a court."""
        detainee.validate(today, {c.id for c in self.tablet.site.custody_suites})
        return self._start_case("custody_opened", detainee.to_payload(), detainee.custody_suite, today,
                                detainee.name, today)

    def record_custody_share(self, case_id: str, decision: str, explained_in: str = "en",
                             interpreter: str = "") -> Case:
        """The person's decision to share the L&D screen with probation and the court, asked before hand-over."""
        if decision not in ("agree", "decline"):
            raise FieldErrors({"share_consent": _("Record whether the person agrees to share")})
        return self.record(case_id, "custody_share_consent", {
            "decision": decision, "with": list(custodies.SHARE_WITH), "explained_in": explained_in,
            "interpreter": interpreter.strip(), "officer_id": self.officer_id})

    def hand_over_to_court(self, case_id: str, handover: custodies.HandOver, today: date) -> Case:
        """Send the case to the court's duty officers: the event names the court, and the sync asks the server
        to share the case with that court's tablets."""
        site = self.tablet.site
        handover.validate(today, {c.id for c in site.courts})
        case = self.case(case_id)
        custodies.check_ready(case)
        organisation = _("Liaison and diversion, {suite}").format(
            suite=site.custody_suite(case.custody["custody_suite"]).name) if case.custody else ""
        case = self.record(case_id, "handed_over", custodies.handover_payload(handover, case, self.officer_name,
                                                                                organisation))
        self.tablet.queue_handover(case_id, handover.court_id)
        return case

    def todays_cases(self, court_id: str, today: date) -> list[CaseSummary]:
        """Cases heard today at this court, and cases opened on this tablet today for it."""
        with Session(self.tablet.engine) as s:
            rows = s.exec(select(CaseRow).where(CaseRow.court_id == court_id).where(
                (CaseRow.hearing_date == today) | (CaseRow.created_on == today)).order_by(CaseRow.updated_hlc)).all()
            listed = s.exec(select(EventRow).where(EventRow.kind.in_((*LISTED_KINDS, "correction_made")),
                                                   EventRow.case_id.in_([r.case_id for r in rows]))).all()
            opened: dict[str, list[CaseEvent]] = {}
            for ev in self._open(list(listed)):
                if ev.kind != "correction_made" or ev.payload.get("target_kind") in LISTED_KINDS:  # details corrected
                    opened.setdefault(ev.case_id, []).append(ev)
        out = []
        for r in rows:
            case = fold(r.case_id, opened.get(r.case_id, []))
            name = case.details.name if case.details else (case.custody or {}).get("name", "")
            out.append(CaseSummary(r.case_id, name, r.court_id, r.hearing_date, r.status, case.handover))
        visible = set(self._visible([c.case_id for c in out]))
        out = [c for c in out if c.case_id in visible]
        shown = [c.case_id for c in out if c.case_id not in self._listed]
        if shown:  # a name on a list is personal data seen: each case's first listing this session is a view
            audit.record_many(self.tablet.engine, audit.VIEW, self.tablet.device_id, self.officer_id,
                              [(case_id, audit.LISTED) for case_id in shown])
            self._listed.update(shown)
        return out

    def find_by_name(self, name: str) -> list[str]:
        idx = crypto.blind_index(self._index_key, name)
        with Session(self.tablet.engine) as s:
            found = self._visible(list(s.exec(select(CaseRow.case_id).where(CaseRow.name_index == idx)).all()))
        self.audit(audit.SEARCH, "", f"name matches={len(found)}")
        return found

    def held_slots(self) -> set[str]:
        """Slots held by a live booking of any case on this tablet, and slots the server says other tablets hold."""
        with Session(self.tablet.engine) as s:
            rows = s.exec(select(EventRow).where(EventRow.kind == "appointment_booked").order_by(EventRow.hlc)).all()
            events = self._open(list(rows))
        by_case: dict[str, list[CaseEvent]] = {}
        for ev in events:
            by_case.setdefault(ev.case_id, []).append(ev)
        held = {a["slot_id"] for case_id, evs in by_case.items()
                for a in fold(case_id, evs).appointments.values() if a.get("slot_id")}
        return held | appointments.BookingLedger(self.tablet.engine).taken_elsewhere()

    def available_slots(self, provider_id: str, today: date) -> list[Slot]:
        """Slots from the site configuration that no live booking holds (a rebooking frees the old slot)."""
        return appointments.free_slots(self.tablet.site.provider(provider_id), today, self.held_slots())

    def appointment_plan(self, case_id: str, chosen: dict[str, str] | None = None) -> list[appointments.Need]:
        """The appointments the order needs: one per provider."""
        return appointments.appointments_needed(self.case(case_id), self.tablet.site, chosen)

    def save_screening_progress(self, case_id: str, tool: Tool, answers: dict[str, Any], locale: str = "en",
                                risk_acknowledged: list[str] | None = None) -> Case:
        """Keep a partial screening, encrypted like every event, so it can be resumed after a lock or a crash.

        Only answers to questions that are asked are accepted; saving no answers discards the draft.
        """
        problems = screening.validate_answers(tool, answers)
        if problems:
            raise FieldErrors({"screening": "; ".join(problems)})
        return self.record(case_id, "screening_progress_saved", {
            "tool_id": tool.id, "tool_version": tool.version, "tool_hash": tool.content_hash,
            "answers": dict(answers), "locale": locale, "risk_acknowledged": sorted(risk_acknowledged or [])})

    def record_screening(self, case_id: str, tool: Tool, answers: dict[str, Any], locale: str = "en",
                         risk_acknowledged: list[str] | None = None) -> Case:
        """The completed screening with the tool's version and content hash, so the exact wording is cited."""
        problems = screening.validate_answers(tool, answers)
        if problems:  # checked before scoring, which refuses answers that do not fit the tool
            raise FieldErrors({"screening": "; ".join(problems)})
        result = screening.score(tool, answers)
        if not result.complete:
            raise FieldErrors({"screening": _("Answer every question before you finish")})
        return self.record(case_id, "screening_completed", {
            "tool_id": tool.id, "tool_version": tool.version, "tool_hash": tool.content_hash,
            "answers": dict(answers), "result": result.to_dict(), "locale": locale,
            "risk_acknowledged": sorted(risk_acknowledged or [])})

    def suitability(self, case_id: str, offence: Offence | None = None) -> Assessment:
        """Every requirement with every criterion, from what is recorded; `offence` previews unsaved answers."""
        case = self.case(case_id)
        if case.screening is None or case.details is None or case.details.dob is None:
            raise FieldErrors({"screening": _("Complete the screening first")})
        facts = CaseFacts.from_case(case, offence)
        try:
            return suitability.assess(facts)
        except RulesError:  # the rules files say which dates they cover; the officer needs the gist
            raise FieldErrors({"conviction_date": _(
                "No rules are loaded for a conviction on {date}: check the date, or ask the site admin").format(
                date=facts.offence.conviction_date.strftime("%d/%m/%Y") if facts.offence.conviction_date
                else "")}) from None

    def propose(self, case_id: str, proposed: list[str], offence: Offence | None = None,
                today: date | None = None) -> Case:
        """Take requirements forward: the provider is asked to assess, and consent is taken, for these."""
        if offence is not None:
            offence.validate(rule_book(), today or clock.today())
        assessment = self.suitability(case_id, offence)
        if not proposed:
            raise FieldErrors({"proposed": _("Choose at least one requirement to take forward")})
        known = {d.requirement for d in assessment.decisions}
        unknown = [r for r in proposed if r not in known]
        if unknown:  # a record the case page could not name is refused here, not shown as a crash later
            raise FieldErrors({"proposed": _("Unknown requirement: {names} (known: {known})").format(
                names=", ".join(unknown), known=", ".join(sorted(known)))})
        refused = [d for d in assessment.decisions
                   if d.requirement in proposed and d.status == suitability.NOT_ELIGIBLE]
        if refused:
            raise FieldErrors({"proposed": "; ".join(
                _("{name} is not eligible: {reasons}").format(name=d.name, reasons="; ".join(
                    c.reason for c in d.criteria if c.result == "not_met")) for d in refused)})
        if "MHTR_PRIMARY" in proposed and "MHTR_SECONDARY" in proposed:
            raise FieldErrors({"proposed": _("Choose primary or secondary care for the mental health "
                                             "treatment requirement, not both")})
        return self.record(case_id, "suitability_assessed", {
            "offence": offence.to_payload() if offence else None, "proposed": list(proposed),
            "decisions": [d.to_dict() for d in assessment.decisions], "rules": assessment.rules.cited()})

    def record_provider(self, case_id: str, arrangement: proposals.ProviderArrangement, today: date,
                        reason: str = "") -> Case:
        """What the provider said for one requirement; a second record for it is a correction with a reason."""
        case = self.case(case_id)
        if arrangement.requirement not in case.proposed:
            raise FieldErrors({"requirement": _("Take this requirement forward at suitability first")})
        requirement = next(r for r in rule_book().requirements if r.id == arrangement.requirement)
        site = self.tablet.site
        mine = self.provider
        if mine is not None and arrangement.provider_id != mine.id:  # a practitioner answers for their own service
            raise FieldErrors({"provider_id": _("You can record only {provider}'s answer").format(
                provider=mine.name)})
        arrangement.validate(requirement, {p.id for p in site.providers_for(arrangement.requirement)}, today)
        payload = arrangement.to_payload(site.provider(arrangement.provider_id).name)
        if case.providers.get(arrangement.requirement, {}).get("outcome") == "pending":
            return self.record(case_id, "provider_agreed", payload)  # the assessment finished: not a correction
        return self._record_or_correct(case, "provider_agreed", f"provider_agreed:{arrangement.requirement}",
                                       payload, reason)

    def make_proposal(self, case_id: str, inputs: proposals.ProposalInput, reason: str = "") -> Case:
        """The proposal to court: only eligible requirements, at the provider's lengths, within the rules."""
        case = self.case(case_id)
        if not case.consented:
            raise FieldErrors({"consent": _("Take consent before the proposal goes to court")})
        payload = proposals.build_proposal(case, inputs, self.suitability(case_id))
        return self._record_or_correct(case, "proposal_made", "proposal_made", payload, reason)

    def proposal_summary(self, case_id: str) -> proposals.ProposalSummary:
        case = self.case(case_id)
        site = self.tablet.site
        court = site.court(case.details.court_id).name if case.details else ""
        return proposals.summarise(case, court, {lv.id: lv.label for lv in rule_book().levels})

    def proposal_pdf(self, case_id: str) -> bytes:
        """The proposal for the court, in memory only: it names the defendant, so it is an export (PIN again)."""
        self._confirm_pin(_("Enter your PIN to open the proposal for the court."))
        pdf = proposals.render_proposal_pdf(self.proposal_summary(case_id))
        self.audit(audit.EXPORT, case_id, "proposal_pdf")
        return pdf

    def record_sentence(self, case_id: str, record: sentences.SentenceRecord, today: date, reason: str = "") -> Case:
        """What the court did. After an adjournment a new record follows; a final one is corrected with a reason."""
        case = self.case(case_id)
        if case.proposal is None:
            raise FieldErrors({"proposal": _("Make the proposal to the court first")})
        conviction = date.fromisoformat(case.proposal["conviction_date"])
        record.validate(rule_book().for_date(conviction), conviction, today)
        if sentences.needs_reason(case):
            return self._record_or_correct(case, "sentence_recorded", "sentence_recorded", record.to_payload(),
                                           reason)
        return self.record(case_id, "sentence_recorded", record.to_payload())

    def _record_or_correct(self, case: Case, kind: str, key: str, payload: dict[str, Any], reason: str,
                           changed: list[str] | None = None) -> Case:
        """The first record of its kind, or a correction_made event naming the record it replaces and why (and,
        where given, which of its fields `changed`): nothing is edited in place, so the history shows every version
        and who made it."""
        replaces = case.record_ids.get(key)
        if replaces is None:
            return self.record(case.case_id, kind, payload)
        return self.record(case.case_id, "correction_made", {
            "target_kind": kind, "replaces": replaces, "reason": sentences.check_reason(reason), "record": payload,
            **({"changed": changed} if changed else {})})

    def record_consent(self, case_id: str, text: ConsentText, decision: str, pages_seen: int,
                       attested: bool, details: ConsentDetails | None = None) -> Case:
        """The person's decision on the text they were shown, with the separate consent to share, the check of
        understanding, signature or attestation, interpreter and the summary PDF, in one transaction."""
        d = details or ConsentDetails()
        consent_record.validate(text, decision, pages_seen, attested, d)
        case = self.case(case_id)
        court = self.tablet.site.court(case.details.court_id).name if case.details else ""
        return self.record_all(case_id, consent_events(case, text, decision, pages_seen, self.officer_id,
                                                       self.officer_name, court, d))

    def withdraw_consent(self, case_id: str, reason: str, share_too: bool = False) -> Case:
        """Withdrawal is a new event: the consent it withdraws, and its summary, stay in the record."""
        return self.record(case_id, WITHDRAWN_KIND,
                           consent_withdrawal(self.case(case_id), reason, share_too, self.officer_id))

    def consent_summary(self, case_id: str) -> bytes | None:
        """The summary PDF stored with the latest consent, decrypted in memory only: an export (PIN again)."""
        self._confirm_pin(_("Enter your PIN to open the consent summary."))
        pdf = summary_pdf(self.case(case_id))
        if pdf is not None:
            self.audit(audit.EXPORT, case_id, "consent_summary_pdf")
        return pdf

    def _need(self, case: Case, provider_id: str) -> appointments.Need:
        if not case.consented:
            raise FieldErrors({"slot": _("Consent is needed before an appointment is booked")})
        if not case.imposed:
            raise FieldErrors({"slot": _("Record a sentence with a treatment requirement before booking")})
        site = self.tablet.site
        if provider_id not in {p.id for p in site.providers}:
            raise FieldErrors({"slot": _("That provider is not in the site configuration")})
        chosen = {r: provider_id for r in site.provider(provider_id).requirements}
        need = next((n for n in appointments.appointments_needed(case, site, chosen) if n.provider.id == provider_id),
                    None)
        if need is None:
            raise FieldErrors({"slot": _("This provider does not see the person for any requirement of the order")})
        return need

    @staticmethod
    def _reason(need: appointments.Need) -> str:
        if need.booking is None:
            return "new"
        return "clash" if need.state == appointments.LOST else "change"

    def book_appointment(self, case_id: str, slot: Slot, today: date) -> Case:
        """Book a slot for the provider's part of the order; refused if any live booking on this tablet holds it."""
        with appointments.booking_lock(str(self.tablet.data_dir)):
            need = self._need(self.case(case_id), slot.provider_id)
            if slot.id not in {s.id for s in self.available_slots(slot.provider_id, today)}:
                raise FieldErrors({"slot": _("That appointment is no longer free: choose another")})
            return self.record(case_id, "appointment_booked", appointments.booking_payload(
                need, slot, slot.start, slot.minutes, self._reason(need)))

    def book_by_hand(self, case_id: str, provider_id: str, entry: appointments.ManualAppointment,
                     today: date) -> Case:
        """An appointment agreed by phone, for a provider with no bookable slots in the configuration."""
        start, minutes = entry.validate(today)
        with appointments.booking_lock(str(self.tablet.data_dir)):
            need = self._need(self.case(case_id), provider_id)
            return self.record(case_id, "appointment_booked", appointments.booking_payload(
                need, None, start, minutes, self._reason(need)))

    def leaflet(self, case_id: str, language: str | None = None, easy_read: bool = False,
                paper: str | None = None) -> bytes:
        """The leaflet PDF, in memory only; recording that it was handed over is a separate step."""
        case = self.case(case_id)
        if not case.appointments:
            raise FieldErrors({"appointment": _("Book the appointment first")})
        if case.leaflet:
            self._confirm_pin(_("A leaflet was already given for this case. Enter your PIN to print it again."))
        site = self.tablet.site
        name = case.details.name if case.details else None
        pdf = render_leaflet(leaflet_data(case, site, name), language or leaflet_language(case), easy_read,
                             paper or site.leaflet_paper)
        self.audit(audit.PRINT, case_id, "leaflet")
        return pdf

    def record_leaflet_given(self, case_id: str, locale: str = "en", easy_read: bool = False) -> Case:
        case = self.case(case_id)
        if not case.appointments:
            raise FieldErrors({"appointment": _("Book the appointment first")})
        return self.record(case_id, "leaflet_printed", {
            "booking_ids": sorted(case.appointments), "slot_id": (case.appointment or {}).get("slot_id"),
            "locale": locale, "easy_read": easy_read,
            "translation_reviewed": translation_reviewed(locale, "leaflet")})

    def record_equality(self, case_id: str, answers: dict[str, str], locale: str = "en",
                        easy_read: bool = False) -> Case:
        """The person's own equality monitoring answers, sealed like every event; any may be left out."""
        return self.record(case_id, equality.KIND, equality.payload(answers, locale, easy_read))

    def record_attendance(self, case_id: str, booking_id: str, attended: bool | None, recorded_by: str) -> Case:
        """Whether the person came to the first appointment, as the provider or probation told the CDO."""
        case = self.case(case_id)
        if booking_id not in case.appointments:
            raise FieldErrors({"booking": _("Choose one of the appointments booked for this order")})
        if attended is None:
            raise FieldErrors({"attended": _("Say whether the person attended")})
        if recorded_by not in REPORTERS:
            raise FieldErrors({"recorded_by": _("Say whether the provider or probation reported it")})
        return self.record(case_id, "appointment_attended", {"booking_id": booking_id, "attended": attended,
                                                             "recorded_by": recorded_by})

    def record_breach(self, case_id: str, breached_on: date | None, brought_by: str, today: date) -> Case:
        """A breach of the order, as probation or the provider brought it: one event per breach, for the
        return's breach rate (the evaluation's 8% against 13% nationally)."""
        day = _breach_day(self.case(case_id), breached_on, brought_by, today)
        return self.record(case_id, "breach_recorded", {"breached_on": day.isoformat(), "brought_by": brought_by})

    def withdraw_breach(self, case_id: str, breach_id: str, reason: str) -> Case:
        """A breach recorded in error (the wrong case, or never brought) is withdrawn by a new event naming it and
        why: nothing is deleted, the history shows both, and the return stops counting it."""
        e: dict[str, str] = {}
        if breach_id not in self.case(case_id).breaches:
            e["breach"] = _("Choose the breach to withdraw")
        try:
            reason = sentences.check_reason(reason, _("Say why the breach is withdrawn, for example 'recorded on "
                                                      "the wrong case'"))
        except FieldErrors as refused:
            e.update(refused.errors)
        if e:
            raise FieldErrors(e)
        return self.record(case_id, "breach_withdrawn", {"breach_id": breach_id, "reason": reason})


def _breach_day(case: Case, breached_on: date | None, brought_by: str, today: date) -> date:
    """The breach's date once it is one an order can have been breached on; FieldErrors says what to fix."""
    e: dict[str, str] = {}
    if not case.imposed:
        e["order"] = _("Record a sentence with a treatment requirement first: only an order can be breached")
    raw = (case.sentence or {}).get("sentence_date")
    sentenced_on = date.fromisoformat(raw) if raw else None
    if breached_on is None:
        e["breached_on"] = _("Enter the date of the breach as day, month and year")
    elif breached_on > today:
        e["breached_on"] = _("The date of the breach cannot be in the future")
    elif sentenced_on is not None and breached_on < sentenced_on:
        e["breached_on"] = _("The breach cannot be before the sentence")
    if brought_by not in REPORTERS:
        e["brought_by"] = _("Say whether probation or the provider brought the breach")
    if e or breached_on is None:
        raise FieldErrors(e)
    return breached_on
