"""A breach of the order: recorded through the session by the CDO, L&D or the provider practitioner whose service
delivers the order, refused before there is an order, folded into the case and counted in the return's breach
rate (orders breached over orders made), small numbers suppressed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from app import roles, screening
from app.case import FieldErrors
from app.report import STAGES, Facts, compute, facts_of
from app.tablet import Tablet
from tests.pathway import (
    ADMIN_OFFICER,
    OFFICER,
    PIN,
    PROVIDER_OFFICER,
    TODAY,
    answers_pointing_to,
    atr_agreed,
    details,
    offence,
    tablet_with_every_role,
    walk_pathway,
)

MONTH = TODAY.strftime("%Y-%m")
SENTENCED = ("referred", "screened", "suitable", "consented", "recommended", "sentenced")


@pytest.fixture
def tablet(tmp_path: Path) -> Tablet:
    return tablet_with_every_role(tmp_path)


def test_a_breach_the_cdo_records_is_kept_and_counted_at_every_stage(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(cdo)
    booking = next(iter(cdo.case(case_id).appointments))
    cdo.record_attendance(case_id, booking, True, "provider")
    case = cdo.record_breach(case_id, TODAY, "probation", TODAY)

    assert list(case.breaches.values()) == [{"breached_on": TODAY.isoformat(), "brought_by": "probation"}]
    assert [e.kind for e in cdo.events(case_id)][-1] == "breach_recorded"
    facts = facts_of(case)
    assert facts is not None and facts.stages == STAGES
    case = cdo.record_breach(case_id, TODAY, "provider", TODAY)  # a second breach of the same order is kept too
    assert len(case.breaches) == 2 and facts_of(case) == facts  # and the order is still one order breached


def test_a_breach_is_refused_before_there_is_an_order_and_for_a_date_that_cannot_be(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    opened = cdo.open_case(details("Not Yet Sentenced"), TODAY)
    with pytest.raises(FieldErrors) as refused:
        cdo.record_breach(opened, None, "the bench", TODAY)
    assert set(refused.value.errors) == {"order", "breached_on", "brought_by"}

    case_id = walk_pathway(cdo)
    with pytest.raises(FieldErrors) as refused:
        cdo.record_breach(case_id, TODAY + timedelta(days=1), "probation", TODAY)
    assert "future" in refused.value.errors["breached_on"]
    with pytest.raises(FieldErrors) as refused:
        cdo.record_breach(case_id, TODAY - timedelta(days=1), "probation", TODAY)
    assert "before the sentence" in refused.value.errors["breached_on"]
    assert not cdo.case(case_id).breaches


def test_the_provider_practitioner_records_a_breach_of_their_own_services_order_only(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    ours = walk_pathway(cdo, name="Open Road Person")  # an ATR with Open Road
    provider = tablet.unlock(PROVIDER_OFFICER, PIN)
    assert provider.record_breach(ours, TODAY, "provider", TODAY).breaches

    theirs = cdo.open_case(details("Other Service Person"), TODAY)
    tool = screening.load_tool(cdo.tablet.site.screening_tool)
    cdo.record_screening(theirs, tool, answers_pointing_to(tool, ("audit", "dast")))
    cdo.propose(theirs, ["DRR"], offence(), TODAY)
    cdo.record_provider(theirs, replace(atr_agreed(), requirement="DRR", provider_id="phoenix-futures",
                                        findings={"dependent_or_propensity": True, "susceptible": True,
                                                  "drug_testing": True}), TODAY)
    with pytest.raises(roles.NotPermitted):
        provider.record_breach(theirs, TODAY, "provider", TODAY)
    with pytest.raises(roles.NotPermitted):
        tablet.unlock(ADMIN_OFFICER, PIN).record_breach(ours, TODAY, "probation", TODAY)


def test_a_breach_recorded_in_error_is_withdrawn_with_a_reason_and_no_longer_counted(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(cdo)
    wrong = cdo.record_breach(case_id, TODAY, "probation", TODAY)
    breach_id = next(iter(wrong.breaches))
    assert facts_of(wrong) is not None and "breached" in facts_of(wrong).stages

    case = cdo.withdraw_breach(case_id, breach_id, "recorded on the wrong case")
    assert case.breaches == {}
    assert case.withdrawn_breaches == {breach_id: {"breached_on": TODAY.isoformat(), "brought_by": "probation",
                                                   "reason": "recorded on the wrong case"}}
    assert "breached" not in facts_of(case).stages  # the return stops counting it
    assert [e.kind for e in cdo.events(case_id)][-2:] == ["breach_recorded", "breach_withdrawn"]  # nothing deleted

    again = cdo.record_breach(case_id, TODAY, "provider", TODAY)  # a real breach later counts as before
    assert len(again.breaches) == 1 and "breached" in facts_of(again).stages


def test_a_withdrawal_must_name_a_breach_of_this_case_and_say_why(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(cdo)
    breach_id = next(iter(cdo.record_breach(case_id, TODAY, "probation", TODAY).breaches))
    with pytest.raises(FieldErrors) as refused:
        cdo.withdraw_breach(case_id, "not-a-breach", " ")
    assert set(refused.value.errors) == {"breach", "reason"}
    cdo.withdraw_breach(case_id, breach_id, "the breach was not brought after all")
    with pytest.raises(FieldErrors) as refused:  # withdrawn once: not offered again
        cdo.withdraw_breach(case_id, breach_id, "the breach was not brought after all")
    assert set(refused.value.errors) == {"breach"}


def test_the_provider_practitioner_may_withdraw_a_breach_and_the_site_admin_may_not(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    ours = walk_pathway(cdo, name="Open Road Person")
    provider = tablet.unlock(PROVIDER_OFFICER, PIN)
    breach_id = next(iter(provider.record_breach(ours, TODAY, "provider", TODAY).breaches))
    with pytest.raises(roles.NotPermitted):
        tablet.unlock(ADMIN_OFFICER, PIN).withdraw_breach(ours, breach_id, "recorded on the wrong case")
    assert provider.withdraw_breach(ours, breach_id, "recorded on the wrong case").breaches == {}


def orders(n: int, breached: bool = False) -> list[Facts]:
    stages = (*SENTENCED, "breached") if breached else SENTENCED
    return [Facts(month=MONTH, court_id="chelmsford-mc", referral_source="court_duty_officer", stages=stages,
                  requirements=("ATR",), order_months=12) for _ in range(n)]


def test_the_breach_rate_is_orders_breached_over_orders_made_and_small_numbers_are_suppressed() -> None:
    report = compute("demo", (MONTH,), orders(92) + orders(8, breached=True))
    rate = report.line("headline", "breach_rate_percent")
    assert rate is not None and (rate.value, rate.shown(True)) == (8, "8")
    assert report.value("funnel", "breached", requirement="ATR") == 8

    few = compute("demo", (MONTH,), orders(96) + orders(4, breached=True)).line("headline", "breach_rate_percent")
    assert few is not None and (few.value, few.shown(True), few.shown(False)) == (4, "*", "4")


def test_facts_stored_before_breaches_were_recorded_still_load() -> None:
    stored = {"month": MONTH, "court_id": "chelmsford-mc", "referral_source": "probation", "stages": list(SENTENCED),
              "requirements": ["ATR"], "order_months": 12, "requirement_months": {"ATR": 12}, "short_form": None,
              "consent_format": "standard", "consent_locale": "en", "interpreter": False, "equality": {}}
    facts = Facts.from_json(stored)
    assert "breached" not in facts.stages
    assert compute("demo", (MONTH,), [facts] * 5).value("funnel", "breached") == 0
