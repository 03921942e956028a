"""Informed consent, the officer's side: choose the language and format, record the interpreter, hand the
tablet over; after the officer's PIN, check the answers and save; later, see the record, re-show the exact
text, open the summary PDF, or record that consent was withdrawn.
"""

from __future__ import annotations

import flet as ft

from app.case import REQUIREMENT_NAMES
from app.consent import DEFAULT_LIBRARY, EASY_READ, STANDARD, ContentError, consent_texts, rerender
from app.consent_events import SUMMARY_KIND
from app.consent_flow import DONE, ConsentFlow, defaults
from app.consent_record import DECISIONS, INTERPRETER_MODES, SHARE_DECISIONS, Interpreter, Signature
from app.i18n import N_, _, catalogue_status, language, languages
from screens import case_page, defendant, reauth, ui
from screens.shell import Shell

FORMATS = {EASY_READ: N_("Easy read: one idea a page, with pictures"), STANDARD: N_("Standard")}


async def handover(shell: Shell, case_id: str) -> ft.Control:
    """The consent task: carry on with answers not yet saved, show the record, or set up a new consent."""
    assert shell.session is not None
    if case_id in shell.flows:
        return await review(shell, case_id)
    case = await shell.call(shell.session.case, case_id)
    if case.consent:
        return await record_view(shell, case_id)
    return await setup(shell, case_id)


