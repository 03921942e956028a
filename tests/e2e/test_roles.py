"""Need to know in the browser: a provider practitioner at court sees only the cases taken forward for their
service and records their service's answer; a site admin on the tablet sees the tablet's health, never a case."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from app import screening
from app.tablet import Tablet
from tests.e2e.conftest import Demo, open_app
from tests.e2e.driving import T, click, see
from tests.e2e.steps import sign_in
from tests.e2e.test_pathway import provider_agrees
from tests.pathway import alcohol_dependent_answers, details, offence

pytestmark = pytest.mark.e2e
FOR_ATR, NOT_FORWARD = "Tamsin Oyelaran-Whitcombe", "Barnaby Quist-Ellery"


def test_a_provider_practitioner_sees_only_their_cases_and_records_their_answer(demo: Demo,
                                                                                 browser: Browser) -> None:
    today = date.today()  # the app lists by the real date
    cdo = Tablet(demo.home / "tablet").unlock("cdo-sam", demo.pin)
    tool = screening.load_tool(cdo.tablet.site.screening_tool)
    for name, forward in ((FOR_ATR, True), (NOT_FORWARD, False)):
        case_id = cdo.open_case(details(name, hearing_date=today), today)
        cdo.record_screening(case_id, tool, alcohol_dependent_answers(tool))
        if forward:
            cdo.propose(case_id, ["ATR"], offence(convicted=today), today)

    page = open_app(browser, demo.app_url).page
    sign_in(page, "Robin Ashdown", demo.pin)
    see(page, "Cases for Open Road Drug and Alcohol Service")
    expect(page.get_by_role("button", name=re.compile(re.escape(FOR_ATR)))).to_be_visible(timeout=T)
    expect(page.get_by_role("button", name=re.compile(re.escape(NOT_FORWARD)))).to_have_count(0)
    expect(page.get_by_role("button", name="Start a new case")).to_have_count(0)

    click(page, re.compile(re.escape(FOR_ATR)))
    see(page, "Screening")
    expect(page.get_by_role("button", name=re.compile("^Screening"))).to_have_count(0)  # not theirs to open
    expect(page.get_by_role("button", name=re.compile("^Equality monitoring"))).to_have_count(0)
    click(page, "Provider agreement Not started")
    provider_agrees(page, "Alcohol treatment requirement", "Open Road Drug and Alcohol Service", "Robin Ashdown",
                    "In person at court", {"Is the person dependent on alcohol?": "Yes",
                                  "Does the dependency require and may it be susceptible to treatment?": "Yes"}, 12)
    case_id = cdo.find_by_name(FOR_ATR)[0]
    assert cdo.case(case_id).providers["ATR"]["outcome"] == "agreed"
    assert [e.officer_id for e in cdo.events(case_id) if e.kind == "provider_agreed"] == ["prov-robin"]


def test_a_site_admin_on_the_tablet_sees_its_health_and_no_case(demo: Demo, browser: Browser) -> None:
    page = open_app(browser, demo.app_url).page
    sign_in(page, "Alex Morgan", demo.pin)
    see(page, "This tablet")
    see(page, re.compile(r"Audit trail intact: \d+ entries on this tablet\."))
    see(page, re.compile("^Sync: "))
    expect(page.get_by_role("button", name="Start a new case")).to_have_count(0)
