"""A court duty officer walks the whole pathway on the tablet, and the case reaches the site server."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from app import clock, screening
from app.i18n import fmt_date, fmt_time
from tests.e2e.conftest import open_app
from tests.e2e.driving import T, answer, click, see, tally, type_into, watch_layout
from tests.e2e.steps import book_the_first_slot, easy_read_atr_consent_without_signature, sign_in, start_case
from tests.e2e.test_consent import officer_session
from tests.pathway import alcohol_dependent_answers, as_asked, walk_pathway
from tests.plaintext import files_containing

DEFENDANT = "Zebedee Quixotic-Marchbanks"


def server_events(demo, case_id: str) -> list[dict]:  # noqa: ANN001
    """The case's events as the site server holds them, read as the demo's site admin (named in its banner)."""
    banner = re.search(r"site admin: .*?name: (\S+)\s+password: (\S+)", demo.log.read_text())
    assert banner, demo.log.read_text()
    login = httpx.post(f"{demo.server_url}/api/v1/admin/login",
                       json={"name": banner.group(1), "password": banner.group(2)}, timeout=10)
    login.raise_for_status()
    response = httpx.get(f"{demo.server_url}/api/v1/sites/demo/cases/{case_id}/events", timeout=10,
                         headers={"Authorization": f"Bearer {login.json()['token']}"})
    response.raise_for_status()
    return response.json()


def record_offence(page: Page, seriousness: str) -> None:
    """Suitability: the offence is imprisonable and this serious; the requirement cards follow."""
    click(page, "Punishable with imprisonment", role="radio")
    click(page, seriousness, role="radio")


def provider_agrees(page: Page, requirement: str, provider: str, practitioner: str, how: str,
                    findings: dict[str, str], months: int) -> None:
    """Record who at the provider agreed, how they were contacted, what they found and the length agreed."""
    click(page, f"Record the provider's answer: {requirement}")
    see(page, "What the assessment found")
    click(page, provider, role="radio")
    type_into(page, "Person you spoke to at the provider", practitioner)
    click(page, how, role="radio")
    click(page, "The provider assessed and agreed", role="radio")
    for question, value in findings.items():
        answer(page, question, value)
    type_into(page, "Length agreed in months", str(months))
    click(page, "Save the provider's answer")
    see(page, f"Correct the provider's answer: {requirement}")


@pytest.mark.timeout(480)  # a whole case, every screen checked before each of some 150 presses
@pytest.mark.parametrize("width, height", [(1280, 800), (800, 1280)], ids=["landscape", "portrait"])
def test_a_cdo_screens_takes_consent_books_and_prints_and_the_case_syncs(demo, browser, width, height):
    app = open_app(browser, demo.app_url, width, height)
    page = app.page
    layout = watch_layout(page)  # every screen on the way, before each press: the layout rules in driving.py

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
    start = tally(page).now()
    click(page, "Start a new case")
    type_into(page, "Full name", DEFENDANT)
    ten_years_old = clock.today() - timedelta(days=10 * 365)
    type_into(page, "Date of birth (DD/MM/YYYY)", f"{ten_years_old:%d/%m/%Y}")
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
    # The details said no interpreter: shown answered, not asked again.
    before_screening = tally(page).now()
    click(page, "Screening Not started")
    tool = screening.load_tool("cdo_court_screen")
    target = alcohol_dependent_answers(tool)
    interpreter = tool.item("needs_interpreter")
    expect(page.get_by_role("group", name=interpreter.text, exact=True).get_by_role(
        "checkbox", name="No", exact=True)).to_have_attribute("aria-checked", "true", timeout=T)
    answers: dict[str, str] = {interpreter.id: "no"}
    for item in as_asked(tool, answers):  # the officer's grid: a tap an answer, the next question brought into view
        expect(page.get_by_role("group", name=item.text, exact=True)).to_be_visible(timeout=T)
        answers[item.id] = target[item.id]
        answer(page, item.text, item.option(target[item.id]).label)  # type: ignore[union-attr]
    click(page, "Continue")
    see(page, "Check the screening answers")
    click(page, "Complete screening")
    screening_taps = tally(page).now()[0] - before_screening[0]
    assert screening_taps <= len(answers) + 2, f"{screening_taps} taps to screen {len(answers)} answers"

    # 5. Suitability with reasons: with the offence recorded, the ATR waits for the provider's assessment.
    click(page, "Suitability Not started")
    record_offence(page, "Medium community order range")
    expect(page.get_by_role("group", name="Alcohol treatment requirement: Needs provider assessment")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Take forward: Alcohol treatment requirement")).to_have_attribute(
        "aria-checked", "true")
    click(page, "Save and take forward")

    # 5b. The drug and alcohol service assessed by phone and agreed a 12-month ATR.
    click(page, "Provider agreement Not started")
    provider_agrees(page, "Alcohol treatment requirement", "Open Road Drug and Alcohol Service", "Robin Ashdown",
                    "Phone", {"Is the person dependent on alcohol?": "Yes",
                              "Does the dependency require and may it be susceptible to treatment?": "Yes"}, 12)
    click(page, "Back")

    # 6. Defendant mode: easy-read pages, the check of understanding, the decision, the separate choice about
    # sharing; the person cannot sign, so the officer takes the tablet back with the PIN and attests why.
    easy_read_atr_consent_without_signature(page, demo.pin)

    # 6b. The proposal goes to court; the court imposes it on the day, and the bench gives no custodial
    # alternative on the short form.
    click(page, "Proposal to court Not started")
    click(page, "Community order", role="radio")
    type_into(page, "Length of the order in months", "12")
    click(page, "Make the proposal")
    see(page, "Print the proposal")
    click(page, "Back to the case")
    click(page, "Sentence Not started")
    click(page, "Probation sentence", role="radio")
    click(page, "Sentenced on the day", role="radio")
    click(page, "Community order without treatment", role="radio")
    click(page, "Save the sentence")

    # 7. Book the first appointment from the provider's slots.
    slot_label = book_the_first_slot(page)

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
    officer_taps, typed, defendant_taps = (b - a for a, b in zip(start, tally(page).now(), strict=True))
    print(f"\nstandard case walk: {officer_taps} officer taps (screening {screening_taps}), {typed} typed fields, "
          f"{defendant_taps} defendant taps")

    # 9. The case syncs; the status says so, and the server holds every event.
    see(page, "All records synced")
    kinds = [e["kind"] for e in server_events(demo, case_id)
             if e["kind"] != "screening_progress_saved"]  # saved at each answer
    assert kinds == ["case_opened", "screening_completed", "suitability_assessed",
                     "provider_agreed", "consent_given", "share_consent_recorded", "consent_summary_stored",
                     "proposal_made",
                     "sentence_recorded", "appointment_booked", "leaflet_printed"]

    slot_start = _slot_from_label(slot_label)
    assert fmt_date(slot_start.date(), "full") in text.replace("\n", " ")
    assert fmt_time(slot_start) in text
    assert "Open Road Drug and Alcohol Service" in text
    assert DEFENDANT not in text  # the leaflet leaves court with the person: no name on it

    # The name typed on the tablet is nowhere on disk in plaintext: tablet, server, logs, temp files.
    assert files_containing(demo.home.parent, DEFENDANT) == []
    assert app.failures == []
    assert layout == [], "\n".join(layout)


def _slot_from_label(label: str) -> datetime:
    """The radio label reads like 'Tuesday 24 November 2026, 10:00'."""
    m = re.search(r"(\d{1,2} \w+ \d{4}), (\d{2}:\d{2})", label)
    assert m, label
    return datetime.strptime(f"{m.group(1)} {m.group(2)}", "%d %B %Y %H:%M").replace(
        tzinfo=__import__("zoneinfo").ZoneInfo("Europe/London"))


def test_a_leaflet_in_a_draft_translation_tells_the_officer_and_the_record_keeps_it(demo, browser):
    name = "Zofia Leaflet-Kowalska"
    case_id = walk_pathway(officer_session(demo), name, locale="pl", leaflet=False, on=clock.today())
    page = open_app(browser, demo.app_url).page
    sign_in(page, demo.officer, demo.pin)
    page.get_by_role("button", name=name).first.click()

    # Consent was in Polish, so the leaflet starts in Polish; its words are a draft, and the officer is told.
    click(page, "Leaflet Not started")
    see(page, re.compile("A qualified translator has not checked the Polish leaflet yet"))
    click(page, "Leaflet given to the defendant")
    see(page, "Case complete")
    given = officer_session(demo).case(case_id).leaflet
    assert (given["locale"], given["translation_reviewed"]) == ("pl", False)


def test_a_mistyped_name_is_corrected_with_a_reason_and_the_history_says_what_changed(demo, browser):
    page = open_app(browser, demo.app_url).page
    sign_in(page, demo.officer, demo.pin)
    start_case(page, "Zebedee Quixotc", "14/05/1988", "Probation", "Theft from a shop")
    see(page, "Zebedee Quixotc")

    click(page, "Defendant details Completed")
    see(page, "Correct the defendant's details")
    type_into(page, "Full name", "Zebedee Quixotic")
    click(page, "Continue")
    click(page, "Save the details")
    see(page, "Say why the details are corrected")  # no reason, no correction: back at the field

    type_into(page, "Reason for the correction", "Name misspelt when typed")
    click(page, "Continue")
    see(page, "Check the defendant's details")
    click(page, "Save the details")
    expect(page.get_by_role("heading", name="Zebedee Quixotic", exact=True)).to_be_visible(timeout=T)
    expect(page.locator('[flt-semantics-identifier="case-history"]')).to_have_attribute("aria-label", re.compile(
        r"— Correction to the person's details \(Full name\): Name misspelt when typed — "
        + re.escape(demo.officer)), timeout=T)
