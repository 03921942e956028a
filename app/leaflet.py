"""The CSTR leaflet handed over at sentence: the next appointment and what to do, in large plain type.

It is rendered in memory and returned as bytes because it holds health and sentencing details:
nothing is left on the tablet's disk in plaintext. It carries no name, since the person takes it
out of court and may lose it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle

from app.i18n import TIMEZONE, _, fmt_date, fmt_time, ngettext

LONDON = ZoneInfo(TIMEZONE)
# Body sizes tried in turn until the leaflet fits one page; never below the 14 pt easy-read minimum
# (DOMAIN.md "Easy read and plain language"). A very long address may still need a second page.
BODY_SIZES = (16, 15, 14)
FONT = "Helvetica"  # built-in; right-to-left scripts need an embedded font later
FONT_BOLD = "Helvetica-Bold"
MARGIN = 16 * mm
_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    label: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle


def _styles(body_pt: int) -> _Styles:
    body = ParagraphStyle("body", fontName=FONT, fontSize=body_pt, leading=body_pt * 1.3, alignment=TA_LEFT,
                          spaceAfter=3)
    heading_pt, title_pt = body_pt + 4, body_pt + 10
    return _Styles(
        body=body,
        label=ParagraphStyle("label", parent=body, fontName=FONT_BOLD),
        heading=ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=heading_pt,
                               leading=heading_pt * 1.2, spaceBefore=8, spaceAfter=4),
        title=ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=title_pt,
                             leading=title_pt * 1.2, spaceAfter=6),
    )


@dataclass(frozen=True)
class LeafletData:
    requirements: tuple[str, ...]  # e.g. ("ATR",)
    appointment_start: datetime  # aware, Europe/London
    appointment_minutes: int
    provider_name: str
    provider_address: str
    provider_phone: str
    see: str  # who they will see, e.g. "a drug and alcohol worker"
    probation_contact: str
    order_months: int | None = None


def _requirement_text(requirement: str) -> tuple[str, str]:
    """Name and plain words for a requirement; looked up at render time so the current locale applies."""
    texts = {
        "ATR": (_("Alcohol treatment requirement"),
                _("A treatment service will help you drink less or stop.")),
        "DRR": (_("Drug rehabilitation requirement"),
                _("A treatment service will help you stop using drugs. You will have drug tests.")),
        "MHTR_PRIMARY": (_("Mental health treatment requirement"),
                         _("You will meet a mental health worker and talk about how you feel.")),
        "MHTR_SECONDARY": (_("Mental health treatment requirement"),
                           _("A community mental health team will help you.")),
    }
    try:
        return texts[requirement]
    except KeyError:
        raise ValueError(f"unknown requirement {requirement!r}; expected one of {', '.join(texts)}") from None


def _markup(text: str) -> str:
    """Escape site data ('&', '<'), keep line breaks, and keep phone numbers from breaking across lines."""
    return "<br/>".join(_DIGIT_SPACE.sub("\u00a0", escape(line)) for line in text.splitlines())


def _section(st: _Styles, heading: str, *body: Flowable) -> KeepTogether:
    """Keep a heading with its text so a heading never ends a page alone."""
    return KeepTogether([Paragraph(_markup(heading), st.heading), *body])


def _appointment_table(st: _Styles, data: LeafletData, start: datetime, width: float) -> Table:
    minutes = data.appointment_minutes
    rows = [
        (_("Day"), fmt_date(start.date(), "full")),
        (_("Time"), fmt_time(start)),
        (_("How long"), ngettext("About %(n)d minute", "About %(n)d minutes", minutes) % {"n": minutes}),
        (_("Place"), f"{data.provider_name}\n{data.provider_address}"),
        (_("You will see"), data.see),
    ]
    cells = [[Paragraph(_markup(label), st.label), Paragraph(_markup(value), st.body)]
             for label, value in rows if value]
    label_width = 42 * mm
    table = Table(cells, colWidths=[label_width, width - label_width])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 2, colors.black),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#FFF6D5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _story(st: _Styles, data: LeafletData, start: datetime, width: float) -> list[Flowable]:
    def para(text: str) -> Paragraph:
        return Paragraph(_markup(text), st.body)

    order: list[Flowable] = []
    for requirement in data.requirements:
        name, words = _requirement_text(requirement)
        order.append(Paragraph(f"<b>{_markup(name)}.</b> {_markup(words)}", st.body))
    if data.order_months:
        order.append(para(ngettext("Your order lasts %(n)d month.", "Your order lasts %(n)d months.",
                                   data.order_months) % {"n": data.order_months}))

    story: list[Flowable] = [
        Paragraph(_markup(_("Your treatment order")), st.title),
        _section(st, _("What your order is"), *order),
        _section(st, _("Your next appointment"), _appointment_table(st, data, start, width)),
        _section(st, _("What to bring"),
                 para(_("This leaflet.")),
                 para(_("Any medicines you take."))),
        _section(st, _("If you cannot go"),
                 para(_("Phone %(phone)s before your appointment.") % {"phone": data.provider_phone}),
                 para(_("If you are ill, get a note from a doctor."))),
        _section(st, _("If you miss appointments"),
                 para(_("The treatment service will tell your probation officer.")),
                 para(_("If you keep missing appointments, you may have to go back to court. "
                        "The court could give you a different sentence."))),
    ]
    if data.probation_contact:
        story.append(_section(st, _("Your probation contact"), para(data.probation_contact)))
    return story


def _build(story: list[Flowable]) -> tuple[bytes, int]:
    """Build into memory; returns the PDF bytes and its page count."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=_("CSTR leaflet"),  # metadata stays free of personal data: no name, no provider
        author="",
        subject="",
        keywords="",
        creator="Courtside",
        displayDocTitle=True,
    )
    doc.build(story)
    return buffer.getvalue(), doc.page


def render_leaflet(data: LeafletData) -> bytes:
    """The leaflet as PDF bytes; never touches the disk (personal data must not be left in plaintext)."""
    if data.appointment_start.tzinfo is None or data.appointment_start.utcoffset() is None:
        raise ValueError("appointment_start must be timezone-aware; a naive time would print in UTC")
    if not data.requirements:
        raise ValueError("a leaflet needs at least one requirement")
    start = data.appointment_start.astimezone(LONDON)  # the date printed must be the London date
    width = A4[0] - 2 * MARGIN
    pdf = b""
    for size in BODY_SIZES:
        pdf, pages = _build(_story(_styles(size), data, start, width))
        if pages == 1:
            break
    return pdf
