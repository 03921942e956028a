"""What a consent record holds beyond the text: the answers, the check of understanding, the signature or the
officer's reason why there is none, the interpreter; checked before anything is written.

The record must prove what the person answered as well as what they read, so every answer is kept as given
(the option ids, in the order chosen) and every stroke of the signature as points, not as a picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.case import FieldErrors
from app.consent import ConsentText
from app.i18n import N_, _

DECISIONS: dict[str, str] = {  # the officer's words for the person's answer; the person's are in the text
    "agree": N_("Agrees to the treatment requirement"),
    "disagree": N_("Does not agree"),
    "more_time": N_("Needs more time, or wants to speak to their solicitor"),
}
SHARE_DECISIONS: dict[str, str] = {
    "agree": N_("Agrees to share information with the court, probation and the treatment service"),
    "disagree": N_("Does not agree to share information"),
}
INTERPRETER_MODES: dict[str, str] = {"present": N_("In the room"), "phone": N_("By phone")}
MIN_SIGNATURE_POINTS = 5  # fewer than this is a tap, not a signature
MAX_SIGNATURE_POINTS = 4000  # a signature is kept whole in the record: bound its size


@dataclass(frozen=True)
class Interpreter:
    name: str
    language: str
    mode: str  # present | phone

    def to_payload(self) -> dict[str, str]:
        return {"name": self.name.strip(), "language": self.language.strip(), "mode": self.mode}


@dataclass(frozen=True)
class Signature:
    """Strokes in the pad's own coordinates (origin top left), with the pad's size to scale them later."""

    strokes: tuple[tuple[tuple[float, float], ...], ...]
    width: float
    height: float

    @property
    def points(self) -> int:
        return sum(len(s) for s in self.strokes)

    def to_payload(self) -> dict[str, Any]:
        return {"width": round(self.width, 1), "height": round(self.height, 1),
                "strokes": [[[round(x, 1), round(y, 1)] for x, y in s] for s in self.strokes]}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> Signature:
        return cls(tuple(tuple((float(x), float(y)) for x, y in s) for s in p["strokes"]), p["width"], p["height"])

    def svg(self, stroke: str = "#0b0c0c") -> str:
        """The signature as SVG paths, for the officer to see what was drawn."""
        paths = "".join(
            f'<path d="M{" L".join(f"{x:.1f} {y:.1f}" for x, y in s)}"/>' for s in self.strokes if s)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} {self.height:.0f}">'
                f'<g fill="none" stroke="{stroke}" stroke-width="3" stroke-linecap="round" '
                f'stroke-linejoin="round">{paths}</g></svg>')


@dataclass(frozen=True)
class CheckAnswer:
    """One question of the check of understanding: every answer given, and whether they looked again."""

    question: str  # "<stem>.<question id>"
    answers: tuple[str, ...]  # option ids in the order chosen
    went_back: bool


@dataclass(frozen=True)
class ConsentDetails:
    """Everything recorded with the decision apart from the text itself."""

    share_text: ConsentText | None = None
    share_decision: str | None = None
    checks: tuple[CheckAnswer, ...] = ()
    signature: Signature | None = None
    cannot_sign_reason: str = ""
    interpreter: Interpreter | None = None
    no_interpreter_reason: str = ""
    text_scale: float = 1.0


def needs_interpreter(text: ConsentText) -> bool:
    """An unreviewed translation, or a language we could not show, needs an interpreter (or a reason why not)."""
    return not text.reviewed or text.locale != text.requested_locale


def check_results(text: ConsentText, checks: Sequence[CheckAnswer]) -> list[dict[str, Any]]:
    """The check of understanding as stored: each answer, whether the first and the last were right."""
    questions = {f"{q.stem}.{q.id}": q for q in text.questions}
    out = []
    for c in checks:
        q = questions[c.question]
        out.append({"question": c.question, "answers": list(c.answers), "went_back": c.went_back,
                    "first_correct": bool(c.answers) and c.answers[0] == q.correct,
                    "last_correct": bool(c.answers) and c.answers[-1] == q.correct})
    return out


def validate(text: ConsentText, decision: str, pages_seen: int, attested: bool, d: ConsentDetails) -> None:
    """Refuse an incomplete record, saying at each field what the officer must do."""
    e: dict[str, str] = {}
    if decision not in DECISIONS:
        e["decision"] = _("Choose agree, do not agree, or need more time")
    if not attested:
        e["attest"] = _("Confirm that you explained the requirement and the person answered")
    if not 0 <= pages_seen <= len(text.pages):
        e["pages"] = _("The number of pages seen must be between 0 and {total}").format(total=len(text.pages))
    if decision == "agree":
        signed = d.signature is not None and d.signature.points >= MIN_SIGNATURE_POINTS
        if not signed and not d.cannot_sign_reason.strip():
            e["signature"] = _("The person signs on the screen, or you record why they cannot sign")
    if d.signature is not None and d.signature.points > MAX_SIGNATURE_POINTS:
        e["signature"] = _("The signature is too long to keep: clear it and sign again")
    if d.interpreter is not None:
        if len(d.interpreter.name.strip()) < 2:
            e["interpreter_name"] = _("Enter the interpreter's name")
        if not d.interpreter.language.strip():
            e["interpreter_language"] = _("Enter the language the interpreter spoke")
        if d.interpreter.mode not in INTERPRETER_MODES:
            e["interpreter_mode"] = _("Say whether the interpreter was in the room or on the phone")
    elif needs_interpreter(text) and not d.no_interpreter_reason.strip():
        e["interpreter"] = _("This translation has not been checked by a qualified translator: record the "
                             "interpreter, or why there was none")
    if d.share_text is not None and d.share_decision not in SHARE_DECISIONS:
        e["share"] = _("Record the person's answer about sharing their information")
    questions = {f"{q.stem}.{q.id}": q for q in text.questions}
    for c in d.checks:
        q = questions.get(c.question)
        if q is None or any(a not in {o.id for o in q.options} for a in c.answers):
            e["checks"] = _("An answer to the check of understanding does not match this consent text")
    if e:
        raise FieldErrors(e)
