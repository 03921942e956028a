"""After the sentence: whether the person came to the first appointment, and any breach of the order.

Why a screen of its own: the provider or probation tells the court team these later, often weeks on, and they
are the return's last two figures (first appointment attended, breach rate). The CDO or the provider
practitioner records each as it is reported; nothing here is asked of the defendant.
"""

from __future__ import annotations

from datetime import date, datetime

import flet as ft

from app.case import Case
from app.i18n import N_, _, fmt_date, fmt_time
from screens import case_page, ui
from screens.case_details import parse_day
from screens.shell import Shell

REPORTERS = {"probation": N_("Probation"), "provider": N_("The provider")}  # app.case.REPORTERS
BREACH_ROW = {"probation": N_("{day}, brought by probation"), "provider": N_("{day}, brought by the provider")}
ATTENDED = {"yes": N_("Attended"), "no": N_("Did not attend")}


def breach_label(breach: dict[str, object]) -> str:
    return _(BREACH_ROW[str(breach["brought_by"])]).format(day=fmt_date(date.fromisoformat(str(breach["breached_on"]))))


def appointment_label(shell: Shell, booking: dict[str, object]) -> str:
    provider = shell.tablet.site.provider(str(booking["provider_id"])).name
    start = datetime.fromisoformat(str(booking["start"]))
    return _("{provider}, {day} at {time}").format(provider=provider, day=fmt_date(start.date()),
                                                   time=fmt_time(start))


def attendance_text(case: Case, booking_id: str) -> str:
    said = case.attendance.get(booking_id)
    if said is None:
        return _("Not recorded yet")
    return _(ATTENDED["yes" if said.get("attended") else "no"])


async def outcome_page(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    choices = [(b, appointment_label(shell, p)) for b, p in case.appointments.items()]
    booking_box, booking = ui.dropdown(_("Appointment"), choices, choices[0][0] if len(choices) == 1 else None,
                                       width=520)
    attended = ui.radios([(k, _(v)) for k, v in ATTENDED.items()])
    reported_by = ui.radios([(k, _(v)) for k, v in REPORTERS.items()])
    breached_on = ui.text_field(_("Date of the breach"), "", hint_text=_("For example 27/03/2027"), width=360)
    brought_by = ui.radios([(k, _(v)) for k, v in REPORTERS.items()])
    recorded = sorted(case.breaches.items(), key=lambda item: str(item[1].get("breached_on")))
    withdrawn_box, withdrawn = ui.dropdown(_("Breach recorded in error"),
                                           [(b, breach_label(p)) for b, p in recorded],
                                           recorded[0][0] if len(recorded) == 1 else None, width=520)
    why = ui.text_field(_("Why it is withdrawn"), "", width=520)
    attendance_summary, breach_summary, withdraw_summary = ft.Container(), ft.Container(), ft.Container()
    booking_error, breach_error = ft.Text("", color=ft.Colors.RED_700), ft.Text("", color=ft.Colors.RED_700)

    def show_attendance_errors(errors: dict[str, str]) -> None:
        booking.error = errors.get("booking")
        booking_error.value = errors.get("attended") or errors.get("recorded_by") or ""
        attendance_summary.content = ui.error_summary(errors)

    async def save_attendance(_e: ft.ControlEvent) -> None:
        said = None if attended.value is None else attended.value == "yes"
        await shell.save_step(show_attendance_errors, case_id, session.record_attendance, case_id,
                              booking.value or "", said, reported_by.value or "", then=outcome_page)

    def show_breach_errors(errors: dict[str, str]) -> None:
        breached_on.error = errors.get("breached_on")
        breach_error.value = errors.get("brought_by") or errors.get("order") or ""
        breach_summary.content = ui.error_summary(errors)

    async def save_breach(_e: ft.ControlEvent) -> None:
        await shell.save_step(show_breach_errors, case_id, session.record_breach, case_id,
                              parse_day(breached_on.value or ""), brought_by.value or "", shell.today(),
                              then=outcome_page)

    async def withdraw(_e: ft.ControlEvent) -> None:
        await shell.save_step(ui.field_errors({"breach": withdrawn, "reason": why}, withdraw_summary), case_id,
                              session.withdraw_breach, case_id, withdrawn.value or "",
                              why.value or "", then=outcome_page)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    def group(label: str, control: ft.Control) -> list[ft.Control]:
        return [ui.body(label, size=16), ft.Semantics(label=label, container=True, content=control)]

    gone = sorted(case.withdrawn_breaches.values(), key=lambda p: str(p.get("breached_on")))
    withdrawal = [ui.heading(_("A breach recorded in error"), size=20), withdraw_summary, withdrawn_box, why,
                  ui.secondary(_("Withdraw the breach"), withdraw)] if recorded else []
    return ft.Column([
        ui.heading(_("After the sentence")),
        ui.summary_list([*[(label, attendance_text(case, b)) for b, label in choices],
                         *[(_("Breach of the order"), breach_label(p)) for _b, p in recorded],
                         *[(_("Breach withdrawn"), _("{breach}: {reason}").format(breach=breach_label(p),
                                                                                  reason=p["reason"]))
                           for p in gone]]),
        ui.heading(_("First appointment"), size=20),
        attendance_summary,
        booking_box,
        *group(_("Did the person attend?"), attended),
        *group(_("Who reported it?"), reported_by),
        booking_error,
        ui.primary(_("Save attendance"), save_attendance),
        ui.heading(_("Breach of the order"), size=20),
        breach_summary,
        breached_on,
        *group(_("Who brought the breach?"), brought_by),
        breach_error,
        ui.primary(_("Record the breach"), save_breach),
        *withdrawal,
        ui.secondary(_("Back to the case"), back),
    ], spacing=12, scroll=ft.ScrollMode.AUTO)
