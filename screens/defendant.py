"""Defendant mode: the consent flow on the tablet the person holds, locked until the officer's PIN.

Large text by default with a text-size control, high contrast, one idea a screen with its picture, the
person's language throughout (right to left for Urdu and Arabic, in a font for their script). Every screen
here is marked `for_defendant`: while the person holds the tablet the shell shows nothing else, and the
only way out is the officer's PIN.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.consent import DEFAULT_LIBRARY, ConsentPage
from app.consent_flow import (
    CHECK_INTRO,
    DECISION,
    DONE,
    FEEDBACK,
    LOOK_AGAIN,
    PAGE,
    QUESTION,
    SHARE_DECISION,
    SHARE_PAGE,
    SIGN,
    ConsentFlow,
)
from app.consent_record import MIN_SIGNATURE_POINTS
from app.i18n import _, language
from app.tablet import OfficerLocked, OfficerSession, WrongPin
from screens import ui
from screens.shell import Shell, for_defendant
from screens.signature import SignaturePad

BASE_SIZE = 26  # large text by default: the easy-read minimum is 14 pt; people read this at arm's length
PICTURE = 170
INK, PAPER = "#000000", "#FFFFFF"
# Line height as a multiple of the size: Nastaliq slopes and stacks, and needs far more room than Latin.
LINE_HEIGHT = {"ur": 2.1, "ar": 1.7, "bn": 1.6, "pa": 1.6}
_saved_themes: dict[int, ft.Theme | None] = {}


def _theme(flow: ConsentFlow) -> ft.Theme:
    """High contrast, black on white, in the font for the person's script."""
    scheme = ft.ColorScheme(primary=INK, on_primary=PAPER, secondary=INK, on_secondary=PAPER, surface=PAPER,
                            on_surface=INK, outline=INK, error="#B00020", on_error=PAPER)
    return ft.Theme(color_scheme=scheme, font_family=language(flow.text.locale).font, scaffold_bgcolor=PAPER,
                    visual_density=ft.VisualDensity.STANDARD)  # the browser's compact default shrinks targets


def enter(shell: Shell, flow: ConsentFlow) -> None:
    """Hand the tablet over: lock to the consent flow, and lay out in the person's language and direction."""
    shell.flows[flow.case_id] = flow
    _saved_themes[id(shell.page)] = shell.page.theme
    shell.defendant_mode = True
    if shell.session is not None:
        shell.ctx.handover = (shell.session, flow)
    shell.page.rtl = flow.text.rtl
    shell.page.theme = _theme(flow)


def leave(shell: Shell) -> None:
    """Only after the officer's PIN: back to the officer's screens, left to right, in their theme."""
    shell.ctx.handover = None
    shell.defendant_mode = False
    shell.page.rtl = False
    shell.page.theme = _saved_themes.pop(id(shell.page), shell.page.theme)


async def resume(shell: Shell) -> bool:
    """A new browser session while the defendant holds the tablet: it opens on their consent screens, locked."""
    if shell.ctx.handover is None:
        return False
    session, flow = shell.ctx.handover
    shell.session = session
    enter(shell, flow)
    await shell.go(show, flow.case_id)
    return True


def _size(flow: ConsentFlow, factor: float = 1.0) -> float:
    return round(BASE_SIZE * flow.text_scale * factor)


def _font(flow: ConsentFlow) -> str | None:
    return language(flow.text.locale).font


def _text(flow: ConsentFlow, value: str, factor: float = 1.0, bold: bool = False) -> ft.Text:
    return ft.Text(value, size=_size(flow, factor), weight=ft.FontWeight.BOLD if bold else None, color=INK,
                   font_family=_font(flow), style=ft.TextStyle(height=LINE_HEIGHT.get(flow.text.locale, 1.35)))


def _button(flow: ConsentFlow, label: str, on_click: ft.ControlEventHandler | None, filled: bool = True,
            disabled: bool = False) -> ft.Control:
    style = ft.ButtonStyle(text_style=ft.TextStyle(size=_size(flow, 0.85), weight=ft.FontWeight.BOLD,
                                                   font_family=_font(flow)),
                           padding=ft.Padding.symmetric(horizontal=28, vertical=18),
                           side=ft.BorderSide(3, INK), shape=ft.RoundedRectangleBorder(radius=10))
    cls = ft.FilledButton if filled else ft.OutlinedButton
    return cls(label, on_click=on_click, style=style, disabled=disabled)


