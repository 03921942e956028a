"""Shared pathway steps for tests: a provisioned tablet and a case walked through the app services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from app import clock, screening
from app.case import CaseDetails
from app.consent import consent_texts
from app.consent_record import ConsentDetails, Interpreter, Signature
from app.i18n import language
from app.proposal import ProposalInput, ProviderArrangement
from app.sentence import SentenceRecord
from app.site import demo_site_path, load_site
from app.suitability import COMMUNITY_ORDER, Offence, Order
from app.tablet import OfficerSession, Tablet

PIN = "2468"
OFFICER = "cdo-sam"
# The day the tests run (in England), or the day libfaketime says it is: never a fixed date, so a case opened
# "today" is always today for the app's own date checks (a hearing date in the past is refused).
TODAY = clock.today()


def born_years_before(years: int, day: date) -> date:
    """A date of birth that makes someone exactly `years` old on `day`: the same day of the year, or 28 February
    for a `day` of 29 February (there is no 29 February that many years before in most years)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def next_clock_change(after: date, forward: bool) -> date:
    """The first Sunday after `after` on which England's clocks go forward (GMT to BST) or back."""
    day = after
    for _ in range(400):
        day += timedelta(days=1)
        before, on = (datetime.combine(d, time(12), clock.LONDON).utcoffset() for d in (day - timedelta(days=1), day))
        if before != on and (on > before) == forward:  # type: ignore[operator]
            return day
    raise AssertionError(f"no clock change within 400 days of {after}")


def provisioned_tablet(data_dir: Path, server_public_key: str | None = None) -> Tablet:
    tablet = Tablet(data_dir)
    tablet.install_site(load_site(demo_site_path()), "demo")
    if server_public_key:
        tablet.set_server_public_key(server_public_key)
    tablet.enrol_officer(OFFICER, PIN)
    return tablet


PROVIDER_OFFICER, ADMIN_OFFICER = "prov-robin", "admin-alex"  # Open Road's practitioner; the site admin


def tablet_with_every_role(data_dir: Path) -> Tablet:
    """The demo tablet with Open Road's practitioner and the site admin enrolled beside the CDO."""
    tablet = provisioned_tablet(data_dir)
    key = tablet.unlock(OFFICER, PIN)._key
    for officer in (PROVIDER_OFFICER, ADMIN_OFFICER):
        tablet.enrol_officer(officer, PIN, data_key=key)
    return tablet


def details(name: str = "Zebedee Quixotic-Marchbanks", **kw: object) -> CaseDetails:
    base = dict(name=name, dob=date(1988, 5, 14), court_id="chelmsford-mc", hearing_date=TODAY,
                referral_source="probation", offence="Theft from a shop", guilty_plea_anticipated=True,
                interpreter_needed=False, language="")
    base.update(kw)
    return CaseDetails(**base)  # type: ignore[arg-type]


def as_asked(tool: screening.Tool, answers: dict[str, Any], stop: str | None = None) -> Iterator[screening.Item]:
    """Each question in the order the tool asks it, up to (not including) `stop`; the caller puts each answer into
    `answers` before taking the next. A tool that asks a question again (it refused the answer given), or asks
    more questions than it has, fails the test naming that question instead of looping for ever."""
    for _ in range(len(tool.item_ids) + 1):
        item = screening.next_item(tool, answers)
        if item is None or item.id == stop:
            return
        if item.id in answers:
            pytest.fail(f"the screening asked {item.id!r} ({item.text!r}) again: it refused the answer "
                        f"{answers[item.id]!r}", pytrace=False)
        yield item
        if item.id not in answers:
            pytest.fail(f"no answer was given to {item.id!r} ({item.text!r})", pytrace=False)
    pytest.fail(f"the screening asked more than its {len(tool.item_ids)} questions", pytrace=False)


def answers_pointing_to(tool: screening.Tool, prefixes: tuple[str, ...]) -> dict[str, str]:
    """The highest-scoring option on the items whose ids start with these prefixes (the instruments that should
    flag), the lowest elsewhere; PHQ-9 item 9 stays at 0 so the risk instruction does not interrupt."""
    answers: dict[str, str] = {}
    for item in as_asked(tool, answers):
        options = sorted(item.options, key=lambda o: o.score)
        high = item.id.startswith(prefixes) and item.id != "phq9_9"
        answers[item.id] = (options[-1] if high else options[0]).value
    return answers


