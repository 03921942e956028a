"""Easy-read consent content: loaded from TOML data so wording changes are reviewed as content, not code.

The consent record stores `ConsentText.key`, `version` and `content_hash`, so anyone can later prove
exactly which words the person was shown when they agreed.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EASY_READ_DIR = Path(__file__).resolve().parent.parent / "content" / "easy_read"
DEFAULT_LOCALE = "en"

# Requirement -> file stem, in the order their pages are shown.
REQUIREMENT_FILES: dict[str, str] = {
    "ATR": "atr",
    "DRR": "drr",
    "MHTR_PRIMARY": "mhtr_primary",
    "MHTR_SECONDARY": "mhtr_secondary",
}
COMMON_FILE = "common"
SHARE_FILE = "share"

MAX_SENTENCE_WORDS = 15
_VERSION_RE = re.compile(r"\d+\.\d+\.\d+")
_ICON_RE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
_LOCALE_RE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)*")


class ContentError(ValueError):
    """A consent content file is missing or malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ConsentPage:
    text: str
    icon: str  # Material icon name, lower snake case (Flet's ft.Icons member, lower-cased)
    source: str  # file stem the page came from, e.g. "atr", "common"


@dataclass(frozen=True)
class ConsentText:
    key: str  # e.g. "ATR+DRR"
    version: str  # e.g. "atr@1.0.0+drr@1.0.0+common@1.0.0+share@1.0.0"
    content_hash: str  # sha256 hex over the exact files shown
    pages: tuple[ConsentPage, ...]
    locale: str  # the locale actually used (may be the fallback)


@dataclass(frozen=True)
class _File:
    stem: str
    version: str
    raw: bytes
    pages: tuple[ConsentPage, ...]


