"""Screening tools: load a site's locally agreed tool and work out what a defendant's answers mean.

Why data, not code: a site's steering group changes its questions, order, thresholds and flags without a
release, and the published instruments keep their validated wording and scoring in one reviewed place
(content/tools/instruments). The file format is documented in content/tools/README.md; reading and
checking it is app/screening_load.py, conditions are app/screening_expr.py (parsed, never eval'd).

Answers map item ids to JSON values: an option value (choice, yes/no), a list of option values
(multiple choice), a number, an ISO date or a short text. Only questions that are asked are ever stored:
`prune` drops answers to questions a later change of answer has hidden.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from app.screening_expr import parse
from app.screening_load import FORMAT, INSTRUMENTS_DIR, TOOLS_DIR, check, resolve_path
from app.screening_model import (
    CHOICE_KINDS,
    KINDS,
    SOURCE_LOCALE,
    Answer,
    Band,
    Flag,
    Item,
    Option,
    Problem,
    Section,
    SectionLocale,
    Tool,
    ToolError,
    Total,
    did_you_mean,
)

__all__ = [
    "CHOICE_KINDS", "FORMAT", "INSTRUMENTS_DIR", "KINDS", "SOURCE_LOCALE", "TOOLS_DIR", "Answer", "Band", "Flag",
    "Item", "Option", "Problem", "ScreeningResult", "Section", "SectionLocale", "Tool", "ToolError", "Total",
    "check_tool", "from_details", "is_grid", "load_tool", "next_item", "prune", "risk_flags", "score", "screens",
    "validate_answers", "visible_items",
]

_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], Tool]] = {}


def check_tool(name_or_path: str | Path) -> list[Problem]:
    """Every problem with a tool file and its blocks (empty when the tool is valid)."""
    return check(name_or_path)[1]


def load_tool(name_or_path: str | Path) -> Tool:
    """Load and check a tool; a bare name means content/tools/<name>.toml. Raises ToolError on any problem.

    Kept in memory until the tool file or any block file changes, because every screen asks for it.
    """
    path = resolve_path(name_or_path)
    stamp = _stamp(path)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    tool, problems = check(path)
    if tool is None:
        raise ToolError(problems)
    _CACHE[path] = (stamp, tool)
    return tool


def tool_files(tool: Tool) -> dict[str, str]:
    """The tool file and every block file beside it, by name relative to the tools folder: what a site server
    sends so tablets run the tool the site agreed, not only the copy bundled with the app."""
    path = Path(tool.path)
    files = {path.name: path.read_text(encoding="utf-8")}
    for block in sorted((path.parent / INSTRUMENTS_DIR).glob("*.toml")):
        files[f"{INSTRUMENTS_DIR}/{block.name}"] = block.read_text(encoding="utf-8")
    return files


def install_tool(main: str, files: Mapping[str, str], into: Path) -> Tool:
    """Write a tool sent by the server under `into` (one folder per distinct content, never overwritten) and
    load it: the same checks as a site's own file, so a damaged copy raises ToolError and is not used."""
    digest = hashlib.sha256(json.dumps(dict(files), sort_keys=True).encode()).hexdigest()[:32]
    folder = into / digest
    names = [main, *files]
    if any(Path(n).is_absolute() or ".." in Path(n).parts or n.count("/") > 1 for n in names) or main not in files:
        raise ToolError([Problem(main, None, "the server sent a tool with unsafe or missing file names")])
    if not folder.exists():
        staging = into / f".{digest}.partial"
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")
        staging.replace(folder)  # whole or not at all: a crash mid-write leaves only the staging folder
    return load_tool(folder / main)


def _stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    files = [path, *sorted((path.parent / INSTRUMENTS_DIR).glob("*.toml"))]
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)


# --- Working through the answers -------------------------------------------------------------------


