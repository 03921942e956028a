"""The consent summary: one PDF of exactly what was shown and answered, stored encrypted in the case.

The officer's labels are in English for the court; everything the person read is printed in their own
language and script (shaped, right to left where it is written so), with the English source beside it
where the person read a translation. It is built in memory only: it names the person and their answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer

from app.consent import ConsentText
from app.consent_record import DECISIONS, INTERPRETER_MODES, SHARE_DECISIONS, Signature
from app.i18n import _, fmt_date, fmt_datetime
from app.shaping import Script, ShapedParagraph

MARGIN = 18 * mm
GREY = colors.HexColor("#505a5f")
_SCRIPTS = {"ur": "urdu", "ar": "arabic", "bn": "bengali", "pa": "gurmukhi"}
LATIN = Script("latin", False, "en")


def script_for(locale: str, rtl: bool) -> Script:
    return Script(_SCRIPTS.get(locale, "latin"), rtl, locale)


@dataclass(frozen=True)
class SummaryData:
    name: str
    dob: date | None
    court: str
    hearing_date: date | None
    requirements: tuple[str, ...]  # the officer's names for them
    officer: str
    recorded_at: datetime
    text: ConsentText
    decision: str
    pages_seen: int
    share_text: ConsentText | None
    share_decision: str | None
    checks: tuple[dict[str, Any], ...]  # as stored: question, answers, went_back, first/last correct
    signature: Signature | None
    cannot_sign_reason: str
    interpreter: dict[str, str] | None
    no_interpreter_reason: str
    source_text: ConsentText | None = None  # the English source of a translated text
    source_share: ConsentText | None = None


class SignatureBox(Flowable):
    """The drawn strokes as vector paths, scaled into a box: the record keeps points, not a picture."""

    def __init__(self, signature: Signature, width: float) -> None:
        super().__init__()
        self.signature = signature
        scale = width / max(signature.width, 1.0)
        self.box_width, self.box_height, self.scale = width, signature.height * scale, scale

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.box_width, self.box_height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.HexColor("#b1b4b6"))
        c.setLineWidth(0.5)
        c.rect(0, 0, self.box_width, self.box_height)
        c.setStrokeColor(colors.black)
        c.setLineWidth(1.2)
        c.setLineCap(1)
        c.setLineJoin(1)
        for stroke in self.signature.strokes:
            if len(stroke) < 2:
                continue
            path = c.beginPath()
            x, y = stroke[0]
            path.moveTo(x * self.scale, self.box_height - y * self.scale)
            for x, y in stroke[1:]:
                path.lineTo(x * self.scale, self.box_height - y * self.scale)
            c.drawPath(path, stroke=1, fill=0)


class _Story:
    def __init__(self) -> None:
        self.items: list[Flowable] = []

    def heading(self, text: str) -> None:
        self.items.append(ShapedParagraph(text, LATIN, 15, bold=True, space_before=10, space_after=4))

    def row(self, label: str, value: str) -> None:
        self.items.append(KeepTogether([ShapedParagraph(label, LATIN, 9, color=GREY),
                                        ShapedParagraph(value or "-", LATIN, 11, space_after=4)]))

    def shown(self, text: str, script: Script, source: str | None, size: float = 12, bold: bool = False) -> None:
        """A passage as the person saw it, then its English source in grey if it was a translation."""
        parts: list[Flowable] = [ShapedParagraph(text, script, size, bold=bold, space_after=2)]
        if source and source != text:
            parts.append(ShapedParagraph(source, LATIN, 9, color=GREY, space_after=4))
        self.items.append(KeepTogether(parts))


def _pairs(text: ConsentText, source: ConsentText | None) -> dict[tuple[str, str], str]:
    """English source strings keyed like the shown ones, when the source units are at hand."""
    if source is None:
        return {}
    out: dict[tuple[str, str], str] = {}
    for unit in source.units:
        out[(unit.stem, "title")] = unit.title
        for page in unit.pages:
            out[(unit.stem, "page." + page.id)] = page.text
        for q in unit.questions:
            out[(unit.stem, "q." + q.id)] = q.text
            for o in q.options:
                out[(unit.stem, f"q.{q.id}.{o.id}")] = o.text
        for k, v in unit.words:
            out[(unit.stem, "w." + k)] = v
    return out


def _word_source(pairs: dict[tuple[str, str], str], text: ConsentText, key: str) -> str | None:
    for unit in reversed(text.units):
        if any(k == key for k, _v in unit.words):
            return pairs.get((unit.stem, "w." + key))
    return None


def _text_section(st: _Story, text: ConsentText, source: ConsentText | None, seen: int | None) -> None:
    script = script_for(text.locale, text.rtl)
    pairs = _pairs(text, source)
    index = 0
    for unit in text.units:
        if not unit.pages:
            continue
        st.shown(unit.title, script, pairs.get((unit.stem, "title")), size=13, bold=True)
        for page in unit.pages:
            index += 1
            mark = "" if seen is None or index <= seen else "  " + _("(not reached)")
            st.items.append(ShapedParagraph(f"{index}.{mark}", LATIN, 8, color=GREY))
            st.shown(page.text, script, pairs.get((unit.stem, "page." + page.id)))


def render_summary(d: SummaryData) -> bytes:
    """The summary as PDF bytes; nothing touches the disk."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=_("Consent record"), author="", subject="", keywords="",
                            creator="Courtside", pageCompression=1)
    width = A4[0] - 2 * MARGIN
    st = _Story()
    text = d.text
    script = script_for(text.locale, text.rtl)
    pairs = _pairs(text, d.source_text)

    st.items.append(ShapedParagraph(_("Consent to a community sentence treatment requirement"), LATIN, 18,
                                    bold=True, space_after=6))
    st.heading(_("Person and case"))
    st.row(_("Name"), d.name)
    st.row(_("Date of birth"), fmt_date(d.dob, "long") if d.dob else "")
    st.row(_("Court and hearing"), f"{d.court}, {fmt_date(d.hearing_date, 'long') if d.hearing_date else ''}")
    st.row(_("Requirements"), "; ".join(d.requirements))
    st.row(_("Recorded"), f"{fmt_datetime(d.recorded_at, 'long')}, {_('attested by')} {d.officer}")

    st.heading(_("How it was explained"))
    st.row(_("Language and format"), "{lang} ({code}), {fmt}".format(
        lang=_language_name(text.locale), code=text.locale,
        fmt=_("easy read") if text.format == "easy_read" else _("standard")))
    if text.requested_locale != text.locale:
        st.row(_("Language asked for"), f"{_language_name(text.requested_locale)}: {text.fallback_reason}")
    st.row(_("Translation"), _("source text (English)") if text.locale == "en" else (
        _("reviewed: {note}").format(note=text.review_note) if text.reviewed
        else _("NOT reviewed by a qualified translator")))
    if d.interpreter:
        st.row(_("Interpreter"), "{name}, {language}, {mode}".format(
            name=d.interpreter["name"], language=d.interpreter["language"],
            mode=_(INTERPRETER_MODES.get(d.interpreter["mode"], d.interpreter["mode"]))))
    else:
        st.row(_("Interpreter"), _("none") + (f": {d.no_interpreter_reason}" if d.no_interpreter_reason else ""))
    st.row(_("Consent text"), f"{text.key}, {text.version}")
    st.row(_("Content hash (SHA-256)"), text.content_hash)
    st.row(_("Pages seen"), f"{d.pages_seen} / {len(text.pages)}")

    st.heading(_("Decision"))
    st.shown(text.word("question"), script, _word_source(pairs, text, "question"), bold=True)
    st.shown(text.word(d.decision), script, _word_source(pairs, text, d.decision))
    st.row(_("Recorded as"), _(DECISIONS[d.decision]))
    if d.share_text is not None and d.share_decision:
        share_pairs = _pairs(d.share_text, d.source_share)
        st.shown(d.share_text.word("question"), script, _word_source(share_pairs, d.share_text, "question"),
                 bold=True)
        st.shown(d.share_text.word(d.share_decision), script,
                 _word_source(share_pairs, d.share_text, d.share_decision))
        st.row(_("Recorded as"), _(SHARE_DECISIONS[d.share_decision]))
        st.row(_("Sharing text"), f"{d.share_text.version}, {d.share_text.content_hash}")

    st.heading(_("Signature"))
    if d.signature is not None:
        st.items.append(SignatureBox(d.signature, min(width, 120 * mm)))
        st.row(_("Drawn on the tablet"), _("{n} points in {s} strokes").format(
            n=d.signature.points, s=len(d.signature.strokes)))
    if d.cannot_sign_reason:
        st.row(_("The person did not sign; the officer attests"), d.cannot_sign_reason)

    if d.checks:
        st.heading(_("Check of understanding"))
        questions = {f"{q.stem}.{q.id}": q for q in text.questions}
        for c in d.checks:
            q = questions[c["question"]]
            st.shown(q.text, script, pairs.get((q.stem, "q." + q.id)), bold=True)
            options = {o.id: o.text for o in q.options}
            for n, answer in enumerate(c["answers"], start=1):
                st.shown(f"{n}. {options[answer]}", script, pairs.get((q.stem, f"q.{q.id}.{answer}")))
            st.row(_("Result"), (_("right first time") if c["first_correct"] else
                                 _("looked again, then right") if c["last_correct"] else _("not right"))
                   + (", " + _("went back to the page") if c["went_back"] else ""))

    st.heading(_("What was shown"))
    _text_section(st, text, d.source_text, d.pages_seen)
    if d.share_text is not None:
        st.items.append(Spacer(1, 6))
        _text_section(st, d.share_text, d.source_share, None)
    doc.build(st.items)
    return buffer.getvalue()


def _language_name(code: str) -> str:
    from app.i18n import language

    return language(code).english
