"""The monthly minimum data set for the CSTR Programme Board: per-case report facts and the figures from them.

Why facts first: a case's events are sealed, so the server folds them once (app.case.fold) into a handful of
non-identifying facts (month, court, stages reached, requirements, lengths, referral source, consent format,
equality categories) and every report is counted from those. Nothing here names a person or knows about
HTTP, databases or screens. The return's columns and sections are documented in docs/REPORT.md.

Small numbers: anything that leaves the site shows a count of 1 to 4, any figure worked out from one, and any
count that would let a "*" be worked out by subtraction (`suppressed`), as "*", so a person cannot be picked
out of a small court or month.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from typing import Any

from app import equality
from app.case import Case

ALL = "all"
SUPPRESSED = "*"
SMALL = range(1, 5)  # counts of 1 to 4 are suppressed in anything that leaves the site
CDO = "court_duty_officer"
MHTRS = ("MHTR_PRIMARY", "MHTR_SECONDARY")
REQUIREMENTS = ("ATR", "DRR", "MHTR_PRIMARY", "MHTR_SECONDARY")  # the order combinations are written in
# The pathway funnel, in order; a case counts at every stage it reached. `breached`: an order made was breached
# at least once (the evaluation's breach rate is orders breached over orders made).
STAGES = ("referred", "screened", "suitable", "consented", "recommended", "sentenced", "sentenced_on_day",
          "appointment_booked", "appointment_attended", "breached")
CSV_COLUMNS = ("site_id", "period_from", "period_to", "section", "category", "month", "court_id", "requirement",
               "value", "unit")
Key = tuple[str, str, str, str, str]  # section, category, month, court, requirement: one cell of the return
Counts = Counter[Key]


@dataclass(frozen=True)
class Facts:
    """What one case contributes to the return; nothing in it identifies the person."""

    month: str  # YYYY-MM of the hearing the person was referred for
    court_id: str
    referral_source: str
    stages: tuple[str, ...]
    requirements: tuple[str, ...] = ()  # as they stand: imposed once sentenced, else proposed
    order_months: int | None = None
    requirement_months: dict[str, int] = field(default_factory=dict)
    short_form: str | None = None
    consent_format: str | None = None  # easy_read | standard, when consent was given
    consent_locale: str | None = None
    interpreter: bool = False
    equality: dict[str, str] = field(default_factory=dict)  # characteristic -> category, age as a band

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types; by hand, since `asdict` deep-copies field by field (a push folds every case it touches)."""
        return {**vars(self), "stages": list(self.stages), "requirements": list(self.requirements),
                "requirement_months": dict(self.requirement_months), "equality": dict(self.equality)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Facts:
        """Facts as stored; a field added since they were stored takes its default.

        Why not `cls(**d)`: a year's return reads 100,000 of these, and the frozen dataclass's __init__ (one
        object.__setattr__ a field) was a fifth of its time. The names are checked as __init__ would.
        """
        if not _FACT_NAMES.issuperset(d) or not _REQUIRED_FACTS.issubset(d):
            raise TypeError(f"report facts with fields {sorted(d)}, expected {sorted(_FACT_NAMES)}")
        facts = object.__new__(cls)
        facts.__dict__.update({**_FACT_DEFAULTS, "requirement_months": {}, "equality": {}, **d,
                               "stages": tuple(d["stages"]), "requirements": tuple(d.get("requirements", ()))})
        return facts


_FACT_NAMES = frozenset(f.name for f in fields(Facts))
_REQUIRED_FACTS = frozenset(f.name for f in fields(Facts) if f.default is MISSING and f.default_factory is MISSING)
_FACT_DEFAULTS = {f.name: f.default for f in fields(Facts) if f.default is not MISSING}


def combination(requirements: Iterable[str]) -> str:
    """"ATR+MHTR_PRIMARY": the requirements in one fixed order, so the same order is always written the same."""
    chosen = set(requirements)
    return "+".join(r for r in REQUIREMENTS if r in chosen)


def facts_of(case: Case) -> Facts | None:
    """Fold a case into its report facts; None until the case has been opened (its details are known)."""
    d = case.details
    if d is None or d.hearing_date is None:
        return None
    sentence = case.sentence or {}
    imposed = case.imposed
    reached = {
        "referred": True,
        "screened": case.screening is not None,
        "suitable": bool(case.proposed),
        "consented": any(ev.kind == "consent_given" for ev in case.history),
        "recommended": case.proposal is not None,
        "sentenced": bool(imposed),
        "sentenced_on_day": bool(imposed) and sentence.get("sentenced_on_day") is True,
        "appointment_booked": bool(imposed and case.appointments),
        "appointment_attended": any(a.get("attended") for a in case.attendance.values()),
        "breached": bool(imposed and case.breaches),
    }
    order = sentence.get("order") or {} if imposed else {}
    given = next((ev.payload for ev in reversed(case.history) if ev.kind == "consent_given"), None)
    answers = dict((case.equality or {}).get("answers", {}))
    answers["age_band"] = equality.age_band(d.dob, d.hearing_date)
    return Facts(
        month=d.hearing_date.strftime("%Y-%m"), court_id=d.court_id, referral_source=d.referral_source,
        stages=tuple(s for s in STAGES if reached[s]), requirements=tuple(case.requirements),
        order_months=order.get("order_months"), requirement_months=dict(order.get("requirements", {})),
        short_form=sentence.get("short_form") if imposed else None,
        consent_format=given.get("format") if given else None, consent_locale=given.get("locale") if given else None,
        interpreter=bool(given and given.get("interpreter")), equality=answers)


@dataclass(frozen=True)
class Line:
    """One figure of the return. `small` marks a figure suppressed outside the site (small, or hiding one)."""

    section: str
    category: str
    month: str
    court_id: str
    requirement: str
    value: float
    unit: str  # count | percent | months
    small: bool

    def shown(self, suppress: bool) -> str:
        if suppress and self.small:
            return SUPPRESSED
        return str(int(self.value)) if self.unit == "count" else f"{self.value:g}"


@dataclass(frozen=True)
class Report:
    site_id: str
    months: tuple[str, ...]  # every month of the period, oldest first
    courts: tuple[str, ...]
    lines: tuple[Line, ...]
    _index: dict[tuple[str, str, str, str, str], Line] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(ln.section, ln.category, ln.month, ln.court_id, ln.requirement): ln
                                            for ln in self.lines})

    @property
    def period(self) -> tuple[str, str]:
        return self.months[0], self.months[-1]

    def value(self, section: str, category: str, month: str = ALL, court_id: str = ALL,
              requirement: str = ALL) -> float:
        """The figure for one cell (0 when nothing counted there); what tests and charts read."""
        found = self.line(section, category, month, court_id, requirement)
        return found.value if found else 0

    def line(self, section: str, category: str, month: str = ALL, court_id: str = ALL,
             requirement: str = ALL) -> Line | None:
        return self._index.get((section, category, month, court_id, requirement))

    def section(self, section: str, month: str = ALL, court_id: str = ALL) -> list[Line]:
        return [ln for ln in self.lines if ln.section == section and ln.month == month and ln.court_id == court_id
                and ln.requirement == ALL]


