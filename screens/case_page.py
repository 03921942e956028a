"""The case page: a GOV.UK-style task list, each task marked not started, in progress or completed."""

from __future__ import annotations

from datetime import date

import flet as ft

from app import roles
from app.case import (
    DETAIL_NAMES,
    EVENT_NAMES,
    RECORD_NAMES,
    REQUIREMENT_NAMES,
    TASKS,
    Case,
    Conflict,
    HistoryLine,
    case_reference,
    history_lines,
)
from app.clock import LONDON, wall_time
from app.custody import LD_ROLE
from app.i18n import N_, _, fmt_date, fmt_time, ngettext
from app.site import Site
from screens import ui
from screens.shell import Shell

TASK_NAMES = {
    "details": N_("Defendant details"), "screening": N_("Screening"), "suitability": N_("Suitability"),
    "provider": N_("Provider agreement"), "consent": N_("Consent"), "proposal": N_("Proposal to court"),
    "sentence": N_("Sentence"), "appointment": N_("First appointment"), "leaflet": N_("Leaflet"),
}


async def task_list(shell: Shell, case_id: str) -> ft.Control:
    from screens import (
        appointment,
        case_details,
        consent,
        equality,
        leaflet,
        outcome,
        proposal,
        screening,
        sentence,
        suitability,
        today,
    )

    assert shell.session is not None
    if shell.session.role == LD_ROLE:  # every step returns here: L&D's own steps end with the hand-over
        from screens import custody
        return await custody.custody_case(shell, case_id)
    case = await shell.call(shell.session.case, case_id)
    status = case.task_status()
    provider_only = shell.session.role == roles.PROVIDER  # a provider practitioner records their service's answer

    async def correct_details(shell: Shell, case_id: str) -> ft.Control:  # or confirm what custody sent
        return await case_details.details_form(shell, case.details, None, case_id)

    targets = {"screening": screening.start, "suitability": suitability.suitability_page,
               "provider": proposal.provider_page, "consent": consent.handover,
               "proposal": proposal.proposal_page, "sentence": sentence.sentence_page,
               "appointment": appointment.choose_slot, "leaflet": leaflet.leaflet_page,
               "details": correct_details}

    def task_row(task: str) -> ft.Control:
        state = status[task]
        label = _(TASK_NAMES[task])
        tag = ui.tag(_(ui.STATUS_LABELS[state]), state == "done")
        target = targets.get(task)
        if target is None or state == "cannot_start" or (provider_only and task != "provider"):
            return ft.ListTile(title=ft.Text(label, size=18), trailing=tag)

        async def open_task(_e: ft.ControlEvent) -> None:
            await shell.go(target, case_id)
        return ft.ListTile(title=ft.Text(label, size=18), trailing=tag, on_click=open_task)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(today.today_list)

    async def to_equality(_e: ft.ControlEvent) -> None:
        await shell.go(equality.equality_page, case_id)

    async def to_outcome(_e: ft.ControlEvent) -> None:
        await shell.go(outcome.outcome_page, case_id)

    details = case.details
    equality_state = "done" if case.equality else "not_started"
    after = "done" if case.attendance else "not_started"  # a breach may still follow: it is never "complete"
    site = await shell.call(lambda: shell.tablet.site)
    proposed = ", ".join(_(REQUIREMENT_NAMES[r]) for r in case.requirements)
    return ft.Column([
        ui.heading(details.name if details else _("Case")),
        ui.body(_("Case reference {reference}").format(reference=case_reference(case_id)), size=14,
                color=ft.Colors.ON_SURFACE_VARIANT),
        *([ui.body(_("Requirements: {requirements}").format(requirements=proposed))] if proposed else []),
        *[conflict_box(shell, case_id, c, site) for c in case.conflicts],
        *[task_row(t) for t in TASKS],
        *([ft.ListTile(title=ft.Text(_("After the sentence: attendance and breach"), size=18), on_click=to_outcome,
                       trailing=ui.tag(_(ui.STATUS_LABELS[after]), after == "done"))] if case.appointments else []),
        *([] if provider_only else [
            ft.ListTile(title=ft.Text(_("Equality monitoring (optional)"), size=18), on_click=to_equality,
                        trailing=ui.tag(_(ui.STATUS_LABELS[equality_state]), bool(case.equality)))]),
        ui.secondary(_("Back to today's cases"), back),
        history(case, site, shell.today()),
    ], spacing=8)


def _when(line: HistoryLine, today: date) -> str:
    """The time on the court's clock, with the date when it was not today; a run of saves as its first and last."""
    def one(stamp: str) -> str:
        at = wall_time(stamp).astimezone(LONDON)
        return fmt_time(at) if at.date() == today else f"{fmt_date(at.date(), 'medium')} {fmt_time(at)}"
    return one(line.last) if line.count == 1 else f"{one(line.first)}–{one(line.last)}"


def officer_name(site: Site, officer_id: str) -> str:
    return next((o.name for o in site.officers if o.id == officer_id), officer_id)


def history(case: Case, site: Site, today: date) -> ft.Control:
    """Every event of the case, custody's and the court's, with who and when: each side sees what the other did.
    Newest first; a step repeated in a row (a screening saved as it goes) is one line with how many times."""
    def words(line: HistoryLine) -> str:  # one message each, so a translator can put the count where it reads well
        template = (_("{when} — {what} — {who}") if line.count == 1 else
                    ngettext("{when} — {what} ({n} time) — {who}", "{when} — {what} ({n} times) — {who}", line.count))
        what = _(EVENT_NAMES.get(line.kind, line.kind))
        if line.correction:  # which record, what in it, and why
            c = line.correction
            record = _(RECORD_NAMES.get((c["record"] or "").split(":")[0], c["record"] or ""))
            what = (_("Correction to {record} ({fields}): {reason}").format(
                        record=record, fields=", ".join(_(DETAIL_NAMES.get(f, f)) for f in c["changed"]),
                        reason=c["reason"]) if c["changed"] else
                    _("Correction to {record}: {reason}").format(record=record, reason=c["reason"]))
        return template.format(when=_when(line, today), what=what, n=line.count,
                               who=officer_name(site, line.officer_id))

    rows = [ft.Text(words(line), size=14) for line in history_lines(case.history)]
    return ft.Semantics(identifier="case-history", content=ft.Column(
        [ui.heading(_("Case history"), size=20), *rows], spacing=4))


def conflict_box(shell: Shell, case_id: str, conflict: Conflict, site: Site) -> ft.Control:
    """Two versions made apart: both are kept; a person chooses which stands."""
    assert shell.session is not None
    session = shell.session

    def keep(event_id: str):  # noqa: ANN202 - a click handler
        async def handler(_e: ft.ControlEvent) -> None:
            await shell.save_step(error, case_id, session.resolve_conflict, case_id, conflict, event_id,
                                  _("Chosen on the case page"))
        return handler

    error = ft.Text("", color=ft.Colors.RED_700)
    names = [officer_name(site, o) for o in conflict.officer_ids]
    return ft.Semantics(identifier="conflict", live_region=True, content=ft.Container(
        border=ft.Border.all(4, ft.Colors.AMBER_700), padding=16, content=ft.Column([
            ui.body(_("{first} and {second} both changed {record} without seeing each other's change. Both "
                      "versions are kept: choose the one that stands.").format(
                first=names[0], second=names[1], record=_(RECORD_NAMES.get(conflict.record, conflict.record)))),
            ft.Row([ui.secondary(_("Keep {name}'s version").format(name=name), keep(event_id))
                    for name, event_id in zip(names, conflict.event_ids, strict=True)], wrap=True), error])))
