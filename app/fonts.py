"""Fonts for every script, offline: Debian's fonts-noto-core copied into the web app's assets directory (with the
page itself, app.web_client).

Why both copies: the tablet has no network, and Flutter's web engine fetches a Noto font for any character
its own fonts lack. With `no_cdn` it asks the app itself, at `assets/fonts/<family>/v<N>/<file>.woff2`, and
shows empty boxes when that is missing. So (1) every fallback the engine may ask for is put at exactly
that path (a TTF under the .woff2 name works), and (2) the script fonts the consent screens name are put
under fonts/ for `page.fonts`. The paths belong to the flet-web version, so they are read out of its
main.dart.js here, at set-up, never hard-coded. Font binaries are generated, never committed.

    python -m app.fonts [ASSETS_DIR]   # what `make` runs; prints what it did
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from app import web_client
from app.i18n import SCRIPT_FONTS

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = Path(os.environ.get("COURTSIDE_ASSETS_DIR", REPO_ROOT / "build" / "assets"))
NOTO_DIR = Path(os.environ.get("COURTSIDE_FONT_DIR", "/usr/share/fonts/truetype/noto"))
STAMP = ".courtside-fonts.json"
# The fonts the consent screens name (app.i18n.SCRIPT_FONTS), registered as page fonts under fonts/.
PAGE_FONTS = {family: f"fonts/{family}-Regular.ttf" for family in sorted(set(SCRIPT_FONTS.values()))}
# In main.dart.js each fallback font is a pair: its family name and its path under the font base URL.
_FALLBACK = re.compile(r'"(Noto [A-Za-z0-9 ]+)","(noto[a-z0-9]+/v\d+/[A-Za-z0-9_.-]+\.woff2)"')


class FontsMissing(RuntimeError):
    """Debian's Noto fonts are not installed: `make` installs fonts-noto-core."""


@dataclass(frozen=True)
class Fallback:
    family: str  # e.g. "Noto Sans Arabic", or "Noto Sans Symbols 2 3" for one part of a split font
    path: str  # e.g. "notosansarabic/v28/nwpx...woff2"


def flet_web_dir() -> Path:
    import flet_web

    return Path(flet_web.__file__).resolve().parent / "web"


def fallbacks(main_js: Path | None = None) -> list[Fallback]:
    """The fallback fonts this flet-web build may request, read from its engine."""
    js = (main_js or flet_web_dir() / "main.dart.js").read_text(encoding="utf-8", errors="replace")
    found = {Fallback(f, p) for f, p in _FALLBACK.findall(js)}
    if not found:
        raise RuntimeError("no fallback font list found in flet-web's main.dart.js: the engine changed; update "
                           "app/fonts.py")
    return sorted(found, key=lambda f: f.path)


def debian_file(family: str, noto_dir: Path = NOTO_DIR) -> Path | None:
    """The Debian TTF for a fallback family; a split family ("... 2 3") is one file in Debian."""
    words = family.split()
    while words:
        candidate = noto_dir / f"{''.join(words)}-Regular.ttf"
        if candidate.is_file():
            return candidate
        if not words[-1].isdigit():
            return None
        words = words[:-1]
    return None


def _stamp(noto_dir: Path) -> dict[str, str]:
    import flet_web.version as v

    return {"flet_web": getattr(v, "version", "") or getattr(v, "flet_web_version", ""), "noto_dir": str(noto_dir),
            "noto_files": str(len(list(noto_dir.glob("*.ttf")))),
            "index": hashlib.sha256(web_client.SCRIPT.encode()).hexdigest()[:16]}


def _current(stamp_file: Path, stamp: dict[str, str]) -> bool:
    if not stamp_file.is_file():
        return False
    built = json.loads(stamp_file.read_text(encoding="utf-8"))
    return all(built.get(k) == v for k, v in stamp.items())


def ensure_assets(assets_dir: Path = ASSETS_DIR, noto_dir: Path = NOTO_DIR) -> Path:
    """Build the assets directory if it is missing or was built for another flet-web or font set.

    Several apps may start at once (tests, a demo): a lock file makes one build while the others wait.
    """
    if not noto_dir.is_dir() or not any(noto_dir.glob("NotoSans-Regular.ttf")):
        raise FontsMissing(f"{noto_dir} has no Noto fonts: install Debian's fonts-noto-core (make does this)")
    stamp_file = assets_dir / STAMP
    stamp = _stamp(noto_dir)
    if _current(stamp_file, stamp):
        return assets_dir
    assets_dir.mkdir(parents=True, exist_ok=True)
    with open(assets_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _current(stamp_file, stamp):
            _build(assets_dir, noto_dir, stamp)
    return assets_dir


def _build(assets_dir: Path, noto_dir: Path, stamp: dict[str, str]) -> None:
    fonts = assets_dir / "assets" / "fonts"
    if fonts.exists():
        shutil.rmtree(fonts)
    copied, missing = 0, []
    for fb in fallbacks():
        source = debian_file(fb.family, noto_dir)
        if source is None:
            missing.append(re.sub(r"( \d+)+$", "", fb.family))  # CJK and emoji are not in fonts-noto-core
            continue
        target = fonts / fb.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied += 1
    for family, rel in PAGE_FONTS.items():
        source = noto_dir / f"{family}-Regular.ttf"
        if not source.is_file():
            raise FontsMissing(f"{source} is missing: the consent screens need it (Debian fonts-noto-core)")
        (assets_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, assets_dir / rel)
    web_client.write_index(assets_dir, flet_web_dir() / "index.html")
    built = {**stamp, "copied": str(copied), "not_in_debian": ", ".join(sorted(set(missing)))}
    (assets_dir / STAMP).write_text(json.dumps(built, indent=1), encoding="utf-8")


def available_page_fonts(assets_dir: Path = ASSETS_DIR) -> dict[str, str]:
    """page.fonts for the fonts that are really there: naming a missing file would make the browser 404."""
    return {family: rel for family, rel in PAGE_FONTS.items() if (assets_dir / rel).is_file()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else ASSETS_DIR
    try:
        ensure_assets(target)
    except FontsMissing as exc:
        print(f"courtside fonts: {exc}", file=sys.stderr)
        return 1
    stamp = json.loads((target / STAMP).read_text(encoding="utf-8"))
    print(f"fonts ready in {target}: {stamp['copied']} fallback fonts for flet-web {stamp['flet_web']}, "
          f"page fonts {', '.join(PAGE_FONTS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