def months_between(first: str, last: str) -> tuple[str, ...]:
    """Every YYYY-MM from first to last inclusive; ValueError names a bad or backwards period."""
    start, end = date.fromisoformat(first + "-01"), date.fromisoformat(last + "-01")
    if end < start:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def compute(site_id: str, months: tuple[str, ...], facts: Iterable[Facts]) -> Report:
    """Count every section of the return over the cases referred in `months`, per month and court and in total.

    Cases are first grouped by the few facts each section needs (most cases share them), then each group is
    added to its cells once with its size: the counting then costs per group, not per case.
    """
    groups = _groups(set(months), facts)
    counts: Counts = Counter()
    lengths: Counter[int] = Counter()
    for key, n in groups.items():
        _count_group(counts, key, n)
        if key[0] == "order" and key[4]:
            lengths[key[4]] += n
    hidden = suppressed(counts)
    lines = _headline(counts, lengths, hidden)
    lines += [Line(*key, value=n, unit="count", small=key in hidden) for key, n in sorted(counts.items())]
    return Report(site_id, months, tuple(sorted({key[2] for key in groups})), tuple(lines))


def _groups(period: set[str], facts: Iterable[Facts]) -> Counter[tuple[Any, ...]]:
    """The cases of the period grouped by what each section counts: the one loop that costs per case.

    Why the equality answers are gathered as rows and counted a column at a time: nine counter updates a case
    (one a characteristic) were most of a year's return; one row a case, counted by Counter's C loop, gives
    the same groups in a fraction of the time.
    """
    groups: Counter[tuple[Any, ...]] = Counter()
    answered: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    characteristics = equality.CHARACTERISTICS
    not_recorded = (equality.NOT_RECORDED,) * len(characteristics)
    for f in facts:
        if f.month not in period:
            continue
        where = (f.month, f.court_id)
        stages = f.stages
        groups[("pathway", *where, stages, f.requirements, f.referral_source)] += 1
        if "screened" in stages:  # everyone who engages is asked; not answering is counted too
            answered.setdefault(where, []).append(tuple(map(f.equality.get, characteristics, not_recorded)))
        if "consented" in stages and f.consent_format:
            groups[("consent", *where, f.consent_format, f.consent_locale, f.interpreter)] += 1
        if "sentenced" in stages:
            groups[("order", *where, f.requirements, f.order_months, tuple(sorted(f.requirement_months.items())),
                    f.short_form)] += 1
    for where, answers in answered.items():
        for c, column in zip(characteristics, zip(*answers, strict=True), strict=True):
            for category, n in Counter(column).items():
                groups[("equality", *where, f"{c}:{category}")] += n
    return groups


