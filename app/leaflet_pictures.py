"""Pictures for the easy-read leaflet: plain line drawings, one beside each idea (pictures left, words right).

Drawn as vector shapes so they print sharply on any court printer, need no image files on the tablet, and
carry no words that would need translating. A site that licenses a symbol set can replace them here.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

INK = HexColor("#1D1D1B")
ACCENT = HexColor("#1D70B8")
WARN = HexColor("#D4351C")
STROKE = 0.06  # line width as a share of the picture's size

Draw = Callable[[Canvas, float], None]


def _calendar(c: Canvas, s: float) -> None:
    c.setFillColor(white)
    c.roundRect(0.1 * s, 0.1 * s, 0.8 * s, 0.72 * s, 0.06 * s, stroke=1, fill=1)
    c.setFillColor(ACCENT)
    c.rect(0.1 * s, 0.62 * s, 0.8 * s, 0.2 * s, stroke=1, fill=1)
    for x in (0.3, 0.7):
        c.line(x * s, 0.76 * s, x * s, 0.92 * s)
    c.setFillColor(INK)
    for row in range(2):
        for col in range(3):
            c.rect((0.2 + col * 0.22) * s, (0.2 + row * 0.2) * s, 0.14 * s, 0.12 * s, stroke=0, fill=1)


def _clock(c: Canvas, s: float) -> None:
    c.setFillColor(white)
    c.circle(0.5 * s, 0.5 * s, 0.4 * s, stroke=1, fill=1)
    c.line(0.5 * s, 0.5 * s, 0.5 * s, 0.78 * s)
    c.line(0.5 * s, 0.5 * s, 0.7 * s, 0.42 * s)
    for i in range(12):
        a = i * math.pi / 6
        c.circle(0.5 * s + 0.32 * s * math.cos(a), 0.5 * s + 0.32 * s * math.sin(a), 0.02 * s, stroke=0, fill=1)


def _place(c: Canvas, s: float) -> None:
    p = c.beginPath()
    p.moveTo(0.5 * s, 0.08 * s)
    p.curveTo(0.3 * s, 0.35 * s, 0.18 * s, 0.5 * s, 0.18 * s, 0.62 * s)
    p.curveTo(0.18 * s, 0.82 * s, 0.34 * s, 0.94 * s, 0.5 * s, 0.94 * s)
    p.curveTo(0.66 * s, 0.94 * s, 0.82 * s, 0.82 * s, 0.82 * s, 0.62 * s)
    p.curveTo(0.82 * s, 0.5 * s, 0.7 * s, 0.35 * s, 0.5 * s, 0.08 * s)
    c.setFillColor(ACCENT)
    c.drawPath(p, stroke=1, fill=1)
    c.setFillColor(white)
    c.circle(0.5 * s, 0.64 * s, 0.12 * s, stroke=1, fill=1)


def _person(c: Canvas, s: float, x: float = 0.5, scale: float = 1.0) -> None:
    c.setFillColor(ACCENT)
    c.circle(x * s, 0.7 * s, 0.14 * s * scale, stroke=1, fill=1)
    p = c.beginPath()
    p.moveTo((x - 0.28 * scale) * s, 0.1 * s)
    p.curveTo((x - 0.28 * scale) * s, 0.45 * s, (x + 0.28 * scale) * s, 0.45 * s, (x + 0.28 * scale) * s, 0.1 * s)
    p.close()
    c.drawPath(p, stroke=1, fill=1)


def _people(c: Canvas, s: float) -> None:
    _person(c, s, 0.3, 0.75)
    _person(c, s, 0.7, 0.75)


def _phone(c: Canvas, s: float) -> None:
    c.setFillColor(white)
    c.roundRect(0.3 * s, 0.06 * s, 0.4 * s, 0.88 * s, 0.06 * s, stroke=1, fill=1)
    c.setFillColor(ACCENT)
    c.rect(0.36 * s, 0.22 * s, 0.28 * s, 0.6 * s, stroke=0, fill=1)
    c.setFillColor(INK)
    c.circle(0.5 * s, 0.13 * s, 0.035 * s, stroke=0, fill=1)


def _order(c: Canvas, s: float) -> None:
    c.setFillColor(white)
    c.rect(0.2 * s, 0.06 * s, 0.6 * s, 0.86 * s, stroke=1, fill=1)
    for y in (0.72, 0.6, 0.48, 0.36):
        c.line(0.3 * s, y * s, 0.7 * s, y * s)
    c.setFillColor(ACCENT)
    c.circle(0.62 * s, 0.2 * s, 0.08 * s, stroke=1, fill=1)


def _bring(c: Canvas, s: float) -> None:
    c.setFillColor(white)
    c.roundRect(0.12 * s, 0.1 * s, 0.76 * s, 0.56 * s, 0.06 * s, stroke=1, fill=1)
    c.roundRect(0.36 * s, 0.66 * s, 0.28 * s, 0.16 * s, 0.04 * s, stroke=1, fill=0)
    c.setFillColor(ACCENT)
    c.rect(0.12 * s, 0.36 * s, 0.76 * s, 0.08 * s, stroke=0, fill=1)


def _travel(c: Canvas, s: float) -> None:
    c.setFillColor(ACCENT)
    c.roundRect(0.14 * s, 0.2 * s, 0.72 * s, 0.66 * s, 0.08 * s, stroke=1, fill=1)
    c.setFillColor(white)
    c.rect(0.22 * s, 0.52 * s, 0.56 * s, 0.24 * s, stroke=1, fill=1)
    c.setFillColor(INK)
    for x in (0.3, 0.7):
        c.circle(x * s, 0.2 * s, 0.08 * s, stroke=1, fill=1)


def _cannot_go(c: Canvas, s: float) -> None:
    _phone(c, s)
    c.setStrokeColor(WARN)
    c.circle(0.74 * s, 0.76 * s, 0.16 * s, stroke=1, fill=0)
    c.line(0.64 * s, 0.66 * s, 0.84 * s, 0.86 * s)


def _missed(c: Canvas, s: float) -> None:
    p = c.beginPath()
    p.moveTo(0.5 * s, 0.9 * s)
    p.lineTo(0.92 * s, 0.14 * s)
    p.lineTo(0.08 * s, 0.14 * s)
    p.close()
    c.setFillColor(HexColor("#FFDD00"))
    c.drawPath(p, stroke=1, fill=1)
    c.setFillColor(INK)
    c.rect(0.47 * s, 0.4 * s, 0.06 * s, 0.28 * s, stroke=0, fill=1)
    c.circle(0.5 * s, 0.28 * s, 0.04 * s, stroke=0, fill=1)


def _access(c: Canvas, s: float) -> None:
    c.setFillColor(white)
    c.circle(0.44 * s, 0.34 * s, 0.24 * s, stroke=1, fill=0)
    c.setFillColor(ACCENT)
    c.circle(0.5 * s, 0.84 * s, 0.08 * s, stroke=1, fill=1)
    c.line(0.5 * s, 0.72 * s, 0.5 * s, 0.42 * s)
    c.line(0.5 * s, 0.42 * s, 0.74 * s, 0.42 * s)
    c.line(0.74 * s, 0.42 * s, 0.84 * s, 0.16 * s)


PICTURES: dict[str, Draw] = {
    "calendar": _calendar, "clock": _clock, "place": _place, "person": _person, "phone": _phone,
    "order": _order, "bring": _bring, "travel": _travel, "cannot_go": _cannot_go, "probation": _people,
    "missed": _missed, "access": _access,
}


def draw_picture(c: Canvas, name: str, x: float, y: float, size: float, ink: Color = INK) -> None:
    draw = PICTURES[name]
    c.saveState()
    c.translate(x, y)
    c.setLineWidth(size * STROKE)
    c.setStrokeColor(ink)
    c.setLineJoin(1)
    c.setLineCap(1)
    draw(c, size)
    c.restoreState()


class Picture(Flowable):
    """A square picture in the flow of the leaflet."""

    def __init__(self, name: str, size: float) -> None:
        super().__init__()
        if name not in PICTURES:
            raise ValueError(f"no leaflet picture called {name!r}; expected one of {', '.join(PICTURES)}")
        self.name = name
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.size, self.size

    def draw(self) -> None:
        draw_picture(self.canv, self.name, 0, 0, self.size)
