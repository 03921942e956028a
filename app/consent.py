"""Consent texts: the content for these requirements, in the person's language and format, versioned and hashed.

A consent text is a list of units (one content file each: the requirements, their combination, what
everyone must know, the words on the screens; or, separately, sharing information). Each unit is rendered
from the English source through the person's gettext catalogue and must match what was published for its
version, so the record's version and hash prove exactly which words were shown, and `rerender` shows them
again from the archive however the content has changed since.
"""

from __future__ import annotations

import gettext
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import consent_archive as archive
from app.consent_archive import ConsentPage, ConsentQuestion, Unit
from app.consent_content import (
    COMMON_FILE,
    CONTENT_DIR,
    EASY_READ,
    FORMATS,
    PICTURES_DIR,
    REQUIREMENT_FILES,
    SCREENS_FILE,
    SHARE_FILE,
    STANDARD,
    ContentError,
    SourceFile,
    combination_stem,
    source_files,
)
from app.i18n import (
    CONSENT_LOCALES,
    LOCALES_DIR,
    SOURCE_LOCALE,
    CatalogueError,
    catalogue_status,
    consent_translations,
    language,
)

__all__ = ["ConsentText", "ConsentPage", "ConsentQuestion", "ContentError", "Library", "DEFAULT_LIBRARY",
           "consent_text", "share_text", "consent_texts", "rerender", "EASY_READ", "STANDARD", "FORMATS",
           "REQUIREMENT_FILES", "MAX_QUESTIONS", "SHARE_KEY"]

MAX_QUESTIONS = 3
SHARE_KEY = "share"


@dataclass(frozen=True)
class ConsentText:
    key: str  # "ATR+DRR" for treatment, "share" for sharing information
    format: str  # easy_read | standard
    locale: str  # the language shown
    requested_locale: str  # the language asked for: differs only when a catalogue could not be used
    units: tuple[Unit, ...]
    reviewed: bool  # a qualified translator reviewed the catalogue (always true for English)
    review_note: str
    fallback_reason: str = ""  # why the requested language could not be shown
    version: str = field(init=False)
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(f"{self.key}\0{self.format}\0{self.locale}".encode())
        for unit in self.units:  # in order: moving a page between units still changes the hash
            digest.update(f"\0{unit.stem}\0{unit.hash}".encode())
        object.__setattr__(self, "version", "+".join(f"{u.stem}@{u.version}" for u in self.units))
        object.__setattr__(self, "content_hash", digest.hexdigest())

    @property
    def pages(self) -> tuple[ConsentPage, ...]:
        return tuple(p for u in self.units for p in u.pages)

    @property
    def questions(self) -> tuple[ConsentQuestion, ...]:
        """The check of understanding: the highest-priority questions, at most three, in a fixed order."""
        ranked = sorted((q for u in self.units for q in u.questions), key=lambda q: q.priority)
        return tuple(ranked[:MAX_QUESTIONS])

    def word(self, key: str) -> str:
        for unit in reversed(self.units):  # the decision files before screens
            for k, text in unit.words:
                if k == key:
                    return text
        raise KeyError(f"no word {key!r} in consent text {self.key} ({self.version})")

    def title(self, stem: str) -> str:
        return next(u.title for u in self.units if u.stem == stem)

    def page_index(self, stem: str, page_id: str) -> int:
        for index, page in enumerate(self.pages):
            if page.stem == stem and page.id == page_id:
                return index
        raise KeyError(f"no page {stem}.{page_id} in consent text {self.key}")

    @property
    def rtl(self) -> bool:
        return language(self.locale).rtl

    def record(self) -> dict[str, Any]:
        """What an event stores to name this text exactly; `rerender` turns it back into the text."""
        return {"text_key": self.key, "text_version": self.version, "text_hash": self.content_hash,
                "locale": self.locale, "requested_locale": self.requested_locale, "format": self.format,
                "translation_reviewed": self.reviewed, "translation_review": self.review_note,
                "units": [{"stem": u.stem, "version": u.version, "hash": u.hash} for u in self.units]}


class _Incomplete(Exception):
    pass


