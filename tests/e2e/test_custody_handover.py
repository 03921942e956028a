"""Custody to court with two tablets and one server: the L&D practitioner records the detainee, takes consent to
share and hands over on the custody tablet; the court's CDO finds the case on today's list, marked from custody,
and continues it; the server holds one case with both tablets' events."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app import clock, screening
from app.custody import LD_TOOL
from app.proposal import ProposalInput
from app.suitability import COMMUNITY_ORDER
from app.tablet import OfficerSession, Tablet
from tests.e2e.conftest import Demo, courtside_demo, open_app
from tests.e2e.driving import T, click, see, type_into
from tests.e2e.steps import book_the_first_slot, easy_read_atr_consent_without_signature, give_pin_again, sign_in
from tests.e2e.test_pathway import server_events
from tests.pathway import atr_agreed, atr_sentence, ld_answers, offence
from tests.plaintext import files_containing
from tests.support import free_port

pytestmark = pytest.mark.e2e
DETAINEE = "Ottoline Przybylska-Fairweather"
LD_NAME = "Jordan Okafor"


@pytest.fixture
def custody_tablet(demo: Demo, tmp_path: Path) -> Iterator[str]:
    """A second tablet process with its own data, enrolled at the demo's server: the custody suite's."""
    server_port = demo.server_url.rsplit(":", 1)[1]
    with courtside_demo(tmp_path, tmp_path / "custody.log", free_port(), "--home", str(demo.home), "--join",
                        "custody", "--server-port", server_port) as url:
        yield url


def unlocked(home: Path, officer_id: str, pin: str) -> OfficerSession:
    """A tablet's store opened from the test, as a second window on it would: same data, same PIN."""
    return Tablet(home).unlock(officer_id, pin)


def reopen(page: Page, name: str) -> None:
    """Back to today's list and into the case again, so the task list shows what the services recorded."""
    click(page, "Back to today's cases")
    click(page, re.compile(re.escape(name)))


