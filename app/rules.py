"""Suitability rules as data: criteria and order checks, each with its source and the dates it is in force.

Why data: statute, the Sentencing Council guideline and site policy change (the Sentencing Act 2026 changed
suspended sentence orders for convictions from 22 March 2026), so an update is a reviewed change to
`content/rules/*.toml`, not a code hunt. The rules in force on the date of conviction are the ones applied.

Tests are small expressions over named facts (`age >= 18`, `treatments >= 2 and seriousness < medium`),
parsed with `ast` and interpreted here, never eval'd. They use three-valued logic: a fact nobody has
recorded yet is unknown, and so is anything that depends on it, which is what lets a criterion be met,
not met or unknown.
"""

from __future__ import annotations

import ast
import hashlib
import operator
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.toml_source import TomlError, TomlSource

RULES_DIR = Path(__file__).resolve().parent.parent / "content" / "rules"

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
KINDS = ("statute", "guideline", "policy")
SETTLED_BY = ("officer", "screening", "provider", "consent")
SEVERITIES = ("block", "warn", "note")
STAGES = ("proposal", "sentence")
MAX_EXPRESSION = 300

# Facts a criterion may test, for every requirement ...
CASE_FACTS = frozenset({"age", "imprisonable", "seriousness", "screened"})
# ... and for the requirement it is being applied to (plus that requirement's provider findings).
REQUIREMENT_FACTS = frozenset({"candidate", "score", "provider_recorded", "assessed", "agreed", "willing"})
# Facts an order check may test: the order proposed or imposed.
ORDER_FACTS = frozenset({
    "seriousness", "community_order", "suspended_sentence_order", "order_months", "supervision_months",
    "treatments", "requirements", "other_requirements", "atr", "drr", "mhtr_primary", "mhtr_secondary", "aamr",
    "longest_requirement", "shortest_requirement", "drr_months", "alcohol_dependent", "atr_candidate",
})
# Words only for reasons: filled in when a reason is written, never tested.
DISPLAY_FACTS = frozenset({"conviction_date", "requirement_name", "screening_note", "provider_note", "consent_note",
                           "seriousness_label", "agreed_months"})

_ID = re.compile(r"[a-z][a-z0-9_]*")
_REQUIREMENT_ID = re.compile(r"[A-Z][A-Z0-9_]*")
_VERSION = re.compile(r"\d+\.\d+\.\d+")
_CMP: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}


class RulesError(ValueError):
    """A rules file is wrong, or no rules cover a date; the message names the file and line where known."""


@dataclass(frozen=True)
class Period:
    """Dates in force, both ends inclusive; `end` None means still in force."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        return (other.end is None or self.start <= other.end) and (self.end is None or other.start <= self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat() if self.end else 'now'}"


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str
    kind: str  # statute | guideline | policy: policy is a site's to change, statute is not


@dataclass(frozen=True)
class Question:
    """One thing the provider's assessment settles for a requirement, e.g. 'dependent on alcohol'."""

    id: str
    text: str


@dataclass(frozen=True)
class RequirementRule:
    id: str  # ATR, DRR, MHTR_PRIMARY, MHTR_SECONDARY
    name: str
    treatment: str  # what counts towards a combined order: MHTR primary and secondary are one treatment
    flag: str  # the screening tool's flag that indicates this requirement
    score: str  # the screening total shown with it
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Level:
    """A seriousness level from the Sentencing Council's imposition guideline, in rising order."""

    id: str
    label: str
    rank: int


@dataclass(frozen=True)
class Criterion:
    id: str
    applies_to: tuple[str, ...]
    text: str
    test: str
    met: str
    not_met: str
    unknown: str
    source: Source
    settled_by: str
    in_force: Period
    where: str  # file:line, for anyone checking why a criterion is shown

    def reason(self, result: str) -> str:
        return {MET: self.met, NOT_MET: self.not_met, UNKNOWN: self.unknown}[result]


@dataclass(frozen=True)
class OrderCheck:
    id: str
    when: str  # raised when this holds; unknown does not raise it
    severity: str
    text: str
    source: Source
    stages: tuple[str, ...]
    in_force: Period
    where: str


@dataclass(frozen=True)
class RuleFile:
    id: str
    kind: str
    title: str
    version: str
    path: Path
    content_hash: str
    in_force: Period


