"""Provider arrangements and the proposal to court: what the CDO tells the court, with reasons.

The service description says the CDO recommends the proposal "including the fact that the individual has
consented to the requirements and that the provider ... agreed". So a requirement is proposed only when
every criterion is met, its length is the one agreed with the provider, and the order as a whole passes
the checks in force on the date of conviction. The summary is one structure shown on screen and printed
as a PDF, so the two cannot say different things; the PDF is built in memory and never written to disk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle

from app.case import Case, FieldErrors
from app.i18n import _, fmt_date, months, ngettext
from app.rules import RequirementRule
from app.suitability import (
    CONTACT_METHODS,
    ELIGIBLE,
    ORDER_TYPES,
    PROVIDER_OUTCOMES,
    SUSPENDED_SENTENCE_ORDER,
    Assessment,
    CaseFacts,
    Order,
    OrderFinding,
    blocking,
    check_order,
    consent_how,
    provider_note,
)

_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
MAX_AGREED_MONTHS = 36


@dataclass(frozen=True)
class ProviderArrangement:
    """What the provider said for one requirement, and who, when and how they were contacted."""

    requirement: str
    provider_id: str
    practitioner: str
    contacted_on: date | None
    contacted_at: str
    method: str
    outcome: str  # agreed | declined | pending
    findings: Mapping[str, bool | None] = field(default_factory=dict)
    months: int | None = None

    def validate(self, rule: RequirementRule, provider_ids: set[str], today: date) -> None:
        e: dict[str, str] = {}
        if self.provider_id not in provider_ids:
            e["provider_id"] = _("Choose the provider")
        if len(self.practitioner.strip()) < 2:
            e["practitioner"] = _("Enter the name of the person at the provider you spoke to")
        if self.contacted_on is None:
            e["contacted_on"] = _("Enter the date you contacted the provider, for example 23/11/2026")
        elif self.contacted_on > today:
            e["contacted_on"] = _("The date of contact cannot be in the future")
        if self.contacted_at and not _TIME.fullmatch(self.contacted_at):
            e["contacted_at"] = _("Enter the time as hours and minutes, for example 10:30")
        if self.method not in CONTACT_METHODS:
            e["method"] = _("Choose how you contacted the provider")
        if self.outcome not in PROVIDER_OUTCOMES:
            e["outcome"] = _("Choose what the provider said")
        questions = {q.id: q for q in rule.questions}
        for qid in self.findings:
            if qid not in questions:
                e[f"finding_{qid}"] = _("Unknown question {id}").format(id=qid)
        if self.outcome == "agreed":
            for q in rule.questions:
                if self.findings.get(q.id) is None:
                    e[f"finding_{q.id}"] = _("Record the provider's answer: {question}").format(question=_(q.text))
            if self.months is None or not 1 <= self.months <= MAX_AGREED_MONTHS:
                e["months"] = _("Enter the length agreed with the provider in months, from 1 to {max}").format(
                    max=MAX_AGREED_MONTHS)
        if e:
            raise FieldErrors(e)

    def to_payload(self, provider_name: str) -> dict[str, Any]:
        return {
            "requirement": self.requirement, "provider_id": self.provider_id, "provider_name": provider_name,
            "practitioner": self.practitioner.strip(),
            "contacted_on": self.contacted_on.isoformat() if self.contacted_on else None,
            "contacted_at": self.contacted_at, "method": self.method, "outcome": self.outcome,
            "findings": dict(self.findings), "months": self.months if self.outcome == "agreed" else None,
        }


@dataclass(frozen=True)
class ProposalInput:
    requirements: tuple[str, ...]
    order_type: str
    order_months: int | None
    supervision_months: int | None = None
    aamr: bool = False
    other_requirements: int = 0


def order_for(case: Case, inputs: ProposalInput) -> Order:
    """The order as proposed: each requirement's length is the one agreed with its provider."""
    return Order(inputs.order_type, inputs.order_months,
                 {r: case.providers.get(r, {}).get("months") or 0 for r in inputs.requirements},
                 inputs.supervision_months, inputs.aamr, inputs.other_requirements)


def preview(case: Case, inputs: ProposalInput, assessment: Assessment) -> list[OrderFinding]:
    """What the checks say about the order as it stands on screen, before anything is saved."""
    order = order_for(case, inputs)
    if not order.requirements:
        return []  # lengths not typed yet are unknown, so only the checks they do not touch are raised
    return check_order(order, assessment.rules, "proposal", _seriousness(case), CaseFacts.from_case(case))


def build_proposal(case: Case, inputs: ProposalInput, assessment: Assessment) -> dict[str, Any]:
    """The proposal_made payload, or FieldErrors naming every reason it cannot go to court yet."""
    if not inputs.requirements:
        raise FieldErrors({"requirements": _("Choose at least one requirement to propose")})
    e: dict[str, str] = {}
    for req in inputs.requirements:
        decision = assessment.decision(req)
        if decision.status != ELIGIBLE:
            open_items = [c.text for c in decision.criteria if c.result != "met"]
            e[f"requirement_{req}"] = _("{name} cannot be proposed yet: {criteria}").format(
                name=decision.name, criteria="; ".join(open_items))
    if e:
        raise FieldErrors(e)
    order = order_for(case, inputs)
    order.validate({r.id for r in assessment.rules.requirements})
    findings = check_order(order, assessment.rules, "proposal", _seriousness(case), CaseFacts.from_case(case))
    if blocked := blocking(findings):
        raise FieldErrors(blocked)
    consent = case.consent or {}
    return {
        "order": order.to_payload(),
        "conviction_date": assessment.conviction_date.isoformat(),
        "seriousness": _seriousness(case),
        "decisions": [assessment.decision(r).to_dict() for r in inputs.requirements],
        "findings": [f.to_dict() for f in findings],
        "providers": {r: case.providers[r] for r in inputs.requirements},
        "consent": {"decision": consent.get("decision"), "requirements": consent.get("requirements"),
                    "format": consent.get("format"), "locale": consent.get("locale"),
                    "interpreter": consent.get("interpreter")},
        "rules": assessment.rules.cited(),
    }


