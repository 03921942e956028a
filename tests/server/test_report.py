"""The monthly return on the site server: counted from what tablets push (SQLite and PostgreSQL), shown on the
admin dashboard behind sign-in, and checked against the process evaluation with the synthetic testbed cohort."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete

from app.report import to_csv
from sync import report_store
from sync.context import ServerContext
from sync.db import ReportFact
from sync.demo_data import load_cohort
from sync.server import open_context
from tests.pathway import TODAY, walk_pathway
from tests.plaintext import files_containing
from tests.server.harness import ADMIN, ADMIN_PASSWORD, SiteServer
from tests.unit.test_report_suppression import cells, worked_out

MONTH = TODAY.strftime("%Y-%m")


def sentenced(ctx: ServerContext) -> float:
    return report_store.monthly_report(ctx, "demo", MONTH).value("funnel", "sentenced")


def test_a_case_a_tablet_pushes_is_counted_in_the_month_it_was_referred(site_server: SiteServer,
                                                                       tmp_path: Path) -> None:
    before = sentenced(site_server.ctx)
    enrolled = site_server.enrolled_tablet(tmp_path / "tablet")
    case_id = walk_pathway(enrolled.session, name="Ottoline Verity-Haskins")
    enrolled.client.push()
    assert sentenced(site_server.ctx) == before + 1

    booking = next(iter(enrolled.session.case(case_id).appointments))
    enrolled.session.record_attendance(case_id, booking, True, "probation")  # a later event folds the case again
    enrolled.client.push()
    report = report_store.monthly_report(site_server.ctx, "demo", MONTH)
    assert report.value("funnel", "appointment_attended", requirement="ATR") >= 1
    assert files_containing(site_server.data_dir, "Ottoline") == []


def test_rebuilding_the_report_facts_gives_the_same_return(site_server: SiteServer, tmp_path: Path) -> None:
    enrolled = site_server.enrolled_tablet(tmp_path / "tablet")
    walk_pathway(enrolled.session)
    enrolled.client.push()
    before = to_csv(report_store.monthly_report(site_server.ctx, "demo", MONTH))
    with site_server.ctx.db.writer.begin() as conn:
        conn.execute(delete(ReportFact.__table__))  # type: ignore[arg-type]
    assert report_store.rebuild(site_server.ctx, "demo") >= 1
    assert to_csv(report_store.monthly_report(site_server.ctx, "demo", MONTH)) == before


def test_the_dashboard_needs_a_sign_in_and_gives_the_return_suppressed(site_server: SiteServer) -> None:
    for path in ("/admin/report", "/admin/report.csv", "/admin/report.pdf"):
        response = httpx.get(f"{site_server.url}{path}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    site_server.ensure_admin()
    with httpx.Client(base_url=site_server.url, timeout=60) as pages:
        pages.post("/admin/login", data={"name": ADMIN, "password": ADMIN_PASSWORD})
        page = pages.get("/admin/report", params={"from": MONTH})
        assert page.status_code == 200 and "Pathway funnel by month" in page.text
        returned = pages.get("/admin/report.csv", params={"site": "demo", "from": MONTH, "to": MONTH})
        assert returned.headers["content-disposition"] == f'attachment; filename="cstr-return-demo-{MONTH}-{MONTH}.csv"'
        assert returned.text == to_csv(report_store.monthly_report(site_server.ctx, "demo", MONTH))
        assert pages.get("/admin/report.pdf", params={"from": MONTH}).content.startswith(b"%PDF")
        assert pages.get("/admin/report", params={"from": "2018-13"}).status_code == 422


@pytest.fixture(scope="module")
def testbed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerContext, Path]]:
    """The synthetic testbed cohort, stored once on an embedded server database (it takes most of a minute)."""
    root = tmp_path_factory.mktemp("testbed")
    ctx = open_context(f"sqlite:///{root}/server.db", root / "data")
    load_cohort(ctx, "testbed-2018")
    try:
        yield ctx, root
    finally:
        ctx.db.dispose()


def test_the_return_over_the_testbed_cohort_gives_the_evaluation_headline_back(testbed: tuple[ServerContext, Path],
                                                                               ) -> None:
    ctx, _root = testbed
    report = report_store.monthly_report(ctx, "demo", "2017-10", "2018-06")
    headline = {ln.category: ln.value for ln in report.section("headline")}
    assert (headline["screened"], headline["recommended"], headline["sentenced"]) == (809, 488, 441)
    assert headline["referrals_from_cdo_percent"] == 85
    assert headline["sentenced_on_day_percent"] == 80
    assert headline["mhtr_with_atr_or_drr_percent"] == 33
    assert headline["breach_rate_percent"] == 8  # against 13% nationally
    assert headline["order_months_most_common"] == 12
    assert (headline["order_months_shortest"], headline["order_months_longest"]) == (6, 24)
    assert len(report.months) == 9 and report.value("funnel", "screened", month="2018-06") > 0
    assert [ln.category for ln in report.section("headline") if ln.shown(True) == "*"] == []  # all of it leaves


def test_the_testbed_return_leaves_the_site_with_small_numbers_suppressed(testbed: tuple[ServerContext, Path]
                                                                          ) -> None:
    ctx, root = testbed
    returned = to_csv(report_store.monthly_report(ctx, "demo", "2017-10", "2018-06"))
    counts = [r["value"] for r in csv.DictReader(io.StringIO(returned)) if r["unit"] == "count"]
    assert "*" in counts
    assert not any(v in ("1", "2", "3", "4") for v in counts)
    assert worked_out(cells(returned)) == {}  # no "*" comes back from a total and the rows beside it
    assert files_containing(root, "Testbed Person") == []
