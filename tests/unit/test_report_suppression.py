"""Secondary suppression: a "*" in the return that leaves the site cannot be worked out by subtraction from the
totals and the other rows beside it, and nothing of 5 or more is hidden except what that needs."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from app.equality import CHARACTERISTICS
from app.report import ALL, Facts, compute, to_csv

MONTHS = ("2026-10", "2026-11")
Row = dict[str, str]
Cell = tuple[str, str, str, str, str]  # section, category, month, court, requirement


def cases(n: int, court: str, month: str = MONTHS[0], source: str = "court_duty_officer",
          sex: str = "male") -> list[Facts]:
    return [Facts(month=month, court_id=court, referral_source=source, stages=("referred", "screened"),
                  equality={"sex": sex}) for _ in range(n)]


def cells(returned: str) -> dict[Cell, str]:
    rows = csv.DictReader(io.StringIO(returned))
    return {(r["section"], r["category"], r["month"], r["court_id"], r["requirement"]): r["value"] for r in rows
            if r["unit"] == "count"}


def equations(shown: dict[Cell, str]) -> list[tuple[Cell, list[Cell]]]:
    """What a reader of the CSV can add up: courts to all courts, months to the whole period, referral sources
    to the referred, a characteristic's categories to the screened."""
    sums: dict[tuple[Cell, str], list[Cell]] = {}
    for cell in shown:
        section, category, month, court, requirement = cell
        if court != ALL:
            sums.setdefault(((section, category, month, ALL, requirement), "courts"), []).append(cell)
        if month != ALL:
            sums.setdefault(((section, category, ALL, court, requirement), "months"), []).append(cell)
        if section == "referral_source":
            sums.setdefault((("funnel", "referred", month, court, ALL), section), []).append(cell)
        if section == "equality":
            sums.setdefault((("funnel", "screened", month, court, ALL), category.split(":")[0]), []).append(cell)
    return [(total, parts) for (total, _name), parts in sums.items() if total in shown]


def worked_out(shown: dict[Cell, str]) -> dict[Cell, int]:
    """Every "*" a reader gets back by subtracting the shown rows from a shown total (zero rows are left out)."""
    found: dict[Cell, int] = {}
    for total, parts in equations(shown):
        hidden = [c for c in (total, *parts) if shown[c] == "*"]
        if len(hidden) != 1:
            continue
        others = sum(int(shown[c]) for c in parts if c != hidden[0])
        found[hidden[0]] = others if hidden[0] == total else int(shown[total]) - others
    return found


def primary_only(returned: Callable[[bool], str]) -> dict[Cell, str]:
    """The return as it was before secondary suppression: only counts of 1 to 4 hidden."""
    return {cell: "*" if value in ("1", "2", "3", "4") else value for cell, value in cells(returned(False)).items()}


def test_a_small_court_cannot_be_worked_out_from_the_months_total_and_the_other_court() -> None:
    facts = (cases(3, "colchester-mc", source="probation", sex="female") + cases(20, "chelmsford-mc")
             + cases(12, "chelmsford-mc", month=MONTHS[1]) + cases(9, "colchester-mc", month=MONTHS[1]))
    report = compute("demo", MONTHS, facts)

    before = primary_only(lambda suppress: to_csv(report, suppress))
    assert worked_out(before)[("funnel", "referred", MONTHS[0], "colchester-mc", ALL)] == 3  # 23 - 20
    shown = cells(to_csv(report))
    assert worked_out(shown) == {}
    assert shown[("funnel", "referred", MONTHS[0], "colchester-mc", ALL)] == "*"
    assert shown[("funnel", "referred", MONTHS[0], ALL, ALL)] == "23"  # the totals still go
    assert shown[("funnel", "referred", ALL, ALL, ALL)] == "44"


def test_a_small_referral_source_cannot_be_worked_out_from_the_referred() -> None:
    facts = cases(40, "chelmsford-mc") + cases(2, "chelmsford-mc", source="self_referral") + cases(
        7, "chelmsford-mc", source="probation")
    report = compute("demo", MONTHS[:1], facts)
    assert worked_out(primary_only(lambda suppress: to_csv(report, suppress))) != {}
    shown = cells(to_csv(report))
    assert worked_out(shown) == {}
    assert shown[("referral_source", "probation", MONTHS[0], "chelmsford-mc", ALL)] == "*"  # the next smallest
    assert shown[("referral_source", "court_duty_officer", MONTHS[0], "chelmsford-mc", ALL)] == "40"


def test_only_the_cells_that_would_give_a_small_one_away_are_hidden() -> None:
    facts = cases(3, "colchester-mc") + cases(6, "chelmsford-mc") + cases(20, "southend-mc")
    report = compute("demo", MONTHS[:1], facts)
    hidden_large = {(ln.section, ln.category, ln.month, ln.court_id) for ln in report.lines
                    if ln.small and ln.unit == "count" and ln.section != "headline" and ln.value >= 5}
    # Chelmsford, the next smallest court, in each row Colchester's 3 is in (the month, the period, the same 3
    # cases as referred, screened, from the CDO, male); Southend and every total stay.
    assert {(section, category, court) for section, category, _month, court in hidden_large} == {
        (section, category, "chelmsford-mc") for section, category in (
            ("funnel", "referred"), ("funnel", "screened"), ("referral_source", "court_duty_officer"),
            ("equality", "sex:male"), *(("equality", f"{c}:not_recorded") for c in CHARACTERISTICS
                                         if c != "sex"))}
    assert worked_out(cells(to_csv(report))) == {}
