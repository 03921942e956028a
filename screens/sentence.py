"""The sentence recorded: what the court did, the order and its requirements, sentenced on the day or not, and
the judiciary's short form. A recorded sentence is corrected, with a reason, never overwritten."""

from __future__ import annotations

import flet as ft

from app import sentence as sentences
from app.case import INTERIM_OUTCOMES, REQUIREMENT_NAMES
from app.i18n import N_, _
from app.sentence import CUSTODY_UNITS, OUTCOMES, SHORT_FORM, SentenceRecord, describe_sentence, history_of
from app.suitability import ORDER_TYPES, SUSPENDED_SENTENCE_ORDER, Order
from screens import case_page, ui
from screens.case_details import parse_day
from screens.proposal import history_list, parse_int
from screens.shell import Shell

ON_THE_DAY = {"yes": N_("Sentenced on the day"), "no": N_("Sentenced on a later day")}


async def sentence_page(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    if case.sentence is None or case.sentence.get("outcome") in INTERIM_OUTCOMES:
        return await sentence_form(shell, case_id)
    return await sentence_summary(shell, case_id)


async def sentence_summary(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    assert case.sentence is not None
    history = history_of(case, "sentence_recorded", describe_sentence)

    async def correct(_e: ft.ControlEvent) -> None:
        await shell.go(sentence_form, case_id)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("Sentence")),
        ui.summary_list(list(describe_sentence(case.sentence).items())),
        history_list(shell, history),
        ft.Row([ui.secondary(_("Correct the sentence record"), correct), ui.secondary(_("Back to the case"), back)],
               spacing=16),
    ], spacing=14, scroll=ft.ScrollMode.AUTO)


async def sentence_form(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    proposal_order = ((case.proposal or {}).get("order")) or {}
    old = case.sentence or {}
    old_order = old.get("order") or {}
    start_order = old_order or proposal_order
    correcting = sentences.needs_reason(case)

    outcome = ui.radios([(k, _(v)) for k, v in OUTCOMES.items()], old.get("outcome"))
    sentence_date = ui.text_field(_("Date of the hearing (DD/MM/YYYY)"), shell.today().strftime("%d/%m/%Y"),
                                  width=420)
    on_day_old = old.get("sentenced_on_day")
    on_day = ui.radios([(k, _(v)) for k, v in ON_THE_DAY.items()],
                       None if on_day_old is None else ("yes" if on_day_old else "no"))
    order_type = ui.radios([(k, _(v)) for k, v in ORDER_TYPES.items()], start_order.get("order_type"))
    order_months = ui.text_field(_("Length of the order in months"), str(start_order.get("order_months") or ""),
                                 width=420)
    supervision = ui.text_field(_("Supervision period in months (suspended sentence order only)"),
                                str(start_order.get("supervision_months") or ""), width=520)
    imposed_before = start_order.get("requirements", {})
    boxes: dict[str, ft.Checkbox] = {}
    lengths: dict[str, ft.TextField] = {}
    requirement_rows: list[ft.Control] = []
    for req in proposal_order.get("requirements", {}):
        name = _(REQUIREMENT_NAMES[req])
        boxes[req] = ui.tick(_("Imposed: {name}").format(name=name), value=req in imposed_before)
        lengths[req] = ui.text_field(_("Length of the {name} in months").format(name=name.lower()),
                                     str(imposed_before.get(req) or ""), width=520)
        requirement_rows += [boxes[req], lengths[req]]
    aamr = ui.tick(_("An alcohol abstinence and monitoring requirement was imposed"),
                   value=bool(start_order.get("aamr")))
    short_form = ui.radios([(k, _(v)) for k, v in SHORT_FORM.items()], old.get("short_form"))
    custody_length = ui.text_field(_("Custody length"), str(old.get("custody_length") or ""), width=320)
    custody_unit = ui.radios([(k, _(v)) for k, v in CUSTODY_UNITS.items()], old.get("custody_unit"))
    reason = ui.text_field(_("Reason for the correction"), "", width=520)
    summary = ft.Container()
    texts = {"sentence_date": sentence_date, "order_months": order_months, "supervision_months": supervision,
             "custody_length": custody_length, "reason": reason, **{f"months_{r}": f for r, f in lengths.items()}}

    def collect() -> SentenceRecord:
        probation = outcome.value == "probation_sentence"
        order = Order(order_type.value or "", parse_int(order_months.value),
                      {r: parse_int(lengths[r].value) or 0 for r, b in boxes.items() if b.value},
                      parse_int(supervision.value) if order_type.value == SUSPENDED_SENTENCE_ORDER else None,
                      bool(aamr.value), int(start_order.get("other_requirements", 0)))
        return SentenceRecord(
            outcome=outcome.value or "", sentence_date=parse_day(sentence_date.value or ""),
            sentenced_on_day=None if on_day.value is None else on_day.value == "yes",
            order=order if probation and order_type.value else None, short_form=short_form.value,
            custody_length=parse_int(custody_length.value), custody_unit=custody_unit.value)

    show_errors = ui.field_errors(texts, summary)

    async def save(_e: ft.ControlEvent) -> None:
        await shell.save_step(show_errors, case_id, session.record_sentence, case_id, collect(), shell.today(),
                              reason.value or "")

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    def group(label: str, control: ft.Control) -> list[ft.Control]:
        return [ui.body(label, size=16), ft.Semantics(label=label, container=True, content=control)]

    return ft.Column([
        ui.heading(_("Correct the sentence record") if correcting else _("Sentence")),
        summary,
        *group(_("What did the court do?"), outcome),
        sentence_date,
        *group(_("Was the person sentenced on the day?"), on_day),
        ui.heading(_("The order (probation sentence only)"), size=20),
        *group(_("Type of order"), order_type),
        order_months, supervision,
        *requirement_rows, aamr,
        ui.heading(_("The judiciary's short form"), size=20),
        ui.body(_("Which sentence would the court have passed had the treatment requirement not been available?"),
                size=16),
        ft.Semantics(label=_("Short form"), container=True, content=short_form),
        custody_length,
        *group(_("Custody length in"), custody_unit),
        *([reason] if correcting else []),
        shell.pinned(ft.Row([ui.primary(_("Save the sentence"), save), ui.secondary(_("Back"), back)], spacing=16)),
    ], spacing=12, scroll=ft.ScrollMode.AUTO)
