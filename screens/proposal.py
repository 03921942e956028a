"""Provider agreement and the proposal to court: who agreed, when and how; then what the CDO proposes, shown
on screen and printed as a PDF from memory."""

from __future__ import annotations

from datetime import date

import flet as ft

from app import proposal as proposals
from app.case import REQUIREMENT_NAMES
from app.i18n import N_, _, fmt_datetime, months
from app.rules import rule_book
from app.sentence import HistoryEntry, describe_proposal, describe_provider, history_of
from app.suitability import (
    CONTACT_METHODS,
    ELIGIBLE,
    ORDER_TYPES,
    PROVIDER_OUTCOMES,
    SUSPENDED_SENTENCE_ORDER,
    provider_note,
)
from screens import case_page, reauth, ui
from screens.case_details import parse_day
from screens.shell import Shell
from screens.suitability import STATUS_TEXT, criterion_row

ANSWERS = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Not assessed")}
SEVERITY = {"block": N_("Cannot be proposed"), "warn": N_("Warning"), "note": N_("Note")}


def parse_int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def history_list(shell: Shell, entries: list[HistoryEntry]) -> ft.Control:
    """Who recorded or corrected this, when, why, and what changed: the record is never edited in place."""
    if len(entries) < 2:
        return ft.Container()
    site = shell.tablet.site
    names = {o.id: o.name for o in site.officers}
    rows: list[ft.Control] = [ui.heading(_("History"), size=20)]
    for h in entries:
        who = names.get(h.officer_id, h.officer_id)
        when = fmt_datetime(h.when, "medium")
        if not h.corrected:
            rows.append(ft.Text(_("Recorded by {who}, {when}").format(who=who, when=when), size=15))
            continue
        changes = "; ".join(_("{field} changed from {before} to {after}").format(
            field=f, before=b or _("(none)"), after=a or _("(none)")) for f, b, a in h.changes) or _("no change")
        rows.append(ft.Text(_("Corrected by {who}, {when}. Reason: {reason}. {changes}.").format(
            who=who, when=when, reason=h.reason, changes=changes), size=15))
    return ft.Semantics(identifier="record-history", content=ft.Column(rows, spacing=4))


# --- Provider agreement -----------------------------------------------------------------------------------


async def provider_page(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    book = await shell.call(rule_book)
    questions = {q.id: _(q.text) for r in book.requirements for q in r.questions}
    cards = []
    for req in case.proposed:
        record = case.providers.get(req)
        name = _(REQUIREMENT_NAMES[req])

        def opener(requirement: str):
            async def handler(_e: ft.ControlEvent) -> None:
                await shell.go(provider_form, case_id, requirement)
            return handler

        label = (_("Correct the provider's answer: {name}") if record else
                 _("Record the provider's answer: {name}")).format(name=name)
        history = history_of(case, "provider_agreed", lambda p: describe_provider(p, questions), req)
        cards.append(ft.Card(content=ft.Container(padding=16, content=ft.Column([
            ft.Text(name, size=20, weight=ft.FontWeight.BOLD),
            ui.body(provider_note(record), size=16),
            ui.secondary(label, opener(req)),
            history_list(shell, history),
        ], spacing=8))))

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("Provider agreement")),
        ui.body(_("For each requirement, record who you contacted at the provider, when and how, and what "
                  "their assessment found. The court is told that the provider agreed.")),
        *cards,
        ui.secondary(_("Back"), back),
    ], spacing=14, scroll=ft.ScrollMode.AUTO)


