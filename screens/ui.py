"""Shared building blocks for screens: GOV.UK-like patterns in Material 3, large targets, named controls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from app.i18n import N_, _

MIN_TARGET = 48
STATUS_LABELS = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "done": N_("Completed"),
    "cannot_start": N_("Cannot start yet"),
}


def heading(text: str, size: int = 28) -> ft.Control:
    return ft.Semantics(header=True, content=ft.Text(text, size=size, weight=ft.FontWeight.BOLD))


def body(text: str, size: int = 18, **kw: Any) -> ft.Text:
    return ft.Text(text, size=size, **kw)


def primary(text: str, on_click: Callable[..., Any] | None = None, **kw: Any) -> ft.FilledButton:
    return ft.FilledButton(text, on_click=on_click, height=MIN_TARGET + 8, **kw)


def secondary(text: str, on_click: Callable[..., Any] | None = None, **kw: Any) -> ft.OutlinedButton:
    return ft.OutlinedButton(text, on_click=on_click, height=MIN_TARGET + 8, **kw)


def text_field(label: str, value: str = "", **kw: Any) -> ft.TextField:
    return ft.TextField(label=label, value=value, text_size=18, **kw)


def dropdown(
    label: str, options: Sequence[tuple[str, str]], value: str | None = None, **kw: Any
) -> tuple[ft.Control, ft.Dropdown]:
    """A dropdown has no accessible name of its own: the Semantics wrapper gives it one."""
    dd = ft.Dropdown(
        label=label, value=value, options=[ft.DropdownOption(key=k, text=t) for k, t in options], text_size=18, **kw
    )
    return ft.Semantics(label=label, content=dd), dd


def label_style(font_family: str | None = None) -> ft.TextStyle:
    """A radio's label, one line as tall as a target: in a browser Flutter draws Material radios and checkboxes
    40 px high (the desktop tap size), and the label's line is what makes the whole row 48 px or more."""
    return ft.TextStyle(size=18, font_family=font_family, height=(MIN_TARGET + 4) / 18)


def target_label(label: str) -> ft.Control:
    """A checkbox's or switch's label padded to make its row a whole target high (see `label_style`)."""
    return ft.Container(ft.Text(label, size=18), padding=ft.Padding.symmetric(vertical=14))


def tick(label: str, value: bool = False, **kw: Any) -> ft.Checkbox:
    """A checkbox a whole target high, named by its label."""
    return ft.Checkbox(label=target_label(label), value=value, **kw)


def radios(
    options: Sequence[tuple[str, str]], value: str | None = None, on_change: Callable[..., Any] | None = None,
    font_family: str | None = None,
) -> ft.RadioGroup:
    style = label_style(font_family)
    return ft.RadioGroup(
        value=value,
        on_change=on_change,
        content=ft.Column([ft.Radio(value=k, label=t, label_style=style) for k, t in options], spacing=4),
    )


def choices(
    question: str, options: Sequence[tuple[str, str]], chosen: set[str], on_pick: Callable[[str], Any],
    several: bool = False,
) -> ft.Control:
    """Answers as a wrapping row of large tap targets, one tap each (Material radios stay 40 px in a browser):
    a group named by its question, each answer a checkable node named by its label, so a screen reader says
    which is chosen. `on_pick(value)` is called with the value tapped; `several` draws tick boxes, not rings."""
    marks = ((ft.Icons.CHECK_BOX, ft.Icons.CHECK_BOX_OUTLINE_BLANK) if several else
             (ft.Icons.RADIO_BUTTON_CHECKED, ft.Icons.RADIO_BUTTON_UNCHECKED))
    def pick(value: str) -> Callable[[ft.ControlEvent], Any]:
        async def tapped(_e: ft.ControlEvent) -> None:
            result = on_pick(value)
            if hasattr(result, "__await__"):
                await result
        return tapped

    def button(value: str, label: str) -> ft.Control:
        on = value in chosen
        return ft.Semantics(checked=on, content=ft.Container(
            height=MIN_TARGET + 4, padding=ft.Padding.symmetric(horizontal=14), border_radius=8, ink=True,
            bgcolor=ft.Colors.PRIMARY_CONTAINER if on else None,
            border=ft.Border.all(2 if on else 1, ft.Colors.PRIMARY if on else ft.Colors.OUTLINE),
            on_click=pick(value),
            content=ft.Row([
                ft.Icon(marks[0] if on else marks[1], size=22,
                        color=ft.Colors.PRIMARY if on else ft.Colors.ON_SURFACE_VARIANT),
                ft.Text(label, size=17, weight=ft.FontWeight.W_600 if on else None),
            ], tight=True, spacing=8)))

    return ft.Semantics(label=question, container=True, content=ft.Row(
        [button(v, t) for v, t in options], wrap=True, spacing=8, run_spacing=8))


def error_summary(errors: dict[str, str]) -> ft.Control:
    if not errors:
        return ft.Container()
    return ft.Semantics(
        live_region=True,
        identifier="error-summary",
        content=ft.Container(
            border=ft.Border.all(4, ft.Colors.RED_700),
            padding=16,
            content=ft.Column(
                [
                    ft.Text(_("There is a problem"), size=20, weight=ft.FontWeight.BOLD),
                    *[ft.Text(msg, color=ft.Colors.RED_700, size=16) for msg in errors.values()],
                ]
            ),
        ),
    )


def field_errors(fields: dict[str, Any], summary: ft.Container) -> Callable[[dict[str, str]], None]:
    """What `Shell.save_step` calls on a refusal: each message at its field (by key), all of them in the summary."""
    def show(errors: dict[str, str]) -> None:
        for key, control in fields.items():
            control.error = errors.get(key)
        summary.content = error_summary(errors)
    return show


def summary_list(rows: Sequence[tuple[str, str]]) -> ft.Control:
    """GOV.UK 'check your answers' summary: key on the left, answer on the right."""
    return ft.Column(
        [
            ft.Container(
                padding=ft.Padding.symmetric(vertical=8),
                border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.OUTLINE_VARIANT)),
                content=ft.Row(
                    [
                        ft.Container(width=320, content=ft.Text(k, size=16, weight=ft.FontWeight.BOLD)),
                        ft.Container(expand=True, content=ft.Text(v, size=16)),
                    ],
                    vertical_alignment=ft.CrossAxisAlignment.START,
                ),
            )
            for k, v in rows
        ],
        spacing=0,
    )


def tag(text: str, done: bool) -> ft.Control:
    return ft.Container(
        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
        border_radius=4,
        bgcolor=ft.Colors.GREEN_100 if done else ft.Colors.BLUE_GREY_50,
        content=ft.Text(text, size=14, weight=ft.FontWeight.BOLD),
    )
