"""The events a consent writes: the decision, the separate consent to share, and the summary PDF.

They are appended in one transaction, so a consent never exists without its summary. The summary is its own
event because the PDF is large (fonts for the person's script are embedded) and every screen folds the
consent event; it still travels, encrypted and sealed, with the rest of the case.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

from app import clock
from app.case import REQUIREMENT_NAMES, Case, FieldErrors
from app.consent import DEFAULT_LIBRARY, ConsentText, Library
from app.consent_record import ConsentDetails, check_results
from app.consent_summary import SummaryData, render_summary
from app.i18n import _

# The sync protocol accepts sealed payloads up to 256 KiB; base64 grows the PDF by a third.
SUMMARY_MAX_BYTES = 180 * 1024
SUMMARY_KIND = "consent_summary_stored"
SHARE_KIND = "share_consent_recorded"
WITHDRAWN_KIND = "consent_withdrawn"


def consent_events(case: Case, text: ConsentText, decision: str, pages_seen: int, officer_id: str,
                   officer_name: str, court_name: str, d: ConsentDetails, library: Library | None = None,
                   now: datetime | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The (kind, payload) pairs for one consent; validate the answers first (app.consent_record.validate)."""
    library = library or DEFAULT_LIBRARY
    recorded_at = now or clock.local_now()
    checks = check_results(text, d.checks)
    consent: dict[str, Any] = {
        **text.record(),
        "requirements": list(case.proposed), "decision": decision,
        "pages_seen": pages_seen, "pages_total": len(text.pages), "attested_by": officer_id,
        "checks": checks,
        "signature": d.signature.to_payload() if d.signature else None,
        "cannot_sign_reason": d.cannot_sign_reason.strip(),
        "interpreter": d.interpreter.to_payload() if d.interpreter else None,
        "no_interpreter_reason": d.no_interpreter_reason.strip(),
        "text_scale": d.text_scale,
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("consent_given" if decision == "agree" else "consent_declined", consent)]
    if d.share_text is not None and d.share_decision:
        events.append((SHARE_KIND, {**d.share_text.record(), "decision": d.share_decision,
                                    "attested_by": officer_id, "with_text_hash": text.content_hash}))
    details = case.details
    data = SummaryData(
        name=details.name if details else "", dob=details.dob if details else None, court=court_name,
        hearing_date=details.hearing_date if details else None,
        requirements=tuple(_(REQUIREMENT_NAMES[r]) for r in case.proposed), officer=officer_name,
        recorded_at=recorded_at, text=text, decision=decision, pages_seen=pages_seen, share_text=d.share_text,
        share_decision=d.share_decision, checks=tuple(checks), signature=d.signature,
        cannot_sign_reason=d.cannot_sign_reason.strip(), interpreter=consent["interpreter"],
        no_interpreter_reason=d.no_interpreter_reason.strip(), source_text=library.source_of(text),
        source_share=library.source_of(d.share_text) if d.share_text else None)
    pdf = render_summary(data)
    if len(pdf) > SUMMARY_MAX_BYTES:  # a long text in a heavy script: leave the English beside it out
        pdf = render_summary(SummaryData(**{**data.__dict__, "source_text": None, "source_share": None}))
    events.append((SUMMARY_KIND, {"text_hash": text.content_hash, "decision": decision,
                                  "sha256": hashlib.sha256(pdf).hexdigest(),
                                  "pdf": base64.b64encode(pdf).decode("ascii")}))
    return events


def summary_pdf(case: Case) -> bytes | None:
    """The stored summary of the latest consent in the case, checked against its hash."""
    if not case.consent:
        return None
    for ev in reversed(case.history):
        if ev.kind == SUMMARY_KIND and ev.payload.get("text_hash") == case.consent.get("text_hash"):
            pdf = base64.b64decode(ev.payload["pdf"])
            if hashlib.sha256(pdf).hexdigest() != ev.payload["sha256"]:
                raise ValueError("the stored consent summary does not match its hash")
            return pdf
    return None


def withdrawal(case: Case, reason: str, share_too: bool, officer_id: str) -> dict[str, Any]:
    """The payload withdrawing the current consent (and, if asked, consent to share)."""
    if not case.consented:
        raise FieldErrors({"withdraw": _("There is no consent to withdraw")})
    if len(reason.strip()) < 3:
        raise FieldErrors({"reason": _("Say why consent was withdrawn, in the person's words if you can")})
    given = next(ev for ev in reversed(case.history) if ev.kind == "consent_given")
    share = bool(share_too and case.share_consent and case.share_consent.get("decision") == "agree")
    return {"decision": "withdrawn", "withdraws": given.id, "text_hash": case.consent.get("text_hash"),
            "requirements": list(case.consent.get("requirements", [])), "reason": reason.strip(),
            "share_withdrawn": share, "recorded_by": officer_id}
