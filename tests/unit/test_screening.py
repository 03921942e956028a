"""The instruments score as published, and the demo site's court screen works the way a CDO uses it."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import clock
from app.screening import (
    TOOLS_DIR,
    Item,
    Tool,
    from_details,
    load_tool,
    next_item,
    prune,
    score,
    screens,
    validate_answers,
    visible_items,
)

TOOL = load_tool("cdo_court_screen")
EXAMPLE_TOOLS = ("cdo_court_screen", "ld_custody_screen", "primary_care_mhtr_screen")
PUBLISHED_RANGES = {"audit_c": (0, 12), "audit_dependence": (0, 12), "audit_harm": (0, 16), "audit": (0, 40),
                    "dast10": (0, 10), "phq9": (0, 27), "phq2": (0, 6), "gad7": (0, 21), "gad2": (0, 6),
                    "k10": (10, 50)}
NO_NEEDS = {"needs_interpreter": "no", "needs_communication": "no", "needs_reading": "no",
            "needs_learning_disability": "no", "needs_extra_help_school": "no", "needs_secondary_mh": "no",
            "needs_substance_service": "no", "needs_housing": "settled", "needs_pregnancy": "not_applicable",
            "needs_carer": "no", "needs_veteran": "no"}


def _fill(prefix: str, count: int, total: int, top: int, steps: tuple[int, ...] = ()) -> dict[str, str]:
    """Answers scoring `total` on an instrument whose options' values are their scores, filled greedily."""
    answers: dict[str, str] = {}
    for n in range(1, count + 1):
        allowed = steps if n > count - len(steps) else tuple(range(top + 1))
        pick = max(s for s in allowed if s <= total)
        answers[f"{prefix}_{n}"] = str(pick)
        total -= pick
    assert total == 0, "the target total cannot be reached"
    return answers


def audit(total: int) -> dict[str, str]:
    """All ten AUDIT answers scoring `total` (items 9 and 10 only score 0, 2 or 4)."""
    return _fill("audit", 10, total, 4, steps=(0, 2, 4))


def phq9(total: int, item9: int = 0) -> dict[str, str]:
    return _fill("phq9", 8, total - item9, 3) | {"phq9_9": str(item9)}


def gad7(total: int) -> dict[str, str]:
    return _fill("gad7", 7, total, 3)


def dast10(total: int) -> dict[str, str]:
    """DAST-10 answers scoring `total`; item 3 is answered "yes" (scores 0) unless all ten must score."""
    others = [n for n in range(1, 11) if n != 3]
    answers = {f"dast10_{n}": "yes" if i < total else "no" for i, n in enumerate(others)}
    return answers | {"dast10_3": "no" if total == 10 else "yes"}


def screen(**parts: dict[str, str]) -> dict[str, str]:
    """A whole court screen: no needs, nothing scoring, overridden by `parts` (hidden answers dropped)."""
    answers = NO_NEEDS | audit(0) | dast10(0) | phq9(0) | gad7(0)
    for part in parts.values():
        answers |= part
    return prune(TOOL, answers)


def ids(items: list[Item]) -> list[str]:
    return [i.id for i in items]


# --- The tool as loaded ----------------------------------------------------------------------------


def test_the_demo_tool_is_the_agreed_version_and_cites_its_exact_content() -> None:
    assert (TOOL.id, TOOL.version) == ("cdo_court_screen", "2.2.0")
    assert re.fullmatch(r"[0-9a-f]{64}", TOOL.content_hash)
    assert load_tool(TOOLS_DIR / "cdo_court_screen.toml").content_hash == TOOL.content_hash
    assert {t.id: (t.minimum, t.maximum) for t in TOOL.totals} == {
        k: v for k, v in PUBLISHED_RANGES.items() if k != "k10"}
    assert all(i.source for i in TOOL.items)
    assert [s.id for s in TOOL.sections] == ["communication", "services", "vulnerability", "audit", "dast10",
                                             "phq9", "gad7"]


