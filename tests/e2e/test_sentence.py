"""A court duty officer proposes a combined drug rehabilitation and primary care mental health treatment
requirement; the court sentences on the day, the bench's short form is recorded, and a slip is corrected."""

from __future__ import annotations

import io
import re

import httpx
from playwright.sync_api import expect
from pypdf import PdfReader

from app import clock, screening
from app.tablet import Tablet
from tests.e2e.conftest import open_app
from tests.e2e.driving import click, see, type_into
from tests.e2e.steps import give_pin_again, sign_in
from tests.e2e.test_pathway import provider_agrees, record_offence, server_events
from tests.pathway import answers_pointing_to, details
from tests.plaintext import files_containing

DEFENDANT = "Ottoline Vasquez-Brannigan"
DRR = "Drug rehabilitation requirement"
MHTR = "Mental health treatment requirement (primary care)"


def screened_for_drugs_and_mood(demo) -> str:  # noqa: ANN001 - the demo fixture
    """Details and screening, written through the tablet's own services (test_pathway drives those screens):
    DAST-10 and PHQ-9 / GAD-7 answered high, AUDIT low, and PHQ-9 item 9 'not at all'."""
    tablet = Tablet(demo.home / "tablet")
    session = tablet.unlock(tablet.site.officers[0].id, demo.pin)
    today = clock.today()
    case_id = session.open_case(details(DEFENDANT, hearing_date=today), today)
    tool = screening.load_tool(tablet.site.screening_tool)
    session.record_screening(case_id, tool, answers_pointing_to(tool, ("dast10_", "phq9_", "gad7_")))
    return case_id


def person_consents(demo, case_id: str) -> None:  # noqa: ANN001
    """The consent record as defendant mode writes it (test_pathway takes consent through those screens)."""
    tablet = Tablet(demo.home / "tablet")
    session = tablet.unlock(tablet.site.officers[0].id, demo.pin)
    session.record(case_id, "consent_given", {"requirements": ["DRR", "MHTR_PRIMARY"], "decision": "agree",
                                              "format": "easy_read", "locale": "en", "attested_by": session.officer_id})