@dataclass(frozen=True)
class RuleSet:
    """The rules in force on one conviction date."""

    conviction_date: date
    requirements: tuple[RequirementRule, ...]
    levels: tuple[Level, ...]
    criteria: tuple[Criterion, ...]
    checks: tuple[OrderCheck, ...]
    files: tuple[RuleFile, ...]

    def requirement(self, requirement_id: str) -> RequirementRule:
        return next(r for r in self.requirements if r.id == requirement_id)

    def level(self, level_id: str) -> Level:
        return next(lv for lv in self.levels if lv.id == level_id)

    def criteria_for(self, requirement_id: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if requirement_id in c.applies_to)

    def checks_for(self, stage: str) -> tuple[OrderCheck, ...]:
        return tuple(c for c in self.checks if stage in c.stages)

    def cited(self) -> list[dict[str, str]]:
        """The files these rules came from, with versions and hashes, for the record and the CLI."""
        return [{"id": f.id, "kind": f.kind, "title": f.title, "version": f.version, "in_force": str(f.in_force),
                 "sha256": f.content_hash} for f in self.files]


@dataclass(frozen=True)
class RuleBook:
    """Every rules file, loaded and checked; `for_date` picks what applies to a conviction."""

    requirements: tuple[RequirementRule, ...]
    levels: tuple[Level, ...]
    criteria: tuple[Criterion, ...]
    checks: tuple[OrderCheck, ...]
    files: tuple[RuleFile, ...]

    def for_date(self, conviction_date: date) -> RuleSet:
        statute = [c for c in self.criteria if c.source.kind == "statute" and c.in_force.covers(conviction_date)]
        if not statute:
            starts = sorted(c.in_force.start for c in self.criteria if c.source.kind == "statute")
            cover = f" (the rules cover convictions from {starts[0].isoformat()})" if starts else ""
            raise RulesError(f"no statutory rules are in force for a conviction on {conviction_date.isoformat()}"
                             f"{cover}; add them to {RULES_DIR}")
        criteria = tuple(c for c in self.criteria if c.in_force.covers(conviction_date))
        checks = tuple(c for c in self.checks if c.in_force.covers(conviction_date))
        return RuleSet(conviction_date, self.requirements, self.levels, criteria, checks,
                       tuple(f for f in self.files if f.in_force.covers(conviction_date)))


# --- Three-valued expressions ----------------------------------------------------------------------------

Value = bool | int | None


@lru_cache(maxsize=512)
def parse_test(expr: str) -> ast.expr:
    """Parse and vet a test; raises ValueError (without file context) when it is not allowed."""
    if len(expr) > MAX_EXPRESSION:
        raise ValueError(f"test is longer than {MAX_EXPRESSION} characters")
    try:
        body = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"'{expr}' is not a valid expression ({exc.msg})") from None
    for node in ast.walk(body):
        if isinstance(node, ast.Compare) and any(type(op) not in _CMP for op in node.ops):
            raise ValueError(f"'{ast.unparse(node)}': only == != < <= > >= comparisons are allowed")
        if not isinstance(node, ast.BoolOp | ast.And | ast.Or | ast.UnaryOp | ast.Not | ast.Compare | ast.Name
                          | ast.Load | ast.Constant | ast.cmpop):
            raise ValueError(f"'{ast.unparse(node)}' is not allowed; use names, whole numbers, True/False, "
                             "comparisons and and/or/not")
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not):
            raise ValueError(f"'{ast.unparse(node)}': only 'not' is allowed before a value")
        if isinstance(node, ast.Constant) and type(node.value) not in (int, bool):
            raise ValueError(f"'{ast.unparse(node)}': only whole numbers and True/False are allowed")
    return body


def names_in(expr: str) -> list[str]:
    return [n.id for n in ast.walk(parse_test(expr)) if isinstance(n, ast.Name)]


def evaluate(expr: str, env: Mapping[str, Value]) -> Value:
    """Kleene logic: False wins an `and`, True wins an `or`, and otherwise unknown (None) spreads."""
    return _eval(parse_test(expr), env)


