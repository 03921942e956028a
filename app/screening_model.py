"""What a loaded screening tool is made of: sections, items, options, totals with bands, and flags.

Plain frozen dataclasses, so a tool can be shared between sessions and threads without copying.
Text that a defendant hears (item text, option labels, section headings) carries its translations,
keyed by locale, beside the English source; text the officer reads (flag reasons, risk instructions,
band labels) is English source text that goes through the app's gettext catalogue where it is shown.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from app import clock

SOURCE_LOCALE = "en"
CHOICE_KINDS = ("choice", "multiple", "yesno")  # items with options, each option scored
KINDS = (*CHOICE_KINDS, "number", "date", "text")
TRANSLATION_STATUSES = ("validated", "reviewed", "unreviewed")

Answer = str | int | float | list[str]  # what the case log stores for one item: JSON values only


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a tool file, where it is: what `courtside tool check` prints."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class ToolError(ValueError):
    """A tool file is wrong; each problem names the file, the line and what is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest known name, or nothing: how every typo is answered."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _pick(translations: tuple[tuple[str, str], ...], locale: str | None, default: str) -> str:
    if locale and locale != SOURCE_LOCALE:
        for code, text in translations:
            if code == locale:
                return text
    return default


@dataclass(frozen=True)
class Option:
    value: str  # what the case log records; stable when a label is reworded
    label: str
    score: int
    exclusive: bool = False  # multiple choice: "None of these" cannot be ticked with anything else
    translations: tuple[tuple[str, str], ...] = ()  # (locale, label)

    def label_in(self, locale: str | None) -> str:
        return _pick(self.translations, locale, self.label)


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    kind: str  # one of KINDS
    options: tuple[Option, ...]
    show_if: str | None
    section: str  # id of the Section the item belongs to
    source: str  # citation shown with the question (the item's own, else its section's)
    licence: str = ""
    translations: tuple[tuple[str, str], ...] = ()  # (locale, text)
    minimum: float | None = None  # number items
    maximum: float | None = None
    decimals: int = 0
    unit: str = ""
    earliest: str | None = None  # date items: an ISO date or "today"
    latest: str | None = None
    max_length: int = 200  # text items
    hint: str = ""  # for the officer: how to ask or record it

    def option(self, value: object) -> Option | None:
        """The option recorded by `value`, or None when it is not one of this item's options."""
        return self._by_value.get(value) if isinstance(value, str) else None

    @cached_property
    def _by_value(self) -> dict[str, Option]:
        return {o.value: o for o in self.options}

    def text_in(self, locale: str | None) -> str:
        return _pick(self.translations, locale, self.text)

    @property
    def scored(self) -> bool:
        return self.kind in CHOICE_KINDS

    def score_range(self) -> tuple[float, float]:
        """Lowest and highest value the item can contribute to a total or a condition."""
        if self.kind == "number":
            assert self.minimum is not None and self.maximum is not None
            return self.minimum, self.maximum
        if not self.options:
            return 0, 0
        scores = [o.score for o in self.options]
        if self.kind != "multiple":
            return min(scores), max(scores)
        together = sum(o.score for o in self.options if not o.exclusive)
        alone = [o.score for o in self.options if o.exclusive]
        return min(scores), max([together, *alone])

    def score_of(self, answer: Answer) -> int:
        """The score of a valid answer (check it with `answer_problem` first)."""
        if self.kind == "multiple":
            return sum(o.score for o in self.options if o.value in answer)
        option = self.option(answer)
        return option.score if option else 0

    def date_bounds(self, today: date) -> tuple[date | None, date | None]:
        def resolve(text: str | None) -> date | None:
            if text is None:
                return None
            return today if text == "today" else date.fromisoformat(text)
        return resolve(self.earliest), resolve(self.latest)

    def answer_problem(self, answer: Any, today: date | None = None) -> str | None:
        """Why `answer` cannot be this item's answer, or None when it can."""
        if self.kind in ("choice", "yesno"):
            if not isinstance(answer, str) or self.option(answer) is None:
                return f"{answer!r} is not an option (expected one of {', '.join(o.value for o in self.options)})"
            return None
        if self.kind == "multiple":
            if not isinstance(answer, list) or not answer:
                return f"{answer!r} is not a list of options (a multiple-choice answer is a list, e.g. [\"a\"])"
            unknown = [v for v in answer if not isinstance(v, str) or self.option(v) is None]
            if unknown:
                return (f"{unknown[0]!r} is not an option "
                        f"(expected some of {', '.join(o.value for o in self.options)})")
            if len(set(answer)) != len(answer):
                return "an option is chosen twice"
            alone = [v for v in answer if self.option(v).exclusive]  # type: ignore[union-attr]
            if alone and len(answer) > 1:
                return f"'{alone[0]}' cannot be chosen together with other options"
            return None
        if self.kind == "number":
            if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
                return f"{answer!r} is not a number"
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= answer <= self.maximum:
                return f"{answer!r} is outside the range {_num(self.minimum)} to {_num(self.maximum)}"
            if round(answer, self.decimals) != answer:
                places = "a whole number" if self.decimals == 0 else f"at most {self.decimals} decimal places"
                return f"{answer!r} must be {places}"
            return None
        if self.kind == "date":
            try:
                day = date.fromisoformat(answer) if isinstance(answer, str) and len(answer) == 10 else None
            except ValueError:
                day = None
            if day is None:
                return f"{answer!r} is not a date written YYYY-MM-DD"
            low, high = self.date_bounds(today or clock.today())
            if low and day < low:
                return f"{answer} is before the earliest allowed date, {low.isoformat()}"
            if high and day > high:
                return f"{answer} is after the latest allowed date, {high.isoformat()}"
            return None
        if not isinstance(answer, str) or not answer.strip():
            return f"{answer!r} is not text"
        if len(answer) > self.max_length:
            return f"the text is {len(answer)} characters; at most {self.max_length} are allowed"
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class SectionLocale:
    """One translation a section offers, and how far it can be trusted."""

    code: str
    status: str  # one of TRANSLATION_STATUSES
    title: str
    intro: str
    source: str  # who translated it, or which validated translation it is
    note: str = ""

    @property
    def checked(self) -> bool:
        return self.status in ("validated", "reviewed")