class _Run:
    """One set of answers worked out against one tool, each value computed once and only when needed.

    An answer counts only when its question is asked (its block's and its own show_if hold) and it is a
    valid answer; everything else counts as unanswered: 0 in a condition, left out of a total.
    """

    def __init__(self, tool: Tool, answers: Mapping[str, Any], today: date | None = None) -> None:
        self.tool = tool
        self.answers = answers
        self.today = today
        self._asked: dict[str, bool] = {}
        self._answered: dict[str, bool] = {}
        self._holds: dict[str, bool] = {}  # by condition text: a block's condition is shared by its items
        self._values: dict[str, Any] = {}

    def asked(self, item: Item) -> bool:
        known = self._asked.get(item.id)
        if known is None:
            section = self.tool.section(item.section)
            known = ((section.show_if is None or self.holds(section.show_if))
                     and (item.show_if is None or self.holds(item.show_if)))
            self._asked[item.id] = known
        return known

    def holds(self, condition: str) -> bool:
        known = self._holds.get(condition)
        if known is None:
            known = self._holds[condition] = parse(condition).holds(self)
        return known

    def answered(self, item_id: str) -> bool:
        known = self._answered.get(item_id)
        if known is None:
            item = self.tool.item_ids[item_id]
            known = (item_id in self.answers and self.asked(item)
                     and item.answer_problem(self.answers[item_id], self.today) is None)
            self._answered[item_id] = known
        return known

    def selected(self, item_id: str, value: str) -> bool:
        if not self.answered(item_id):
            return False
        answer = self.answers[item_id]
        return value in answer if isinstance(answer, list) else answer == value

    def complete(self, total: Total) -> bool:
        """Every asked question of the total is answered, and at least one is asked."""
        asked = [m for m in total.members if self.asked(self.tool.item_ids[m])]
        return bool(asked) and all(self.answered(m) for m in asked)

    def total(self, total: Total) -> int | None:
        """The sum of the answered members' scores so far, or None when none of them is answered."""
        if total.id in self._values:
            return self._values[total.id]
        scores = [self.tool.item_ids[m].score_of(self.answers[m]) for m in total.members if self.answered(m)]
        value = sum(scores) if scores else None
        self._values[total.id] = value
        return value

    def value(self, name: str) -> int | float | bool:
        thing = self.tool.by_id[name]
        if isinstance(thing, Item):
            if not self.answered(name):
                return 0
            answer = self.answers[name]
            return answer if thing.kind == "number" else thing.score_of(answer)
        if isinstance(thing, Total):
            return self.total(thing) or 0
        return self.holds(thing.when)


def visible_items(tool: Tool, answers: Mapping[str, Any]) -> list[Item]:
    """The questions to ask given the answers so far, in order."""
    run = _Run(tool, answers)
    return [i for i in tool.items if run.asked(i)]


def next_item(tool: Tool, answers: Mapping[str, Any]) -> Item | None:
    """The first question to ask that has no valid answer yet, or None when the screening is complete."""
    run = _Run(tool, answers)
    return next((i for i in tool.items if run.asked(i) and not run.answered(i.id)), None)


def screens(tool: Tool, answers: Mapping[str, Any]) -> list[tuple[Item, ...]]:
    """The questions to ask, a page each: one question, or a run of blocks laid out as a grid on one page
    (an officer asking a trained interview answers down one page instead of pressing Continue each time)."""
    out: list[tuple[Item, ...]] = []
    for item in visible_items(tool, answers):
        if out and is_grid(tool, item) and is_grid(tool, out[-1][0]):
            out[-1] = (*out[-1], item)
        else:
            out.append((item,))
    return out


# Questions whose answer the case's details already hold: asked once, on the details screen, and shown chosen.
INTERPRETER, LANGUAGE = "needs_interpreter", "needs_language"


