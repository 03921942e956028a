"""The liaison and diversion practitioner's screens in police custody: today's detainees at the suite, a new
detainee with their communication needs, the L&D screen, consent to share, and the hand-over to a court."""

from __future__ import annotations

from datetime import date

import flet as ft

from app.case import FieldErrors
from app.custody import COMMUNICATION_NEEDS, CUSTODY_TASKS, Detainee, HandOver, custody_tasks
from app.i18n import N_, _, fmt_date
from screens import ui
from screens.case_details import parse_day
from screens.shell import Shell

TASK_NAMES = {"detainee": N_("Detainee and communication needs"), "screening": N_("Liaison and diversion screen"),
              "share_consent": N_("Consent to share with probation and the court"),
              "handover": N_("Hand over to court")}


async def custody_list(shell: Shell) -> ft.Control:
    """The L&D start screen: the custody suite, and the detainees seen there today."""
    assert shell.session is not None
    session = shell.session
    site = await shell.call(lambda: shell.tablet.site)
    suites = site.custody_suites
    if shell.court_id not in {c.id for c in suites}:
        shell.court_id = suites[0].id
    cases = await shell.call(session.todays_cases, shell.court_id, shell.today())

    async def suite_changed(e: ft.ControlEvent) -> None:
        shell.court_id = e.control.value
        await shell.go(custody_list)

    suite_box, suite_dd = ui.dropdown(_("Custody suite"), [(c.id, c.name) for c in suites], shell.court_id,
                                      width=420)
    suite_dd.on_select = suite_changed

    def open_case(case_id: str):  # noqa: ANN202 - a click handler
        async def handler(_e: ft.ControlEvent) -> None:
            await shell.go(custody_case, case_id)
        return handler

    async def new_detainee(_e: ft.ControlEvent) -> None:
        await shell.go(detainee_form)

    def where(h: dict[str, str] | None) -> str:
        if not h:
            return _("In custody")
        return _("Handed over to {court}, {day}").format(court=site.court(h["court_id"]).name,
                                                         day=fmt_date(date.fromisoformat(h["hearing_date"])))

    rows = [ft.ListTile(title=ft.Text(c.name, size=18), subtitle=ft.Text(where(c.from_custody)),
                        on_click=open_case(c.case_id), trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT)) for c in cases]
    return ft.Column([
        ui.heading(_("Custody: today's detainees")), ui.body(fmt_date(shell.today())), suite_box,
        ui.primary(_("New detainee"), new_detainee, icon=ft.Icons.ADD),
        *(rows or [ui.body(_("No detainees seen today at this custody suite."))]),
    ], spacing=16)


async def detainee_form(shell: Shell, errors: dict[str, str] | None = None) -> ft.Control:
    """Who the person is, and their communication needs recorded as flags (Accessible Information Standard)."""
    assert shell.session is not None
    session = shell.session
    errors = errors or {}
    name = ui.text_field(_("Full name"), error=errors.get("name"), width=520)
    dob = ui.text_field(_("Date of birth (DD/MM/YYYY)"), error=errors.get("dob"), width=520)
    record = ui.text_field(_("Custody record number"), error=errors.get("custody_record"), width=520)
    needs = {k: ui.tick(_(v)) for k, v in COMMUNICATION_NEEDS.items()}
    note = ui.text_field(_("Other communication needs"), width=520, multiline=True)
    language = ui.text_field(_("Preferred language"), error=errors.get("language"), width=520)
    interpreter = ui.tick(_("Interpreter needed"))
    summary = ft.Container(content=ui.error_summary(errors))

    async def save(_e: ft.ControlEvent) -> None:
        detainee = Detainee(name.value or "", parse_day(dob.value or ""), record.value or "", shell.court_id or "",
                            tuple(k for k, box in needs.items() if box.value), note.value or "",
                            language.value or "", bool(interpreter.value))
        try:
            case_id = await shell.call(session.open_custody_case, detainee, shell.today())
        except FieldErrors as exc:
            summary.content = ui.error_summary(exc.errors)
            for key, field in (("name", name), ("dob", dob), ("custody_record", record), ("language", language)):
                field.error = exc.errors.get(key)
            shell.page.update()
            return
        shell.saved()
        await shell.go(custody_case, case_id)

    async def cancel(_e: ft.ControlEvent) -> None:
        await shell.go(custody_list)

    return ft.Column([
        ui.heading(_("New detainee")), summary, name, dob, record,
        ui.heading(_("Communication needs"), size=22), *needs.values(), note, language, interpreter,
        shell.pinned(ft.Row([ui.primary(_("Save detainee"), save), ui.secondary(_("Cancel"), cancel)], spacing=16)),
    ], spacing=12)


