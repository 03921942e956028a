"""How the CSTR leaflet looks on paper: A4, or A4 landscape folded to A5; standard or easy read; either direction.

Easy read follows the Department of Health guidance in DOMAIN.md: a picture beside each idea (pictures left,
words right; mirrored for right-to-left languages), text at 18 pt with nothing under 14 pt. The standard
leaflet keeps body text at 14 pt too, because many people handed it have reading difficulties. Right-to-left
leaflets mirror the whole page: labels on the right, text aligned right, the QR code on the left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LayoutError,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.leaflet_pictures import Picture
from app.leaflet_words import Card, LeafletText, Section
from app.shaping import ShapedParagraph

MARGIN = 15 * mm
FOLD_MARGIN = 12 * mm
QR_SIZE = 40 * mm
CARD_BACKGROUND = colors.HexColor("#FFF6D5")
HEADING_COLOUR = colors.HexColor("#0B0C0C")
_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")


@dataclass(frozen=True)
class Sizes:
    title: float
    heading: float
    body: float
    small: float  # the QR caption: never below 14 pt in easy read
    picture: float


STANDARD = Sizes(title=24, heading=17, body=14, small=11, picture=0)
EASY_READ = Sizes(title=28, heading=22, body=18, small=14, picture=24 * mm)


def render(text: LeafletText, easy_read: bool = False, paper: str = "a4") -> bytes:
    """The leaflet as PDF bytes, built in memory: it is never written to disk."""
    sizes = EASY_READ if easy_read else STANDARD
    buffer = BytesIO()
    if paper == "a5-fold":
        pagesize = landscape(A4)
        panel = pagesize[0] / 2
        frames = [Frame(i * panel + FOLD_MARGIN, FOLD_MARGIN, panel - 2 * FOLD_MARGIN, pagesize[1] - 2 * FOLD_MARGIN,
                        id=f"panel{i}", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
                  for i in range(2)]
        if text.script.rtl:  # a right-to-left leaflet opens from the right
            frames.reverse()
        width = panel - 2 * FOLD_MARGIN
        on_page = _fold_line
    elif paper == "a4":
        pagesize = A4
        frames = [Frame(MARGIN, MARGIN, A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN, id="page",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)]
        width = A4[0] - 2 * MARGIN
        on_page = None
    else:
        raise ValueError(f"unknown paper {paper!r}: expected 'a4' or 'a5-fold'")
    doc = BaseDocTemplate(
        buffer, pagesize=pagesize, title=text.doc_title, author="", subject="", keywords="",
        creator="Courtside", displayDocTitle=True, lang=text.language,
        leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0,
    )
    template = PageTemplate(id="leaflet", frames=frames, onPage=on_page) if on_page else \
        PageTemplate(id="leaflet", frames=frames)
    doc.addPageTemplates([template])
    columns = paper == "a4" and not easy_read
    try:
        doc.build(_story(text, sizes, width, easy_read, columns))
        fits = doc.page == 1
    except LayoutError:
        fits = False
    if columns and not fits:  # two columns only help when they keep the leaflet to one sheet
        buffer.seek(0)
        buffer.truncate()
        doc.build(_story(text, sizes, width, easy_read, False))
    return buffer.getvalue()


def _fold_line(canvas: object, doc: BaseDocTemplate) -> None:
    """A light dashed line where the sheet folds."""
    w, h = doc.pagesize
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setStrokeColor(colors.HexColor("#B1B4B6"))  # type: ignore[attr-defined]
    canvas.setDash(2, 4)  # type: ignore[attr-defined]
    canvas.line(w / 2, 6 * mm, w / 2, h - 6 * mm)  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]


def _story(text: LeafletText, sizes: Sizes, width: float, easy_read: bool, columns: bool) -> list[Flowable]:
    script = text.script

    def para(value: str, size: float = sizes.body, bold: bool = False, after: float = 3,
             colour: colors.Color = colors.black) -> ShapedParagraph:
        return ShapedParagraph(_keep_numbers(value), script, size, bold=bold, color=colour, space_after=after)

    story: list[Flowable] = [para(text.title, sizes.title, bold=True, after=2),
                             para(text.subtitle, sizes.body, after=4, colour=colors.HexColor("#505A5F"))]
    if text.name_line:
        story.append(para(text.name_line, sizes.body, bold=True))
    if text.draft_note:
        story.append(_boxed(para(" ".join(text.draft_note), sizes.body, after=0), width))
    story.append(Spacer(1, 4))
    story.append(para(text.appointments_heading, sizes.heading, bold=True, after=4))
    for card in text.cards:
        story.append(_card(card, text, sizes, width, easy_read, para))
        story.append(Spacer(1, 8))
    if columns:  # the standard A4 leaflet sets its sections in two columns, so it fits one sheet
        half = (len(text.sections) + 1) // 2
        cells = [[f for section in part for f in _plain_section(section, sizes, para)]
                 for part in (text.sections[:half], text.sections[half:])]
        row = _mirror(cells, script.rtl)
        table = Table([row], colWidths=_mirror([width / 2 + 6, width / 2 - 6], script.rtl))
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
        story.append(table)
    elif easy_read:
        story += [_pictured_section(section, text, sizes, width, para) for section in text.sections]
    else:
        story += [KeepTogether(_plain_section(section, sizes, para)) for section in text.sections]
    return story


def _boxed(note: Flowable, width: float) -> Table:
    """A framed note that stands apart from the leaflet's own words."""
    box = Table([[note]], colWidths=[width])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, colors.HexColor("#505A5F")),
                             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return box


