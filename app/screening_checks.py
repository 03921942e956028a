"""The checks that need the whole tool: names, cycles, totals and bands, order, and reachability.

Reading a file checks each table where it is written (app/screening_load.py); these checks run once every
block is read, because a condition in one file names items, totals and flags from others. Each problem
is still reported at the file and line where the mistake is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.screening_expr import Range, parse, possible
from app.screening_model import CHOICE_KINDS, Band, Item, Problem, Section, Total, _num
from app.screening_model import did_you_mean as _hint

if TYPE_CHECKING:
    from app.screening_load import _Condition, _Total
    from app.toml_source import TomlSource


_BAND_KEYS = {"from", "to", "label"}


def a_an(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


class CrossChecks:
    """Mixed into the loader: what it has collected, checked as a whole."""

    problems: list[Problem]
    sections: list[Section]
    items: list[Item]
    raw_totals: list[_Total]
    totals: dict[str, Total]
    flags: list
    names: dict[str, str]
    where: dict[str, tuple[TomlSource, int | None]]
    conditions: list[_Condition]
    broken: set[str]
    unread: bool
    included_at: dict[str, tuple[TomlSource, int | None]]

    def error(self, src: TomlSource, line: int | None, message: str) -> None:
        raise NotImplementedError

    def unknown_keys(self, src: TomlSource, anchor: int | None, data: dict, allowed: set[str], owner: str,
                     elsewhere: dict[str, str] | None = None) -> bool:
        raise NotImplementedError

    def text(self, src: TomlSource, anchor: int | None, data: dict, key: str, owner: str,
             required: bool = True) -> str | None:
        raise NotImplementedError

    def resolve(self) -> None:
        if self.unread:
            return
        items = {i.id: i for i in self.items}
        position = {i.id: n for n, i in enumerate(self.items)}
        # node -> names it needs, for the cycle check; conditions first, so a cycle is named from one
        deps: dict[str, list[str]] = {i.id: [] for i in self.items} | {f.id: [] for f in self.flags}
        dep_where: dict[str, tuple[TomlSource, int | None]] = {}
        for raw in self.raw_totals:
            good = True
            for ref in raw.refs:
                what = self.names.get(ref)
                if ref in self.broken:
                    good = False
                elif what is None:
                    self.error(raw.src, raw.items_line,
                               f"total '{raw.id}' names unknown item '{ref}'{_hint(ref, self.names)}")
                    good = False
                elif what == "flag":
                    self.error(raw.src, raw.items_line, f"total '{raw.id}' names flag '{ref}': a total adds "
                                                        "item scores and other totals")
                    good = False
                elif what == "item" and not items[ref].scored:
                    self.error(raw.src, raw.items_line, f"total '{raw.id}' names {items[ref].kind} item '{ref}': "
                                                        "a total adds the scores of choice and yes/no items")
                    good = False
            if not good:
                self.broken.add(raw.id)
            deps[raw.id] = list(raw.refs)
            dep_where[raw.id] = (raw.src, raw.items_line)
        section_conditions = {c.section: c for c in self.conditions if c.section}
        for cond in self.conditions:
            for name in cond.expr.refs:
                if name not in self.names:
                    self.error(cond.src, cond.line, f"{cond.owner} uses unknown name '{name}' in "
                                                    f"'{cond.expr.source}'{_hint(name, self.names)}")
                    if cond.node:
                        self.broken.add(cond.node)
        for item in self.items:
            need = []
            if item.show_if:
                need += parse(item.show_if).refs
            if item.section in section_conditions:
                need += section_conditions[item.section].expr.refs
            deps[item.id] = need
        for flag in self.flags:
            deps[flag.id] = list(parse(flag.when).refs)
        for cond in self.conditions:
            if cond.node:
                dep_where[cond.node] = (cond.src, cond.line)
        if self._cycles(deps, dep_where) or self.problems:
            return  # ranges and order mean nothing until every name is known and nothing goes round
        self._totals(items)
        self._uses(items)
        self._order(deps, position, section_conditions)
        self._reachable()

    def _cycles(self, deps: dict[str, list[str]], where: dict[str, tuple[TomlSource, int | None]]) -> bool:
        state: dict[str, int] = {}  # 1 on the path, 2 done
        found = False

        def visit(node: str, path: list[str]) -> None:
            nonlocal found
            state[node] = 1
            for nxt in deps.get(node, []):
                if nxt not in deps:
                    continue
                if state.get(nxt) == 1:
                    loop = path[path.index(nxt):] + [nxt]
                    src, line = where.get(loop[0]) or self.where[loop[0]]
                    chain = " -> ".join(f"{self.names[n]} '{n}'" for n in loop)
                    self.error(src, line, f"a cycle in conditions: {chain}; "
                                                      "each needs the next worked out first")
                    found = True
                elif state.get(nxt) is None:
                    visit(nxt, path + [nxt])
            state[node] = 2

        for node in deps:
            if state.get(node) is None:
                visit(node, [node])
        return found

    def _totals(self, items: dict[str, Item]) -> None:
        raw_by_id = {r.id: r for r in self.raw_totals}

        def members(total_id: str) -> list[str]:
            out: list[str] = []
            for ref in raw_by_id[total_id].refs:
                out += members(ref) if ref in raw_by_id else [ref]
            return out

        for raw in self.raw_totals:
            counted = members(raw.id)
            twice = next((m for m in counted if counted.count(m) > 1), None)
            if twice:
                self.error(raw.src, raw.items_line, f"total '{raw.id}' counts item '{twice}' twice "
                                                    "(through its sub-scores)")
                continue
            low = sum(int(items[m].score_range()[0]) for m in counted)
            high = sum(int(items[m].score_range()[1]) for m in counted)
            bands = self._bands(raw, low, high)
            self.totals[raw.id] = Total(raw.id, raw.label, tuple(raw.refs), tuple(bands), low, high, tuple(counted))

    def _bands(self, raw: _Total, low: int, high: int) -> list[Band]:
        owner = f"total '{raw.id}'"
        bands: list[tuple[Band, int | None]] = []
        for entry in raw.raw_bands:
            start, end = entry.get("from"), entry.get("to")
            line = raw.src.find(rf"\bfrom\s*=\s*{re.escape(str(start))}\b", raw.bands_line,
                                raw.src.end_of(raw.anchor)) or raw.bands_line
            if not self.unknown_keys(raw.src, line, entry, _BAND_KEYS, f"a band of {owner}"):
                return []
            if type(start) is not int or type(end) is not int:
                self.error(raw.src, line, f"{owner}: each band needs whole numbers 'from' and 'to'")
                return []
            label = self.text(raw.src, line, entry, "label", f"band {start}-{end} of {owner}")
            if label is None:
                return []
            if start > end:
                self.error(raw.src, line, f"{owner}: band {start}-{end} '{label}' runs backwards")
                return []
            if start < low or end > high:
                self.error(raw.src, line, f"{owner}: band {start}-{end} '{label}' is outside the possible range "
                                          f"{low}-{high}")
                return []
            bands.append((Band(start, end, label), line))
        if not bands:
            return []
        ordered = sorted(bands, key=lambda b: b[0].start)
        for (a, _la), (b, lb) in zip(ordered, ordered[1:], strict=False):
            if b.start <= a.end:
                self.error(raw.src, lb, f"{owner}: bands {a.start}-{a.end} '{a.label}' and {b.start}-{b.end} "
                                        f"'{b.label}' overlap ({_span(b.start, min(a.end, b.end))} is in both)")
                return []
        expected = low
        for band, line in ordered:
            if band.start > expected:
                self.error(raw.src, line, f"{owner}: no band covers {_span(expected, band.start - 1)}; "
                                          f"the bands must cover every total from {low} to {high}")
                return []
            expected = band.end + 1
        if expected <= high:
            self.error(raw.src, ordered[-1][1], f"{owner}: no band covers {_span(expected, high)}; "
                                                f"the bands must cover every total from {low} to {high}")
            return []
        return [b for b, _line in bands]

    def _uses(self, items: dict[str, Item]) -> None:
        """Each name used the way its kind allows: dates and text only through answered()."""
        for cond in self.conditions:
            for name in cond.expr.names:
                item = items.get(name)
                if item is not None and item.kind in ("date", "text"):
                    self.error(cond.src, cond.line, f"{cond.owner}: '{name}' is a {item.kind} item, which has "
                                                    f"nothing to compare; use answered({name})")
            for call in cond.expr.calls:
                item = items.get(call.item)
                if item is None:
                    self.error(cond.src, cond.line, f"{cond.owner}: {call.function}() needs an item, and "
                                                    f"'{call.item}' is {a_an(self.names[call.item])}")
                elif call.function == "selected":
                    if not item.scored:
                        self.error(cond.src, cond.line, f"{cond.owner}: selected() needs a choice or yes/no item; "
                                                        f"'{call.item}' is a {item.kind} item")
                    elif item.option(call.value) is None:
                        values = [o.value for o in item.options]
                        self.error(cond.src, cond.line, f"{cond.owner}: item '{call.item}' has no option "
                                                        f"'{call.value}'{_hint(str(call.value), values)} "
                                                        f"(options: {', '.join(values)})")

    def _order(self, deps: dict[str, list[str]], position: dict[str, int],
               section_conditions: dict[str, _Condition]) -> None:
        """show_if may rest only on items asked earlier, so one pass in order decides every question."""
        memo: dict[str, set[str]] = {}

        def needs(name: str) -> set[str]:
            """Items that `name`'s value depends on (for an item: the item itself)."""
            if name in memo:
                return memo[name]
            if name in position:
                out = {name}
            else:
                out = set()
                for ref in deps.get(name, []):
                    out |= needs(ref)
            memo[name] = out
            return out

        first_of = {}
        for item in self.items:
            first_of.setdefault(item.section, position[item.id])
        checks = [(c, position[c.node]) for c in self.conditions if c.node in position and c.field == "show_if"]
        checks += [(c, first_of[s]) for s, c in section_conditions.items() if s in first_of]
        for cond, here in checks:
            for name in cond.expr.refs:
                later = sorted((m for m in needs(name) if position[m] >= here), key=position.__getitem__)
                if later:
                    via = "" if later[0] == name else f", which depends on item '{later[0]}'"
                    self.error(cond.src, cond.line, f"{cond.owner} uses '{name}'{via}, not asked before it: "
                                                    "a condition may only use answers given earlier")
                    break

    def _reachable(self) -> None:
        """A flag that can never be set, or a question never asked, is a mistake in a threshold."""
        ranges: dict[str, Range] = {}
        for item in self.items:
            if item.kind in (*CHOICE_KINDS, "number"):
                low, high = item.score_range()
                ranges[item.id] = Range(low, high)
        for total in self.totals.values():
            ranges[total.id] = Range(total.minimum, total.maximum)
        for flag in self.flags:
            ranges[flag.id] = Range(0, 1)
        for cond in self.conditions:
            if possible(cond.expr, ranges)[0]:
                continue
            shown = [f"{n} runs {_num(ranges[n].low)} to {_num(ranges[n].high)}" for n in cond.expr.names
                     if n in ranges and n not in {f.id for f in self.flags}]
            why = f" ({'; '.join(shown)})" if shown else ""
            if cond.field == "when":
                self.error(cond.src, cond.line, f"{cond.owner} is never set: '{cond.expr.source}' can never hold{why}")
            else:
                self.error(cond.src, cond.line, f"{cond.owner} is never asked: '{cond.expr.source}' can never "
                                                f"hold{why}")
