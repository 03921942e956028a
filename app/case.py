"""A case: the details a CDO records, the events that make up its log, and the projection folded from them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from app.i18n import N_, _

SCHEMA_VERSION = 1

# Referral sources named in the ATR/DRR service description.
def case_reference(case_id: str) -> str:
    """The short reference the tablet shows on the case page and the site admin types to find the case: the
    case id's first eight hex digits, in two groups ("3F2A-9C1B"). It names no one."""
    head = case_id.replace("-", "")[:8].upper()
    return f"{head[:4]}-{head[4:]}"


# The defendant's details by field, as a correction names what it changed.
DETAIL_NAMES: dict[str, str] = {
    "name": N_("Full name"), "dob": N_("Date of birth"), "court_id": N_("Court"),
    "hearing_date": N_("Hearing date"), "referral_source": N_("Referral source"), "offence": N_("Offence summary"),
    "guilty_plea_anticipated": N_("Guilty plea anticipated"), "interpreter_needed": N_("Interpreter needed"),
    "language": N_("Language"), "referrer_name": N_("Referrer's name"),
    "referrer_organisation": N_("Referrer's organisation or role"), "referrer_contact": N_("Referrer's phone or email"),
}
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
    # The CDO screening in court (service description option three): 85% of referrals in the evaluation.
    "court_duty_officer": N_("Court duty officer (probation, in court)"),
}

REQUIREMENT_NAMES: dict[str, str] = {
    "ATR": N_("Alcohol treatment requirement"),
    "DRR": N_("Drug rehabilitation requirement"),
    "MHTR_PRIMARY": N_("Mental health treatment requirement (primary care)"),
    "MHTR_SECONDARY": N_("Mental health treatment requirement (secondary care)"),
}

# What each kind of event is called in the case history both sides see (custody and court).
EVENT_NAMES: dict[str, str] = {
    "custody_opened": N_("Detainee recorded in custody"), "custody_updated": N_("Detainee details changed"),
    "custody_share_consent": N_("Consent to share recorded in custody"), "handed_over": N_("Handed over to court"),
    "case_opened": N_("Case opened"), "details_updated": N_("Details confirmed or changed"),
    "screening_progress_saved": N_("Screening saved part way"), "screening_completed": N_("Screening completed"),
    "suitability_assessed": N_("Suitability assessed"), "provider_agreed": N_("Provider's answer recorded"),
    "consent_given": N_("Consent given"), "consent_declined": N_("Consent declined"),
    "share_consent_recorded": N_("Consent to share recorded"), "consent_withdrawn": N_("Consent withdrawn"),
    "proposal_made": N_("Proposal made to court"), "sentence_recorded": N_("Sentence recorded"),
    "appointment_booked": N_("Appointment booked"), "leaflet_printed": N_("Leaflet given"),
    "correction_made": N_("Correction made"), "conflict_resolved": N_("Conflicting versions resolved"),
    "breach_recorded": N_("Breach of the order recorded"),
    "breach_withdrawn": N_("Breach withdrawn: recorded in error"),
    "equality_recorded": N_("Equality monitoring answered"),
    "appointment_attended": N_("Attendance at the first appointment recorded"),
    "consent_summary_stored": N_("Consent summary kept"),
}
RECORD_NAMES: dict[str, str] = {
    "details": N_("the person's details"), "custody": N_("the detainee's details"), "screening": N_("the screening"),
    "custody_share": N_("consent to share from custody"), "suitability": N_("suitability"),
    "consent": N_("consent"), "proposal": N_("the proposal"), "sentence": N_("the sentence"),
    "share_consent": N_("consent to share"), "provider_agreed": N_("the provider's answer"),
}

# Who tells the court team what happened after the sentence (attendance, a breach brought back to court): the
# Offender Manager (probation) or the treatment provider.
REPORTERS = ("probation", "provider")
TASKS = ("details", "screening", "suitability", "provider", "consent", "proposal", "sentence", "appointment", "leaflet")
NOT_STARTED, IN_PROGRESS, DONE, CANNOT_START = "not_started", "in_progress", "done", "cannot_start"
# Sentence outcomes that wait for another hearing: a later sentence_recorded follows without a correction.
INTERIM_OUTCOMES = ("adjourned", "report_requested")