def test_a_combined_mhtr_and_drr_is_proposed_sentenced_on_the_day_and_the_short_form_recorded(demo, browser):
    case_id = screened_for_drugs_and_mood(demo)
    app = open_app(browser, demo.app_url, height=1400)  # a tablet held upright: the sentence form is long
    page = app.page
    sign_in(page, demo.officer, demo.pin)
    page.get_by_role("button", name=re.compile(f"^{DEFENDANT}")).click()

    # 1. Suitability at the low range: both requirements wait for the providers.
    click(page, "Suitability Not started")
    record_offence(page, "Low community order range")
    expect(page.get_by_role("group", name=f"{DRR}: Needs provider assessment")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("group", name=f"{MHTR}: Needs provider assessment")).to_be_visible()
    expect(page.get_by_role("group", name="Alcohol treatment requirement: Not eligible")).to_be_visible()
    click(page, "Save and take forward")

    # 2. Both providers assessed and agreed: the drug service by phone, the MHTR practitioner in court.
    click(page, "Provider agreement Not started")
    provider_agrees(page, DRR, "Open Road Drug and Alcohol Service", "Robin Ashdown", "Phone", {
        "Is the person dependent on drugs, or do they have a propensity to misuse drugs?": "Yes",
        "Does this require and may it be susceptible to treatment?": "Yes",
        "Can samples be taken for drug testing during the order?": "Yes"}, 12)
    provider_agrees(page, MHTR, "Talking Therapies (primary care MHTR)", "Dr Hana Okafor", "In person at court", {
        "Does the mental condition require and may it be susceptible to treatment?": "Yes",
        "Does the mental condition warrant a hospital order or guardianship order?": "No",
        "Will treatment be by or under a registered medical practitioner or registered psychologist?": "Yes",
        "Is the person below the threshold for secondary mental health care?": "Yes"}, 6)
    expect(page.get_by_role("group", name=re.compile(re.escape(
        f"{MHTR} Talking Therapies (primary care MHTR) (Dr Hana Okafor) assessed and agreed, 6 months; "
        "contacted in person at court")))).to_be_visible()
    click(page, "Back")
    person_consents(demo, case_id)

    # 3. At the low range site policy refuses a combined order, and says why.
    click(page, "Suitability Completed")  # the task list reloads with the consent in it
    click(page, "Back")
    click(page, "Proposal to court Not started")
    click(page, "Community order", role="radio")
    see(page, "Cannot be proposed: A combined order (two treatment requirements) is only proposed where the "
              "offence reaches the medium community order range or higher")
    type_into(page, "Length of the order in months", "12")
    click(page, "Make the proposal")
    see(page, "There is a problem")

    # 4. The officer looks again: the offence is in the medium range. Now both can be proposed.
    click(page, "Back")
    click(page, "Suitability Completed")
    record_offence(page, "Medium community order range")
    expect(page.get_by_role("group", name=f"{DRR}: Eligible: every criterion is met")).to_be_visible(timeout=15_000)
    click(page, "Save and take forward")
    click(page, "Proposal to court Not started")
    click(page, "Community order", role="radio")
    type_into(page, "Length of the order in months", "12")
    click(page, "Make the proposal")

    # 5. The proposal for the court: on screen and printed from memory, with consent and the providers.
    see(page, f"{DRR}, 12 months; {MHTR}, 6 months")
    see(page, "The person agreed to the requirements (easy read, in English)")
    click(page, "Print the proposal")  # the printed proposal names the person: an export, so the PIN again
    give_pin_again(page, "Enter your PIN to open the proposal for the court.", demo.pin)
    with page.context.expect_page() as popup_info:
        click(page, "Open the proposal to print")
    popup = popup_info.value
    pdf = httpx.get(popup.url, timeout=10)
    popup.close()
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", " ")
    assert DEFENDANT in text and "Community order, 12 months" in text
    assert "Open Road Drug and Alcohol Service (Robin Ashdown) assessed and agreed" in text

    # 6. Sentenced on the day to the combined order; without it the bench would have passed 16 weeks' custody.
    click(page, "Back to the case")
    click(page, "Sentence Not started")
    click(page, "Probation sentence", role="radio")
    click(page, "Sentenced on the day", role="radio")
    expect(page.get_by_role("checkbox", name=f"Imposed: {DRR}")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_role("checkbox", name=f"Imposed: {MHTR}")).to_have_attribute("aria-checked", "true")
    click(page, "Custody", role="radio")
    type_into(page, "Custody length", "16")
    click(page, "Weeks", role="radio")
    click(page, "Save the sentence")
    click(page, "Sentence Completed")
    see(page, "Custody 16 weeks")
    see(page, "Sentenced on the day")

    # 7. The order was 18 months, not 12: corrected with a reason, and the history says who changed what.
    click(page, "Correct the sentence record")
    type_into(page, "Length of the order in months", "18")
    click(page, "Save the sentence")
    see(page, "Say why you are correcting the record")
    type_into(page, "Reason for the correction", "The bench said 18 months; 12 was typed")
    click(page, "Save the sentence")
    click(page, "Sentence Completed")
    see(page, "History")
    expect(page.locator('[flt-semantics-identifier="record-history"]')).to_have_attribute("aria-label", re.compile(
        rf"Recorded by {demo.officer}, .*\nCorrected by {demo.officer}, .*Reason: The bench said 18 months; 12 was "
        r"typed\. Length of the order changed from 12 months to 18 months\."))
    click(page, "Back to the case")
    expect(page.get_by_role("button", name="First appointment Not started")).to_be_visible()

    # 8. The server holds every event; nothing names the defendant on disk.
    see(page, "All records synced")
    kinds = [e["kind"] for e in server_events(demo, case_id)]
    assert kinds.count("provider_agreed") == 2 and kinds.count("proposal_made") == 1
    assert kinds[-2:] == ["sentence_recorded", "correction_made"]
    assert files_containing(demo.home.parent, DEFENDANT) == []
    assert app.failures == []
