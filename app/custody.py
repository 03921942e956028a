"""Liaison and diversion (L&D) in police custody: the detainee, their communication needs, the consent to share,
and the hand-over to the court duty officer ("Option one" in the CSTR service description).

Why here and not in the screens: the same rules decide what the L&D tablet may hand over and what the court's
tablet shows, and tests exercise them without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.case import DONE, IN_PROGRESS, NOT_STARTED, Case, FieldErrors, age_on
from app.i18n import N_, _

LD_ROLE = "ld"
LD_TOOL = "ld_custody_screen"
CUSTODY_TASKS = ("detainee", "screening", "share_consent", "handover")

# Accessible Information Standard: communication needs are identified, recorded as structured flags, and shared
# with whoever sees the person next (here: probation and the court, then the provider).
COMMUNICATION_NEEDS: dict[str, str] = {
    "interpreter_spoken": N_("Spoken language interpreter"),
    "bsl_interpreter": N_("British Sign Language interpreter"),
    "easy_read": N_("Easy read information"),
    "large_print": N_("Large print"),
    "braille": N_("Braille"),
    "audio": N_("Audio or read aloud"),
    "hearing_loop": N_("Hearing loop"),
    "lip_reading": N_("Lip reading (face the person, good light)"),
    "extra_time": N_("Extra time and short sentences"),
    "supporter": N_("A supporter or advocate present"),
}
SHARE_WITH = ("probation", "court")


@dataclass(frozen=True)
class Detainee:
    """The person in custody as L&D records them: enough for the court to continue without asking again."""

    name: str
    dob: date | None
    custody_record: str
    custody_suite: str
    needs: tuple[str, ...] = ()
    needs_note: str = ""
    language: str = ""
    interpreter_needed: bool = False

    def validate(self, today: date, suites: set[str]) -> None:
        e: dict[str, str] = {}
        if len(self.name.strip()) < 2:
            e["name"] = _("Enter the detainee's full name")
        if self.dob is None:
            e["dob"] = _("Enter the date of birth as day, month and year, for example 27/03/1990")
        elif self.dob > today or age_on(self.dob, today) > 110:
            e["dob"] = _("Check the date of birth")
        if len(self.custody_record.strip()) < 3:
            e["custody_record"] = _("Enter the custody record number")
        if self.custody_suite not in suites:
            e["custody_suite"] = _("Choose the custody suite")
        if unknown := set(self.needs) - set(COMMUNICATION_NEEDS):
            e["needs"] = _("Unknown communication need: {needs}").format(needs=", ".join(sorted(unknown)))
        if self.interpreter_needed and not self.language.strip():
            e["language"] = _("Enter the language the interpreter should speak")
        if e:
            raise FieldErrors(e)

    def to_payload(self) -> dict[str, Any]:
        return {"name": self.name.strip(), "dob": self.dob.isoformat() if self.dob else None,
                "custody_record": self.custody_record.strip(), "custody_suite": self.custody_suite,
                "needs": sorted(self.needs), "needs_note": self.needs_note.strip(), "language": self.language.strip(),
                "interpreter_needed": self.interpreter_needed}


@dataclass(frozen=True)
class HandOver:
    """Where the case goes: the court and the expected hearing date, and how to reach the L&D practitioner."""

    court_id: str
    hearing_date: date | None
    phone: str
    email: str = ""
    offence: str = ""

    def validate(self, today: date, court_ids: set[str]) -> None:
        e: dict[str, str] = {}
        if self.court_id not in court_ids:
            e["court_id"] = _("Choose the court")
        if self.hearing_date is None:
            e["hearing_date"] = _("Enter the expected hearing date as day, month and year")
        elif self.hearing_date < today:
            e["hearing_date"] = _("The hearing date cannot be in the past")
        if len(self.phone.strip()) < 5 and "@" not in self.email:
            e["phone"] = _("Enter a phone number the court duty officer can reach you on")
        if e:
            raise FieldErrors(e)


def share_agreed(case: Case) -> bool:
    return bool(case.custody_share and case.custody_share.get("decision") == "agree")


def check_ready(case: Case) -> None:
    """What must be in place before a case leaves custody: the screen, and the person's consent to share it."""
    e: dict[str, str] = {}
    if case.custody is None:
        e["detainee"] = _("Record the detainee first")
    if case.screening is None:
        e["screening"] = _("Complete the liaison and diversion screen first")
    if not share_agreed(case):
        e["share_consent"] = _("The person has not agreed to share this information with probation and the court")
    if e:
        raise FieldErrors(e)


def handover_payload(h: HandOver, case: Case, by_name: str, organisation: str) -> dict[str, Any]:
    """The hand-over event: court, day, who handed over and how to reach them, and the flags the screen raised."""
    assert h.hearing_date is not None
    flags = sorted((case.screening or {}).get("result", {}).get("flags", {}) or [])
    answers = (case.screening or {}).get("answers", {})
    return {"court_id": h.court_id, "hearing_date": h.hearing_date.isoformat(), "by_name": by_name,
            "by_organisation": organisation, "by_phone": h.phone.strip(), "by_email": h.email.strip(),
            "offence": h.offence.strip(), "flags": flags,
            "guilty_plea_anticipated": True if answers.get("custody_plea") == "yes" else None,
            "needs": list((case.custody or {}).get("needs", []))}


def custody_tasks(case: Case) -> dict[str, str]:
    """The L&D practitioner's steps, in order; the hand-over is done once sent, and may be sent again."""
    return {
        "detainee": DONE if case.custody else NOT_STARTED,
        "screening": IN_PROGRESS if case.screening_progress else DONE if case.screening else NOT_STARTED,
        "share_consent": DONE if share_agreed(case) else IN_PROGRESS if case.custody_share else NOT_STARTED,
        "handover": DONE if case.handover else NOT_STARTED,
    }
