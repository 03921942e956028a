"""The PIN asked for again before a sensitive action: printing the leaflet again, opening the consent summary.

Why: an unlocked tablet left on a court bench for a minute is the likeliest leak; a reprint or an export
puts personal data on paper or in another app, so it needs the officer, not just the open session. A
right PIN is good for a short while (Shell.REAUTH_SECONDS) so changing the leaflet's language does not
ask again; wrong PINs count towards lockout exactly as at unlock.
"""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.tablet import OfficerLocked, WrongPin
from screens import ui
from screens.shell import Builder, Shell


async def pin_gate(shell: Shell, why: str, then: Builder, case_id: str, *args: object) -> ft.Control:
    """A PIN field in place of the case's screen `then`; the right PIN shows it, too many wrong ones lock."""
    from screens import case_page
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
        shell.reauthenticated()
        await shell.go(then, case_id, *args)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    pin.on_submit = confirm
    return ft.Column([
        ui.heading(_("Enter your PIN again")),
        ui.body(why),
        pin,
        ft.Row([ui.primary(_("Continue"), confirm), ui.secondary(_("Back"), back)], spacing=16),
    ], spacing=16)
