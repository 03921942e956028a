"""Versions and hashes: a changed word changes the hash and needs a new version; every version ever published
is kept, and a stored consent re-renders the exact words it was given on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.consent import DEFAULT_LIBRARY, EASY_READ, STANDARD, ContentError, Library, consent_text, consent_texts
from app.consent_archive import ARCHIVE_DIR, read_unit, unit_path
from app.consent_content import CONTENT_DIR, PICTURES_DIR
from app.i18n import LOCALES_DIR


def copy_library(tmp_path: Path) -> Library:
    """The content, pictures, catalogues and archive copied, so a test can edit them like a content editor."""
    shutil.copytree(CONTENT_DIR / "en", tmp_path / "easy_read" / "en")
    shutil.copytree(PICTURES_DIR, tmp_path / "pictures")
    shutil.copytree(LOCALES_DIR, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo", "messages*"))
    shutil.copytree(ARCHIVE_DIR, tmp_path / "published")
    return Library(tmp_path / "easy_read", tmp_path / "pictures", tmp_path / "locales", tmp_path / "published")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_archive_holds_every_text_the_current_content_shows() -> None:
    assert DEFAULT_LIBRARY.unpublished() == [], "run `make consent-publish` and commit content/easy_read/published"


def test_every_published_file_still_matches_its_hash() -> None:
    files = sorted(ARCHIVE_DIR.glob("*/*.json"))
    assert len(files) >= 11 * 11 * 2  # every file, language and format
    for path in files:
        unit = read_unit(path)
        assert path.name == f"{unit.stem}.{unit.format}@{unit.version}.json"


def test_the_hash_is_stable_and_names_the_exact_text() -> None:
    assert consent_text(["ATR"]).content_hash == consent_text(["ATR"]).content_hash
    hashes = {consent_text(["ATR"]).content_hash, consent_text(["DRR"]).content_hash,
              consent_text(["ATR"], fmt=STANDARD).content_hash, consent_text(["ATR"], "pl").content_hash,
              consent_text(["ATR", "DRR"]).content_hash}
    assert len(hashes) == 5 and all(len(h) == 64 for h in hashes)


def test_changing_an_english_text_changes_its_hash_and_needs_a_new_version(tmp_path: Path) -> None:
    lib = copy_library(tmp_path)
    before, _share = lib.texts(["ATR"])
    record = before.record()
    common = tmp_path / "easy_read" / "en" / "common.toml"
    edit(common, "You can ask us questions at any time.", "You can ask us anything at any time.")

    with pytest.raises(ContentError, match=r"common \(easy_read, en\) changed but its version 2.0.0 did not"):
        lib.texts(["ATR"])  # the same version with different words is refused
    edit(common, 'version = "2.0.0"', 'version = "2.1.0"')
    with pytest.raises(ContentError, match="not published yet"):
        lib.texts(["ATR"])
    lib.publish_all()
    after, _share = lib.texts(["ATR"])
    assert after.content_hash != before.content_hash
    assert "common@2.1.0" in after.version and "common@2.0.0" in before.version
    assert any("anything at any time" in p.text for p in after.pages)

    # The consent given on the old version still shows the old words, exactly.
    old = lib.rerender(record)
    assert old.content_hash == before.content_hash and old.version == before.version
    assert [p.text for p in old.pages] == [p.text for p in before.pages]
    assert any("questions at any time" in p.text for p in old.pages)


def test_changing_a_translation_changes_its_hash_and_needs_a_new_revision(tmp_path: Path) -> None:
    lib = copy_library(tmp_path)
    before, _share = lib.texts(["ATR"], "pl")
    po = tmp_path / "locales" / "pl" / "LC_MESSAGES" / "consent.po"
    edit(po, 'msgstr "Dobrze."', 'msgstr "Tak, dobrze."')
    with pytest.raises(ContentError, match=r"screens \(easy_read, pl\) changed but its version 1.0.0-pl.1 did not"):
        lib.texts(["ATR"], "pl")
    edit(po, 'msgid "revision"\nmsgstr "1"', 'msgid "revision"\nmsgstr "2"')
    lib.publish_all()
    after, _share = lib.texts(["ATR"], "pl")
    assert after.content_hash != before.content_hash
    assert after.version.endswith("screens@1.0.0-pl.2") and before.version.endswith("screens@1.0.0-pl.1")
    assert lib.rerender(before.record()).word("right") == "Dobrze."
    assert after.word("right") == "Tak, dobrze."


def test_changing_a_picture_changes_the_hash(tmp_path: Path) -> None:
    lib = copy_library(tmp_path)
    before = lib.texts(["ATR"])[0]
    edit(tmp_path / "pictures" / "bottle.svg", "A bottle and a glass", "A bottle and a cup")
    with pytest.raises(ContentError, match="changed but its version"):
        lib.texts(["ATR"])
    assert lib.render("atr", EASY_READ, "en").hash != before.units[0].hash


def test_an_altered_archive_is_caught(tmp_path: Path) -> None:
    lib = copy_library(tmp_path)
    text = lib.texts(["ATR"])[0]
    path = unit_path(tmp_path / "published", "en", "atr", EASY_READ, "2.0.0")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["pages"][0]["text"] = "The court says you must get help."
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContentError, match="no longer matches its hash"):
        lib.rerender(text.record())


def test_a_record_naming_a_version_never_published_is_refused(tmp_path: Path) -> None:
    record = consent_text(["ATR"]).record()
    record["units"][0] = {**record["units"][0], "version": "9.9.9"}
    with pytest.raises(ContentError, match="never published"):
        DEFAULT_LIBRARY.rerender(record)


@pytest.mark.parametrize("locale", ["en", "cy", "ur"])
def test_a_stored_consent_re_renders_the_exact_text(locale: str) -> None:
    text, share = consent_texts(["DRR", "MHTR_SECONDARY"], locale, STANDARD)
    again = DEFAULT_LIBRARY.rerender(json.loads(json.dumps(text.record())))  # as stored in the event
    assert again == text
    assert DEFAULT_LIBRARY.rerender(share.record()) == share
