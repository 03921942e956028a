"""Book the first appointment from the provider's slots in the site configuration."""

from __future__ import annotations

from datetime import datetime

import flet as ft

from app.i18n import _, fmt_date, fmt_time
from app.site import Provider, Slot
from screens import case_page, ui
from screens.shell import Shell


async def choose_slot(shell: Shell, case_id: str, provider_id: str | None = None) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    site = await shell.call(lambda: shell.tablet.site)
    providers: list[Provider] = []
    for req in case.proposed:
        providers += [p for p in site.providers_for(req) if p not in providers]
    provider = next((p for p in providers if p.id == provider_id), providers[0] if providers else None)
    if provider is None:
        return ft.Column([ui.heading(_("First appointment")),
                          ui.body(_("No provider in the site configuration offers this requirement."))])
    slots = await shell.call(session.available_slots, provider.id, shell.today())
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def provider_changed(e: ft.ControlEvent) -> None:
        await shell.go(choose_slot, case_id, e.control.value)

    provider_box, provider_dd = ui.dropdown(_("Provider"), [(p.id, p.name) for p in providers], provider.id,
                                            width=560)
    provider_dd.on_select = provider_changed
    group = ui.radios([(s.id, slot_label(s)) for s in slots[:20]])

    async def cont(_e: ft.ControlEvent) -> None:
        chosen = next((s for s in slots if s.id == group.value), None)
        if chosen is None:
            error.value = _("Choose an appointment time")
            shell.page.update()
            return
        await shell.go(check_booking, case_id, chosen)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("First appointment")),
        provider_box,
        ui.body(f"{provider.address} · {provider.phone}"),
        ft.Semantics(label=_("Appointment time"), content=group) if slots
        else ui.body(_("No free appointments in the next weeks. Phone the provider.")),
        error,
        ft.Row([ui.primary(_("Continue"), cont), ui.secondary(_("Back"), back)], spacing=16),
    ], spacing=14, scroll=ft.ScrollMode.AUTO)


def slot_label(slot: Slot) -> str:
    return f"{fmt_date(slot.start.date(), 'full')}, {fmt_time(slot.start)}"


async def check_booking(shell: Shell, case_id: str, slot: Slot) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    site = await shell.call(lambda: shell.tablet.site)
    provider = site.provider(slot.provider_id)
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def book(_e: ft.ControlEvent) -> None:
        await shell.save_step(error, case_id, session.book_appointment, case_id, slot, shell.today())

    async def change(_e: ft.ControlEvent) -> None:
        await shell.go(choose_slot, case_id, slot.provider_id)

    return ft.Column([
        ui.heading(_("Check the appointment")),
        ui.summary_list([
            (_("Provider"), provider.name),
            (_("Date"), fmt_date(slot.start.date(), "full")),
            (_("Time"), fmt_time(slot.start)),
            (_("Length"), _("{n} minutes").format(n=slot.minutes)),
            (_("Place"), provider.address),
            (_("Phone"), provider.phone),
        ]),
        error,
        ft.Row([ui.primary(_("Book appointment"), book), ui.secondary(_("Change"), change)], spacing=16),
    ], spacing=16)


def start_of(appointment: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(appointment["start"]))
