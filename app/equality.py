"""Equality monitoring: the protected characteristics (Equality Act 2010, s.4) a site asks everyone who engages.

Why here and optional: the CSTR Programme Board's return counts equality information, but every question may be
left unanswered or answered "prefer not to say"; nothing is required to go on with the pathway. Age is not asked:
it comes from the date of birth already recorded, and only its band leaves the case. Categories follow the ONS
2021 Census high-level groups so a site's figures can be set beside the population.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.messages.pofile import read_po

from app.case import FieldErrors, age_on
from app.i18n import DOMAIN, LOCALES_DIR, N_, SOURCE_LOCALE, _
from app.leaflet_words import check_language, reviewed, translations

KIND = "equality_recorded"
INTRO = N_("These questions are optional. You do not have to answer them.")
DRAFT = N_("This is a draft translation. If anything is not clear, ask for an interpreter.")
PREFER_NOT = "prefer_not_to_say"
NOT_RECORDED = "not_recorded"
_PNTS = (PREFER_NOT, N_("Prefer not to say"))
_YES_NO = (("yes", N_("Yes")), ("no", N_("No")), _PNTS)


@dataclass(frozen=True)
class Question:
    id: str
    text: str  # N_() marked: shown through _() in the person's language
    easy_read: str
    options: tuple[tuple[str, str], ...]


QUESTIONS: tuple[Question, ...] = (
    Question("sex", N_("What is your sex?"), N_("Are you a man or a woman?"),
             (("female", N_("Female")), ("male", N_("Male")), _PNTS)),
    Question("gender_identity", N_("Is the gender you identify with the same as your sex registered at birth?"),
             N_("Are you the same gender now as when you were born?"), _YES_NO),
    Question("disability", N_("Do you have a disability, as the Equality Act 2010 defines it?"),
             N_("Do you have a disability? This means a health problem that makes everyday life hard."), _YES_NO),
    Question("ethnicity", N_("What is your ethnic group?"), N_("Which group do your family come from?"),
             (("asian", N_("Asian or Asian British")), ("black", N_("Black, Black British, Caribbean or African")),
              ("mixed", N_("Mixed or multiple ethnic groups")), ("white", N_("White")),
              ("other", N_("Other ethnic group")), _PNTS)),
    Question("religion", N_("What is your religion or belief?"), N_("What is your religion?"),
             (("none", N_("No religion")), ("christian", N_("Christian")), ("buddhist", N_("Buddhist")),
              ("hindu", N_("Hindu")), ("jewish", N_("Jewish")), ("muslim", N_("Muslim")), ("sikh", N_("Sikh")),
              ("other", N_("Any other religion")), _PNTS)),
    Question("sexual_orientation", N_("Which of these best describes your sexual orientation?"),
             N_("Who are you attracted to?"),
             (("straight", N_("Straight or heterosexual")), ("gay_lesbian", N_("Gay or lesbian")),
              ("bisexual", N_("Bisexual")), ("other", N_("Other sexual orientation")), _PNTS)),
    Question("marriage", N_("Are you married or in a civil partnership?"),
             N_("Are you married, or in a civil partnership?"), _YES_NO),
    Question("pregnancy", N_("Are you pregnant, or have you had a baby in the last 26 weeks?"),
             N_("Are you going to have a baby, or did you have a baby in the last 6 months?"), _YES_NO),
)
BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}
CHARACTERISTICS: tuple[str, ...] = ("age_band", *BY_ID)
AGE_BANDS: tuple[tuple[int, str], ...] = ((18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"),
                                          (55, "55-64"), (65, "65+"))


def words() -> tuple[str, ...]:
    """Every word the person reads on the equality screen, once each."""
    said = [INTRO, DRAFT]
    for q in QUESTIONS:
        said += [q.text, q.easy_read, *(label for _value, label in q.options)]
    return tuple(dict.fromkeys(said))


@dataclass(frozen=True)
class Wording:
    """The questions in one language, whole or not at all: a language that lacks any word is asked in English,
    so a person never meets a question half in a language they do not read."""

    locale: str  # the language the questions are shown in
    requested: str  # the language asked for
    reviewed: bool  # a qualified translator has reviewed these words (the English source always counts)
    say: Callable[[str], str]  # source words -> the shown language
    missing: tuple[str, ...] = ()  # the requested language's untranslated words, when it fell back


_missing: dict[tuple[str, int], tuple[str, ...]] = {}
_missing_lock = threading.Lock()


def _untranslated(locale: str) -> tuple[str, ...]:
    """The equality words the language's catalogue lacks, read from its .po (a compiled catalogue cannot tell a
    missing word from one written the same in both languages, such as "Hindu" in Portuguese)."""
    po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    key = (str(po), po.stat().st_mtime_ns if po.is_file() else 0)
    with _missing_lock:
        if key not in _missing:
            done: set[object] = set()
            if po.is_file():
                with open(po, "rb") as f:
                    done = {m.id for m in read_po(f, locale=locale, domain=DOMAIN) if m.string and not m.fuzzy}
            _missing[key] = tuple(w for w in words() if w not in done)
        return _missing[key]


def wording(locale: str) -> Wording:
    """The equality questions' words in `locale`, or in English whole if that catalogue lacks any of them."""
    check_language(locale)
    if locale == SOURCE_LOCALE:
        return Wording(locale, locale, True, str)
    missing = _untranslated(locale)
    if missing:
        return Wording(SOURCE_LOCALE, locale, True, str, missing)
    return Wording(locale, locale, reviewed(locale, "equality"), translations(locale).gettext)


def categories(characteristic: str) -> tuple[str, ...]:
    """Every category the return lists for a characteristic, "not recorded" last."""
    if characteristic == "age_band":
        return (*(band for _low, band in AGE_BANDS), NOT_RECORDED)
    question = BY_ID[characteristic]
    return (*(value for value, _label in question.options), NOT_RECORDED)


def age_band(dob: date | None, on: date | None) -> str:
    if dob is None or on is None:
        return NOT_RECORDED
    age = age_on(dob, on)
    return next((band for low, band in reversed(AGE_BANDS) if age >= low), NOT_RECORDED)


def validate(answers: dict[str, str]) -> dict[str, str]:
    """Only known questions and options; an unanswered question is simply left out (every one is optional)."""
    known = {qid: {value for value, _label in q.options} for qid, q in BY_ID.items()}
    errors = {k: _("Choose one of the answers, or prefer not to say") for k, v in answers.items()
              if k not in known or v not in known[k]}
    if errors:
        raise FieldErrors(errors)
    return {k: v for k, v in answers.items() if v}


def payload(answers: dict[str, str], locale: str, easy_read: bool) -> dict[str, Any]:
    """What the `equality_recorded` event holds: the answers, the language and format they were shown in, and
    whether a qualified translator had reviewed those words."""
    shown = wording(locale)
    return {"answers": validate(answers), "locale": shown.locale, "easy_read": easy_read,
            "translation_reviewed": shown.reviewed}
