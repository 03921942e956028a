"""Reading and checking a screening tool file and the blocks it includes (file format 2).

Why it collects problems rather than stopping at the first: a site administrator fixing a tool wants
every mistake at once, each with its file and line (`courtside tool check`). tomllib keeps no line
numbers, so each file's text is kept beside its data (app/toml_source.py), and a line is found by
searching inside the table being read. The rules checked here are documented in content/tools/README.md.
"""

from __future__ import annotations

import hashlib
import keyword
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from app.screening_checks import CrossChecks, a_an
from app.screening_expr import FUNCTIONS, Expr, parse
from app.screening_model import (
    CHOICE_KINDS,
    KINDS,
    LAYOUTS,
    SOURCE_LOCALE,
    TRANSLATION_STATUSES,
    Flag,
    Item,
    Option,
    Problem,
    Section,
    SectionLocale,
    Tool,
    Total,
)
from app.screening_model import did_you_mean as _hint
from app.toml_source import TomlError, TomlSource

FORMAT = 2
TOOLS_DIR = Path(__file__).resolve().parent.parent / "content" / "tools"
INSTRUMENTS_DIR = "instruments"  # included blocks live here, beside the tool file

_ID = re.compile(r"[a-z][a-z0-9_]*")
_LOCALE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_HEAD_KEYS = {
    "tool": {"format", "id", "version", "title", "description", "include", "locales"},
    "instrument": {"format", "id", "title", "intro", "source", "licence", "published", "locales"},
}
_TOP_KEYS = {"tool": {"tool", "scales", "items", "totals", "flags"},
             "instrument": {"instrument", "scales", "items", "totals"}}
_ITEM_KEYS = {"id", "text", "kind", "show_if", "source", "licence", "translations", "hint"}
_KIND_KEYS = {
    "choice": {"options", "scale"}, "multiple": {"options", "scale"}, "yesno": {"options", "scale"},
    "number": {"min", "max", "decimals", "unit"}, "date": {"earliest", "latest"}, "text": {"max_length"},
}
_ALL_KIND_KEYS = set().union(*_KIND_KEYS.values())
_OPTION_KEYS = {"value", "label", "score", "exclusive", "translations"}
_TOTAL_KEYS = {"id", "label", "items", "bands", "bandings"}
_FLAG_KEYS = {"id", "when", "why", "risk"}
_INCLUDE_KEYS = {"block", "show_if", "layout", "gate", "bands"}
_LOCALE_KEYS = {"status", "title", "intro", "source", "note"}


@dataclass
class _Total:
    """A total as written, waiting for every name to be known."""

    src: TomlSource
    anchor: int | None
    id: str
    label: str
    refs: list[str]
    raw_bands: list[Any]
    items_line: int | None
    bands_line: int | None
    bandings: dict[str, list[Any]] = field(default_factory=dict)  # other published bandings a tool may choose


@dataclass
class _Condition:
    """A condition as written: where it is, whose it is, and what it says."""

    src: TomlSource
    line: int | None
    owner: str  # "item 'x'", "block 'y'", "flag 'z'": how problems name it
    node: str | None  # the item or flag it belongs to; None for a block's condition
    section: str | None  # the block it belongs to, for a block's condition
    expr: Expr
    field: str  # "show_if" | "when"


