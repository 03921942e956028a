"""Server-side time to build each screen's controls (no browser): what a tap costs before anything is sent."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from types import SimpleNamespace

from bench.common import median_ms, row
from screens import appointment, case_page, consent, login, screening, suitability, today
from screens.shell import AppContext, Shell
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet, walk_pathway


def main() -> list[str]:
    out = ["Building each screen (median of 20, 200 cases on the tablet)"]
    with tempfile.TemporaryDirectory() as d:
        tablet = provisioned_tablet(Path(d))
        session = tablet.unlock(OFFICER, PIN)
        for n in range(199):
            session.open_case(details(f"Person {n}"), TODAY)
        case_id = walk_pathway(session)
        shell = Shell(SimpleNamespace(), AppContext(tablet=tablet, today=lambda: TODAY))  # type: ignore[arg-type]
        shell.session = session
        shell.court_id = "chelmsford-mc"

        def timed(builder, *args) -> float:  # noqa: ANN001
            return median_ms(lambda: asyncio.run(builder(shell, *args)), repeat=20)

        base = timed(login.officer_list)
        out.append(row("officer list (baseline)", base))
        for name, builder, args in [
            ("today's cases", today.today_list, ()),
            ("case task list", case_page.task_list, (case_id,)),
            ("screening question", screening.question, (case_id, "audit_1")),
            ("suitability", suitability.suitability_page, (case_id,)),
            ("consent page (defendant mode)", consent.defendant_page, (case_id, 0)),
            ("appointment slots", appointment.choose_slot, (case_id,)),
        ]:
            out.append(row(name, timed(builder, *args), base))
        out.append(row("leaflet PDF (ReportLab, in memory)", median_ms(lambda: session.leaflet(case_id)), base))
    return out
