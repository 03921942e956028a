"""Shared pathway steps for tests: a provisioned tablet and a case walked through the app services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app import screening
from app.case import CaseDetails
from app.consent import consent_text
from app.site import demo_site_path, load_site
from app.tablet import OfficerSession, Tablet

PIN = "2468"
OFFICER = "cdo-sam"
TODAY = date(2026, 11, 23)


def provisioned_tablet(data_dir: Path, server_public_key: str | None = None) -> Tablet:
    tablet = Tablet(data_dir)
    tablet.install_site(load_site(demo_site_path()), "demo")
    if server_public_key:
        tablet.set_server_public_key(server_public_key)
    tablet.enrol_officer(OFFICER, PIN)
    return tablet


def details(name: str = "Zebedee Quixotic-Marchbanks", **kw: object) -> CaseDetails:
    base = dict(name=name, dob=date(1988, 5, 14), court_id="chelmsford-mc", hearing_date=TODAY,
                referral_source="probation", offence="Theft from a shop", guilty_plea_anticipated=True,
                interpreter_needed=False, language="")
    base.update(kw)
    return CaseDetails(**base)  # type: ignore[arg-type]


def alcohol_dependent_answers(tool: screening.Tool) -> dict[str, str]:
    """Answer every visible item with its highest-scoring option on AUDIT, lowest elsewhere."""
    answers: dict[str, str] = {}
    while (item := screening.next_item(tool, answers)) is not None:
        options = sorted(item.options, key=lambda o: o.score)
        answers[item.id] = (options[-1] if item.id.startswith("audit") else options[0]).value
    return answers


def walk_pathway(session: OfficerSession, name: str = "Zebedee Quixotic-Marchbanks") -> str:
    """Open a case and take it to a printed leaflet, through the same services the screens use."""
    case_id = session.open_case(details(name), TODAY)
    tool = screening.load_tool(session.tablet.site.screening_tool)
    session.record_screening(case_id, tool, alcohol_dependent_answers(tool))
    session.propose(case_id, ["ATR"])
    text = consent_text(["ATR"])
    session.record_consent(case_id, text, "agree", len(text.pages), attested=True)
    slot = session.available_slots("open-road", TODAY)[0]
    session.book_appointment(case_id, slot, TODAY)
    session.leaflet(case_id)
    session.record_leaflet_given(case_id)
    return case_id
