"""Need to know: which cases each officer role sees on a tablet, how much of them, and what it may record.

Caldicott's "minimum necessary": a provider practitioner at court sees the cases taken forward for a
requirement their service delivers (and not those another provider has taken), with what they need to assess
and book (details, requirements, consent, sentence, appointments) but not the screening answers or the
person's equality answers; they record only their service's answer, attendance and breaches of the order.
A site admin signed in on a tablet sees no case at all. Court duty officers and L&D practitioners work the
whole pathway. Enforced in `app.tablet.OfficerSession`, below the screens, so no screen can forget it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from app.case import Case, CaseEvent
from app.equality import KIND as EQUALITY_KIND
from app.i18n import N_
from app.site import OFFICER_ROLES, Provider

CDO, LD, PROVIDER, ADMIN = OFFICER_ROLES
ROLE_NAMES = {CDO: N_("Court duty officer"), LD: N_("Liaison and diversion practitioner"),
              PROVIDER: N_("Provider practitioner"), ADMIN: N_("Site admin")}
_PROVIDER_WRITES = frozenset({"provider_agreed", "appointment_attended", "breach_recorded", "breach_withdrawn"})
_NOT_FOR_PROVIDERS = frozenset({"screening_completed", "screening_progress_saved", EQUALITY_KIND})


class NotPermitted(PermissionError):
    """This officer's role does not allow this; the message says what, in the officer's words."""


def sees_all(role: str) -> bool:
    """Court duty officers and L&D practitioners work every case: nothing needs opening to decide."""
    return role in (CDO, LD)


def may_see(role: str, provider: Provider | None, case: Case) -> bool:
    if sees_all(role):
        return True
    if role != PROVIDER or provider is None:
        return False
    if any(b.get("provider_id") == provider.id for b in case.appointments.values()):
        return True
    return any(r in provider.requirements and case.providers.get(r, {}).get("provider_id", provider.id) == provider.id
               for r in case.proposed)


def may_record(role: str, kind: str, payload: dict[str, Any]) -> bool:
    if sees_all(role):
        return True
    if role == PROVIDER:
        return kind in _PROVIDER_WRITES or (kind == "correction_made" and payload.get("target_kind") in
                                            _PROVIDER_WRITES)
    return False


def as_seen_by(role: str, case: Case) -> Case:
    """The case with what this role has no need to see taken out (the stored record is unchanged)."""
    if role != PROVIDER:
        return case
    screening = None
    if case.screening is not None:  # the outcome (scores, bands, flags) helps the assessment; the answers stay
        screening = {k: v for k, v in case.screening.items() if k != "answers"}
    history = [hidden_payload(role, e) for e in case.history]
    return dataclasses.replace(case, screening=screening, screening_progress=None, equality=None, history=history)


def hidden_payload(role: str, event: CaseEvent) -> CaseEvent:
    """One event as this role may read it."""
    if role == PROVIDER and event.kind in _NOT_FOR_PROVIDERS:
        return dataclasses.replace(event, payload={})
    return event
