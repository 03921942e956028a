"""A signature drawn with a finger: a gesture detector over a canvas, keeping every point of every stroke.

The points are the record (app.consent_record.Signature); the canvas only shows them back to the person.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft
import flet.canvas as cv

from app.consent_record import Signature

INK = ft.Paint(color=ft.Colors.BLACK, stroke_width=4, stroke_cap=ft.StrokeCap.ROUND,
               style=ft.PaintingStyle.STROKE)


class SignaturePad:
    def __init__(self, label: str, width: float = 640, height: float = 240,
                 on_change: Callable[[], None] | None = None) -> None:
        self.width, self.height = width, height
        self.strokes: list[list[tuple[float, float]]] = []
        self.on_change = on_change
        self.canvas = cv.Canvas(shapes=[], expand=True)
        self.detector = ft.GestureDetector(
            content=ft.Container(content=self.canvas, width=width, height=height, bgcolor=ft.Colors.WHITE,
                                 border=ft.Border.all(3, ft.Colors.BLACK), border_radius=8),
            on_pan_start=self._start, on_pan_update=self._update, on_pan_end=self._end, drag_interval=10,
            mouse_cursor=ft.MouseCursor.PRECISE)
        self.control = ft.Semantics(label=label, identifier="signature-pad", container=True, content=self.detector)

    def _inside(self, x: float, y: float) -> tuple[float, float]:
        return min(max(x, 0.0), self.width), min(max(y, 0.0), self.height)

    def _start(self, e: ft.DragStartEvent) -> None:
        self.strokes.append([self._inside(e.local_position.x, e.local_position.y)])

    def _update(self, e: ft.DragUpdateEvent) -> None:
        if not self.strokes:
            self.strokes.append([])
        point = self._inside(e.local_position.x, e.local_position.y)
        stroke = self.strokes[-1]
        if stroke and stroke[-1] != point:
            (x1, y1), (x2, y2) = stroke[-1], point
            self.canvas.shapes.append(cv.Line(x1, y1, x2, y2, paint=INK))
            self.canvas.update()
        stroke.append(point)

    def _end(self, _e: ft.DragEndEvent) -> None:
        if self.on_change:
            self.on_change()

    def clear(self) -> None:
        self.strokes.clear()
        self.canvas.shapes.clear()
        self.canvas.update()
        if self.on_change:
            self.on_change()

    def signature(self) -> Signature:
        return Signature(tuple(tuple(s) for s in self.strokes if s), self.width, self.height)
