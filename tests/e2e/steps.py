"""Pathway steps more than one end-to-end test takes through the screens, written once."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.driving import click, next_until, see, tally, type_into


def sign_in(page: Page, name: str, pin: str) -> None:
    """Choose the officer by name and unlock with their PIN."""
    click(page, name)
    type_into(page, "PIN", pin)
    click(page, "Unlock")


def give_pin_again(page: Page, why: str, pin: str) -> None:
    """The app asks for the officer's PIN again before a sensitive action, saying why; the right one goes on."""
    see(page, "Enter your PIN again")
    see(page, why)
    type_into(page, "PIN", pin)
    click(page, "Continue")


def start_case(page: Page, name: str, born: str, referred_by: str, offence: str) -> None:
    """From today's list: the defendant's details (a guilty plea expected, no interpreter), checked and saved."""
    click(page, "Start a new case")
    type_into(page, "Full name", name)
    type_into(page, "Date of birth (DD/MM/YYYY)", born)
    click(page, "Referral source")
    click(page, referred_by)
    type_into(page, "Offence summary", offence)
    click(page, "Yes", role="radio")
    click(page, "Continue")
    click(page, "Save and start the case")


def easy_read_atr_consent_without_signature(page: Page, pin: str, language: str | None = None,
                                            interpreter: tuple[str, str] | None = None) -> None:
    """Defendant mode for an ATR: easy-read pages, the check of understanding, the decision and the separate
    choice about sharing; the person cannot sign, so the officer takes the tablet back with the PIN and attests.

    `language` is chosen in place of the one the case suggests; `interpreter` (name, spoken language) is
    recorded as helping by phone.
    """
    click(page, "Consent Not started")
    if language is not None:
        click(page, "Language")
        click(page, language)
    click(page, "Easy read: one idea a page, with pictures", role="radio")
    if interpreter is not None:
        type_into(page, "Interpreter's name", interpreter[0])
        type_into(page, "Language the interpreter speaks", interpreter[1])
        click(page, "By phone", role="radio")
    click(page, "Hand the tablet to the defendant")
    tally(page).holder = "defendant"
    expect(page.get_by_role("button", name="Lock")).to_have_count(0)
    next_until(page, "What happens if you miss an appointment?")  # one idea a page, then the questions
    for reply in ("The treatment service tells my probation officer.", "No. I can say no.",
                  "A doctor or nurse helps me stop."):
        click(page, reply)
        see(page, "That is right.")
        click(page, "Next")
    click(page, "Yes, I agree")
    next_until(page, "Do you agree that we share your information?")
    click(page, "Yes, you can share my information")
    click(page, "I cannot sign")
    see(page, "Please give the tablet back to the officer")
    tally(page).holder = "officer"
    type_into(page, "Officer PIN", pin)
    click(page, "Check the answers")
    type_into(page, "Why the person could not sign", "Injured right hand; agreed aloud")
    click(page, "I explained the requirement and the person gave this answer themselves", role="checkbox")
    click(page, "Save consent record")


def book_the_first_slot(page: Page) -> str:
    """Book the first appointment from the provider's slots; returns the slot as the screen named it."""
    click(page, "First appointment Not started")
    first_slot = page.get_by_role("radio").first
    slot_label = first_slot.get_attribute("aria-label") or first_slot.inner_text()
    tally(page).tap()
    first_slot.click()  # a tap on a time goes straight to the check
    see(page, "Check the appointment")
    click(page, "Book appointment")
    return slot_label
