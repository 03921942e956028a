"""Screening tools: load a site's locally agreed tool (TOML) and score a defendant's answers.

Why data, not code: a site's steering group changes its tool without a release, and the published
instruments keep their validated wording and scoring in one reviewed place (content/tools/instruments).
Conditions are tiny expressions parsed with `ast` and interpreted here; nothing is ever eval'd.
Item text, option labels and messages are English source strings kept as data, so a catalogue
extractor can pick them up later; this module does not translate.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import operator
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

TOOLS_DIR = Path(__file__).resolve().parent.parent / "content" / "tools"
INSTRUMENTS_DIR = "instruments"  # included blocks live here, beside the tool file
KINDS = ("choice", "yesno")
MAX_EXPRESSION = 300  # long enough for any sensible rule; stops pathological nesting

_ITEM_KEYS = {"id", "text", "kind", "options", "scale", "show_if"}
_OPTION_KEYS = {"value", "label", "score"}
_TOTAL_KEYS = {"id", "label", "items", "bands"}
_BAND_KEYS = {"from", "label"}
_FLAG_KEYS = {"id", "when", "why", "risk"}
_HEAD_KEYS = {
    "tool": {"id", "version", "title", "include"},
    "instrument": {"id", "title", "intro", "source", "licence"},
}
_TOP_KEYS = {"tool": {"tool", "scales", "items", "totals", "flags"},
             "instrument": {"instrument", "scales", "items", "totals"}}
_CMP: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}


class ToolError(ValueError):
    """A tool file is wrong; the message names the file, the line where it can be found, and what is wrong."""


@dataclass(frozen=True)
class Option:
    value: str  # what the case log records; stable when a label is reworded
    label: str
    score: int


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    kind: str  # "choice" | "yesno"
    options: tuple[Option, ...]
    show_if: str | None
    section: str  # id of the Section (instrument block) the item came from
    source: str  # citation of the instrument, shown with the question

    def option(self, value: object) -> Option | None:
        """The option recorded by `value`, or None when it is not one of this item's options."""
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    """One instrument block as the officer sees it: heading, published instructions, source and licence."""

    id: str
    title: str
    intro: str
    source: str
    licence: str


@dataclass(frozen=True)
class Band:
    start: int  # lower bound, inclusive; the band runs to the next band's start
    label: str


@dataclass(frozen=True)
class Total:
    id: str
    label: str
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    minimum: int  # possible range, worked out from the option scores
    maximum: int

    def band(self, value: int) -> str | None:
        """The label of the highest band whose lower bound `value` reaches."""
        label = None
        for band in self.bands:
            if value >= band.start:
                label = band.label
        return label


@dataclass(frozen=True)
class Flag:
    id: str
    when: str
    why: str
    risk: str | None  # set for a risk trigger: the message the officer must act on now


@dataclass(frozen=True)
class Tool:
    id: str
    version: str
    title: str
    items: tuple[Item, ...]
    content_hash: str  # sha256 of the tool file plus included blocks: what the case log cites
    sections: tuple[Section, ...] = ()
    totals: tuple[Total, ...] = ()
    flags: tuple[Flag, ...] = ()

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


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


# --- Conditions -------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _parse_condition(expr: str) -> ast.expr:
    """Parse and vet a condition; raises ValueError (without file context) when it is not allowed."""
    if len(expr) > MAX_EXPRESSION:
        raise ValueError(f"condition is longer than {MAX_EXPRESSION} characters")
    try:
        body = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"condition '{expr}' is not a valid expression ({exc.msg})") from None
    _vet(body)
    return body


def _vet(node: ast.expr) -> None:
    match node:
        case ast.BoolOp(op=ast.And() | ast.Or(), values=values):
            for value in values:
                _vet(value)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            _vet(operand)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            for op in ops:
                if type(op) not in _CMP:
                    raise ValueError(f"'{ast.unparse(node)}': only == != < <= > >= comparisons are allowed")
            for part in (left, *comparators):
                _vet(part)
        case ast.Name(ctx=ast.Load()):
            pass
        case ast.Constant(value=value) if type(value) is int:
            pass
        case _:
            raise ValueError(
                f"'{ast.unparse(node)}' is not allowed; use names, whole numbers, comparisons and and/or/not"
            )