def test_ld_hands_over_in_custody_and_the_cdo_continues_the_same_case(demo: Demo, custody_tablet: str,
                                                                       browser: Browser) -> None:
    today = clock.today()  # both apps list by the real date
    custody = open_app(browser, custody_tablet).page
    sign_in(custody, LD_NAME, demo.pin)
    see(custody, "Custody: today's detainees")

    # 1. The detainee, with their communication needs as flags (Accessible Information Standard).
    click(custody, "New detainee")
    type_into(custody, "Full name", DETAINEE)
    type_into(custody, "Date of birth (DD/MM/YYYY)", "09/10/1984")
    type_into(custody, "Custody record number", "CR-04412-26")
    click(custody, "Easy read information", role="checkbox")
    type_into(custody, "Preferred language", "Polish")
    click(custody, "Interpreter needed", role="checkbox")
    click(custody, "Save detainee")
    see(custody, "Custody record CR-04412-26")
    see(custody, re.compile("Communication needs: Spoken language interpreter|Communication needs: Easy read"))

    # 2. The L&D screen itself (its screens are tested with the court's tool): through the services.
    ld = unlocked(demo.home / "custody", "ld-jordan", demo.pin)
    case_id = ld.todays_cases("chelmsford-custody", today)[0].case_id
    tool = screening.load_tool(LD_TOOL)
    ld.record_screening(case_id, tool, ld_answers(tool))
    click(custody, "Back to today's detainees")
    click(custody, re.compile(re.escape(DETAINEE)))

    # 3. Consent to share, then the hand-over: court and expected hearing date.
    click(custody, re.compile("^Consent to share with probation and the court"))
    click(custody, "Agrees to share", role="radio")
    click(custody, "Save the answer")
    click(custody, re.compile("^Hand over to court"))
    expect(custody.get_by_role("textbox", name="Expected hearing date (DD/MM/YYYY)")).to_be_visible(timeout=T)
    click(custody, "Hand over to court")
    expect(custody.get_by_role("button", name=re.compile("^Hand over to court.*Completed"))).to_be_visible(timeout=T)

    # 4. The court tablet: after sync, today's list shows the case, from custody, with who and how to reach them.
    court = open_app(browser, demo.app_url).page
    sign_in(court, demo.officer, demo.pin)
    row = court.get_by_role("button", name=re.compile(re.escape(DETAINEE)))
    for _attempt in range(8):  # each sign-in takes in what the sync loop pulled meanwhile
        if row.count():
            break
        court.wait_for_timeout(5_000)
        click(court, "Lock")
        sign_in(court, demo.officer, demo.pin)
    expect(row.first).to_be_visible(timeout=T)
    see(court, re.compile(r"From custody · handed over by Jordan Okafor \(01245 000 700, jordan\.okafor@ld\.example\)"))
    row.first.click()
    give_pin_again(court, "Another officer has worked on this case and you have not.", demo.pin)  # Jordan's so far
    history = court.get_by_role("group", name=re.compile("Detainee recorded in custody — Jordan Okafor"))
    expect(history).to_have_accessible_name(re.compile("Handed over to court — Jordan Okafor"), timeout=T)

    # 5. The CDO confirms the details custody sent, adding the charge; nothing is typed again.
    click(court, re.compile("^Defendant details"))
    expect(court.get_by_role("textbox", name="Offence summary")).to_be_visible(timeout=T)
    type_into(court, "Offence summary", "Theft from a shop")
    click(court, "Yes", role="radio")
    click(court, "Continue")
    see(court, "Check the defendant's details")
    see(court, DETAINEE)  # carried over from custody, with the date of birth, language and referrer
    see(court, "Jordan Okafor, Liaison and diversion, Chelmsford Police Station custody suite, 01245 000 700 · "
               "jordan.okafor@ld.example")
    click(court, "Save the details")
    expect(court.get_by_role("group", name=re.compile("Details confirmed or changed — Sam Taylor"))).to_be_visible(
        timeout=T)

    # 6. The CDO continues the same case. Suitability, the provider's agreement, the proposal and the sentence
    #    go through the services (the pathway test drives those screens); consent and booking through the
    #    screens: the person reads English easy read with a Polish interpreter on the phone.
    cdo = unlocked(demo.home / "tablet", "cdo-sam", demo.pin)
    assert cdo.case(case_id).screening["tool_id"] == LD_TOOL  # type: ignore[index]  # not screened twice
    cdo.propose(case_id, ["ATR"], offence(convicted=today), today)
    cdo.record_provider(case_id, atr_agreed(), today)
    reopen(court, DETAINEE)
    easy_read_atr_consent_without_signature(court, demo.pin, language="English",
                                            interpreter=("Anna Nowak", "Polish"))
    expect(court.get_by_role("button", name=re.compile("^Consent.*Completed"))).to_be_visible(timeout=T)
    assert cdo.case(case_id).consented
    cdo.make_proposal(case_id, ProposalInput(("ATR",), COMMUNITY_ORDER, 12))
    cdo.record_sentence(case_id, atr_sentence(), today)
    reopen(court, DETAINEE)
    book_the_first_slot(court)
    click(court, "Back to today's cases")  # a save through the screens kicks the sync; so does the loop
    expect(court.locator("flt-semantics-host").get_by_text(re.compile("Leaflet next")).first).to_be_visible(
        timeout=T)

    devices: set[str] = set()
    for _attempt in range(30):
        events = server_events(demo, case_id)
        devices = {e["device_id"] for e in events}
        if len(devices) == 2 and "appointment_booked" in {e["kind"] for e in events}:
            break
        court.wait_for_timeout(1_000)
    assert devices == {ld.tablet.device_id, cdo.tablet.device_id}
    assert files_containing(demo.home, DETAINEE) == []  # nowhere in clear: either tablet, the server, the logs
