"""The English source of the consent content: TOML files in content/easy_read/en/, pictures in content/pictures/.

Content is data, reviewed as content: each file holds one topic in two formats (easy read, one idea a page
with its picture; standard, plain prose), the check-of-understanding questions about it, and the words of
any decision it asks for. Translations are not files here: they come from the gettext catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.toml_source import TomlError, TomlSource

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = REPO_ROOT / "content" / "easy_read"
PICTURES_DIR = REPO_ROOT / "content" / "pictures"
SOURCE_DIR_NAME = "en"

EASY_READ, STANDARD = "easy_read", "standard"
FORMATS = (EASY_READ, STANDARD)

# Requirement -> file stem, in the order their pages are shown.
REQUIREMENT_FILES: dict[str, str] = {
    "ATR": "atr",
    "DRR": "drr",
    "MHTR_PRIMARY": "mhtr_primary",
    "MHTR_SECONDARY": "mhtr_secondary",
}
# A combined order adds the pages for its combination; primary and secondary care MHTR share them.
COMBINATION_FILES: dict[frozenset[str], str] = {
    frozenset({"ATR", "DRR"}): "atr_drr",
    frozenset({"ATR", "MHTR"}): "atr_mhtr",
    frozenset({"DRR", "MHTR"}): "drr_mhtr",
    frozenset({"ATR", "DRR", "MHTR"}): "atr_drr_mhtr",
}
COMMON_FILE, SHARE_FILE, SCREENS_FILE = "common", "share", "screens"
ALL_STEMS = (*REQUIREMENT_FILES.values(), *COMBINATION_FILES.values(), COMMON_FILE, SHARE_FILE, SCREENS_FILE)
# Words each decision file must define, so the decision screens never miss a button.
REQUIRED_WORDS: dict[str, tuple[str, ...]] = {
    COMMON_FILE: ("question", "agree", "disagree", "more_time"),
    SHARE_FILE: ("question", "agree", "disagree"),
    SCREENS_FILE: ("next", "back", "page_of", "bigger", "smaller", "check_intro", "right", "not_right",
                   "look_again", "to_question", "sign_intro", "sign_means", "signature_box", "clear", "signed",
                   "cannot_sign", "sharing", "thanks"),
}

_VERSION_RE = re.compile(r"\d+\.\d+\.\d+")
_ID_RE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")


class ContentError(ValueError):
    """Consent content is missing, malformed or unpublished; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    page: str  # the easy-read page to go back to after a wrong answer
    standard_page: str  # the same for the standard format
    priority: int  # lower is asked first; at most three questions are asked
    options: tuple[Option, ...]


@dataclass(frozen=True)
class SourcePage:
    id: str
    text: str
    picture: str | None  # name of an SVG in content/pictures/, without ".svg"


@dataclass(frozen=True)
class SourceFile:
    stem: str
    path: Path
    version: str
    title: str
    easy: tuple[SourcePage, ...]
    standard: tuple[SourcePage, ...]
    questions: tuple[Question, ...]
    words: tuple[tuple[str, str], ...]

    def pages(self, fmt: str) -> tuple[SourcePage, ...]:
        return self.easy if fmt == EASY_READ else self.standard

    def strings(self) -> Iterator[str]:
        """Every string a person may read from this file: what a translation catalogue must cover."""
        yield self.title
        for page in (*self.easy, *self.standard):
            yield page.text
        for q in self.questions:
            yield q.text
            for o in q.options:
                yield o.text
        for _key, text in self.words:
            yield text


def combination_stem(requirements: list[str]) -> str | None:
    """The combination file for a combined order, or None for a single requirement."""
    kinds = frozenset("MHTR" if r.startswith("MHTR") else r for r in requirements)
    return COMBINATION_FILES.get(kinds) if len(kinds) > 1 else None


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{path}: {where} needs some text")
    return " ".join(value.split())


def _pages(path: Path, data: dict[str, Any], key: str, pictures_dir: Path, picture_required: bool
           ) -> tuple[SourcePage, ...]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise ContentError(f"{path}: [[{key}]] must be a list of tables")
    pages: list[SourcePage] = []
    for number, page in enumerate(raw, start=1):
        where = f"[[{key}]] number {number}"
        if not isinstance(page, dict):
            raise ContentError(f"{path}: {where} is not a table")
        extra = set(page) - {"id", "text", "picture"}
        if extra:
            raise ContentError(f"{path}: {where} has unknown key(s) {', '.join(sorted(extra))}")
        page_id = page.get("id")
        if not isinstance(page_id, str) or not _ID_RE.fullmatch(page_id):
            raise ContentError(f"{path}: {where} 'id' must be lower snake case, got {page_id!r}")
        if page_id in {p.id for p in pages}:
            raise ContentError(f"{path}: {where} repeats the id {page_id!r}")
        picture = page.get("picture")
        if picture is None and picture_required:
            raise ContentError(f"{path}: {where} ({page_id}) needs a 'picture': easy read puts one beside each idea")
        if picture is not None:
            if not isinstance(picture, str) or not _ID_RE.fullmatch(picture):
                raise ContentError(f"{path}: {where} ({page_id}) 'picture' must be a picture name, got {picture!r}")
            if not (pictures_dir / f"{picture}.svg").is_file():
                raise ContentError(f"{path}: {where} ({page_id}) picture {picture!r} is not in {pictures_dir}")
        pages.append(SourcePage(page_id, _text(path, f"{where} ({page_id})", page.get("text")), picture))
    return tuple(pages)


