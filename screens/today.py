"""Today's list for the officer's court, and the way into a new case."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import N_, _, fmt_date
from screens import case_details, case_page, ui
from screens.shell import Shell

STATUS_TEXT = {
    "details": N_("Details needed"),
    "screening": N_("Screening next"),
    "suitability": N_("Suitability next"),
    "provider": N_("Provider's agreement next"),
    "consent": N_("Consent next"),
    "proposal": N_("Proposal to court next"),
    "sentence": N_("Sentence to record"),
    "appointment": N_("Appointment next"),
    "leaflet": N_("Leaflet next"),
    "complete": N_("Complete"),
}


def from_custody(handover: dict[str, Any] | None) -> list[str]:
    """A case handed over by L&D says so, with who sent it and how to reach them: the CDO calls, not re-asks."""
    if not handover:
        return []
    contact = ", ".join(x for x in (handover.get("by_phone"), handover.get("by_email")) if x)
    return [_("From custody"), _("handed over by {name} ({contact})").format(name=handover.get("by_name", ""),
                                                                           contact=contact)]


async def today_list(shell: Shell) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    site = await shell.call(lambda: shell.tablet.site)
    shell.court_id = shell.court_id or site.courts[0].id
    cases = await shell.call(session.todays_cases, shell.court_id, shell.today())

    async def court_changed(e: ft.ControlEvent) -> None:
        shell.court_id = e.control.value
        await shell.go(today_list)

    court_box, court_dd = ui.dropdown(_("Court"), [(c.id, c.name) for c in site.courts], shell.court_id, width=420)
    court_dd.on_select = court_changed

    def open_case(case_id: str):
        async def handler(_e: ft.ControlEvent) -> None:
            await shell.go(case_page.task_list, case_id)

        return handler

    async def new_case(_e: ft.ControlEvent) -> None:
        await shell.go(case_details.details_form, None)

    rows: list[ft.Control] = [
        ft.ListTile(
            title=ft.Text(c.name, size=18),
            subtitle=ft.Text(" · ".join([_(STATUS_TEXT.get(c.status, c.status)), *from_custody(c.from_custody)])),
            on_click=open_case(c.case_id),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
        )
        for c in cases
    ]
    provider = session.provider
    if provider is not None:  # a provider practitioner: only the cases taken forward for their service
        top: list[ft.Control] = [ui.heading(_("Cases for {provider}").format(provider=provider.name))]
        empty = _("No cases taken forward for your service today at this court.")
    else:
        top = [ui.heading(_("Today's cases"))]
        empty = _("No cases yet today at this court.")
    return ft.Column(
        [
            *top,
            ui.body(fmt_date(shell.today())),
            court_box,
            *([] if provider else [ui.primary(_("Start a new case"), new_case, icon=ft.Icons.ADD)]),
            *(rows or [ui.body(empty)]),
        ],
        spacing=16,
    )
