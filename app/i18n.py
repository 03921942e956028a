"""Gettext through Babel: every person-facing string goes through `_` so it can be translated."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.support import NullTranslations, Translations

from app.clock import LONDON

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_current: gettext.NullTranslations = NullTranslations()
_locale = "en_GB"


def set_locale(locale: str) -> None:
    """Switch the catalogue; falls back to the English source strings when no compiled catalogue exists."""
    global _current, _locale
    _locale = locale
    _current = Translations.load(str(LOCALES_DIR), [locale], DOMAIN)


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def fmt_date(value: date, style: str = "full") -> str:
    return format_date(value, format=style, locale=_locale)


def fmt_time(value: datetime) -> str:
    return format_time(value, format="short", tzinfo=LONDON, locale=_locale)


def fmt_datetime(value: datetime, style: str = "full") -> str:
    return format_datetime(value, format=style, tzinfo=LONDON, locale=_locale)


def months(n: int) -> str:
    """A length in months, the plural as the language makes it ("1 month", "12 months")."""
    return ngettext("{n} month", "{n} months", n).format(n=n)


def weeks(n: int) -> str:
    return ngettext("{n} week", "{n} weeks", n).format(n=n)


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated with `_` where it is shown."""
    return message


# --- the defendant's languages and the consent catalogues -------------------------------------------

SOURCE_LOCALE = "en"
CONSENT_DOMAIN = "consent"
# Court interpreter requests and Census 2021 (DOMAIN.md "Languages"), with Welsh for its equal status.
CONSENT_LOCALES = ("en", "cy", "pl", "ro", "ur", "pa", "lt", "pt", "ar", "bn", "sq")
# A bundled font family per script that the default font lacks (names registered as page fonts).
SCRIPT_FONTS = {"ur": "NotoNastaliqUrdu", "ar": "NotoNaskhArabic", "bn": "NotoSansBengali", "pa": "NotoSansGurmukhi"}
# Names courts use where CLDR's English name differs ("Bangla"); Punjabi says which script it is in.
_ENGLISH_NAMES = {"pa": "Punjabi (Gurmukhi)", "bn": "Bengali"}
_REVIEW, _REVISION, _CATALOGUE = "translation-review", "revision", "catalogue"
UNREVIEWED = "unreviewed"


class CatalogueError(ValueError):
    """A consent catalogue is missing, not compiled, stale or incomplete; the message says which and what to run."""


@dataclass(frozen=True)
class Language:
    code: str
    english: str  # for the officer
    native: str  # for the person
    rtl: bool
    font: str | None  # bundled font family for this script, if the default font lacks it


def language(code: str) -> Language:
    """Names and direction from CLDR (Babel), so they are right without a hand-kept table."""
    if code not in CONSENT_LOCALES:
        raise CatalogueError(f"{code!r} is not a consent language; expected one of {', '.join(CONSENT_LOCALES)}")
    loc = Locale.parse(code)
    english = _ENGLISH_NAMES.get(code) or loc.get_display_name("en") or code
    native = loc.get_display_name(code) or english
    return Language(code, english, native[:1].upper() + native[1:], loc.character_order == "right-to-left",
                    SCRIPT_FONTS.get(code))


def languages() -> list[Language]:
    return [language(code) for code in CONSENT_LOCALES]


def match_language(text: str) -> str | None:
    """The consent language a free-text entry names ("Polish", "polski", "pl"), if any."""
    wanted = " ".join(text.casefold().split())
    if not wanted:
        return None
    for lang in languages():
        cldr = (Locale.parse(lang.code).get_display_name("en") or "").casefold()
        names = {lang.code, lang.english.casefold(), lang.native.casefold(), cldr,
                 lang.english.split(" (")[0].casefold()}
        if wanted in names:
            return lang.code
    return None


class _Missing(gettext.NullTranslations):
    """A fallback that refuses: a consent text must never mix in English for a string the catalogue lacks."""

    def gettext(self, message: str) -> str:
        raise KeyError(message)

    def pgettext(self, context: str, message: str) -> str:
        raise KeyError(message)


def catalogue_paths(locale: str, locales_dir: Path = LOCALES_DIR) -> tuple[Path, Path]:
    folder = locales_dir / locale / "LC_MESSAGES"
    return folder / f"{CONSENT_DOMAIN}.po", folder / f"{CONSENT_DOMAIN}.mo"


_consent_cache: dict[tuple[str, int], gettext.NullTranslations] = {}


def consent_translations(locale: str, locales_dir: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """The consent catalogue for a language: its .mo when up to date, else its .po compiled in memory.

    A string it lacks raises KeyError instead of falling back to English, so a half-translated text can
    never reach the person.
    """
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    po, mo = catalogue_paths(locale, locales_dir)
    if not po.is_file():
        raise CatalogueError(f"{po}: there is no consent catalogue for {locale!r}")
    compiled = mo.is_file() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns
    source = mo if compiled else po
    key = (str(source), source.stat().st_mtime_ns)
    if key not in _consent_cache:
        if compiled:
            data = mo.read_bytes()
        else:  # not built yet (a fresh clone) or stale: compile in memory, fuzzy entries left out as pybabel does
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with open(po, "rb") as f:
                catalog = read_po(f, locale=locale, domain=CONSENT_DOMAIN)
            buffer = BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            data = buffer.getvalue()
        translations = Translations(BytesIO(data), domain=CONSENT_DOMAIN)
        translations.add_fallback(_Missing())
        _consent_cache[key] = translations
    return _consent_cache[key]


@dataclass(frozen=True)
class CatalogueStatus:
    locale: str
    reviewed: bool  # a qualified translator has reviewed this catalogue
    review_note: str  # who reviewed it and when, or "unreviewed"
    revision: str  # bumped whenever a translation changes, so the consent text version changes too


def catalogue_status(locale: str, locales_dir: Path = LOCALES_DIR) -> CatalogueStatus:
    """Read the review flag and revision the catalogue carries as two entries in the "catalogue" context."""
    if locale == SOURCE_LOCALE:
        return CatalogueStatus(locale, True, "source text", "0")
    t = consent_translations(locale, locales_dir)
    try:
        note = t.pgettext(_CATALOGUE, _REVIEW).strip()
        revision = t.pgettext(_CATALOGUE, _REVISION).strip()
    except KeyError as exc:
        raise CatalogueError(f"{catalogue_paths(locale, locales_dir)[0]}: the entry msgctxt \"{_CATALOGUE}\" "
                             f"msgid {exc} is missing") from None
    if not revision.isdigit():
        raise CatalogueError(f"{catalogue_paths(locale, locales_dir)[0]}: the catalogue revision must be a whole "
                             f"number, got {revision!r}")
    return CatalogueStatus(locale, note.casefold() != UNREVIEWED and bool(note), note, revision)
