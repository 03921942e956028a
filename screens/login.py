"""Choose your name, then unlock with your PIN."""

from __future__ import annotations

import flet as ft

from app import roles
from app.custody import LD_ROLE
from app.i18n import _, ngettext
from app.tablet import OfficerLocked, TabletWiped, WrongPin
from screens import today, ui
from screens.shell import Shell


def refusal(exc: WrongPin | OfficerLocked) -> str:
    """What the officer is told when a PIN is refused, at unlock or when it is asked for again."""
    if isinstance(exc, WrongPin):
        return ngettext("Wrong PIN. {n} try left before you are locked out.",
                        "Wrong PIN. {n} tries left before you are locked out.", exc.tries_left).format(n=exc.tries_left)
    if isinstance(exc, TabletWiped):
        return _("Too many wrong PINs on this tablet: its keys were destroyed. Records already synced are safe on "
                 "the site server. Ask your site admin to enrol the tablet again.")
    return _("Too many wrong PINs: you are locked out of this tablet. Ask another officer or your site admin to "
             "enrol you again.")


async def officer_list(shell: Shell) -> ft.Control:
    site = await shell.call(lambda: shell.tablet.site)
    enrolled = set(await shell.call(shell.tablet.enrolled_officers))
    officers = [o for o in site.officers if o.id in enrolled]

    def choose(officer_id: str, name: str):
        async def handler(_e: ft.ControlEvent) -> None:
            await shell.go(pin_entry, officer_id, name)
        return handler

    return ft.Column([
        ui.heading(_("Courtside")),
        ui.body(site.name),
        ui.heading(_("Who are you?"), size=22),
        *[ui.primary(o.name, choose(o.id, o.name), width=360) for o in officers],
        *([] if officers else [ui.body(_("No officer is enrolled on this tablet. Ask your site admin."))]),
    ], spacing=16)


async def pin_entry(shell: Shell, officer_id: str, name: str) -> ft.Control:
    pin = ui.text_field(_("PIN"), password=True, keyboard_type=ft.KeyboardType.NUMBER, width=360, autofocus=True)
    message = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def unlock(_e: ft.ControlEvent) -> None:
        value = (pin.value or "").strip()
        if not value:
            pin.error = _("Enter your PIN")
            shell.page.update()
            return
        try:
            session = await shell.call(shell.tablet.unlock, officer_id, value)
        except (WrongPin, OfficerLocked) as exc:
            pin.value = ""
            if isinstance(exc, WrongPin):
                pin.error = refusal(exc)
            else:
                message.value = refusal(exc)
            shell.page.update()
            return
        shell.session = session
        shell.start_polling()
        if session.role == LD_ROLE:
            from screens import custody
            await shell.go(custody.custody_list)
        elif session.role == roles.ADMIN:
            from screens import site_admin
            await shell.go(site_admin.admin_home)
        else:  # a CDO, or a provider practitioner (today's list shows only the cases for their service)
            await shell.go(today.today_list)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(officer_list)

    pin.on_submit = unlock
    return ft.Column([
        ui.heading(_("Hello, {name}").format(name=name)),
        ui.body(_("Enter your PIN to unlock")),
        pin, message,
        ft.Row([ui.primary(_("Unlock"), unlock), ui.secondary(_("Not you? Go back"), back)], spacing=16),
    ], spacing=16)
