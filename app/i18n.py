"""Gettext through Babel: every person-facing string goes through `_` so it can be translated."""

from __future__ import annotations

import gettext
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date, format_datetime, format_time, get_timezone
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
TIMEZONE = "Europe/London"
_TZ = get_timezone(TIMEZONE)

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
    return format_time(value, format="short", tzinfo=_TZ, locale=_locale)


def fmt_datetime(value: datetime, style: str = "full") -> str:
    return format_datetime(value, format=style, tzinfo=_TZ, locale=_locale)


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated with `_` where it is shown."""
    return message
