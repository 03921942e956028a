"""The defendant's path through consent, one screen at a time, as a plain state machine.

Kept apart from the screens so the rules are tested directly: one idea a screen, next and back; a check of
understanding where a wrong answer leads back to the page it is about and then on, never to a dead end;
the decision; the separate choice about sharing; the signature; then the tablet goes back to the officer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.case import Case
from app.consent import EASY_READ, STANDARD, ConsentQuestion, ConsentText
from app.consent_record import CheckAnswer, ConsentDetails, Interpreter, Signature
from app.i18n import SOURCE_LOCALE, match_language

PAGE, CHECK_INTRO, QUESTION, FEEDBACK, LOOK_AGAIN = "page", "check_intro", "question", "feedback", "look_again"
DECISION, SHARE_PAGE, SHARE_DECISION, SIGN, DONE = "decision", "share_page", "share_decision", "sign", "done"
TEXT_SCALES = (1.0, 1.25, 1.5, 1.75, 2.0)


@dataclass(frozen=True)
class Defaults:
    locale: str
    format: str
    interpreter_needed: bool


def defaults(case: Case) -> Defaults:
    """What the officer's choices start at: the screening's flags (easy_read_needed, interpreter_needed) and
    the language named in the case details, which the officer can still change."""
    result = (case.screening or {}).get("result") or {}
    flags = set(result.get("flags") or ())
    details = case.details
    locale = (match_language(details.language) if details and details.language else None) or SOURCE_LOCALE
    return Defaults(locale, EASY_READ if "easy_read_needed" in flags else STANDARD,
                    "interpreter_needed" in flags or bool(details and details.interpreter_needed))


@dataclass(frozen=True)
class Step:
    kind: str
    index: int = 0  # the page, question or share page this step is about


@dataclass
class ConsentFlow:
    case_id: str
    text: ConsentText
    share: ConsentText
    interpreter: Interpreter | None = None
    no_interpreter_reason: str = ""
    step: Step = Step(PAGE, 0)
    pages_seen: int = 1
    answers: dict[str, list[str]] = field(default_factory=dict)
    went_back: set[str] = field(default_factory=set)
    decision: str | None = None
    share_decision: str | None = None
    signature: Signature | None = None
    did_not_sign: bool = False
    scale_index: int = 0

    # --- where we are ---
    @property
    def question(self) -> ConsentQuestion | None:
        if self.step.kind in (QUESTION, FEEDBACK, LOOK_AGAIN):
            return self.text.questions[self.step.index]
        return None

    @staticmethod
    def key(q: ConsentQuestion) -> str:
        return f"{q.stem}.{q.id}"

    def last_answer_correct(self) -> bool:
        q = self.question
        given = self.answers.get(self.key(q), []) if q else []
        return bool(q and given and given[-1] == q.correct)

    def can_look_again(self) -> bool:
        """After a first wrong answer the page it is about is offered; after that the person simply goes on."""
        q = self.question
        return bool(q and not self.last_answer_correct() and len(self.answers.get(self.key(q), [])) == 1)

    def look_again_page(self) -> int:
        q = self.question
        assert q is not None
        return self.text.page_index(q.stem, q.page)

    @property
    def text_scale(self) -> float:
        return TEXT_SCALES[self.scale_index]

    # --- moving ---
    def _go(self, kind: str, index: int = 0) -> None:
        self.step = Step(kind, index)
        if kind == PAGE:
            self.pages_seen = max(self.pages_seen, index + 1)

    def _after_pages(self) -> None:
        self._go(CHECK_INTRO) if self.text.questions else self._go(DECISION)

    def next(self) -> None:
        kind, i = self.step.kind, self.step.index
        if kind == PAGE:
            self._go(PAGE, i + 1) if i + 1 < len(self.text.pages) else self._after_pages()
        elif kind == CHECK_INTRO:
            self._go(QUESTION, 0)
        elif kind == FEEDBACK:
            self._go(QUESTION, i + 1) if i + 1 < len(self.text.questions) else self._go(DECISION)
        elif kind == SHARE_PAGE:
            self._go(SHARE_PAGE, i + 1) if i + 1 < len(self.share.pages) else self._go(SHARE_DECISION)

    def back(self) -> None:
        kind, i = self.step.kind, self.step.index
        last_question = len(self.text.questions) - 1
        if kind == PAGE and i > 0:
            self._go(PAGE, i - 1)
        elif kind == CHECK_INTRO:
            self._go(PAGE, len(self.text.pages) - 1)
        elif kind == QUESTION:
            self._go(QUESTION, i - 1) if i > 0 else self._go(CHECK_INTRO)
        elif kind == DECISION:
            self._go(QUESTION, last_question) if last_question >= 0 else self._go(PAGE, len(self.text.pages) - 1)
        elif kind == SHARE_PAGE:
            self._go(SHARE_PAGE, i - 1) if i > 0 else self._go(DECISION)
        elif kind == SHARE_DECISION:
            self._go(SHARE_PAGE, len(self.share.pages) - 1)
        elif kind == SIGN:
            self._go(SHARE_DECISION)

    def answer(self, option_id: str) -> bool:
        """Record an answer as given; returns whether it was right. Never blocks: feedback, then on."""
        q = self.question
        if q is None or self.step.kind != QUESTION:
            raise ValueError("no question is being asked")
        if option_id not in {o.id for o in q.options}:
            raise ValueError(f"{option_id!r} is not an answer to {self.key(q)}")
        self.answers.setdefault(self.key(q), []).append(option_id)
        self._go(FEEDBACK, self.step.index)
        return option_id == q.correct

    def look_again(self) -> None:
        q = self.question
        if q is None:
            raise ValueError("no question to look again for")
        self.went_back.add(self.key(q))
        self._go(LOOK_AGAIN, self.step.index)

    def to_question(self) -> None:
        self._go(QUESTION, self.step.index)

    def decide(self, decision: str) -> None:
        self.decision = decision
        self._go(SHARE_PAGE, 0) if self.share.pages else self._go(SHARE_DECISION)

    def decide_sharing(self, decision: str) -> None:
        self.share_decision = decision
        self._go(SIGN)

    def sign(self, signature: Signature) -> None:
        self.signature, self.did_not_sign = signature, False
        self._go(DONE)

    def cannot_sign(self) -> None:
        self.signature, self.did_not_sign = None, True
        self._go(DONE)

    def bigger(self) -> None:
        self.scale_index = min(self.scale_index + 1, len(TEXT_SCALES) - 1)

    def smaller(self) -> None:
        self.scale_index = max(self.scale_index - 1, 0)

    # --- the record ---
    def checks(self) -> tuple[CheckAnswer, ...]:
        return tuple(CheckAnswer(self.key(q), tuple(self.answers[self.key(q)]), self.key(q) in self.went_back)
                     for q in self.text.questions if self.key(q) in self.answers)

    def details(self, cannot_sign_reason: str = "") -> ConsentDetails:
        return ConsentDetails(share_text=self.share, share_decision=self.share_decision, checks=self.checks(),
                              signature=self.signature, cannot_sign_reason=cannot_sign_reason,
                              interpreter=self.interpreter, no_interpreter_reason=self.no_interpreter_reason,
                              text_scale=self.text_scale)