def _count_group(counts: Counts, key: tuple[Any, ...], n: int) -> None:
    """Add a group of n cases to every cell it belongs in: its month and court, each alone, and the whole period."""
    part, month, court, *rest = key
    cells = ((month, court), (month, ALL), (ALL, court), (ALL, ALL))

    def add(section: str, category: str, requirements: Iterable[str] = ()) -> None:
        for m, c in cells:
            counts[(section, category, m, c, ALL)] += n
            for r in requirements:
                counts[(section, category, m, c, r)] += n

    if part == "pathway":
        stages, requirements, source = rest
        for stage in stages:
            add("funnel", stage, requirements if stage not in ("referred", "screened") else ())
        add("referral_source", source)
    elif part == "equality":
        add("equality", rest[0])
    elif part == "consent":
        fmt, locale, interpreter = rest
        add("consent_format", fmt)
        if locale and locale != "en":
            add("consent_format", f"language:{locale}")
        if interpreter:
            add("consent_format", "interpreter")
    else:
        requirements, order_months, requirement_months, short_form = rest
        for r in requirements:
            add("requirement", r)
        add("requirement_combination", combination(requirements))
        if any(r in MHTRS for r in requirements) and {"ATR", "DRR"} & set(requirements):
            add("requirement", "MHTR_with_ATR_or_DRR")
        if order_months:
            add("order_length", str(order_months))
        for r, months in requirement_months:
            add("requirement_length", f"{r}:{months}")
        add("short_form", short_form or "not_given")


def _headline(counts: Counts, by_length: Counter[int], hidden: set[Key]) -> list[Line]:
    """The evaluation's headline table for the whole period: the figures the Programme Board compares.

    A figure is suppressed when a count it is worked out from is (small, or suppressed so that another cannot
    be worked out), or when its parts differ by a small number.
    """
    def n(*cells: tuple[str, str]) -> tuple[int, bool]:
        keys = [(section, category, ALL, ALL, ALL) for section, category in cells]
        return sum(counts[k] for k in keys), any(k in hidden for k in keys)

    def line(category: str, value: float, unit: str, small: bool) -> Line:
        return Line("headline", category, ALL, ALL, ALL, value, unit, small)

    def count(stage: str) -> Line:
        value, suppressed = n(("funnel", stage))
        return line(stage, value, "count", suppressed or value in SMALL)

    def percent(category: str, part_of: tuple[str, str], *whole_of: tuple[str, str]) -> Line:
        (part, part_hidden), (whole, whole_hidden) = n(part_of), n(*whole_of)
        return line(category, round(100 * part / whole) if whole else 0, "percent",
                    part_hidden or whole_hidden or part in SMALL or whole in SMALL or (whole - part) in SMALL)

    sentenced = ("funnel", "sentenced")
    out = [count(stage) for stage in ("referred", "screened", "recommended", "sentenced")]
    out += [percent("referrals_from_cdo_percent", ("referral_source", CDO), ("funnel", "referred")),
            percent("sentenced_on_day_percent", ("funnel", "sentenced_on_day"), sentenced),
            percent("mhtr_with_atr_or_drr_percent", ("requirement", "MHTR_with_ATR_or_DRR"),
                    *(("requirement", m) for m in MHTRS)),
            percent("first_appointment_attended_percent", ("funnel", "appointment_attended"),
                    ("funnel", "appointment_booked")),
            percent("breach_rate_percent", ("funnel", "breached"), sentenced)]
    if by_length:
        lengths = sorted(by_length.elements())
        few = len(lengths) < max(SMALL) + 1
        out += [line("order_months_most_common", statistics.mode(lengths), "months", few),
                line("order_months_median", statistics.median(lengths), "months", few),
                line("order_months_shortest", min(lengths), "months", few),
                line("order_months_longest", max(lengths), "months", few)]
    return out


