"""Fonts for every consent script are bundled at set-up: at the exact paths the offline web engine asks for,
and as named page fonts; built from Debian's fonts-noto-core, never downloaded, never committed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.fonts import NOTO_DIR, PAGE_FONTS, FontsMissing, available_page_fonts, debian_file, ensure_assets, fallbacks
from app.i18n import SCRIPT_FONTS
from tests.support import REPO_ROOT

# The fallback families the engine picks for the consent languages' scripts (and Latin, symbols, digits).
NEEDED = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Bengali", "Noto Sans Gurmukhi", "Noto Sans Symbols")


def test_the_engine_fallback_list_is_read_from_flet_web() -> None:
    families = {f.family for f in fallbacks()}
    assert set(NEEDED) <= families
    assert all(f.path.endswith(".woff2") and "/v" in f.path for f in fallbacks())


def test_split_families_map_to_one_debian_file() -> None:
    assert debian_file("Noto Sans Symbols 2 3") == NOTO_DIR / "NotoSansSymbols2-Regular.ttf"
    assert debian_file("Noto Sans Arabic") == NOTO_DIR / "NotoSansArabic-Regular.ttf"
    assert debian_file("Noto Sans Klingon") is None


def test_the_assets_hold_every_needed_font_at_the_engines_path(tmp_path: Path) -> None:
    assets = ensure_assets(tmp_path / "assets")
    by_family = {f.family: f.path for f in fallbacks()}
    for family in NEEDED:
        served = assets / "assets" / "fonts" / by_family[family]
        assert served.is_file() and served.read_bytes()[:4] == b"\x00\x01\x00\x00", family  # a TrueType font
    assert set(SCRIPT_FONTS.values()) == set(PAGE_FONTS)
    assert available_page_fonts(assets) == PAGE_FONTS
    for rel in PAGE_FONTS.values():
        assert (assets / rel).is_file()
    stamp = (assets / ".courtside-fonts.json").stat().st_mtime_ns
    ensure_assets(assets)  # already built for this flet-web and font set: left alone
    assert (assets / ".courtside-fonts.json").stat().st_mtime_ns == stamp


def test_missing_debian_fonts_are_named(tmp_path: Path) -> None:
    with pytest.raises(FontsMissing, match="fonts-noto-core"):
        ensure_assets(tmp_path / "assets", noto_dir=tmp_path / "no-fonts")


def test_font_binaries_are_not_committed() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.ttf", "*.woff2", "*.otf"], cwd=REPO_ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    assert tracked == []