def _eval(node: ast.expr, env: Mapping[str, Value]) -> Value:
    match node:
        case ast.BoolOp(op=ast.And(), values=values):
            got = [_truth(_eval(v, env)) for v in values]
            return False if False in got else (None if None in got else True)
        case ast.BoolOp(op=ast.Or(), values=values):
            got = [_truth(_eval(v, env)) for v in values]
            return True if True in got else (None if None in got else False)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            value = _truth(_eval(operand, env))
            return None if value is None else not value
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            lhs = _eval(left, env)
            results: list[bool | None] = []
            for op, right in zip(ops, comparators, strict=True):
                rhs = _eval(right, env)
                results.append(None if lhs is None or rhs is None else bool(_CMP[type(op)](lhs, rhs)))
                lhs = rhs
            return False if False in results else (None if None in results else True)
        case ast.Name(id=name):
            return env.get(name)
        case ast.Constant(value=value):
            return value
    raise AssertionError(f"unvetted node {ast.dump(node)}")  # parse_test makes this unreachable


def _truth(value: Value) -> bool | None:
    return None if value is None else bool(value)


def placeholders(template: str) -> list[str]:
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name]


# --- Loading -----------------------------------------------------------------------------------------------


def _error(src: TomlSource, line: int | None, message: str) -> RulesError:
    """A RulesError naming the file and, where known, the line."""
    return RulesError(f"{src.at(line)}: {message}")


_FILE_KEYS = {"rules", "sources", "levels", "requirements", "criteria", "checks"}
_HEAD_KEYS = {"id", "kind", "title", "version", "in_force_from", "in_force_to"}
_SOURCE_KEYS = {"citation", "url"}
_CRITERION_KEYS = {"id", "applies_to", "text", "test", "met", "not_met", "unknown", "source", "settled_by",
                   "in_force_from", "in_force_to"}
_CHECK_KEYS = {"id", "when", "severity", "text", "source", "stages", "in_force_from", "in_force_to"}
_REQUIREMENT_KEYS = {"id", "name", "treatment", "flag", "score", "questions"}
_QUESTION_KEYS = {"id", "text"}
_LEVEL_KEYS = {"id", "label"}


@dataclass
class _Loaded:
    head: RuleFile
    src: TomlSource
    data: dict[str, Any]