def suppressed(counts: Counts) -> set[Key]:
    """The cells shown as "*" outside the site: every count of 1 to 4, and then enough others that none of them
    can be worked out by subtraction (secondary, or complementary, suppression).

    Why: a "*" beside a shown total and shown neighbours is no "*" at all (the month's total minus the other
    courts gives it back). For each additive equation the return holds (`_equations`), a cell a reader cannot see
    must never be the only one: the smallest other nonzero cell of the equation is suppressed too (its total
    when there is none), and so on until no equation has exactly one. Only equations can give a cell back, so
    nothing else is suppressed.
    """
    hidden = {key for key, n in counts.items() if n in SMALL}
    equations = _equations(counts)
    of_cell: dict[Key, list[int]] = {}
    for i, (total, parts) in enumerate(equations):
        for key in (total, *parts):
            of_cell.setdefault(key, []).append(i)
    pending = sorted({i for key in hidden for i in of_cell.get(key, ())})
    while pending:
        total, parts = equations[pending.pop()]
        if sum(key in hidden for key in (total, *parts)) != 1:
            continue
        shown = [key for key in parts if key not in hidden]
        extra = min(shown, key=lambda key: (counts[key], key)) if shown else total
        hidden.add(extra)
        pending += of_cell[extra]
    return hidden


# Sections whose categories share out one funnel count (each case in exactly one category), for each month and
# court: the categories sum to that count. Orders with no length recorded would leave a remainder outside the
# order_length rows; treating them as summing anyway only ever suppresses more. consent_format's easy_read and
# standard share out the consents given; its language and interpreter rows overlap them and are left out.
_SHARED_OUT = {"referral_source": "referred", "requirement_combination": "sentenced", "short_form": "sentenced",
               "order_length": "sentenced"}


def _equations(counts: Counts) -> list[tuple[Key, tuple[Key, ...]]]:
    """Every "total = sum of parts" the return's cells satisfy, as (total, parts); only cells with a count.

    Courts sum to all courts and months to the whole period, in every section. Within a month and court:
    the categories of _SHARED_OUT; each equality characteristic's categories sum to those screened; a
    requirement's lengths to the orders with it; the combinations holding a requirement to the orders with it
    (and those with an MHTR and an ATR or DRR to that row). The requirements themselves overlap (a combined
    order counts under each) and so do the funnel's requirement columns: no equation. A funnel `sentenced` cell
    for one requirement is the same figure as that requirement's row: an equation of one part.
    """
    sums: dict[tuple[Key, str], list[Key]] = {}

    def part(total: Key, key: Key, equation: str) -> None:
        if total in counts:
            sums.setdefault((total, equation), []).append(key)

    for key in counts:
        section, category, month, court, requirement = key
        if court != ALL:
            part((section, category, month, ALL, requirement), key, "courts")
        if month != ALL:
            part((section, category, ALL, court, requirement), key, "months")
        if requirement != ALL:
            if (section, category) == ("funnel", "sentenced"):
                part(("requirement", requirement, month, court, ALL), key, "same figure")
            continue
        for total_section, total_category, equation in _category_totals(section, category):
            part((total_section, total_category, month, court, ALL), key, equation)
    return [(total, tuple(parts)) for (total, _equation), parts in sums.items()]


def _category_totals(section: str, category: str) -> list[tuple[str, str, str]]:
    """The rows of the same month and court this category is one share of: (section, category, equation)."""
    if section in _SHARED_OUT:
        out = [("funnel", _SHARED_OUT[section], section)]
        if section == "requirement_combination":
            chosen = set(category.split("+"))
            out += [("requirement", r, section) for r in REQUIREMENTS if r in chosen]
            if chosen & set(MHTRS) and chosen & {"ATR", "DRR"}:
                out.append(("requirement", "MHTR_with_ATR_or_DRR", section))
        return out
    if section == "equality":  # each characteristic shares out the same people screened: one equation each
        return [("funnel", "screened", category.split(":", 1)[0])]
    if section == "requirement_length":
        return [("requirement", category.split(":", 1)[0], section)]
    if section == "consent_format" and category in ("easy_read", "standard"):
        return [("funnel", "consented", section)]
    return []


def to_csv(report: Report, suppress: bool = True) -> str:
    """The return as CSV, one figure a row (columns in CSV_COLUMNS, documented in docs/REPORT.md)."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(CSV_COLUMNS)
    first, last = report.period
    for ln in report.lines:
        out.writerow((report.site_id, first, last, ln.section, ln.category, ln.month, ln.court_id, ln.requirement,
                      ln.shown(suppress), ln.unit))
    return buf.getvalue()
