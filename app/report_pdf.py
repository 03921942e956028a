"""The monthly return as a PDF for the Programme Board: the headline table, and charts of the funnel, the
requirement mix and the month-on-month trend (ReportLab graphics), then every section as a table.

Why suppressed here too: the PDF leaves the site, so counts of 1 to 4 are shown as "*" and drawn as 0.
It is rendered in memory and names nobody.
"""

from __future__ import annotations

import io

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.i18n import N_, _
from app.report import ALL, STAGES, Line, Report
from app.report_labels import label

SECTIONS = {
    "funnel": N_("Pathway funnel"), "requirement": N_("Requirements imposed"),
    "requirement_combination": N_("Requirement mix (each combination)"), "referral_source": N_("Referral sources"),
    "order_length": N_("Order length (months)"), "requirement_length": N_("Requirement length (months)"),
    "short_form": N_("Judiciary short form: sentence without the CSTR"), "consent_format": N_("Consent formats"),
    "equality": N_("Equality monitoring (Equality Act 2010)"),
}
_PALETTE = (colors.HexColor("#1d70b8"), colors.HexColor("#d4351c"), colors.HexColor("#00703c"))


def _shown(report: Report, section: str, category: str, month: str = ALL) -> int:
    """A figure as it may be drawn outside the site: suppressed counts are drawn as 0."""
    line = report.line(section, category, month)
    return 0 if line is None or line.small else int(line.value)


def _title(drawing: Drawing, text: str) -> Drawing:
    drawing.add(String(0, drawing.height - 12, text, fontName="Helvetica-Bold", fontSize=11))
    return drawing


def funnel_chart(report: Report) -> Drawing:
    d = Drawing(170 * mm, 75 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45 * mm, 5 * mm, 115 * mm, 58 * mm
    chart.data = [[_shown(report, "funnel", s) for s in reversed(STAGES)]]
    chart.categoryAxis.categoryNames = [label("funnel", s) for s in reversed(STAGES)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = _PALETTE[0]
    d.add(chart)
    return _title(d, _("Pathway funnel"))


def mix_chart(report: Report) -> Drawing:
    mix = [ln for ln in report.section("requirement_combination")]
    d = Drawing(170 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 18 * mm, 150 * mm, 40 * mm
    chart.data = [[0 if ln.small else ln.value for ln in mix] or [0]]
    chart.categoryAxis.categoryNames = [label("requirement_combination", ln.category) for ln in mix] or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = _PALETTE[2]
    d.add(chart)
    return _title(d, _("Requirement mix of orders made"))


def trend_chart(report: Report) -> Drawing:
    stages = ("screened", "recommended", "sentenced")
    d = Drawing(170 * mm, 70 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 10 * mm, 120 * mm, 45 * mm
    chart.data = [[_shown(report, "funnel", s, m) for m in report.months] for s in stages]
    chart.categoryAxis.categoryNames = list(report.months)
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    for i, colour in enumerate(_PALETTE):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.5
    legend = Legend()
    legend.x, legend.y, legend.fontSize = 140 * mm, 50 * mm, 7
    legend.colorNamePairs = list(zip(_PALETTE, [label("funnel", s) for s in stages], strict=True))
    d.add(chart)
    d.add(legend)
    return _title(d, _("Month on month"))


def _table(rows: list[list[str]]) -> Table:
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8), ("FONT", (0, 1), (-1, -1),
                                                                                    "Helvetica", 8),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("ALIGN", (1, 1), (-1, -1), "RIGHT")]))
    return table


def _section_rows(lines: list[Line]) -> list[list[str]]:
    return [[_("Category"), _("Whole period")], *[[label(ln.section, ln.category), ln.shown(True)] for ln in lines]]


def charts(report: Report) -> list[Flowable]:
    """The charts with something to show. A chart whose every figure is suppressed (or nil) would be an empty
    frame with meaningless axis ticks; a line says why it is left out instead."""
    drawn: list[Flowable] = []
    mix = [0 if ln.small else ln.value for ln in report.section("requirement_combination")]
    trend = [_shown(report, "funnel", s, m) for s in ("screened", "recommended", "sentenced") for m in report.months]
    for chart, figures in ((funnel_chart, [_shown(report, "funnel", s) for s in STAGES]), (mix_chart, mix),
                           (trend_chart, trend)):
        if any(figures):
            drawn.append(chart(report))
    if len(drawn) < 3:
        drawn.append(Paragraph(_("Charts whose counts are all suppressed or nil are left out."),
                               getSampleStyleSheet()["Normal"]))
    return drawn


def render_report(report: Report) -> bytes:
    """The whole return as a PDF, small numbers suppressed."""
    styles = getSampleStyleSheet()
    first, last = report.period
    story: list[Flowable] = [
        Paragraph(_("CSTR minimum data set: {site}, {first} to {last}").format(site=report.site_id, first=first,
                                                                                 last=last), styles["Title"]),
        Paragraph(_("Counts of 1 to 4, and figures worked out from them, are shown as *. So that none of them can "
                    "be worked out by subtraction from a total, some larger counts beside them are shown as * too."),
                  styles["Normal"]),
        Spacer(1, 4 * mm),
        _table([[_("Headline"), _("Value")], *[[label("headline", ln.category), ln.shown(True)]
                                              for ln in report.section("headline")]]),
        Spacer(1, 4 * mm), *charts(report)]
    for section, title in SECTIONS.items():
        lines = report.section(section)
        if lines:
            story += [Paragraph(_(title), styles["Heading2"]), _table(_section_rows(lines))]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=_("CSTR minimum data set"), author="Courtside",
                      leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm, bottomMargin=15 * mm).build(story)
    return buf.getvalue()