def _parse(path: Path) -> _File:
    """Read and validate one content file; errors name the file so a content editor can fix it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the content file ({exc.strerror})") from None
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ContentError(f"{path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: {exc}") from None

    version = data.get("version")
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        raise ContentError(f"{path}: 'version' must be a string like \"1.0.0\", got {version!r}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError(f"{path}: 'title' is missing or empty")
    unknown = set(data) - {"version", "title", "pages"}
    if unknown:
        raise ContentError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    raw_pages = data.get("pages")
    if not isinstance(raw_pages, list) or not raw_pages:
        raise ContentError(f"{path}: at least one [[pages]] entry is needed")

    pages: list[ConsentPage] = []
    for number, page in enumerate(raw_pages, start=1):
        if not isinstance(page, dict):
            raise ContentError(f"{path}: page {number} is not a table")
        text, icon = page.get("text"), page.get("icon")
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{path}: page {number} has no 'text'")
        if not isinstance(icon, str) or not _ICON_RE.fullmatch(icon):
            raise ContentError(f"{path}: page {number} 'icon' must be a lower snake case icon name, got {icon!r}")
        extra = set(page) - {"text", "icon"}
        if extra:
            raise ContentError(f"{path}: page {number} has unknown key(s) {', '.join(sorted(extra))}")
        pages.append(ConsentPage(text=" ".join(text.split()), icon=icon, source=path.stem))
    return _File(stem=path.stem, version=version, raw=raw, pages=tuple(pages))


def _locale_dir(content_dir: Path, stems: Sequence[str], locale: str) -> tuple[str, Path]:
    """Pick one locale that has every file needed, so a person never sees a mix of languages."""
    if not _LOCALE_RE.fullmatch(locale):
        raise ContentError(f"{content_dir}: invalid locale {locale!r}")
    candidates = [locale]
    language = re.split(r"[_-]", locale)[0]
    if language != locale:
        candidates.append(language)
    if DEFAULT_LOCALE not in candidates:
        candidates.append(DEFAULT_LOCALE)
    for candidate in candidates:
        folder = content_dir / candidate
        if all((folder / f"{stem}.toml").is_file() for stem in stems):
            return candidate, folder
    folder = content_dir / DEFAULT_LOCALE
    missing = [f"{stem}.toml" for stem in stems if not (folder / f"{stem}.toml").is_file()]
    raise ContentError(f"{folder}: missing content file(s) {', '.join(missing)}")


def consent_text(
    requirements: Sequence[str], locale: str = DEFAULT_LOCALE, content_dir: Path | None = None
) -> ConsentText:
    """The pages to show for these requirements: each requirement's pages, then common, then sharing.

    Falls back to the language without region, then to English, as a whole set; `locale` on the result
    says which was used so the screen can flag an untranslated text and prompt for an interpreter.
    """
    if isinstance(requirements, str):
        requirements = [requirements]
    unknown = [r for r in requirements if r not in REQUIREMENT_FILES]
    if unknown:
        raise ContentError(
            f"unknown requirement(s) {', '.join(map(repr, unknown))}; expected {', '.join(REQUIREMENT_FILES)}"
        )
    if not requirements:
        raise ContentError("no requirement given: consent is always to a named treatment requirement")
    chosen = [r for r in REQUIREMENT_FILES if r in set(requirements)]
    stems = [REQUIREMENT_FILES[r] for r in chosen] + [COMMON_FILE, SHARE_FILE]

    used_locale, folder = _locale_dir(content_dir or EASY_READ_DIR, stems, locale)
    files = [_parse(folder / f"{stem}.toml") for stem in stems]

    digest = hashlib.sha256()
    for f in files:  # length-prefixed so moving text between files still changes the hash
        digest.update(f"{f.stem}\0{len(f.raw)}\0".encode())
        digest.update(f.raw)
    return ConsentText(
        key="+".join(chosen),
        version="+".join(f"{f.stem}@{f.version}" for f in files),
        content_hash=digest.hexdigest(),
        pages=tuple(page for f in files for page in f.pages),
        locale=used_locale,
    )


# --- easy-read checker -------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ACRONYM = re.compile(r"\b[A-Z]*[A-Z]{2,}[A-Za-z]*\b")
_BE = r"(?:am|is|are|was|were|be|been|being|get|gets|got|gotten)"
_ADVERB = r"(?:not|never|also|always|usually|often|sometimes|then|only|still|just|all|already)"
_IRREGULAR = (
    "given|taken|seen|told|made|done|written|kept|sent|known|shown|held|found|paid|put|set|"
    "sold|brought|bought|caught|taught|thought|heard|left|lost|met|read|run|said|hit|hurt|"
    "chosen|spoken|broken|driven|forgotten|hidden|stolen|tested|drawn|beaten|bitten|eaten"
)
_PASSIVE = re.compile(
    rf"\b{_BE}\s+(?:{_ADVERB}\s+)?((?:[a-z]+(?<!ee)ed)|(?:{_IRREGULAR}))\b",
    re.IGNORECASE,
)
# "-ed" words that are adjectives, not passive participles, after "be".
_ADJECTIVES = {"tired", "worried", "scared", "bored", "married", "interested", "excited", "ashamed",
               "confused", "stressed", "red", "bed", "wed", "shed"}


def sentences(text: str) -> list[str]:
    """Split on sentence-ending punctuation; good enough for short easy-read pages."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def easy_read_problems(text: str) -> list[str]:
    """Problems against the easy-read rules we can check mechanically (DOMAIN.md "Easy read").

    Long sentences, acronyms, and passive voice where a simple "be + participle" pattern shows it;
    a human reviewer still checks the rest (one idea, reading age, hard words explained).
    """
    problems: list[str] = []
    for sentence in sentences(text):
        words = sentence.split()
        if len(words) > MAX_SENTENCE_WORDS:
            problems.append(f"sentence has {len(words)} words (max {MAX_SENTENCE_WORDS}): {sentence!r}")
    for match in _ACRONYM.finditer(text):
        problems.append(f"acronym or capitals {match.group(0)!r}: write the full words")
    for match in _PASSIVE.finditer(text):
        if match.group(1).lower() not in _ADJECTIVES:
            problems.append(f"passive voice {match.group(0)!r}: say who does what")
    return problems
