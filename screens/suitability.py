"""Suitability: the offence as the officer sees it, then each requirement with every criterion, reason and
source; the officer chooses which requirements to take forward to the provider and to consent."""

from __future__ import annotations

import flet as ft

from app import suitability
from app.case import FieldErrors
from app.i18n import N_, _
from app.rules import MET, NOT_MET, UNKNOWN, rule_book
from app.suitability import Assessment, CriterionResult, Decision, Offence
from screens import case_page, ui
from screens.case_details import parse_day
from screens.shell import Shell

STATUS_TEXT = {
    suitability.ELIGIBLE: N_("Eligible: every criterion is met"),
    suitability.NOT_ELIGIBLE: N_("Not eligible"),
    suitability.NEEDS_PROVIDER: N_("Needs provider assessment"),
    suitability.NEEDS_CONSENT: N_("Needs the person's consent"),
    suitability.NEEDS_INFORMATION: N_("Needs more information from you"),
}
MET_ICONS = {MET: ft.Icons.CHECK_CIRCLE, NOT_MET: ft.Icons.CANCEL, UNKNOWN: ft.Icons.HELP_OUTLINE}
MET_COLOURS = {MET: ft.Colors.GREEN_800, NOT_MET: ft.Colors.RED_700, UNKNOWN: ft.Colors.BLUE_GREY_700}
MET_LABELS = {MET: N_("met"), NOT_MET: N_("not met"), UNKNOWN: N_("unknown")}
KIND_NOTES = {
    "statute": N_("law"),
    "guideline": N_("Sentencing Council guideline"),
    "policy": N_("site policy: your site can change this"),
}
IMPRISONABLE = {"yes": N_("Punishable with imprisonment"), "no": N_("Not punishable with imprisonment")}


def criterion_row(c: CriterionResult) -> ft.Control:
    """One criterion: met / not met / unknown, the reason, and where the rule comes from."""
    return ft.Row([
        ft.Icon(MET_ICONS[c.result], color=MET_COLOURS[c.result], semantics_label=_(MET_LABELS[c.result])),
        ft.Column([
            ft.Text(f"{c.text}: {c.reason}", size=15),
            ft.Text(_("Source: {source} ({kind})").format(source=c.source, kind=_(KIND_NOTES[c.source_kind])),
                    size=13, color=ft.Colors.BLUE_GREY_700),
        ], spacing=2, expand=True),
    ], vertical_alignment=ft.CrossAxisAlignment.START)


def decision_card(d: Decision, extra: list[ft.Control] | None = None) -> ft.Control:
    """A requirement's card, named for a screen reader by the requirement and its status."""
    return ft.Semantics(container=True, label=f"{d.name}: {_(STATUS_TEXT[d.status])}", content=ft.Card(
        content=ft.Container(padding=16, content=ft.Column([
        ft.Text(d.name, size=20, weight=ft.FontWeight.BOLD),
        ft.Text(_(STATUS_TEXT[d.status]), size=16, weight=ft.FontWeight.BOLD),
        *[criterion_row(c) for c in d.criteria],
        *(extra or []),
    ], spacing=6))))


async def suitability_page(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    book = await shell.call(rule_book)
    saved = (case.suitability or {}).get("offence") or {}
    start = Offence.from_payload(saved) if saved else Offence(case.details.hearing_date if case.details else None)

    conviction = ui.text_field(_("Date of conviction (DD/MM/YYYY)"),
                               start.conviction_date.strftime("%d/%m/%Y") if start.conviction_date else "",
                               width=420)
    imprisonable = ui.radios([(k, _(v)) for k, v in IMPRISONABLE.items()],
                             None if start.imprisonable is None else ("yes" if start.imprisonable else "no"))
    seriousness = ui.radios([(lv.id, _(lv.label)) for lv in book.levels], start.seriousness)
    cards = ft.Column([], spacing=12)
    boxes: dict[str, ft.Checkbox] = {}
    summary = ft.Container()

    def offence() -> Offence:
        return Offence(parse_day(conviction.value or ""),
                       None if imprisonable.value is None else imprisonable.value == "yes", seriousness.value)

    def show_errors(errors: dict[str, str]) -> None:
        conviction.error = errors.get("conviction_date")
        summary.content = ui.error_summary(errors)

    async def refresh(_e: ft.ControlEvent | None = None) -> None:
        """Recompute with the answers on screen; nothing is saved until the officer saves."""
        current = offence()
        if current.conviction_date is None:
            show_errors({"conviction_date": _("Enter the date of conviction as day, month and year, "
                                              "for example 23/11/2026")})
            if _e is not None:
                shell.page.update()
            return
        try:
            assessment: Assessment = await shell.call(session.suitability, case_id, current)
        except FieldErrors as exc:
            show_errors(exc.errors)
            if _e is not None:
                shell.page.update()
            return
        show_errors({})
        chosen = {r for r, b in boxes.items() if b.value} if boxes else set(case.proposed)
        boxes.clear()
        built = []
        for d in assessment.decisions:
            extra: list[ft.Control] = []
            if d.status != suitability.NOT_ELIGIBLE:
                box = ui.tick(_("Take forward: {name}").format(name=d.name),
                              value=d.requirement in chosen if (chosen or case.proposed)
                              else d.status != suitability.NEEDS_INFORMATION)
                boxes[d.requirement] = box
                extra.append(box)
            built.append(decision_card(d, extra))
        cards.controls = built
        if _e is not None:
            shell.page.update()

    imprisonable.on_change = refresh
    seriousness.on_change = refresh
    conviction.on_blur = refresh
    await refresh()

    async def save(_e: ft.ControlEvent) -> None:
        chosen = [r for r, b in boxes.items() if b.value]
        await shell.save_step(show_errors, case_id, session.propose, case_id, chosen, offence(), shell.today())

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("Suitability")),
        ui.body(_("The rules in force on the date of conviction apply. Each requirement needs every criterion "
                  "met before it is proposed to the court.")),
        summary,
        conviction,
        ui.body(_("Is the offence punishable with imprisonment?")),
        ft.Semantics(label=_("Is the offence punishable with imprisonment?"), content=imprisonable),
        ui.body(_("How serious is the offence? (Sentencing Council imposition guideline)")),
        ft.Semantics(label=_("How serious is the offence?"), content=seriousness),
        ui.secondary(_("Check suitability"), refresh),
        cards,
        shell.pinned(ft.Row([ui.primary(_("Save and take forward"), save), ui.secondary(_("Back"), back)], spacing=16)),
    ], spacing=12, scroll=ft.ScrollMode.AUTO)
