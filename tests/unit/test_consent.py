"""Easy-read consent content: every page meets the plain-language rules and covers what consent needs."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from app.consent import (
    EASY_READ_DIR,
    REQUIREMENT_FILES,
    ContentError,
    consent_text,
    easy_read_problems,
    sentences,
)

ALL_STEMS = [*REQUIREMENT_FILES.values(), "common", "share"]
ALL_FILES = sorted((EASY_READ_DIR / "en").glob("*.toml"))

# Topic -> any one of these phrases must appear (lower case) somewhere in the requirement's own pages.
REQUIREMENT_TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "ATR": {"what": ("alcohol treatment requirement",)},
    "DRR": {"what": ("drug rehabilitation requirement",), "drug testing": ("drug test",)},
    "MHTR_PRIMARY": {"what": ("mental health treatment requirement",)},
    "MHTR_SECONDARY": {"what": ("mental health treatment requirement",)},
}
SHARED_TOPICS: dict[str, tuple[str, ...]] = {
    "where": ("where and when", "health centre", "treatment service"),
    "how often": ("every week", "once a week", "how often"),
    "how long": ("between 6 months and 3 years",),
}
COMMON_TOPICS: dict[str, tuple[str, ...]] = {
    "you can say no": ("say no",),
    "questions": ("questions",),
    "solicitor": ("solicitor",),
    "missed appointment": ("miss an appointment", "missing appointments"),
    "illness note": ("note from your doctor",),
}
SHARE_TOPICS: dict[str, tuple[str, ...]] = {
    "court": ("court",),
    "probation": ("probation",),
    "provider": ("treatment service",),
    "separate from treatment consent": ("separate",),
    "can refuse": ("say no", "yes or no"),
}


def _page_text(requirements: list[str], source: str) -> str:
    return " ".join(p.text for p in consent_text(requirements).pages if p.source == source).lower()


def _assert_topics(text: str, topics: dict[str, tuple[str, ...]], where: str) -> None:
    missing = [topic for topic, phrases in topics.items() if not any(p in text for p in phrases)]
    assert not missing, f"{where} does not cover: {', '.join(missing)}"


def test_every_content_file_is_known() -> None:
    assert sorted(p.stem for p in ALL_FILES) == sorted(ALL_STEMS)


@pytest.mark.parametrize("stem", ALL_STEMS)
def test_every_page_is_easy_read(stem: str) -> None:
    pages = [p for p in consent_text(list(REQUIREMENT_FILES)).pages if p.source == stem]
    assert pages
    for page in pages:
        assert easy_read_problems(page.text) == [], page.text
        assert 1 <= len(sentences(page.text)) <= 3, f"one idea in 1-3 sentences: {page.text!r}"


@pytest.mark.parametrize("requirement", list(REQUIREMENT_FILES))
def test_requirement_covers_required_topics(requirement: str) -> None:
    pages = [p for p in consent_text([requirement]).pages if p.source == REQUIREMENT_FILES[requirement]]
    assert 4 <= len(pages) <= 6
    text = _page_text([requirement], REQUIREMENT_FILES[requirement])
    _assert_topics(text, REQUIREMENT_TOPICS[requirement] | SHARED_TOPICS, requirement)


def test_common_and_share_cover_required_topics() -> None:
    _assert_topics(_page_text(["ATR"], "common"), COMMON_TOPICS, "common.toml")
    _assert_topics(_page_text(["ATR"], "share"), SHARE_TOPICS, "share.toml")


def test_icons_exist_in_flet() -> None:
    pytest.importorskip("flet")
    names = {name.lower() for name in json.loads(
        resources.files("flet.controls.material").joinpath("icons.json").read_text(encoding="utf-8")
    )}
    for page in consent_text(list(REQUIREMENT_FILES)).pages:
        assert page.icon in names, f"{page.source}: unknown icon {page.icon!r}"


def test_order_key_and_version() -> None:
    text = consent_text(["DRR", "ATR"])
    assert text.key == "ATR+DRR"
    assert text.version == "atr@1.0.0+drr@1.0.0+common@1.0.0+share@1.0.0"
    assert text.locale == "en"
    sources = [p.source for p in text.pages]
    assert sources == sorted(sources, key=["atr", "drr", "common", "share"].index)
    assert sources[0] == "atr" and sources[-1] == "share"


def test_hash_is_stable_and_differs_between_sets() -> None:
    assert consent_text(["ATR"]).content_hash == consent_text(["ATR"]).content_hash
    assert consent_text(["ATR"]).content_hash != consent_text(["DRR"]).content_hash
    assert len(consent_text(["ATR"]).content_hash) == 64


def _copy_content(tmp_path: Path) -> Path:
    root = tmp_path / "easy_read"
    shutil.copytree(EASY_READ_DIR / "en", root / "en")
    return root


def test_content_hash_changes_when_text_changes(tmp_path: Path) -> None:
    root = _copy_content(tmp_path)
    before = consent_text(["ATR"], content_dir=root)
    assert before.content_hash == consent_text(["ATR"]).content_hash
    common = root / "en" / "common.toml"
    common.write_text(common.read_text(encoding="utf-8").replace("any time", "all times"), encoding="utf-8")
    after = consent_text(["ATR"], content_dir=root)
    assert after.content_hash != before.content_hash
    assert after.version == before.version  # the hash catches an edit even when nobody bumped the version


def test_unknown_requirement_raises() -> None:
    with pytest.raises(ContentError, match="CTR"):
        consent_text(["CTR"])
    with pytest.raises(ContentError):
        consent_text([])


def test_malformed_file_names_the_file(tmp_path: Path) -> None:
    root = _copy_content(tmp_path)
    (root / "en" / "atr.toml").write_text('version = "1.0.0"\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(ContentError, match=r"atr\.toml"):
        consent_text(["ATR"], content_dir=root)
    (root / "en" / "drr.toml").unlink()
    with pytest.raises(ContentError, match=r"drr\.toml"):
        consent_text(["DRR"], content_dir=root)


def test_missing_translation_falls_back_to_english_as_a_whole(tmp_path: Path) -> None:
    root = _copy_content(tmp_path)
    (root / "pl").mkdir()
    shutil.copy(root / "en" / "atr.toml", root / "pl" / "atr.toml")  # incomplete set: no mixing
    text = consent_text(["ATR"], locale="pl_PL", content_dir=root)
    assert text.locale == "en"
    for stem in ("common", "share"):
        shutil.copy(root / "en" / f"{stem}.toml", root / "pl" / f"{stem}.toml")
    assert consent_text(["ATR"], locale="pl_PL", content_dir=root).locale == "pl"


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
def test_checker_flags_problems(text: str, fragment: str) -> None:
    problems = easy_read_problems(text)
    assert problems and any(fragment in p for p in problems), problems


def test_checker_accepts_plain_active_text() -> None:
    assert easy_read_problems("You go every week. If you feel tired, tell your worker. I can help.") == []
