"""Consent content: every page meets the easy-read rules, has its picture, and covers what consent needs, for
every requirement and combination, in easy read and standard formats."""

from __future__ import annotations

import itertools
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.consent import EASY_READ, STANDARD, ContentError, Library, consent_text, consent_texts, share_text
from app.consent_content import (
    ALL_STEMS,
    COMBINATION_FILES,
    CONTENT_DIR,
    PICTURES_DIR,
    REQUIREMENT_FILES,
    source_files,
)
from app.consent_easy_read import easy_read_problems, sentences

SOURCES = source_files()
SINGLE = list(REQUIREMENT_FILES)
# Every proposal a court can see: one requirement, or two or three with at most one kind of MHTR.
PROPOSALS = [list(c) for n in (1, 2, 3) for c in itertools.combinations(SINGLE, n)
             if not {"MHTR_PRIMARY", "MHTR_SECONDARY"} <= set(c)]

REQUIREMENT_TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "ATR": {"what": ("alcohol treatment requirement",)},
    "DRR": {"what": ("drug rehabilitation requirement",), "drug testing": ("drug test",)},
    "MHTR_PRIMARY": {"what": ("mental health treatment requirement",)},
    "MHTR_SECONDARY": {"what": ("mental health treatment requirement",)},
}
EVERY_REQUIREMENT: dict[str, tuple[str, ...]] = {
    "where": ("the place and the time", "health centre"),
    "how often": ("every week", "once a week"),
    "how long": ("between 6 months and 3 years",),
}
COMMON_TOPICS: dict[str, tuple[str, ...]] = {
    "you can say no": ("say no",),
    "questions": ("questions",),
    "solicitor": ("solicitor",),
    "more time": ("more time",),
    "missed appointment": ("miss an appointment",),
    "illness needs a note": ("note from your doctor",),
    "who sees how it goes": ("probation officer how your treatment is going",),
}
SHARE_TOPICS: dict[str, tuple[str, ...]] = {
    "court": ("court",), "probation": ("probation",), "provider": ("treatment service",),
    "separate from treatment consent": ("separate",), "can refuse": ("yes or no",),
}


def _text(stem: str, fmt: str = EASY_READ) -> str:
    return " ".join(p.text for p in SOURCES[stem].pages(fmt)).lower()


def _assert_topics(text: str, topics: dict[str, tuple[str, ...]], where: str) -> None:
    missing = [topic for topic, phrases in topics.items() if not any(p in text for p in phrases)]
    assert not missing, f"{where} does not cover: {', '.join(missing)}"


def test_every_content_file_is_known_and_every_combination_has_its_own() -> None:
    assert sorted(p.stem for p in (CONTENT_DIR / "en").glob("*.toml")) == sorted(ALL_STEMS)
    kinds = {frozenset("MHTR" if r.startswith("MHTR") else r for r in p) for p in PROPOSALS}
    assert {k for k in kinds if len(k) > 1} == set(COMBINATION_FILES)


@pytest.mark.parametrize("stem", ALL_STEMS)
def test_every_easy_read_page_question_and_word_follows_the_rules(stem: str) -> None:
    src = SOURCES[stem]
    for page in src.easy:
        assert easy_read_problems(page.text) == [], page.text
        assert 1 <= len(sentences(page.text)) <= 3, f"one idea in 1-3 sentences: {page.text!r}"
    for q in src.questions:
        for text in (q.text, *(o.text for o in q.options)):
            assert easy_read_problems(text) == [], text
    for _key, text in src.words:
        assert easy_read_problems(text) == [], text


@pytest.mark.parametrize("stem", ALL_STEMS)
def test_every_idea_has_a_picture_made_for_it(stem: str) -> None:
    for page in SOURCES[stem].easy:
        svg = ET.parse(PICTURES_DIR / f"{page.picture}.svg").getroot()
        assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 120 120"
        title = svg.find("{http://www.w3.org/2000/svg}title")
        assert title is not None and title.text, f"{page.picture}.svg needs a <title> saying what it shows"


@pytest.mark.parametrize("stem", [s for s in ALL_STEMS if s != "screens"])
def test_every_topic_has_a_standard_version_too(stem: str) -> None:
    assert SOURCES[stem].standard, f"{stem}.toml has no [[standard]] pages"


