"""The sentence recorded, the judiciary's short form, and the history of every correction.

After sentence the judiciary say which sentence they would have passed had the CSTR not been available
(the service description's "short form"): that figure is how a site shows treatment requirements replaced
custody. A record is never edited: a correction is a new event carrying the corrected record and a reason,
and the history shows who changed what, from the events themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.case import INTERIM_OUTCOMES, REQUIREMENT_NAMES, Case, CaseEvent, FieldErrors
from app.clock import LONDON, wall_time
from app.i18n import N_, _, fmt_date, months, weeks
from app.rules import RuleSet
from app.suitability import CONTACT_METHODS, ORDER_TYPES, PROVIDER_OUTCOMES, Order, blocking, check_order

OUTCOMES: dict[str, str] = {
    "probation_sentence": N_("Probation sentence"),
    "non_probation_sentence": N_("Non-probation sentence"),
    "adjourned": N_("Adjourned"),
    "report_requested": N_("Report requested"),
    "committed_crown_court": N_("Committed to the Crown Court"),
    "other": N_("Other outcome"),
}
SENTENCED = ("probation_sentence", "non_probation_sentence")  # outcomes where "sentenced on the day?" applies
SHORT_FORM: dict[str, str] = {
    "custody": N_("Custody"),
    "suspended_sentence": N_("Suspended sentence"),
    "community_order_without_treatment": N_("Community order without treatment"),
    "fine": N_("Fine"),
    "other": N_("Other sentence"),
    "not_given": N_("Not given"),
}
CUSTODY_UNITS: dict[str, str] = {"weeks": N_("Weeks"), "months": N_("Months")}
MAX_CUSTODY = {"weeks": 520, "months": 120}
MIN_REASON = 5


@dataclass(frozen=True)
class SentenceRecord:
    outcome: str
    sentence_date: date | None
    sentenced_on_day: bool | None
    order: Order | None = None  # probation sentence only
    short_form: str | None = None  # when a treatment requirement was imposed
    custody_length: int | None = None
    custody_unit: str | None = None

    @property
    def treatment_imposed(self) -> bool:
        return self.outcome == "probation_sentence" and self.order is not None and bool(self.order.requirements)

    def validate(self, rules: RuleSet, conviction_date: date | None, today: date) -> None:
        """Refuses typing slips and anything outside the legal limits for the date of conviction."""
        e: dict[str, str] = {}
        if self.outcome not in OUTCOMES:
            raise FieldErrors({"outcome": _("Choose what the court did")})
        if self.sentence_date is None:
            e["sentence_date"] = _("Enter the date of the hearing, for example 23/11/2026")
        elif self.sentence_date > today:
            e["sentence_date"] = _("The date of the hearing cannot be in the future")
        elif conviction_date and self.sentence_date < conviction_date:
            e["sentence_date"] = _("The hearing cannot be before the date of conviction ({date})").format(
                date=fmt_date(conviction_date, "long"))
        if self.outcome in SENTENCED and self.sentenced_on_day is None:
            e["sentenced_on_day"] = _("Say whether the person was sentenced on the day")
        if self.outcome == "probation_sentence":
            if self.order is None:
                e["order_type"] = _("Choose a community order or a suspended sentence order")
            else:
                try:
                    self.order.validate({r.id for r in rules.requirements})
                except FieldErrors as exc:
                    e.update(exc.errors)
                else:
                    e.update(blocking(check_order(self.order, rules, "sentence")))
        if self.treatment_imposed:
            if self.short_form not in SHORT_FORM:
                e["short_form"] = _("Record the short form: the sentence the court would have passed without "
                                    "the treatment requirement, or 'Not given'")
            elif self.short_form == "custody":
                unit = self.custody_unit
                if unit not in CUSTODY_UNITS:
                    e["custody_unit"] = _("Choose weeks or months for the custody length")
                elif self.custody_length is None or not 1 <= self.custody_length <= MAX_CUSTODY[unit]:
                    e["custody_length"] = _("Enter the custody length, from 1 to {max} {unit}").format(
                        max=MAX_CUSTODY[unit], unit=_(CUSTODY_UNITS[unit]).lower())
        if e:
            raise FieldErrors(e)

    def to_payload(self) -> dict[str, Any]:
        treatment = self.treatment_imposed
        return {
            "outcome": self.outcome,
            "sentence_date": self.sentence_date.isoformat() if self.sentence_date else None,
            "sentenced_on_day": self.sentenced_on_day if self.outcome in SENTENCED else None,
            "order": self.order.to_payload() if self.outcome == "probation_sentence" and self.order else None,
            "short_form": self.short_form if treatment else None,
            "custody_length": self.custody_length if treatment and self.short_form == "custody" else None,
            "custody_unit": self.custody_unit if treatment and self.short_form == "custody" else None,
        }

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> SentenceRecord:
        d = p.get("sentence_date")
        return cls(p["outcome"], date.fromisoformat(d) if d else None, p.get("sentenced_on_day"),
                   Order.from_payload(p["order"]) if p.get("order") else None, p.get("short_form"),
                   p.get("custody_length"), p.get("custody_unit"))


def needs_reason(case: Case) -> bool:
    """A final sentence already stands: a new record corrects it, and a correction needs a reason."""
    return bool(case.sentence and case.sentence.get("outcome") not in INTERIM_OUTCOMES)


def check_reason(reason: str, ask: str | None = None) -> str:
    """The reason as one line, or FieldErrors at `reason` with `ask` (what to write, already translated)."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise FieldErrors({"reason": ask or _("Say why you are correcting the record, for example 'wrong length "
                                              "typed'")})
    return reason


