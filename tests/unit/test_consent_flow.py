"""The defendant's path through consent: one idea a screen, a check of understanding that leads back to the
page a wrong answer is about and never blocks, the decision, the choice about sharing, the signature."""

from __future__ import annotations

from app.case import Case, CaseEvent, fold
from app.consent import EASY_READ, STANDARD, consent_texts
from app.consent_flow import (
    CHECK_INTRO,
    DECISION,
    DONE,
    FEEDBACK,
    LOOK_AGAIN,
    PAGE,
    QUESTION,
    SHARE_DECISION,
    SHARE_PAGE,
    SIGN,
    TEXT_SCALES,
    ConsentFlow,
    Defaults,
    defaults,
)
from app.consent_record import Signature
from tests.pathway import details
from tests.support import bounded

SIGNATURE = Signature((((10.0, 10.0), (20.0, 30.0), (30.0, 10.0), (40.0, 30.0), (50.0, 10.0)),), 400.0, 160.0)


def flow(requirements: list[str] | None = None, locale: str = "en") -> ConsentFlow:
    text, share = consent_texts(requirements or ["DRR"], locale)
    return ConsentFlow("case-1", text, share)


def read_every_page(f: ConsentFlow) -> None:
    turn_pages(f, PAGE)


def turn_pages(f: ConsentFlow, *kinds: str) -> None:
    """Press Next while the step is one of these kinds; a flow that never moves on fails naming the step."""
    for _ in bounded(100, lambda: f"pressing Next: the flow stayed at {f.step.kind}"):
        if f.step.kind not in kinds:
            return
        f.next()


def test_the_person_reads_one_idea_a_page_then_answers_decides_shares_and_signs() -> None:
    f = flow()
    kinds = [f.step.kind]
    read_every_page(f)
    assert f.pages_seen == len(f.text.pages) == 15
    assert f.step.kind == CHECK_INTRO
    f.next()
    for q in f.text.questions:
        assert (f.step.kind, f.question) == (QUESTION, q)
        assert f.answer(q.correct) is True
        assert f.step.kind == FEEDBACK and not f.can_look_again()
        f.next()
    assert f.step.kind == DECISION
    f.decide("agree")
    for _ in bounded(100, "pressing Next through the sharing pages"):
        if f.step.kind != SHARE_PAGE:
            break
        kinds.append(f.step.kind)
        f.next()
    assert f.step.kind == SHARE_DECISION
    f.decide_sharing("agree")
    assert f.step.kind == SIGN
    f.sign(SIGNATURE)
    assert f.step.kind == DONE
    assert SHARE_PAGE in kinds
    d = f.details()
    assert (d.share_decision, d.signature, d.share_text) == ("agree", SIGNATURE, f.share)
    assert [c.answers for c in d.checks] == [(q.correct,) for q in f.text.questions]


def test_a_wrong_answer_leads_back_to_its_page_and_never_blocks() -> None:
    f = flow()
    read_every_page(f)
    f.next()
    missed = f.question
    assert missed is not None and missed.id == "missed"
    wrong = next(o.id for o in missed.options if not o.correct)

    assert f.answer(wrong) is False
    assert f.can_look_again()
    f.look_again()
    assert f.step.kind == LOOK_AGAIN
    page = f.text.pages[f.look_again_page()]
    assert (page.stem, page.id) == ("common", "missed")
    f.to_question()
    assert f.step.kind == QUESTION and f.question == missed

    assert f.answer(wrong) is False  # wrong again: the person simply goes on
    assert not f.can_look_again()
    f.next()
    assert f.step.kind == QUESTION and f.question != missed
    check = f.checks()[0]
    assert (check.question, check.answers, check.went_back) == ("common.missed", (wrong, wrong), True)


def test_standard_format_goes_back_to_the_standard_page_about_the_question() -> None:
    text, share = consent_texts(["ATR"], "en", STANDARD)
    f = ConsentFlow("case-1", text, share)
    read_every_page(f)
    f.next()
    f.answer(next(o.id for o in f.question.options if not o.correct))  # type: ignore[union-attr]
    f.look_again()
    page = f.text.pages[f.look_again_page()]
    assert (page.stem, page.id) == ("common", "attend")


def test_back_goes_one_screen_back_and_never_past_the_start() -> None:
    f = flow()
    f.back()
    assert f.step.kind == PAGE and f.step.index == 0
    f.next()
    f.next()
    f.back()
    assert f.step.index == 1
    read_every_page(f)
    f.back()
    assert f.step.kind == PAGE and f.step.index == len(f.text.pages) - 1
    f.next()
    f.next()
    f.back()
    assert f.step.kind == CHECK_INTRO


def test_the_text_size_control_stays_within_its_steps() -> None:
    f = flow()
    for _ in range(10):
        f.bigger()
    assert f.text_scale == TEXT_SCALES[-1]
    for _ in range(10):
        f.smaller()
    assert f.text_scale == 1.0


def test_not_signing_is_recorded_for_the_officer_to_attest() -> None:
    f = flow()
    read_every_page(f)
    f.next()
    for _ in bounded(100, lambda: f"answering the questions: the flow stayed at {f.step.kind}"):
        if f.step.kind == QUESTION:
            f.answer(f.question.correct)  # type: ignore[union-attr]
        elif f.step.kind == FEEDBACK:
            f.next()
        else:
            break
    f.decide("more_time")
    turn_pages(f, SHARE_PAGE)
    f.decide_sharing("disagree")
    f.cannot_sign()
    assert f.step.kind == DONE and f.did_not_sign and f.details("Has a broken arm").cannot_sign_reason


def _case_with(flags: list[str], language: str = "", interpreter: bool = False) -> Case:
    """A case whose screening raised these flags, with this language in its details."""
    events = [CaseEvent("e1", "c", "case_opened", "1", "o", details(language=language,
                                                                    interpreter_needed=interpreter).to_payload())]
    events.append(CaseEvent("e2", "c", "screening_completed", "2", "o", {"result": {"flags": flags}}))
    return fold("c", events)


def test_the_screening_and_case_details_preselect_format_language_and_interpreter() -> None:
    assert defaults(_case_with([])) == Defaults("en", STANDARD, False)
    start = defaults(_case_with(["easy_read_needed", "interpreter_needed"], "Polish"))
    assert (start.locale, start.format, start.interpreter_needed) == ("pl", EASY_READ, True)
    assert defaults(_case_with([], "Urdu", interpreter=True)).locale == "ur"
    assert defaults(_case_with([], "Klingon", interpreter=True)).locale == "en"
