"""Screening with the site's locally agreed tool, drawn from the tool file alone (no code per tool).

Blocks the tool lays out as a grid (an officer asking) are one page: a tap an answer, saved as it is given;
other blocks are one question a page with its progress ("Question 4 of 12") and Continue, which saves. Back,
and Change from the summary; the answers so far are an encrypted event, so a screening survives a lock or a
crash and resumes where it stopped; answers to questions that a later answer hides are dropped,
never stored; a risk trigger stops the flow with the site's instructions; and the officer checks every
answer and score before the screening is completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import flet as ft
from babel import Locale, UnknownLocaleError

from app import screening
from app.case import FieldErrors
from app.i18n import _, fmt_date, ngettext
from screens import case_page, ui
from screens.case_details import parse_day
from screens.shell import Shell

ERROR = ft.Colors.RED_700


@dataclass
class Draft:
    """The screening as it stands on this tablet: answers, the language asked in, risks acknowledged."""

    answers: dict[str, Any] = field(default_factory=dict)
    locale: str = screening.SOURCE_LOCALE
    acknowledged: list[str] = field(default_factory=list)
    saved: tuple[Any, ...] | None = None  # the state last written to the case log
    completed: dict[str, Any] | None = None  # the answers of the completed screening this draft started from
    notice: str = ""

    def state(self) -> tuple[Any, ...]:
        return (self.answers, self.locale, sorted(self.acknowledged))


async def _tool(shell: Shell) -> screening.Tool:
    assert shell.session is not None
    name = shell.session.screening_tool  # L&D in custody screen with their own tool, the court with the site's
    return await shell.call(shell.tablet.screening_tool, name)


async def _draft(shell: Shell, case_id: str, tool: screening.Tool) -> Draft:
    """The draft in memory, else the saved progress, else the completed screening (to change it), else new."""
    key = ("screening", case_id)
    draft = shell.drafts.get(key)
    if isinstance(draft, Draft):
        return draft
    assert shell.session is not None
    case = await shell.call(shell.session.case, case_id)
    draft = Draft()
    stored = case.screening_progress or case.screening
    if stored:
        answers = stored.get("answers", {})
        fits = {k: v for k, v in answers.items()
                if k in tool.item_ids and tool.item(k).answer_problem(v, shell.today()) is None}
        draft.answers = screening.prune(tool, fits)
        if stored.get("tool_hash") != tool.content_hash:
            draft.notice = _("The site's screening tool has changed since these answers were saved: check them all.")
        if stored.get("locale") in tool.locales:
            draft.locale = stored["locale"]
        draft.acknowledged = list(stored.get("risk_acknowledged", []))
        draft.saved = draft.state()
        if case.screening_progress is None:
            draft.completed = dict(draft.answers)
    elif case.details is not None:  # a new screening: what the details say is shown answered, not asked again
        draft.answers, draft.locale = screening.from_details(tool, case.details.interpreter_needed,
                                                             case.details.language)
    shell.drafts[key] = draft  # type: ignore[assignment]
    return draft


async def _save(shell: Shell, case_id: str, tool: screening.Tool, draft: Draft, error: ft.Text) -> bool:
    """Write the progress to the case log when it changed; an unchanged draft costs nothing."""
    if draft.saved == draft.state() or (not draft.answers and draft.saved is None):
        return True
    assert shell.session is not None
    try:
        await shell.call(shell.session.save_screening_progress, case_id, tool, dict(draft.answers), draft.locale,
                         list(draft.acknowledged))
    except FieldErrors as exc:
        error.value = "; ".join(exc.errors.values())
        shell.page.update()
        return False
    draft.saved = (dict(draft.answers), draft.locale, sorted(draft.acknowledged))
    return True


async def start(shell: Shell, case_id: str) -> ft.Control:
    tool = await _tool(shell)
    draft = await _draft(shell, case_id, tool)
    item = screening.next_item(tool, draft.answers)
    if item is None:
        return await check_answers(shell, case_id)
    if draft.saved is None:  # a new screening opens at the top of its page (the language choice), not past the
        # answers the details gave; a resumed one opens at the first question still to answer
        item = next(page for page in screening.screens(tool, draft.answers) if item in page)[0]
    return await question(shell, case_id, item.id)


def _next_after(tool: screening.Tool, answers: dict[str, Any], last_id: str | None) -> str | None:
    """The next unanswered question after `last_id` (else the first unanswered anywhere); None: all answered."""
    order = [i for page in screening.screens(tool, answers) for i in page]
    ids = [i.id for i in order]
    here = ids.index(last_id) if last_id in ids else -1
    unanswered = [i.id for i in order if i.id not in answers]
    later = [i for i in unanswered if ids.index(i) > here]
    return (later or unanswered or [None])[0]


async def _go_to(shell: Shell, case_id: str, item_id: str | None) -> None:
    if item_id is None:
        await shell.go(check_answers, case_id)
    else:
        await shell.go(question, case_id, item_id)


def _fresh_risks(tool: screening.Tool, draft: Draft) -> list[str]:
    """The risk triggers the answers fire that the officer has not acknowledged yet: each interrupts once."""
    result = screening.score(tool, draft.answers)
    return [f.id for f in screening.risk_flags(tool, result) if f.id not in draft.acknowledged]


async def _onward(shell: Shell, case_id: str, tool: screening.Tool, draft: Draft, after_id: str) -> None:
    """After a page's answers are saved: the risk interruption if one fired, else the next unanswered question."""
    target = _next_after(tool, draft.answers, after_id)
    fresh = _fresh_risks(tool, draft)
    if fresh:
        await shell.go(risk, case_id, fresh, target)
    else:
        await _go_to(shell, case_id, target)