def test_changing_an_included_instrument_changes_the_content_hash(tmp_path: Path) -> None:
    copy = tmp_path / "tools"
    shutil.copytree(TOOLS_DIR, copy)
    gad = copy / "instruments" / "gad7.toml"
    gad.write_text(gad.read_text().replace("Trouble relaxing", "Trouble relaxing "))
    assert load_tool(copy / "cdo_court_screen.toml").content_hash != TOOL.content_hash


def test_each_item_carries_its_own_source_and_licence_where_it_differs_from_its_block() -> None:
    assert "public domain" in TOOL.item("audit_1").licence
    assert "not for commercial use" in TOOL.item("audit_4").licence
    assert TOOL.item("needs_veteran").source.startswith("Question recommended by NHS England")
    assert TOOL.item("phq9_1").source == TOOL.section("phq9").source


def test_the_officer_asks_about_communication_first() -> None:
    assert next_item(TOOL, {}) == TOOL.item("needs_interpreter")
    assert next_item(TOOL, NO_NEEDS) == TOOL.item("audit_1")


def test_nothing_answered_gives_no_totals_and_no_flags() -> None:
    result = score(TOOL, {})
    assert (result.totals, result.bands, result.flags, result.complete) == ({}, {}, frozenset(), False)


# --- Worked examples: each instrument scored by its published rules --------------------------------------


def test_worked_example_audit_c_positive_then_the_full_audit() -> None:
    # 2-4 times a month (2), 5-6 units (2), 6+/8+ units monthly (2): AUDIT-C 6, positive at 5.
    answers = NO_NEEDS | {"audit_1": "2", "audit_2": "2", "audit_3": "2"}
    assert score(TOOL, answers).bands["audit_c"] == "AUDIT-C positive: complete the full AUDIT"
    # Then: cannot stop less than monthly (1), never failed (0), never a morning drink (0), guilt monthly (2),
    # blackout less than monthly (1), nobody injured (0), someone concerned in the last year (4).
    answers |= {"audit_4": "1", "audit_5": "0", "audit_6": "0", "audit_7": "2", "audit_8": "1", "audit_9": "0",
                "audit_10": "4"}
    result = score(TOOL, answers)
    assert {k: result.totals[k] for k in ("audit_c", "audit_dependence", "audit_harm", "audit")} == {
        "audit_c": 6, "audit_dependence": 1, "audit_harm": 7, "audit": 14}
    assert result.bands["audit"] == "Increasing risk"
    assert "atr_candidate" not in result.flags


def test_worked_example_dast10_with_the_reverse_scored_third_question() -> None:
    # Used drugs (1), more than one at a time (1), NOT always able to stop (1), guilty (1), others "no".
    answers = {f"dast10_{n}": "no" for n in range(1, 11)} | {"dast10_1": "yes", "dast10_2": "yes",
                                                             "dast10_5": "yes"}
    result = score(TOOL, answers)
    assert (result.totals["dast10"], result.bands["dast10"]) == (4, "Moderate level")
    assert "drr_candidate" in result.flags


def test_worked_example_phq9_and_its_phq2() -> None:
    # 1 + 2 + 3 + 2 + 1 + 1 + 0 + 0 + 0 = 10: moderate; PHQ-2 = 1 + 2 = 3: positive.
    answers = {f"phq9_{n}": str(s) for n, s in enumerate([1, 2, 3, 2, 1, 1, 0, 0, 0], start=1)}
    result = score(TOOL, answers)
    assert (result.totals["phq9"], result.bands["phq9"]) == (10, "Moderate")
    assert (result.totals["phq2"], result.bands["phq2"]) == (3, "PHQ-2 positive")


def test_worked_example_gad7_and_its_gad2() -> None:
    # 3 + 3 + 2 + 2 + 1 + 2 + 3 = 16: severe; GAD-2 = 6.
    answers = {f"gad7_{n}": str(s) for n, s in enumerate([3, 3, 2, 2, 1, 2, 3], start=1)}
    result = score(TOOL, answers)
    assert (result.totals["gad7"], result.bands["gad7"]) == (16, "Severe")
    assert (result.totals["gad2"], result.bands["gad2"]) == (6, "GAD-2 positive")


