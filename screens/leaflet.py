"""The CSTR leaflet: open the PDF to print it, then record that it was handed over."""

from __future__ import annotations

import flet as ft

from app.i18n import _, fmt_date, fmt_time
from screens import case_page, ui
from screens.appointment import start_of
from screens.shell import Shell


async def leaflet_page(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    assert case.appointment is not None
    pdf = await shell.call(session.leaflet, case_id)
    token = shell.ctx.leaflets.put(pdf)
    start = start_of(case.appointment)

    async def given(_e: ft.ControlEvent) -> None:
        await shell.call(session.record_leaflet_given, case_id)
        shell.saved()
        await shell.go(confirmation, case_id)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("CSTR leaflet")),
        ui.body(_("The leaflet gives the next appointment: {date} at {time}.").format(
            date=fmt_date(start.date(), "full"), time=fmt_time(start))),
        ui.body(_("It carries no name, because the person takes it out of court.")),
        ui.primary(_("Open the leaflet to print"), icon=ft.Icons.PRINT,
                   action=ft.OpenUrl(f"/leaflet/{token}", target=ft.UrlTarget.BLANK)),
        ft.Row([ui.primary(_("Leaflet given to the defendant"), given), ui.secondary(_("Back"), back)], spacing=16),
    ], spacing=16)


async def confirmation(shell: Shell, case_id: str) -> ft.Control:
    from screens import today

    async def to_list(_e: ft.ControlEvent) -> None:
        await shell.go(today.today_list)

    async def to_case(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ft.Container(bgcolor=ft.Colors.GREEN_800, padding=24, content=ft.Column([
            ft.Text(_("Case complete"), size=32, weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE),
            ft.Text(_("The leaflet was given and the record is saved on this tablet."), size=18,
                    color=ft.Colors.WHITE),
        ])),
        ui.body(_("It goes to the site server when the tablet is connected: see the sync status at the top.")),
        ft.Row([ui.primary(_("Back to today's cases"), to_list), ui.secondary(_("View the case"), to_case)],
               spacing=16),
    ], spacing=16)