async def _back(shell: Shell, case_id: str, pages: list[tuple[screening.Item, ...]], index: int) -> None:
    if index == 0:
        await shell.go(case_page.task_list, case_id)
    else:
        await shell.go(question, case_id, pages[index - 1][0].id)


async def _later(shell: Shell, case_id: str, tool: screening.Tool, draft: Draft, typed: dict[str, Any],
                 error: ft.Text) -> None:
    """Keep what is answered so far (typed answers that read well included) and go back to the case."""
    draft.answers = screening.prune(tool, {**draft.answers, **typed})
    if await _save(shell, case_id, tool, draft, error):
        shell.saved()
        await shell.go(case_page.task_list, case_id)


def _notice_and_language(shell: Shell, case_id: str, tool: screening.Tool, draft: Draft,
                         item_id: str) -> list[ft.Control]:
    """Above the questions: a changed tool's warning, and the language to ask in (the same page again on a change)."""
    shown: list[ft.Control] = []
    if draft.notice:
        shown.append(ui.body(draft.notice, size=16, color=ft.Colors.ORANGE_900))
    if len(tool.locales) > 1:
        async def chosen(e: ft.ControlEvent) -> None:
            draft.locale = e.control.value or screening.SOURCE_LOCALE
            await shell.go(question, case_id, item_id)

        box, dd = ui.dropdown(_("Ask the questions in"), [(c, _language_name(c)) for c in tool.locales],
                              draft.locale, width=320)
        dd.on_select = chosen
        shown.append(box)
    return shown


def _asking(item: screening.Item, locale: str, size: int) -> list[ft.Control]:
    """A question as the officer reads it out, with the site's hint for the officer under it."""
    return [ui.heading(item.text_in(locale), size=size),
            *([ui.body(_("Officer: {hint}").format(hint=_(item.hint)), size=14,
                       color=ft.Colors.ON_SURFACE_VARIANT)] if item.hint else [])]


def _sources(items: tuple[screening.Item, ...]) -> list[ft.Control]:
    """Where the questions come from and on what licence, once per block."""
    return [ui.body(line, size=12, color=ft.Colors.ON_SURFACE_VARIANT)
            for line in dict.fromkeys(_source_line(i) for i in items)]


# --- One screen of questions ---------------------------------------------------------------------------