@pytest.mark.parametrize(
    ("scores", "total", "band"),
    [([1] * 10, 10, "Likely to be well"),
     ([2] * 9 + [1], 19, "Likely to be well"),
     ([2] * 10, 20, "Likely to have a mild mental disorder"),
     ([3, 3, 3, 3, 3, 2, 2, 2, 2, 2], 25, "Likely to have a moderate mental disorder"),
     ([3] * 10, 30, "Likely to have a severe mental disorder"),
     ([5] * 10, 50, "Likely to have a severe mental disorder")],
)
def test_worked_examples_k10_scores_1_to_5_per_item_and_runs_10_to_50(scores: list[int], total: int,
                                                                      band: str) -> None:
    tool = load_tool("ld_custody_screen")
    answers = {f"k10_{n}": str(s) for n, s in enumerate(scores, start=1)}
    result = score(tool, answers)
    assert (result.totals["k10"], result.bands["k10"]) == (total, band)


# --- Alcohol: AUDIT-C, then the full AUDIT -----------------------------------------------------------


def test_audit_c_of_4_hides_the_rest_of_the_audit() -> None:
    answers = NO_NEEDS | {"audit_1": "2", "audit_2": "1", "audit_3": "1"}
    shown = ids(visible_items(TOOL, answers))
    assert not {f"audit_{n}" for n in range(4, 11)} & set(shown)
    assert next_item(TOOL, answers) == TOOL.item("dast10_1")
    result = score(TOOL, answers)
    assert result.totals["audit_c"] == 4
    assert result.bands["audit_c"].startswith("Lower risk")


def test_audit_c_of_5_shows_the_remaining_seven_questions() -> None:
    answers = NO_NEEDS | {"audit_1": "2", "audit_2": "2", "audit_3": "1"}
    shown = ids(visible_items(TOOL, answers))
    assert {f"audit_{n}" for n in range(4, 11)} <= set(shown)
    assert next_item(TOOL, answers) == TOOL.item("audit_4")
    assert "positive" in score(TOOL, answers).bands["audit_c"]


def test_answers_to_questions_that_became_hidden_are_dropped_and_never_stored() -> None:
    answers = NO_NEEDS | audit(30) | {"audit_1": "0", "audit_2": "0", "audit_3": "0"}
    problems = validate_answers(TOOL, answers)
    assert len(problems) == 7 and all("is not asked with these answers" in p for p in problems)
    with pytest.raises(ValueError, match="do not fit"):
        score(TOOL, answers)
    kept = prune(TOOL, answers)
    assert not any(f"audit_{n}" in kept for n in range(4, 11))
    assert validate_answers(TOOL, kept) == []
    assert score(TOOL, kept).totals["audit"] == 0


def test_questions_9_and_10_score_0_2_or_4() -> None:
    for item_id in ("audit_9", "audit_10"):
        assert [o.score for o in TOOL.item(item_id).options] == [0, 2, 4]
    base = audit(12)
    assert score(TOOL, screen(a=base | {"audit_9": "2"})).totals["audit"] == 14
    assert score(TOOL, screen(a=base | {"audit_9": "4", "audit_10": "4"})).totals["audit"] == 20


@pytest.mark.parametrize(
    ("total", "band"),
    [(5, "Lower risk"), (7, "Lower risk"), (8, "Increasing risk"), (15, "Increasing risk"),
     (16, "Higher risk"), (19, "Higher risk"), (20, "Possible dependence"), (40, "Possible dependence")],
)
def test_audit_bands_and_the_atr_candidate_at_20(total: int, band: str) -> None:
    result = score(TOOL, screen(a=audit(total)))
    assert result.totals["audit"] == total
    assert result.bands["audit"] == band
    assert ("atr_candidate" in result.flags) == (total >= 20)