def _keep_numbers(value: str) -> str:
    """Phone numbers are not broken across lines: the spaces inside them become no-break spaces."""
    return _DIGIT_SPACE.sub("\u00a0", value)


def _mirror(row: list[object], rtl: bool) -> list[object]:
    return list(reversed(row)) if rtl else row


@lru_cache(maxsize=64)
def _qr_rows(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR matrix for a calendar text; cached, since choosing the mask is the slow part of making it."""
    code = segno.make(data, error="m", eci=True, micro=False)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix)


class QrCode(Flowable):
    """The appointment's calendar event as a QR code: UTF-8 with its ECI marker, so phones read any script."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.rows = _qr_rows(data)
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.size, self.size

    def draw(self) -> None:
        module = self.size / (len(self.rows) + 8)  # a quiet zone of four modules each side
        canv = self.canv
        canv.setFillColor(colors.white)
        canv.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        ops: list[str] = []
        for r, row in enumerate(self.rows):
            y = self.size - (r + 5) * module
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    ops.append(f"{(start + 4) * module:.2f} {y:.2f} {(c - start) * module:.2f} {module:.2f} re")
                else:
                    c += 1
        canv.addLiteral("\n".join([*ops, "f"]))  # one filled path: dark runs of each row


def _qr(card: Card) -> QrCode:
    return QrCode(card.calendar, QR_SIZE)


def _card(card: Card, text: LeafletText, sizes: Sizes, width: float, easy_read: bool, para) -> Flowable:  # noqa: ANN001
    rtl = text.script.rtl
    qr_block = [_qr(card), para(card.qr_caption, sizes.small, after=0)]
    style = [
        ("BOX", (0, 0), (-1, -1), 2, colors.black),
        ("BACKGROUND", (0, 0), (-1, -1), CARD_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if easy_read:
        pic = sizes.picture + 12
        rows = [_mirror([Picture(name, sizes.picture), [para(label, sizes.body, bold=True, after=0),
                                                         para(value, sizes.body, after=0)]], rtl)
                for name, label, value in card.rows]
        rows.append(_mirror([qr_block[0], qr_block[1]], rtl))
        widths = _mirror([max(pic, QR_SIZE + 12), width - max(pic, QR_SIZE + 12)], rtl)
        table = Table(rows, colWidths=widths)
        table.setStyle(TableStyle([*style, ("LINEBELOW", (0, 0), (-1, -2), 0.5, colors.HexColor("#B1B4B6")),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return table
    label_w = 34 * mm
    narrow = width < 160 * mm  # an A5 panel: the QR code goes under the details
    inner_w = width - 12 if narrow else width - QR_SIZE - 12 - 12
    rows = [_mirror([para(label, sizes.body, bold=True, after=0), para(value, sizes.body, after=0)], rtl)
            for _pic, label, value in card.rows]
    details = Table(rows, colWidths=_mirror([label_w, inner_w - label_w], rtl))
    details.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 4), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    if narrow:
        table = Table([[details], [qr_block]], colWidths=[width])
    else:
        table = Table([_mirror([details, qr_block], rtl)],
                      colWidths=_mirror([inner_w + 12, QR_SIZE + 12], rtl))
    table.setStyle(TableStyle(style))
    return table


def _plain_section(section: Section, sizes: Sizes, para) -> list[Flowable]:  # noqa: ANN001
    heading = para(section.heading, sizes.heading, bold=True, after=2, colour=HEADING_COLOUR)
    return [Spacer(1, 6), heading, *[para(p, sizes.body) for p in section.paragraphs]]


def _pictured_section(section: Section, text: LeafletText, sizes: Sizes, width: float,
                      para) -> Flowable:  # noqa: ANN001
    """Easy read: the picture beside the idea (left, or right for a right-to-left language)."""
    heading = para(section.heading, sizes.heading, bold=True, after=2, colour=HEADING_COLOUR)
    body = [para(p, sizes.body) for p in section.paragraphs]
    pic = sizes.picture + 12
    row = _mirror([Picture(section.picture, sizes.picture), [heading, *body]], text.script.rtl)
    table = Table([row], colWidths=_mirror([pic, width - pic], text.script.rtl))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 8),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table