class _Input:
    """The control for one item, and reading a valid answer back out of it."""

    def __init__(self, shell: Shell, item: screening.Item, current: Any, locale: str) -> None:
        self.item = item
        self.today = shell.today()  # the app's day (a test may set it), not the machine's
        self.error = ft.Text("", color=ERROR, size=16)
        self.group: ft.RadioGroup | None = None
        self.boxes: list[tuple[screening.Option, ft.Checkbox]] = []
        self.field: ft.TextField | None = None
        text = item.text_in(locale)
        if item.kind in ("choice", "yesno"):
            self.group = ui.radios([(o.value, o.label_in(locale)) for o in item.options], current)
            self.control: ft.Control = ft.Semantics(label=text, content=self.group)
        elif item.kind == "multiple":
            chosen = set(current or [])

            def tick(option: screening.Option):  # noqa: ANN202
                def changed(e: ft.ControlEvent) -> None:
                    if e.control.value:  # "None of these" clears the rest, and the rest clear it
                        for other, box in self.boxes:
                            if other is not option and (option.exclusive or other.exclusive):
                                box.value = False
                    shell.page.update()
                return changed

            for o in item.options:
                self.boxes.append((o, ui.tick(o.label_in(locale), value=o.value in chosen, on_change=tick(o))))
            self.control = ft.Semantics(label=text, content=ft.Column([b for _o, b in self.boxes], spacing=4))
        else:
            if item.kind == "number":
                self.field = ui.text_field(_("Number"), "" if current is None else _number_text(current), width=420,
                                           keyboard_type=ft.KeyboardType.NUMBER,
                                           suffix=ft.Text(_(item.unit)) if item.unit else None)
            elif item.kind == "date":
                self.field = ui.text_field(_("Date (DD/MM/YYYY)"), _date_text(current), width=420,
                                           keyboard_type=ft.KeyboardType.DATETIME)
            else:
                self.field = ui.text_field(_("Answer"), current or "", width=420, max_length=item.max_length)
            self.control = self.field

    def read(self) -> tuple[Any, str | None]:
        """(answer, None) when the control holds a valid answer, else (None, what to do about it)."""
        item = self.item
        if self.group is not None:
            return (self.group.value, None) if item.option(self.group.value) else (None, _("Choose an answer"))
        if self.boxes:
            chosen = [o.value for o, box in self.boxes if box.value]
            if not chosen:
                return None, _("Choose at least one answer")
            problem = item.answer_problem(chosen)
            return (chosen, None) if problem is None else (None, _("Choose 'None of these' on its own"))
        assert self.field is not None
        raw = (self.field.value or "").strip()
        if item.kind == "number":
            return _read_number(item, raw)
        if item.kind == "date":
            return _read_date(item, raw, self.today)
        if not raw:
            return None, _("Enter an answer")
        if len(raw) > item.max_length:
            return None, _("Use {n} characters or fewer").format(n=item.max_length)
        return raw, None


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _date_text(value: Any) -> str:
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y") if isinstance(value, str) else ""
    except ValueError:
        return ""


def _read_number(item: screening.Item, raw: str) -> tuple[Any, str | None]:
    assert item.minimum is not None and item.maximum is not None
    low, high = _number_text(item.minimum), _number_text(item.maximum)
    try:
        value: float = float(raw.replace(",", "."))
    except ValueError:
        return None, _("Enter a number from {low} to {high}").format(low=low, high=high)
    if item.decimals == 0:
        if not value.is_integer():
            return None, _("Enter a whole number from {low} to {high}").format(low=low, high=high)
        value = int(value)
    if item.answer_problem(value) is not None:
        return None, _("Enter a number from {low} to {high}").format(low=low, high=high)
    return value, None


def _read_date(item: screening.Item, raw: str, today: date) -> tuple[Any, str | None]:
    day = parse_day(raw)
    if day is None:
        return None, _("Enter the date as day, month and year, for example 27/03/2026")
    low, high = item.date_bounds(today)
    if low and day < low:
        return None, _("Enter a date on or after {day}").format(day=fmt_date(low, "long"))
    if high and day > high:
        return None, _("Enter a date on or before {day}").format(day=fmt_date(high, "long"))
    return day.isoformat(), None