# --- Drugs: DAST-10 ------------------------------------------------------------------------------------


def test_dast10_question_3_is_reverse_scored() -> None:
    assert [(o.value, o.score) for o in TOOL.item("dast10_3").options] == [("yes", 0), ("no", 1)]
    all_no = {f"dast10_{n}": "no" for n in range(1, 11)}
    assert score(TOOL, screen(d=all_no)).totals["dast10"] == 1
    assert score(TOOL, screen(d=all_no | {"dast10_3": "yes"})).totals["dast10"] == 0


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "No problems reported"), (1, "Low level"), (2, "Low level"), (3, "Moderate level"),
     (5, "Moderate level"), (6, "Substantial level"), (8, "Substantial level"), (9, "Severe level"),
     (10, "Severe level")],
)
def test_dast10_bands_and_the_drr_candidate_at_3(total: int, band: str) -> None:
    result = score(TOOL, screen(d=dast10(total)))
    assert result.totals["dast10"] == total
    assert result.bands["dast10"] == band
    assert ("drr_candidate" in result.flags) == (total >= 3)


# --- Mental health: PHQ-9, GAD-7, primary or secondary care MHTR ---------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
     (15, "Moderately severe"), (19, "Moderately severe"), (20, "Severe"), (27, "Severe")],
)
def test_phq9_bands(total: int, band: str) -> None:
    item9 = 3 if total == 27 else 0
    result = score(TOOL, screen(p=phq9(total, item9=item9)))
    assert (result.totals["phq9"], result.bands["phq9"]) == (total, band)


@pytest.mark.parametrize(("total", "item9"), [(1, 1), (5, 1), (27, 3)])
def test_phq9_question_9_above_0_triggers_the_risk_procedure_whatever_the_total(total: int, item9: int) -> None:
    result = score(TOOL, screen(p=phq9(total, item9=item9)))
    assert result.totals["phq9"] == total
    assert "risk_immediate" in result.flags
    assert len(result.risk_messages) == 1
    assert "local risk procedure" in result.risk_messages[0]


def test_a_high_phq9_without_question_9_fires_no_risk_trigger() -> None:
    result = score(TOOL, screen(p=phq9(24)))
    assert "risk_immediate" not in result.flags
    assert result.risk_messages == ()


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
     (15, "Severe"), (21, "Severe")],
)
def test_gad7_bands(total: int, band: str) -> None:
    result = score(TOOL, screen(g=gad7(total)))
    assert (result.totals["gad7"], result.bands["gad7"]) == (total, band)


@pytest.mark.parametrize(
    ("phq", "gad", "secondary", "expected"),
    [
        (10, 0, "no", {"mhtr_primary_candidate"}),
        (0, 10, "no", {"mhtr_primary_candidate"}),
        (9, 9, "no", set()),
        (10, 12, "yes", {"mhtr_secondary_indicator"}),
        (0, 0, "yes", {"mhtr_secondary_indicator"}),
    ],
)
def test_primary_care_mhtr_only_without_secondary_care(phq: int, gad: int, secondary: str,
                                                        expected: set[str]) -> None:
    answers = screen(p=phq9(phq), g=gad7(gad), n={"needs_secondary_mh": secondary})
    mhtr = {f for f in score(TOOL, answers).flags if f.startswith("mhtr_")}
    assert mhtr == expected


# --- Needs and vulnerability -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "disability", "school", "needed"),
    [("yes", "no", "no", True), ("no", "yes", "no", True), ("no", "no", "yes", True), ("no", "no", "no", False)],
)
def test_easy_read_when_reading_is_hard_or_there_is_a_learning_disability(reading: str, disability: str,
                                                                          school: str, needed: bool) -> None:
    answers = screen(n={"needs_reading": reading, "needs_learning_disability": disability,
                        "needs_extra_help_school": school})
    assert ("easy_read_needed" in score(TOOL, answers).flags) == needed