async def custody_case(shell: Shell, case_id: str) -> ft.Control:
    """The L&D steps for one detainee, each marked done or not, with who the case went to."""
    from screens import case_page, screening

    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    site = await shell.call(lambda: shell.tablet.site)
    status = custody_tasks(case)
    targets = {"screening": screening.start, "share_consent": share_consent, "handover": handover_form}

    def row(task: str) -> ft.Control:
        tag = ui.tag(_(ui.STATUS_LABELS[status[task]]), status[task] == "done")
        target = targets.get(task)
        if target is None:
            return ft.ListTile(title=ft.Text(_(TASK_NAMES[task]), size=18), trailing=tag)

        async def open_task(_e: ft.ControlEvent) -> None:
            await shell.go(target, case_id)
        return ft.ListTile(title=ft.Text(_(TASK_NAMES[task]), size=18), trailing=tag, on_click=open_task)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(custody_list)

    c = case.custody or {}
    needs = ", ".join(_(COMMUNICATION_NEEDS[n]) for n in c.get("needs", []) if n in COMMUNICATION_NEEDS)
    return ft.Column([
        ui.heading(c.get("name", _("Detainee"))),
        ui.body(_("Custody record {number}").format(number=c.get("custody_record", ""))),
        *([ui.body(_("Communication needs: {needs}").format(needs=needs))] if needs else []),
        *[case_page.conflict_box(shell, case_id, c, site) for c in case.conflicts],
        *[row(t) for t in CUSTODY_TASKS],
        ui.secondary(_("Back to today's detainees"), back),
        case_page.history(case, site, shell.today()),  # what the court did since, once the case came back in the sync
    ], spacing=8)


async def share_consent(shell: Shell, case_id: str) -> ft.Control:
    """Asked before anything leaves custody: may probation and the court see the L&D screen and flags?"""
    assert shell.session is not None
    session = shell.session
    decision = ui.radios([("agree", _("Agrees to share")), ("decline", _("Does not agree"))])
    interpreter = ui.text_field(_("Interpreter (name and language), if one was used"), width=520)
    error = ft.Text("", color=ft.Colors.RED_700)

    async def save(_e: ft.ControlEvent) -> None:
        await shell.save_step(error, case_id, session.record_custody_share, case_id, decision.value or "", "en",
                              interpreter.value or "")

    return ft.Column([
        ui.heading(_("Consent to share")),
        ui.body(_("Explain that the screen, its flags and their communication needs go to the probation court duty "
                  "officer and the court, so they are not asked again. Ask whether they agree.")),
        ft.Semantics(label=_("Does the person agree to share?"), content=decision), interpreter, error,
        ui.primary(_("Save the answer"), save),
    ], spacing=16)


async def handover_form(shell: Shell, case_id: str) -> ft.Control:
    """Choose the court and expected hearing date; the sync does the rest."""
    assert shell.session is not None
    session = shell.session
    site = await shell.call(lambda: shell.tablet.site)
    me = site.officer(session.officer_id)
    court_box, court = ui.dropdown(_("Court"), [(c.id, c.name) for c in site.courts], site.courts[0].id, width=520)
    hearing = ui.text_field(_("Expected hearing date (DD/MM/YYYY)"), shell.today().strftime("%d/%m/%Y"), width=520)
    phone = ui.text_field(_("Your phone number"), me.phone, width=520)
    email = ui.text_field(_("Your email address"), me.email, width=520)
    offence = ui.text_field(_("Charge (if known)"), width=520)
    error = ft.Text("", color=ft.Colors.RED_700)

    async def send(_e: ft.ControlEvent) -> None:
        h = HandOver(court.value or "", parse_day(hearing.value or ""), phone.value or "", email.value or "",
                     offence.value or "")
        await shell.save_step(error, case_id, session.hand_over_to_court, case_id, h, shell.today())

    return ft.Column([
        ui.heading(_("Hand over to court")),
        ui.body(_("The case, with the screen and its flags, goes to the court duty officers of this court.")),
        court_box, hearing, offence, phone, email, error,
        ui.primary(_("Hand over to court"), send),
    ], spacing=16)
