"""Equality monitoring: the person's own answers, every one optional, in their language and easy read if needed.

The officer hands the tablet over or reads the questions out; nothing here blocks the pathway. The questions
and their words live in app/equality.py; this screen only asks them in the chosen language.
"""

from __future__ import annotations

import flet as ft

from app import equality
from app.consent import EASY_READ
from app.consent_flow import defaults
from app.i18n import _, language
from app.leaflet import LANGUAGES
from screens import case_page, ui
from screens.shell import Shell


async def equality_page(shell: Shell, case_id: str, locale: str | None = None,
                        easy_read: bool | None = None) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    # As asked before, else as consent was taken, else the language and needs the case details and screening name.
    start = defaults(case)
    locale = locale or str((case.equality or {}).get("locale") or (case.consent or {}).get("locale") or start.locale)
    if easy_read is None:
        easy_read = bool((case.equality or {}).get("easy_read",
                                                   (case.consent or {}).get("format", start.format) == EASY_READ))
    words = await shell.call(equality.wording, locale)
    said = words.say  # the person's language, not the officer's
    shown = language(words.locale)
    earlier: dict[str, str] = dict((case.equality or {}).get("answers", {}))
    groups: dict[str, ft.RadioGroup] = {}
    error = ft.Text("", color=ft.Colors.RED_700)

    async def relaid(_e: ft.ControlEvent) -> None:
        await shell.go(equality_page, case_id, lang.value, bool(easy.value))

    lang_box, lang = ui.dropdown(_("Language of the questions"),
                                 [(code, language(code).native if code != "en" else "English")
                                  for code in LANGUAGES], locale, width=420)
    lang.on_select = relaid
    easy = ui.tick(_("Easy read"), value=easy_read, on_change=relaid)

    if words.missing:
        officer_note = _("The questions are not all translated into {lang} yet, so they are shown in English. "
                         "Use an interpreter.").format(lang=language(locale).english)
    elif not words.reviewed:
        officer_note = _("A qualified translator has not checked the {lang} questions yet. Use an interpreter "
                         "if you can.").format(lang=shown.english)
    else:
        officer_note = ""
    notice = ft.Semantics(live_region=True, identifier="translation-notice", visible=bool(officer_note),
                          content=ft.Container(content=ui.body(officer_note, size=16), padding=12,
                                               border=ft.Border.all(3, ft.Colors.AMBER_800)))

    questions: list[ft.Control] = []
    for q in equality.QUESTIONS:
        text = said(q.easy_read if easy_read else q.text)
        groups[q.id] = ui.radios([(value, said(label)) for value, label in q.options], earlier.get(q.id),
                                   font_family=shown.font)
        questions += [ui.body(text, size=22 if easy_read else 18, weight=ft.FontWeight.BOLD, font_family=shown.font),
                      ft.Semantics(label=text, container=True, content=groups[q.id])]

    async def save(_e: ft.ControlEvent) -> None:
        answers = {k: g.value for k, g in groups.items() if g.value}
        await shell.save_step(error, case_id, session.record_equality, case_id, answers, locale, easy_read)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("Equality monitoring (optional)")),
        ui.body(_("Hand the tablet to the person, or read the questions out. They may leave any question "
                  "unanswered or choose 'prefer not to say'; the answers are only counted, never shown to "
                  "the court.")),
        ft.Row([lang_box, easy], wrap=True, spacing=16),
        notice,
        ft.Column([ui.body(said(equality.INTRO), size=20, font_family=shown.font),
                   *([ui.body(said(equality.DRAFT), size=18, font_family=shown.font)] if not words.reviewed else []),
                   *questions], spacing=8, rtl=shown.rtl),
        error,
        shell.pinned(ft.Row([ui.primary(_("Save the answers"), save), ui.secondary(_("Back to the case"), back)],
                            spacing=16)),
    ], spacing=16)
