"""The monthly return counted from cases walked through the tablet's services: the funnel a case reaches,
small numbers suppressed, equality answers optional, and the CSV exactly as docs/REPORT.md documents it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import equality
from app.case import FieldErrors
from app.report import CSV_COLUMNS, STAGES, Facts, compute, facts_of, months_between, to_csv
from app.report_labels import label
from app.report_pdf import render_report
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet, walk_pathway

DOCS = Path(__file__).resolve().parents[2] / "docs" / "REPORT.md"
MONTH = TODAY.strftime("%Y-%m")


def referred(n: int, month: str = MONTH, court: str = "chelmsford-mc", stages: tuple[str, ...] = ("referred",),
             **kw: object) -> list[Facts]:
    return [Facts(month=month, court_id=court, referral_source="court_duty_officer", stages=stages, **kw)  # type: ignore[arg-type]
            for _ in range(n)]


def test_a_case_walked_to_its_first_appointment_counts_at_every_stage_and_names_nobody(tmp_path: Path) -> None:
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = walk_pathway(session, name="Zebedee Quixotic-Marchbanks")
    session.record_equality(case_id, {"sex": "male", "ethnicity": equality.PREFER_NOT}, locale="en", easy_read=True)
    booking = next(iter(session.case(case_id).appointments))
    facts = facts_of(session.record_attendance(case_id, booking, True, "provider"))

    assert facts is not None
    assert facts.stages == tuple(s for s in STAGES if s != "breached")  # breaches: tests/unit/test_breach.py
    assert (facts.requirements, facts.order_months, facts.short_form) == (("ATR",), 12, "custody")
    assert facts.equality == {"sex": "male", "ethnicity": "prefer_not_to_say", "age_band": "35-44"}
    stored = json.dumps(facts.to_json())
    assert "Zebedee" not in stored and "1988" not in stored and "Theft" not in stored
    assert Facts.from_json(json.loads(stored)) == facts


def test_a_case_only_opened_is_referred_and_nothing_more(tmp_path: Path) -> None:
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = session.open_case(details(referral_source="court_duty_officer"), TODAY)
    facts = facts_of(session.case(case_id))
    assert facts is not None and facts.stages == ("referred",) and facts.referral_source == "court_duty_officer"


def test_equality_questions_are_optional_but_only_their_own_answers_are_taken(tmp_path: Path) -> None:
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = session.open_case(details(), TODAY)
    assert session.record_equality(case_id, {}).equality == {"answers": {}, "locale": "en", "easy_read": False,
                                                            "translation_reviewed": True}
    with pytest.raises(FieldErrors) as refused:
        session.record_equality(case_id, {"sex": "unknown", "shoe_size": "9"})
    assert set(refused.value.errors) == {"sex", "shoe_size"}
    assert all(equality.PREFER_NOT in equality.categories(q.id) for q in equality.QUESTIONS)


def test_counts_of_one_to_four_are_suppressed_and_five_is_shown() -> None:
    facts = referred(4, court="colchester-mc") + referred(3, court="southend-mc") + referred(5, court="chelmsford-mc")
    report = compute("demo", (MONTH,), facts)
    rows = {(r["court_id"], r["month"]): r["value"] for r in csv.DictReader(io.StringIO(to_csv(report)))
            if (r["section"], r["category"]) == ("funnel", "referred")}
    assert rows[("colchester-mc", MONTH)] == rows[("southend-mc", MONTH)] == "*"
    assert rows[("chelmsford-mc", MONTH)] == "5"  # two "*" beside it: 12 - 5 does not give either back
    assert rows[("all", "all")] == "12"
    assert report.value("funnel", "referred", court_id="colchester-mc") == 4  # the site itself sees the count


def test_a_percentage_worked_out_from_a_small_number_is_suppressed() -> None:
    sentenced = ("referred", "screened", "suitable", "consented", "recommended", "sentenced")
    facts = (referred(3, stages=(*sentenced, "sentenced_on_day"), requirements=("ATR",), order_months=12)
             + referred(20, stages=sentenced, requirements=("DRR",), order_months=6))
    headline = {ln.category: ln for ln in compute("demo", (MONTH,), facts).section("headline")}
    assert headline["sentenced_on_day_percent"].shown(True) == "*"
    assert headline["sentenced"].shown(True) == "23"
    assert headline["order_months_most_common"].shown(True) == "6"


def test_only_cases_referred_in_the_period_are_counted() -> None:
    facts = referred(6, month="2018-01") + referred(7, month="2018-03")
    assert compute("demo", months_between("2018-01", "2018-02"), facts).value("funnel", "referred") == 6
    assert months_between("2017-11", "2018-02") == ("2017-11", "2017-12", "2018-01", "2018-02")
    with pytest.raises(ValueError, match="before it starts"):
        months_between("2018-02", "2017-11")


def test_the_csv_columns_are_the_documented_return() -> None:
    table = DOCS.read_text(encoding="utf-8").split("## CSV columns", 1)[1].split("## Sections", 1)[0]
    documented = tuple(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == CSV_COLUMNS
    header = to_csv(compute("demo", (MONTH,), referred(5))).splitlines()[0]
    assert tuple(header.split(",")) == CSV_COLUMNS


def test_every_section_the_return_counts_is_documented() -> None:
    sections = DOCS.read_text(encoding="utf-8").split("## Sections", 1)[1]
    sentenced = ("referred", "screened", "suitable", "consented", "recommended", "sentenced")
    facts = referred(5, stages=sentenced, requirements=("ATR", "MHTR_PRIMARY"), order_months=12,
                     requirement_months={"ATR": 12}, consent_format="easy_read", consent_locale="pl",
                     interpreter=True)
    report = compute("demo", (MONTH,), facts)
    assert {ln.section for ln in report.lines} <= set(re.findall(r"^\| `([a-z_]+)` \|", sections, re.MULTILINE))


def test_the_pdf_renders_with_its_charts_in_memory() -> None:
    pdf = render_report(compute("demo", months_between("2018-01", "2018-03"), referred(6) + referred(
        7, month="2018-02", stages=("referred", "screened"))))
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_a_return_whose_counts_are_all_suppressed_draws_no_empty_chart() -> None:
    from reportlab.graphics.shapes import Drawing
    from reportlab.platypus import Paragraph

    from app.report_pdf import charts

    few = charts(compute("demo", (MONTH,), referred(3)))  # 3 referred: every count is 1 to 4, shown as *
    assert not any(isinstance(c, Drawing) for c in few)
    assert [c.getPlainText() for c in few if isinstance(c, Paragraph)] == [
        "Charts whose counts are all suppressed or nil are left out."]
    enough = charts(compute("demo", (MONTH,), referred(6)))
    assert any(isinstance(c, Drawing) for c in enough)


def test_people_read_words_where_the_csv_has_ids() -> None:
    """The PDF and the dashboard name every category in words; only the CSV keeps the ids."""
    everything = ("referred", "screened", "suitable", "consented", "recommended", "sentenced", "sentenced_on_day",
                  "appointment_booked", "appointment_attended", "breached")
    facts = referred(6, stages=everything, requirements=("DRR", "MHTR_SECONDARY"), order_months=12,
                     requirement_months={"DRR": 12, "MHTR_SECONDARY": 6}, consent_format="easy_read",
                     consent_locale="pl", interpreter=True, short_form="custody",
                     equality={"sex": "female", "sexual_orientation": equality.PREFER_NOT, "age_band": "25-34"})
    report = compute("demo", (MONTH,), facts)
    named = {(ln.section, ln.category): label(ln.section, ln.category) for ln in report.lines}
    assert all("_" not in words and words != category for (_s, category), words in named.items()
               if not category.isdigit()), named
    assert named[("funnel", "appointment_attended")] == "First appointment attended"
    assert named[("requirement_combination", "DRR+MHTR_SECONDARY")] == "DRR + MHTR (secondary care)"
    assert named[("requirement_length", "MHTR_SECONDARY:6")] == "MHTR (secondary care): 6 months"
    assert named[("consent_format", "language:pl")] == "In Polish"
    assert named[("equality", "sexual_orientation:prefer_not_to_say")] == "Sexual orientation: Prefer not to say"
    assert named[("equality", "age_band:25-34")] == "Age: 25-34"
    assert named[("headline", "breach_rate_percent")] == "Breach rate (%)"
    assert named[("order_length", "12")] == "12 months"

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_report(report))).pages)
    assert "First appointment attended" in text and "appointment_attended" not in text
