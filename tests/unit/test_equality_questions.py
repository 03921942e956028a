"""Equality monitoring asked in the person's own language: every question whole in that language or in English
whole, the draft status said on screen and kept in the record, and a reviewer's name taken from the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import equality, leaflet_words
from app.leaflet_words import LANGUAGES
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet

TRANSLATED = [code for code in LANGUAGES if code != "en"]
_NUMBERS = re.compile(r"\d+")


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_question_and_answer_is_in_the_persons_language(code: str) -> None:
    words = equality.wording(code)
    assert (words.locale, words.requested, words.missing) == (code, code, ())
    for q in equality.QUESTIONS:
        for source in (q.text, q.easy_read):
            said = words.say(source)
            assert said != source, f"{code}: {source!r} is shown in English"
            # "26 weeks", "6 months", "2010": the numbers the person is asked about must survive translation.
            assert set(_NUMBERS.findall(source)) == set(_NUMBERS.findall(said)), f"{code}: {said!r}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_drafts_say_that_no_qualified_translator_has_reviewed_them(code: str) -> None:
    # The development team wrote these drafts: none may claim a review it has not had.
    assert leaflet_words.review_note(code, "equality") == "unreviewed"
    assert equality.wording(code).reviewed is False


def test_the_record_keeps_the_language_and_that_its_words_were_a_draft(tmp_path: Path) -> None:
    session = provisioned_tablet(tmp_path).unlock(OFFICER, PIN)
    case_id = session.open_case(details("Zofia Equality-Kowalczyk", language="Polish"), TODAY)
    recorded = session.record_equality(case_id, {"sex": "female", "religion": equality.PREFER_NOT}, "pl", True)
    assert recorded.equality == {"answers": {"sex": "female", "religion": "prefer_not_to_say"}, "locale": "pl",
                                 "easy_read": True, "translation_reviewed": False}


def test_a_language_lacking_any_word_is_asked_in_english_whole(own_locales: Path) -> None:
    po = own_locales / "ro" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    entry = re.search(r'msgid "Bisexual"\nmsgstr "[^"]+"', text)
    assert entry is not None
    po.write_text(text.replace(entry.group(0), 'msgid "Bisexual"\nmsgstr ""'), encoding="utf-8")

    words = equality.wording("ro")
    assert (words.locale, words.requested, words.missing) == ("en", "ro", ("Bisexual",))
    assert words.say("What is your sex?") == "What is your sex?"  # nothing Romanian mixed in
    assert equality.payload({}, "ro", False)["locale"] == "en"  # the record says what the person was shown


def test_a_reviewed_language_names_its_reviewer_and_is_recorded_as_reviewed(own_locales: Path) -> None:
    po = own_locales / "pl" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    unreviewed = 'msgctxt "equality"\nmsgid "translation-review"\nmsgstr "unreviewed"'
    assert unreviewed in text
    po.write_text(text.replace(unreviewed, unreviewed.replace('"unreviewed"', '"Anna Nowak, 1 December 2026"')),
                  encoding="utf-8")

    assert leaflet_words.review_note("pl", "equality") == "Anna Nowak, 1 December 2026"
    assert leaflet_words.review_note("pl", "leaflet") == "unreviewed"  # reviewed apart
    assert equality.wording("pl").reviewed is True
    assert equality.payload({"sex": "male"}, "pl", False)["translation_reviewed"] is True
