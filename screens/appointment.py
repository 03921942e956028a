"""First appointments: one per provider in the order, chosen day by day from the site's slots, or typed in by hand.

A booking made here is provisional until the site server confirms it; if another tablet took the slot first,
this screen says so and the CDO books another time (the leaflet is then marked to be printed again).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import flet as ft

from app.appointment import CONFIRMED, LOST, MANUAL, PROVISIONAL, ManualAppointment, Need, slots_by_day
from app.case import REQUIREMENT_NAMES
from app.i18n import _, fmt_date, fmt_time
from app.site import ACCESSIBILITY, WEEKDAYS, Provider, Slot
from screens import case_page, ui
from screens.shell import Shell

_A_MONDAY = date(2024, 1, 1)


def slot_label(slot: Slot) -> str:
    return f"{fmt_date(slot.start.date(), 'full')}, {fmt_time(slot.start)}"


def start_of(appointment: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(appointment["start"]))


def state_text(need: Need) -> str:
    if need.booking is None:
        return _("Not booked yet")
    when = slot_label_from(need.booking)
    return {
        CONFIRMED: _("{when}: confirmed by the site server").format(when=when),
        MANUAL: _("{when}: agreed with the provider by phone").format(when=when),
        LOST: _("{when}: another tablet booked this time first. Choose another time").format(when=when),
    }.get(need.state or PROVISIONAL, _("{when}: provisional until the site server confirms it").format(when=when))


def slot_label_from(appointment: dict[str, object]) -> str:
    start = start_of(appointment)
    return f"{fmt_date(start.date(), 'full')}, {fmt_time(start)}"


def _hours(provider: Provider) -> str:
    if not provider.opening_hours:
        return ""
    spans = ["{day} {times}".format(day=weekday_name(day), times=", ".join(
        f"{fmt_time_of(o)}–{fmt_time_of(c)}" for o, c in hours)) for day, hours in provider.opening_hours]
    return _("Open: {hours}").format(hours="; ".join(spans))


def fmt_time_of(value: object) -> str:
    return value.strftime("%H:%M")  # type: ignore[attr-defined]


def _provider_facts(provider: Provider) -> list[ft.Control]:
    facts = [ui.body(f"{provider.address} · {provider.phone}")]
    if hours := _hours(provider):
        facts.append(ui.body(hours, size=16))
    extras = [_(ACCESSIBILITY[a]) for a in provider.accessibility]
    if extras:
        facts.append(ui.body(_("Access: {features}").format(features=", ".join(extras)), size=16))
    return facts


async def choose_slot(shell: Shell, case_id: str, provider_id: str | None = None, day: str | None = None
                      ) -> ft.Control:
    """The appointments the order needs, and the slot picker for one of them."""
    assert shell.session is not None
    session = shell.session
    site = await shell.call(lambda: shell.tablet.site)
    chosen = {r: provider_id for r in site.provider(provider_id).requirements} if provider_id else None
    plan = await shell.call(session.appointment_plan, case_id, chosen)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    if not plan:
        return ft.Column([ui.heading(_("First appointment")),
                          ui.body(_("No provider in the site configuration offers this requirement.")),
                          ui.secondary(_("Back"), back)], spacing=14)
    need = next((n for n in plan if n.provider.id == provider_id), None) \
        or next((n for n in plan if n.booking is None or n.state == LOST), plan[0])
    controls: list[ft.Control] = [ui.heading(_("First appointment"))]
    for n in plan:
        if n.state == LOST:
            controls.append(ft.Semantics(live_region=True, identifier="booking-clash", content=ft.Container(
                border=ft.Border.all(4, ft.Colors.RED_700), padding=16, content=ft.Column([
                    ft.Text(_("This appointment was taken by another tablet"), size=20, weight=ft.FontWeight.BOLD),
                    ft.Text(_("{provider}: {when} was booked first on another tablet. Choose another time. "
                              "If a leaflet was printed, print it again.").format(
                        provider=n.provider.name, when=slot_label_from(n.booking or {})), size=16),
                ]))))
    if len(plan) > 1:  # a combined order: one appointment per provider
        for n in plan:
            async def pick(_e: ft.ControlEvent, pid: str = n.provider.id) -> None:
                await shell.go(choose_slot, case_id, pid)
            reqs = ", ".join(_(REQUIREMENT_NAMES[r]) for r in n.requirements)
            controls.append(ft.ListTile(
                title=ft.Text(f"{n.provider.name} ({reqs})", size=18), subtitle=ft.Text(state_text(n), size=16),
                selected=n is need, on_click=pick))
    elif need.booking is not None:
        controls.append(ui.body(state_text(need)))
    controls += await _picker(shell, case_id, need, day)
    controls.append(ui.secondary(_("Back"), back))
    return ft.Column(controls, spacing=14, scroll=ft.ScrollMode.AUTO)


async def _picker(shell: Shell, case_id: str, need: Need, day: str | None) -> list[ft.Control]:
    assert shell.session is not None
    provider = need.provider
    out: list[ft.Control] = []
    if need.options and len(need.options) > 1:
        async def provider_changed(e: ft.ControlEvent) -> None:
            await shell.go(choose_slot, case_id, e.control.value)
        box, dd = ui.dropdown(_("Provider"), [(p.id, p.name) for p in need.options], provider.id, width=560)
        dd.on_select = provider_changed
        out.append(box)
    else:
        out.append(ui.heading(provider.name, size=22))
    out += _provider_facts(provider)
    if provider.books_by_hand:
        return out + _manual_form(shell, case_id, provider)
    slots = await shell.call(shell.session.available_slots, provider.id, shell.today())
    days = slots_by_day(slots)
    if not days:
        return out + [ui.body(_("No free appointments in the next weeks. Phone the provider, then enter the "
                                "appointment by hand.")), *_manual_form(shell, case_id, provider)]
    current = next((d for d in days if d[0].isoformat() == day), days[0])
    day_buttons = []
    for d, day_slots in days[:15]:
        async def pick_day(_e: ft.ControlEvent, iso: str = d.isoformat()) -> None:
            await shell.go(choose_slot, case_id, provider.id, iso)
        label = f"{fmt_date(d, 'EEE d MMM')} ({len(day_slots)})"
        make = ui.primary if d == current[0] else ui.secondary
        day_buttons.append(ft.Semantics(label=_("Show times on {day}").format(day=fmt_date(d, "full")),
                                        selected=d == current[0], content=make(label, pick_day)))
    group = ui.radios([(s.id, slot_label(s)) for s in current[1]])

    async def chosen(_e: ft.ControlEvent) -> None:  # a tap on a time goes straight to the check, where Change returns
        slot = next((s for s in current[1] if s.id == group.value), None)
        if slot is not None:
            await shell.go(check_booking, case_id, slot)

    group.on_change = chosen
    return out + [
        ui.body(_("Choose a day, then a time: the next screen asks you to check it before it is booked."),
                weight=ft.FontWeight.BOLD),
        ft.Row(day_buttons, wrap=True, spacing=8, run_spacing=8),
        ft.Semantics(label=_("Appointment time"), content=group),
    ]


def _manual_form(shell: Shell, case_id: str, provider: Provider) -> list[ft.Control]:
    """For a provider that books by phone: the day, time and length agreed on the call."""
    assert shell.session is not None
    session = shell.session
    day = ui.text_field(_("Date agreed (DD/MM/YYYY)"), width=320)
    at = ui.text_field(_("Time agreed (HH:MM)"), width=320)
    minutes = ui.text_field(_("Length in minutes"), "60", width=320)
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def book(_e: ft.ControlEvent) -> None:
        entry = ManualAppointment(day.value or "", at.value or "", minutes.value or "")
        await shell.save_step(error, case_id, session.book_by_hand, case_id, provider.id, entry, shell.today())

    return [
        ui.body(_("{provider} books appointments by phone on {phone}. Phone them, then enter what you agreed.")
                .format(provider=provider.name, phone=provider.phone)),
        day, at, minutes, error,
        ui.primary(_("Save appointment"), book),
    ]


async def check_booking(shell: Shell, case_id: str, slot: Slot) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    site = await shell.call(lambda: shell.tablet.site)
    provider = site.provider(slot.provider_id)
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def book(_e: ft.ControlEvent) -> None:
        await shell.save_step(error, case_id, session.book_appointment, case_id, slot, shell.today())

    async def change(_e: ft.ControlEvent) -> None:
        await shell.go(choose_slot, case_id, slot.provider_id, slot.start.date().isoformat())

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
        ui.body(_("The booking is provisional until the site server confirms that no other tablet took this time.")),
        error,
        shell.pinned(ft.Row([ui.primary(_("Book appointment"), book), ui.secondary(_("Change"), change)], spacing=16)),
    ], spacing=16)


def weekday_name(day: str) -> str:
    """A weekday key ("mon") as the officer's language names it (CLDR)."""
    return fmt_date(_A_MONDAY + timedelta(days=WEEKDAYS.index(day)), "EEEE")
