"""Printed text in any supported script: HarfBuzz glyphs, Unicode bidi order and Noto fonts, drawn by ReportLab.

Why this exists: ReportLab on its own draws characters, not glyphs, so Arabic letters would not join, Urdu
would print as isolated letters and Bengali vowel signs would sit on the wrong side; its right-to-left
support also needs a library that is not on PyPI. Here HarfBuzz (uharfbuzz) chooses and positions the
glyphs, the Unicode bidi algorithm (python-bidi) orders the runs of each line, and every glyph goes into
the PDF with a ToUnicode entry for the text it stands for, so the printed PDF can still be searched, read
aloud and checked by tests. Fonts are Debian's fonts-noto-core, read at run time and subset into the PDF.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import uharfbuzz as hb
from bidi import algorithm as uba
from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.platypus import Flowable

FONT_DIR = Path(os.environ.get("COURTSIDE_FONT_DIR", "/usr/share/fonts/truetype/noto"))

# Font families per script, first choice first; NotoSans carries Latin (site names, addresses, "AM").
_LATIN = ("NotoSans",)
SCRIPT_FAMILIES: dict[str, tuple[str, ...]] = {
    "latin": _LATIN,
    "arabic": ("NotoNaskhArabic", *_LATIN),
    "urdu": ("NotoNastaliqUrdu", "NotoNaskhArabic", *_LATIN),
    "bengali": ("NotoSansBengali", *_LATIN),
    "gurmukhi": ("NotoSansGurmukhi", *_LATIN),
}
# Line height as a multiple of the type size: Nastaliq slopes down and needs far more room than Latin.
SCRIPT_LEADING = {"latin": 1.3, "arabic": 1.7, "urdu": 2.2, "bengali": 1.6, "gurmukhi": 1.6}
_PUA_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD))


class FontMissing(RuntimeError):
    """A font file the leaflet needs is not installed."""


@dataclass(frozen=True)
class Script:
    """How text in one language is set: its font stack, its direction and its HarfBuzz language tag."""

    name: str
    rtl: bool
    language: str  # BCP 47, e.g. "ur": HarfBuzz picks language-specific forms with it

    @property
    def families(self) -> tuple[str, ...]:
        return SCRIPT_FAMILIES[self.name]

    @property
    def leading(self) -> float:
        return SCRIPT_LEADING[self.name]


class _GlyphFont(TTFont):
    """A ReportLab TrueType font that can place any glyph, each with the text it stands for.

    ReportLab subsets fonts by character. A shaped glyph (a joined Arabic form, a ligature, a reordered
    vowel sign) often has no character of its own, so it gets a private-use code mapped to its glyph; the
    PDF's ToUnicode table then maps that code back to the text of its cluster, not to the private code.
    """

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(name, str(path))
        self.cmap: dict[int, int] = dict(self.face.charToGlyph)  # the font's own map, before private codes
        self._nominal = {c: round(w, 1) for c, w in self.face.charWidths.items()}
        self._codes: dict[tuple[int, str, float], str] = {}
        self.texts: dict[int, str] = {}
        self._lock = threading.Lock()
        self._free = self._private_codes()

    def _private_codes(self) -> Iterable[int]:
        for start, end in _PUA_RANGES:
            yield from (c for c in range(start, end + 1) if c not in self.cmap)

    def code(self, gid: int, text: str, width_1000: float) -> str:
        """The one-character code that draws glyph `gid`, advances `width_1000` and reads back as `text`.

        The width is part of the key so that the PDF's own widths match HarfBuzz's advances: tools that
        read text by position then see the glyphs side by side, with no gaps taken for spaces.
        """
        width_1000 = round(width_1000, 1)
        if len(text) == 1 and self.cmap.get(ord(text)) == gid and self._nominal.get(ord(text)) == width_1000:
            return text
        key = (gid, text, width_1000)
        with self._lock:
            found = self._codes.get(key)
            if found is None:
                try:
                    point = next(self._free)
                except StopIteration:
                    raise RuntimeError(f"font {self.fontName}: no private codes left for shaped glyphs") from None
                self.face.charToGlyph[point] = gid
                self.face.charWidths[point] = width_1000
                self.texts[point] = text
                found = self._codes[key] = chr(point)
            return found

    def addObjects(self, doc: object) -> None:  # noqa: N802 - ReportLab's name
        subsets = [list(subset) for subset in self.state[doc].subsets]
        super().addObjects(doc)  # this drops the document's state, so the subsets are read first
        for n, subset in enumerate(subsets):
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)  # type: ignore[attr-defined]
            if stream is not None:
                stream.content = _to_unicode_cmap(base, [self.texts.get(c, chr(c)) for c in subset])


def _to_unicode_cmap(name: str, texts: Sequence[str]) -> str:
    entries = [f"<{i:02X}> <{t.encode('utf-16-be').hex().upper()}>" for i, t in enumerate(texts)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(texts) - 1:02X}>", "endcodespacerange",
        f"{len(entries)} beginbfchar", *entries, "endbfchar",
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


@dataclass(frozen=True)
class Glyph:
    gid: int
    cluster: int  # index of the first character of its cluster in the shaped text
    advance: float  # font units
    dx: float
    dy: float


class Face:
    """One font file, known to both HarfBuzz (shaping) and ReportLab (embedding)."""

    def __init__(self, family: str, bold: bool) -> None:
        self.family = family
        self.bold = bold
        path = FONT_DIR / f"{family}-{'Bold' if bold else 'Regular'}.ttf"
        if not path.exists():
            raise FontMissing(f"{path} is missing: install Debian's fonts-noto-core (`make` does this), "
                              "or point COURTSIDE_FONT_DIR at a folder holding the Noto fonts")
        self.name = f"Courtside-{path.stem}"
        self.pdf = _GlyphFont(self.name, path)
        pdfmetrics.registerFont(self.pdf)
        self._hb_face = hb.Face(hb.Blob(self.pdf.face._ttf_data))
        self.hb = hb.Font(self._hb_face)
        self.upem = self._hb_face.upem

    def covers(self, char: str) -> bool:
        return ord(char) in self.pdf.cmap

    def shape(self, text: str, rtl: bool, language: str) -> tuple[Glyph, ...]:
        return _shape(self, text, rtl, language)

    def code(self, glyph: Glyph, text: str) -> str:
        return self.pdf.code(glyph.gid, text, glyph.advance * 1000 / self.upem)


@lru_cache(maxsize=8192)
def _shape(face: Face, text: str, rtl: bool, language: str) -> tuple[Glyph, ...]:
    """Glyphs in visual (left-to-right) order; cached, since leaflets repeat the same words."""
    buf = hb.Buffer()
    buf.add_codepoints([ord(c) for c in text])  # clusters are then character indices
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS  # a mark keeps its own cluster
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.language = language
    hb.shape(face.hb, buf, {"kern": True, "liga": True})
    return tuple(Glyph(i.codepoint, i.cluster, p.x_advance, p.x_offset, p.y_offset)
                 for i, p in zip(buf.glyph_infos, buf.glyph_positions, strict=True))


_faces: dict[tuple[str, bool], Face] = {}
_faces_lock = threading.Lock()


def face(family: str, bold: bool = False) -> Face:
    """Fonts are parsed once per process: that is most of a cold leaflet's time."""
    with _faces_lock:
        found = _faces.get((family, bold))
        if found is None:
            found = _faces[(family, bold)] = Face(family, bold)
        return found


