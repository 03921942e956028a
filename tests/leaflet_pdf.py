"""Reading a printed leaflet back the way a person, a phone and a screen reader would.

- `lines`: the text of each line in display order (left to right), read through the PDF's own ToUnicode
  maps with pdfplumber, in the order the glyphs were drawn;
- `shows`: whether a phrase appears as it should be displayed (right-to-left phrases are first put in
  display order with python-bidi's Rust implementation of the Unicode bidi algorithm);
- `calendar_events`: the QR codes decoded from the rendered page (pdfium, zxing-cpp), parsed as iCalendar;
- `drawn_outlines`: the outline of every glyph drawn, read from the fonts embedded in the PDF (fontTools),
  to compare with what HarfBuzz says the text should be drawn with.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import icalendar
import pdfplumber
import pypdfium2
import zxingcpp
from bidi import get_display
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

Outline = tuple[object, ...]


def lines(pdf: bytes) -> list[str]:
    """Each line's characters in drawing order; a new line starts where the text moves up or down a line."""
    out: list[str] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            current, top = "", None
            for c in page.chars:
                if top is not None and abs(c["top"] - top) > c["size"] * 0.9:
                    out.append(current)
                    current = ""
                if top is None or abs(c["top"] - top) > c["size"] * 0.9:
                    top = c["top"]
                current += c["text"]
            out.append(current)
    return [" ".join(line.replace("\xa0", " ").split()) for line in out]


def shows(pdf: bytes, phrase: str, rtl: bool = False) -> bool:
    """The phrase is on the page, on one line, in the order it should be displayed."""
    wanted = phrase.replace("\xa0", " ")
    if rtl:
        wanted = get_display(wanted, base_dir="R")
    wanted = " ".join(wanted.translate(_MARKS).split())
    return any(wanted in line for line in lines(pdf))


def says(pdf: bytes, sentence: str, rtl: bool = False) -> bool:
    """The sentence is on the page, read in logical order, even where it wraps onto the next lines."""
    logical = [get_display(line, base_dir="R") if rtl else line for line in lines(pdf)]
    return " ".join(sentence.translate(_MARKS).split()) in " ".join(logical)


_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def ltr(text: str) -> str:
    """A left-to-right value inside right-to-left text, as the leaflet embeds site data (UAX #9 LRE ... PDF)."""
    return f"\u202a{text}\u202c"


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Page sizes in millimetres, rounded: A4 portrait is (210, 297)."""
    return [(round(float(p.mediabox.width) / 72 * 25.4), round(float(p.mediabox.height) / 72 * 25.4))
            for p in PdfReader(io.BytesIO(pdf)).pages]


def calendar_events(pdf: bytes, scale: float = 3.0) -> list[icalendar.Event]:
    """Every QR code on every page, decoded from the rendered page and parsed as iCalendar."""
    events: list[icalendar.Event] = []
    doc = pypdfium2.PdfDocument(pdf)
    try:
        for page in doc:
            image = page.render(scale=scale).to_pil()
            for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                calendar = icalendar.Calendar.from_ical(barcode.text)
                events += list(calendar.walk("VEVENT"))
    finally:
        doc.close()
    return events


@lru_cache(maxsize=16)
def _font(data: bytes) -> TTFont:
    return TTFont(io.BytesIO(data))


def outline(font: TTFont, glyph_name: str) -> Outline:
    pen = DecomposingRecordingPen(font.getGlyphSet())
    font.getGlyphSet()[glyph_name].draw(pen)
    return tuple((op, tuple(args)) for op, args in pen.value)


@lru_cache(maxsize=16)
def original_font(path: Path) -> TTFont:
    return TTFont(str(path))


def original_outlines(path: Path, gids: list[int]) -> list[Outline]:
    font = original_font(path)
    order = font.getGlyphOrder()
    return [outline(font, order[g]) for g in gids]


def drawn_outlines(pdf: bytes) -> list[Outline]:
    """The outline of every glyph drawn, in drawing order, from the subset fonts embedded in the PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    drawn: list[Outline] = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        current = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = fonts[operands[0]].get_object()
            elif op == b"Tj" and current is not None and "/FontDescriptor" in current:
                data = current["/FontDescriptor"]["/FontFile2"].get_object().get_data()
                font = _font(data)
                cmap: dict[int, str] = {}
                for table in font["cmap"].tables:  # ReportLab's subsets carry a (1, 0) code -> glyph table
                    cmap.update(table.cmap)
                raw = operands[0]
                codes = raw.get_original_bytes() if hasattr(raw, "get_original_bytes") else bytes(raw)
                for code in codes:
                    name = cmap.get(code) or cmap.get(0xF000 + code) or ".notdef"
                    drawn.append(outline(font, name))
    return drawn


def contains_run(haystack: list[Outline], needle: list[Outline]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))
