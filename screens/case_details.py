"""Start a case: the defendant's details, then check your answers before anything is saved."""

from __future__ import annotations

from datetime import date, datetime

import flet as ft

from app.case import REFERRAL_SOURCES, CaseDetails, FieldErrors, age_on
from app.i18n import _, fmt_date
from screens import case_page, ui
from screens.shell import Shell


def parse_day(text: str) -> date | None:
    """Accept 27/03/1990, 27-03-1990 or 1990-03-27: what people type."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _day_text(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


async def details_form(shell: Shell, draft: CaseDetails | None, errors: dict[str, str] | None = None,
                       case_id: str | None = None, why: str = "") -> ft.Control:
    """A new case; or, with `case_id`, the court confirming the details of a case that came from custody, or
    correcting saved details (with the reason, kept in the record)."""
    site = await shell.call(lambda: shell.tablet.site)
    errors = errors or {}
    correcting = False
    if case_id is not None and shell.session is not None:
        case = await shell.call(shell.session.case, case_id)
        correcting = not case.confirming_handover()
    reason = ui.text_field(_("Reason for the correction"), why, error=errors.get("reason"), width=520)
    name = ui.text_field(_("Full name"), draft.name if draft else "", error=errors.get("name"), width=520)
    dob = ui.text_field(_("Date of birth (DD/MM/YYYY)"), _day_text(draft.dob) if draft else "",
                        error=errors.get("dob"), width=520)
    court_box, court = ui.dropdown(_("Court"), [(c.id, c.name) for c in site.courts],
                                   draft.court_id if draft else shell.court_id, width=520,
                                   error_text=errors.get("court_id"))
    hearing = ui.text_field(_("Hearing date (DD/MM/YYYY)"),
                            _day_text(draft.hearing_date if draft else shell.today()),
                            error=errors.get("hearing_date"), width=520)
    source_box, source = ui.dropdown(_("Referral source"),
                                     [(k, _(v)) for k, v in REFERRAL_SOURCES.items()],
                                     draft.referral_source if draft else None, width=520,
                                     error_text=errors.get("referral_source"))
    referrer = ui.text_field(_("Referrer's name"), draft.referrer_name if draft else "", width=520)
    organisation = ui.text_field(_("Referrer's organisation or role"), draft.referrer_organisation if draft else "",
                                 width=520)
    contact = ui.text_field(_("Referrer's phone or email"), draft.referrer_contact if draft else "", width=520)
    offence = ui.text_field(_("Offence summary"), draft.offence if draft else "", multiline=True, min_lines=2,
                            error=errors.get("offence"), width=520)
    plea_value = None if draft is None or draft.guilty_plea_anticipated is None else (
        "yes" if draft.guilty_plea_anticipated else "no")
    plea = ui.radios([("yes", _("Yes")), ("no", _("No"))], plea_value)
    interpreter = ui.tick(_("Interpreter needed"), value=bool(draft and draft.interpreter_needed))
    language = ui.text_field(_("Language"), draft.language if draft else "", error=errors.get("language"), width=520)

    def collect() -> CaseDetails:
        return CaseDetails(
            name=name.value or "", dob=parse_day(dob.value or ""), court_id=court.value or "",
            hearing_date=parse_day(hearing.value or ""), referral_source=source.value or "",
            offence=offence.value or "", guilty_plea_anticipated=None if plea.value is None else plea.value == "yes",
            interpreter_needed=bool(interpreter.value), language=language.value or "",
            referrer_name=referrer.value or "", referrer_organisation=organisation.value or "",
            referrer_contact=contact.value or "")

    fields: dict[str, ft.TextField | ft.Dropdown] = {
        "name": name, "dob": dob, "court_id": court, "hearing_date": hearing, "referral_source": source,
        "offence": offence, "language": language, "reason": reason}
    summary = ft.Container(content=ui.error_summary(errors))
    plea_error = ft.Text(errors.get("guilty_plea_anticipated", ""), color=ft.Colors.RED_700)

    def show(found: dict[str, str]) -> None:
        """Errors in place, so what the officer typed and where they were stay put."""
        for key, control in fields.items():
            if isinstance(control, ft.Dropdown):
                control.error_text = found.get(key)
            else:
                control.error = found.get(key)
        plea_error.value = found.get("guilty_plea_anticipated", "")
        summary.content = ui.error_summary(found)
        shell.page.update()

    async def cont(_e: ft.ControlEvent) -> None:
        details = collect()
        try:
            details.validate(shell.today(), {c.id for c in site.courts})
        except FieldErrors as exc:
            show(exc.errors)
            return
        await shell.go(check_answers, details, case_id, (reason.value or "").strip())

    async def cancel(_e: ft.ControlEvent) -> None:
        from screens import today
        await (shell.go(case_page.task_list, case_id) if case_id else shell.go(today.today_list))

    return ft.Column([
        ui.heading(_("Correct the defendant's details") if correcting else _("Defendant details")),
        summary,
        *([ui.body(_("The details as saved stay in the case history; say why they are corrected.")), reason]
          if correcting else []),
        name, dob, court_box, hearing, source_box, referrer, organisation, contact, offence,
        ui.body(_("Is a guilty plea anticipated?")),
        ft.Semantics(label=_("Is a guilty plea anticipated?"), content=plea),
        plea_error,
        interpreter, language,
        shell.pinned(ft.Row([ui.primary(_("Continue"), cont), ui.secondary(_("Cancel"), cancel)], spacing=16)),
    ], spacing=14, scroll=ft.ScrollMode.AUTO)


async def check_answers(shell: Shell, details: CaseDetails, case_id: str | None = None, why: str = "") -> ft.Control:
    site = await shell.call(lambda: shell.tablet.site)
    assert details.dob and details.hearing_date and shell.session
    session = shell.session

    async def save(_e: ft.ControlEvent) -> None:
        try:
            if case_id:
                await shell.call(session.update_details, case_id, details, shell.today(), why)
                saved = case_id
            else:
                saved = await shell.call(session.open_case, details, shell.today())
        except FieldErrors as exc:
            await shell.go(details_form, details, exc.errors, case_id, why)
            return
        shell.saved()
        await shell.go(case_page.task_list, saved)

    async def change(_e: ft.ControlEvent) -> None:
        await shell.go(details_form, details, None, case_id, why)

    yes, no = _("Yes"), _("No")
    return ft.Column([
        ui.heading(_("Check the defendant's details")),
        ui.summary_list([
            (_("Full name"), details.name),
            (_("Date of birth"), f"{fmt_date(details.dob, 'long')} "
                                 + _("(age {age})").format(age=age_on(details.dob, shell.today()))),
            (_("Court"), site.court(details.court_id).name),
            (_("Hearing date"), fmt_date(details.hearing_date, "long")),
            (_("Referral source"), _(REFERRAL_SOURCES[details.referral_source])),
            (_("Referred by"), ", ".join(x for x in (details.referrer_name, details.referrer_organisation,
                                                     details.referrer_contact) if x) or _("not recorded")),
            (_("Offence summary"), details.offence),
            (_("Guilty plea anticipated"), yes if details.guilty_plea_anticipated else no),
            (_("Interpreter needed"), (yes + (f" ({details.language})" if details.language else ""))
             if details.interpreter_needed else no),
            *([(_("Reason for the correction"), why)] if why else []),
        ]),
        shell.pinned(ft.Row([ui.primary(_("Save the details") if case_id else _("Save and start the case"), save),
                             ui.secondary(_("Change details"), change)], spacing=16)),
    ], spacing=16)
