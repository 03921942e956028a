"""A court duty officer completes the CDO court screen in Chromium: a positive AUDIT-C opens the rest of
the AUDIT, PHQ-9 question 9 stops the screen with the risk instructions, and nothing is lost on the way
(leaving and coming back, locking, changing an answer from the summary)."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from app import clock, screening
from app.tablet import Tablet
from tests.e2e.conftest import open_app
from tests.e2e.driving import T, answer, click, scroll_up, see, type_into
from tests.e2e.steps import sign_in, start_case
from tests.pathway import as_asked
from tests.plaintext import files_containing

DEFENDANT = "Ottoline Fairweather-Quist"
LANGUAGE = "Tigrinya"
TOOL = screening.load_tool("cdo_court_screen")

# Lowest-scoring answer everywhere, except: an interpreter is needed, AUDIT-C 2 + 1 + 3 = 6 (positive only at
# question 3, so the other seven AUDIT questions follow), and PHQ-9 question 9 "Several days" (the risk trigger).
CHOSEN = {"needs_interpreter": "yes", "audit_1": "2", "audit_2": "1", "audit_3": "3", "audit_4": "3",
          "audit_5": "2", "audit_6": "2", "audit_7": "3", "audit_8": "2", "audit_9": "0", "audit_10": "4",
          "phq9_9": "1"}


def asked(page: Page, item: screening.Item, locale: str = "en") -> None:
    """On screen: the question's answers, named by it (a typed answer has its heading)."""
    text = item.text_in(locale)
    expect(page.get_by_role("group", name=text, exact=True).or_(page.get_by_role("heading", name=text, exact=True))
           .first).to_be_visible(timeout=T)


def chosen(item: screening.Item) -> str:
    return CHOSEN.get(item.id) or min(item.options, key=lambda o: o.score).value


def tap(page: Page, item: screening.Item, value: str | None = None) -> None:
    """One tap answers a question of the grid: no Continue between questions."""
    asked(page, item)
    answer(page, item.text, item.option(value or chosen(item)).label)  # type: ignore[union-attr]


def answer_until(page: Page, answers: dict[str, object], stop: str | None) -> None:
    """Answer each question as it comes, in the order the tool asks it, up to (not including) `stop`."""
    for item in as_asked(TOOL, answers, stop):
        tap(page, item)
        answers[item.id] = chosen(item)


