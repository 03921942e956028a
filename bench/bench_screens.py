"""Server-side time to build each screen's controls (no browser): what a tap costs before anything is sent."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from types import SimpleNamespace

from app.consent import consent_texts
from app.consent_flow import ConsentFlow
from bench.common import median_ms, row, size
from screens import appointment, case_page, defendant, login, screening, suitability, today
from screens.shell import AppContext, Shell
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet, walk_pathway


def main() -> list[str]:
    cases = size(200, 3)
    out = [f"Building each screen (median of 20, {cases} cases on the tablet)"]
    with tempfile.TemporaryDirectory() as d:
        tablet = provisioned_tablet(Path(d))
        session = tablet.unlock(OFFICER, PIN)
        for n in range(cases - 1):
            session.open_case(details(f"Person {n}"), TODAY)
        case_id = walk_pathway(session)
        shell = Shell(SimpleNamespace(), AppContext(tablet=tablet, today=lambda: TODAY))  # type: ignore[arg-type]
        shell.session = session
        shell.court_id = "chelmsford-mc"
        shell.flows[case_id] = ConsentFlow(case_id, *consent_texts(["ATR"], "en"))  # the tablet handed over

        def timed(builder, *args) -> float:  # noqa: ANN001
            return median_ms(lambda: asyncio.run(builder(shell, *args)), repeat=20)

        base = timed(login.officer_list)
        out.append(row("officer list (baseline)", base))
        for name, builder, args in [
            ("today's cases", today.today_list, ()),
            ("case task list", case_page.task_list, (case_id,)),
            ("screening question", screening.question, (case_id, "audit_1")),
            ("suitability", suitability.suitability_page, (case_id,)),
            ("consent page (defendant mode)", defendant.show, (case_id,)),
            ("appointment slots", appointment.choose_slot, (case_id,)),
        ]:
            out.append(row(name, timed(builder, *args), base))
        session.reauthenticate(PIN)  # the pathway gave a leaflet: each one timed here is a reprint
        out.append(row("leaflet PDF (ReportLab, in memory)", median_ms(lambda: session.leaflet(case_id)), base))
    return out
