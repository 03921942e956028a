"""Need to know in the browser: a provider practitioner at court sees only the cases taken forward for their
service and records their service's answer; a site admin on the tablet sees the tablet's health, never a case."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from app import clock, screening
from app.proposal import ProposalInput
from app.suitability import COMMUNITY_ORDER
from app.tablet import Tablet
from tests.e2e.conftest import Demo, open_app
from tests.e2e.driving import T, click, see, type_into
from tests.e2e.steps import sign_in
from tests.e2e.test_pathway import provider_agrees
from tests.pathway import alcohol_dependent_answers, atr_agreed, atr_sentence, details, give_consent, offence

pytestmark = pytest.mark.e2e
FOR_ATR, NOT_FORWARD, SENTENCED = "Tamsin Oyelaran-Whitcombe", "Barnaby Quist-Ellery", "Cosmo Pettigrew-Lune"


def test_a_provider_practitioner_sees_only_their_cases_and_records_their_answer(demo: Demo,
                                                                                 browser: Browser) -> None:
    today = clock.today()  # the app lists by the real date
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


def test_the_provider_records_attendance_and_a_breach_and_withdraws_it_when_it_was_in_error(
        demo: Demo, browser: Browser) -> None:
    today = clock.today()
    cdo = Tablet(demo.home / "tablet").unlock("cdo-sam", demo.pin)
    tool = screening.load_tool(cdo.tablet.site.screening_tool)
    case_id = cdo.open_case(details(SENTENCED, hearing_date=today), today)
    cdo.record_screening(case_id, tool, alcohol_dependent_answers(tool))
    cdo.propose(case_id, ["ATR"], offence(convicted=today), today)
    cdo.record_provider(case_id, atr_agreed(), today)
    give_consent(cdo, case_id, ["ATR"])
    cdo.make_proposal(case_id, ProposalInput(("ATR",), COMMUNITY_ORDER, 12))
    cdo.record_sentence(case_id, atr_sentence(), today)
    cdo.book_appointment(case_id, cdo.available_slots("open-road", today)[0], today)

    page = open_app(browser, demo.app_url).page
    sign_in(page, "Robin Ashdown", demo.pin)
    click(page, re.compile(re.escape(SENTENCED)))
    click(page, "After the sentence: attendance and breach Not started")
    see(page, re.compile("^Open Road Drug and Alcohol Service, .* at "))  # the only booking, already chosen
    click(page, "Record the breach")  # nothing filled in: each problem named at its field
    see(page, "Enter the date of the breach as day, month and year")
    see(page, "Say whether probation or the provider brought the breach")

    page.get_by_role("group", name="Did the person attend?").get_by_role("radio", name="Attended").click()
    page.get_by_role("group", name="Who reported it?").get_by_role("radio", name="The provider").click()
    click(page, "Save attendance")
    see(page, "Attended")
    type_into(page, "Date of the breach", today.strftime("%d/%m/%Y"))
    page.get_by_role("group", name="Who brought the breach?").get_by_role("radio", name="Probation").click()
    click(page, "Record the breach")
    see(page, re.compile(", brought by probation$"))

    click(page, "Withdraw the breach")  # the only breach is already chosen; the reason is asked for at its field
    see(page, "Say why the breach is withdrawn, for example 'recorded on the wrong case'")
    type_into(page, "Why it is withdrawn", "recorded on the wrong case")
    click(page, "Withdraw the breach")
    see(page, re.compile(", brought by probation: recorded on the wrong case$"))

    case = cdo.case(case_id)
    assert [a["attended"] for a in case.attendance.values()] == [True]
    assert case.breaches == {}
    assert [(b["breached_on"], b["brought_by"], b["reason"]) for b in case.withdrawn_breaches.values()] == [
        (today.isoformat(), "probation", "recorded on the wrong case")]
    assert {e.officer_id for e in cdo.events(case_id)
            if e.kind in ("appointment_attended", "breach_recorded", "breach_withdrawn")} == {"prov-robin"}


def test_a_site_admin_on_the_tablet_sees_its_health_and_no_case(demo: Demo, browser: Browser) -> None:
    page = open_app(browser, demo.app_url).page
    sign_in(page, "Alex Morgan", demo.pin)
    see(page, "This tablet")
    see(page, re.compile(r"Audit trail intact: \d+ entries on this tablet\."))
    see(page, re.compile("^Sync: "))
    expect(page.get_by_role("button", name="Start a new case")).to_have_count(0)