def _flow(shell: Shell, case_id: str) -> ConsentFlow:
    flow = shell.flows.get(case_id)
    if not isinstance(flow, ConsentFlow):
        raise LookupError(f"no consent flow in progress for case {case_id}")
    return flow


def _on(shell: Shell, flow: ConsentFlow, action):  # noqa: ANN001, ANN202 - a click handler factory
    async def handler(_e: ft.ControlEvent) -> None:
        action()
        await shell.go(show, flow.case_id)
    return handler


async def _officer_dialog(shell: Shell, flow: ConsentFlow) -> None:
    """The only way out of defendant mode: the signed-in officer's PIN. A wrong PIN changes nothing."""
    assert shell.session is not None
    session = shell.session
    pin = ft.TextField(label=_("Officer PIN"), password=True, keyboard_type=ft.KeyboardType.NUMBER, width=320,
                       autofocus=True, text_size=20)
    error = ft.Text("", color="#B00020", size=18)
    dialog: ft.AlertDialog

    async def cancel(_e: ft.ControlEvent) -> None:
        shell.page.pop_dialog()
        shell.page.update()

    async def unlock(_e: ft.ControlEvent) -> None:
        await _take_back(shell, flow, session, pin, error, close=shell.page.pop_dialog)

    pin.on_submit = unlock
    dialog = ft.AlertDialog(
        modal=True, rtl=False, title=ft.Text(_("Officer: take the tablet back")),
        content=ft.Column([ft.Text(_("Enter your PIN to leave the consent screens.")), pin, error], tight=True),
        actions=[ft.TextButton(_("Cancel"), on_click=cancel), ft.FilledButton(_("Take the tablet back"),
                                                                             on_click=unlock)])
    shell.page.show_dialog(dialog)
    shell.page.update()


async def _take_back(shell: Shell, flow: ConsentFlow, session: OfficerSession, pin: ft.TextField, error: ft.Text,
                     close: Callable[[], object] | None = None) -> None:
    """The officer's PIN ends defendant mode and opens the answers for checking; a wrong one changes nothing."""
    try:
        await shell.call(session.reauthenticate, (pin.value or "").strip(), False)
    except WrongPin as exc:
        from screens.login import refusal

        pin.value = ""
        error.value = refusal(exc)
        shell.page.update()
        return
    except OfficerLocked:
        if close:
            close()
        await _locked_out(shell)
        return
    if close:
        close()
    from screens import consent

    leave(shell)
    await shell.go(consent.review, flow.case_id)


async def _locked_out(shell: Shell) -> None:
    """Too many wrong PINs wiped the officer's key: nothing of the case can be shown or saved any more."""
    from screens import login

    leave(shell)
    shell.session = None
    shell.flows.clear()
    await shell.go(login.officer_list)


def _frame(shell: Shell, flow: ConsentFlow, body: list[ft.Control]) -> ft.Control:
    t = flow.text

    async def officer(_e: ft.ControlEvent) -> None:
        await _officer_dialog(shell, flow)

    tools = ft.Row([
        ft.Row([_button(flow, t.word("smaller"), _on(shell, flow, flow.smaller), filled=False),
                _button(flow, t.word("bigger"), _on(shell, flow, flow.bigger), filled=False)], spacing=12),
        ft.TextButton(_("Officer: take the tablet back"), on_click=officer, rtl=False, height=ui.MIN_TARGET,
                      style=ft.ButtonStyle(color="#505a5f")),
    ], alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True)  # at the biggest text the officer's button wraps
    return ft.Column([tools, ft.Divider(thickness=2, color=INK), *body], spacing=28)


async def _picture_row(shell: Shell, flow: ConsentFlow, page: ConsentPage) -> ft.Control:
    svg = await shell.call(DEFAULT_LIBRARY.picture, page)
    size = PICTURE * min(flow.text_scale, 1.5)
    picture: ft.Control = (ft.Image(src=svg, width=size, height=size, exclude_from_semantics=True)
                           if svg else ft.Container(width=size))
    # Pictures on the left, words on the right; the page's direction mirrors this for right-to-left languages.
    return ft.Row([picture, ft.Container(expand=True, content=_text(flow, page.text))],
                  spacing=36, vertical_alignment=ft.CrossAxisAlignment.START)