def _options(path: Path, where: str, raw: Any) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise ContentError(f"{path}: {where} needs at least two 'options'")
    options: list[Option] = []
    for o in raw:
        if not isinstance(o, dict) or set(o) - {"id", "text", "correct"}:
            raise ContentError(f"{path}: {where} each option is {{ id, text, correct }}")
        oid = o.get("id")
        if not isinstance(oid, str) or not _ID_RE.fullmatch(oid) or oid in {x.id for x in options}:
            raise ContentError(f"{path}: {where} option ids must be unique lower snake case, got {oid!r}")
        options.append(Option(oid, _text(path, f"{where} option {oid}", o.get("text")), o.get("correct") is True))
    if sum(o.correct for o in options) != 1:
        raise ContentError(f"{path}: {where} needs exactly one option with correct = true")
    return tuple(options)


def _questions(path: Path, data: dict[str, Any], easy: tuple[SourcePage, ...], standard: tuple[SourcePage, ...]
               ) -> tuple[Question, ...]:
    raw = data.get("questions", [])
    if not isinstance(raw, list):
        raise ContentError(f"{path}: [[questions]] must be a list of tables")
    easy_ids, standard_ids = {p.id for p in easy}, {p.id for p in standard}
    out: list[Question] = []
    for number, q in enumerate(raw, start=1):
        if not isinstance(q, dict):
            raise ContentError(f"{path}: [[questions]] number {number} is not a table")
        qid = q.get("id")
        where = f"[[questions]] number {number} ({qid})"
        extra = set(q) - {"id", "text", "page", "standard_page", "priority", "options"}
        if extra:
            raise ContentError(f"{path}: {where} has unknown key(s) {', '.join(sorted(extra))}")
        if not isinstance(qid, str) or not _ID_RE.fullmatch(qid) or qid in {x.id for x in out}:
            raise ContentError(f"{path}: {where} 'id' must be unique lower snake case")
        if not isinstance(q.get("page"), str) or q["page"] not in easy_ids:
            raise ContentError(f"{path}: {where} 'page' must name an easy-read page, got {q.get('page')!r}")
        if not isinstance(q.get("standard_page"), str) or q["standard_page"] not in standard_ids:
            raise ContentError(f"{path}: {where} 'standard_page' must name a standard page, "
                               f"got {q.get('standard_page')!r}")
        priority = q.get("priority")
        if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
            raise ContentError(f"{path}: {where} 'priority' must be a whole number from 1")
        out.append(Question(qid, _text(path, where, q.get("text")), q["page"], q["standard_page"], priority,
                            _options(path, where, q.get("options"))))
    return tuple(out)


def load_source(path: Path, pictures_dir: Path = PICTURES_DIR) -> SourceFile:
    """Read and validate one source file; every error names the file and the place in it."""
    try:
        src = TomlSource.read(path)
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the content file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ContentError(f"{path}: is not UTF-8 text") from None
    try:
        data = src.parse()
    except TomlError as exc:
        raise ContentError(str(exc)) from None
    unknown = set(data) - {"version", "title", "easy", "standard", "questions", "words"}
    if unknown:
        raise ContentError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        raise ContentError(f"{path}: 'version' must be a string like \"1.0.0\", got {version!r}")
    title = _text(path, "'title'", data.get("title"))
    easy = _pages(path, data, "easy", pictures_dir, picture_required=True)
    standard = _pages(path, data, "standard", pictures_dir, picture_required=False)
    words_raw = data.get("words", {})
    if not isinstance(words_raw, dict):
        raise ContentError(f"{path}: [words] must be a table of name = \"text\"")
    words = tuple((k, _text(path, f"[words] {k}", v)) for k, v in words_raw.items())
    missing = [w for w in REQUIRED_WORDS.get(path.stem, ()) if w not in dict(words)]
    if missing:
        raise ContentError(f"{path}: [words] is missing {', '.join(missing)}")
    if not words and (not easy or not standard):
        raise ContentError(f"{path}: needs [[easy]] and [[standard]] pages (or only [words], like screens.toml)")
    return SourceFile(path.stem, path, version, title, easy, standard, _questions(path, data, easy, standard),
                      words)


def source_files(content_dir: Path = CONTENT_DIR, pictures_dir: Path = PICTURES_DIR) -> dict[str, SourceFile]:
    """Every source file, checked: a file nobody knows about is an error, not silently ignored."""
    folder = content_dir / SOURCE_DIR_NAME
    present = {p.stem for p in folder.glob("*.toml")}
    unknown = present - set(ALL_STEMS)
    if unknown:
        raise ContentError(f"{folder}: unknown content file(s) {', '.join(sorted(unknown))}; "
                           f"known: {', '.join(ALL_STEMS)}")
    missing = [stem for stem in ALL_STEMS if stem not in present]
    if missing:
        raise ContentError(f"{folder}: missing content file(s) {', '.join(f'{s}.toml' for s in missing)}")
    return {stem: load_source(folder / f"{stem}.toml", pictures_dir) for stem in ALL_STEMS}
