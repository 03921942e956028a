"""Equality monitoring on the tablet: optional, in the person's language, and kept sealed in the case."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app import clock, equality
from tests.e2e.conftest import Demo, open_app
from tests.e2e.driving import answer, click, see
from tests.e2e.steps import sign_in
from tests.e2e.test_consent import officer_session
from tests.pathway import details
from tests.plaintext import files_containing


def test_the_person_answers_some_equality_questions_and_leaves_the_rest(demo: Demo, browser) -> None:  # noqa: ANN001
    name = "Philippa Equality-Ashworth"
    session = officer_session(demo)
    case_id = session.open_case(details(name, hearing_date=clock.today()), clock.today())
    page = open_app(browser, demo.app_url).page
    sign_in(page, demo.officer, demo.pin)
    page.get_by_role("button", name=name).first.click()

    # Optional, off the task list: nothing in the pathway waits for it.
    click(page, "Equality monitoring (optional) Not started")
    see(page, "These questions are optional. You do not have to answer them.")
    click(page, "Easy read", role="checkbox")
    see(page, "Which group do your family come from?")  # the easy-read wording
    page.get_by_role("group", name="Which group do your family come from?").get_by_role(
        "radio", name="Mixed or multiple ethnic groups", exact=True).click()
    page.get_by_role("group", name="What is your religion?").get_by_role(
        "radio", name="Prefer not to say", exact=True).click()
    click(page, "Save the answers")
    expect(page.get_by_role("button", name="Equality monitoring (optional) Completed")).to_be_visible(timeout=15_000)

    recorded = officer_session(demo).case(case_id).equality
    assert recorded == {"answers": {"ethnicity": "mixed", "religion": "prefer_not_to_say"}, "locale": "en",
                        "easy_read": True, "translation_reviewed": True}
    assert files_containing(demo.home.parent, name) == []  # sealed like every event


def test_a_polish_speaker_is_asked_in_polish_and_told_the_words_are_a_draft(demo: Demo, browser) -> None:  # noqa: ANN001
    name = "Zofia Equality-Kowalczyk"
    session = officer_session(demo)
    case_id = session.open_case(details(name, hearing_date=clock.today(), language="Polish"), clock.today())
    page = open_app(browser, demo.app_url).page
    sign_in(page, demo.officer, demo.pin)
    page.get_by_role("button", name=name).first.click()
    click(page, "Equality monitoring (optional) Not started")

    # The case details say Polish: the questions start in Polish, the officer is told to use an interpreter and
    # the person reads, in Polish, that the words are a draft.
    polish = equality.wording("pl").say
    see(page, re.compile("A qualified translator has not checked the Polish questions yet"))
    see(page, polish(equality.INTRO))
    see(page, polish(equality.DRAFT))
    answer(page, polish("What is your sex?"), polish("Female"))
    answer(page, polish("Are you married or in a civil partnership?"), polish("Prefer not to say"))
    click(page, "Save the answers")
    expect(page.get_by_role("button", name="Equality monitoring (optional) Completed")).to_be_visible(timeout=15_000)

    recorded = officer_session(demo).case(case_id).equality
    assert recorded == {"answers": {"sex": "female", "marriage": "prefer_not_to_say"}, "locale": "pl",
                        "easy_read": False, "translation_reviewed": False}