def test_an_interpreter_need_asks_which_language_and_sets_the_flag() -> None:
    answers = {"needs_interpreter": "yes"}
    assert next_item(TOOL, answers) == TOOL.item("needs_language")
    answers |= {"needs_language": "Romanian"}
    assert "interpreter_needed" in score(TOOL, answers).flags
    assert "needs_language" not in prune(TOOL, answers | {"needs_interpreter": "no"})


@pytest.mark.parametrize(
    ("answer", "flag"),
    [({"needs_housing": "no_fixed_abode"}, "housing_need"), ({"needs_housing": "temporary"}, "housing_need"),
     ({"needs_pregnancy": "yes"}, "pregnant"), ({"needs_carer": "yes"}, "caring_responsibilities"),
     ({"needs_veteran": "yes"}, "veteran"), ({"needs_substance_service": "yes"}, "in_treatment"),
     ({"needs_communication": "yes"}, "communication_need")],
)
def test_each_circumstance_raises_its_own_flag_and_nothing_else(answer: dict[str, str], flag: str) -> None:
    assert score(TOOL, screen(n=answer)).flags == {flag}


def test_the_communication_questions_can_be_asked_in_welsh_or_polish_but_the_instruments_only_in_english() -> None:
    assert TOOL.locales == ("en", "cy", "pl")
    item = TOOL.item("needs_reading")
    assert item.text_in("cy") == "Ydych chi'n ei chael hi'n anodd darllen llythyrau neu ffurflenni?"
    assert item.text_in("pl").startswith("Czy czytanie")
    assert [o.label_in("cy") for o in item.options] == ["Ie", "Na"]
    assert item.text_in("en") == item.text_in("de") == "Do you find it difficult to read letters or forms?"
    welsh = TOOL.section("communication").locale("cy")
    assert welsh is not None and welsh.status == "unreviewed" and not welsh.checked
    assert TOOL.item("phq9_9").text_in("cy") == TOOL.item("phq9_9").text  # no validated Welsh PHQ-9 here
    assert TOOL.section("phq9").locale("cy") is None


# --- A whole screen ------------------------------------------------------------------------------------


def test_a_finished_screen_is_complete_and_serialises_to_json() -> None:
    answers = screen(a=audit(21), d=dast10(4), p=phq9(12, item9=1), g=gad7(3))
    assert next_item(TOOL, answers) is None
    result = score(TOOL, answers)
    assert result.complete
    assert {k: result.totals[k] for k in ("audit_c", "audit", "dast10", "phq9", "gad7")} == {
        "audit_c": 12, "audit": 21, "dast10": 4, "phq9": 12, "gad7": 3}
    assert result.flags == {"atr_candidate", "drr_candidate", "mhtr_primary_candidate", "risk_immediate"}
    data = json.loads(json.dumps(result.to_dict()))
    assert data["flags"] == sorted(result.flags)
    assert data["bands"]["audit"] == "Possible dependence"


def test_a_screen_with_a_visible_question_unanswered_is_not_complete_nor_its_totals() -> None:
    answers = screen(a=audit(21))
    del answers["audit_7"]
    assert next_item(TOOL, answers) == TOOL.item("audit_7")
    result = score(TOOL, answers)
    assert not result.complete
    assert "audit" not in result.totals and "audit_harm" not in result.totals
    assert result.totals["audit_c"] == 12  # its own questions are all answered


def test_answers_that_do_not_fit_the_tool_are_reported_and_not_scored() -> None:
    answers = {"audit_1": "9", "audti_2": "1"}
    problems = validate_answers(TOOL, answers)
    assert problems == ["item 'audit_1': '9' is not an option (expected one of 0, 1, 2, 3, 4)",
                        "unknown item 'audti_2' (did you mean 'audit_2'?) (tool cdo_court_screen 2.2.0)"]
    with pytest.raises(ValueError, match="do not fit"):
        score(TOOL, answers)


# --- The other example tools: every item kind, sections asked only when they apply -----------------------