# How a block is asked: "single" a question a page (a person answering for themselves), "grid" every question on
# one page with its neighbours, one tap an answer (an officer asking a trained interview).
LAYOUTS = ("single", "grid")


@dataclass(frozen=True)
class Section:
    """One instrument or question block as the officer sees it: heading, instructions, source and licence."""

    id: str
    title: str
    intro: str
    source: str
    licence: str
    show_if: str | None = None  # set by the tool that includes the block
    layout: str = "single"  # "single": a question a page; "grid": one tap per answer, on a page with its neighbours
    published: bool = False  # a published instrument: wording and scoring must not be changed
    locales: tuple[SectionLocale, ...] = ()

    def locale(self, code: str | None) -> SectionLocale | None:
        return next((loc for loc in self.locales if loc.code == code), None)

    def title_in(self, code: str | None) -> str:
        loc = self.locale(code)
        return loc.title if loc else self.title

    def intro_in(self, code: str | None) -> str:
        loc = self.locale(code)
        return loc.intro if loc else self.intro


@dataclass(frozen=True)
class Band:
    start: int  # inclusive
    end: int  # inclusive
    label: str

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.start <= value <= self.end


@dataclass(frozen=True)
class Total:
    id: str
    label: str
    items: tuple[str, ...]  # as written: item ids and ids of other totals (sub-scores)
    bands: tuple[Band, ...]
    minimum: int  # possible range, worked out from the option scores
    maximum: int
    members: tuple[str, ...] = ()  # every item counted, sub-scores expanded

    def band(self, value: int) -> str | None:
        """The label of the band that holds `value` (bands partition the range, so at most one does)."""
        return next((b.label for b in self.bands if value in b), None)


@dataclass(frozen=True)
class Flag:
    id: str
    when: str
    why: str
    risk: str | None  # set for a risk trigger: the site's instructions the officer must act on now


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
    description: str = ""
    path: str = ""

    @cached_property
    def by_id(self) -> dict[str, Item | Total | Flag]:
        return {**{f.id: f for f in self.flags}, **{t.id: t for t in self.totals}, **{i.id: i for i in self.items}}

    @cached_property
    def item_ids(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def section_ids(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    def item(self, item_id: str) -> Item:
        return self.item_ids[item_id]

    def section(self, section_id: str) -> Section:
        return self.section_ids[section_id]

    def total(self, total_id: str) -> Total:
        return next(t for t in self.totals if t.id == total_id)

    def flag(self, flag_id: str) -> Flag:
        return next(f for f in self.flags if f.id == flag_id)

    @property
    def locales(self) -> tuple[str, ...]:
        """The languages the questions can be asked in: English plus every locale a section offers."""
        seen = dict.fromkeys([SOURCE_LOCALE])
        for section in self.sections:
            for loc in section.locales:
                seen.setdefault(loc.code)
        return tuple(seen)

    def subscore_of(self, total_id: str) -> str | None:
        """The total this one is part of (listed in its items, or counting a strict subset of its items)."""
        mine = set(self.total(total_id).members)
        for other in self.totals:
            if other.id != total_id and (total_id in other.items or mine < set(other.members)):
                return other.id
        return None
