"""Informed consent: the officer hands over, the defendant reads easy-read pages and decides, the officer attests.

Defendant mode hides the officer's app bar and every route back to other records; only the officer's PIN
leaves it.
"""

from __future__ import annotations

import flet as ft

from app.case import REQUIREMENT_NAMES
from app.consent import ConsentText, consent_text
from app.i18n import N_, _
from app.tablet import OfficerLocked, WrongPin
from screens import case_page, ui
from screens.shell import Shell

BIG = 28
DECISIONS = {
    "agree": N_("Yes, I agree"),
    "disagree": N_("No, I do not agree"),
    "more_time": N_("I need more time, or I want to speak to my solicitor"),
}


async def _text(shell: Shell, case_id: str) -> ConsentText:
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    return await shell.call(consent_text, case.proposed, "en")


async def handover(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    text = await _text(shell, case_id)

    async def hand_over(_e: ft.ControlEvent) -> None:
        shell.defendant_mode = True
        await shell.go(defendant_page, case_id, 0)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ui.heading(_("Consent")),
        ui.summary_list([
            (_("Proposed"), ", ".join(_(REQUIREMENT_NAMES[r]) for r in case.proposed)),
            (_("Format"), _("Easy read, English")),
            (_("Pages"), str(len(text.pages))),
            (_("Consent text version"), text.version),
        ]),
        ui.body(_("Hand the tablet to the defendant. They read one idea per page and choose their answer. "
                  "You will need your PIN to take the tablet back.")),
        ft.Row([ui.primary(_("Hand the tablet to the defendant"), hand_over), ui.secondary(_("Back"), back)],
               spacing=16),
    ], spacing=16)


async def defendant_page(shell: Shell, case_id: str, index: int) -> ft.Control:
    text = await _text(shell, case_id)
    if index >= len(text.pages):
        return await decision(shell, case_id)
    page = text.pages[index]
    icon = getattr(ft.Icons, page.icon.upper(), ft.Icons.INFO_OUTLINE)

    async def nxt(_e: ft.ControlEvent) -> None:
        shell.drafts.setdefault(("consent", case_id), {})["seen"] = str(max(index + 1, _seen(shell, case_id)))
        await shell.go(defendant_page, case_id, index + 1)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(defendant_page, case_id, max(index - 1, 0))

    return ft.Column([
        ui.body(_("Page {n} of {total}").format(n=index + 1, total=len(text.pages)), size=18),
        ft.Row([
            ft.Icon(icon, size=120, semantics_label=_("Picture")),
            ft.Container(expand=True, content=ft.Text(_(page.text), size=BIG)),
        ], spacing=32, vertical_alignment=ft.CrossAxisAlignment.START),
        ft.Row([ui.primary(_("Next"), nxt, width=200),
                *([ui.secondary(_("Back"), back, width=200)] if index > 0 else [])], spacing=24),
    ], spacing=32)


def _seen(shell: Shell, case_id: str) -> int:
    return int(shell.drafts.get(("consent", case_id), {}).get("seen", "0"))


async def decision(shell: Shell, case_id: str) -> ft.Control:
    def choose(value: str):
        async def handler(_e: ft.ControlEvent) -> None:
            shell.drafts.setdefault(("consent", case_id), {})["decision"] = value
            await shell.go(give_back, case_id)
        return handler

    async def back(_e: ft.ControlEvent) -> None:
        text = await _text(shell, case_id)
        await shell.go(defendant_page, case_id, len(text.pages) - 1)

    return ft.Column([
        ft.Text(_("Do you agree to this treatment requirement?"), size=BIG, weight=ft.FontWeight.BOLD),
        *[ui.primary(_(label), choose(key), width=640) for key, label in DECISIONS.items()],
        ui.secondary(_("Back"), back, width=200),
    ], spacing=24)


async def give_back(shell: Shell, case_id: str) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    draft = shell.drafts.get(("consent", case_id), {})
    choice = draft.get("decision", "")
    attest = ft.Checkbox(label=_("I explained the requirement and the person gave this answer themselves"))
    pin = ui.text_field(_("Officer PIN"), password=True, keyboard_type=ft.KeyboardType.NUMBER, width=320)
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def save(_e: ft.ControlEvent) -> None:
        try:
            await shell.call(shell.tablet.unlock, session.officer_id, (pin.value or "").strip())
        except WrongPin as exc:
            pin.value = ""
            error.value = _("Wrong PIN. {n} tries left.").format(n=exc.tries_left)
            shell.page.update()
            return
        except OfficerLocked:
            shell.defendant_mode = False
            shell.session = None
            from screens import login
            await shell.go(login.officer_list)
            return
        text = await _text(shell, case_id)
        shell.defendant_mode = False  # the officer's PIN was given: the task list may show again
        if await shell.save_step(error, case_id, session.record_consent, case_id, text, choice,
                                 _seen(shell, case_id), bool(attest.value)):
            shell.drafts.pop(("consent", case_id), None)

    return ft.Column([
        ft.Text(_("Thank you. Please give the tablet back to the officer."), size=BIG),
        ft.Divider(),
        ui.heading(_("Officer: confirm the answer"), size=22),
        ui.body(_("Answer given: {answer}").format(answer=_(DECISIONS.get(choice, "")))),
        attest, pin, error,
        ui.primary(_("Save consent record"), save),
    ], spacing=16)