def alcohol_dependent_answers(tool: screening.Tool) -> dict[str, str]:
    """Answer every visible item with its highest-scoring option on AUDIT, lowest elsewhere."""
    return answers_pointing_to(tool, ("audit",))


def ld_answers(tool: screening.Tool) -> dict[str, object]:
    """Charged, expects to plead guilty, drinks at a dependent level, nothing else: the CDO is to be alerted."""
    answers: dict[str, object] = {}
    for item in as_asked(tool, answers):
        options = sorted(item.options, key=lambda o: o.score)
        if item.id in ("custody_charged", "custody_plea"):
            answers[item.id] = "yes"
        elif item.kind == "date":
            answers[item.id] = TODAY.isoformat()
        elif item.kind == "multiple":
            answers[item.id] = ["alcohol"] if item.id == "substances_used" else [options[0].value]
        elif item.kind == "number":
            answers[item.id] = item.minimum
        elif item.kind == "text":
            answers[item.id] = "Polish"
        else:
            answers[item.id] = (options[-1] if item.id.startswith("audit") else options[0]).value
    return answers


def offence(seriousness: str = "medium", convicted: date = TODAY) -> Offence:
    return Offence(conviction_date=convicted, imprisonable=True, seriousness=seriousness)


def atr_agreed(months: int = 12) -> ProviderArrangement:
    """Open Road assessed the person by phone as alcohol dependent and agreed an ATR."""
    return ProviderArrangement(requirement="ATR", provider_id="open-road", practitioner="Robin Ashdown",
                               contacted_on=TODAY, contacted_at="10:30", method="phone", outcome="agreed",
                               findings={"dependent": True, "susceptible": True}, months=months)


def atr_sentence(months: int = 12) -> SentenceRecord:
    """A community order with an ATR, on the day; without it the bench would have passed 12 weeks' custody."""
    return SentenceRecord(outcome="probation_sentence", sentence_date=TODAY, sentenced_on_day=True,
                          order=Order(COMMUNITY_ORDER, months, {"ATR": months}), short_form="custody",
                          custody_length=12, custody_unit="weeks")


# A short zigzag drawn on the signature pad, as points (the record keeps strokes, not a picture).
A_SIGNATURE = Signature(strokes=(((20.0, 80.0), (40.0, 40.0), (60.0, 80.0), (80.0, 40.0), (100.0, 80.0)),),
                        width=400.0, height=160.0)


def give_consent(session: OfficerSession, case_id: str, requirements: list[str], locale: str = "en") -> None:
    """The person reads every page (in English easy read unless `locale` says otherwise, then with an interpreter
    on the phone, as a draft translation needs), agrees to treatment and to sharing, and signs."""
    text, share = consent_texts(requirements, locale)
    interpreter = Interpreter("Anna Nowak", language(locale).english, "phone") if locale != "en" else None
    session.record_consent(case_id, text, "agree", len(text.pages), attested=True, details=ConsentDetails(
        share_text=share, share_decision="agree", signature=A_SIGNATURE, interpreter=interpreter))


def walk_pathway(session: OfficerSession, name: str = "Zebedee Quixotic-Marchbanks", locale: str = "en",
                 leaflet: bool = True, on: date = TODAY) -> str:
    """Open a case and take it to a printed leaflet (or to the booked appointment), through the same services the
    screens use; consent is taken in `locale`."""
    case_id = session.open_case(details(name, hearing_date=on), on)
    tool = screening.load_tool(session.tablet.site.screening_tool)
    session.record_screening(case_id, tool, alcohol_dependent_answers(tool))
    session.propose(case_id, ["ATR"], offence(convicted=on), on)
    session.record_provider(case_id, replace(atr_agreed(), contacted_on=on), on)
    give_consent(session, case_id, ["ATR"], locale)
    session.make_proposal(case_id, ProposalInput(("ATR",), COMMUNITY_ORDER, 12))
    session.record_sentence(case_id, replace(atr_sentence(), sentence_date=on), on)
    slot = session.available_slots("open-road", on)[0]
    session.book_appointment(case_id, slot, on)
    if leaflet:
        session.leaflet(case_id)
        session.record_leaflet_given(case_id)
    return case_id
