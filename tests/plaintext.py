"""Searching what a run left on disk for personal data written in plaintext."""

from __future__ import annotations

from pathlib import Path


def files_containing(root: Path, needle: str) -> list[str]:
    """Every file under root holding the needle as UTF-8 or UTF-16 text (SQLite may store either)."""
    patterns = [needle.encode("utf-8"), needle.encode("utf-16-le"), needle.casefold().encode("utf-8")]
    hits = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if any(p in data for p in patterns):
                hits.append(str(path))
    return hits