def from_details(tool: Tool, interpreter_needed: bool, language: str) -> tuple[dict[str, Any], str]:
    """The answers the details give (interpreter, language) for the questions this tool asks, and the language
    to ask in: the person's own when the tool has it, else English."""
    known: dict[str, Any] = {}
    if INTERPRETER in tool.item_ids and tool.item(INTERPRETER).option("yes" if interpreter_needed else "no"):
        known[INTERPRETER] = "yes" if interpreter_needed else "no"
        if interpreter_needed and language.strip() and LANGUAGE in tool.item_ids:
            known[LANGUAGE] = language.strip()
    known = {k: v for k, v in prune(tool, known).items() if tool.item(k).answer_problem(v) is None}
    wanted = language.strip().casefold()
    locale = next((code for code in tool.locales if wanted and wanted in _names(code)), SOURCE_LOCALE)
    return known, locale if interpreter_needed else SOURCE_LOCALE


def _names(code: str) -> set[str]:
    try:
        found = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return {code}
    return {n.casefold() for n in (found.get_display_name("en"), found.get_display_name(code), code) if n}


def is_grid(tool: Tool, item: Item) -> bool:
    return tool.section(item.section).layout == "grid"


def prune(tool: Tool, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers to questions that are asked: what may be stored."""
    run = _Run(tool, answers)
    return {i.id: answers[i.id] for i in tool.items if i.id in answers and run.asked(i)}


def validate_answers(tool: Tool, answers: Mapping[str, Any], today: date | None = None) -> list[str]:
    """Every reason the answers cannot be stored or scored as they are: unknown item ids, answers that
    are not possible for their question, and answers to questions that are not asked."""
    return _problems(_Run(tool, answers, today))


def _problems(run: _Run) -> list[str]:
    tool, answers, today = run.tool, run.answers, run.today
    problems: list[str] = []
    for item_id, value in answers.items():
        item = tool.item_ids.get(item_id)
        if item is None:
            problems.append(f"unknown item '{item_id}'{did_you_mean(item_id, tool.item_ids)} "
                            f"(tool {tool.id} {tool.version})")
        elif (why := item.answer_problem(value, today)) is not None:
            problems.append(f"item '{item_id}': {why}")
        elif not run.asked(item):
            section = tool.section(item.section)
            held = section.show_if if section.show_if and not parse(section.show_if).holds(run) else item.show_if
            problems.append(f"item '{item_id}' is not asked with these answers: {held} does not hold")
    return problems


@dataclass(frozen=True)
class ScreeningResult:
    totals: dict[str, int]
    bands: dict[str, str]
    flags: frozenset[str]
    risk_messages: tuple[str, ...]
    complete: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for the screening_completed event; flags sorted so equal results serialise alike."""
        return {
            "totals": dict(self.totals),
            "bands": dict(self.bands),
            "flags": sorted(self.flags),
            "risk_messages": list(self.risk_messages),
            "complete": self.complete,
        }


def score(tool: Tool, answers: Mapping[str, Any], today: date | None = None) -> ScreeningResult:
    """Totals, bands, flags and fired risk instructions for the answers so far.

    A total (and its band) is given once every asked question in it is answered; until then conditions
    see the sum of the answers given so far, so a flag is only final when the screening is complete.

    Raises ValueError when an answer does not fit the tool (e.g. recorded under another version, or to a
    question that is not asked): scoring it as 0 would silently misstate a legal record.
    """
    run = _Run(tool, answers, today)
    problems = _problems(run)
    if problems:
        raise ValueError(f"answers do not fit tool {tool.id} {tool.version}: " + "; ".join(problems))
    totals = {t.id: value for t in tool.totals if run.complete(t) and (value := run.total(t)) is not None}
    bands = {t.id: label for t in tool.totals if t.id in totals and (label := t.band(totals[t.id]))}
    fired = [f for f in tool.flags if run.value(f.id)]
    return ScreeningResult(
        totals=totals,
        bands=bands,
        flags=frozenset(f.id for f in fired),
        risk_messages=tuple(f.risk for f in fired if f.risk),
        complete=all(run.answered(i.id) for i in tool.items if run.asked(i)),
    )


def risk_flags(tool: Tool, result: ScreeningResult) -> list[Flag]:
    """The risk triggers that fired, in the tool's order: each interrupts the screening once."""
    return [f for f in tool.flags if f.risk and f.id in result.flags]
