"""The tablet's side of sync: enrol once, then push sealed events and pull its feed, over signed requests.

Why it is safe to repeat anything: every push is a set union on the server, every page pulled is
stored with its cursor in one transaction, and nothing changes state on the tablet unless the
answer carries a valid signature from the server identity pinned at enrolment (a forged "stored"
would otherwise lose records). A refused event is quarantined with the server's reason and the rest
of the queue goes on; an unreachable or busy server leaves everything queued for the next round.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import Row

from app import audit, clock
from app.i18n import _
from app.syncstate import PENDING_STATES, Enrolment, PulledConfig, PulledEvent
from app.tablet import Tablet
from sync.protocol import (
    AUDIT_FIELDS,
    MAX_AUDIT_ENTRIES,
    AuditResult,
    DriftDigest,
    EnrolRequest,
    EnrolResponse,
    HeldEvents,
    PullPage,
    PushResult,
    ShareResult,
)
from sync.signing import (
    H_NONCE,
    H_SERVER_SIGNATURE,
    H_SERVER_TIME,
    b64,
    code_id,
    code_is_well_formed,
    code_mac_key,
    differing_buckets,
    enrol_request_proof,
    enrol_response_proof,
    proofs_match,
    response_message,
    set_digest,
    sign_request,
    verify,
)

log = logging.getLogger("courtside.sync")
BATCH = 200


class SyncError(Exception):
    """A round that did not finish; `reason` is for the officer, `retry_after` from the server if it said."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class Unreachable(SyncError):
    """No answer (no signal, server down, connection cut): try again soon."""


class NotEnrolled(SyncError):
    pass


class EnrolmentError(SyncError):
    pass


@dataclass
class DriftReport:
    own_matches: bool = True
    shared_matches: bool = True
    requeued: list[str] = field(default_factory=list)  # the server had lost them: pushed again
    confirmed: list[str] = field(default_factory=list)  # the server had them, the acknowledgement was lost
    differing: list[str] = field(default_factory=list)  # the server holds another version: quarantined
    server_only: int = 0  # events the server holds from this device that this tablet does not


def _detail(resp: httpx.Response) -> str:
    try:
        detail = resp.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else resp.reason_phrase


def wire_event(r: Row[Any]) -> dict[str, Any]:
    """A queued event (SyncLedger.unsent) as a push carries it: clear sync fields and the blob sealed to the server."""
    return {"id": r.id, "case_id": r.case_id, "kind": r.kind, "hlc": r.hlc, "device_id": r.device_id,
            "officer_id": r.officer_id, "schema_version": r.schema_version, "sealed": b64(r.sealed or b"")}


