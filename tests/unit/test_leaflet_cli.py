"""`courtside leaflet --demo`: translators and sites print a sample leaflet in any language to review it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.site import demo_site_path
from courtside import main
from tests.leaflet_pdf import calendar_events, page_sizes, shows


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(["leaflet", "--demo", *args])
    return int(done.value.code or 0)


def test_a_sample_leaflet_is_written_in_the_language_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    out = tmp_path / "ar.pdf"
    assert run("--lang", "ar", "--easy-read", "--out", str(out)) == 0
    pdf = out.read_bytes()
    assert "easy-read leaflet in ar" in capsys.readouterr().out
    assert shows(pdf, "Open Road Drug and Alcohol Service", rtl=True) and len(calendar_events(pdf)) == 1


def test_the_fold_is_chosen_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cy.pdf"
    assert run("--lang", "cy", "--paper", "a5-fold", "--out", str(out)) == 0
    assert set(page_sizes(out.read_bytes())) == {(297, 210)}


def test_a_language_without_a_leaflet_is_refused_with_the_choices(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--lang", "klingon", "--out", str(tmp_path / "x.pdf")) == 2
    assert "choose one of en, cy, pl" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_a_broken_site_file_is_named_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site.toml"
    site.write_text(demo_site_path().read_text().replace('"step_free", "hearing_loop"', '"ramp"'))
    assert run("--lang", "en", "--site-file", str(site), "--out", str(tmp_path / "x.pdf")) == 2
    assert f"{site}:" in capsys.readouterr().err