async def setup(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    start = defaults(case)
    statuses = {lang.code: await shell.call(catalogue_status, lang.code) for lang in languages()}
    interpreter_flagged = start.interpreter_needed

    lang_box, lang_dd = ui.dropdown(_("Language"), [
        (lang.code, lang.english if lang.code == "en" else f"{lang.native} ({lang.english})") for lang in languages()],
        start.locale, width=420)
    fmt = ui.radios([(k, _(v)) for k, v in FORMATS.items()], start.format)
    notice_text = ft.Text("", size=16)
    # The wrapper itself is hidden, never only its content: a Semantics around an invisible control draws
    # Flutter's red error box ("Semantics.content must be provided and visible").
    notice = ft.Semantics(live_region=True, identifier="translation-notice", visible=False, content=ft.Container(
        content=notice_text, padding=12, border=ft.Border.all(3, ft.Colors.AMBER_800)))
    name = ui.text_field(_("Interpreter's name"), width=420)
    spoken = ui.text_field(_("Language the interpreter speaks"), width=420)
    mode = ui.radios([(k, _(v)) for k, v in INTERPRETER_MODES.items()])
    none = ui.tick(_("No interpreter is available"))
    none_reason = ui.text_field(_("Why there is no interpreter"), width=640)
    errors = ft.Column()

    def refresh(_e: ft.ControlEvent | None = None) -> None:
        code = lang_dd.value or "en"
        lang, status = language(code), statuses[code]
        if code != "en" and not status.reviewed:
            notice_text.value = _("The {lang} translation has not been checked by a qualified translator. Use an "
                                  "interpreter to go through it with the person, and record them below."
                                  ).format(lang=lang.english)
        elif interpreter_flagged:
            notice_text.value = _("The screening or the case details say the person needs an interpreter.")
        else:
            notice_text.value = ""
        notice.visible = bool(notice_text.value)
        if code != "en" and not spoken.value:
            spoken.value = lang.english
        if _e is not None:
            shell.page.update()

    lang_dd.on_select = refresh
    refresh()

    async def hand_over(_e: ft.ControlEvent) -> None:
        code = lang_dd.value or "en"
        interpreter = (Interpreter(name.value or "", spoken.value or "", mode.value or "")
                       if (name.value or "").strip() else None)
        problems: dict[str, str] = {}
        needs = interpreter_flagged or (code != "en" and not statuses[code].reviewed)
        if interpreter is not None and mode.value not in INTERPRETER_MODES:
            problems["mode"] = _("Say whether the interpreter is in the room or on the phone")
        if interpreter is not None and not (spoken.value or "").strip():
            problems["spoken"] = _("Enter the language the interpreter speaks")
        if needs and interpreter is None and not (none.value and (none_reason.value or "").strip()):
            problems["interpreter"] = _("Record the interpreter, or tick 'No interpreter is available' and say why")
        texts = None
        if not problems:
            try:
                texts = await shell.call(consent_texts, case.proposed, code, fmt.value or STANDARD)
            except ContentError as exc:
                problems["content"] = str(exc)
        if texts is not None and texts[0].fallback_reason:
            problems["language"] = _("The {lang} text cannot be shown ({reason}). Choose English and use an "
                                     "interpreter.").format(lang=language(code).english,
                                                            reason=texts[0].fallback_reason)
        if problems or texts is None:
            errors.controls = [ui.error_summary(problems)]
            shell.page.update()
            return
        flow = ConsentFlow(case_id, texts[0], texts[1], interpreter,
                           (none_reason.value or "").strip() if none.value and interpreter is None else "")
        defendant.enter(shell, flow)
        await shell.go(defendant.show, case_id)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    hint = []
    if start.format == EASY_READ:
        hint.append(ui.body(_("The screening suggests easy read."), size=16))
    return ft.Column([
        ui.heading(_("Consent")),
        ui.summary_list([(_("Proposed"), ", ".join(_(REQUIREMENT_NAMES[r]) for r in case.proposed))]),
        errors,
        ui.heading(_("Language and format"), size=22),
        lang_box, notice,
        ui.body(_("Format"), weight=ft.FontWeight.BOLD), *hint, fmt,
        ui.heading(_("Interpreter"), size=22),
        ui.body(_("Record who interprets, even for part of the explanation."), size=16),
        name, spoken, mode, none, none_reason,
        ui.body(_("Hand the tablet to the defendant. They read one idea at a time, answer a few questions, choose, "
                  "and sign. You will need your PIN to take the tablet back.")),
        shell.pinned(ft.Row([ui.primary(_("Hand the tablet to the defendant"), hand_over),
                             ui.secondary(_("Back"), back)], spacing=16)),
    ], spacing=16)


def _signature_image(signature: Signature) -> ft.Control:
    return ft.Container(
        content=ft.Image(src=signature.svg().encode(), width=480, height=480 * signature.height / signature.width,
                         semantics_label=_("The signature drawn by the person")),
        border=ft.Border.all(1, ft.Colors.OUTLINE), width=482)


async def review(shell: Shell, case_id: str) -> ft.Control:
    """After the officer's PIN: the answers as given, then the officer attests and saves."""
    assert shell.session is not None
    session = shell.session
    flow = shell.flows.get(case_id)
    if not isinstance(flow, ConsentFlow):
        return await handover(shell, case_id)
    t = flow.text
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def resume(_e: ft.ControlEvent) -> None:
        if flow.step.kind == DONE:
            flow.back()
        defendant.enter(shell, flow)
        await shell.go(defendant.show, case_id)

    async def discard(_e: ft.ControlEvent) -> None:
        shell.flows.pop(case_id, None)
        await shell.go(case_page.task_list, case_id)

    actions = ft.Row([ui.secondary(_("Give the tablet back to the person"), resume),
                      ui.secondary(_("Discard these answers"), discard)], spacing=16, wrap=True)
    rows = [(_("Language and format"), f"{language(t.locale).english}, "
             f"{_('easy read') if t.format == EASY_READ else _('standard')}"),
            (_("Pages seen"), f"{flow.pages_seen} / {len(t.pages)}")]
    if flow.decision is None or flow.share_decision is None or flow.step.kind != DONE:
        return ft.Column([ui.heading(_("Consent: not finished")),
                          ui.body(_("The person has not finished the consent screens. Give the tablet back to "
                                    "carry on, or discard the answers.")),
                          ui.summary_list(rows), actions], spacing=16)

    rows += [(_("Answer"), _(DECISIONS[flow.decision])),
             (_("Sharing information"), _(SHARE_DECISIONS[flow.share_decision]))]
    questions = {flow.key(q): q for q in t.questions}
    source = await shell.call(DEFAULT_LIBRARY.source_of, t)  # the officer reads the questions in English
    english = {flow.key(q): q.text for q in (source or t).questions}
    for check in flow.checks():
        q = questions[check.question]
        first_right = check.answers[0] == q.correct
        result = _("right first time") if first_right else (
            _("looked again, then right") if check.answers[-1] == q.correct else _("not right after looking again"))
        rows.append((english.get(check.question, q.text), result))
    if flow.interpreter:
        i = flow.interpreter
        rows.append((_("Interpreter"), f"{i.name}, {i.language}, {_(INTERPRETER_MODES[i.mode])}"))
    elif flow.no_interpreter_reason:
        rows.append((_("No interpreter"), flow.no_interpreter_reason))
    reason = ui.text_field(_("Why the person could not sign"), width=640)
    attest = ui.tick(_("I explained the requirement and the person gave this answer themselves"))

    async def save(_e: ft.ControlEvent) -> None:
        assert flow is not None and flow.decision is not None
        if await shell.save_step(error, case_id, session.record_consent, case_id, t, flow.decision,
                                 flow.pages_seen, bool(attest.value), flow.details((reason.value or "").strip())):
            shell.flows.pop(case_id, None)

    signature: list[ft.Control] = ([ui.body(_("Signature"), weight=ft.FontWeight.BOLD),
                                    _signature_image(flow.signature)] if flow.signature
                                   else [ui.body(_("The person did not sign."), weight=ft.FontWeight.BOLD), reason])
    return ft.Column([
        ui.heading(_("Officer: check the answers")),
        ui.summary_list(rows), *signature, attest, error,
        shell.pinned(ft.Row([ui.primary(_("Save consent record"), save), actions], spacing=16, wrap=True)),
    ], spacing=16)


async def record_view(shell: Shell, case_id: str, export: bool = False) -> ft.Control:
    """The saved consent: what was decided, how, and the ways to see exactly what was shown. The summary PDF is
    an export, made on request (the officer's PIN again)."""
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    c = case.consent or {}
    share = case.share_consent or {}
    decision = c.get("decision", "")
    rows = [
        (_("Answer"), _("Withdrawn: {reason}").format(reason=c.get("withdrawal", {}).get("reason", ""))
         if decision == "withdrawn" else _(DECISIONS.get(decision, decision))),
        (_("Sharing information"), _("Withdrawn") if share.get("decision") == "withdrawn"
         else _(SHARE_DECISIONS.get(share.get("decision", ""), _("not recorded")))),
        (_("Language and format"), "{lang}, {fmt}".format(
            lang=language(c.get("locale", "en")).english,
            fmt=_("easy read") if c.get("format") == EASY_READ else _("standard"))),
        (_("Translation"), _("reviewed") if c.get("translation_reviewed", True) else _("not reviewed")),
        (_("Consent text version"), c.get("text_version", "")),
        (_("Content hash"), c.get("text_hash", "")),
    ]
    if c.get("interpreter"):
        i = c["interpreter"]
        rows.append((_("Interpreter"), f"{i['name']}, {i['language']}, {_(INTERPRETER_MODES.get(i['mode'], ''))}"))

    async def open_text(_e: ft.ControlEvent) -> None:
        await shell.go(text_view, case_id)

    async def again(_e: ft.ControlEvent) -> None:
        await shell.go(setup, case_id)

    async def withdraw(_e: ft.ControlEvent) -> None:
        await shell.go(withdrawal, case_id)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    async def make_summary(_e: ft.ControlEvent) -> None:
        await shell.go(record_view, case_id, True)

    buttons: list[ft.Control] = []
    if any(ev.kind == SUMMARY_KIND for ev in case.history):
        pdf = await shell.call(session.consent_summary, case_id) if export else None
        buttons.append(reauth.export_button(shell, _("Print the consent summary"),
                                            _("Open the consent summary (PDF)"), pdf, "consent-summary.pdf",
                                            make_summary))
    buttons.append(ui.secondary(_("Show the text exactly as the person saw it"), open_text))
    if decision == "agree":
        buttons.append(ui.secondary(_("Record that consent was withdrawn"), withdraw))
    buttons += [ui.secondary(_("Take consent again"), again), ui.secondary(_("Back"), back)]
    return ft.Column([ui.heading(_("Consent record")), ui.summary_list(rows),
                      ft.Row(buttons, spacing=16, wrap=True)], spacing=16)


async def text_view(shell: Shell, case_id: str) -> ft.Control:
    """The stored consent re-rendered from the archive: the exact words of the version the person saw."""
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(record_view, case_id)

    try:
        text = await shell.call(rerender, case.consent or {})
    except ContentError as exc:
        return ft.Column([ui.heading(_("The text cannot be shown")), ui.body(str(exc)),
                          ui.secondary(_("Back"), back)], spacing=16)
    font = language(text.locale).font
    items: list[ft.Control] = [ui.heading(_("The text as shown")),
                               ui.body(_("Version {v}").format(v=text.version), size=14),
                               ui.body(_("Content hash {h}").format(h=text.content_hash), size=14)]
    for unit in text.units:
        if unit.pages:
            items.append(ft.Text(unit.title, size=22, weight=ft.FontWeight.BOLD, font_family=font, rtl=text.rtl))
            items += [ft.Text(p.text, size=18, font_family=font, rtl=text.rtl) for p in unit.pages]
    items.append(ui.secondary(_("Back"), back))
    return ft.Column(items, spacing=12)


async def withdrawal(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    reason = ui.text_field(_("What the person said"), width=640, multiline=True)
    share_too = ui.tick(_("They also withdraw consent to share their information"))
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def save(_e: ft.ControlEvent) -> None:
        await shell.save_step(error, case_id, session.withdraw_consent, case_id, reason.value or "",
                              bool(share_too.value))

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(record_view, case_id)

    return ft.Column([
        ui.heading(_("Record that consent was withdrawn")),
        ui.body(_("The consent and its summary stay in the record; the withdrawal is added after them.")),
        reason, share_too, error,
        shell.pinned(ft.Row([ui.primary(_("Record withdrawal"), save), ui.secondary(_("Back"), back)], spacing=16)),
    ], spacing=16)


