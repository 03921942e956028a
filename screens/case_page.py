"""The case page: a GOV.UK-style task list, each task marked not started, in progress or completed."""

from __future__ import annotations

import flet as ft

from app.case import REQUIREMENT_NAMES, TASKS
from app.i18n import N_, _
from screens import ui
from screens.shell import Shell

TASK_NAMES = {
    "details": N_("Defendant details"), "screening": N_("Screening"), "suitability": N_("Suitability"),
    "provider": N_("Provider agreement"), "consent": N_("Consent"), "proposal": N_("Proposal to court"),
    "sentence": N_("Sentence"), "appointment": N_("First appointment"), "leaflet": N_("Leaflet"),
}


async def task_list(shell: Shell, case_id: str) -> ft.Control:
    from screens import appointment, consent, leaflet, proposal, screening, sentence, suitability, today

    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    status = case.task_status()
    targets = {"screening": screening.start, "suitability": suitability.suitability_page,
               "provider": proposal.provider_page, "consent": consent.handover,
               "proposal": proposal.proposal_page, "sentence": sentence.sentence_page,
               "appointment": appointment.choose_slot, "leaflet": leaflet.leaflet_page}

    def task_row(task: str) -> ft.Control:
        state = status[task]
        label = _(TASK_NAMES[task])
        tag = ui.tag(_(ui.STATUS_LABELS[state]), state == "done")
        target = targets.get(task)
        if target is None or state == "cannot_start":
            return ft.ListTile(title=ft.Text(label, size=18), trailing=tag)

        async def open_task(_e: ft.ControlEvent) -> None:
            await shell.go(target, case_id)
        return ft.ListTile(title=ft.Text(label, size=18), trailing=tag, on_click=open_task)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(today.today_list)

    details = case.details
    proposed = ", ".join(_(REQUIREMENT_NAMES[r]) for r in case.requirements)
    return ft.Column([
        ui.heading(details.name if details else _("Case")),
        *([ui.body(_("Requirements: {requirements}").format(requirements=proposed))] if proposed else []),
        *[task_row(t) for t in TASKS],
        ui.secondary(_("Back to today's cases"), back),
    ], spacing=8)
