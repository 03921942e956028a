"""The consent catalogues: complete in every language, each saying whether a qualified translator reviewed it;
a language that cannot be shown whole falls back to English whole, never a mix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.consent import Library, consent_texts
from app.consent_catalogue import compile_catalogues, problems, template
from app.consent_content import CONTENT_DIR, PICTURES_DIR
from app.i18n import (
    CONSENT_LOCALES,
    LOCALES_DIR,
    CatalogueError,
    catalogue_paths,
    catalogue_status,
    consent_translations,
    language,
    match_language,
)

TRANSLATED = [code for code in CONSENT_LOCALES if code != "en"]


def test_the_languages_courts_ask_for_are_all_there() -> None:
    assert set(TRANSLATED) == {"cy", "pl", "ro", "ur", "pa", "lt", "pt", "ar", "bn", "sq"}
    assert {code for code in CONSENT_LOCALES if language(code).rtl} == {"ur", "ar"}
    assert {code: language(code).font for code in ("ur", "ar", "bn", "pa")} == {
        "ur": "NotoNastaliqUrdu", "ar": "NotoNaskhArabic", "bn": "NotoSansBengali", "pa": "NotoSansGurmukhi"}
    assert language("pa").english == "Punjabi (Gurmukhi)" and language("bn").native == "বাংলা"


@pytest.mark.parametrize(("typed", "code"), [("Polish", "pl"), (" polski ", "pl"), ("Bangla", "bn"),
                                             ("Bengali", "bn"), ("ur", "ur"), ("Klingon", None), ("", None)])
def test_the_language_in_the_case_details_is_recognised(typed: str, code: str | None) -> None:
    assert match_language(typed) == code


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_is_complete_for_the_consent_content(code: str) -> None:
    assert problems(code) == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_says_whether_a_qualified_translator_reviewed_it(code: str) -> None:
    status = catalogue_status(code)
    assert status.revision.isdigit()
    # These drafts were written by the development team: none may claim a review it has not had.
    assert (status.reviewed, status.review_note) == (False, "unreviewed")
    text = consent_texts(["ATR"], code)[0]
    assert (text.locale, text.reviewed, text.fallback_reason) == (code, False, "")


def test_the_template_is_up_to_date_with_the_content() -> None:
    with open(LOCALES_DIR / "consent.pot", "rb") as f:
        committed = {(m.id, m.context) for m in read_po(f) if m.id}
    assert committed == {(m.id, m.context) for m in template() if m.id}, "run `make i18n`"


def test_placeholders_and_fuzzy_entries_are_caught(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR / "pl", tmp_path / "pl")
    po = tmp_path / "pl" / "LC_MESSAGES" / "consent.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Strona {n} z {total}"', 'msgstr "Strona {n}"')
    text = text.replace('msgid "Next"\nmsgstr "Dalej"', '#, fuzzy\nmsgid "Next"\nmsgstr "Dalej"')
    po.write_text(text, encoding="utf-8")
    found = "\n".join(problems("pl", tmp_path))
    assert "must keep {n}, {total}" in found
    assert "'Next'" in found and "fuzzy" in found


def test_an_incomplete_catalogue_falls_back_to_english_whole(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo", "messages*"))
    po = tmp_path / "locales" / "ro" / "LC_MESSAGES" / "consent.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Înainte"', 'msgstr ""'), encoding="utf-8")
    lib = Library(CONTENT_DIR, PICTURES_DIR, tmp_path / "locales")
    text, share = lib.texts(["ATR"], "ro")
    assert (text.locale, text.requested_locale, share.locale) == ("en", "ro", "en")
    assert "Romanian catalogue cannot be used" in text.fallback_reason and "'Next'" in text.fallback_reason
    assert text.word("next") == "Next"  # nothing Romanian leaks into an English text


def test_a_missing_catalogue_is_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"consent\.po: there is no consent catalogue for 'pl'"):
        consent_translations("pl", tmp_path)


def test_catalogues_compile_and_a_stale_one_is_not_used(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR / "lt", tmp_path / "lt", ignore=shutil.ignore_patterns("*.mo"))
    po, mo = catalogue_paths("lt", tmp_path)
    assert compile_catalogues(tmp_path) == [mo] and mo.is_file()
    assert consent_translations("lt", tmp_path).gettext("Next") == "Toliau"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Toliau"', 'msgstr "Pirmyn"'), encoding="utf-8")
    # The .mo is now older than the .po: the catalogue is compiled again in memory rather than shown stale.
    assert consent_translations("lt", tmp_path).gettext("Next") == "Pirmyn"
    assert compile_catalogues(tmp_path) == [mo]
    assert compile_catalogues(tmp_path) == []  # up to date


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_guessed_translation_of_the_apps_own_words_is_ever_shown(code: str) -> None:
    """pybabel marks a string it matched to a similar one as fuzzy ("Appointment booked" as the leaflet's
    "Appointment: %(provider)s"); a person must read English rather than that guess, compiled or not."""
    from app import leaflet_words

    with open(LOCALES_DIR / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        guessed = [m for m in read_po(f, locale=code) if m.id and m.fuzzy and isinstance(m.id, str)]
    shown = leaflet_words.translations(code)
    for message in guessed:
        assert shown.gettext(message.id) == message.id, f"{code}: the guess for {message.id!r} is shown"
