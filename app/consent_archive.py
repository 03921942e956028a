"""Every consent text ever published, kept for ever: content/easy_read/published/.

Why: a consent is a legal record that must show exactly what the person read, years later, after the
content has moved on. Each rendered unit (one content file, in one format and language, at one version)
is written once as JSON holding its own content hash, and each picture once under its SHA-256. Publishing
never rewrites a file: the same version with different words is refused, so an edit forces a new version.

    python -m app.consent_archive publish   # add what the current content and catalogues render
    python -m app.consent_archive check     # exit 1 if anything current is unpublished or altered
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.consent_content import CONTENT_DIR, ContentError, Option

ARCHIVE_DIR = CONTENT_DIR / "published"


@dataclass(frozen=True)
class ConsentPage:
    stem: str  # the content file the page came from, e.g. "atr", "common"
    id: str
    text: str
    picture: str | None
    picture_sha256: str | None

    @property
    def source(self) -> str:
        return self.stem


@dataclass(frozen=True)
class ConsentQuestion:
    stem: str
    id: str
    text: str
    page: str  # the page id (in the same file and format) to go back to after a wrong answer
    priority: int
    options: tuple[Option, ...]

    @property
    def correct(self) -> str:
        return next(o.id for o in self.options if o.correct)


@dataclass(frozen=True)
class Unit:
    """One content file rendered in one format and language: the smallest thing that is versioned and kept."""

    stem: str
    format: str
    locale: str
    version: str  # the file's version, plus "-<locale>.<catalogue revision>" for a translation
    title: str
    pages: tuple[ConsentPage, ...]
    questions: tuple[ConsentQuestion, ...]
    words: tuple[tuple[str, str], ...]

    def body(self) -> dict[str, Any]:
        """Everything the person can see, and nothing else: what the content hash covers."""
        return {
            "stem": self.stem, "format": self.format, "locale": self.locale, "title": self.title,
            "pages": [{"id": p.id, "text": p.text, "picture": p.picture, "picture_sha256": p.picture_sha256}
                      for p in self.pages],
            "questions": [{"id": q.id, "text": q.text, "page": q.page, "priority": q.priority,
                           "options": [{"id": o.id, "text": o.text, "correct": o.correct} for o in q.options]}
                          for q in self.questions],
            "words": dict(self.words),
        }

    @property
    def hash(self) -> str:
        canonical = json.dumps(self.body(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        return json.dumps({**self.body(), "version": self.version, "hash": self.hash}, ensure_ascii=False,
                          indent=1) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Unit:
        stem = data["stem"]
        return cls(
            stem=stem, format=data["format"], locale=data["locale"], version=data["version"], title=data["title"],
            pages=tuple(ConsentPage(stem, p["id"], p["text"], p["picture"], p["picture_sha256"])
                        for p in data["pages"]),
            questions=tuple(ConsentQuestion(stem, q["id"], q["text"], q["page"], q["priority"],
                                            tuple(Option(o["id"], o["text"], o["correct"]) for o in q["options"]))
                            for q in data["questions"]),
            words=tuple(data["words"].items()),
        )


def unit_path(archive_dir: Path, locale: str, stem: str, fmt: str, version: str) -> Path:
    return archive_dir / locale / f"{stem}.{fmt}@{version}.json"


def picture_path(archive_dir: Path, sha256: str) -> Path:
    return archive_dir / "pictures" / f"{sha256}.svg"


def read_unit(path: Path) -> Unit:
    """A published unit, checked against the hash it was published with, so an altered archive is caught."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        unit = Unit.from_json(data)
    except FileNotFoundError:
        raise ContentError(f"{path}: this consent text version was never published") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ContentError(f"{path}: cannot read the published consent text ({exc})") from None
    if unit.hash != data.get("hash"):
        raise ContentError(f"{path}: the published text no longer matches its hash {data.get('hash')}: "
                           "published files must never be edited")
    return unit


def check(archive_dir: Path, unit: Unit) -> None:
    """Refuse to show a text that is unpublished, or that differs from what its version was published as."""
    path = unit_path(archive_dir, unit.locale, unit.stem, unit.format, unit.version)
    if not path.is_file():
        raise ContentError(f"{path}: {unit.stem} ({unit.format}, {unit.locale}) version {unit.version} is not "
                           "published yet: run `make consent-publish` and commit the new files")
    published = read_unit(path)
    if published.hash != unit.hash:
        raise ContentError(f"{path}: {unit.stem} ({unit.format}, {unit.locale}) changed but its version "
                           f"{unit.version} did not: bump 'version' in the content file (or the catalogue "
                           "revision for a translation), then publish")


def publish(archive_dir: Path, unit: Unit, pictures: dict[str, bytes]) -> list[Path]:
    """Write the unit and its pictures if they are new; returns the files written. Never overwrites."""
    written: list[Path] = []
    for sha, svg in pictures.items():
        target = picture_path(archive_dir, sha)
        if not target.exists():
            if hashlib.sha256(svg).hexdigest() != sha:
                raise ContentError(f"picture for {target.name} does not match its hash")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(svg)
            written.append(target)
    path = unit_path(archive_dir, unit.locale, unit.stem, unit.format, unit.version)
    if path.exists():
        check(archive_dir, unit)
        return written
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(unit.to_json(), encoding="utf-8")
    return [*written, path]


def main(argv: list[str] | None = None) -> int:
    from app.consent import DEFAULT_LIBRARY

    args = sys.argv[1:] if argv is None else argv
    if args not in (["publish"], ["check"]):
        print("usage: python -m app.consent_archive publish|check", file=sys.stderr)
        return 2
    if args == ["publish"]:
        written = DEFAULT_LIBRARY.publish_all()
        print(f"published {len(written)} new file(s)" + "".join(f"\n  {p}" for p in written))
        return 0
    problems = DEFAULT_LIBRARY.unpublished()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
