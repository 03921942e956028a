"""Desktop printing: the leaflet goes to the system spooler over a pipe and no file of it is left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.printing import PrintError, print_pdf
from tests.pathway import OFFICER, PIN, provisioned_tablet, walk_pathway
from tests.plaintext import files_containing

# A stand-in for CUPS's lp: it keeps what it was piped, and the arguments, where the test can read them.
FAKE_LP = """#!/bin/sh
printf '%s\\n' "$@" > "$SPOOL/args"
cat > "$SPOOL/job.pdf"
echo "request id is office-42 (1 file(s))"
"""


@pytest.fixture
def spooler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir, spool = tmp_path / "bin", tmp_path / "spool"
    bin_dir.mkdir()
    spool.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(FAKE_LP)
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SPOOL", str(spool))
    return spool


def test_the_leaflet_is_piped_to_the_printer_and_not_written_to_the_tablet(tmp_path: Path, spooler: Path) -> None:
    tablet = provisioned_tablet(tmp_path / "tablet")
    session = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session)
    session.reauthenticate(PIN)  # a reprint
    pdf = session.leaflet(case_id, "en")
    job = print_pdf(pdf, printer="court-office")
    assert job == "request id is office-42 (1 file(s))"
    assert (spooler / "job.pdf").read_bytes() == pdf  # exactly the leaflet, over standard input
    assert (spooler / "args").read_text().split() == ["-t", "CSTR", "leaflet", "-d", "court-office", "-"]
    assert files_containing(tmp_path / "tablet", "%PDF-") == []  # no PDF left in the tablet's data


def test_no_print_service_says_so_in_words_a_cdo_can_act_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrintError, match="No printer is set up on this tablet"):
        print_pdf(b"%PDF-1.4")


def test_a_refusal_from_the_printer_is_shown_with_its_reason(spooler: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    lp = next(Path(p) / "lp" for p in os.environ["PATH"].split(os.pathsep) if (Path(p) / "lp").exists())
    lp.write_text("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n")
    with pytest.raises(PrintError, match="The printer refused the leaflet: lp: The printer or class does not"):
        print_pdf(b"%PDF-1.4", printer="nowhere")