def _seriousness(case: Case) -> str | None:
    return ((case.suitability or {}).get("offence") or {}).get("seriousness")


# --- The summary, on screen and on paper ---------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementSummary:
    name: str
    months: int
    provider: str  # who, when, how contacted
    criteria: tuple[tuple[str, str, str], ...]  # criterion, reason, source


@dataclass(frozen=True)
class ProposalSummary:
    defendant: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, str], ...]
    requirements: tuple[RequirementSummary, ...]
    findings: tuple[tuple[str, str, str], ...]  # severity, text, source
    rules: str


def summarise(case: Case, court_name: str, levels: Mapping[str, str]) -> ProposalSummary:
    """One summary for the screen and the PDF, from the proposal as recorded (not recomputed)."""
    p = case.proposal
    if p is None or case.details is None:
        raise FieldErrors({"proposal": _("Make the proposal first")})
    order = Order.from_payload(p["order"])
    d = case.details
    names = {dec["requirement"]: dec["name"] for dec in p["decisions"]}
    requirements = tuple(
        RequirementSummary(
            names.get(req, req), months, provider_note(p["providers"].get(req)),
            tuple((c["criterion"], c["reason"], c["source"]) for c in next(
                dec for dec in p["decisions"] if dec["requirement"] == req)["criteria"]))
        for req, months in order.requirements.items())
    consent = p.get("consent") or {}
    rows: list[tuple[str, str]] = [
        (_("Requirements proposed"), "; ".join(
            ngettext("{name}, {n} month", "{name}, {n} months", r.months).format(name=r.name, n=r.months)
            for r in requirements)),
        (_("Order"), order_text(order)),
    ]
    extras = ([_("Alcohol abstinence and monitoring requirement")] if order.aamr else []) + (
        [ngettext("{n} other requirement", "{n} other requirements", order.other_requirements).format(
            n=order.other_requirements)] if order.other_requirements else [])
    if extras:
        rows.append((_("Other requirements"), "; ".join(extras)))
    rows += [
        (_("Date of conviction"), fmt_date(date.fromisoformat(p["conviction_date"]), "long")),
        (_("Seriousness"), _(levels.get(p.get("seriousness") or "", _("not recorded")))),
        (_("Consent"), _("The person agreed to the requirements ({how})").format(
            how=consent_how(consent, d.language if d.interpreter_needed else ""))
         if consent.get("decision") == "agree" else _("Not given")),
    ]
    rows += [(_("Provider agreement: {name}").format(name=r.name), r.provider) for r in requirements]
    defendant = (
        (_("Name"), d.name),
        (_("Date of birth"), fmt_date(d.dob, "long") if d.dob else ""),
        (_("Court"), court_name),
        (_("Hearing date"), fmt_date(d.hearing_date, "long") if d.hearing_date else ""),
        (_("Offence"), d.offence),
    )
    findings = tuple((f["severity"], f["text"], f["source"]) for f in p.get("findings", []))
    rules = ", ".join(f"{r['title']} {r['version']}" for r in p.get("rules", []))
    return ProposalSummary(defendant, tuple(rows), requirements, findings, rules)


def order_text(order: Order) -> str:
    if order.order_type == SUSPENDED_SENTENCE_ORDER:
        return _("Suspended sentence order: operational period {op}, supervision period {sup}").format(
            op=months(order.order_months), sup=months(order.supervision_months or 0))
    return _("{order}, {length}").format(order=_(ORDER_TYPES[order.order_type]), length=months(order.order_months))


def render_proposal_pdf(summary: ProposalSummary) -> bytes:
    """The proposal for the court as PDF bytes, in memory only: it names the defendant."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=_("Proposal to the court"), author="", subject="",
                            keywords="", creator="Courtside")
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14, spaceAfter=2)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=11, textColor=colors.HexColor("#333333"))
    bold = ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold")
    heading = ParagraphStyle("heading", parent=bold, fontSize=14, leading=18, spaceBefore=10, spaceAfter=4)
    title = ParagraphStyle("title", parent=bold, fontSize=18, leading=22, spaceAfter=6)
    width = A4[0] - 32 * mm

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(rows: Sequence[tuple[str, str]]) -> Table:
        t = Table([[p(k, bold), p(v)] for k, v in rows], colWidths=[55 * mm, width - 55 * mm])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        return t

    story: list[Any] = [p(_("Proposal to the court: community sentence treatment requirement"), title),
                        table(summary.defendant), p(_("The proposal"), heading), table(summary.rows)]
    if summary.findings:
        story.append(p(_("For the court's attention"), heading))
        labels = {"warn": _("Warning"), "note": _("Note"), "block": _("Refused")}
        story += [p(f"{labels.get(sev, sev)}: {text} ({source})") for sev, text, source in summary.findings]
    for r in summary.requirements:
        rows = [[p(_("Criterion"), bold), p(_("Why it is met"), bold), p(_("Source"), bold)]] + [
            [p(c), p(reason), p(source, small)] for c, reason, source in r.criteria]
        t = Table(rows, colWidths=[width * 0.3, width * 0.4, width * 0.3], repeatRows=1)
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1"))]))
        story.append(KeepTogether([p(r.name, heading), t]))
    story.append(p(_("Rules applied: {rules}").format(rules=summary.rules), small))
    doc.build(story)
    return buffer.getvalue()
