"""Screening with the site's locally agreed tool: one question per page, then check your answers."""

from __future__ import annotations

import flet as ft

from app import screening
from app.i18n import _
from screens import case_page, ui
from screens.shell import Shell


async def _tool(shell: Shell) -> screening.Tool:
    return await shell.call(lambda: screening.load_tool(shell.tablet.site.screening_tool))


def _answers(shell: Shell, case_id: str) -> dict[str, str]:
    return shell.drafts.setdefault(("screening", case_id), {})


async def start(shell: Shell, case_id: str) -> ft.Control:
    tool = await _tool(shell)
    answers = _answers(shell, case_id)
    item = screening.next_item(tool, answers)
    if item is None:
        return await check_answers(shell, case_id)
    return await question(shell, case_id, item.id)


async def question(shell: Shell, case_id: str, item_id: str) -> ft.Control:
    tool = await _tool(shell)
    answers = _answers(shell, case_id)
    item = next(i for i in tool.items if i.id == item_id)
    visible = screening.visible_items(tool, answers)
    number = next((n for n, i in enumerate(visible, 1) if i.id == item_id), len(visible))
    error = ft.Text("", color=ft.Colors.RED_700, size=16)
    group = ui.radios([(o.value, _(o.label)) for o in item.options], answers.get(item_id))

    async def cont(_e: ft.ControlEvent) -> None:
        if group.value is None:
            error.value = _("Choose an answer")
            shell.page.update()
            return
        before = screening.score(tool, answers).flags
        answers[item_id] = group.value
        after = screening.score(tool, answers)
        if "risk_immediate" in after.flags and "risk_immediate" not in before:
            await _risk_alert(shell, after.risk_messages)
        await shell.go(start, case_id)

    async def back(_e: ft.ControlEvent) -> None:
        earlier = [i for i in visible if i.id in answers and i.id != item_id]
        idx = [i.id for i in visible].index(item_id) if item_id in [i.id for i in visible] else len(visible)
        previous = [i for i in visible[:idx] if i in earlier]
        if previous:
            await shell.go(question, case_id, previous[-1].id)
        else:
            await shell.go(case_page.task_list, case_id)

    section = tool.section(item.section)
    return ft.Column([
        ui.body(_("{section} — question {n} of {total}").format(section=_(section.title), n=number,
                                                                total=len(visible)), size=16),
        *([ui.body(_(section.intro), size=16, italic=True)] if section.intro else []),
        ui.heading(_(item.text), size=24),
        ft.Semantics(label=_(item.text), content=group),
        error,
        ft.Row([ui.primary(_("Continue"), cont), ui.secondary(_("Back"), back)], spacing=16),
        ui.body(_("Source: {source}").format(source=item.source), size=12, color=ft.Colors.ON_SURFACE_VARIANT),
    ], spacing=16)


async def _risk_alert(shell: Shell, messages: tuple[str, ...]) -> None:
    def close(_e: ft.ControlEvent) -> None:
        shell.page.pop_dialog()
    shell.page.show_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(_("Risk: act now")),
        content=ft.Text("\n".join(_(m) for m in messages), size=18),
        actions=[ft.FilledButton(_("I have followed the risk procedure"), on_click=close)]))


async def check_answers(shell: Shell, case_id: str) -> ft.Control:
    tool = await _tool(shell)
    answers = _answers(shell, case_id)
    result = screening.score(tool, answers)
    assert shell.session is not None
    session = shell.session
    error = ft.Text("", color=ft.Colors.RED_700, size=16)

    async def complete(_e: ft.ControlEvent) -> None:
        if await shell.save_step(error, case_id, session.record_screening, case_id, tool, dict(answers)):
            shell.drafts.pop(("screening", case_id), None)

    def change(item_id: str):
        async def handler(_e: ft.ControlEvent) -> None:
            await shell.go(question, case_id, item_id)
        return handler

    rows = []
    for item in screening.visible_items(tool, answers):
        label = next((o.label for o in item.options if o.value == answers.get(item.id)), "—")
        rows.append(ft.Row([
            ft.Container(expand=3, content=ft.Text(_(item.text), size=15)),
            ft.Container(expand=2, content=ft.Text(_(label), size=15, weight=ft.FontWeight.BOLD)),
            ft.TextButton(_("Change"), on_click=change(item.id), tooltip=_("Change: {q}").format(q=_(item.text))),
        ]))
    scores = [(_(k.upper().replace("_", "-")), f"{v}  {_(result.bands.get(k, ''))}") for k, v in result.totals.items()]
    return ft.Column([
        ui.heading(_("Check the screening answers")),
        ui.summary_list(scores),
        *([ui.body(_("Flags: {flags}").format(flags=", ".join(sorted(result.flags))))] if result.flags else []),
        *rows,
        error,
        ui.primary(_("Complete screening"), complete),
    ], spacing=10, scroll=ft.ScrollMode.AUTO)