class FieldErrors(ValueError):
    """Input refused at the field: maps field name to a message a person can act on."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def age_on(dob: date, day: date) -> int:
    """Whole years on `day`. A 29 February birthday comes round on 1 March in a common year (28 February is still
    before it): the reading of the Family Law Reform Act 1969, s 9 noted in content/rules/statute.toml."""
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
    # Who referred the person (any of REFERRAL_SOURCES): a name, their organisation or role, and how to reach them.
    referrer_name: str = ""
    referrer_organisation: str = ""
    referrer_contact: str = ""

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
            "referrer_name": self.referrer_name.strip(),
            "referrer_organisation": self.referrer_organisation.strip(),
            "referrer_contact": self.referrer_contact.strip(),
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
            referrer_name=p.get("referrer_name", ""),
            referrer_organisation=p.get("referrer_organisation", ""),
            referrer_contact=p.get("referrer_contact", ""),
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


@dataclass(frozen=True)
class HistoryLine:
    """One line of the case history: a step, who took it, and when; `count` times in a row when repeated."""

    kind: str
    officer_id: str
    first: str  # HLC stamp of the earliest of the run
    last: str  # and of the latest
    count: int
    correction: dict[str, Any] | None = None  # a correction_made's record, reason and the fields it changed


T = TypeVar("T")


def runs(items: Iterable[T], key: Callable[[T], object]) -> list[tuple[T, T, int]]:
    """Consecutive items with the same key as one run: (first, last, how many). How a person reads a log where the
    same step repeats (a screening saved after every answer): one line with its count, not forty of the same."""
    out: list[tuple[T, T, int]] = []
    for item in items:
        if out and key(out[-1][1]) == key(item):
            out[-1] = (out[-1][0], item, out[-1][2] + 1)
        else:
            out.append((item, item, 1))
    return out


def history_lines(events: list[CaseEvent]) -> list[HistoryLine]:
    """The history as a person reads it: newest first, a run of the same step by the same officer as one line
    saying how many times; a correction always a line of its own, with its reason and what it changed."""
    def correction(e: CaseEvent) -> dict[str, Any] | None:
        return ({"record": record_of(e.kind, e.payload), "reason": e.payload.get("reason", ""),
                 "changed": e.payload.get("changed", [])} if e.kind == "correction_made" else None)

    grouped = runs(sorted(events, key=lambda e: e.hlc),
                   key=lambda e: (e.kind, e.officer_id, e.id if e.kind == "correction_made" else None))
    return [HistoryLine(first.kind, first.officer_id, first.hlc, last.hlc, n, correction(first))
            for first, last, n in grouped][::-1]


@dataclass(frozen=True)
class Conflict:
    """Two versions of one record written on different tablets, neither knowing of the other: both are kept in
    the history, the later one stands until a person resolves it with a `conflict_resolved` event."""

    record: str  # "details", "screening", "provider_agreed:ATR", ...
    event_ids: tuple[str, str]
    officer_ids: tuple[str, str]


# Which record an event writes: two concurrent writes of the same record are a conflict, anything else merges.
_RECORD_OF = {"case_opened": "details", "details_updated": "details", "handed_over": "details",
              "custody_opened": "custody", "custody_updated": "custody", "screening_completed": "screening",
              "custody_share_consent": "custody_share", "suitability_assessed": "suitability",
              "consent_given": "consent", "consent_declined": "consent", "proposal_made": "proposal",
              "sentence_recorded": "sentence", "share_consent_recorded": "share_consent"}
PRIOR = "_prior"  # in each payload: the latest stamp of the case its writer had seen, so forks can be found


def record_of(kind: str, payload: dict[str, Any]) -> str | None:
    if kind == "correction_made":
        return record_of(payload["target_kind"], payload["record"])
    if kind == "provider_agreed":
        return f"provider_agreed:{payload.get('requirement')}"
    return _RECORD_OF.get(kind)


def find_conflicts(events: list[CaseEvent]) -> list[Conflict]:
    """Pairs of writes to one record where the later writer had not seen the earlier one (its `_prior` stamp is
    older than the earlier event): they were made apart, offline, and a person must choose."""
    out: list[Conflict] = []
    latest: dict[str, CaseEvent] = {}
    resolved = {i for e in events if e.kind == "conflict_resolved" for i in e.payload.get("event_ids", ())}
    for ev in sorted(events, key=lambda e: e.hlc):
        record = record_of(ev.kind, ev.payload)
        if record is None:
            continue
        before = latest.get(record)
        prior = ev.payload.get(PRIOR)
        if before is not None and prior is not None and prior < before.hlc and not {before.id, ev.id} <= resolved:
            out.append(Conflict(record, (before.id, ev.id), (before.officer_id, ev.officer_id)))
        latest[record] = ev
    return out


@dataclass
class Case:
    case_id: str
    details: CaseDetails | None = None
    screening: dict[str, Any] | None = None
    screening_progress: dict[str, Any] | None = None  # a partial screening saved to resume; None once completed
    suitability: dict[str, Any] | None = None
    consent: dict[str, Any] | None = None
    share_consent: dict[str, Any] | None = None  # consent to share information, recorded apart from treatment
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)  # provider_agreed, by requirement
    proposal: dict[str, Any] | None = None
    sentence: dict[str, Any] | None = None
    appointment: dict[str, Any] | None = None  # the latest booking; `appointments` holds every live one
    leaflet: dict[str, Any] | None = None
    history: list[CaseEvent] = field(default_factory=list)
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict)  # live bookings by booking (event) id
    leaflet_reprint: bool = False  # a leaflet was handed over and an appointment on it has changed since
    booking_states: dict[str, str] = field(default_factory=dict)  # booking id -> the server's answer, if any
    record_ids: dict[str, str] = field(default_factory=dict)  # "sentence_recorded" / "provider_agreed:ATR" -> event
    equality: dict[str, Any] | None = None  # the person's equality monitoring answers (all optional)
    attendance: dict[str, dict[str, Any]] = field(default_factory=dict)  # booking id -> attended or not, and who said
    custody: dict[str, Any] | None = None  # the detainee as the L&D practitioner recorded them in custody
    custody_share: dict[str, Any] | None = None  # consent to share the L&D information with probation and court
    handover: dict[str, Any] | None = None  # the latest hand-over to a court: court, hearing date, who and contact
    conflicts: list[Conflict] = field(default_factory=list)  # concurrent versions of one record, for a person
    breaches: dict[str, dict[str, Any]] = field(default_factory=dict)  # breach event id -> date and who brought it
    withdrawn_breaches: dict[str, dict[str, Any]] = field(default_factory=dict)  # the same, with why it was withdrawn

    @property
    def proposed(self) -> list[str]:
        """The requirements taken forward at suitability: the provider is asked and consent is taken for these."""
        return list(self.suitability.get("proposed", [])) if self.suitability else []

    @property
    def sentenced(self) -> bool:
        return bool(self.sentence and self.sentence.get("outcome") not in INTERIM_OUTCOMES)

    @property
    def imposed(self) -> list[str]:
        """Treatment requirements the court imposed (empty until a final sentence with any)."""
        if not self.sentenced or self.sentence is None:
            return []
        return list((self.sentence.get("order") or {}).get("requirements", {}))

    @property
    def requirements(self) -> list[str]:
        """The requirements as they stand: imposed once sentenced, else proposed to court, else taken forward."""
        if self.sentenced:
            return self.imposed
        if self.proposal:
            return list(self.proposal["order"]["requirements"])
        return self.proposed

    def confirming_handover(self) -> bool:
        """A case handed over from custody whose details the court has not yet confirmed: confirming them (adding
        the offence custody does not record) is not a correction."""
        kinds = [e.kind for e in sorted(self.history, key=lambda e: e.hlc)]
        return "handed_over" in kinds and "details_updated" not in kinds[kinds.index("handed_over"):]

    @property
    def consented(self) -> bool:
        return bool(self.consent and self.consent.get("decision") == "agree")

    def task_status(self) -> dict[str, str]:
        s = {
            "details": DONE if self.details else NOT_STARTED,
            "screening": IN_PROGRESS if self.screening_progress else DONE if self.screening else NOT_STARTED,
            "suitability": DONE if self.suitability else (NOT_STARTED if self.screening else CANNOT_START),
            "provider": CANNOT_START,
            "consent": NOT_STARTED if self.proposed else CANNOT_START,
            "proposal": CANNOT_START,
            "sentence": CANNOT_START,
            "appointment": CANNOT_START,
            "leaflet": CANNOT_START,
        }
        if self.proposed:
            records = [self.providers.get(r) for r in self.proposed]
            final = [r for r in records if r and r.get("outcome") in ("agreed", "declined")]
            s["provider"] = DONE if len(final) == len(records) else IN_PROGRESS if any(records) else NOT_STARTED
        if self.consent:
            s["consent"] = DONE if self.consented else IN_PROGRESS
        if self.consented and any(self.providers.get(r, {}).get("outcome") == "agreed" for r in self.proposed):
            s["proposal"] = DONE if self.proposal else NOT_STARTED
        if self.proposal:
            s["sentence"] = (DONE if self.sentenced else IN_PROGRESS) if self.sentence else NOT_STARTED
        if self.consented and self.imposed:
            s["appointment"] = self._appointment_task()
        if self.appointments:
            s["leaflet"] = IN_PROGRESS if self.needs_reprint else DONE if self.leaflet else NOT_STARTED
        return s

    def _appointment_task(self) -> str:
        """Done when every requirement of the order has a booking and no booking lost its slot to another tablet."""
        if not self.appointments:
            return NOT_STARTED
        covered = {r for a in self.appointments.values() for r in a.get("requirements", self.requirements)}
        clash = any(self.booking_states.get(b) == "lost" for b in self.appointments)
        return DONE if covered >= set(self.requirements) and not clash else IN_PROGRESS

    @property
    def needs_reprint(self) -> bool:
        """The leaflet handed over no longer matches the appointments: one changed, or lost its slot."""
        lost = any(self.booking_states.get(b) == "lost" for b in self.appointments)
        return self.leaflet_reprint or bool(self.leaflet and lost)

    @property
    def in_custody(self) -> bool:
        """Recorded by liaison and diversion and not yet handed over to a court."""
        return self.custody is not None and self.handover is None

    @property
    def status(self) -> str:
        """The one-word status kept in clear for the list: which task is next."""
        if self.in_custody:
            return "in_custody"
        tasks = self.task_status()
        if all(v == DONE for v in tasks.values()) or (self.sentenced and not self.imposed):
            return "complete"  # a sentence without a treatment requirement ends the pathway
        return next(t for t in TASKS if tasks[t] != DONE)


def fold(case_id: str, events: list[CaseEvent]) -> Case:
    """Rebuild a case from its log. Later events of a kind supersede earlier ones; nothing is lost from history."""
    case = Case(case_id=case_id)
    for ev in sorted(events, key=lambda e: e.hlc):
        case.history.append(ev)
        _apply_event(case, ev)
        if ev.kind == "conflict_resolved":  # the version a person chose stands, whichever came later
            kept = next((e for e in case.history if e.id == ev.payload.get("kept")), None)
            if kept is not None:
                _apply_event(case, kept)
    case.conflicts = find_conflicts(case.history)
    return case


def _apply_event(case: Case, ev: CaseEvent) -> None:
    if ev.kind == "correction_made":  # the corrected record stands in for the one it replaces
        _apply(case, ev.payload["target_kind"], ev.payload["record"], ev.id)
    else:
        _apply(case, ev.kind, _record(ev), ev.id)


def _record(ev: CaseEvent) -> dict[str, Any]:
    """The record an event carries, without the sync bookkeeping (`_prior`) that only conflict-finding reads."""
    return {k: v for k, v in ev.payload.items() if k != PRIOR}


def _apply(case: Case, kind: str, p: dict[str, Any], event_id: str) -> None:
    if kind in ("case_opened", "details_updated"):
        case.details = CaseDetails.from_payload(p)
        case.record_ids["details"] = event_id
    elif kind in ("custody_opened", "custody_updated"):
        case.custody = p
    elif kind == "custody_share_consent":
        case.custody_share = p
    elif kind == "handed_over":
        case.handover = p
        case.details = _details_from_custody(case.details, case.custody or {}, p)
    elif kind == "screening_progress_saved":
        case.screening_progress = p if p.get("answers") else None  # saving no answers discards the draft
    elif kind == "screening_completed":
        case.screening = p
        case.screening_progress = None
        case.suitability = case.consent = case.proposal = None  # a new screening needs a fresh assessment
        case.record_ids.pop("proposal_made", None)
        case.share_consent = None  # and the new answers need a fresh consent to share them
    elif kind == "suitability_assessed":
        case.suitability = p
    elif kind == "provider_agreed":
        case.providers[p["requirement"]] = p
        case.record_ids[f"provider_agreed:{p['requirement']}"] = event_id
    elif kind in ("consent_given", "consent_declined"):
        case.consent = p
    elif kind == "share_consent_recorded":
        case.share_consent = p
    elif kind == "consent_withdrawn":  # a new event: the consent it withdraws stays in the history
        if case.consent is not None:
            case.consent = {**case.consent, "decision": "withdrawn", "withdrawal": p}
        if p.get("share_withdrawn") and case.share_consent is not None:
            case.share_consent = {**case.share_consent, "decision": "withdrawn", "withdrawal": p}
    elif kind == "proposal_made":
        case.proposal = p
        case.record_ids[kind] = event_id
    elif kind == "sentence_recorded":
        case.sentence = p
        case.record_ids[kind] = event_id
    elif kind == "appointment_booked":
        for old_id, old in list(case.appointments.items()):
            if _replaces(p, old_id, old):
                del case.appointments[old_id]
        case.appointments[event_id] = {**p, "booking_id": event_id}
        case.appointment = case.appointments[event_id]
        case.leaflet_reprint = case.leaflet_reprint or case.leaflet is not None
        case.leaflet = None
    elif kind == "equality_recorded":
        case.equality = p
    elif kind == "appointment_attended":
        case.attendance[p["booking_id"]] = p
    elif kind == "breach_recorded":  # an order can be breached more than once: each breach is kept
        case.breaches[event_id] = p
    elif kind == "breach_withdrawn":  # recorded in error: no longer a breach, and the history keeps both events
        breach = case.breaches.pop(p["breach_id"], None)
        if breach is not None:
            case.withdrawn_breaches[p["breach_id"]] = {**breach, "reason": p["reason"]}
    elif kind == "leaflet_printed":
        case.leaflet = p
        case.leaflet_reprint = False


def _details_from_custody(details: CaseDetails | None, custody: dict[str, Any], h: dict[str, Any]) -> CaseDetails:
    """A hand-over names the court and hearing: the court's case starts from what custody recorded, no re-keying.
    A later hand-over (another court or day) moves the case and keeps whatever the court has updated."""
    court, hearing = h["court_id"], date.fromisoformat(h["hearing_date"])
    if details is not None:
        return CaseDetails(**{**details.__dict__, "court_id": court, "hearing_date": hearing})
    return CaseDetails(
        name=custody.get("name", ""), dob=date.fromisoformat(custody["dob"]) if custody.get("dob") else None,
        court_id=court, hearing_date=hearing, referral_source="liaison_diversion", offence=h.get("offence", ""),
        guilty_plea_anticipated=h.get("guilty_plea_anticipated"),
        interpreter_needed=bool(custody.get("interpreter_needed")), language=custody.get("language", ""),
        referrer_name=h.get("by_name", ""), referrer_organisation=h.get("by_organisation", ""),
        referrer_contact=" · ".join(x for x in (h.get("by_phone", ""), h.get("by_email", "")) if x))


def _replaces(new: dict[str, Any], old_id: str, old: dict[str, Any]) -> bool:
    """A booking stands in for an earlier one it names, or one with the same provider or a shared requirement:
    the order has one appointment per provider, and each requirement is seen by one provider."""
    if old_id in new.get("replaces", ()) or new.get("provider_id") == old.get("provider_id"):
        return True
    return bool(set(new.get("requirements", ())) & set(old.get("requirements", ())))