async def provider_form(shell: Shell, case_id: str, requirement: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    book = await shell.call(rule_book)
    rule = next(r for r in book.requirements if r.id == requirement)
    site = await shell.call(lambda: shell.tablet.site)
    mine = session.provider  # a provider practitioner answers for their own service, in their own name
    providers = [mine] if mine is not None else site.providers_for(requirement)
    old = case.providers.get(requirement) or {}
    name = _(REQUIREMENT_NAMES[requirement])

    provider = ui.radios([(p.id, p.name) for p in providers],
                         old.get("provider_id") or (providers[0].id if len(providers) == 1 else None))
    practitioner = ui.text_field(_("Person you spoke to at the provider"),
                                 old.get("practitioner", session.officer_name if mine else ""), width=520)
    was_on = date.fromisoformat(old["contacted_on"]) if old.get("contacted_on") else shell.today()
    contacted_on = ui.text_field(_("Date contacted (DD/MM/YYYY)"), was_on.strftime("%d/%m/%Y"), width=320)
    contacted_at = ui.text_field(_("Time contacted (HH:MM)"), old.get("contacted_at", ""), width=320)
    method = ui.radios([(k, _(v)) for k, v in CONTACT_METHODS.items()], old.get("method"))
    outcome = ui.radios([(k, _(v)) for k, v in PROVIDER_OUTCOMES.items()], old.get("outcome"))
    findings_old = old.get("findings", {})
    answers: dict[str, ft.RadioGroup] = {}
    question_rows: list[ft.Control] = []
    for q in rule.questions:
        was = findings_old.get(q.id)
        group = ui.radios([(k, _(v)) for k, v in ANSWERS.items()],
                          None if q.id not in findings_old else ("unknown" if was is None else "yes" if was else "no"))
        answers[q.id] = group
        question_rows += [ui.body(_(q.text), size=16), ft.Semantics(label=_(q.text), container=True, content=group)]
    months = ui.text_field(_("Length agreed in months"), str(old.get("months") or ""), width=320)
    reason = ui.text_field(_("Reason for the correction"), "", width=520)
    summary = ft.Container()
    texts = {"practitioner": practitioner, "contacted_on": contacted_on, "contacted_at": contacted_at,
             "months": months, "reason": reason}

    def collect() -> proposals.ProviderArrangement:
        findings = {qid: (None if g.value in (None, "unknown") else g.value == "yes") for qid, g in answers.items()
                    if g.value is not None}
        return proposals.ProviderArrangement(
            requirement=requirement, provider_id=provider.value or "", practitioner=practitioner.value or "",
            contacted_on=parse_day(contacted_on.value or ""), contacted_at=(contacted_at.value or "").strip(),
            method=method.value or "", outcome=outcome.value or "", findings=findings,
            months=parse_int(months.value))

    show_errors = ui.field_errors(texts, summary)

    async def save(_e: ft.ControlEvent) -> None:
        await shell.save_step(show_errors, case_id, session.record_provider, case_id, collect(), shell.today(),
                              reason.value or "", then=provider_page)

    async def cancel(_e: ft.ControlEvent) -> None:
        await shell.go(provider_page, case_id)

    return ft.Column([
        ui.heading(_("Provider agreement: {name}").format(name=name)),
        summary,
        ui.body(_("Provider"), size=16),
        ft.Semantics(label=_("Provider"), container=True, content=provider),
        practitioner, contacted_on, contacted_at,
        ui.body(_("How you contacted them"), size=16),
        ft.Semantics(label=_("How you contacted them"), container=True, content=method),
        ui.body(_("What the provider said"), size=16),
        ft.Semantics(label=_("What the provider said"), container=True, content=outcome),
        ui.heading(_("What the assessment found"), size=20),
        *question_rows,
        months,
        *([reason] if old.get("outcome") in ("agreed", "declined") else []),
        shell.pinned(ft.Row([ui.primary(_("Save the provider's answer"), save), ui.secondary(_("Cancel"), cancel)],
                            spacing=16)),
    ], spacing=12, scroll=ft.ScrollMode.AUTO)


# --- The proposal ------------------------------------------------------------------------------------------


async def proposal_page(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    if case.proposal is None:
        return await proposal_form(shell, case_id)
    return await proposal_summary(shell, case_id)


async def proposal_form(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    assessment = await shell.call(session.suitability, case_id)
    old = (case.proposal or {}).get("order") or {}
    boxes: dict[str, ft.Checkbox] = {}
    cards: list[ft.Control] = []
    for req in case.proposed:
        d = assessment.decision(req)
        agreed = case.providers.get(req, {}).get("months")
        extra: list[ft.Control] = []
        if d.status == ELIGIBLE:
            box = ui.tick(_("Propose: {name}, {length}").format(name=d.name, length=months(agreed))
                          if agreed else _("Propose: {name}").format(name=d.name),
                          value=req in old.get("requirements", {}) if old else True)
            boxes[req] = box
            extra.append(box)
        else:
            extra += [criterion_row(c) for c in d.criteria if c.result != "met"]
        cards.append(ft.Card(content=ft.Container(padding=16, content=ft.Column([
            ft.Text(d.name, size=20, weight=ft.FontWeight.BOLD),
            ft.Text(_(STATUS_TEXT[d.status]), size=16), *extra], spacing=6))))

    order_type = ui.radios([(k, _(v)) for k, v in ORDER_TYPES.items()], old.get("order_type"))
    order_months = ui.text_field(_("Length of the order in months"), str(old.get("order_months") or ""), width=420)
    supervision = ui.text_field(_("Supervision period in months (suspended sentence order only)"),
                                str(old.get("supervision_months") or ""), width=520)
    aamr = ui.tick(_("An alcohol abstinence and monitoring requirement is also proposed"),
                   value=bool(old.get("aamr")))
    others = ui.text_field(_("Number of other requirements in the order (for example unpaid work)"),
                           str(old.get("other_requirements", 0)), width=520)
    reason = ui.text_field(_("Reason for the correction"), "", width=520)
    findings = ft.Column([], spacing=6)
    summary = ft.Container()
    texts = {"order_months": order_months, "supervision_months": supervision, "other_requirements": others,
             "reason": reason}

    def collect() -> proposals.ProposalInput:
        return proposals.ProposalInput(
            tuple(r for r, b in boxes.items() if b.value), order_type.value or "", parse_int(order_months.value),
            parse_int(supervision.value) if order_type.value == SUSPENDED_SENTENCE_ORDER else None,
            bool(aamr.value), parse_int(others.value) or 0)

    async def refresh(_e: ft.ControlEvent | None = None) -> None:
        """The checks on the order as it stands on screen: the combined-order rule, lengths, conflicts."""
        found = await shell.call(proposals.preview, case, collect(), assessment) if order_type.value else []
        findings.controls = [
            ft.Text(f"{_(SEVERITY[f.severity])}: {f.text} ({f.source})", size=15,
                    color=ft.Colors.RED_700 if f.severity == "block" else ft.Colors.ORANGE_900)
            for f in found]
        if _e is not None:
            shell.page.update()

    for control in (order_type, aamr, *boxes.values()):
        control.on_change = refresh
    for field in (order_months, supervision, others):
        field.on_blur = refresh
    await refresh()

    show_errors = ui.field_errors(texts, summary)

    async def save(_e: ft.ControlEvent) -> None:
        await shell.save_step(show_errors, case_id, session.make_proposal, case_id, collect(), reason.value or "",
                              then=proposal_summary)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("Proposal to the court")),
        ui.body(_("Only requirements that meet every criterion can be proposed. Each runs for the length agreed "
                  "with the provider.")),
        summary,
        *cards,
        ui.body(_("Type of order"), size=16),
        ft.Semantics(label=_("Type of order"), container=True, content=order_type),
        order_months, supervision, aamr, others,
        findings,
        *([reason] if case.proposal else []),
        shell.pinned(ft.Row([ui.primary(_("Make the proposal"), save), ui.secondary(_("Back"), back)], spacing=16)),
    ], spacing=12, scroll=ft.ScrollMode.AUTO)


