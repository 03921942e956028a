"""The canary: a full case through a real site server, then every file either side searched for the person.

Why a canary and not a list of places: personal data leaks into places nobody listed (a WAL, a temp
file, a log line, a crash report). So a case is walked end to end with a name, a date of birth and a
free-text screening answer that appear nowhere else, pushed and pulled, purged from the tablet, and then
every file under the tablet's data directory, the server's, the temp directory both used and the logs
is searched for them in UTF-8 and UTF-16: nothing may be found.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from app import audit, clock, screening
from sync.client import SyncClient
from sync.enrolment import issue_code
from sync.server import open_context
from tests.pathway import OFFICER, PIN, alcohol_dependent_answers, provisioned_tablet, walk_pathway
from tests.plaintext import files_containing
from tests.support import bounded, running_server

NAME = "Quenby Thistlewaite-Ormsgill"
DOB = ("1988-05-14", "14/05/1988", "14 May 1988")  # walk_pathway's date of birth, as it could be written
ANSWER = "Old Kernewek of Lamorna"  # a free-text screening answer (the interpreter's language)


def test_a_full_case_leaves_no_name_date_of_birth_or_answer_in_plaintext_anywhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # the server process, started below, uses it too
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    caplog.set_level(logging.DEBUG)
    server_dir, tablet_dir = tmp_path / "server", tmp_path / "tablet"
    db_url = f"sqlite:///{server_dir / 'server.db'}"
    with running_server(db_url, server_dir) as url:
        ctx = open_context(db_url, server_dir)
        try:
            code = issue_code(ctx, "demo", "Canary tablet", "test")[0]
        finally:
            ctx.db.dispose()
        tablet = provisioned_tablet(tablet_dir)
        client = SyncClient(tablet, url, "demo")
        try:
            client.enrol(code)
            session = tablet.unlock(OFFICER, PIN)
            case_id = walk_pathway(session, NAME)
            tool = screening.load_tool(session.tablet.site.screening_tool)
            answers = {**alcohol_dependent_answers(tool), "needs_interpreter": "yes", "needs_language": ANSWER}
            session.save_screening_progress(case_id, tool, answers)
            session.reauthenticate(PIN)
            session.proposal_pdf(case_id)
            session.consent_summary(case_id)
            session.seal_unsealed()
            for _ in bounded(100, "pushing: the tablet still had events to send"):
                if not client.push():
                    break
            client.pull()
            assert tablet.sync_status().pending == 0
            tablet.unlock(OFFICER, PIN, now=clock.now() + timedelta(days=400))  # retention runs
        finally:
            client.close()
    assert audit.verify(tablet.engine) is None
    for needle in (NAME, NAME.split()[0], *DOB, ANSWER):
        assert files_containing(tmp_path, needle) == [], needle  # tablet, server, temp dir, server log
        assert needle not in caplog.text, needle
