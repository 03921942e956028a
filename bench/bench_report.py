"""The month's return over 100,000 cases, on PostgreSQL (a throwaway local cluster) and on embedded SQLite.

Why the cases are made directly as report facts: the cohort generator (sync.demo_data) writes every case through
a tablet's services and the push ingest, about 15 ms a case, which is 25 minutes for 100,000. The report reads
only `report_fact`, so the bench fills that table with synthetic facts of the same shape (12 months, 2 courts,
the evaluation's funnel proportions) and measures what a report costs, for the month and for the whole year
(`courtside report --from 2025-01 --to 2025-12`). Baseline, in the same run: reading the
month's facts rows with no counting, which is the least any report must do.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import select

from app import equality
from app.report import STAGES, Facts, to_csv
from app.report_pdf import render_report
from bench.common import median_ms, row, size
from sync import report_store
from sync.db import ReportFact, utcnow
from sync.server import open_context

MONTHS = tuple(f"2025-{m:02d}" for m in range(1, 13))
MONTH = "2025-06"
FACTS = ReportFact.__table__  # type: ignore[attr-defined]
MIXES = (("ATR",), ("DRR",), ("MHTR_PRIMARY",), ("MHTR_SECONDARY",), ("ATR", "MHTR_PRIMARY"), ("ATR", "DRR"))


def synthetic(rng: random.Random) -> Facts:
    reached = STAGES[:rng.choice((1, 2, 2, 3, 4, 5, 6, 6, 7, 8, 9))]
    sentenced = "sentenced" in reached
    answers = {q.id: rng.choice([v for v, _label in q.options]) for q in equality.QUESTIONS}
    return Facts(month=rng.choice(MONTHS), court_id=rng.choice(("chelmsford-mc", "colchester-mc")),
                 referral_source=rng.choice(("court_duty_officer",) * 6 + ("probation", "self_referral")),
                 stages=reached, requirements=rng.choice(MIXES) if "suitable" in reached else (),
                 order_months=rng.choice((6, 12, 12, 18, 24)) if sentenced else None,
                 short_form="custody" if sentenced else None,
                 consent_format="easy_read" if "consented" in reached else None, consent_locale="en",
                 equality={**answers, "age_band": "25-34"})


def fill(ctx: object, cases: int) -> None:
    rng = random.Random(9)
    now = utcnow()
    batch = min(cases, 10_000)
    for _batch in range(cases // batch):
        rows = []
        for _ in range(batch):
            f = synthetic(rng)
            rows.append({"case_id": str(uuid.uuid4()), "site_id": "demo", "month": f.month, "court_id": f.court_id,
                         "facts": json.dumps(f.to_json(), separators=(",", ":")), "updated_at": now})
        with ctx.db.writer.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(FACTS.insert(), rows)


def measure(name: str, db_url: str, data_dir: Path) -> list[str]:
    ctx = open_context(db_url, data_dir)
    cases = size(100_000, 200)
    try:
        started = time.perf_counter()
        fill(ctx, cases)
        filled = (time.perf_counter() - started) * 1000

        def read_rows() -> None:
            with ctx.db.engine.connect() as conn:
                conn.execute(select(FACTS.c.facts).where(FACTS.c.site_id == "demo", FACTS.c.month == MONTH)).all()

        baseline = median_ms(read_rows, repeat=5, warmup=1)
        month = median_ms(lambda: report_store.monthly_report(ctx, "demo", MONTH), repeat=5, warmup=1)
        year = median_ms(lambda: report_store.monthly_report(ctx, "demo", MONTHS[0], MONTHS[-1]), repeat=3, warmup=1)
        whole = report_store.monthly_report(ctx, "demo", MONTHS[0], MONTHS[-1])
        written = median_ms(lambda: (to_csv(whole), render_report(whole)), repeat=3, warmup=1)
        return [f"  {name}: {cases:,} cases ({filled / 1000:.1f} s to make)",
                row("read one month's facts rows (baseline)", baseline),
                row(f"the month's return (~{cases // 12:,} cases)", month, baseline),
                row(f"the year's return ({cases:,} cases)", year, baseline),
                row("the year's return written as CSV and PDF", written, baseline)]
    finally:
        ctx.db.dispose()


def main() -> list[str]:
    from tests.pg import fresh_schema, postgres_url

    out = ["Monthly return over report facts (target: the month's return under 2 s on PostgreSQL)"]
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        pg = stack.enter_context(fresh_schema(stack.enter_context(postgres_url())))
        out += measure("PostgreSQL", pg, Path(tmp) / "pg")
        out += measure("SQLite", f"sqlite:///{tmp}/server.db", Path(tmp) / "sqlite")
    return out


if __name__ == "__main__":
    print("\n".join(main()))
