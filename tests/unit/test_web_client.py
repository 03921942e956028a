"""The page the tablet's browser loads carries Courtside's script ahead of the engine's own (what the script does is
proven in the browser: tests/e2e open the app without pressing anything and refuse any request off the machine)."""

from __future__ import annotations

from pathlib import Path

from app import web_client
from app.fonts import flet_web_dir


def test_the_index_runs_courtsides_script_before_any_other_and_only_once(tmp_path: Path) -> None:
    written = web_client.write_index(tmp_path, flet_web_dir() / "index.html")
    html = written.read_text(encoding="utf-8")
    assert html.index(web_client.MARK) < html.index("<script src=")
    assert html.index(web_client.MARK) < html.index("var flet")
    again = web_client.write_index(tmp_path, written).read_text(encoding="utf-8")
    assert again.count(web_client.MARK) == 1