# --- Describing a record, for the history -----------------------------------------------------------------


def describe_sentence(p: Mapping[str, Any]) -> dict[str, str]:
    """Field label -> value in words; the history compares two of these to say what changed."""
    out = {
        _("Outcome"): _(OUTCOMES.get(p["outcome"], p["outcome"])),
        _("Date"): fmt_date(date.fromisoformat(p["sentence_date"]), "long") if p.get("sentence_date") else "",
    }
    if p.get("sentenced_on_day") is not None:
        out[_("Sentenced on the day")] = _("Yes") if p["sentenced_on_day"] else _("No")
    order = p.get("order")
    if order:
        out[_("Order")] = _(ORDER_TYPES.get(order["order_type"], order["order_type"]))
        out[_("Length of the order")] = months(order["order_months"])
        if order.get("supervision_months"):
            out[_("Supervision period")] = months(order["supervision_months"])
        for req, length in order.get("requirements", {}).items():
            out[_(REQUIREMENT_NAMES.get(req, req))] = months(length)
        if order.get("aamr"):
            out[_("Alcohol abstinence and monitoring requirement")] = _("Yes")
    if p.get("short_form"):
        short = _(SHORT_FORM.get(p["short_form"], p["short_form"]))
        if p["short_form"] == "custody" and p.get("custody_length"):
            custody = {"weeks": weeks, "months": months}.get(p.get("custody_unit") or "")
            short += " " + (custody(int(p["custody_length"])) if custody else str(p["custody_length"]))
        out[_("Short form")] = short
    return out


def describe_provider(p: Mapping[str, Any], questions: Mapping[str, str] | None = None) -> dict[str, str]:
    out = {
        _("Provider"): p.get("provider_name", ""), _("Spoke to"): p.get("practitioner", ""),
        _("Contacted"): " ".join(filter(None, [
            fmt_date(date.fromisoformat(p["contacted_on"]), "long") if p.get("contacted_on") else "",
            p.get("contacted_at", "")])),
        _("How"): _(CONTACT_METHODS.get(p.get("method", ""), p.get("method", ""))),
        _("Answer"): _(PROVIDER_OUTCOMES.get(p.get("outcome", ""), p.get("outcome", ""))),
    }
    if p.get("months"):
        out[_("Length agreed")] = months(p["months"])
    for qid, answer in p.get("findings", {}).items():
        out[(questions or {}).get(qid, qid)] = _("not assessed") if answer is None else _("Yes") if answer else _("No")
    return out


def describe_proposal(p: Mapping[str, Any]) -> dict[str, str]:
    order = p["order"]
    out = {_("Order"): _(ORDER_TYPES.get(order["order_type"], order["order_type"])),
           _("Length of the order"): months(order["order_months"])}
    if order.get("supervision_months"):
        out[_("Supervision period")] = months(order["supervision_months"])
    for req, length in order.get("requirements", {}).items():
        out[_(REQUIREMENT_NAMES.get(req, req))] = months(length)
    out[_("Alcohol abstinence and monitoring requirement")] = _("Yes") if order.get("aamr") else _("No")
    out[_("Other requirements")] = str(order.get("other_requirements", 0))
    return out


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    officer_id: str
    corrected: bool
    reason: str
    changes: tuple[tuple[str, str, str], ...]  # field, before, after
    record: dict[str, str]


def history_of(case: Case, kind: str, describe: Callable[[Mapping[str, Any]], dict[str, str]],
               requirement: str | None = None) -> list[HistoryEntry]:
    """Every version of one record, oldest first: who recorded or corrected it, when, why, and what changed."""
    out: list[HistoryEntry] = []
    before: dict[str, str] | None = None
    for ev in case.history:
        record, reason, corrected = _version(ev, kind)
        if record is None or (requirement is not None and record.get("requirement") != requirement):
            continue
        now = describe(record)
        changes = tuple((k, (before or {}).get(k, ""), v) for k, v in now.items() if (before or {}).get(k) != v)
        if before is not None:
            changes += tuple((k, v, "") for k, v in before.items() if k not in now)
        out.append(HistoryEntry(_stamp_time(ev.hlc), ev.officer_id, corrected, reason,
                                changes if before is not None else (), now))
        before = now
    return out


def _version(ev: CaseEvent, kind: str) -> tuple[dict[str, Any] | None, str, bool]:
    if ev.kind == kind:
        return ev.payload, "", False
    if ev.kind == "correction_made" and ev.payload.get("target_kind") == kind:
        return ev.payload["record"], ev.payload.get("reason", ""), True
    return None, "", False


def _stamp_time(hlc: str) -> datetime:
    return wall_time(hlc).astimezone(LONDON)