LD = load_tool("ld_custody_screen")
# Dates relative to the day the tests run: a hearing next month, a visit to the GP last year.
NEXT_MONTH = (clock.today() + timedelta(days=30)).isoformat()
LAST_YEAR = (clock.today() - timedelta(days=365)).isoformat()
PRIMARY = load_tool("primary_care_mhtr_screen")


def test_custody_asks_the_alcohol_and_drug_blocks_only_of_people_who_use_them() -> None:
    def shown(answer: list[str]) -> set[str]:
        return {i.section for i in visible_items(LD, {"custody_charged": "no", "substances_used": answer})}
    assert {"audit", "dast10"}.isdisjoint(shown(["neither"]))
    assert "audit" in shown(["alcohol"]) and "dast10" not in shown(["alcohol"])
    assert {"audit", "dast10"} <= shown(["alcohol", "drugs"])
    assert "substances_drug_days" in ids(visible_items(LD, {"substances_used": ["drugs"]}))


def test_custody_asks_its_grid_blocks_down_one_page_and_its_own_risk_question_after() -> None:
    pages = [[i.id for i in page] for page in screens(LD, {})]
    assert pages == [[i.id for i in visible_items(LD, {}) if i.section != "ld_custody_screen"], ["ld_self_harm_now"]]
    drinking = [[i.id for i in page] for page in screens(LD, {"substances_used": ["alcohol"]})]
    assert "audit_1" in drinking[0] and len(drinking) == 2  # an answer opens a block inside the same page


@pytest.mark.parametrize(
    ("answers", "problem"),
    [({"substances_used": ["neither", "alcohol"]}, "'neither' cannot be chosen together with other options"),
     ({"substances_used": "alcohol"}, "is not a list of options"),
     ({"substances_used": ["drugs"], "substances_drug_days": 29}, "29 is outside the range 0 to 28"),
     ({"substances_used": ["drugs"], "substances_drug_days": 2.5}, "2.5 must be a whole number"),
     ({"substances_used": ["drugs"], "substances_drug_days": True}, "True is not a number"),
     ({"custody_charged": "yes", "custody_hearing_date": "2026-02-30"}, "is not a date written YYYY-MM-DD"),
     ({"custody_charged": "yes", "custody_hearing_date": LAST_YEAR}, "is before the earliest allowed date"),
     ({"needs_interpreter": "yes", "needs_language": "  "}, "is not text"),
     ({"needs_interpreter": "yes", "needs_language": "x" * 61}, "at most 60 are allowed")],
)
def test_impossible_answers_to_each_kind_of_question_are_reported(answers: dict[str, object], problem: str) -> None:
    found = validate_answers(LD, answers)
    assert len(found) == 1 and problem in found[0], found


def test_a_custody_screen_alerts_the_cdo_when_charged_pleading_guilty_and_potentially_suitable() -> None:
    answers = ({"custody_charged": "yes", "custody_plea": "yes", "custody_hearing_date": NEXT_MONTH,
                "substances_used": ["drugs"], "substances_drug_days": 20} | dast10(6)
               | {f"k10_{n}": "1" for n in range(1, 11)})
    result = score(LD, answers)
    assert {"drr_candidate", "potentially_suitable", "alert_cdo"} <= result.flags
    assert "alert_cdo" not in score(LD, answers | {"custody_plea": "not_sure"}).flags
    assert "risk_immediate" in score(LD, answers | {"ld_self_harm_now": "yes"}).flags


def test_primary_care_sends_specialist_history_or_severe_depression_to_secondary_care() -> None:
    base = {"mh_help_before": ["gp", "talking"], "mh_gp_registered": "yes", "mh_gp_practice": "Riverside Surgery",
            "mh_gp_last_seen": LAST_YEAR} | phq9(14)
    assert "mhtr_primary_candidate" in score(PRIMARY, base).flags
    assert "mhtr_secondary_indicator" in score(PRIMARY, base | {"mh_help_before": ["specialist"]}).flags
    assert score(PRIMARY, base | phq9(21)).flags >= {"mhtr_secondary_indicator"}
    assert "no_gp" in score(PRIMARY, {"mh_gp_registered": "no"}).flags
    assert "mh_gp_practice" not in prune(PRIMARY, base | {"mh_gp_registered": "no"})


