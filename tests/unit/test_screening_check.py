"""`courtside tool check` and `tool try`, as a site administrator uses them before a tool goes live.

Each broken tool is the small good tool below with one mistake; the check must name the file, the line
and exactly what is wrong.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.screening import TOOLS_DIR, check_tool, load_tool, score, screens
from tests.support import REPO_ROOT

pytestmark = pytest.mark.clockless  # a tool file is checked on its text alone

EXAMPLES = sorted(TOOLS_DIR.glob("*.toml"))

BLOCK = """\
[instrument]
format = 2
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

[[items]]
id = "mini_2"
text = "Second?"
kind = "choice"
options = [
  { value = "0", label = "No", score = 0 },
  { value = "2", label = "Yes", score = 2 },
]

[[totals]]
id = "mini"
label = "Mini"
items = ["mini_1", "mini_2"]
bands = [
  { from = 0, to = 1, label = "Low" },
  { from = 2, to = 3, label = "High" },
]
"""

TOOL = """\
[tool]
format = 2
id = "t"
version = "0.1"
title = "Test tool"
include = ["mini.toml"]

[[flags]]
id = "high"
when = "mini >= 2"
"""

WELSH_BLOCK = BLOCK.replace('licence = "test"\n', 'licence = "test"\n\n[instrument.locales.cy]\nstatus = "unreviewed"\n'
                            'title = "Bach"\n').replace(
    'text = "First?"', 'text = "First?"\ntranslations = { cy = "Cyntaf?" }').replace(
    'text = "Second?"', 'text = "Second?"\ntranslations = { cy = "Ail?" }').replace(
    'label = "No", score = 0 }', 'label = "No", score = 0, translations = { cy = "Na" } }').replace(
    'label = "Yes", score = 1 }', 'label = "Yes", score = 1, translations = { cy = "Ie" } }').replace(
    'label = "Yes", score = 2 }', 'label = "Yes", score = 2, translations = { cy = "Ie" } }')


def write(tmp_path: Path, tool: str = TOOL, block: str = BLOCK) -> Path:
    (tmp_path / "instruments").mkdir(exist_ok=True)
    (tmp_path / "instruments" / "mini.toml").write_text(block)
    path = tmp_path / "t.toml"
    path.write_text(tool)
    return path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def courtside(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "courtside", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)


# --- Good tools -------------------------------------------------------------------------------------------


def test_the_small_good_tool_and_its_welsh_version_are_valid(tmp_path: Path) -> None:
    assert check_tool(write(tmp_path)) == []
    assert check_tool(write(tmp_path, block=WELSH_BLOCK)) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_example_site_tool_passes_tool_check(path: Path) -> None:
    result = courtside("tool", "check", str(path))
    assert result.returncode == 0, result.stderr
    tool = load_tool(path)
    assert result.stdout.startswith(f"{path}: valid — tool {tool.id} version {tool.version}, ")
    assert tool.content_hash in result.stdout
    assert result.stderr == ""


def test_there_are_three_example_site_tools() -> None:
    assert [p.stem for p in EXAMPLES] == ["cdo_court_screen", "ld_custody_screen", "primary_care_mhtr_screen"]


# --- Broken tools: one mistake each, named with its file and line ------------------------------------------

# (name, file with the mistake, text replaced, replacement, text on the line named, exact message)
BROKEN = [
    ("unknown item in a condition", "tool", "mini >= 2", "mnii >= 2", "when",
     "flag 'high' uses unknown name 'mnii' in 'mnii >= 2' (did you mean 'mini'?)"),
    ("unknown item in show_if", "block", 'text = "Second?"', 'text = "Second?"\nshow_if = "mini_3 > 0"', "show_if",
     "item 'mini_2' uses unknown name 'mini_3' in 'mini_3 > 0' (did you mean 'mini_2'?)"),
    ("score missing for an option", "block", '{ value = "2", label = "Yes", score = 2 }',
     '{ value = "2", label = "Yes" }', 'value = "2"', "option '2' of item 'mini_2' has no score"),
    ("negative score", "block", "score = 2 }", "score = -2 }", 'value = "2"',
     "option '2' of item 'mini_2' has score -2; expected a whole number >= 0"),
    ("overlapping bands", "block", "from = 2, to = 3", "from = 1, to = 3", "from = 1",
     "total 'mini': bands 0-1 'Low' and 1-3 'High' overlap (1 is in both)"),
    ("a gap between bands", "block", "from = 0, to = 1", "from = 0, to = 0", "from = 2",
     "total 'mini': no band covers 1; the bands must cover every total from 0 to 3"),
    ("a band past the highest total", "block", "from = 2, to = 3", "from = 2, to = 4", "from = 2",
     "total 'mini': band 2-4 'High' is outside the possible range 0-3"),
    ("a cycle in flags", "tool", 'when = "mini >= 2"',
     'when = "mini >= 2"\n\n[[flags]]\nid = "a"\nwhen = "b and high"\n\n[[flags]]\nid = "b"\nwhen = "not a"',
     "b and high", "a cycle in conditions: flag 'a' -> flag 'b' -> flag 'a'; each needs the next worked out first"),
    ("a cycle through a question's own total", "block", 'text = "Second?"', 'text = "Second?"\nshow_if = "mini > 0"',
     "show_if", "a cycle in conditions: item 'mini_2' -> total 'mini' -> item 'mini_2'; each needs the next "
                "worked out first"),
    ("a flag never set", "tool", "mini >= 2", "mini >= 4", "when",
     "flag 'high' is never set: 'mini >= 4' can never hold (mini runs 0 to 3)"),
    ("a question never asked", "block", 'text = "Second?"', 'text = "Second?"\nshow_if = "mini_1 == 2"', "show_if",
     "item 'mini_2' is never asked: 'mini_1 == 2' can never hold (mini_1 runs 0 to 1)"),
    ("a translation key missing", "welsh", 'text = "Second?"\ntranslations = { cy = "Ail?" }', 'text = "Second?"',
     'id = "mini_2"', "item 'mini_2' has no 'cy' translation of its text (the file declares locale cy)"),
    ("a translation for a locale not declared", "welsh", '{ cy = "Cyntaf?" }', '{ cy = "Cyntaf?", cym = "Un?" }',
     "Cyntaf?", "item 'mini_1' has a 'cym' translation, but the file declares no locale 'cym' "
                "(did you mean 'cy'?) (declared: cy)"),
    ("a question that depends on a later one", "block", 'text = "First?"', 'text = "First?"\nshow_if = "mini_2 > 0"',
     "show_if", "item 'mini_1' uses 'mini_2', not asked before it: a condition may only use answers given earlier"),
    ("an option that does not exist", "tool", "mini >= 2", "selected(mini_1, 'yes')", "when",
     "flag 'high': item 'mini_1' has no option 'yes' (options: 0, 1)"),
    ("code in a condition", "tool", "mini >= 2", "__import__('os').system('true')", "when",
     "flag 'high': '__import__('os').system('true')' is not allowed; the only functions are answered(item) and "
     "selected(item, \"value\")"),
    ("a misspelt key", "block", 'kind = "choice"\noptions = [\n  { value = "0", label = "No", score = 0 },\n  '
                                '{ value = "1"',
     'kind = "choice"\nshw_if = "mini_1 > 0"\noptions = [\n  { value = "0", label = "No", score = 0 },\n  '
     '{ value = "1"', "shw_if",
     "item 'mini_1': unknown key 'shw_if' (did you mean 'show_if'?) (allowed: hint, id, kind, licence, options, "
     "scale, show_if, source, text, translations)"),
    ("a key for another kind of question", "block", 'text = "First?"', 'text = "First?"\nmax = 10', "max = 10",
     "item 'mini_1': 'max' is only for number items"),
    ("an id used twice", "tool", 'id = "high"', 'id = "mini_2"', 'id = "mini_2"',
     "flag id 'mini_2' is already the id of an item"),
    ("a yes/no question without yes and no", "block", 'kind = "choice"\noptions = [\n  { value = "0", label = "No"',
     'kind = "yesno"\noptions = [\n  { value = "0", label = "No"', 'id = "mini_1"',
     "yes/no item 'mini_1' must have exactly the options 'yes' and 'no'"),
    ("the old file format", "tool", "format = 2", "format = 1", "format",
     "[tool] has format 1; this version of Courtside reads format = 2 (see content/tools/README.md)"),
    ("a block file that is not there", "tool", '"mini.toml"', '"maxi.toml"', "maxi.toml",
     "cannot read block file {dir}/instruments/maxi.toml (No such file or directory)"),
    ("invalid TOML", "tool", 'title = "Test tool"', "title = Test tool", "title",
     "invalid TOML: Invalid value"),
]


@pytest.mark.parametrize(("where", "old", "new", "needle", "message"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])
def test_a_broken_tool_is_refused_with_the_exact_message_and_line(tmp_path: Path, where: str, old: str, new: str,
                                                                  needle: str, message: str) -> None:
    block = WELSH_BLOCK if where == "welsh" else BLOCK
    if where == "tool":
        assert old in TOOL
        path = write(tmp_path, tool=TOOL.replace(old, new, 1), block=block)
        broken = path
    else:
        assert old in block
        path = write(tmp_path, block=block.replace(old, new, 1))
        broken = tmp_path / "instruments" / "mini.toml"
    expected = f"{broken}:{line_of(broken, needle)}: {message.format(dir=tmp_path)}"
    assert [str(p) for p in check_tool(path)] == [expected]


def test_a_grid_block_may_open_its_own_questions_and_is_one_page_with_its_neighbours(tmp_path: Path) -> None:
    path = write(tmp_path, tool=TOOL.replace('include = ["mini.toml"]', 'include = [{ block = "mini.toml", '
                                                                        'layout = "grid" }]'),
                 block=BLOCK.replace('text = "Second?"', 'text = "Second?"\nshow_if = "mini_1 > 0"'))
    assert check_tool(path) == []
    tool = load_tool(path)
    assert [[i.id for i in page] for page in screens(tool, {})] == [["mini_1"]]
    assert [[i.id for i in page] for page in screens(tool, {"mini_1": "1"})] == [["mini_1", "mini_2"]]


def test_a_gate_in_the_tool_file_asks_the_rest_of_a_block_only_when_it_holds(tmp_path: Path) -> None:
    gated = write(tmp_path, tool=TOOL.replace('include = ["mini.toml"]', 'include = [{ block = "mini.toml", '
                                                                          'gate = { from = "mini_2", '
                                                                          'show_if = "mini_1 > 0" } }]'))
    assert check_tool(gated) == []
    tool = load_tool(gated)
    assert [[i.id for i in page] for page in screens(tool, {"mini_1": "0"})] == [["mini_1"]]
    assert [[i.id for i in page] for page in screens(tool, {"mini_1": "1"})] == [["mini_1"], ["mini_2"]]
    # The same published block without the gate: a site that asks every question of everyone.
    (tmp_path / "all").mkdir()
    ungated = load_tool(write(tmp_path / "all", tool=TOOL))
    assert [[i.id for i in page] for page in screens(ungated, {"mini_1": "0"})] == [["mini_1"], ["mini_2"]]


def test_the_example_tools_gate_the_full_audit_on_audit_c_and_the_published_block_does_not() -> None:
    tool = load_tool(TOOLS_DIR / "cdo_court_screen.toml")
    assert tool.item("audit_4").show_if == "audit_c >= 5" and tool.item("audit_10").show_if == "audit_c >= 5"
    assert tool.item("audit_3").show_if is None
    assert "\nshow_if" not in (TOOLS_DIR / "instruments" / "audit.toml").read_text()  # no question gated there


def test_a_tool_file_chooses_the_k10_banding_its_site_reports(tmp_path: Path) -> None:
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "k10.toml").write_text((TOOLS_DIR / "instruments" / "k10.toml").read_text())
    eighteen = {f"k10_{n}": "2" for n in range(1, 11)} | {"k10_1": "1", "k10_2": "1"}  # 20 - 2 = 18

    def band(include: str) -> str:
        path = tmp_path / "t.toml"
        path.write_text(TOOL.replace('include = ["mini.toml"]', f"include = [{include}]").replace(
            'when = "mini >= 2"', 'when = "k10 >= 30"'))
        assert check_tool(path) == []
        result = score(load_tool(path), eighteen)
        assert result.totals["k10"] == 18
        return result.bands["k10"]

    assert band('"k10.toml"') == "Likely to be well"  # the CRUfAD/GPcare groupings, unless the tool chooses
    assert band('{ block = "k10.toml", bands = { k10 = "abs" } }') == "Moderate distress"  # ABS: 16-21


@pytest.mark.parametrize(("bands", "message"), [
    ('{ k10 = "abz" }', "include 'k10.toml': bands: total 'k10' has no banding 'abz' (did you mean 'abs'?) "
                        "(its bandings: abs)"),
    ('{ k11 = "abs" }', "include 'k10.toml': bands: the block has no total 'k11' (did you mean 'k10'?)"),
], ids=["unknown-banding", "unknown-total"])
def test_a_banding_the_block_does_not_publish_is_refused_at_its_line(tmp_path: Path, bands: str,
                                                                       message: str) -> None:
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "k10.toml").write_text((TOOLS_DIR / "instruments" / "k10.toml").read_text())
    path = tmp_path / "t.toml"
    path.write_text(TOOL.replace('include = ["mini.toml"]', f'include = [{{ block = "k10.toml", bands = {bands} }}]')
                    .replace('when = "mini >= 2"', 'when = "k10 >= 30"'))
    assert [str(p) for p in check_tool(path)] == [f"{path}:6: {message}"]


@pytest.mark.parametrize(("gate", "message"), [
    ('{ from = "mini_22", show_if = "mini_1 > 0" }',
     "include 'mini.toml': gate: 'from' names no item of the block: 'mini_22' (did you mean 'mini_2'?) "
     "(its items: mini_1, mini_2)"),
    ('{ show_if = "mini_1 > 0" }',
     "include 'mini.toml': gate must be { from = \"<first item gated>\", show_if = \"<condition>\" }"),
], ids=["unknown-item", "no-from"])
def test_a_broken_gate_is_refused_at_its_line(tmp_path: Path, gate: str, message: str) -> None:
    path = write(tmp_path, tool=TOOL.replace('include = ["mini.toml"]', f'include = [{{ block = "mini.toml", '
                                                                        f'gate = {gate} }}]'))
    assert [str(p) for p in check_tool(path)] == [f"{path}:6: {message}"]


@pytest.mark.parametrize(("entry", "message"), [
    ('{ block = "mini.toml", together = true }', "include 'mini.toml': 'together' is replaced by layout = \"grid\""),
    ('{ block = "mini.toml", layout = "table" }',
     "include 'mini.toml': layout must be one of single, grid, not 'table'"),
], ids=["together-is-now-grid", "unknown-layout"])
def test_a_block_layout_is_single_or_grid(tmp_path: Path, entry: str, message: str) -> None:
    path = write(tmp_path, tool=TOOL.replace('include = ["mini.toml"]', f"include = [{entry}]"))
    assert [str(p) for p in check_tool(path)] == [f"{path}:6: {message}"]


def test_a_published_instrument_may_carry_only_a_validated_translation(tmp_path: Path) -> None:
    block = WELSH_BLOCK.replace('licence = "test"\n', 'licence = "test"\npublished = true\n', 1)
    path = write(tmp_path, block=block)
    broken = tmp_path / "instruments" / "mini.toml"
    assert [str(p) for p in check_tool(path)] == [
        f"{broken}:{line_of(broken, 'status')}: locale 'cy': a published instrument may only carry a validated "
        "translation (status = \"validated\", with its source), not 'unreviewed'"]
    validated = block.replace('status = "unreviewed"', 'status = "validated"\nsource = "Validated Welsh version"')
    assert check_tool(write(tmp_path, block=validated)) == []


def test_check_reports_every_problem_at_once_in_the_order_the_files_are_read(tmp_path: Path) -> None:
    block = BLOCK.replace('{ value = "2", label = "Yes", score = 2 }', '{ value = "2", label = "Yes" }')
    path = write(tmp_path, tool=TOOL.replace("mini >= 2", "mnii >= 2"), block=block)
    assert [str(p) for p in check_tool(path)] == [
        f"{tmp_path}/instruments/mini.toml:23: option '2' of item 'mini_2' has no score",
        f"{path}:10: flag 'high' uses unknown name 'mnii' in 'mnii >= 2' (did you mean 'mini'?)"]


def test_the_command_prints_each_problem_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, tool=TOOL.replace("mini >= 2", "mini >= 4"))
    result = courtside("tool", "check", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}:10: flag 'high' is never set: 'mini >= 4' can never hold (mini runs 0 to 3)",
        f"{path}: 1 problem; the tool cannot be used"]
    assert "Traceback" not in result.stderr and result.stdout == ""


# --- Bands: the checker accepts exactly the layouts that partition the range ------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 4), st.integers(-1, 4)), min_size=1, max_size=4))
def test_bands_are_accepted_exactly_when_they_partition_the_possible_range(tmp_path_factory: pytest.TempPathFactory,
                                                                          bands: list[tuple[int, int]]) -> None:
    text = ",\n".join(f'  {{ from = {a}, to = {b}, label = "B{n}" }}' for n, (a, b) in enumerate(bands))
    block = BLOCK[:BLOCK.index("bands = [")] + f"bands = [\n{text},\n]\n"
    path = write(tmp_path_factory.mktemp("bands"), block=block)
    covered = [v for a, b in bands for v in range(a, b + 1)]
    partition = all(a <= b for a, b in bands) and sorted(covered) == [0, 1, 2, 3]
    problems = check_tool(path)
    assert (problems == []) == partition, problems
    if partition:
        total = load_tool(path).total("mini")
        assert [total.band(v) for v in range(4)] == [next(f"B{n}" for n, (a, b) in enumerate(bands) if a <= v <= b)
                                                     for v in range(4)]


# --- tool try ---------------------------------------------------------------------------------------------


def test_try_prints_scores_bands_and_flags_as_json(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"needs_interpreter": "yes", "needs_language": "Polish", "audit_1": "4",
                                   "audit_2": "4", "audit_3": "4", "phq9_9": "1"}))
    result = courtside("tool", "try", str(TOOLS_DIR / "cdo_court_screen.toml"), "--answers", str(answers))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["tool"]["id"] == "cdo_court_screen" and len(out["tool"]["content_hash"]) == 64
    assert out["totals"] == {"audit_c": 12}
    assert out["bands"] == {"audit_c": "AUDIT-C positive: complete the full AUDIT"}
    assert out["flags"] == ["interpreter_needed", "risk_immediate"]
    assert out["risk"][0].startswith("Risk: the person reports thoughts")
    assert out["complete"] is False
    assert out["unanswered"][:2] == ["needs_communication", "needs_reading"]
    assert "audit_4" in out["unanswered"]


@pytest.mark.parametrize(
    ("answers", "problems"),
    [({"audti_1": "4"}, ["unknown item 'audti_1' (did you mean 'audit_1'?) (tool cdo_court_screen 2.2.0)"]),
     ({"audit_9": "1"}, ["item 'audit_9': '1' is not an option (expected one of 0, 2, 4)"]),
     ({"audit_1": "0", "audit_4": "4"}, ["item 'audit_4' is not asked with these answers: audit_c >= 5 does "
                                         "not hold"]),
     ({"needs_interpreter": "no", "needs_language": "Urdu"},
      ["item 'needs_language' is not asked with these answers: selected(needs_interpreter, 'yes') does not "
       "hold"])],
)
def test_try_reports_unknown_items_and_impossible_answers_and_exits_2(tmp_path: Path, answers: dict[str, str],
                                                                      problems: list[str]) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    result = courtside("tool", "try", str(TOOLS_DIR / "cdo_court_screen.toml"), "--answers", str(path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"{path}: {p}" for p in problems]
    assert result.stdout == ""


def test_try_names_the_line_of_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{\n  "audit_1": "4",\n}\n')
    result = courtside("tool", "try", "content/tools/cdo_court_screen.toml", "--answers", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{path}:3: not valid JSON (Expecting property name enclosed in double quotes)"


def test_the_tool_commands_explain_themselves() -> None:
    for args in (["tool", "--help"], ["tool", "check", "--help"], ["tool", "try", "--help"]):
        result = courtside(*args)
        assert result.returncode == 0 and "usage: courtside tool" in result.stdout