def test_a_cdo_completes_the_court_screen_with_the_full_audit_and_a_risk_interruption(demo, browser):
    app = open_app(browser, demo.app_url)
    page = app.page
    sign_in(page, demo.officer, demo.pin)
    start_case(page, DEFENDANT, "02/02/1979", "Court staff", "Criminal damage")
    click(page, "Screening Not started")

    # 1. The officer's grid: every question on one page with the count answered; it can be asked in Welsh (a
    # draft translation, said so).
    interpreter, language = TOOL.item("needs_interpreter"), TOOL.item("needs_language")
    asked(page, interpreter)
    see(page, "1 of 40 answered")  # the details said no interpreter: shown chosen, and it can be changed
    click(page, "Ask the questions in")
    click(page, "Cymraeg")
    asked(page, interpreter, "cy")
    see(page, re.compile("^Draft translation, not yet checked by a qualified translator"))
    answer(page, interpreter.text_in("cy"), "Ie")

    # 2. "Yes" opens the language question under it at once: a short text, read when the officer continues.
    asked(page, language, "cy")
    see(page, "1 of 41 answered")
    scroll_up(page)  # the answered question went to the top of the window; the language choice is above it
    click(page, "Ask the questions in")
    click(page, "English")
    asked(page, language)
    click(page, "Continue")
    see(page, "Enter an answer")
    type_into(page, "Answer", LANGUAGE)
    answers: dict[str, object] = {"needs_interpreter": "yes", "needs_language": LANGUAGE}

    # 3. AUDIT-C of 6 opens the other seven AUDIT questions the moment it is answered.
    answer_until(page, answers, stop="audit_3")
    see(page, "14 of 41 answered")
    tap(page, TOOL.item("audit_3"))
    answers["audit_3"] = "3"
    asked(page, TOOL.item("audit_4"))
    see(page, "15 of 48 answered")

    # 4. Leaving keeps everything, and the task list says "In progress".
    click(page, "Save and come back later")
    click(page, "Screening In progress")

    # 5. Locking the tablet forgets the draft in memory; the saved (encrypted) progress resumes it, at the first
    # question not answered, with the answers given shown chosen.
    click(page, "Lock")
    sign_in(page, demo.officer, demo.pin)
    page.get_by_role("button", name=re.compile(f"^{DEFENDANT}")).first.click()
    click(page, "Screening In progress")
    asked(page, TOOL.item("audit_4"))
    see(page, "15 of 48 answered")
    expect(page.get_by_role("group", name=TOOL.item("audit_3").text, exact=True).get_by_role(
        "checkbox", name="Weekly", exact=True)).to_have_attribute("aria-checked", "true")

    # 6. The rest of the AUDIT, DAST-10, then PHQ-9 question 9 interrupts with the site's risk instructions at
    # the tap, and the grid comes back at the next question.
    answer_until(page, answers, stop="phq9_9")
    tap(page, TOOL.item("phq9_9"))
    answers["phq9_9"] = "1"
    expect(page.get_by_role("heading", name="Risk: act now")).to_be_visible(timeout=T)
    expect(page.get_by_role("group", name=re.compile(re.escape(TOOL.flag("risk_immediate").risk or "?")))
           ).to_be_visible()
    click(page, "I have followed the risk procedure")
    asked(page, TOOL.item("gad7_1"))
    answer_until(page, answers, stop=None)
    see(page, "48 of 48 answered")
    click(page, "Continue")

    # 7. Check your answers: every answer and score; change one from here and come straight back.
    see(page, "Check the screening answers")
    see(page, "AUDIT")
    see(page, "22 — Possible dependence")  # AUDIT-C 6 + dependence 7 + harm 9
    see(page, LANGUAGE)
    see(page, "Risk procedure followed and recorded by the officer.")
    click(page, f"Change: {TOOL.item('audit_10').text}")
    tap(page, TOOL.item("audit_10"), "0")
    click(page, "Continue")
    see(page, "Check the screening answers")
    see(page, "18 — Higher risk")
    click(page, "Complete screening")
    click(page, "Screening Completed")  # opens the summary of the completed screening
    see(page, "This screening is complete. Change an answer to screen again.")

    # 8. The record: answers only to questions asked, the tool cited, the risk acknowledged; all synced.
    tablet = Tablet(demo.home / "tablet")
    session = tablet.unlock("cdo-sam", demo.pin)
    case_id = next(c.case_id for c in session.todays_cases("chelmsford-mc", clock.today()) if c.name == DEFENDANT)
    recorded = session.case(case_id).screening
    assert recorded is not None
    answers["audit_10"] = "0"
    assert recorded["answers"] == answers
    assert (recorded["tool_version"], recorded["tool_hash"]) == (TOOL.version, TOOL.content_hash)
    assert recorded["risk_acknowledged"] == ["risk_immediate"]
    assert recorded["result"]["totals"]["audit"] == 18
    assert set(recorded["result"]["flags"]) >= {"interpreter_needed", "risk_immediate"}
    assert "atr_candidate" not in recorded["result"]["flags"]
    kinds = [e.kind for e in session.events(case_id)]
    assert kinds[0] == "case_opened" and kinds[-1] == "screening_completed"
    assert kinds.count("screening_progress_saved") >= len(answers) - 1

    deadline = time.monotonic() + 30
    while (status := tablet.sync_status()).pending and time.monotonic() < deadline:
        time.sleep(0.5)
    assert (status.pending, status.failed) == (0, 0)  # every event, progress included, reached the server
    assert files_containing(demo.home.parent, DEFENDANT) == []
    assert files_containing(demo.home.parent, LANGUAGE) == []
    assert app.failures == []
