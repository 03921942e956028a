"""Suitability for each requirement with its reasons; the CDO chooses what to propose."""

from __future__ import annotations

import flet as ft

from app import suitability
from app.case import REQUIREMENT_NAMES
from app.i18n import N_, _
from screens import case_page, ui
from screens.shell import Shell

STATUS_TEXT = {
    suitability.POTENTIALLY_SUITABLE: N_("Potentially suitable: refer to the provider to assess"),
    suitability.NOT_INDICATED: N_("Not indicated by the screening"),
    suitability.NOT_ELIGIBLE: N_("Not eligible"),
}

MET_ICONS = {True: ft.Icons.CHECK, False: ft.Icons.CLOSE, None: ft.Icons.HELP_OUTLINE}
MET_LABELS = {True: N_("met"), False: N_("not met"), None: N_("not known yet")}


async def suitability_page(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    decisions = await shell.call(session.suitability, case_id)
    case = await shell.call(session.case, case_id)
    error = ft.Text("", color=ft.Colors.RED_700, size=16)
    warnings = ft.Column([])
    boxes: dict[str, ft.Checkbox] = {}

    def refresh_warnings(_e: ft.ControlEvent | None = None) -> None:
        chosen = [r for r, b in boxes.items() if b.value]
        warnings.controls = [ft.Text("⚠ " + w, size=16, color=ft.Colors.ORANGE_900)
                             for w in suitability.proposal_warnings(chosen)]
        if _e is not None:
            shell.page.update()

    cards = []
    for d in decisions:
        name = _(REQUIREMENT_NAMES[d.requirement])
        reasons = [ft.Row([ft.Icon(MET_ICONS[r.met], semantics_label=_(MET_LABELS[r.met])),
                           ft.Text(f"{r.text} ({r.source})", size=15, expand=True)]) for r in d.reasons]
        controls: list[ft.Control] = [ft.Text(name, size=20, weight=ft.FontWeight.BOLD),
                                      ft.Text(_(STATUS_TEXT[d.status]), size=16), *reasons]
        if d.status != suitability.NOT_ELIGIBLE:
            box = ft.Checkbox(label=_("Propose: {name}").format(name=name),
                              value=d.requirement in case.proposed or (
                                  not case.proposed and d.status == suitability.POTENTIALLY_SUITABLE),
                              on_change=refresh_warnings)
            boxes[d.requirement] = box
            controls.append(box)
        cards.append(ft.Card(content=ft.Container(padding=16, content=ft.Column(controls, spacing=6))))
    refresh_warnings()

    async def save(_e: ft.ControlEvent) -> None:
        chosen = [r for r, b in boxes.items() if b.value]
        await shell.save_step(error, case_id, session.propose, case_id, chosen)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("Suitability")),
        ui.body(_("The provider must assess and agree before the proposal goes to court.")),
        *cards, warnings, error,
        ft.Row([ui.primary(_("Save proposal"), save), ui.secondary(_("Back"), back)], spacing=16),
    ], spacing=12, scroll=ft.ScrollMode.AUTO)