@pytest.mark.parametrize("requirement", SINGLE)
def test_each_requirement_explains_what_where_how_often_and_how_long(requirement: str) -> None:
    stem = REQUIREMENT_FILES[requirement]
    assert 4 <= len(SOURCES[stem].easy) <= 7
    _assert_topics(_text(stem), REQUIREMENT_TOPICS[requirement] | EVERY_REQUIREMENT, f"{stem}.toml easy read")
    _assert_topics(_text(stem, STANDARD), {"how long": ("between 6 months and 3 years",)}, f"{stem}.toml standard")


def test_what_everyone_must_know_and_the_separate_consent_to_share() -> None:
    _assert_topics(_text("common"), COMMON_TOPICS, "common.toml")
    _assert_topics(_text("share"), SHARE_TOPICS, "share.toml")
    assert dict(SOURCES["common"].words).keys() >= {"agree", "disagree", "more_time"}


@pytest.mark.parametrize("proposal", PROPOSALS, ids=lambda p: "+".join(p))
@pytest.mark.parametrize("fmt", [EASY_READ, STANDARD])
def test_every_proposal_has_a_text_in_both_formats(proposal: list[str], fmt: str) -> None:
    text, share = consent_texts(proposal, "en", fmt)
    stems = [u.stem for u in text.units]
    assert stems[:len(proposal)] == [REQUIREMENT_FILES[r] for r in SINGLE if r in proposal]
    assert stems[-2:] == ["common", "screens"]
    assert (len(stems) == len(proposal) + 3) == (len(proposal) > 1), "a combined order adds its combination pages"
    assert [u.stem for u in share.units] == ["share"]
    assert 2 <= len(text.questions) <= 3
    assert text.word("agree") and share.word("agree")


def test_the_check_of_understanding_asks_about_drug_testing_for_a_drr() -> None:
    assert [q.id for q in consent_text(["DRR"]).questions] == ["missed", "tests", "choice"]
    assert [q.id for q in consent_text(["ATR"]).questions] == ["missed", "choice", "safe"]


def test_key_version_and_locale() -> None:
    text = consent_text(["DRR", "ATR"])
    assert text.key == "ATR+DRR"
    assert text.version == "atr@2.0.0+drr@2.0.0+atr_drr@1.0.0+common@2.0.0+screens@1.0.0"
    assert (text.locale, text.format, text.reviewed) == ("en", EASY_READ, True)
    assert share_text().key == "share"


def test_refuses_what_no_court_can_propose() -> None:
    with pytest.raises(ContentError, match="CTR"):
        consent_text(["CTR"])
    with pytest.raises(ContentError, match="no requirement"):
        consent_text([])
    with pytest.raises(ContentError, match="cannot both"):
        consent_text(["MHTR_PRIMARY", "MHTR_SECONDARY"])
    with pytest.raises(ContentError, match="format"):
        consent_text(["ATR"], fmt="comic")


def _library(tmp_path: Path) -> Library:
    shutil.copytree(CONTENT_DIR / "en", tmp_path / "easy_read" / "en")
    shutil.copytree(PICTURES_DIR, tmp_path / "pictures")
    return Library(content_dir=tmp_path / "easy_read", pictures_dir=tmp_path / "pictures",
                   archive_dir=tmp_path / "published")


def test_a_malformed_file_is_refused_naming_the_file_and_place(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    atr = tmp_path / "easy_read" / "en" / "atr.toml"
    atr.write_text(atr.read_text(encoding="utf-8").replace('picture = "bottle"', 'picture = "no_such_picture"', 1),
                   encoding="utf-8")
    with pytest.raises(ContentError, match=r"atr\.toml: \[\[easy\]\] number 1 \(what\) picture 'no_such_picture'"):
        lib.texts(["ATR"])
    atr.write_text('version = "1.0.0"\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(ContentError, match=r"atr\.toml: needs \[\[easy\]\] and \[\[standard\]\]"):
        lib.texts(["ATR"])
    (tmp_path / "easy_read" / "en" / "drr.toml").unlink()
    with pytest.raises(ContentError, match=r"drr\.toml"):
        lib.texts(["ATR"])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("You will go to the treatment service every single week for the whole of your long order.", "words"),
        ("Your GP can help.", "GP"),
        ("The samples are tested by the service.", "passive"),
        ("You will be told the time.", "passive"),
        ("You are not allowed to drink.", "passive"),
    ],
)
def test_the_checker_flags_long_sentences_acronyms_and_passive_voice(text: str, fragment: str) -> None:
    problems = easy_read_problems(text)
    assert problems and any(fragment in p for p in problems), problems


def test_the_checker_accepts_plain_active_text() -> None:
    assert easy_read_problems("You go every week. If you feel tired, tell your worker. I can help.") == []