def faces(script: Script, bold: bool = False) -> tuple[Face, ...]:
    return tuple(face(f, bold) for f in script.families)


# --- laying out a paragraph -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """One glyph ready to draw: its face, where it sits on the line (points) and the code that draws it."""

    face: Face
    x: float
    dy: float
    code: str


@dataclass(frozen=True)
class Line:
    glyphs: tuple[Placed, ...]
    width: float


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or char in "\u200c\u200d"


def itemize(text: str, stack: Sequence[Face]) -> list[Face]:
    """A face per character: the first in the stack that has it; marks, spaces and punctuation stay with
    the run they sit in, so a word is never split between fonts without need."""
    chosen: list[Face] = []
    for char in text:
        prev = chosen[-1] if chosen else None
        neutral = _is_mark(char) or unicodedata.bidirectional(char) in ("WS", "ON", "CS", "ES", "ET", "BN")
        if prev is not None and neutral and prev.covers(char):
            chosen.append(prev)
            continue
        chosen.append(next((f for f in stack if f.covers(char)), stack[-1]))
    return chosen


def bidi_levels(text: str, rtl: bool) -> tuple[str, list[int]]:
    """Resolved embedding levels (UAX #9, rules X1–I2) for one paragraph with the given base direction.

    Returns the text without its explicit embedding marks (rule X9: they are not drawn) and a level for
    each remaining character.
    """
    storage = uba.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    uba.get_embedding_levels(text, storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    resolved = iter(c["level"] for c in storage["chars"])
    visible: list[str] = []
    levels: list[int] = []
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("LRE", "RLE", "LRO", "RLO", "PDF"):
            continue  # embedding marks are not drawn
        # Joiners (class BN) are dropped by X9 but still shape their neighbours: they take the level before them.
        levels.append((levels[-1] if levels else storage["base_level"]) if kind == "BN" else next(resolved))
        visible.append(char)
    return "".join(visible), levels


def ltr(text: str) -> str:
    """Keep a left-to-right value (an English address, a phone number) in one piece inside right-to-left text."""
    return f"\u202a{text}\u202c" if text else text


def layout(text: str, script: Script, size: float, width: float, bold: bool = False) -> list[Line]:
    """Break a paragraph into lines no wider than `width` points, each shaped and in display order."""
    stack = faces(script, bold)
    lines: list[Line] = []
    for para in text.split("\n"):
        if not para.strip():
            lines.append(Line((), 0.0))
            continue
        lines += _layout_paragraph(para, script, stack, size, width)
    return lines


def _layout_paragraph(text: str, script: Script, stack: Sequence[Face], size: float,
                      width: float) -> list[Line]:
    text, levels = bidi_levels(text, script.rtl)
    chars = itemize(text, stack)
    words = _words(text)
    measured = [_measure(text, chars, levels, a, b, script, size) for a, b in words]
    lines: list[Line] = []
    start = 0
    used = 0.0
    i = 0
    while i < len(words):
        a, b = words[i]
        w = measured[i]
        trimmed = _measure(text, chars, levels, a, _rstrip(text, a, b), script, size)
        if used and used + trimmed > width:
            lines.append(_line(text, chars, levels, start, a, script, size))
            start, used = a, 0.0
            continue
        if not used and trimmed > width:  # one word wider than the line: break it between clusters
            cut = _cut(text, chars, levels, a, b, script, size, width)
            lines.append(_line(text, chars, levels, a, cut, script, size))
            words[i] = (cut, b)
            measured[i] = _measure(text, chars, levels, cut, b, script, size)
            start = cut
            continue
        used += w
        i += 1
    if start < len(text):
        lines.append(_line(text, chars, levels, start, len(text), script, size))
    return lines


def _words(text: str) -> list[tuple[int, int]]:
    """Break opportunities: after each run of spaces."""
    out: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        if text[i] == " ":
            while i < n and text[i] == " ":
                i += 1
            out.append((start, i))
            start = i
        else:
            i += 1
    if start < n:
        out.append((start, n))
    return out


def _rstrip(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1] == " ":
        b -= 1
    return b


def _runs(chars: Sequence[Face], levels: Sequence[int], a: int, b: int) -> list[tuple[int, int]]:
    """Logical runs of one face and one level."""
    runs: list[tuple[int, int]] = []
    start = a
    for i in range(a + 1, b + 1):
        if i == b or chars[i] is not chars[start] or levels[i] != levels[start]:
            runs.append((start, i))
            start = i
    return runs


def _measure(text: str, chars: Sequence[Face], levels: Sequence[int], a: int, b: int, script: Script,
             size: float) -> float:
    total = 0.0
    for s, e in _runs(chars, levels, a, b):
        f = chars[s]
        total += sum(g.advance for g in f.shape(text[s:e], levels[s] % 2 == 1, script.language)) * size / f.upem
    return total


def _cut(text: str, chars: Sequence[Face], levels: Sequence[int], a: int, b: int, script: Script, size: float,
         width: float) -> int:
    cut = a + 1
    while cut < b and (_is_mark(text[cut]) or _measure(text, chars, levels, a, cut + 1, script, size) <= width):
        cut += 1
    return cut


def _line(text: str, chars: Sequence[Face], levels: Sequence[int], a: int, b: int, script: Script,
          size: float) -> Line:
    b = _rstrip(text, a, b)  # L1: trailing spaces are not drawn
    runs = _runs(chars, levels, a, b)
    order = list(range(len(runs)))
    run_levels = [levels[s] for s, _e in runs]
    if run_levels:
        lowest_odd = min(lv for lv in run_levels) | 1
        for k in range(max(run_levels), lowest_odd - 1, -1):  # L2: reverse each sequence at level >= k
            i = 0
            while i < len(order):
                if run_levels[order[i]] >= k:
                    j = i
                    while j < len(order) and run_levels[order[j]] >= k:
                        j += 1
                    order[i:j] = reversed(order[i:j])
                    i = j
                else:
                    i += 1
    placed: list[Placed] = []
    x = 0.0
    for r in order:
        s, e = runs[r]
        f = chars[s]
        rtl = levels[s] % 2 == 1
        piece = text[s:e]
        glyphs = f.shape(piece, rtl, script.language)
        scale = size / f.upem
        for g, code in zip(glyphs, _codes(f, piece, glyphs, rtl), strict=True):
            placed.append(Placed(f, x + g.dx * scale, g.dy * scale, code))
            x += g.advance * scale
    return Line(tuple(placed), x)


def _codes(f: Face, piece: str, glyphs: Sequence[Glyph], rtl: bool) -> list[str]:
    """The text each glyph reads back as, so that reading the glyphs in display order gives the text.

    A cluster's characters are shared out over its glyphs in display order (the last glyph takes any
    left over; extra glyphs, such as Nastaliq dots, read as nothing). Text is read off a page in display
    order, so right to left the characters are shared out reversed: reading the line back right to left
    then gives them in their order.
    """
    bounds = sorted({g.cluster for g in glyphs} | {len(piece)})
    end_of = {c: bounds[i + 1] for i, c in enumerate(bounds[:-1])}
    members: dict[int, list[int]] = {}
    for i, g in enumerate(glyphs):
        members.setdefault(g.cluster, []).append(i)
    out = [""] * len(glyphs)
    for cluster, idx in members.items():
        text = piece[cluster:end_of[cluster]]
        if rtl:
            text = text[::-1]
        for k, i in enumerate(idx):
            out[i] = text[k:] if k == len(idx) - 1 else text[k:k + 1]
    return [f.code(g, t) for g, t in zip(glyphs, out, strict=True)]


class ShapedParagraph(Flowable):
    """A paragraph of shaped text: wraps to its frame, splits across frames, aligns to its direction."""

    def __init__(self, text: str, script: Script, size: float, bold: bool = False, color: Color = black,
                 leading: float | None = None, space_before: float = 0, space_after: float = 0,
                 align: str | None = None, lines: list[Line] | None = None) -> None:
        super().__init__()
        self.text = text
        self.script = script
        self.size = size
        self.bold = bold
        self.color = color
        self.leading = leading or size * script.leading
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.align = align or ("right" if script.rtl else "left")
        self._lines = lines
        self._width = 0.0

    def _wrapped(self, width: float) -> list[Line]:
        if self._lines is None or self._width != width:
            self._lines = layout(self.text, self.script, self.size, width, self.bold)
            self._width = width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = len(self._wrapped(availWidth)) * self.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self._wrapped(availWidth)
        fit = int(availHeight // self.leading)
        if fit <= 0 or fit >= len(lines):
            return []
        first = self._copy(lines[:fit], space_after=0)
        rest = self._copy(lines[fit:], space_before=0)
        return [first, rest]

    def _copy(self, lines: list[Line], **kw: float) -> ShapedParagraph:
        p = ShapedParagraph(self.text, self.script, self.size, self.bold, self.color, self.leading,
                            kw.get("space_before", self.spaceBefore), kw.get("space_after", self.spaceAfter),
                            self.align, lines)
        p._width = self._width
        return p

    def draw(self) -> None:
        canv = self.canv
        canv.setFillColor(self.color)
        # The first baseline sits one ascent below the top; the extra leading is shared above and below.
        ascent = self.size * (0.5 * (self.leading / self.size) + 0.3)
        for n, line in enumerate(self._lines or []):
            if not line.glyphs:
                continue
            baseline = self.height - n * self.leading - ascent
            if self.align == "right":
                x0 = self.width - line.width
            elif self.align == "center":
                x0 = (self.width - line.width) / 2
            else:
                x0 = 0.0
            draw_line(canv, line, x0, baseline, self.size)


def draw_line(canv: object, line: Line, x0: float, baseline: float, size: float) -> None:
    """Emit the line as PDF text operators: one positioned show per glyph run, rise for raised marks."""
    doc = canv._doc  # type: ignore[attr-defined]
    ops: list[str] = ["BT"]
    current: tuple[str, int] | None = None
    for g in line.glyphs:
        font = g.face.pdf
        ((subset, data),) = font.splitString(g.code, doc)
        name = font.getSubsetInternalName(subset, doc)
        if current != (name, subset):
            ops.append(f"{name} {_num(size)} Tf")
            current = (name, subset)
        ops.append(f"1 0 0 1 {_num(x0 + g.x)} {_num(baseline + g.dy)} Tm <{data.hex()}> Tj")
    ops.append("ET")
    canv.addLiteral("\n".join(ops))  # type: ignore[attr-defined]


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") or "0"