async def proposal_summary(shell: Shell, case_id: str, printing: bool = False) -> ft.Control:
    """The proposal on screen; printing it is an export, made on request (the officer's PIN again)."""
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    summary = await shell.call(session.proposal_summary, case_id)
    pdf = await shell.call(session.proposal_pdf, case_id) if printing else None
    history = history_of(case, "proposal_made", describe_proposal)

    async def print_it(_e: ft.ControlEvent) -> None:
        await shell.go(proposal_summary, case_id, True)

    async def correct(_e: ft.ControlEvent) -> None:
        await shell.go(proposal_form, case_id)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    requirement_sections: list[ft.Control] = []
    for r in summary.requirements:
        requirement_sections.append(ft.Text(r.name, size=18, weight=ft.FontWeight.BOLD))
        requirement_sections += [ft.Text(_("Met: {criterion}: {reason} ({source})").format(
            criterion=c, reason=reason, source=source), size=14) for c, reason, source in r.criteria]
    return ft.Column([
        ui.heading(_("Proposal to the court")),
        ui.summary_list([*summary.defendant, *summary.rows]),
        *[ft.Text(f"{_(SEVERITY.get(sev, sev))}: {text} ({source})", size=15, color=ft.Colors.ORANGE_900)
          for sev, text, source in summary.findings],
        ui.heading(_("Why each requirement fits"), size=20),
        *requirement_sections,
        ft.Text(_("Rules applied: {rules}").format(rules=summary.rules), size=13),
        reauth.export_button(shell, _("Print the proposal"), _("Open the proposal to print"), pdf,
                             "proposal-to-court.pdf", print_it),
        history_list(shell, history),
        ft.Row([ui.secondary(_("Correct the proposal"), correct), ui.secondary(_("Back to the case"), back)],
               spacing=16),
    ], spacing=12, scroll=ft.ScrollMode.AUTO)