def _names(node: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


def _evaluate(node: ast.expr, env: Mapping[str, int | bool]) -> int | bool:
    match node:
        case ast.BoolOp(op=ast.And(), values=values):
            return all(_evaluate(v, env) for v in values)
        case ast.BoolOp(op=ast.Or(), values=values):
            return any(_evaluate(v, env) for v in values)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _evaluate(operand, env)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            lhs = _evaluate(left, env)
            for op, right in zip(ops, comparators, strict=True):
                rhs = _evaluate(right, env)
                if not _CMP[type(op)](lhs, rhs):
                    return False
                lhs = rhs
            return True
        case ast.Name(id=name):
            return env[name]
        case ast.Constant(value=int() as value):
            return value
    raise AssertionError(f"unvetted node {ast.dump(node)}")  # _parse_condition guarantees this is unreachable


def _holds(expr: str, env: Mapping[str, int | bool]) -> bool:
    return bool(_evaluate(_parse_condition(expr), env))


# --- Loading ----------------------------------------------------------------------------------------


@dataclass
class _Source:
    """A file's text kept beside its parsed data, so errors can point at a line (tomllib keeps none)."""

    path: Path
    raw: bytes
    text: str
    lines: list[str]

    @classmethod
    def read(cls, path: Path, cited_by: str | None = None) -> _Source:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            where = cited_by or str(path)
            raise ToolError(f"{where}: cannot read tool file {path} ({exc.strerror})") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ToolError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        return cls(path, raw, text, text.splitlines())

    def parse(self) -> dict[str, Any]:
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "invalid TOML"
            line = int(match.group(1)) if match else None
            raise ToolError(f"{self.at(line)}: invalid TOML: {message}") from None

    def at(self, line: int | None) -> str:
        return f"{self.path}:{line}" if line else str(self.path)

    def find(self, pattern: str, after: int | None = 0) -> int | None:
        """1-based number of the first line at or after `after` matching the regex `pattern`."""
        start = after or 1
        rx = re.compile(pattern)
        for number in range(start, len(self.lines) + 1):
            if rx.search(self.lines[number - 1]):
                return number
        return None

    def header(self, table: str, index: int) -> int | None:
        """Line of the `index`-th `[[table]]` header (0-based), the anchor for errors inside that entry."""
        rx = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
        hits = [n for n, line in enumerate(self.lines, start=1) if rx.search(line)]
        return hits[index] if index < len(hits) else None

    def key(self, key: str, after: int | None) -> int | None:
        return self.find(rf"(^|[\s{{,]){re.escape(key)}\s*=", after)

    def quoted(self, key: str, value: str, after: int | None = 0) -> int | None:
        return self.find(rf"\b{re.escape(key)}\s*=\s*[\"']{re.escape(value)}[\"']", after)

    def error(self, line: int | None, message: str) -> ToolError:
        return ToolError(f"{self.at(line)}: {message}")


@dataclass
class _Builder:
    """Collects blocks in order, checking each piece where the file and line are still known."""

    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # name -> what it is ("item", "total", "flag")
    # show_if checks wait until every block is loaded: (source, line of show_if, item)
    pending_show_if: list[tuple[_Source, int | None, Item]] = field(default_factory=list)

    def claim(self, src: _Source, line: int | None, name: object, what: str) -> str:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise src.error(line, f"{what} id {name!r} must be lower-case letters, digits and _")
        if name in self.names:
            raise src.error(line, f"{what} id '{name}' is already the id of {_a(self.names[name])}")
        self.names[name] = what
        return name

    def add_block(self, src: _Source, data: dict[str, Any], role: str, section: Section) -> None:
        for key in data:
            if key not in _TOP_KEYS[role]:
                raise src.error(src.find(rf"^\s*\[*\s*{re.escape(key)}\b"),
                                f"unknown table '{key}' in {_a(role)} file "
                                f"(expected {', '.join(sorted(_TOP_KEYS[role]))})")
        if data.get("items"):
            self.sections.append(section)
        scales = _table(src, data, "scales", None, required=False)
        for index, entry in enumerate(_entries(src, data, "items")):
            self._add_item(src, entry, index, scales, section)
        for index, entry in enumerate(_entries(src, data, "totals")):
            self._add_total(src, entry, index)
        flags = _entries(src, data, "flags")
        for index, entry in enumerate(flags):
            self._add_flag(src, entry, index, later={str(f.get("id")) for f in flags[index + 1:]})

    def _add_item(self, src: _Source, entry: dict[str, Any], index: int, scales: dict[str, Any],
                  section: Section) -> None:
        anchor = src.header("items", index)
        if anchor is None and isinstance(entry.get("id"), str):
            anchor = src.quoted("id", entry["id"])
        _no_unknown(src, anchor, entry, _ITEM_KEYS, "item")
        item_id = self.claim(src, anchor, _text(src, anchor, entry, "id", "item"), "item")
        text = _text(src, anchor, entry, "text", f"item '{item_id}'")
        kind = _text(src, anchor, entry, "kind", f"item '{item_id}'")
        if kind not in KINDS:
            raise src.error(src.key("kind", anchor), f"item '{item_id}' has kind '{kind}' "
                                                     f"(expected one of {', '.join(KINDS)})")
        if ("options" in entry) == ("scale" in entry):
            raise src.error(anchor, f"item '{item_id}' needs exactly one of 'options' or 'scale'")
        if "scale" in entry:
            scale = entry["scale"]
            if not isinstance(scale, str) or scale not in scales:
                known = ", ".join(sorted(scales)) or "none defined"
                raise src.error(src.key("scale", anchor), f"item '{item_id}' uses unknown scale {scale!r} "
                                                          f"(scales in this file: {known})")
            scale_line = src.find(rf"^\s*\[\s*scales\.{re.escape(scale)}\s*\]")
            raw_options = _option_list(src, scale_line, scales[scale], f"scale '{scale}'")
            options = _options(src, scale_line, raw_options, f"scale '{scale}' (used by item '{item_id}')")
        else:
            if not isinstance(entry["options"], list):
                raise src.error(src.key("options", anchor), f"item '{item_id}': 'options' must be a list")
            options = _options(src, anchor, entry["options"], f"item '{item_id}'")
        if kind == "yesno" and sorted(o.value for o in options) != ["no", "yes"]:
            raise src.error(anchor, f"yes/no item '{item_id}' must have exactly the options 'yes' and 'no'")
        show_if = entry.get("show_if")
        if show_if is not None and not isinstance(show_if, str):
            raise src.error(src.key("show_if", anchor), f"item '{item_id}': 'show_if' must be a string")
        item = Item(item_id, text, kind, options, show_if, section.id, section.source)
        self.items.append(item)
        if show_if is not None:
            line = src.key("show_if", anchor)
            _condition(src, line, show_if, f"show_if of item '{item_id}'")
            self.pending_show_if.append((src, line, item))

    def _add_total(self, src: _Source, entry: dict[str, Any], index: int) -> None:
        anchor = src.header("totals", index)
        _no_unknown(src, anchor, entry, _TOTAL_KEYS, "total")
        total_id = self.claim(src, anchor, _text(src, anchor, entry, "id", "total"), "total")
        label = _text(src, anchor, entry, "label", f"total '{total_id}'")
        members = entry.get("items")
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            raise src.error(src.key("items", anchor) or anchor,
                            f"total '{total_id}' needs 'items', a list of item ids")
        by_id = {i.id: i for i in self.items}
        for member in members:
            if member not in by_id:
                raise src.error(src.key("items", anchor),
                                f"total '{total_id}' names unknown item '{member}'{_hint(member, by_id)}")
        if len(set(members)) != len(members):
            raise src.error(src.key("items", anchor), f"total '{total_id}' lists an item twice")
        lo = sum(min(o.score for o in by_id[m].options) for m in members)
        hi = sum(max(o.score for o in by_id[m].options) for m in members)
        bands_line = src.key("bands", anchor)
        bands: list[Band] = []
        raw_bands = entry.get("bands", [])
        if not isinstance(raw_bands, list):
            raise src.error(bands_line, f"total '{total_id}': 'bands' must be a list")
        for raw in raw_bands:
            if not isinstance(raw, dict):
                raise src.error(bands_line, f"total '{total_id}': each band is a table {{ from, label }}")
            line = src.find(rf"\bfrom\s*=\s*{raw.get('from')}\b", bands_line) if "from" in raw else bands_line
            _no_unknown(src, line, raw, _BAND_KEYS, f"band of total '{total_id}'")
            start = raw.get("from")
            if type(start) is not int:
                raise src.error(line, f"total '{total_id}': a band needs a whole number 'from'")
            band_label = _text(src, line, raw, "label", f"band from {start} of total '{total_id}'")
            if bands and start <= bands[-1].start:
                raise src.error(line, f"total '{total_id}': bands must be in rising order of 'from'")
            if not lo <= start <= hi:
                raise src.error(line, f"total '{total_id}': band from {start} is outside the possible "
                                      f"range {lo}-{hi}")
            bands.append(Band(start, band_label))
        if bands and bands[0].start != lo:
            raise src.error(bands_line, f"total '{total_id}': the first band must start at {lo}, "
                                        "the lowest possible total, so every score has a band")
        self.totals.append(Total(total_id, label, tuple(members), tuple(bands), lo, hi))

    def _add_flag(self, src: _Source, entry: dict[str, Any], index: int, later: set[str]) -> None:
        anchor = src.header("flags", index)
        _no_unknown(src, anchor, entry, _FLAG_KEYS, "flag")
        flag_id = _text(src, anchor, entry, "id", "flag")
        when = _text(src, anchor, entry, "when", f"flag '{flag_id}'")
        line = src.key("when", anchor)
        node = _condition(src, line, when, f"flag '{flag_id}'")
        for name in _names(node):
            if name in self.names:
                continue
            if name in later or name == flag_id:
                raise src.error(line, f"flag '{flag_id}' uses flag '{name}' before it is worked out; "
                                      "flags are worked out in file order, so move it above")
            raise src.error(line, f"flag '{flag_id}' uses unknown name '{name}' in '{when}'"
                                  f"{_hint(name, self.names)}")
        self.claim(src, anchor, flag_id, "flag")
        why = entry.get("why", "")
        risk = entry.get("risk")
        if not isinstance(why, str) or (risk is not None and not isinstance(risk, str)):
            raise src.error(anchor, f"flag '{flag_id}': 'why' and 'risk' must be strings")
        self.flags.append(Flag(flag_id, when, why, risk or None))

    def check_show_if(self) -> None:
        """show_if may use only earlier items and totals of earlier items, so one pass in order decides it."""
        position = {item.id: n for n, item in enumerate(self.items)}
        totals = {t.id: t for t in self.totals}
        for src, line, item in self.pending_show_if:
            assert item.show_if is not None
            here = position[item.id]
            for name in _names(_parse_condition(item.show_if)):
                if name in position:
                    later = [name] if position[name] >= here else []
                elif name in totals:
                    later = [m for m in totals[name].items if position[m] >= here]
                else:
                    what = self.names.get(name)
                    reason = f"{_a(what)} cannot be used in show_if" if what else "unknown name"
                    raise src.error(line, f"show_if of item '{item.id}': {reason} '{name}' in "
                                          f"'{item.show_if}'{'' if what else _hint(name, self.names)}")
                if later:
                    raise src.error(line, f"show_if of item '{item.id}' uses '{name}', which depends on "
                                          f"item '{later[0]}' that is not asked before it")


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _condition(src: _Source, line: int | None, expr: str, owner: str) -> ast.expr:
    try:
        return _parse_condition(expr)
    except (ValueError, RecursionError, MemoryError) as exc:
        raise src.error(line, f"{owner}: {exc}") from None


def _entries(src: _Source, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        line = src.find(rf"^\s*\[*\s*{re.escape(key)}\b")
        raise src.error(line, f"'{key}' must be an array of tables [[{key}]]")
    return value


def _table(src: _Source, data: dict[str, Any], key: str, line: int | None,
           required: bool = True) -> dict[str, Any]:
    value = data.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise src.error(line, f"a [{key}] table is needed")
    return value


def _text(src: _Source, line: int | None, data: dict[str, Any], key: str, owner: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        where = src.key(key, line) if key in data else line
        raise src.error(where, f"{owner}: '{key}' is missing or not text")
    return value


def _no_unknown(src: _Source, line: int | None, data: dict[str, Any], allowed: set[str], owner: str) -> None:
    for key in data:
        if key not in allowed:
            raise src.error(src.key(key, line) or line, f"{owner}: unknown key '{key}'{_hint(key, allowed)} "
                                                        f"(allowed: {', '.join(sorted(allowed))})")


def _option_list(src: _Source, line: int | None, scale: object, owner: str) -> list[Any]:
    if not isinstance(scale, dict) or not isinstance(scale.get("options"), list):
        raise src.error(line, f"{owner} needs 'options', a list of {{ value, label, score }}")
    return scale["options"]


def _options(src: _Source, anchor: int | None, raw: list[Any], owner: str) -> tuple[Option, ...]:
    if not raw:
        raise src.error(anchor, f"{owner} has no options")
    options: list[Option] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise src.error(anchor, f"{owner}: each option is a table {{ value, label, score }}")
        value = entry.get("value")
        line = src.quoted("value", str(value), anchor) if value is not None else anchor
        line = line or anchor
        _no_unknown(src, line, entry, _OPTION_KEYS, f"an option of {owner}")
        value = _text(src, line, entry, "value", f"an option of {owner}")
        label = _text(src, line, entry, "label", f"option '{value}' of {owner}")
        if "score" not in entry:
            raise src.error(line, f"option '{value}' of {owner} has no score")
        score = entry["score"]
        if type(score) is not int or score < 0:
            raise src.error(line, f"option '{value}' of {owner} has score {score!r}; "
                                  "expected a whole number >= 0")
        if any(o.value == value for o in options):
            raise src.error(line, f"{owner} has option value '{value}' twice")
        options.append(Option(value, label, score))
    return tuple(options)


def _resolve(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path):
        return name_or_path
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path):
        return TOOLS_DIR / f"{name_or_path}.toml"
    return Path(name_or_path)


def _head(src: _Source, data: dict[str, Any], role: str) -> dict[str, Any]:
    line = src.find(rf"^\s*\[\s*{role}\s*\]")
    head = _table(src, data, role, line)
    _no_unknown(src, line, head, _HEAD_KEYS[role], f"[{role}]")
    return head


def _hash_part(hasher: Any, name: str, raw: bytes) -> None:
    # Name and length framing, so moving bytes between files cannot give the same hash.
    hasher.update(f"{name}\0{len(raw)}\0".encode())
    hasher.update(raw)


def load_tool(name_or_path: str | Path) -> Tool:
    """Load and check a tool; a bare name means content/tools/<name>.toml. Raises ToolError on any fault."""
    path = _resolve(name_or_path)
    src = _Source.read(path)
    data = src.parse()
    head = _head(src, data, "tool")
    head_line = src.find(r"^\s*\[\s*tool\s*\]")
    tool_id = _text(src, head_line, head, "id", "[tool]")
    version = _text(src, head_line, head, "version", "[tool]")
    title = _text(src, head_line, head, "title", "[tool]")
    includes = head.get("include", [])
    include_line = src.key("include", head_line)
    if not isinstance(includes, list) or not all(isinstance(n, str) for n in includes):
        raise src.error(include_line, "'include' must be a list of instrument file names")

    hasher = hashlib.sha256()
    _hash_part(hasher, path.name, src.raw)
    builder = _Builder()
    for index, name in enumerate(includes):
        line = src.find(rf"[\"']{re.escape(name)}[\"']", include_line) or include_line
        if not re.fullmatch(r"[A-Za-z0-9_-]+\.toml", name):
            raise src.error(line, f"include '{name}' must be a plain file name such as 'audit.toml'")
        if name in includes[:index]:
            raise src.error(line, f"'{name}' is included twice")
        block = _Source.read(path.parent / INSTRUMENTS_DIR / name, cited_by=src.at(line))
        block_data = block.parse()
        meta = _head(block, block_data, "instrument")
        meta_line = block.find(r"^\s*\[\s*instrument\s*\]")
        section = Section(
            id=_text(block, meta_line, meta, "id", "[instrument]"),
            title=_text(block, meta_line, meta, "title", "[instrument]"),
            intro=str(meta.get("intro", "")),
            source=_text(block, meta_line, meta, "source", "[instrument]"),
            licence=_text(block, meta_line, meta, "licence", "[instrument]"),
        )
        if any(s.id == section.id for s in builder.sections):
            raise block.error(meta_line, f"instrument id '{section.id}' is already used by another block")
        builder.add_block(block, block_data, "instrument", section)
        _hash_part(hasher, name, block.raw)
    local = Section(tool_id, title, "", f"Locally agreed tool '{tool_id}' version {version}", "")
    builder.add_block(src, data, "tool", local)
    builder.check_show_if()
    if not builder.items:
        raise src.error(head_line, "the tool has no items")
    return Tool(
        id=tool_id, version=version, title=title, items=tuple(builder.items),
        content_hash=hasher.hexdigest(), sections=tuple(builder.sections),
        totals=tuple(builder.totals), flags=tuple(builder.flags),
    )


# --- Answering and scoring --------------------------------------------------------------------------


def _totals(tool: Tool, scores: Mapping[str, int]) -> dict[str, int]:
    return {
        t.id: sum(scores.get(m, 0) for m in t.items)
        for t in tool.totals
        if any(m in scores for m in t.items)
    }


def _environment(tool: Tool, scores: Mapping[str, int]) -> dict[str, int | bool]:
    """Names a condition can use: each item's score and each total, 0 when unanswered or hidden."""
    totals = _totals(tool, scores)
    env: dict[str, int | bool] = {i.id: scores.get(i.id, 0) for i in tool.items}
    env.update({t.id: totals.get(t.id, 0) for t in tool.totals})
    return env


def _walk(tool: Tool, answers: Mapping[str, str]) -> tuple[list[Item], dict[str, int]]:
    """Visible items in order and the scores of those answered with a valid option."""
    visible: list[Item] = []
    scores: dict[str, int] = {}
    for item in tool.items:
        if item.show_if is not None and not _holds(item.show_if, _environment(tool, scores)):
            continue
        visible.append(item)
        option = item.option(answers.get(item.id))
        if option is not None:
            scores[item.id] = option.score
    return visible, scores


def visible_items(tool: Tool, answers: Mapping[str, str]) -> list[Item]:
    """Items to ask given the answers so far; an answer that is not a valid option counts as unanswered."""
    return _walk(tool, answers)[0]


def next_item(tool: Tool, answers: Mapping[str, str]) -> Item | None:
    """The first visible item without a valid answer, or None when the screen is complete."""
    visible, scores = _walk(tool, answers)
    return next((i for i in visible if i.id not in scores), None)


def validate_answers(tool: Tool, answers: Mapping[str, str]) -> list[str]:
    """Problems with the answers: unknown item ids and values that are not one of the item's options.

    Answers to items now hidden are not problems: they stay recorded and simply count 0.
    """
    by_id = {i.id: i for i in tool.items}
    problems: list[str] = []
    for item_id, value in answers.items():
        item = by_id.get(item_id)
        if item is None:
            problems.append(f"unknown item '{item_id}' (tool {tool.id} {tool.version})")
        elif item.option(value) is None:
            allowed = ", ".join(o.value for o in item.options)
            problems.append(f"item '{item_id}': {value!r} is not an option (expected one of {allowed})")
    return problems


def score(tool: Tool, answers: Mapping[str, str]) -> ScreeningResult:
    """Totals, bands, flags and fired risk messages for the answers so far.

    Raises ValueError when an answer does not fit the tool (e.g. recorded under another version): scoring
    it as 0 would silently misstate a legal record.
    """
    problems = validate_answers(tool, answers)
    if problems:
        raise ValueError(f"answers do not fit tool {tool.id} {tool.version}: " + "; ".join(problems))
    visible, scores = _walk(tool, answers)
    totals = _totals(tool, scores)
    bands = {t.id: label for t in tool.totals if t.id in totals and (label := t.band(totals[t.id]))}
    env = _environment(tool, scores)
    fired: list[Flag] = []
    for flag in tool.flags:  # in file order, so a flag can use the flags above it
        env[flag.id] = _holds(flag.when, env)
        if env[flag.id]:
            fired.append(flag)
    return ScreeningResult(
        totals=totals,
        bands=bands,
        flags=frozenset(f.id for f in fired),
        risk_messages=tuple(f.risk for f in fired if f.risk),
        complete=all(i.id in scores for i in visible),
    )
