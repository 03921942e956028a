"""Suitability per requirement: every criterion met, not met or unknown with its reason and source, and the
status that follows (eligible / not eligible / waiting for the provider, the person's consent, or the officer).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from app.rules import rule_book
from app.suitability import (
    ELIGIBLE,
    NEEDS_CONSENT,
    NEEDS_INFORMATION,
    NEEDS_PROVIDER,
    NOT_ELIGIBLE,
    CaseFacts,
    Offence,
    assess,
)

# A conviction under the Sentencing Act 2026 limits (in force from 22 March 2026). `assess` never compares it
# with today, so its meaning does not change with the day the tests run.
CONVICTED = date(2026, 11, 23)
FLAGS = {"ATR": "atr_candidate", "DRR": "drr_candidate", "MHTR_PRIMARY": "mhtr_primary_candidate",
         "MHTR_SECONDARY": "mhtr_secondary_indicator"}
# What a provider finds when everything fits (a hospital order is *not* warranted).
FITS = {
    "ATR": {"dependent": True, "susceptible": True},
    "DRR": {"dependent_or_propensity": True, "susceptible": True, "drug_testing": True},
    "MHTR_PRIMARY": {"requires_treatment": True, "hospital_order_warranted": False, "registered_practitioner": True,
                     "below_secondary_threshold": True},
    "MHTR_SECONDARY": {"requires_treatment": True, "hospital_order_warranted": False,
                       "registered_practitioner": True, "meets_secondary_threshold": True},
}


def agreed(requirement: str, **findings: bool | None) -> dict[str, Any]:
    return {"requirement": requirement, "provider_name": "Open Road Drug and Alcohol Service",
            "practitioner": "Robin Ashdown", "contacted_on": "2026-11-23", "contacted_at": "10:30",
            "method": "phone", "outcome": "agreed", "months": 12, "findings": {**FITS[requirement], **findings}}


def everything_fits(requirement: str) -> CaseFacts:
    """Screened, assessed and agreed by the provider, and the person consented: every criterion met."""
    return CaseFacts(
        dob=date(1988, 5, 14), offence=Offence(CONVICTED, True, "medium"),
        screening={"flags": [FLAGS[requirement]], "totals": {"audit": 24, "dast10": 5, "phq9": 14}},
        providers={requirement: agreed(requirement)},
        consent={"decision": "agree", "requirements": [requirement], "format": "easy_read", "locale": "en"})


def criterion(facts: CaseFacts, requirement: str, criterion_id: str) -> tuple[str, str, str]:
    decision = assess(facts).decision(requirement)
    found = next(c for c in decision.criteria if c.id == criterion_id)
    return found.result, decision.status, found.reason


def with_findings(requirement: str, **findings: bool | None):
    def change(facts: CaseFacts) -> CaseFacts:
        return replace(facts, providers={requirement: agreed(requirement, **findings)})
    return change


def offence(**changes: Any):
    return lambda facts: replace(facts, offence=replace(facts.offence, **changes))


def provider(outcome: str | None):
    def change(facts: CaseFacts) -> CaseFacts:
        if outcome is None:
            return replace(facts, providers={})
        requirement = next(iter(facts.providers))
        return replace(facts, providers={requirement: {**facts.providers[requirement], "outcome": outcome}})
    return change


def consent(decision: str | None, requirements: list[str] | None = None):
    def change(facts: CaseFacts) -> CaseFacts:
        if decision is None:
            return replace(facts, consent=None)
        return replace(facts, consent={"decision": decision, "requirements": requirements or list(facts.providers),
                                       "format": "easy_read", "locale": "en"})
    return change


def not_screened_not_assessed(facts: CaseFacts) -> CaseFacts:
    return replace(facts, screening={"flags": [], "totals": {"audit": 3}}, providers={})


def no_screening_no_provider(facts: CaseFacts) -> CaseFacts:
    return replace(facts, screening=None, providers={})


# (requirement, criterion, change for not met, change for unknown, what an unknown waits for)
PATHS = [
    ("ATR", "adult", lambda f: replace(f, dob=date(2009, 1, 10)), lambda f: replace(f, dob=None), NEEDS_INFORMATION),
    ("DRR", "imprisonable", offence(imprisonable=False), offence(imprisonable=None), NEEDS_INFORMATION),
    ("MHTR_PRIMARY", "serious_enough", offence(seriousness="below_community"), offence(seriousness=None),
     NEEDS_INFORMATION),
    ("ATR", "indicated", not_screened_not_assessed, no_screening_no_provider, NEEDS_PROVIDER),
    ("ATR", "alcohol_dependent", with_findings("ATR", dependent=False), with_findings("ATR", dependent=None),
     NEEDS_PROVIDER),
    ("ATR", "alcohol_susceptible", with_findings("ATR", susceptible=False), with_findings("ATR", susceptible=None),
     NEEDS_PROVIDER),
    ("DRR", "drug_dependent", with_findings("DRR", dependent_or_propensity=False),
     with_findings("DRR", dependent_or_propensity=None), NEEDS_PROVIDER),
    ("DRR", "drug_susceptible", with_findings("DRR", susceptible=False), with_findings("DRR", susceptible=None),
     NEEDS_PROVIDER),
    ("DRR", "drug_testing", with_findings("DRR", drug_testing=False), with_findings("DRR", drug_testing=None),
     NEEDS_PROVIDER),
    ("MHTR_PRIMARY", "mental_condition", with_findings("MHTR_PRIMARY", requires_treatment=False),
     with_findings("MHTR_PRIMARY", requires_treatment=None), NEEDS_PROVIDER),
    ("MHTR_SECONDARY", "no_hospital_order", with_findings("MHTR_SECONDARY", hospital_order_warranted=True),
     with_findings("MHTR_SECONDARY", hospital_order_warranted=None), NEEDS_PROVIDER),
    ("MHTR_SECONDARY", "registered_practitioner", with_findings("MHTR_SECONDARY", registered_practitioner=False),
     with_findings("MHTR_SECONDARY", registered_practitioner=None), NEEDS_PROVIDER),
    ("MHTR_PRIMARY", "primary_care_threshold", with_findings("MHTR_PRIMARY", below_secondary_threshold=False),
     with_findings("MHTR_PRIMARY", below_secondary_threshold=None), NEEDS_PROVIDER),
    ("MHTR_SECONDARY", "secondary_care_threshold", with_findings("MHTR_SECONDARY", meets_secondary_threshold=False),
     with_findings("MHTR_SECONDARY", meets_secondary_threshold=None), NEEDS_PROVIDER),
    ("DRR", "arrangements", provider("declined"), provider("pending"), NEEDS_PROVIDER),
    ("MHTR_PRIMARY", "willing", consent("disagree"), consent("more_time"), NEEDS_CONSENT),
]


@pytest.mark.parametrize(("requirement", "criterion_id", "_not_met", "_unknown", "_waits"), PATHS,
                         ids=[f"{r}-{c}" for r, c, *_ in PATHS])
def test_when_everything_fits_the_criterion_is_met_and_the_requirement_eligible(
        requirement, criterion_id, _not_met, _unknown, _waits):
    result, status, reason = criterion(everything_fits(requirement), requirement, criterion_id)
    assert (result, status) == ("met", ELIGIBLE)
    assert reason and "{" not in reason


@pytest.mark.parametrize(("requirement", "criterion_id", "not_met", "_unknown", "_waits"), PATHS,
                         ids=[f"{r}-{c}" for r, c, *_ in PATHS])
def test_a_criterion_not_met_makes_the_requirement_not_eligible(requirement, criterion_id, not_met, _unknown,
                                                                _waits):
    result, status, _reason = criterion(not_met(everything_fits(requirement)), requirement, criterion_id)
    assert (result, status) == ("not_met", NOT_ELIGIBLE)


@pytest.mark.parametrize(("requirement", "criterion_id", "_not_met", "unknown", "waits"), PATHS,
                         ids=[f"{r}-{c}" for r, c, *_ in PATHS])
def test_an_unknown_criterion_leaves_the_requirement_waiting_for_whoever_can_settle_it(
        requirement, criterion_id, _not_met, unknown, waits):
    result, status, _reason = criterion(unknown(everything_fits(requirement)), requirement, criterion_id)
    assert (result, status) == ("unknown", waits)


def test_every_criterion_in_the_rules_has_its_three_paths_tested():
    tested = {c for _r, c, *_ in PATHS}
    assert tested == {c.id for c in rule_book().criteria}


def test_every_criterion_carries_its_reason_and_source():
    decision = assess(everything_fits("DRR")).decision("DRR")
    by_id = {c.id: c for c in decision.criteria}
    assert "Aged 38 on the date of conviction, 23 November 2026" == by_id["adult"].reason
    assert by_id["adult"].source.startswith("Sentencing Act 2020, s 202")
    assert by_id["drug_testing"].source.startswith("Sentencing Act 2020, Sch 9 Pt 10")
    assert by_id["indicated"].source_kind == "policy"
    assert "Open Road Drug and Alcohol Service (Robin Ashdown) assessed and agreed, 12 months" in \
        by_id["arrangements"].reason
    assert "by phone" in by_id["arrangements"].reason
    assert by_id["willing"].reason == "The person agreed on the tablet (easy read, in English)"


def test_a_screening_that_points_elsewhere_says_so_with_the_score():
    facts = replace(everything_fits("ATR"), screening={"flags": ["drr_candidate"], "totals": {"dast10": 6}})
    drr = assess(facts).decision("DRR")
    indicated = next(c for c in drr.criteria if c.id == "indicated")
    assert indicated.result == "met" and indicated.reason == "Screening points to it: DAST-10 6"


def test_consent_withdrawn_is_no_longer_willingness():
    result, status, reason = criterion(consent("withdrawn")(everything_fits("ATR")), "ATR", "willing")
    assert (result, status, reason) == ("not_met", NOT_ELIGIBLE, "The person withdrew their consent")


def test_consent_to_another_requirement_does_not_count_as_willingness_for_this_one():
    facts = consent("agree", ["ATR"])(everything_fits("DRR"))
    result, status, reason = criterion(facts, "DRR", "willing")
    assert (result, status) == ("unknown", NEEDS_CONSENT)
    assert "does not cover this requirement" in reason


def test_the_provider_not_yet_asked_keeps_every_provider_criterion_unknown():
    facts = replace(everything_fits("ATR"), providers={}, consent=None)
    decision = assess(facts).decision("ATR")
    unknown = {c.id for c in decision.outstanding}
    assert unknown == {"alcohol_dependent", "alcohol_susceptible", "arrangements", "willing"}
    assert decision.status == NEEDS_PROVIDER


def test_age_is_taken_on_the_date_of_conviction_not_the_hearing():
    turns_18 = date(2008, 11, 24)  # eighteen the day after conviction
    facts = replace(everything_fits("ATR"), dob=turns_18)
    assert criterion(facts, "ATR", "adult")[:2] == ("not_met", NOT_ELIGIBLE)
    later = replace(facts, offence=replace(facts.offence, conviction_date=date(2026, 11, 24)))
    assert criterion(later, "ATR", "adult")[0] == "met"


@pytest.mark.parametrize(("convicted", "result"), [
    (date(2026, 2, 28), "not_met"),  # a common year: the 18th birthday has not come yet
    (date(2026, 3, 1), "met"),  # it comes on 1 March (Family Law Reform Act 1969, s 9; see statute.toml)
    (date(2028, 2, 28), "met"),
])
def test_someone_born_on_29_february_turns_18_on_1_march_in_a_common_year(convicted, result):
    leap_born = date(2008, 2, 29)  # these dates are the rule's own example: they mean the same on any day
    facts = replace(everything_fits("ATR"), dob=leap_born,
                    offence=replace(everything_fits("ATR").offence, conviction_date=convicted))
    assert criterion(facts, "ATR", "adult")[0] == result
