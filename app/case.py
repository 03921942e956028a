"""A case: the details a CDO records, the events that make up its log, and the projection folded from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.i18n import N_, _

SCHEMA_VERSION = 1

# Referral sources named in the ATR/DRR service description.
REFERRAL_SOURCES: dict[str, str] = {
    "police_custody": N_("Police custody"),
    "probation": N_("Probation"),
    "liaison_diversion": N_("Liaison and diversion"),
    "court_staff": N_("Court staff"),
    "legal_representative": N_("Legal representative"),
    "substance_misuse_service": N_("Substance misuse service"),
    "community_mental_health": N_("Community mental health service"),
    "self_referral": N_("Self-referral"),
    "carer_family": N_("Carer or family"),
    "appropriate_adult": N_("Appropriate adult"),
}

REQUIREMENT_NAMES: dict[str, str] = {
    "ATR": N_("Alcohol treatment requirement"),
    "DRR": N_("Drug rehabilitation requirement"),
    "MHTR_PRIMARY": N_("Mental health treatment requirement (primary care)"),
    "MHTR_SECONDARY": N_("Mental health treatment requirement (secondary care)"),
}

TASKS = ("details", "screening", "suitability", "consent", "appointment", "leaflet")
NOT_STARTED, IN_PROGRESS, DONE, CANNOT_START = "not_started", "in_progress", "done", "cannot_start"


class FieldErrors(ValueError):
    """Input refused at the field: maps field name to a message a person can act on."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(frozen=True)
class CaseDetails:
    name: str
    dob: date | None
    court_id: str
    hearing_date: date | None
    referral_source: str
    offence: str
    guilty_plea_anticipated: bool | None
    interpreter_needed: bool
    language: str = ""

    def validate(self, today: date, court_ids: set[str]) -> None:
        e: dict[str, str] = {}
        if len(self.name.strip()) < 2:
            e["name"] = _("Enter the defendant's full name")
        if self.dob is None:
            e["dob"] = _("Enter the date of birth as day, month and year, for example 27/03/1990")
        elif self.dob > today:
            e["dob"] = _("Date of birth must be in the past")
        elif age_on(self.dob, today) < 18:
            e["dob"] = _(
                "The defendant is {age}: a community sentence treatment requirement is only for people aged 18 or over"
            ).format(age=age_on(self.dob, today))
        elif age_on(self.dob, today) > 110:
            e["dob"] = _("Check the date of birth: the age would be over 110")
        if self.court_id not in court_ids:
            e["court_id"] = _("Choose the court")
        if self.hearing_date is None:
            e["hearing_date"] = _("Enter the hearing date as day, month and year")
        if self.referral_source not in REFERRAL_SOURCES:
            e["referral_source"] = _("Choose who referred the defendant")
        if len(self.offence.strip()) < 3:
            e["offence"] = _("Enter a short summary of the offence")
        if self.guilty_plea_anticipated is None:
            e["guilty_plea_anticipated"] = _("Say whether a guilty plea is anticipated")
        if self.interpreter_needed and not self.language.strip():
            e["language"] = _("Enter the language the interpreter should speak")
        if e:
            raise FieldErrors(e)

    def to_payload(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "dob": self.dob.isoformat() if self.dob else None,
            "court_id": self.court_id,
            "hearing_date": self.hearing_date.isoformat() if self.hearing_date else None,
            "referral_source": self.referral_source,
            "offence": self.offence.strip(),
            "guilty_plea_anticipated": self.guilty_plea_anticipated,
            "interpreter_needed": self.interpreter_needed,
            "language": self.language.strip(),
        }

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> CaseDetails:
        return cls(
            name=p["name"],
            dob=date.fromisoformat(p["dob"]),
            court_id=p["court_id"],
            hearing_date=date.fromisoformat(p["hearing_date"]),
            referral_source=p["referral_source"],
            offence=p["offence"],
            guilty_plea_anticipated=p["guilty_plea_anticipated"],
            interpreter_needed=p["interpreter_needed"],
            language=p.get("language", ""),
        )


@dataclass(frozen=True)
class CaseEvent:
    """An opened (decrypted) event: what the projection folds over."""

    id: str
    case_id: str
    kind: str
    hlc: str
    officer_id: str
    payload: dict[str, Any]


@dataclass
class Case:
    case_id: str
    details: CaseDetails | None = None
    screening: dict[str, Any] | None = None
    suitability: dict[str, Any] | None = None
    consent: dict[str, Any] | None = None
    appointment: dict[str, Any] | None = None
    leaflet: dict[str, Any] | None = None
    history: list[CaseEvent] = field(default_factory=list)

    @property
    def proposed(self) -> list[str]:
        return list(self.suitability.get("proposed", [])) if self.suitability else []

    @property
    def consented(self) -> bool:
        return bool(self.consent and self.consent.get("decision") == "agree")

    def task_status(self) -> dict[str, str]:
        s = {
            "details": DONE if self.details else NOT_STARTED,
            "screening": DONE if self.screening else NOT_STARTED,
            "suitability": DONE if self.suitability else (NOT_STARTED if self.screening else CANNOT_START),
            "consent": NOT_STARTED if self.proposed else CANNOT_START,
            "appointment": CANNOT_START,
            "leaflet": CANNOT_START,
        }
        if self.consent:
            s["consent"] = DONE if self.consented else IN_PROGRESS
        if self.consented:
            s["appointment"] = DONE if self.appointment else NOT_STARTED
        if self.appointment:
            s["leaflet"] = DONE if self.leaflet else NOT_STARTED
        return s

    @property
    def status(self) -> str:
        """The one-word status kept in clear for the list: which task is next."""
        tasks = self.task_status()
        if all(v == DONE for v in tasks.values()):
            return "complete"
        return next(t for t in TASKS if tasks[t] != DONE)


def fold(case_id: str, events: list[CaseEvent]) -> Case:
    """Rebuild a case from its log. Later events of a kind supersede earlier ones; nothing is lost from history."""
    case = Case(case_id=case_id)
    for ev in sorted(events, key=lambda e: e.hlc):
        case.history.append(ev)
        p = ev.payload
        if ev.kind == "case_opened":
            case.details = CaseDetails.from_payload(p)
        elif ev.kind == "screening_completed":
            case.screening = p
            case.suitability = case.consent = None  # a new screening needs a fresh assessment
        elif ev.kind == "suitability_assessed":
            case.suitability = p
        elif ev.kind in ("consent_given", "consent_declined"):
            case.consent = p
        elif ev.kind == "appointment_booked":
            case.appointment = p
            case.leaflet = None
        elif ev.kind == "leaflet_printed":
            case.leaflet = p
    return case