# --- Properties over every example tool ------------------------------------------------------------------


def _answers(tool: Tool) -> st.SearchStrategy[dict[str, object]]:
    """Any subset of the questions, each with a possible answer of its kind (hidden ones pruned later)."""
    def one(item: Item) -> st.SearchStrategy[object]:
        values = [o.value for o in item.options]
        if item.kind == "multiple":
            alone = [o.value for o in item.options if o.exclusive]
            many = st.lists(st.sampled_from([v for v in values if v not in alone]), min_size=1, unique=True)
            return st.one_of(many, st.sampled_from(alone).map(lambda v: [v])) if alone else many
        if item.kind == "number":
            return st.integers(int(item.minimum or 0), int(item.maximum or 0))
        if item.kind == "date":
            low, high = item.date_bounds(clock.today())
            return st.dates(min_value=low or date(1900, 1, 1), max_value=high or date(2100, 1, 1)).map(date.isoformat)
        if item.kind == "text":
            return st.text(alphabet="abc xyz", min_size=1, max_size=20).filter(str.strip)
        return st.sampled_from(values)
    return st.fixed_dictionaries({}, optional={i.id: one(i) for i in tool.items})


@pytest.mark.parametrize("name", EXAMPLE_TOOLS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_possible_answers_give_totals_in_range_each_in_exactly_one_band(name: str, data: st.DataObject) -> None:
    tool = load_tool(name)
    answers = prune(tool, data.draw(_answers(tool)))
    result = score(tool, answers)
    for total in tool.totals:
        if total.id not in result.totals:
            continue
        value = result.totals[total.id]
        assert total.minimum <= value <= total.maximum
        assert PUBLISHED_RANGES.get(total.id, (total.minimum, total.maximum)) == (total.minimum, total.maximum)
        assert sum(value in band for band in total.bands) == 1
        assert result.bands[total.id] == next(b.label for b in total.bands if value in b)
    assert result.complete == (next_item(tool, answers) is None)
    assert validate_answers(tool, answers) == []


@pytest.mark.parametrize("name", EXAMPLE_TOOLS)
def test_the_bands_of_every_total_partition_its_whole_range(name: str) -> None:
    for total in load_tool(name).totals:
        assert total.bands, total.id
        for value in range(total.minimum, total.maximum + 1):
            assert sum(value in band for band in total.bands) == 1, (total.id, value)


@settings(max_examples=300, deadline=None)
@given(answers=_answers(TOOL))
def test_the_risk_trigger_fires_exactly_when_phq9_question_9_is_above_0(answers: dict[str, object]) -> None:
    answers = prune(TOOL, answers)
    result = score(TOOL, answers)
    assert ("risk_immediate" in result.flags) == (answers.get("phq9_9", "0") != "0")
    assert set(prune(TOOL, answers)) == set(answers)  # pruning twice changes nothing


@pytest.mark.parametrize(("needed", "language", "answers", "locale"), [
    (False, "", {"needs_interpreter": "no"}, "en"),
    (True, "Polish", {"needs_interpreter": "yes", "needs_language": "Polish"}, "pl"),
    (True, "cymraeg", {"needs_interpreter": "yes", "needs_language": "cymraeg"}, "cy"),
    (True, "Urdu", {"needs_interpreter": "yes", "needs_language": "Urdu"}, "en"),
], ids=["no-interpreter", "polish-in-polish", "welsh-by-its-own-name", "no-urdu-translation"])
def test_the_details_answer_the_interpreter_questions_and_choose_the_language_asked_in(
        needed: bool, language: str, answers: dict[str, str], locale: str) -> None:
    assert from_details(TOOL, needed, language) == (answers, locale)

