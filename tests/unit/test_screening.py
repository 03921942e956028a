"""The demo site's court screen, followed the way a court duty officer works through it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.screening import (
    TOOLS_DIR,
    Item,
    Tool,
    ToolError,
    load_tool,
    next_item,
    score,
    validate_answers,
    visible_items,
)

TOOL = load_tool("cdo_court_screen")
PUBLISHED_RANGES = {"audit_c": (0, 12), "audit": (0, 40), "dast10": (0, 10), "phq9": (0, 27), "gad7": (0, 21)}
NO_NEEDS = {"needs_reading": "no", "needs_learning_disability": "no", "needs_secondary_mh": "no"}


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
    """A whole screen: no needs, nothing scoring, overridden by `parts`."""
    answers = NO_NEEDS | audit(0) | dast10(0) | phq9(0) | gad7(0)
    for part in parts.values():
        answers |= part
    return answers


def ids(items: list[Item]) -> list[str]:
    return [i.id for i in items]


# --- The tool as loaded ----------------------------------------------------------------------------


def test_the_demo_tool_is_the_agreed_version_and_cites_its_exact_content() -> None:
    assert (TOOL.id, TOOL.version) == ("cdo_court_screen", "1.0.0")
    assert re.fullmatch(r"[0-9a-f]{64}", TOOL.content_hash)
    assert load_tool(TOOLS_DIR / "cdo_court_screen.toml").content_hash == TOOL.content_hash
    assert {t.id: (t.minimum, t.maximum) for t in TOOL.totals} == PUBLISHED_RANGES
    assert all(i.source for i in TOOL.items)
    assert {s.id for s in TOOL.sections} >= {"needs", "audit", "dast10", "phq9", "gad7"}


def test_changing_an_included_instrument_changes_the_content_hash(tmp_path: Path) -> None:
    copy = tmp_path / "tools"
    shutil.copytree(TOOLS_DIR, copy)
    gad = copy / "instruments" / "gad7.toml"
    gad.write_text(gad.read_text().replace("Trouble relaxing", "Trouble relaxing "))
    assert load_tool(copy / "cdo_court_screen.toml").content_hash != TOOL.content_hash


def test_the_officer_asks_the_needs_questions_first() -> None:
    assert next_item(TOOL, {}) == TOOL.item("needs_reading")
    assert next_item(TOOL, NO_NEEDS) == TOOL.item("audit_1")


def test_nothing_answered_gives_no_totals_and_no_flags() -> None:
    result = score(TOOL, {})
    assert (result.totals, result.bands, result.flags, result.complete) == ({}, {}, frozenset(), False)


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


def test_answers_left_on_questions_that_became_hidden_count_nothing() -> None:
    answers = screen(a=audit(30) | {"audit_1": "0", "audit_2": "0", "audit_3": "0"})
    result = score(TOOL, answers)
    assert result.totals["audit"] == 0
    assert "atr_candidate" not in result.flags
    assert validate_answers(TOOL, answers) == []


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
    answers = {"phq9_9": str(item9)} if total == item9 else screen(p=phq9(total, item9=item9))
    result = score(TOOL, answers)
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


@pytest.mark.parametrize(
    ("reading", "disability", "needed"),
    [("yes", "no", True), ("no", "yes", True), ("yes", "yes", True), ("no", "no", False)],
)
def test_easy_read_when_reading_is_hard_or_there_is_a_learning_disability(reading: str, disability: str,
                                                                          needed: bool) -> None:
    answers = screen(n={"needs_reading": reading, "needs_learning_disability": disability})
    assert ("easy_read_needed" in score(TOOL, answers).flags) == needed


# --- A whole screen ------------------------------------------------------------------------------------


def test_a_finished_screen_is_complete_and_serialises_to_json() -> None:
    answers = screen(a=audit(21), d=dast10(4), p=phq9(12, item9=1), g=gad7(3))
    assert next_item(TOOL, answers) is None
    result = score(TOOL, answers)
    assert result.complete
    assert result.totals == {"audit_c": 12, "audit": 21, "dast10": 4, "phq9": 12, "gad7": 3}
    assert result.flags == {"atr_candidate", "drr_candidate", "mhtr_primary_candidate", "risk_immediate"}
    data = json.loads(json.dumps(result.to_dict()))
    assert data["flags"] == sorted(result.flags)
    assert data["bands"]["audit"] == "Possible dependence"


def test_a_screen_with_a_visible_question_unanswered_is_not_complete() -> None:
    answers = screen(a=audit(21))
    del answers["audit_7"]
    assert next_item(TOOL, answers) == TOOL.item("audit_7")
    assert not score(TOOL, answers).complete


def test_answers_that_do_not_fit_the_tool_are_reported_and_not_scored() -> None:
    answers = {"audit_1": "9", "audti_2": "1"}
    problems = validate_answers(TOOL, answers)
    assert len(problems) == 2
    assert any("audti_2" in p for p in problems) and any("audit_1" in p for p in problems)
    with pytest.raises(ValueError, match="do not fit"):
        score(TOOL, answers)


def _answer_sets(tool: Tool) -> st.SearchStrategy[dict[str, str]]:
    """Any subset of the items, each answered with one of its own options."""
    return st.fixed_dictionaries({}, optional={i.id: st.sampled_from([o.value for o in i.options])
                                               for i in tool.items})


@settings(max_examples=300, deadline=None)
@given(_answer_sets(TOOL))
def test_any_valid_answers_give_totals_within_the_published_ranges(answers: dict[str, str]) -> None:
    result = score(TOOL, answers)
    for total_id, value in result.totals.items():
        low, high = PUBLISHED_RANGES[total_id]
        assert low <= value <= high
        assert total_id in result.bands
    assert result.complete == (next_item(TOOL, answers) is None)
    assert ("risk_immediate" in result.flags) == (answers.get("phq9_9", "0") != "0")


# --- Broken tool files are refused, naming file and line ---------------------------------------------

GOOD_BLOCK = """\
[instrument]
id = "mini"
title = "Mini"
source = "test"
licence = "test"

