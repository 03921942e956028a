"""The PIN asked for again, in place of a screen whose action the service refused with PinNeeded.

Which actions need it is decided in the service (OfficerSession: an export, a reprint, another officer's case),
so this screen only asks, then builds the refused screen again. A right PIN is good for a short while
(OfficerSession.REAUTH_SECONDS), so changing the leaflet's language does not ask again; wrong PINs count
towards lockout exactly as at unlock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from app.i18n import _
from app.tablet import OfficerLocked, PinNeeded, WrongPin
from screens import ui
from screens.shell import Builder, Shell


async def pin_gate(shell: Shell, need: PinNeeded, then: Builder, *args: object) -> ft.Control:
    """A PIN field in place of the screen `then`; the right PIN shows it, too many wrong ones lock."""
    from screens import case_page, today
    from screens.login import refusal

    assert shell.session is not None
    session = shell.session
    pin = ui.text_field(_("PIN"), password=True, keyboard_type=ft.KeyboardType.NUMBER, width=360, autofocus=True)

    async def confirm(_e: ft.ControlEvent) -> None:
        try:
            await shell.call(session.reauthenticate, (pin.value or "").strip())
        except WrongPin as exc:
            pin.value, pin.error = "", refusal(exc)
            shell.page.update()
            return
        except OfficerLocked:
            await shell.lock()
            return
        await shell.go(then, *args)

    async def back(_e: ft.ControlEvent) -> None:
        if need.opening or not args:  # the case itself was not opened: back to the list it was chosen from
            await shell.go(today.today_list)
        else:
            await shell.go(case_page.task_list, args[0])

    pin.on_submit = confirm
    return ft.Column([
        ui.heading(_("Enter your PIN again")),
        ui.body(str(need)),
        pin,
        ft.Row([ui.primary(_("Continue"), confirm), ui.secondary(_("Back"), back)], spacing=16),
    ], spacing=16)


def export_button(shell: Shell, make: str, open_: str, pdf: bytes | None, filename: str,
                  prepare: Callable[[ft.ControlEvent], Awaitable[None]]) -> ft.Control:
    """A PDF that leaves the app (an export): `make` builds the screen again with the PDF made (the service asks
    for the PIN first); once made, `open_` opens it, a click of its own as browsers require for a new tab."""
    if pdf is None:
        return ui.primary(make, prepare, icon=ft.Icons.PRINT)
    return ui.primary(open_, icon=ft.Icons.PRINT,
                      action=ft.OpenUrl(shell.ctx.pdfs.put(pdf, filename), target=ft.UrlTarget.BLANK))
