"""The order as a whole: legal length limits either side of 22 March 2026, the combined-order rule, alcohol
abstinence and monitoring against an ATR, and the warning when an order looks heavy for the seriousness."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules import rule_book
from app.suitability import COMMUNITY_ORDER, SUSPENDED_SENTENCE_ORDER, CaseFacts, Offence, Order, check_order

BEFORE = date(2026, 3, 21)  # last day the Sentencing Act 2020 limits apply to a conviction
FROM = date(2026, 3, 22)  # first day of the Sentencing Act 2026 limits


def raised(order: Order, convicted: date = FROM, seriousness: str | None = "medium", stage: str = "proposal",
           facts: CaseFacts | None = None) -> dict[str, str]:
    found = check_order(order, rule_book().for_date(convicted), stage, seriousness, facts)
    return {f.id: f.severity for f in found}


def community(months: int, **requirements: int) -> Order:
    return Order(COMMUNITY_ORDER, months, requirements or {"DRR": min(months, 12)})


def suspended(operational: int, supervision: int, **requirements: int) -> Order:
    return Order(SUSPENDED_SENTENCE_ORDER, operational, requirements or {"DRR": min(supervision, 6)}, supervision)


# --- Lengths, either side of 22 March 2026 -------------------------------------------------------------------


@pytest.mark.parametrize("convicted", [BEFORE, FROM])
@pytest.mark.parametrize(("months", "refused"), [(36, False), (37, True)])
def test_a_community_order_ends_within_three_years_on_both_sides_of_the_change(convicted, months, refused):
    assert ("community_order_length" in raised(community(months), convicted)) is refused


@pytest.mark.parametrize(("convicted", "months", "refused"), [
    (BEFORE, 5, True), (BEFORE, 6, False), (BEFORE, 24, False), (BEFORE, 25, True),
    (FROM, 5, True), (FROM, 6, False), (FROM, 25, False), (FROM, 36, False), (FROM, 37, True),
])
def test_the_operational_period_of_a_suspended_sentence_order_follows_the_conviction_date(convicted, months,
                                                                                           refused):
    found = raised(suspended(months, 6), convicted, "custody")
    assert ("sso_operational_period" in found) is refused
    if refused:
        assert found["sso_operational_period"] == "block"


@pytest.mark.parametrize(("convicted", "months", "refused"), [
    (BEFORE, 5, True), (BEFORE, 6, False), (BEFORE, 24, False), (BEFORE, 25, True),
    (FROM, 5, True), (FROM, 6, False), (FROM, 25, False), (FROM, 36, False), (FROM, 37, True),
])
def test_the_supervision_period_follows_the_conviction_date(convicted, months, refused):
    found = raised(suspended(36, months), convicted, "custody")
    assert ("sso_supervision_period" in found) is refused


def test_the_refusal_names_the_limit_in_force_and_its_source():
    before = check_order(suspended(25, 12), rule_book().for_date(BEFORE), "proposal", "custody")
    after = check_order(suspended(37, 12), rule_book().for_date(FROM), "proposal", "custody")
    before_text = next(f for f in before if f.id == "sso_operational_period")
    after_text = next(f for f in after if f.id == "sso_operational_period")
    assert "before 22 March 2026" in before_text.text and "25 months" in before_text.text
    assert before_text.source.startswith("Sentencing Act 2020, s 288")
    assert "on or after 22 March 2026" in after_text.text and "Sentencing Act 2026" in after_text.source


@pytest.mark.parametrize(("supervision", "operational", "refused"), [(18, 18, False), (19, 18, True)])
def test_supervision_ends_no_later_than_the_operational_period(supervision, operational, refused):
    assert ("sso_supervision_within_operational" in raised(suspended(operational, supervision), FROM,
                                                            "custody")) is refused


@pytest.mark.parametrize(("requirement", "order", "refused"), [(12, 12, False), (13, 12, True)])
def test_a_requirement_is_completed_within_the_community_order(requirement, order, refused):
    assert ("requirement_within_community_order" in raised(community(order, ATR=requirement))) is refused


@pytest.mark.parametrize(("requirement", "supervision", "refused"), [(12, 12, False), (13, 12, True)])
def test_a_requirement_is_completed_within_the_supervision_period(requirement, supervision, refused):
    found = raised(suspended(24, supervision, DRR=requirement), BEFORE, "custody")
    assert ("requirement_within_supervision" in found) is refused


@pytest.mark.parametrize(("months", "noted"), [(12, False), (13, True)])
def test_a_drr_over_twelve_months_notes_review_hearings(months, noted):
    found = raised(community(months, DRR=months), seriousness="high")
    assert ("drr_review" in found) is noted and found.get("drr_review", "note") == "note"


# --- The combined-order rule (site policy) -------------------------------------------------------------------


@pytest.mark.parametrize(("seriousness", "refused"), [
    ("low", True), ("medium", False), ("high", False), ("custody", False),
])
def test_two_treatment_requirements_only_from_the_medium_range(seriousness, refused):
    combined = community(12, DRR=12, MHTR_PRIMARY=6)
    found = raised(combined, seriousness=seriousness)
    assert ("combined_order_range" in found) is refused
    if refused:
        assert found["combined_order_range"] == "block"


def test_one_treatment_requirement_at_the_low_range_is_not_a_combined_order():
    assert "combined_order_range" not in raised(community(6, ATR=6), seriousness="low")


def test_alcohol_and_drug_treatment_together_count_as_combined():
    assert "combined_order_range" in raised(community(12, ATR=12, DRR=12), seriousness="low")


def test_the_combined_rule_is_for_the_proposal_not_the_sentence_the_court_passed():
    assert "combined_order_range" not in raised(community(12, DRR=12, MHTR_PRIMARY=6), seriousness="low",
                                                stage="sentence")


def test_primary_and_secondary_care_mhtr_together_are_refused():
    assert raised(community(12, MHTR_PRIMARY=6, MHTR_SECONDARY=12), seriousness="high")[
        "one_mental_health_requirement"] == "block"


# --- Alcohol abstinence and monitoring against an ATR --------------------------------------------------------


def test_alcohol_monitoring_cannot_sit_with_an_atr():
    order = Order(COMMUNITY_ORDER, 12, {"ATR": 12}, aamr=True)
    assert raised(order)["aamr_with_atr"] == "block"


def test_alcohol_monitoring_is_not_for_someone_the_provider_found_dependent():
    facts = CaseFacts(date(1988, 5, 14), Offence(FROM, True, "medium"), {"flags": [], "totals": {}},
                      {"ATR": {"outcome": "declined", "findings": {"dependent": True, "susceptible": False}}})
    order = Order(COMMUNITY_ORDER, 12, {"DRR": 12}, aamr=True)
    assert raised(order, facts=facts)["aamr_dependent_drinker"] == "block"


def test_alcohol_monitoring_after_a_screen_suggesting_dependence_warns_to_ask_the_provider():
    facts = CaseFacts(date(1988, 5, 14), Offence(FROM, True, "medium"), {"flags": ["atr_candidate"], "totals": {}})
    found = raised(Order(COMMUNITY_ORDER, 12, {"DRR": 12}, aamr=True), facts=facts)
    assert found == {"aamr_possible_dependence": "warn"}


def test_alcohol_monitoring_without_an_alcohol_problem_raises_nothing():
    facts = CaseFacts(date(1988, 5, 14), Offence(FROM, True, "medium"), {"flags": [], "totals": {}})
    assert raised(Order(COMMUNITY_ORDER, 12, {"DRR": 12}, aamr=True), facts=facts) == {}


# --- Heavy orders: the guideline warns, it never blocks --------------------------------------------------------


@pytest.mark.parametrize(("seriousness", "others", "warned"), [
    ("low", 0, False), ("low", 1, True), ("medium", 1, False), ("medium", 2, True), ("high", 3, False),
])
def test_an_order_heavy_for_its_seriousness_is_warned_about(seriousness, others, warned):
    order = Order(COMMUNITY_ORDER, 12, {"ATR": 12}, other_requirements=others)
    found = raised(order, seriousness=seriousness)
    heavy = {k: v for k, v in found.items() if k.startswith("heavy_for")}
    assert bool(heavy) is warned
    assert set(heavy.values()) <= {"warn"}


def test_a_suspended_sentence_below_the_custody_threshold_is_warned_about():
    assert raised(suspended(12, 12), seriousness="high")["sso_below_custody_threshold"] == "warn"
    assert "sso_below_custody_threshold" not in raised(suspended(12, 12), seriousness="custody")


def test_a_short_requirement_is_warned_about_as_site_policy():
    assert raised(community(12, ATR=5))["short_requirement"] == "warn"
    assert "short_requirement" not in raised(community(12, ATR=6))