[[items]]
id = "mini_1"
text = "First?"
kind = "choice"
options = [
  { value = "0", label = "No", score = 0 },
  { value = "1", label = "Yes", score = 1 },
]

[[totals]]
id = "mini"
label = "Mini"
items = ["mini_1"]
bands = [{ from = 0, label = "Low" }, { from = 1, label = "High" }]
"""

GOOD_TOOL = """\
[tool]
id = "t"
version = "0.1"
title = "Test tool"
include = ["mini.toml"]

[[flags]]
id = "high"
when = "mini >= 1"
"""


def _write(tmp_path: Path, tool: str = GOOD_TOOL, block: str = GOOD_BLOCK) -> Path:
    (tmp_path / "instruments").mkdir(exist_ok=True)
    (tmp_path / "instruments" / "mini.toml").write_text(block)
    path = tmp_path / "t.toml"
    path.write_text(tool)
    return path


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def test_a_small_good_tool_loads(tmp_path: Path) -> None:
    tool = load_tool(_write(tmp_path))
    assert score(tool, {"mini_1": "1"}).flags == {"high"}


def test_an_unknown_name_in_a_condition_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, tool=GOOD_TOOL.replace("mini >= 1", "mnii >= 1"))
    with pytest.raises(ToolError) as caught:
        load_tool(path)
    assert f"{path}:{_line(path, 'mnii')}:" in str(caught.value)
    assert "unknown name 'mnii'" in str(caught.value) and "did you mean 'mini'" in str(caught.value)


def test_an_unknown_name_in_show_if_names_the_instrument_file_and_line(tmp_path: Path) -> None:
    block = GOOD_BLOCK.replace('kind = "choice"', 'kind = "choice"\nshow_if = "nobody > 0"')
    path = _write(tmp_path, block=block)
    block_path = tmp_path / "instruments" / "mini.toml"
    with pytest.raises(ToolError, match=rf"{re.escape(str(block_path))}:{_line(block_path, 'show_if')}: .*nobody"):
        load_tool(path)


@pytest.mark.parametrize(
    "condition",
    ["__import__('os').system('true')", "mini.real", "mini + 1 > 0", "mini in (1, 2)", "mini >= 1.5",
     "mini >= 'a'", "lambda: 1", "mini >= True"],
)
def test_conditions_are_restricted_to_comparisons_and_logic(tmp_path: Path, condition: str) -> None:
    path = _write(tmp_path, tool=GOOD_TOOL.replace("mini >= 1", condition.replace('"', "'")))
    with pytest.raises(ToolError, match=rf"{re.escape(str(path))}:{_line(path, 'when')}: "):
        load_tool(path)


def test_a_flag_used_before_it_is_worked_out_is_refused(tmp_path: Path) -> None:
    tool = GOOD_TOOL.replace("mini >= 1", "mini >= 1 and not later") + '\n[[flags]]\nid = "later"\nwhen = "mini > 0"\n'
    path = _write(tmp_path, tool=tool)
    with pytest.raises(ToolError, match=rf":{_line(path, 'not later')}: .*'later' before it is worked out"):
        load_tool(path)


def test_an_option_missing_a_score_names_file_and_line(tmp_path: Path) -> None:
    block = GOOD_BLOCK.replace('{ value = "1", label = "Yes", score = 1 }', '{ value = "1", label = "Yes" }')
    path = _write(tmp_path, block=block)
    block_path = tmp_path / "instruments" / "mini.toml"
    with pytest.raises(ToolError) as caught:
        load_tool(path)
    line = _line(block_path, 'value = "1"')
    assert str(caught.value).startswith(f"{block_path}:{line}:")
    assert "has no score" in str(caught.value)


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, tool=GOOD_TOOL.replace('title = "Test tool"', "title = Test tool"))
    with pytest.raises(ToolError, match=rf"^{re.escape(str(path))}:{_line(path, 'title')}: invalid TOML"):
        load_tool(path)


def test_a_missing_instrument_file_is_reported_where_it_is_included(tmp_path: Path) -> None:
    path = _write(tmp_path, tool=GOOD_TOOL.replace("mini.toml", "maxi.toml"))
    with pytest.raises(ToolError, match=rf"^{re.escape(str(path))}:{_line(path, 'include')}: cannot read"):
        load_tool(path)


def test_a_bad_band_or_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="bands must be in rising order"):
        load_tool(_write(tmp_path, block=GOOD_BLOCK.replace("from = 1,", "from = 0,")))
    with pytest.raises(ToolError, match="unknown key 'shw_if'.*did you mean 'show_if'"):
        load_tool(_write(tmp_path, block=GOOD_BLOCK.replace('kind = "choice"', 'kind = "choice"\nshw_if = "1"')))