def _nav(flow: ConsentFlow, shell: Shell, back: bool = True, next_: bool = True) -> ft.Control:
    t = flow.text
    items = []
    if back:
        items.append(_button(flow, t.word("back"), _on(shell, flow, flow.back), filled=False))
    if next_:
        items.append(_button(flow, t.word("next"), _on(shell, flow, flow.next)))
    return ft.Row(items, spacing=24, wrap=True)


def _pinned(shell: Shell, flow: ConsentFlow, actions: ft.Control, labels: tuple[str, ...] = ()) -> list[ft.Control]:
    """A step's way on (Back, Next, Look again, the signing buttons) in the bar fixed at the bottom of the window:
    at the biggest text a page runs past the fold, and the way on must never be below it. Every step but the
    hand-back has one, so the page does not jump as the bar comes and goes. Nothing is left in the page itself.

    `labels` are the bar's buttons when they may not fit one line (signing at the biggest text in portrait): the
    bar is made tall enough for the lines they wrap onto, judged from the window's width."""
    size = _size(flow, 0.85)
    button = size * LINE_HEIGHT.get(flow.text.locale, 1.35) + 2 * 18 + 6  # text, padding, border
    lines = 1
    if labels and shell.page.width:
        wide = sum(len(label) * size * 0.55 + 2 * 28 + 6 + 20 for label in labels)  # a generous guess per letter
        lines = min(len(labels), int(wide // max(shell.page.width - 2 * 24, 1)) + 1)
    shell.pinned(actions, height=round(lines * (button + 12) - 12) + 2 * 12 + 8)
    return []


async def _page(shell: Shell, flow: ConsentFlow, pages: tuple[ConsentPage, ...], index: int, title: str,
                nav: ft.Control) -> list[ft.Control]:
    page = pages[index]
    counter = flow.text.word("page_of").format(n=index + 1, total=len(pages))
    return [_text(flow, counter, 0.7), ft.Semantics(header=True, content=_text(flow, title, 1.15, bold=True)),
            await _picture_row(shell, flow, page), *_pinned(shell, flow, nav)]


@for_defendant
async def show(shell: Shell, case_id: str) -> ft.Control:
    """The screen for wherever the person is in the flow."""
    flow = _flow(shell, case_id)
    t, share, step = flow.text, flow.share, flow.step
    body: list[ft.Control]
    if step.kind == PAGE:
        page = t.pages[step.index]
        body = await _page(shell, flow, t.pages, step.index, t.title(page.stem),
                           _nav(flow, shell, back=step.index > 0))
    elif step.kind == CHECK_INTRO:
        body = [_text(flow, t.word("check_intro"), 1.1, bold=True), *_pinned(shell, flow, _nav(flow, shell))]
    elif step.kind == QUESTION:
        q = flow.question
        assert q is not None

        def choose(option_id: str):  # noqa: ANN202
            return _on(shell, flow, lambda: flow.answer(option_id))
        body = [ft.Semantics(header=True, content=_text(flow, q.text, 1.15, bold=True)),
                *[_button(flow, o.text, choose(o.id), filled=False) for o in q.options],
                *_pinned(shell, flow, _nav(flow, shell, next_=False))]
    elif step.kind == FEEDBACK:
        right = flow.last_answer_correct()
        body = [ft.Semantics(live_region=True, content=_text(flow, t.word("right" if right else "not_right"), 1.1,
                                                             bold=True))]
        way_on = (_button(flow, t.word("look_again"), _on(shell, flow, flow.look_again)) if flow.can_look_again()
                  else _button(flow, t.word("next"), _on(shell, flow, flow.next)))
        body += _pinned(shell, flow, ft.Row([way_on]))
    elif step.kind == LOOK_AGAIN:
        index = flow.look_again_page()
        page = t.pages[index]
        back = ft.Row([_button(flow, t.word("to_question"), _on(shell, flow, flow.to_question))])
        body = await _page(shell, flow, t.pages, index, t.title(page.stem), back)
    elif step.kind == DECISION:
        def decide(d: str):  # noqa: ANN202
            return _on(shell, flow, lambda: flow.decide(d))
        body = [ft.Semantics(header=True, content=_text(flow, t.word("question"), 1.2, bold=True)),
                _button(flow, t.word("agree"), decide("agree")),
                _button(flow, t.word("disagree"), decide("disagree"), filled=False),
                _button(flow, t.word("more_time"), decide("more_time"), filled=False),
                *_pinned(shell, flow, _nav(flow, shell, next_=False))]
    elif step.kind == SHARE_PAGE:
        body = await _page(shell, flow, share.pages, step.index, share.title("share"), _nav(flow, shell))
    elif step.kind == SHARE_DECISION:
        def share_decide(d: str):  # noqa: ANN202
            return _on(shell, flow, lambda: flow.decide_sharing(d))
        body = [ft.Semantics(header=True, content=_text(flow, share.word("question"), 1.2, bold=True)),
                _button(flow, share.word("agree"), share_decide("agree")),
                _button(flow, share.word("disagree"), share_decide("disagree"), filled=False),
                *_pinned(shell, flow, _nav(flow, shell, next_=False))]
    elif step.kind == SIGN:
        body = _signature(shell, flow)
    elif step.kind == DONE:
        body = _hand_back(shell, flow)
    else:
        raise ValueError(f"unknown consent step {step.kind!r}")
    return _frame(shell, flow, body)


def _signature(shell: Shell, flow: ConsentFlow) -> list[ft.Control]:
    t, share = flow.text, flow.share
    done = _button(flow, t.word("signed"), None, disabled=True)

    def changed() -> None:
        done.disabled = pad.signature().points < MIN_SIGNATURE_POINTS
        done.update()

    pad = SignaturePad(t.word("signature_box"), on_change=changed)

    async def signed(_e: ft.ControlEvent) -> None:
        flow.sign(pad.signature())
        await shell.go(show, flow.case_id)

    async def clear(_e: ft.ControlEvent) -> None:
        pad.clear()

    done.on_click = signed
    chosen = [_text(flow, t.word(flow.decision or "question"), 0.9, bold=True)]
    if flow.share_decision:
        chosen.append(_text(flow, f"{t.word('sharing')}: {share.word(flow.share_decision)}", 0.9))
    return [
        ft.Semantics(header=True, content=_text(flow, t.title("screens"), 1.15, bold=True)),
        *chosen,
        _text(flow, t.word("sign_intro")),
        _text(flow, t.word("sign_means"), 0.85),
        ft.Container(content=pad.control, rtl=False),  # a signature is drawn left to right in every language
        ft.Row([_button(flow, t.word("clear"), clear, filled=False), _nav(flow, shell, next_=False)],
               spacing=20, wrap=True),
        *_pinned(shell, flow, ft.Row([done, _button(flow, t.word("cannot_sign"), _on(shell, flow, flow.cannot_sign),
                                                    filled=False)], spacing=20, run_spacing=12, wrap=True),
                 (t.word("signed"), t.word("cannot_sign"))),
    ]


def _hand_back(shell: Shell, flow: ConsentFlow) -> list[ft.Control]:
    """The person is done: the officer unlocks with their PIN to check and save the record."""
    assert shell.session is not None
    session = shell.session
    pin = ft.TextField(label=_("Officer PIN"), password=True, keyboard_type=ft.KeyboardType.NUMBER, width=320,
                       text_size=20, rtl=False)
    error = ft.Text("", color="#B00020", size=18, rtl=False)

    async def unlock(_e: ft.ControlEvent) -> None:
        await _take_back(shell, flow, session, pin, error)

    pin.on_submit = unlock
    return [
        ft.Semantics(live_region=True, content=_text(flow, flow.text.word("thanks"), 1.2, bold=True)),
        ft.Divider(thickness=2, color=INK),
        ft.Column([ft.Text(_("Officer: enter your PIN to check and save the answers"), size=20,
                           weight=ft.FontWeight.BOLD), pin, error,
                   ft.FilledButton(_("Check the answers"), on_click=unlock, height=56)], rtl=False, spacing=12),
    ]