@dataclass
class Library:
    """Where the content, pictures, catalogues and published archive live (a copy in tests)."""

    content_dir: Path = CONTENT_DIR
    pictures_dir: Path = PICTURES_DIR
    locales_dir: Path = LOCALES_DIR
    archive_dir: Path = archive.ARCHIVE_DIR
    _sources: tuple[tuple[tuple[str, int], ...], dict[str, SourceFile]] | None = None

    # --- the source ---
    def sources(self) -> dict[str, SourceFile]:
        """Parsed source files, re-read only when a file changes."""
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in (self.content_dir / "en").glob("*.toml")))
        if self._sources is None or self._sources[0] != stamp:
            self._sources = (stamp, source_files(self.content_dir, self.pictures_dir))
        return self._sources[1]

    def _picture(self, name: str | None) -> tuple[str | None, bytes | None]:
        if name is None:
            return None, None
        svg = (self.pictures_dir / f"{name}.svg").read_bytes()
        return hashlib.sha256(svg).hexdigest(), svg

    def render(self, stem: str, fmt: str, locale: str) -> Unit:
        """One unit from the source through the catalogue; raises _Incomplete if any string is untranslated."""
        if fmt not in FORMATS:
            raise ContentError(f"unknown format {fmt!r}; expected {' or '.join(FORMATS)}")
        src = self.sources()[stem]
        translations: gettext.NullTranslations = consent_translations(locale, self.locales_dir)
        version = src.version
        if locale != SOURCE_LOCALE:
            version += f"-{locale}.{catalogue_status(locale, self.locales_dir).revision}"

        def tr(text: str) -> str:
            try:
                return translations.gettext(text)
            except KeyError:
                raise _Incomplete(f"{stem}.toml: {text!r}") from None

        pages = []
        for p in src.pages(fmt):
            sha, _svg = self._picture(p.picture)
            pages.append(ConsentPage(stem, p.id, tr(p.text), p.picture, sha))
        questions = tuple(ConsentQuestion(stem, q.id, tr(q.text), q.page if fmt == EASY_READ else q.standard_page,
                                          q.priority, tuple(type(o)(o.id, tr(o.text), o.correct) for o in q.options))
                          for q in src.questions)
        return Unit(stem, fmt, locale, version, tr(src.title), tuple(pages), questions,
                    tuple((k, tr(v)) for k, v in src.words))

    # --- texts ---
    def _text(self, key: str, stems: Sequence[str], fmt: str, locale: str, requested: str, reason: str
              ) -> ConsentText:
        units = tuple(self.render(stem, fmt, locale) for stem in stems)
        for unit in units:
            archive.check(self.archive_dir, unit)
        status = catalogue_status(locale, self.locales_dir)
        return ConsentText(key, fmt, locale, requested, units, status.reviewed, status.review_note, reason)

    def texts(self, requirements: Sequence[str], locale: str = SOURCE_LOCALE, fmt: str = EASY_READ
              ) -> tuple[ConsentText, ConsentText]:
        """The treatment text and the separate sharing text, both in one language.

        If the person's catalogue cannot be used (missing, not compiled, or lacking a string) both texts fall
        back to English as a whole, never mixing languages; `fallback_reason` says why, for the officer.
        """
        if isinstance(requirements, str):
            requirements = [requirements]
        unknown = [r for r in requirements if r not in REQUIREMENT_FILES]
        if unknown:
            raise ContentError(f"unknown requirement(s) {', '.join(map(repr, unknown))}; "
                               f"expected {', '.join(REQUIREMENT_FILES)}")
        if not requirements:
            raise ContentError("no requirement given: consent is always to a named treatment requirement")
        if "MHTR_PRIMARY" in requirements and "MHTR_SECONDARY" in requirements:
            raise ContentError("primary and secondary care mental health treatment cannot both be proposed")
        if fmt not in FORMATS:
            raise ContentError(f"unknown format {fmt!r}; expected {' or '.join(FORMATS)}")
        language(locale)  # refuses a language we do not offer
        chosen = [r for r in REQUIREMENT_FILES if r in set(requirements)]
        combined = combination_stem(chosen)
        stems = [REQUIREMENT_FILES[r] for r in chosen] + ([combined] if combined else []) + [COMMON_FILE,
                                                                                             SCREENS_FILE]
        key = "+".join(chosen)
        try:
            return (self._text(key, stems, fmt, locale, locale, ""),
                    self._text(SHARE_KEY, [SHARE_FILE], fmt, locale, locale, ""))
        except (_Incomplete, CatalogueError) as exc:
            if locale == SOURCE_LOCALE:
                raise
            reason = f"the {language(locale).english} catalogue cannot be used: {exc}"
        return (self._text(key, stems, fmt, SOURCE_LOCALE, locale, reason),
                self._text(SHARE_KEY, [SHARE_FILE], fmt, SOURCE_LOCALE, locale, reason))

    # --- the archive ---
    def rerender(self, record: dict[str, Any]) -> ConsentText:
        """The exact text a stored consent names, from the archive; refuses if anything differs from the record."""
        try:
            locale, fmt, units_ref = record["locale"], record["format"], record["units"]
        except KeyError as exc:
            raise ContentError(f"the consent record has no {exc} field: it cannot name its text") from None
        units = []
        for ref in units_ref:
            unit = archive.read_unit(archive.unit_path(self.archive_dir, locale, ref["stem"], fmt, ref["version"]))
            if unit.hash != ref["hash"]:
                raise ContentError(f"{ref['stem']}@{ref['version']}: the archive holds different words from "
                                   "the ones this consent recorded")
            units.append(unit)
        text = ConsentText(record["text_key"], fmt, locale, record.get("requested_locale", locale), tuple(units),
                           bool(record.get("translation_reviewed", locale == SOURCE_LOCALE)),
                           record.get("translation_review", ""))
        if text.content_hash != record["text_hash"]:
            raise ContentError(f"consent text {record['text_key']} {record['text_version']}: the re-rendered "
                               "text does not match the recorded hash")
        return text

    def source_of(self, text: ConsentText) -> ConsentText | None:
        """The English source a translated text was made from, at the same source versions, from the archive."""
        if text.locale == SOURCE_LOCALE:
            return None
        units = tuple(archive.read_unit(archive.unit_path(self.archive_dir, SOURCE_LOCALE, u.stem, u.format,
                                                          u.version.split("-")[0])) for u in text.units)
        return ConsentText(text.key, text.format, SOURCE_LOCALE, SOURCE_LOCALE, units, True, "source text")

    def picture(self, page: ConsentPage) -> bytes | None:
        """The picture exactly as published with the page (old versions keep their old pictures)."""
        if page.picture_sha256 is None:
            return None
        return archive.picture_path(self.archive_dir, page.picture_sha256).read_bytes()

    def all_units(self) -> list[Unit]:
        """Every unit the current content renders, in every format and in every language it is complete in."""
        units: list[Unit] = []
        for locale in CONSENT_LOCALES:
            try:
                rendered = [self.render(stem, fmt, locale) for stem in self.sources() for fmt in FORMATS]
            except (_Incomplete, CatalogueError):
                continue  # the catalogue test reports incomplete catalogues
            units.extend(rendered)
        return units

    def publish_all(self) -> list[Path]:
        written: list[Path] = []
        for unit in self.all_units():
            pictures = {}
            for page in unit.pages:
                sha, svg = self._picture(page.picture)
                if sha and svg:
                    pictures[sha] = svg
            written += archive.publish(self.archive_dir, unit, pictures)
        return written

    def unpublished(self) -> list[str]:
        """What publishing would add or refuse: empty when the archive holds every current text."""
        problems = []
        for unit in self.all_units():
            try:
                archive.check(self.archive_dir, unit)
            except ContentError as exc:
                problems.append(str(exc))
            for page in unit.pages:
                if page.picture_sha256 and not archive.picture_path(self.archive_dir, page.picture_sha256).is_file():
                    problems.append(f"picture {page.picture} ({page.picture_sha256}) is not published")
        return problems


DEFAULT_LIBRARY = Library()


def consent_texts(requirements: Sequence[str], locale: str = SOURCE_LOCALE, fmt: str = EASY_READ,
                  library: Library | None = None) -> tuple[ConsentText, ConsentText]:
    return (library or DEFAULT_LIBRARY).texts(requirements, locale, fmt)


def consent_text(requirements: Sequence[str], locale: str = SOURCE_LOCALE, fmt: str = EASY_READ,
                 library: Library | None = None) -> ConsentText:
    """The treatment consent text for these requirements."""
    return consent_texts(requirements, locale, fmt, library)[0]


def share_text(locale: str = SOURCE_LOCALE, fmt: str = EASY_READ, library: Library | None = None) -> ConsentText:
    """The separate text about sharing information with the court, probation and the treatment service."""
    return consent_texts(["ATR"], locale, fmt, library)[1]


def rerender(record: dict[str, Any], library: Library | None = None) -> ConsentText:
    return (library or DEFAULT_LIBRARY).rerender(record)
