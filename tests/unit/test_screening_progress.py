"""A screening is saved as it goes (encrypted), resumed where it stopped, and any valid tool renders."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import flet as ft
import pytest

from app import clock, screening
from app.case import FieldErrors
from screens import screening as screening_screen
from screens.shell import AppContext, Shell
from tests.pathway import OFFICER, PIN, TODAY, alcohol_dependent_answers, as_asked, details, provisioned_tablet
from tests.plaintext import files_containing
from tests.support import fake_page

TOOL = screening.load_tool("cdo_court_screen")
EXAMPLES = ("cdo_court_screen", "ld_custody_screen", "primary_care_mhtr_screen")
LANGUAGE = "Kurdish Sorani (sentinel 7q3)"
NEXT_MONTH, LAST_YEAR = TODAY + timedelta(days=30), TODAY - timedelta(days=365)



@pytest.fixture
def session(tmp_path: Path):  # noqa: ANN201
    return provisioned_tablet(tmp_path / "tablet").unlock(OFFICER, PIN)


def first_answers() -> dict[str, Any]:
    return {"needs_interpreter": "yes", "needs_language": LANGUAGE, "needs_communication": "no"}


def test_a_partial_screening_is_saved_encrypted_and_shows_in_progress(session, tmp_path: Path) -> None:
    case_id = session.open_case(details(), TODAY)
    assert session.case(case_id).task_status()["screening"] == "not_started"
    case = session.save_screening_progress(case_id, TOOL, first_answers(), "en", [])
    assert case.task_status()["screening"] == "in_progress"
    assert case.status == "screening"
    saved = session.case(case_id).screening_progress
    assert saved is not None and saved["answers"] == first_answers()
    assert (saved["tool_id"], saved["tool_version"], saved["tool_hash"]) == (TOOL.id, TOOL.version, TOOL.content_hash)
    assert files_containing(tmp_path, "sentinel 7q3") == []


def test_resuming_continues_from_the_first_unanswered_question(session) -> None:
    case_id = session.open_case(details(), TODAY)
    session.save_screening_progress(case_id, TOOL, first_answers())
    resumed = session.case(case_id).screening_progress
    assert resumed is not None
    assert screening.next_item(TOOL, resumed["answers"]) == TOOL.item("needs_reading")


def test_answers_to_questions_that_are_not_asked_are_never_stored(session) -> None:
    case_id = session.open_case(details(), TODAY)
    with pytest.raises(FieldErrors, match="needs_language' is not asked"):
        session.save_screening_progress(case_id, TOOL, {"needs_interpreter": "no", "needs_language": LANGUAGE})
    answers = alcohol_dependent_answers(TOOL) | {"needs_language": LANGUAGE}
    with pytest.raises(FieldErrors, match="not asked"):
        session.record_screening(case_id, TOOL, answers)
    assert [e.kind for e in session.events(case_id)] == ["case_opened"]


def test_completing_records_tool_version_hash_language_and_risk_acknowledged_and_ends_the_draft(session) -> None:
    case_id = session.open_case(details(), TODAY)
    answers = alcohol_dependent_answers(TOOL) | {"phq9_9": "2"}
    session.save_screening_progress(case_id, TOOL, answers, "cy", ["risk_immediate"])
    with pytest.raises(FieldErrors, match="Answer every question"):
        session.record_screening(case_id, TOOL, {"needs_interpreter": "no"})
    case = session.record_screening(case_id, TOOL, answers, "cy", ["risk_immediate"])
    assert case.screening_progress is None
    assert case.task_status()["screening"] == "done"
    recorded = case.screening
    assert recorded is not None
    assert (recorded["tool_version"], recorded["tool_hash"]) == (TOOL.version, TOOL.content_hash)
    assert (recorded["locale"], recorded["risk_acknowledged"]) == ("cy", ["risk_immediate"])
    assert "risk_immediate" in recorded["result"]["flags"] and "atr_candidate" in recorded["result"]["flags"]


def test_saving_no_answers_discards_the_draft(session) -> None:
    case_id = session.open_case(details(), TODAY)
    session.save_screening_progress(case_id, TOOL, first_answers())
    assert session.save_screening_progress(case_id, TOOL, {}).task_status()["screening"] == "not_started"


# --- The screens, drawn from the tool file alone ---------------------------------------------------------


def _shell(session) -> Shell:  # noqa: ANN001
    page = fake_page(run_thread=lambda fn: fn())
    shell = Shell(page, AppContext(tablet=session.tablet, today=lambda: TODAY))  # type: ignore[arg-type]
    shell.session = session
    return shell


def _texts(control: Any) -> list[str]:
    """Every string shown in a control tree (text, labels, values)."""
    out: list[str] = []
    seen: set[int] = set()

    def walk(c: Any) -> None:
        if id(c) in seen or c is None:
            return
        seen.add(id(c))
        for attr in ("value", "label", "text", "content"):
            v = getattr(c, attr, None)
            if isinstance(v, str):
                out.append(v)
        for attr in ("content", "controls", "actions", "suffix"):
            v = getattr(c, attr, None)
            if isinstance(v, list):
                for x in v:
                    walk(x)
            elif isinstance(v, ft.Control):
                walk(v)
    walk(control)
    return out


def _show_everything(tool: screening.Tool) -> dict[str, Any]:
    """Answers that open every question: the highest score, every box, a valid number, date and text."""
    answers: dict[str, Any] = {}
    for item in as_asked(tool, answers):
        if item.kind == "multiple":
            answers[item.id] = [o.value for o in item.options if not o.exclusive]
        elif item.kind in ("choice", "yesno"):
            answers[item.id] = max(item.options, key=lambda o: o.score).value
        elif item.kind == "number":
            answers[item.id] = int(item.maximum or 0)
        elif item.kind == "date":
            answers[item.id] = TODAY.isoformat() if item.earliest == "today" else clock.today().isoformat()
        else:
            answers[item.id] = "Example answer"
    return answers


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_question_of_every_example_tool_renders_in_english_and_each_language(session, name: str,
                                                                                   monkeypatch) -> None:
    tool = screening.load_tool(name)
    monkeypatch.setattr(screening_screen, "_tool", lambda shell: asyncio.sleep(0, tool))
    case_id = session.open_case(details(), TODAY)
    shell = _shell(session)
    answers = _show_everything(tool)
    assert {i.id for i in screening.visible_items(tool, answers)} == {i.id for i in tool.items}
    for locale in tool.locales:
        shell.drafts[("screening", case_id)] = screening_screen.Draft(answers=dict(answers), locale=locale)
        for item in tool.items:
            shown = _texts(asyncio.run(screening_screen.question(shell, case_id, item.id))) + _texts(shell.action_bar)
            assert item.text_in(locale) in shown
            assert any(" of " in s and ("Question" in s or "answered" in s) for s in shown)  # its progress
            for option in item.options:
                assert option.label_in(locale) in shown
        summary = _texts(asyncio.run(screening_screen.check_answers(shell, case_id))) + _texts(shell.action_bar)
        assert "Check the screening answers" in summary and "Complete screening" in summary
        assert all(i.text_in(locale) in summary for i in tool.items)


def test_a_grid_page_holds_its_run_of_blocks_with_the_count_answered(session, monkeypatch) -> None:
    tool = screening.load_tool("ld_custody_screen")
    monkeypatch.setattr(screening_screen, "_tool", lambda shell: asyncio.sleep(0, tool))
    case_id = session.open_case(details(), TODAY)
    shell = _shell(session)
    shown = _texts(asyncio.run(screening_screen.question(shell, case_id, "needs_carer")))
    assert all(tool.item(i).text in shown for i in ("custody_charged", "needs_housing", "needs_veteran", "k10_10"))
    assert tool.item("ld_self_harm_now").text not in shown  # the tool's own question is a page of its own
    assert "Continue" in _texts(shell.action_bar)
    assert "1 of 24 answered" in _texts(shell.action_bar)  # the interpreter question, from the details


def test_the_risk_interruption_shows_the_sites_instructions(session) -> None:
    case_id = session.open_case(details(), TODAY)
    shown = _texts(asyncio.run(screening_screen.risk(_shell(session), case_id, ["risk_immediate"], None)))
    assert "Risk: act now" in shown
    assert TOOL.flag("risk_immediate").risk in shown
    assert "I have followed the risk procedure" in shown


@pytest.mark.parametrize(
    ("item_id", "typed", "answer", "problem"),
    [("substances_drug_days", "12", 12, None), ("substances_drug_days", "12.5", None, "Enter a whole number"),
     ("substances_drug_days", "40", None, "Enter a number from 0 to 28"),
     ("custody_hearing_date", f"{NEXT_MONTH:%d/%m/%Y}", NEXT_MONTH.isoformat(), None),
     ("custody_hearing_date", f"31/02/{NEXT_MONTH.year + 1}", None, "Enter the date as day, month and year"),
     ("custody_hearing_date", f"{LAST_YEAR:%d/%m/%Y}", None, "Enter a date on or after"),
     ("needs_language", "  Tigrinya ", "Tigrinya", None), ("needs_language", "   ", None, "Enter an answer")],
)
def test_typed_answers_are_read_back_or_refused_with_what_to_do(session, item_id: str, typed: str, answer: Any,
                                                                problem: str | None) -> None:
    tool = screening.load_tool("ld_custody_screen")
    field = screening_screen._Input(_shell(session), tool.item(item_id), None, "en")
    assert field.field is not None
    field.field.value = typed
    value, why = field.read()
    assert value == answer
    assert (why is None) if problem is None else (why is not None and why.startswith(problem))


def test_none_of_these_cannot_be_ticked_with_anything_else(session) -> None:
    tool = screening.load_tool("ld_custody_screen")
    field = screening_screen._Input(_shell(session), tool.item("substances_used"), None, "en")
    boxes = dict((o.value, box) for o, box in field.boxes)
    assert field.read() == (None, "Choose at least one answer")
    boxes["alcohol"].value = boxes["drugs"].value = True
    assert field.read() == (["alcohol", "drugs"], None)
    boxes["neither"].value = True
    boxes["neither"].on_change(SimpleNamespace(control=boxes["neither"]))
    assert field.read() == (["neither"], None)


@pytest.mark.parametrize(("ticked", "tapped", "after"), [
    (None, "alcohol", ["alcohol"]), (["alcohol"], "drugs", ["alcohol", "drugs"]),
    (["alcohol", "drugs"], "neither", ["neither"]), (["neither"], "drugs", ["drugs"]),
    (["alcohol", "drugs"], "alcohol", ["drugs"]), (["drugs"], "drugs", None),
], ids=["first-tick", "a-second", "neither-clears-the-rest", "the-rest-clear-neither", "untick", "none-left"])
def test_a_tap_on_a_several_answer_question_turns_that_answer_over(ticked, tapped: str, after) -> None:  # noqa: ANN001
    item = screening.load_tool("ld_custody_screen").item("substances_used")
    assert screening_screen._chosen(item, ticked, tapped) == after
