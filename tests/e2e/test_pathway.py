"""A court duty officer walks the whole pathway on the tablet, and the case reaches the site server."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import datetime

import httpx
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from app import screening
from app.i18n import fmt_date, fmt_time
from tests.e2e.conftest import open_app
from tests.pathway import alcohol_dependent_answers
from tests.plaintext import files_containing

DEFENDANT = "Zebedee Quixotic-Marchbanks"
T = 15_000


def type_into(page: Page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label)
    box.click()
    expect(box).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def click(page: Page, name: str, role: str = "button") -> None:
    page.get_by_role(role, name=name, exact=True).first.click()


def see(page: Page, text: str) -> None:
    expect(page.locator("flt-semantics-host").get_by_text(text).first).to_be_visible(timeout=T)


def test_a_cdo_screens_takes_consent_books_and_prints_and_the_case_syncs(demo, browser):
    app = open_app(browser, demo.app_url)
    page = app.page

    # 1. Choose a name and unlock with the PIN; a wrong PIN says so first.
    click(page, demo.officer)
    type_into(page, "PIN", "0000")
    click(page, "Unlock")
    see(page, "Wrong PIN. 4 tries left")
    type_into(page, "PIN", demo.pin)
    click(page, "Unlock")

    # 2. Today's list is empty on first use.
    see(page, "Today's cases")
    see(page, "No cases yet today at this court.")

    # 3. Start a case; an under-18 date of birth is refused at the field.
    click(page, "Start a new case")
    type_into(page, "Full name", DEFENDANT)
    type_into(page, "Date of birth (DD/MM/YYYY)", "01/01/2015")
    click(page, "Referral source")
    click(page, "Probation")
    type_into(page, "Offence summary", "Theft from a shop")
    click(page, "Yes", role="radio")
    click(page, "Continue")
    see(page, "There is a problem")
    see(page, "only for people aged 18 or over")
    type_into(page, "Date of birth (DD/MM/YYYY)", "14/05/1988")
    click(page, "Continue")
    see(page, "Check the defendant's details")
    click(page, "Save and start the case")
    see(page, DEFENDANT)

    # 4. Screen with the site's tool: alcohol answers that point to dependence.
    click(page, "Screening Not started")
    tool = screening.load_tool("cdo_court_screen")
    target = alcohol_dependent_answers(tool)
    answers: dict[str, str] = {}
    while (item := screening.next_item(tool, answers)) is not None:
        expect(page.get_by_role("heading", name=item.text).or_(
            page.locator("flt-semantics-host").get_by_text(item.text, exact=True)).first).to_be_visible(timeout=T)
        answers[item.id] = target[item.id]
        click(page, item.option(target[item.id]).label, role="radio")
        click(page, "Continue")
    see(page, "Check the screening answers")
    click(page, "Complete screening")

    # 5. Suitability with reasons: ATR is potentially suitable.
    click(page, "Suitability Not started")
    expect(page.get_by_role("group", name=re.compile(
        "^Alcohol treatment requirement Potentially suitable: refer to the provider to assess"))).to_be_visible()
    expect(page.get_by_role("checkbox", name="Propose: Alcohol treatment requirement")).to_have_attribute(
        "aria-checked", "true")
    click(page, "Save proposal")

    # 6. Defendant mode: easy-read pages, a decision, the officer takes the tablet back with the PIN.
    click(page, "Consent Not started")
    click(page, "Hand the tablet to the defendant")
    expect(page.get_by_role("button", name="Lock")).to_have_count(0)
    while page.get_by_role("button", name="Next").count():
        click(page, "Next")
        page.wait_for_timeout(150)
    click(page, "Yes, I agree")
    see(page, "Please give the tablet back to the officer")
    click(page, "I explained the requirement and the person gave this answer themselves", role="checkbox")
    type_into(page, "Officer PIN", demo.pin)
    click(page, "Save consent record")

    # 7. Book the first appointment from the provider's slots.
    click(page, "First appointment Not started")
    first_slot = page.get_by_role("radio").first
    slot_label = first_slot.get_attribute("aria-label") or first_slot.inner_text()
    first_slot.click()
    click(page, "Continue")
    see(page, "Check the appointment")
    click(page, "Book appointment")

    # 8. The leaflet PDF carries the booked date and time.
    click(page, "Leaflet Not started")
    with page.context.expect_page() as popup_info:
        click(page, "Open the leaflet to print")
    popup = popup_info.value
    pdf = httpx.get(popup.url, timeout=10)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    con = sqlite3.connect(demo.home / "tablet" / "tablet.db")
    case_id = con.execute("select case_id from caserow").fetchone()[0]
    popup.close()
    click(page, "Leaflet given to the defendant")
    see(page, "Case complete")

    # 9. The case syncs; the status says so, and the server holds every event.
    see(page, "All records synced")
    events = httpx.get(f"{demo.server_url}/api/v1/sites/demo/cases/{case_id}/events").json()
    assert [e["kind"] for e in events] == ["case_opened", "screening_completed", "suitability_assessed",
                                           "consent_given", "appointment_booked", "leaflet_printed"]

    slot_start = _slot_from_label(slot_label)
    assert fmt_date(slot_start.date(), "full") in text.replace("\n", " ")
    assert fmt_time(slot_start) in text
    assert "Open Road Drug and Alcohol Service" in text
    assert DEFENDANT not in text  # the leaflet leaves court with the person: no name on it

    # The name typed on the tablet is nowhere on disk in plaintext: tablet, server, logs, temp files.
    assert files_containing(demo.home.parent, DEFENDANT) == []
    assert app.failures == []


def _slot_from_label(label: str) -> datetime:
    """The radio label reads like 'Tuesday 24 November 2026, 10:00'."""
    m = re.search(r"(\d{1,2} \w+ \d{4}), (\d{2}:\d{2})", label)
    assert m, label
    return datetime.strptime(f"{m.group(1)} {m.group(2)}", "%d %B %Y %H:%M").replace(
        tzinfo=__import__("zoneinfo").ZoneInfo("Europe/London"))