def load_rules(folder: Path | str = RULES_DIR) -> RuleBook:
    """Load and check every `*.toml` in `folder`; any problem is a RulesError naming file and line."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise RulesError(f"{folder}: no rules files (*.toml) found")
    loaded = sorted((_read(path) for path in paths), key=lambda f: (KINDS.index(f.head.kind), f.head.path.name))
    seen: dict[str, Path] = {}
    for item in loaded:
        if item.head.id in seen:
            raise _error(item.src, item.src.key_after("id"),
                         f"rules id '{item.head.id}' is also used by {seen[item.head.id]}")
        seen[item.head.id] = item.head.path

    sources: dict[str, Source] = {}
    for item in loaded:
        for sid, entry in _table(item, "sources").items():
            line = item.src.key_after(sid, item.src.table("sources"))
            if not _ID.fullmatch(sid):
                raise _error(item.src, line, f"source id '{sid}' must be lower-case letters, digits and _")
            if sid in sources:
                raise _error(item.src, line, f"source '{sid}' is already defined in another rules file")
            if not isinstance(entry, dict):
                raise _error(item.src, line, f"source '{sid}' must be a table with citation (and url)")
            _known_keys(item.src, line, entry, _SOURCE_KEYS, f"source '{sid}'")
            sources[sid] = Source(sid, _string(item.src, line, entry, "citation", f"source '{sid}'"),
                                  str(entry.get("url", "")), item.head.kind)

    levels = _levels(loaded)
    requirements = _requirements(loaded)
    level_names = {lv.id for lv in levels}
    criteria: list[Criterion] = []
    checks: list[OrderCheck] = []
    for item in loaded:
        for index, entry in enumerate(_entries(item, "criteria")):
            criteria.append(_criterion(item, index, entry, sources, requirements, level_names))
        for index, entry in enumerate(_entries(item, "checks")):
            checks.append(_check(item, index, entry, sources, level_names))
    _no_overlaps([(c.id, c.applies_to, c.in_force, c.where) for c in criteria], "criterion")
    _no_overlaps([(c.id, ("order",), c.in_force, c.where) for c in checks], "check")
    return RuleBook(tuple(requirements.values()), levels, tuple(criteria), tuple(checks),
                    tuple(item.head for item in loaded))


@lru_cache(maxsize=4)
def _cached(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> RuleBook:
    return load_rules(Path(folder))


def rule_book(folder: Path | str = RULES_DIR) -> RuleBook:
    """The rule book, parsed once and reloaded when a file in the folder changes."""
    folder = Path(folder)
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.toml")))
    return _cached(str(folder), stamp)


def _read(path: Path) -> _Loaded:
    try:
        src = TomlSource.read(path)
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise RulesError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = src.parse()
    except TomlError as exc:
        raise RulesError(str(exc)) from None
    _known_keys(src, None, data, _FILE_KEYS, "the file")
    head = data.get("rules")
    if not isinstance(head, dict):
        raise _error(src, None, "a [rules] table with id, kind, title, version and in_force_from is needed")
    at = src.table("rules")
    _known_keys(src, at, head, _HEAD_KEYS, "[rules]")
    rid = _string(src, at, head, "id", "[rules]")
    if not _ID.fullmatch(rid):
        raise _error(src, src.key_after("id", at), f"rules id '{rid}' must be lower-case letters, digits and _")
    kind = _string(src, at, head, "kind", "[rules]")
    if kind not in KINDS:
        raise _error(src, src.key_after("kind", at), f"kind '{kind}' must be one of {', '.join(KINDS)}")
    version = _string(src, at, head, "version", "[rules]")
    if not _VERSION.fullmatch(version):
        raise _error(src, src.key_after("version", at), f"version must look like \"1.0.0\", got {version!r}")
    period = _period(src, at, head, None, "[rules]")
    if period is None:
        raise _error(src, at, "[rules] needs in_force_from (a date such as 2020-12-01)")
    return _Loaded(RuleFile(rid, kind, _string(src, at, head, "title", "[rules]"), version, path,
                            hashlib.sha256(src.raw).hexdigest(), period), src, data)


def _levels(loaded: list[_Loaded]) -> tuple[Level, ...]:
    found = [(item, entry, index) for item in loaded for index, entry in enumerate(_entries(item, "levels"))]
    if not found:
        raise RulesError(f"{loaded[0].src.path.parent}: no [[levels]] of seriousness are defined in any rules file")
    owners = {item.head.path for item, _e, _i in found}
    if len(owners) > 1:
        raise RulesError(f"[[levels]] are defined in more than one file ({', '.join(map(str, sorted(owners)))}); "
                         "keep the seriousness scale in one place")
    levels = []
    for item, entry, index in found:
        line = item.src.header("levels", index)
        _known_keys(item.src, line, entry, _LEVEL_KEYS, "level")
        lid = _string(item.src, line, entry, "id", "level")
        if not _ID.fullmatch(lid) or lid in CASE_FACTS | REQUIREMENT_FACTS | ORDER_FACTS:
            raise _error(item.src, line, f"level id '{lid}' must be lower-case letters, digits and _, "
                                         "and not the name of a fact")
        if any(lv.id == lid for lv in levels):
            raise _error(item.src, line, f"level '{lid}' is defined twice")
        levels.append(Level(lid, _string(item.src, line, entry, "label", f"level '{lid}'"), index))
    return tuple(levels)


def _requirements(loaded: list[_Loaded]) -> dict[str, RequirementRule]:
    out: dict[str, RequirementRule] = {}
    for item in loaded:
        for index, entry in enumerate(_entries(item, "requirements")):
            line = item.src.header("requirements", index)
            _known_keys(item.src, line, entry, _REQUIREMENT_KEYS, "requirement")
            rid = _string(item.src, line, entry, "id", "requirement")
            if not _REQUIREMENT_ID.fullmatch(rid):
                raise _error(item.src, line, f"requirement id '{rid}' must be capitals, digits and _ (e.g. ATR)")
            if rid in out:
                raise _error(item.src, line, f"requirement '{rid}' is defined twice")
            questions = []
            raw = entry.get("questions", [])
            if not isinstance(raw, list) or not raw:
                raise _error(item.src, line, f"requirement '{rid}' needs questions = [{{ id = ..., text = ... }}] "
                                             "for what the provider's assessment settles")
            for q in raw:
                q_line = item.src.key_after("questions", line)
                if not isinstance(q, dict):
                    raise _error(item.src, q_line, f"requirement '{rid}': each question is {{ id = ..., text = ... }}")
                _known_keys(item.src, q_line, q, _QUESTION_KEYS, f"a question of '{rid}'")
                qid = _string(item.src, q_line, q, "id", f"a question of '{rid}'")
                if not _ID.fullmatch(qid) or qid in CASE_FACTS | REQUIREMENT_FACTS:
                    raise _error(item.src, q_line, f"question id '{qid}' of '{rid}' must be lower-case letters, "
                                                   "digits and _ and not the name of another fact")
                questions.append(Question(qid, _string(item.src, q_line, q, "text", f"question '{qid}'")))
            out[rid] = RequirementRule(
                rid, _string(item.src, line, entry, "name", rid), _string(item.src, line, entry, "treatment", rid),
                _string(item.src, line, entry, "flag", rid), _string(item.src, line, entry, "score", rid),
                tuple(questions))
    if not out:
        raise RulesError(f"{loaded[0].src.path.parent}: no [[requirements]] are defined in any rules file")
    return out


def _criterion(item: _Loaded, index: int, entry: dict[str, Any], sources: dict[str, Source],
               requirements: dict[str, RequirementRule], level_names: set[str]) -> Criterion:
    t = item.src
    line = t.header("criteria", index)
    _known_keys(t, line, entry, _CRITERION_KEYS, "criterion")
    cid = _string(t, line, entry, "id", "criterion")
    owner = f"criterion '{cid}'"
    if not _ID.fullmatch(cid):
        raise _error(t, line, f"criterion id '{cid}' must be lower-case letters, digits and _")
    applies = entry.get("applies_to")
    if not isinstance(applies, list) or not applies or not all(isinstance(rid, str) for rid in applies):
        raise _error(t, t.key_after("applies_to", line) or line,
                     f"{owner}: applies_to must list requirements, e.g. [\"ATR\"]")
    for rid in applies:
        if rid not in requirements:
            raise _error(t, t.key_after("applies_to", line), f"{owner} applies to unknown requirement '{rid}' "
                                                             f"(known: {', '.join(requirements)})")
    test = _string(t, line, entry, "test", owner)
    allowed = CASE_FACTS | REQUIREMENT_FACTS | level_names
    for rid in applies:
        questions = {q.id for q in requirements[rid].questions}
        _check_expression(t, t.key_after("test", line), test, owner, allowed | questions,
                          f"a fact ({', '.join(sorted(CASE_FACTS | REQUIREMENT_FACTS))}), a level "
                          f"({', '.join(sorted(level_names))}) or a question of {rid} "
                          f"({', '.join(sorted(questions))})")
    texts = {key: _string(t, line, entry, key, owner) for key in ("text", "met", "not_met", "unknown")}
    for key, template in texts.items():
        _check_template(t, t.key_after(key, line), template, owner, key)
    settled = _string(t, line, entry, "settled_by", owner)
    if settled not in SETTLED_BY:
        raise _error(t, t.key_after("settled_by", line), f"{owner}: settled_by must be one of {', '.join(SETTLED_BY)}")
    return Criterion(cid, tuple(applies), texts["text"], test, texts["met"], texts["not_met"], texts["unknown"],
                     _source(t, line, entry, sources, owner), settled,
                     _period(t, line, entry, item.head.in_force, owner) or item.head.in_force, t.at(line))


def _check(item: _Loaded, index: int, entry: dict[str, Any], sources: dict[str, Source],
           level_names: set[str]) -> OrderCheck:
    t = item.src
    line = t.header("checks", index)
    _known_keys(t, line, entry, _CHECK_KEYS, "check")
    cid = _string(t, line, entry, "id", "check")
    owner = f"check '{cid}'"
    if not _ID.fullmatch(cid):
        raise _error(t, line, f"check id '{cid}' must be lower-case letters, digits and _")
    when = _string(t, line, entry, "when", owner)
    _check_expression(t, t.key_after("when", line), when, owner, ORDER_FACTS | level_names,
                      f"an order fact ({', '.join(sorted(ORDER_FACTS))}) or a level ({', '.join(sorted(level_names))})")
    severity = _string(t, line, entry, "severity", owner)
    if severity not in SEVERITIES:
        raise _error(t, t.key_after("severity", line), f"{owner}: severity must be one of {', '.join(SEVERITIES)}")
    if severity == "block" and item.head.kind == "guideline":
        raise _error(t, t.key_after("severity", line),
                     f"{owner}: the guideline guides, it does not block; use warn or note")
    text = _string(t, line, entry, "text", owner)
    for name in placeholders(text):
        if name not in ORDER_FACTS | {"seriousness_label"}:
            raise _error(t, t.key_after("text", line), f"{owner}: text names {{{name}}}, which is not an order fact")
    stages = entry.get("stages", list(STAGES))
    if not isinstance(stages, list) or not stages or any(s not in STAGES for s in stages):
        raise _error(t, t.key_after("stages", line), f"{owner}: stages must list some of {', '.join(STAGES)}")
    return OrderCheck(cid, when, severity, text, _source(t, line, entry, sources, owner), tuple(stages),
                      _period(t, line, entry, item.head.in_force, owner) or item.head.in_force, t.at(line))


def _check_expression(t: TomlSource, line: int | None, expr: str, owner: str, allowed: set[str] | frozenset[str],
                      hint: str) -> None:
    try:
        names = names_in(expr)
    except ValueError as exc:
        raise _error(t, line, f"{owner}: {exc}") from None
    for name in names:
        if name not in allowed:
            raise _error(t, line, f"{owner}: '{name}' is not {hint}")


def _check_template(t: TomlSource, line: int | None, template: str, owner: str, key: str) -> None:
    try:
        names = placeholders(template)
    except ValueError as exc:
        raise _error(t, line, f"{owner}: {key} is not a valid template ({exc})") from None
    for name in names:
        if name not in CASE_FACTS | REQUIREMENT_FACTS | DISPLAY_FACTS:
            raise _error(t, line, f"{owner}: {key} names {{{name}}}; use one of "
                                  f"{', '.join(sorted(CASE_FACTS | REQUIREMENT_FACTS | DISPLAY_FACTS))}")


def _source(t: TomlSource, line: int | None, entry: dict[str, Any], sources: dict[str, Source], owner: str) -> Source:
    sid = _string(t, line, entry, "source", owner)
    if sid not in sources:
        raise _error(t, t.key_after("source", line), f"{owner} cites unknown source '{sid}'; define it under [sources]")
    return sources[sid]


def _period(t: TomlSource, line: int | None, entry: dict[str, Any], default: Period | None,
            owner: str) -> Period | None:
    start, end = entry.get("in_force_from"), entry.get("in_force_to")
    for key, value in (("in_force_from", start), ("in_force_to", end)):
        if value is not None and (not isinstance(value, date) or hasattr(value, "hour")):
            raise _error(t, t.key_after(key, line), f"{owner}: {key} must be a date such as 2026-03-22 (no quotes)")
    if start is None and end is None:
        return None
    period = Period(start or (default.start if default else date.min),
                    end if end is not None else (default.end if default else None))
    if period.end is not None and period.end < period.start:
        raise _error(t, t.key_after("in_force_to", line),
                     f"{owner}: in_force_to {period.end} is before in_force_from {period.start}")
    if default is not None and not (default.covers(period.start) and (default.end is None or (
            period.end is not None and period.end <= default.end))):
        raise _error(t, t.key_after("in_force_from", line) or line,
                     f"{owner}: in force {period}, outside its file's {default}")
    return period


def _no_overlaps(entries: Iterable[tuple[str, tuple[str, ...], Period, str]], what: str) -> None:
    """One id may appear more than once only for different dates: that is how a change in the law is written."""
    seen: dict[str, list[tuple[tuple[str, ...], Period, str]]] = {}
    for eid, scope, period, where in entries:
        for other_scope, other_period, other_where in seen.get(eid, []):
            if set(scope) & set(other_scope) and period.overlaps(other_period):
                raise RulesError(f"{where}: {what} '{eid}' is in force {period}, overlapping the one at "
                                 f"{other_where} ({other_period}); give each version its own dates")
        seen.setdefault(eid, []).append((scope, period, where))


def _table(item: _Loaded, key: str) -> dict[str, Any]:
    value = item.data.get(key, {})
    if not isinstance(value, dict):
        raise _error(item.src, item.src.key_after(key), f"'{key}' must be a table ([{key}])")
    return value


def _entries(item: _Loaded, key: str) -> list[dict[str, Any]]:
    value = item.data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _error(item.src, item.src.key_after(key), f"'{key}' must be written as [[{key}]] entries")
    return value


def _known_keys(t: TomlSource, line: int | None, data: dict[str, Any], allowed: set[str], owner: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        at = t.key_after(unknown[0], line) or line
        raise _error(t, at, f"{owner}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def _string(t: TomlSource, line: int | None, data: dict[str, Any], key: str, owner: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _error(t, t.key_after(key, line) or line, f"{owner}: '{key}' is missing or not text")
    return " ".join(value.split())