def _language_name(code: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        name = code
    return name[:1].upper() + name[1:]


def _translation_note(section: screening.Section, locale: str) -> ft.Control | None:
    """Say on screen how far a translation can be trusted; prompt for the interpreter when it cannot."""
    if locale == screening.SOURCE_LOCALE:
        return None
    found = section.locale(locale)
    if found is None:
        text = _("These questions have no {language} translation: ask them in English, through an interpreter."
                 ).format(language=_language_name(locale))
    elif not found.checked:
        text = _("Draft translation, not yet checked by a qualified translator: check that the person "
                 "understands, through an interpreter.")
    else:
        return ui.body(_("Translation: {source}").format(source=found.source), size=12)
    return ft.Semantics(live_region=True, content=ft.Container(
        border=ft.Border.only(left=ft.BorderSide(6, ft.Colors.ORANGE_700)), padding=12,
        content=ft.Text(text, size=16, color=ft.Colors.ORANGE_900)))


async def question(shell: Shell, case_id: str, item_id: str) -> ft.Control:
    """The screen that holds `item_id`: its question, or its block's short group of questions."""
    tool = await _tool(shell)
    draft = await _draft(shell, case_id, tool)
    pages = screening.screens(tool, draft.answers)
    index = next((n for n, page in enumerate(pages) if any(i.id == item_id for i in page)), None)
    if index is None:  # a changed answer has hidden it
        return await start(shell, case_id)
    items = pages[index]
    if screening.is_grid(tool, items[0]):
        return await _grid(shell, case_id, tool, draft, item_id)
    total = sum(len(p) for p in pages)
    first = sum(len(p) for p in pages[:index]) + 1
    progress = (_("Question {n} of {total}").format(n=first, total=total) if len(items) == 1 else
                _("Questions {first} to {last} of {total}").format(first=first, last=first + len(items) - 1,
                                                                   total=total))
    answered = sum(1 for p in pages for i in p if i.id in draft.answers)
    section = tool.section(items[0].section)
    locale = draft.locale
    inputs = [_Input(shell, item, draft.answers.get(item.id), locale) for item in items]
    error = ft.Text("", color=ERROR, size=16)

    def collect(strict: bool) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        for inp in inputs:
            value, problem = inp.read()
            inp.error.value = (problem or "") if strict else ""
            if problem is None:
                values[inp.item.id] = value
            elif strict:
                error.value = _("Answer every question on this screen to continue")
        return values if not strict or len(values) == len(inputs) else None

    async def cont(_e: ft.ControlEvent) -> None:
        values = collect(strict=True)
        if values is None:
            shell.page.update()
            return
        draft.answers = screening.prune(tool, {**draft.answers, **values})
        if await _save(shell, case_id, tool, draft, error):
            await _onward(shell, case_id, tool, draft, items[-1].id)

    async def back(_e: ft.ControlEvent) -> None:
        await _back(shell, case_id, pages, index)

    async def later(_e: ft.ControlEvent) -> None:
        await _later(shell, case_id, tool, draft, collect(strict=False) or {}, error)

    top: list[ft.Control] = [
        ui.body(progress, size=18, weight=ft.FontWeight.BOLD),
        ft.ProgressBar(value=answered / total if total else 0, width=420,
                       semantics_label=_("Screening progress: {answered} of {total} answered").format(
                           answered=answered, total=total)),
    ]
    top += _notice_and_language(shell, case_id, tool, draft, item_id)
    note = _translation_note(section, locale)
    body: list[ft.Control] = [
        ui.body(section.title_in(locale), size=16, color=ft.Colors.ON_SURFACE_VARIANT),
        *([note] if note else []),
        *([ui.body(section.intro_in(locale), size=16, italic=True)] if section.intro_in(locale) else []),
    ]
    for inp in inputs:
        item = inp.item
        body += [*_asking(item, locale, 24 if len(items) == 1 else 20), inp.control, inp.error]
    return ft.Column([
        *top,
        *body,
        error,
        shell.pinned(ft.Row([ui.primary(_("Continue"), cont), ui.secondary(_("Back"), back),
                             ft.TextButton(_("Save and come back later"), on_click=later, height=ui.MIN_TARGET + 8)],
                            spacing=16, wrap=True)),
        *_sources(items),
    ], spacing=14, scroll=ft.ScrollMode.AUTO)


# --- A grid: an officer asks a run of blocks down one page, one tap an answer -----------------------------


async def _grid(shell: Shell, case_id: str, tool: screening.Tool, draft: Draft, item_id: str) -> ft.Control:
    """Every question of the page at once, in the order asked: a tap records the answer and saves the progress,
    a question opened by an answer appears under it (the rest of the page stays put, so a quick next tap is
    never lost to a redraw), a risk answer interrupts at once, and the page moves so the next question is in
    view. Typed answers (a language, a date) are read at each tap and when the officer continues."""
    locale = draft.locale
    error = ft.Text("", color=ERROR, size=16, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS)
    status = ui.body("", size=16, weight=ft.FontWeight.BOLD)
    typed: dict[str, _Input] = {}
    rows: dict[str, ft.Container] = {}  # every question row drawn, kept while it is hidden so it comes back as is
    heads: dict[str, list[ft.Control]] = {}
    shown: list[str] = []  # the questions on the page now, in order
    content = ft.Column(spacing=10)

    def page_now() -> tuple[int, list[tuple[screening.Item, ...]]]:
        pages = screening.screens(tool, draft.answers)
        anchors = {item_id, *shown}
        return next((n for n, p in enumerate(pages) if anchors & {i.id for i in p}), 0), pages

    def answers_typed(strict: bool) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        for item_key in shown:
            inp = typed.get(item_key)
            if inp is None:
                continue
            value, problem = inp.read()
            inp.error.value = (problem or "") if strict else ""
            if problem is None:
                values[item_key] = value
        return values if not strict or all(k in values for k in shown if k in typed) else None

    def question_row(item: screening.Item) -> ft.Control:
        text = item.text_in(locale)
        if item.kind in screening.CHOICE_KINDS:
            answer = draft.answers.get(item.id)
            chosen = set(answer) if isinstance(answer, list) else {answer}
            controls: list[ft.Control] = [ui.choices(text, [(o.value, o.label_in(locale)) for o in item.options],
                                                     chosen, lambda value: pick(item, value),
                                                     several=item.kind == "multiple")]
        else:
            inp = typed.setdefault(item.id, _Input(shell, item, draft.answers.get(item.id), locale))
            controls = [inp.control, inp.error]
        return ft.Column([*_asking(item, locale, 20), *controls], spacing=8)

    def section_head(section_id: str) -> list[ft.Control]:
        if section_id not in heads:
            section = tool.section(section_id)
            note = _translation_note(section, locale)
            intro = section.intro_in(locale)
            heads[section_id] = [ui.heading(section.title_in(locale), size=24), *([note] if note else []),
                                 *([ui.body(intro, size=16, italic=True)] if intro else [])]
        return heads[section_id]

    def lay_out() -> None:
        """The page's questions as the answers now open them, reusing every row already drawn."""
        index, pages = page_now()
        items = pages[index] if pages else ()
        shown[:] = [i.id for i in items]
        controls: list[ft.Control] = list(top)
        section = None
        for item in items:
            if item.section != section:
                section = item.section
                controls += section_head(section)
            if item.id not in rows:
                rows[item.id] = ft.Container(key=ft.ScrollKey(item.id), padding=ft.Padding.only(top=8, bottom=8),
                                             content=question_row(item))
            controls.append(rows[item.id])
        controls += _sources(items)
        content.controls = controls
        total = sum(len(p) for p in pages)
        answered = sum(1 for p in pages for i in p if i.id in draft.answers)
        status.value = _("{answered} of {total} answered").format(answered=answered, total=total)

    async def pick(item: screening.Item, value: str) -> None:
        given = _chosen(item, draft.answers.get(item.id), value)
        rest = {k: v for k, v in draft.answers.items() if k != item.id}
        draft.answers = screening.prune(tool, {**rest, **(answers_typed(strict=False) or {}),
                                               **({item.id: given} if given is not None else {})})
        rows[item.id].content = question_row(item)
        lay_out()
        error.value = ""
        shell.page.update()  # the tap shows at once; the save runs off the loop
        if not await _save(shell, case_id, tool, draft, error):
            return
        following = _next_after(tool, draft.answers, item.id)
        fresh = _fresh_risks(tool, draft)
        if fresh:
            await shell.go(risk, case_id, fresh, following)
        elif following in shown and shown.index(following) == shown.index(item.id) + 1:
            await shell.show(item.id)  # answered in order: this question to the top, the next just under it

    async def cont(_e: ft.ControlEvent) -> None:
        values = answers_typed(strict=True)
        draft.answers = screening.prune(tool, {**draft.answers, **(values or {})})
        lay_out()
        if not await _save(shell, case_id, tool, draft, error):
            return
        missing = [k for k in shown if k not in draft.answers]
        if values is None or missing:
            error.value = ngettext("{n} question on this page is not answered yet",
                                   "{n} questions on this page are not answered yet",
                                   max(len(missing), 1)).format(n=max(len(missing), 1))
            shell.page.update()
            if missing:
                await shell.show(missing[0])
            return
        await _onward(shell, case_id, tool, draft, shown[-1])

    async def back(_e: ft.ControlEvent) -> None:
        index, pages = page_now()
        await _back(shell, case_id, pages, index)

    async def later(_e: ft.ControlEvent) -> None:
        await _later(shell, case_id, tool, draft, answers_typed(strict=False) or {}, error)

    top: list[ft.Control] = [ui.heading(_("Screening")), ft.Row([ui.secondary(_("Back"), back)])]
    top += _notice_and_language(shell, case_id, tool, draft, item_id)
    lay_out()
    bar = ft.Row([
        ft.Container(expand=True, content=ft.Semantics(live_region=True, content=status)),
        ft.Container(content=error, expand=2),  # short: what is missing; the page shows where
        ft.TextButton(_("Save and come back later"), on_click=later, height=ui.MIN_TARGET),
        ui.primary(_("Continue"), cont),
    ], spacing=16)
    shell.keep_in_view(None if item_id == shown[0] else item_id, bar)
    return content


def _chosen(item: screening.Item, current: Any, tapped: str) -> Any:
    """The answer after a tap: the option itself, or for several-answer questions the ticked set with `tapped`
    turned over ("None of these" and the rest clear each other); None when nothing is left ticked."""
    if item.kind != "multiple":
        return tapped
    ticked = list(current or [])
    if tapped in ticked:
        ticked.remove(tapped)
    else:
        option = item.option(tapped)
        ticked = [v for v in ticked if not ((option and option.exclusive) or
                                            (other := item.option(v)) is not None and other.exclusive)] + [tapped]
    return ticked or None


def _source_line(item: screening.Item) -> str:
    line = _("Source: {source}").format(source=item.source)
    return f"{line}. {_('Licence: {licence}').format(licence=item.licence)}" if item.licence else line


# --- The risk interruption -----------------------------------------------------------------------------


async def risk(shell: Shell, case_id: str, flag_ids: list[str], then: str | None) -> ft.Control:
    """Stop: the site's risk instructions, acknowledged before the screening goes on."""
    tool = await _tool(shell)
    draft = await _draft(shell, case_id, tool)
    flags = [tool.flag(f) for f in flag_ids]
    error = ft.Text("", color=ERROR, size=16)

    async def done(_e: ft.ControlEvent) -> None:
        draft.acknowledged = sorted({*draft.acknowledged, *flag_ids})
        if await _save(shell, case_id, tool, draft, error):
            await _go_to(shell, case_id, then)

    return ft.Column([
        ft.Semantics(live_region=True, identifier="risk-interruption", content=ft.Container(
            border=ft.Border.all(6, ERROR), padding=20, content=ft.Column([
                ui.heading(_("Risk: act now")),
                *[ft.Text(_(f.risk or ""), size=20) for f in flags],
                *[ui.body(_("Why: {why}").format(why=_(f.why)), size=16) for f in flags if f.why],
            ], spacing=12))),
        error,
        ui.primary(_("I have followed the risk procedure"), done),
    ], spacing=16, scroll=ft.ScrollMode.AUTO)


# --- Check your answers ---------------------------------------------------------------------------------


def _answer_text(item: screening.Item, answer: Any, locale: str) -> str:
    if answer is None:
        return _("Not answered")
    if item.kind == "multiple":
        return ", ".join(o.label_in(locale) for o in item.options if o.value in answer)
    if item.kind in ("choice", "yesno"):
        option = item.option(answer)
        return option.label_in(locale) if option else str(answer)
    if item.kind == "number":
        return f"{_number_text(answer)} {_(item.unit)}".strip()
    if item.kind == "date":
        try:
            return fmt_date(date.fromisoformat(answer), "long")
        except ValueError:
            return str(answer)
    return str(answer)


async def check_answers(shell: Shell, case_id: str) -> ft.Control:
    tool = await _tool(shell)
    draft = await _draft(shell, case_id, tool)
    assert shell.session is not None
    session = shell.session
    error = ft.Text("", color=ERROR, size=16)
    result = screening.score(tool, draft.answers)
    missing = screening.next_item(tool, draft.answers)
    unchanged = draft.completed is not None and draft.completed == draft.answers

    async def complete(_e: ft.ControlEvent) -> None:
        if await shell.save_step(error, case_id, session.record_screening, case_id, tool, dict(draft.answers),
                                 draft.locale, list(draft.acknowledged)):
            shell.drafts.pop(("screening", case_id), None)

    async def resume(_e: ft.ControlEvent) -> None:
        await _go_to(shell, case_id, missing.id if missing else None)

    async def to_case(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    def change(item: screening.Item):  # noqa: ANN202
        async def handler(_e: ft.ControlEvent) -> None:
            await shell.go(question, case_id, item.id)
        return handler

    scores = []
    for total in tool.totals:
        if total.id not in result.totals:
            continue
        parent = tool.subscore_of(total.id)
        label = _(total.label) if parent is None else "    " + _("{label} (part of {parent})").format(
            label=_(total.label), parent=_(tool.total(parent).label))
        band = result.bands.get(total.id)
        scores.append((label, f"{result.totals[total.id]}" + (f" — {_(band)}" if band else "")))
    fired = [f for f in tool.flags if f.id in result.flags]
    flag_rows: list[ft.Control] = [ft.Row([
        ft.Icon(ft.Icons.WARNING if f.risk else ft.Icons.FLAG_OUTLINED, color=ERROR if f.risk else None, size=20),
        ft.Text(_(f.why or f.id), size=16, color=ERROR if f.risk else None, expand=True),
    ], vertical_alignment=ft.CrossAxisAlignment.START) for f in fired]
    flag_rows += [ui.body(_("Risk procedure followed and recorded by the officer."), size=14)
                  for f in fired if f.risk and f.id in draft.acknowledged][:1]

    answer_rows: list[ft.Control] = []
    shown_section = None
    for item in screening.visible_items(tool, draft.answers):
        if item.section != shown_section:
            shown_section = item.section
            answer_rows.append(ui.heading(tool.section(item.section).title_in(draft.locale), size=20))
        text = item.text_in(draft.locale)
        answer_rows.append(ft.Container(
            padding=ft.Padding.symmetric(vertical=6),
            border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.OUTLINE_VARIANT)),
            content=ft.Row([
                ft.Container(expand=3, content=ft.Text(text, size=15)),
                ft.Container(expand=2, content=ft.Text(_answer_text(item, draft.answers.get(item.id), draft.locale),
                                                       size=15, weight=ft.FontWeight.BOLD)),
                ft.Semantics(label=_("Change: {question}").format(question=text), button=True,
                             content=ft.TextButton(_("Change"), on_click=change(item), height=ui.MIN_TARGET)),
            ], vertical_alignment=ft.CrossAxisAlignment.START)))

    if missing is not None:
        actions: list[ft.Control] = [ui.body(_("Some questions are not answered yet."), color=ERROR),
                                     shell.pinned(ui.primary(_("Continue the screening"), resume))]
    elif unchanged:
        actions = [ui.body(_("This screening is complete. Change an answer to screen again.")),
                   shell.pinned(ui.secondary(_("Back to the case"), to_case))]
    else:
        actions = [shell.pinned(ui.primary(_("Complete screening"), complete))]
    return ft.Column([
        ui.heading(_("Check the screening answers")),
        ui.body(_("{title}, version {version}").format(title=tool.title, version=tool.version), size=14,
                color=ft.Colors.ON_SURFACE_VARIANT),
        *([ui.body(draft.notice, size=16, color=ft.Colors.ORANGE_900)] if draft.notice else []),
        ui.heading(_("Scores"), size=20),
        ui.summary_list(scores) if scores else ui.body(_("No scores yet")),
        *([ui.heading(_("What the answers suggest"), size=20), *flag_rows] if fired else []),
        *answer_rows,
        error,
        *actions,
    ], spacing=10, scroll=ft.ScrollMode.AUTO)