class SyncClient:
    def __init__(self, tablet: Tablet, server_url: str, site_id: str = "demo", timeout: float = 10.0,
                 batch_size: int = BATCH, pull_limit: int = 200, transport: httpx.BaseTransport | None = None) -> None:
        self.tablet = tablet
        self.ledger = tablet.ledger
        self.server_url = server_url.rstrip("/")
        self.site_id = site_id
        self.batch_size = batch_size
        self.pull_limit = pull_limit
        self.http = httpx.Client(base_url=self.server_url, timeout=timeout, transport=transport)
        self._offset = 0.0  # server clock minus ours, learnt from every answer

    def close(self) -> None:
        self.http.close()

    # --- enrolment ---
    @property
    def enrolled(self) -> bool:
        return self.ledger.enrolment() is not None

    def enrol(self, code: str) -> Enrolment:
        """Present a one-time code with this tablet's own public keys; pin the server that proves it knew it."""
        current = self.ledger.enrolment()
        if current is not None:
            raise EnrolmentError(_("This tablet is already enrolled with {url}").format(url=current.server_url))
        if not code_is_well_formed(code):
            raise EnrolmentError(_("That is not a whole enrolment code: it has 20 letters and digits, "
                                   "like 7KQ4-M2XD-9PRT-HC3W-5ZNB"))
        keys = self.ledger.device_keys(create=True)
        assert keys is not None
        mac_key, device_id = code_mac_key(code), self.tablet.device_id
        request = EnrolRequest(code_id=code_id(code), device_id=device_id, signing_key=keys.signing_public,
                               inbox_key=keys.inbox_public, proof=enrol_request_proof(
                                   mac_key, code_id(code), device_id, keys.signing_public, keys.inbox_public))
        try:
            resp = self.http.post("/api/v1/enrol", content=request.model_dump_json(),
                                  headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            raise Unreachable(_("Server not reachable: will sync when connected")) from exc
        if resp.status_code != 200:
            raise EnrolmentError(_("The site server did not enrol this tablet: {reason}").format(
                reason=_detail(resp)), resp.status_code)
        try:
            answer = EnrolResponse.model_validate_json(resp.content)
        except ValidationError:
            raise EnrolmentError(_("The site server's answer could not be read: not enrolled")) from None
        expected = enrol_response_proof(mac_key, request.proof, device_id, answer.site_id,
                                         answer.server_identity_key, answer.server_seal_key)
        if answer.device_id != device_id or not proofs_match(expected, answer.proof):
            raise EnrolmentError(_("The server could not prove it issued this code: this tablet was not enrolled"))
        enrolment = Enrolment(server_url=self.server_url, site_id=answer.site_id, device_id=device_id,
                              device_name=answer.device_name, server_identity_key=answer.server_identity_key,
                              server_seal_key=answer.server_seal_key)
        self.ledger.record_enrolment(enrolment)
        self.site_id = answer.site_id
        self._offset = answer.server_time - clock.now().timestamp()
        log.info("event=enrolled device=%s site=%s", device_id, answer.site_id)
        return enrolment

    # --- signed requests ---
    def _enrolment(self) -> Enrolment:
        enrolment = self.ledger.enrolment()
        if enrolment is None:
            raise NotEnrolled(_("This tablet is not enrolled with a site server: ask the site admin for an "
                                "enrolment code"))
        return enrolment

    def _call(self, method: str, path: str, params: dict[str, Any] | None = None, body: bytes = b"",
              clock_retry: bool = True) -> bytes:
        """One signed request; the answer's body, only if the pinned server signed it."""
        enrolment = self._enrolment()
        keys = self.ledger.device_keys()
        if keys is None:
            raise NotEnrolled(_("This tablet's device key is missing: it must be enrolled again"))
        request = self.http.build_request(method, path, params=params, content=body or None,
                                          headers={"content-type": "application/json"} if body else None)
        signed = sign_request(keys.signing, enrolment.device_id, method, request.url.raw_path.decode("ascii"),
                              body, clock.now().timestamp() + self._offset)
        request.headers.update(signed)
        try:
            resp = self.http.send(request)
            content = resp.read()
        except httpx.HTTPError as exc:
            log.info("event=server_unreachable error=%s", type(exc).__name__)
            raise Unreachable(_("Server not reachable: will sync when connected")) from exc
        learnt = self._learn_clock(resp)
        if resp.status_code == 200:
            signature = resp.headers.get(H_SERVER_SIGNATURE, "")
            message = response_message(signed[H_NONCE], 200, content)
            if not signature or not verify(enrolment.server_identity_key, signature, message):
                raise SyncError(_("An answer did not come from this tablet's site server: nothing was marked "
                                  "as sent"), 200)
            return content
        detail = _detail(resp)
        if resp.status_code == 401 and "clock" in detail and clock_retry and learnt:
            return self._call(method, path, params, body, clock_retry=False)  # signed again with its time
        retry_after = None
        if resp.headers.get("retry-after", "").isdigit():
            retry_after = float(resp.headers["retry-after"])
        log.warning("event=request_refused method=%s path=%s status=%s", method, path, resp.status_code)
        if resp.status_code in (401, 403):
            raise SyncError(_("The site server refused this tablet: {reason}. Ask the site admin.").format(
                reason=detail), resp.status_code)
        if resp.status_code == 429:
            raise SyncError(_("The site server is busy: will retry"), 429, retry_after)
        if resp.status_code >= 500:
            raise SyncError(_("The site server had a problem: will retry"), resp.status_code, retry_after)
        raise SyncError(_("The site server refused the request (HTTP {code}): {reason}").format(
            code=resp.status_code, reason=detail), resp.status_code, retry_after)

    def _learn_clock(self, resp: httpx.Response) -> bool:
        try:
            server_time = float(resp.headers.get(H_SERVER_TIME, ""))
        except ValueError:
            return False
        self._offset = server_time - clock.now().timestamp()
        return True

    def _json(self, model: Any, content: bytes) -> Any:
        try:
            return model.model_validate_json(content)
        except ValidationError:
            raise SyncError(_("The site server's answer could not be read: will retry")) from None

    # --- push ---
    def push(self) -> int:
        """Push every queued event in batches; returns how many the server now holds from this run."""
        enrolment = self._enrolment()
        held = 0
        while rows := self.ledger.unsent(self.batch_size):
            events = [wire_event(r) for r in rows]
            body = _body({"site_id": enrolment.site_id, "device_id": enrolment.device_id, "events": events})
            result: PushResult = self._json(PushResult, self._call("POST", "/api/v1/sync/push", body=body))
            sent = {r.id for r in rows}
            accepted = [i for i in result.accepted if i in sent]
            reasons = {rows[r.index].id: r.reason for r in result.rejected
                       if 0 <= r.index < len(rows) and rows[r.index].id not in accepted}
            self.ledger.mark_synced(accepted)
            self.ledger.quarantine(reasons)
            held += len(accepted)
            if not accepted and not reasons:
                break  # the server said nothing about this batch: leave it queued for the next round
        return held

    def push_audit(self) -> int:
        """Send the audit trail in order, oldest first; returns how many entries the server newly holds."""
        enrolment = self._enrolment()
        stored = 0
        while rows := audit.pending(self.tablet.engine, MAX_AUDIT_ENTRIES):
            entries = [{k: getattr(r, k) for k in AUDIT_FIELDS} for r in rows]
            body = _body({"device_id": enrolment.device_id, "entries": entries})
            result: AuditResult = self._json(AuditResult, self._call("POST", "/api/v1/sync/audit", body=body))
            audit.mark_sent(self.tablet.engine, result.held_through)
            stored += result.stored
            if result.held_through < rows[-1].seq:
                break  # the server holds less than was sent: try again next round
        return stored

    # --- pull ---
    def pull(self) -> int:
        """Fetch the feed page by page; each page is stored durably before the cursor moves past it."""
        stored = 0
        cursor = self.ledger.cursor()
        for _page in range(10_000):
            counts = self.ledger.counts()
            pending = sum(counts.get(s, 0) for s in PENDING_STATES)
            page: PullPage = self._json(PullPage, self._call("GET", "/api/v1/sync/pull", params={
                "cursor": cursor, "limit": self.pull_limit, "pending": pending,
                "quarantined": counts.get("quarantined", 0)}))
            events = [PulledEvent(seq=item.seq, id=item.event.id, case_id=item.event.case_id, kind=item.event.kind,
                                  hlc=item.event.hlc, device_id=item.event.device_id,
                                  officer_id=item.event.officer_id, schema_version=item.event.schema_version,
                                  sealed=item.event.sealed_bytes())
                      for item in page.items if item.type == "event" and item.event is not None]
            configs = [PulledConfig(seq=item.seq, version=item.config.version, site=item.config.site,
                                    content={"tools": item.config.tools, "consent": item.config.consent})
                       for item in page.items if item.type == "config" and item.config is not None]
            stored += self.ledger.store_pulled(events, configs, page.cursor)
            cursor = page.cursor
            if not page.more:
                break
        return stored

    # --- drift check ---
    def check_drift(self) -> DriftReport:
        """Compare digests with the server; repair what differs (re-push, confirm, re-pull) and say what was found."""
        report = DriftReport()
        remote: DriftDigest = self._json(DriftDigest, self._call("GET", "/api/v1/sync/digest",
                                                                 params={"cursor": self.ledger.cursor()}))
        local = set_digest(self.ledger.own_held().items())
        if local != remote.own:
            report.own_matches = False
            for bucket in differing_buckets(local, remote.own):
                held: HeldEvents = self._json(HeldEvents, self._call("GET", "/api/v1/sync/held",
                                                                     params={"bucket": bucket}))
                server = {e.id: e.digest for e in held.events}
                mine = self.ledger.own_states(bucket)
                for event_id, (state, digest) in mine.items():
                    if event_id not in server:
                        if state == "synced":
                            report.requeued.append(event_id)
                    elif server[event_id] == digest:
                        if state != "synced":
                            report.confirmed.append(event_id)
                    elif state != "quarantined":
                        report.differing.append(event_id)
                report.server_only += len(set(server) - set(mine))
            self.ledger.requeue(report.requeued)
            self.ledger.mark_synced(report.confirmed)
            self.ledger.quarantine({i: _("The site server holds a different version of this record")
                                    for i in report.differing})
        local_shared = set_digest((event_id, "") for event_id in self.ledger.shared_ids())
        if local_shared != remote.shared:
            report.shared_matches = False
            self.ledger.reset_cursor()  # the feed is a set union on this side too: pulling again is safe
        if not (report.own_matches and report.shared_matches):
            log.warning("event=drift requeued=%d confirmed=%d differing=%d server_only=%d shared_matches=%s",
                        len(report.requeued), len(report.confirmed), len(report.differing), report.server_only,
                        report.shared_matches)
        return report

    # --- hand-over ---
    def hand_over(self, case_id: str, to_device_id: str | None = None, to_court_id: str | None = None) -> ShareResult:
        """Share a case this tablet pushed with another tablet of the site, or with a court's tablets."""
        target = {"to_court_id": to_court_id} if to_court_id else {"to_device_id": to_device_id}
        body = _body({"case_id": case_id, **target})
        return self._json(ShareResult, self._call("POST", "/api/v1/sync/hand-over", body=body))

    def send_handovers(self) -> int:
        """Hand-overs recorded on the tablet, after their events are pushed; one the server cannot do yet (its
        events are not all there) stays queued for the next round."""
        sent = 0
        for case_id, court_id in self.tablet.pending_handovers():
            try:
                self.hand_over(case_id, to_court_id=court_id)
            except SyncError as exc:
                if exc.status not in (403, 404):
                    raise
                log.warning("hand-over of a case to court %s waits: %s", court_id, exc.status)
                continue
            self.tablet.handover_sent(case_id, court_id)
            sent += 1
        return sent

    # --- a whole round ---
    def sync_once(self, check_drift: bool = False) -> DriftReport | None:
        """Push, then pull; with `check_drift`, compare digests and repair, then push and pull again if needed."""
        self.push()
        self.push_audit()
        self.send_handovers()
        self.pull()
        if not check_drift:
            return None
        report = self.check_drift()
        if report.requeued or not report.shared_matches:
            self.push()
            self.pull()
        return report



def _body(value: dict[str, Any]) -> bytes:
    """Serialised once: the bytes sent are the bytes signed."""
    return json.dumps(value, separators=(",", ":")).encode()