@dataclass
class _Loader(CrossChecks):
    """Collects sections, items, totals and flags in order, and every problem found on the way."""

    problems: list[Problem] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    raw_totals: list[_Total] = field(default_factory=list)
    totals: dict[str, Total] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # id -> "item" | "total" | "flag"
    where: dict[str, tuple[TomlSource, int | None]] = field(default_factory=dict)  # where each name is defined
    conditions: list[_Condition] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # names whose own definition was refused
    unread: bool = False  # a block could not be read: its names are unknown, so name checks would only mislead
    included_at: dict[str, tuple[TomlSource, int | None]] = field(default_factory=dict)  # block id -> include line
    declared: dict[str, list[str]] = field(default_factory=dict)  # file -> locales it declares, kept or refused

    def error(self, src: TomlSource, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(src.path), line, message))

    # --- pieces shared by every table ---

    def claim(self, src: TomlSource, line: int | None, name: object, what: str) -> str | None:
        if not isinstance(name, str) or not _ID.fullmatch(name) or keyword.iskeyword(name) or name in FUNCTIONS:
            self.error(src, line, f"{what} id {name!r} must be lower-case letters, digits and _ "
                                  "(starting with a letter, and not a reserved word)")
            return None
        if name in self.names:
            self.error(src, line, f"{what} id '{name}' is already the id of {a_an(self.names[name])}")
            return None
        self.names[name] = what
        self.where[name] = (src, line)
        return name

    def text(self, src: TomlSource, anchor: int | None, data: dict[str, Any], key: str, owner: str,
             required: bool = True) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(src, src.key_in_table(key, anchor) if key in data else anchor,
                       f"{owner}: '{key}' is missing or not text")
            return None
        return value

    def unknown_keys(self, src: TomlSource, anchor: int | None, data: dict[str, Any], allowed: set[str],
                     owner: str, elsewhere: dict[str, str] | None = None) -> bool:
        ok = True
        for key in data:
            if key in allowed:
                continue
            line = src.key_in_table(key, anchor) or anchor
            if elsewhere and key in elsewhere:
                self.error(src, line, f"{owner}: '{key}' is only for {elsewhere[key]}")
            else:
                self.error(src, line, f"{owner}: unknown key '{key}'{_hint(key, allowed)} "
                                      f"(allowed: {', '.join(sorted(allowed))})")
            ok = False
        return ok

    def condition(self, src: TomlSource, line: int | None, source: object, owner: str, node: str | None,
                  field_name: str, section: str | None = None) -> str | None:
        if not isinstance(source, str):
            self.error(src, line, f"{owner}: '{field_name}' must be text")
            return None
        try:
            expr = parse(source)
        except ValueError as exc:
            self.error(src, line, f"{owner}: {exc}")
            return None
        self.conditions.append(_Condition(src, line, owner, node, section, expr, field_name))
        return source

    def translations(self, src: TomlSource, line: int | None, raw: object, declared: list[str], owner: str,
                     what: str) -> tuple[tuple[str, str], ...]:
        """`translations = { cy = "..." }`: every declared locale present, no other, each one text."""
        if raw is None:
            raw = {}
        if not isinstance(raw, dict) or not all(isinstance(v, str) and v.strip() for v in raw.values()):
            self.error(src, line, f"{owner}: 'translations' must be a table of locale = \"text\"")
            return ()
        out = []
        for code, text in raw.items():
            if code not in declared:
                known = ", ".join(declared) or "none"
                self.error(src, line, f"{owner} has a '{code}' translation, but the file declares no locale "
                                      f"'{code}'{_hint(code, declared)} (declared: {known})")
            else:
                out.append((code, text))
        for code in declared:
            if code not in raw:
                self.error(src, line, f"{owner} has no '{code}' translation of its {what} "
                                      f"(the file declares locale {code})")
        return tuple(out)

    # --- headers ---

    def head(self, src: TomlSource, data: dict[str, Any], role: str) -> tuple[dict[str, Any], int | None] | None:
        line = src.table(role)
        head = data.get(role)
        if not isinstance(head, dict):
            self.error(src, line, f"a [{role}] table is needed")
            return None
        self.unknown_keys(src, line, head, _HEAD_KEYS[role], f"[{role}]")
        fmt = head.get("format")
        if fmt != FORMAT:
            where = src.key_in_table("format", line) if "format" in head else line
            said = "no 'format'" if fmt is None else f"format {fmt!r}"
            self.error(src, where, f"[{role}] has {said}; this version of Courtside reads format = {FORMAT} "
                                   "(see content/tools/README.md)")
        for key in data:
            if key not in _TOP_KEYS[role]:
                expected = ", ".join(sorted(_TOP_KEYS[role]))
                self.error(src, src.find(rf"^\s*\[*\s*{re.escape(key)}\b"),
                           f"unknown table '{key}' in {a_an(role)} file (expected {expected})")
        return head, line

    def locales(self, src: TomlSource, head: dict[str, Any], role: str, intro: str,
                published: bool) -> tuple[SectionLocale, ...]:
        """The translations a file declares. A refused declaration still counts as declared for the file's
        items, so one mistake in it is one problem, not one per translated item."""
        raw = head.get("locales", {})
        base_line = src.key_in_table("locales", src.table(role)) or src.table(role)
        if not isinstance(raw, dict):
            self.error(src, base_line, f"[{role}] 'locales' must be a table: [{role}.locales.<code>]")
            return ()
        out = []
        for code, entry in raw.items():
            line = src.table(f"{role}.locales.{code}") or base_line
            owner = f"locale '{code}'"
            if not _LOCALE.fullmatch(code) or code == SOURCE_LOCALE:
                self.error(src, line, f"{owner}: a locale is a language code such as 'cy' or 'pl' "
                                      f"(the source text is '{SOURCE_LOCALE}')")
                continue
            self.declared.setdefault(str(src.path), []).append(code)
            if not isinstance(entry, dict):
                self.error(src, line, f"{owner} must be a table with status, title and source")
                continue
            self.unknown_keys(src, line, entry, _LOCALE_KEYS, owner)
            status = entry.get("status")
            if status not in TRANSLATION_STATUSES:
                self.error(src, src.key_in_table("status", line) or line,
                           f"{owner}: 'status' must be one of {', '.join(TRANSLATION_STATUSES)}")
                continue
            if published and status != "validated":
                self.error(src, src.key_in_table("status", line) or line,
                           f"{owner}: a published instrument may only carry a validated translation "
                           f"(status = \"validated\", with its source), not '{status}'")
                continue
            title = self.text(src, line, entry, "title", owner)
            intro_text = self.text(src, line, entry, "intro", owner, required=bool(intro))
            source = self.text(src, line, entry, "source", owner, required=status != "unreviewed")
            note = entry.get("note", "")
            if title is None or intro_text is None or source is None:
                continue
            out.append(SectionLocale(code, status, title, intro_text, source, note if isinstance(note, str) else ""))
        return tuple(out)

    # --- blocks, items, totals, flags ---

    def block(self, src: TomlSource, data: dict[str, Any], role: str, section: Section) -> None:
        declared = self.declared.pop(str(src.path), [])
        scales = data.get("scales", {})
        if not isinstance(scales, dict):
            self.error(src, src.find(r"^\s*\[*\s*scales\b"), "'scales' must be a table of [scales.<name>]")
            scales = {}
        scale_options: dict[str, tuple[Option, ...] | None] = {}
        for name, scale in scales.items():
            line = src.table(f"scales.{name}")
            if not isinstance(scale, dict) or not isinstance(scale.get("options"), list):
                self.error(src, line, f"scale '{name}' needs 'options', a list of {{ value, label, score }}")
                scale_options[name] = None
                continue
            self.unknown_keys(src, line, scale, {"options"}, f"scale '{name}'")
            scale_options[name] = self.options(src, line, scale["options"], f"scale '{name}'", declared)
        entries = self.entries(src, data, "items")
        if entries:
            self.sections.append(section)
        for index, entry in enumerate(entries):
            self.item(src, entry, index, scale_options, section, declared)
        for index, entry in enumerate(self.entries(src, data, "totals")):
            self.total(src, entry, index)
        if role == "tool":
            for index, entry in enumerate(self.entries(src, data, "flags")):
                self.flag(src, entry, index)

    def entries(self, src: TomlSource, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(src, src.find(rf"^\s*\[*\s*{re.escape(key)}\b"), f"'{key}' must be an array of tables [[{key}]]")
            return []
        return value

    def item(self, src: TomlSource, entry: dict[str, Any], index: int,
             scales: dict[str, tuple[Option, ...] | None], section: Section, declared: list[str]) -> None:
        anchor = src.header("items", index)
        if anchor is None and isinstance(entry.get("id"), str):
            anchor = src.quoted("id", entry["id"], None)
        anchor = src.key_in_table("id", anchor) or anchor  # problems with the item as a whole are shown at its id
        item_id = self.claim(src, anchor, entry.get("id"), "item")
        if item_id is None:
            return
        owner = f"item '{item_id}'"
        text = self.text(src, anchor, entry, "text", owner)
        kind = entry.get("kind")
        if kind not in KINDS:
            self.error(src, src.key_in_table("kind", anchor) or anchor,
                       f"{owner} has kind {kind!r} (expected one of {', '.join(KINDS)})")
            self.broken.add(item_id)
            return
        allowed = _ITEM_KEYS | _KIND_KEYS[kind]
        elsewhere = {k: " and ".join(f"{n} items" for n, ks in _KIND_KEYS.items() if k in ks)
                     for k in _ALL_KIND_KEYS - _KIND_KEYS[kind]}
        ok = self.unknown_keys(src, anchor, entry, allowed, owner, elsewhere)
        translations_line = src.key_in_table("translations", anchor) if "translations" in entry else anchor
        translations = self.translations(src, translations_line, entry.get("translations"), declared, owner, "text")
        extra: dict[str, Any] = {}
        options: tuple[Option, ...] | None = ()
        if kind in CHOICE_KINDS:
            options = self.item_options(src, anchor, entry, scales, owner, kind, declared)
        elif kind == "number":
            extra = self.number(src, anchor, entry, owner)
        elif kind == "date":
            extra = self.date_range(src, anchor, entry, owner)
        else:
            length = entry.get("max_length", 200)
            if type(length) is not int or not 1 <= length <= 2000:
                self.error(src, src.key_in_table("max_length", anchor),
                           f"{owner}: 'max_length' must be a whole number 1-2000")
                extra = {}
            else:
                extra = {"max_length": length}
        for key in ("source", "licence", "hint"):
            if key in entry and not isinstance(entry[key], str):
                self.error(src, src.key_in_table(key, anchor), f"{owner}: '{key}' must be text")
                ok = False
        show_if = None
        if "show_if" in entry:
            show_if = self.condition(src, src.key_in_table("show_if", anchor), entry["show_if"], owner, item_id,
                                     "show_if")
            ok = ok and show_if is not None
        if text is None or options is None or extra is None or not ok:
            self.broken.add(item_id)
            return
        self.items.append(Item(
            id=item_id, text=text, kind=kind, options=options, show_if=show_if, section=section.id,
            source=entry.get("source") or section.source, licence=entry.get("licence") or section.licence,
            translations=translations, hint=entry.get("hint", ""), **extra))

    def item_options(self, src: TomlSource, anchor: int | None, entry: dict[str, Any],
                     scales: dict[str, tuple[Option, ...] | None], owner: str, kind: str,
                     declared: list[str]) -> tuple[Option, ...] | None:
        if ("options" in entry) == ("scale" in entry):
            self.error(src, anchor, f"{owner} needs exactly one of 'options' or 'scale'")
            return None
        if "scale" in entry:
            scale = entry["scale"]
            if not isinstance(scale, str) or scale not in scales:
                known = ", ".join(sorted(scales)) or "none defined"
                self.error(src, src.key_in_table("scale", anchor),
                           f"{owner} uses unknown scale {scale!r}{_hint(str(scale), scales)} "
                           f"(scales in this file: {known})")
                return None
            options = scales[scale]
        elif not isinstance(entry["options"], list):
            self.error(src, src.key_in_table("options", anchor), f"{owner}: 'options' must be a list")
            return None
        else:
            options = self.options(src, anchor, entry["options"], owner, declared)
        if options is None:
            return None
        if kind == "yesno" and sorted(o.value for o in options) != ["no", "yes"]:
            self.error(src, anchor, f"yes/no {owner} must have exactly the options 'yes' and 'no'")
            return None
        if kind != "multiple" and any(o.exclusive for o in options):
            self.error(src, anchor, f"{owner}: 'exclusive' is only for options of multiple-choice items")
            return None
        if len(options) < 2:
            self.error(src, anchor, f"{owner} needs at least two options")
            return None
        return options

    def options(self, src: TomlSource, anchor: int | None, raw: list[Any], owner: str,
                declared: list[str]) -> tuple[Option, ...] | None:
        if not raw:
            self.error(src, anchor, f"{owner} has no options")
            return None
        options: list[Option] = []
        ok = True
        for entry in raw:
            if not isinstance(entry, dict):
                self.error(src, anchor, f"{owner}: each option is a table {{ value, label, score }}")
                return None
            value = entry.get("value")
            line = (src.quoted("value", str(value), anchor) if value is not None else None) or anchor
            if not self.unknown_keys(src, line, entry, _OPTION_KEYS, f"an option of {owner}"):
                ok = False
                continue
            value = self.text(src, line, entry, "value", f"an option of {owner}")
            if value is None:
                ok = False
                continue
            label = self.text(src, line, entry, "label", f"option '{value}' of {owner}")
            if "score" not in entry:
                self.error(src, line, f"option '{value}' of {owner} has no score")
                ok = False
                continue
            score = entry["score"]
            if type(score) is not int or score < 0:
                self.error(src, line, f"option '{value}' of {owner} has score {score!r}; expected a whole number >= 0")
                ok = False
                continue
            if any(o.value == value for o in options):
                self.error(src, line, f"{owner} has option value '{value}' twice")
                ok = False
                continue
            exclusive = entry.get("exclusive", False)
            if not isinstance(exclusive, bool):
                self.error(src, line, f"option '{value}' of {owner}: 'exclusive' must be true or false")
                ok = False
                continue
            translations = self.translations(src, line, entry.get("translations"), declared,
                                             f"option '{value}' of {owner}", "label")
            if label is None:
                ok = False
                continue
            options.append(Option(value, label, score, exclusive, translations))
        return tuple(options) if ok else None

    def number(self, src: TomlSource, anchor: int | None, entry: dict[str, Any], owner: str) -> dict[str, Any] | None:
        low, high, decimals = entry.get("min"), entry.get("max"), entry.get("decimals", 0)
        for key, value in (("min", low), ("max", high)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.error(src, src.key_in_table(key, anchor) or anchor, f"number {owner} needs '{key}', a number")
                return None
        if type(decimals) is not int or not 0 <= decimals <= 3:
            self.error(src, src.key_in_table("decimals", anchor), f"{owner}: 'decimals' must be 0, 1, 2 or 3")
            return None
        if not low < high:
            self.error(src, src.key_in_table("min", anchor), f"{owner}: 'min' ({low}) must be below 'max' ({high})")
            return None
        if decimals == 0 and not (float(low).is_integer() and float(high).is_integer()):
            self.error(src, src.key_in_table("min", anchor),
                       f"{owner}: with no decimals, 'min' and 'max' must be whole numbers")
            return None
        unit = entry.get("unit", "")
        if not isinstance(unit, str):
            self.error(src, src.key_in_table("unit", anchor), f"{owner}: 'unit' must be text")
            return None
        return {"minimum": low, "maximum": high, "decimals": decimals, "unit": unit}

    def date_range(self, src: TomlSource, anchor: int | None, entry: dict[str, Any],
                   owner: str) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for key, attr in (("earliest", "earliest"), ("latest", "latest")):
            if key not in entry:
                continue
            value = entry[key]
            if isinstance(value, date):
                value = value.isoformat()  # a bare TOML date
            ok = value == "today"
            if not ok and isinstance(value, str):
                try:
                    date.fromisoformat(value)
                    ok = len(value) == 10
                except ValueError:
                    ok = False
            if not ok:
                self.error(src, src.key_in_table(key, anchor),
                           f"{owner}: '{key}' must be a date (YYYY-MM-DD) or \"today\"")
                return None
            out[attr] = value
        low, high = out.get("earliest"), out.get("latest")
        if low and high and "today" not in (low, high) and low > high:
            self.error(src, src.key_in_table("earliest", anchor),
                       f"{owner}: 'earliest' ({low}) is after 'latest' ({high})")
            return None
        return out

    def total(self, src: TomlSource, entry: dict[str, Any], index: int) -> None:
        anchor = src.header("totals", index)
        anchor = src.key_in_table("id", anchor) or anchor
        total_id = self.claim(src, anchor, entry.get("id"), "total")
        if total_id is None:
            return
        owner = f"total '{total_id}'"
        ok = self.unknown_keys(src, anchor, entry, _TOTAL_KEYS, owner)
        label = self.text(src, anchor, entry, "label", owner)
        refs = entry.get("items")
        items_line = src.key_in_table("items", anchor) or anchor
        if not isinstance(refs, list) or not refs or not all(isinstance(m, str) for m in refs):
            self.error(src, items_line, f"{owner} needs 'items', a list of item ids (or ids of other totals)")
            ok = False
        elif len(set(refs)) != len(refs):
            self.error(src, items_line, f"{owner} lists '{next(r for r in refs if refs.count(r) > 1)}' twice")
            ok = False
        bands = entry.get("bands", [])
        bands_line = src.key_in_table("bands", anchor)
        if not isinstance(bands, list) or not all(isinstance(b, dict) for b in bands):
            self.error(src, bands_line, f"{owner}: 'bands' must be a list of {{ from, to, label }}")
            ok = False
        bandings = entry.get("bandings", {})
        if not isinstance(bandings, dict) or not all(
                isinstance(k, str) and _ID.fullmatch(k) and isinstance(v, list) and all(isinstance(b, dict) for b in v)
                for k, v in bandings.items()):
            self.error(src, src.find(r"^\s*\[\s*totals\.bandings\s*\]", anchor) or anchor,
                       f"{owner}: 'bandings' must be a table of name = [ {{ from, to, label }}, ... ]")
            ok = False
        if not ok or label is None:
            self.broken.add(total_id)
            return
        self.raw_totals.append(_Total(src, anchor, total_id, label, refs, bands, items_line, bands_line, bandings))

    def flag(self, src: TomlSource, entry: dict[str, Any], index: int) -> None:
        anchor = src.header("flags", index)
        anchor = src.key_in_table("id", anchor) or anchor
        flag_id = self.claim(src, anchor, entry.get("id"), "flag")
        if flag_id is None:
            return
        owner = f"flag '{flag_id}'"
        ok = self.unknown_keys(src, anchor, entry, _FLAG_KEYS, owner)
        when = self.text(src, anchor, entry, "when", owner)
        if when is not None:
            when = self.condition(src, src.key_in_table("when", anchor), when, owner, flag_id, "when")
        why, risk = entry.get("why", ""), entry.get("risk")
        if not isinstance(why, str) or (risk is not None and (not isinstance(risk, str) or not risk.strip())):
            self.error(src, anchor, f"{owner}: 'why' and 'risk' must be text")
            ok = False
        if when is None or not ok:
            self.broken.add(flag_id)
            return
        self.flags.append(Flag(flag_id, when, why, risk or None))


def _hash_part(hasher: Any, name: str, raw: bytes) -> None:
    # Name and length framing, so moving bytes between files cannot give the same hash.
    hasher.update(f"{name}\0{len(raw)}\0".encode())
    hasher.update(raw)


def resolve_path(name_or_path: str | Path) -> Path:
    """A bare name means content/tools/<name>.toml; anything else is a path."""
    if isinstance(name_or_path, Path):
        return name_or_path
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path):
        return TOOLS_DIR / f"{name_or_path}.toml"
    return Path(name_or_path)


def _read(loader: _Loader, path: Path, cited: tuple[TomlSource, int | None] | None
          ) -> tuple[TomlSource, dict[str, Any]] | None:
    try:
        src = TomlSource.read(path)
    except OSError as exc:
        if cited:
            loader.error(cited[0], cited[1], f"cannot read block file {path} ({exc.strerror})")
        else:
            loader.problems.append(Problem(str(path), None, f"cannot read tool file ({exc.strerror})"))
        return None
    except UnicodeDecodeError as exc:
        loader.problems.append(Problem(str(path), None, f"not UTF-8 text (byte {exc.start})"))
        return None
    try:
        return src, src.parse()
    except TomlError as exc:
        loader.error(src, exc.line, exc.message)
        return None


def check(name_or_path: str | Path) -> tuple[Tool | None, list[Problem]]:
    """Read and check a tool and its blocks: the tool when there is no problem, and every problem found."""
    path = resolve_path(name_or_path)
    loader = _Loader()
    read = _read(loader, path, None)
    if read is None:
        return None, loader.problems
    src, data = read
    got = loader.head(src, data, "tool")
    if got is None:
        return None, loader.problems
    head, head_line = got
    tool_id = loader.text(src, head_line, head, "id", "[tool]")
    version = loader.text(src, head_line, head, "version", "[tool]")
    title = loader.text(src, head_line, head, "title", "[tool]")
    description = head.get("description", "")
    includes = head.get("include", [])
    include_line = src.key_in_table("include", head_line)
    if not isinstance(includes, list):
        loader.error(src, include_line, "'include' must be a list of block file names")
        includes = []
    hasher = hashlib.sha256()
    _hash_part(hasher, path.name, src.raw)
    seen: list[str] = []
    for entry in includes:
        _include(loader, src, include_line, entry, seen, path, hasher)
    if tool_id and version and title:
        local_locales = loader.locales(src, head, "tool", "", False)
        local = Section(tool_id, title, "", f"Locally agreed tool '{tool_id}' version {version}", "",
                        locales=local_locales)
        loader.block(src, data, "tool", local)
    loader.resolve()
    if not loader.items and not loader.problems:
        loader.error(src, head_line, "the tool has no items")
    if loader.problems:
        return None, loader.problems
    assert tool_id and version and title
    return Tool(
        id=tool_id, version=version, title=title, items=tuple(loader.items), content_hash=hasher.hexdigest(),
        sections=tuple(loader.sections), totals=tuple(loader.totals[r.id] for r in loader.raw_totals),
        flags=tuple(loader.flags), description=description if isinstance(description, str) else "",
        path=str(path)), []


def _include(loader: _Loader, src: TomlSource, include_line: int | None, entry: object, seen: list[str],
             path: Path, hasher: Any) -> None:
    if isinstance(entry, str):
        entry = {"block": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("block"), str):
        loader.error(src, include_line, "each include is a block file name, or { block = \"x.toml\", show_if = ... }")
        return
    name = entry["block"]
    line = src.find(rf"[\"']{re.escape(name)}[\"']", include_line) or include_line
    if "together" in entry:  # format 2 before the grid: a short group on one screen is now a grid
        loader.error(src, line, f"include '{name}': 'together' is replaced by layout = \"grid\"")
        entry = {k: v for k, v in entry.items() if k != "together"}  # the block is still read and checked
    if not loader.unknown_keys(src, line, entry, _INCLUDE_KEYS, f"include '{name}'"):
        return
    if not re.fullmatch(r"[A-Za-z0-9_-]+\.toml", name):
        loader.error(src, line, f"include '{name}' must be a plain file name such as 'audit.toml'")
        return
    if name in seen:
        loader.error(src, line, f"'{name}' is included twice")
        return
    seen.append(name)
    layout = entry.get("layout", "single")
    if layout not in LAYOUTS:
        loader.error(src, line, f"include '{name}': layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
        layout = LAYOUTS[0]
    read = _read(loader, path.parent / INSTRUMENTS_DIR / name, (src, line))
    if read is None:
        loader.unread = True
        return
    block, block_data = read
    _hash_part(hasher, name, block.raw)
    got = loader.head(block, block_data, "instrument")
    if got is None:
        loader.unread = True
        return
    meta, meta_line = got
    published = meta.get("published", False)
    if not isinstance(published, bool):
        loader.error(block, block.key_in_table("published", meta_line),
                     "[instrument] 'published' must be true or false")
        published = False
    section_id = meta.get("id")
    fields = [loader.text(block, meta_line, meta, key, "[instrument]", required=key != "intro")
              for key in ("title", "intro", "source", "licence")]
    if not isinstance(section_id, str) or not _ID.fullmatch(section_id):
        loader.error(block, block.key_in_table("id", meta_line) or meta_line,
                     "[instrument] 'id' must be lower-case letters, digits and _")
        return
    if any(s.id == section_id for s in loader.sections):
        loader.error(block, block.key_in_table("id", meta_line),
                     f"block id '{section_id}' is already used by another block")
        return
    locales = loader.locales(block, meta, "instrument", fields[1] or "", published)
    if any(f is None for f in fields):
        return
    title, intro, source, licence = (f or "" for f in fields)
    show_if = None
    if "show_if" in entry:
        show_if = loader.condition(src, line, entry["show_if"], f"block '{section_id}'", None, "show_if",
                                   section=section_id)
    section = Section(section_id, title, intro, source, licence, show_if=show_if, layout=layout,
                      published=published, locales=locales)
    loader.included_at[section_id] = (src, line)
    first, first_total = len(loader.items), len(loader.raw_totals)
    loader.block(block, block_data, "instrument", section)
    if "gate" in entry:
        _gate(loader, src, line, entry["gate"], name, first)
    if "bands" in entry:
        _bandings(loader, src, line, entry["bands"], name, loader.raw_totals[first_total:])


def _bandings(loader: _Loader, src: TomlSource, line: int | None, chosen: object, name: str,
              totals: list[_Total]) -> None:
    """`bands = { k10 = "abs" }`: a total scored with another banding its block publishes, each citing its own
    source (K10's CRUfAD/GPcare groupings or the ABS ones after Andrews & Slade): the site's choice."""
    owner = f"include '{name}': bands"
    if not isinstance(chosen, dict) or not all(isinstance(v, str) for v in chosen.values()):
        loader.error(src, line, f"{owner} must be a table of total = \"<banding>\"")
        return
    by_id = {t.id: t for t in totals}
    for total_id, banding in chosen.items():
        total = by_id.get(total_id)
        if total is None:
            loader.error(src, line, f"{owner}: the block has no total {total_id!r}{_hint(total_id, list(by_id))}")
        elif banding not in total.bandings:
            known = ", ".join(total.bandings) or "none"
            loader.error(src, line, f"{owner}: total '{total_id}' has no banding {banding!r}"
                                    f"{_hint(banding, list(total.bandings))} (its bandings: {known})")
        else:
            total.raw_bands = total.bandings[banding]
            total.bands_line = total.src.find(rf"^\s*{re.escape(banding)}\s*=", total.anchor) or total.bands_line


def _gate(loader: _Loader, src: TomlSource, line: int | None, gate: object, name: str, first: int) -> None:
    """`gate = { from = "audit_4", show_if = "audit_c >= 5" }`: the block's questions from `from` on are asked
    only when `show_if` holds. The site's choice, kept in the tool file: a published block stays as published,
    and a site that asks the whole AUDIT of everyone leaves the gate out."""
    owner = f"include '{name}': gate"
    if not isinstance(gate, dict) or set(gate) != {"from", "show_if"} or not isinstance(gate["from"], str):
        loader.error(src, line, f"{owner} must be {{ from = \"<first item gated>\", show_if = \"<condition>\" }}")
        return
    ids = [item.id for item in loader.items[first:]]
    if gate["from"] not in ids:
        loader.error(src, line, f"{owner}: 'from' names no item of the block: {gate['from']!r}"
                                f"{_hint(gate['from'], ids)} (its items: {', '.join(ids)})")
        return
    start = first + ids.index(gate["from"])
    for i in range(start, len(loader.items)):
        item = loader.items[i]
        condition = loader.condition(src, line, gate["show_if"], owner, item.id, "show_if")
        if condition is None:
            return
        own = item.show_if
        loader.items[i] = replace(item, show_if=f"({condition}) and ({own})" if own else condition)
