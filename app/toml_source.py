"""A TOML file's text kept beside its parsed data, so a message about the data can name the line.

Why: tomllib gives back plain dicts and keeps no line numbers, and even its own syntax errors carry the
line only inside their text. Every loader of a configuration or content file (rules, screening tools, site,
consent content) reads the file through `TomlSource`, finds lines with its helpers, and reports a file that
is not valid TOML the same way: "path:line: invalid TOML: what is wrong". The loaders keep their own error
classes; this module knows nothing of them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")


class TomlError(ValueError):
    """The text is not valid TOML. str() is "path:line: invalid TOML: ..."; a loader that lists problems
    uses `line` and `message` (the part after the position) instead."""

    def __init__(self, source: TomlSource, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"{source.at(line)}: {message}")


@dataclass
class TomlSource:
    """A file's path, bytes, text and lines; line numbers are 1-based, as in an editor."""

    path: Path
    raw: bytes
    text: str
    lines: list[str] = field(init=False, repr=False)
    headers: list[int] = field(init=False, repr=False)  # the lines that open a table: [x] or [[x]]

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()
        self.headers = [n for n, line in enumerate(self.lines, start=1) if re.match(r"\s*\[", line)]

    @classmethod
    def read(cls, path: Path) -> TomlSource:
        """Raises OSError or UnicodeDecodeError; the caller words them, as it knows what the file is for."""
        raw = path.read_bytes()
        return cls(path, raw, raw.decode("utf-8"))

    @classmethod
    def from_text(cls, path: Path, text: str) -> TomlSource:
        """Text already read (or given by a test); `path` is only for messages."""
        return cls(path, text.encode("utf-8"), text)

    def parse(self) -> dict[str, Any]:
        """The parsed data; raises TomlError naming the line tomllib stopped at."""
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            said = str(exc)
            match = _POSITION.search(said)
            raise TomlError(self, int(match.group(1)) if match else None,
                            f"invalid TOML: {_POSITION.sub('', said) or 'invalid TOML'}") from None

    def at(self, line: int | None) -> str:
        """Where to point a message: path:line, or only the path when the line is not known."""
        return f"{self.path}:{line}" if line else str(self.path)

    # --- finding lines ---

    def find(self, pattern: str, start: int | None = None, end: int | None = None) -> int | None:
        """The first line in [start, end) matching the regex `pattern` (the whole file by default)."""
        rx = re.compile(pattern)
        stop = min(end if end is not None else len(self.lines) + 1, len(self.lines) + 1)
        for number in range(start or 1, stop):
            if rx.search(self.lines[number - 1]):
                return number
        return None

    def containing(self, text: str, start: int | None = None, end: int | None = None) -> int | None:
        """The first line in [start, end) that contains `text` as written (not a regex)."""
        return self.find(re.escape(text), start, end)

    def start_of(self, anchor: int | None) -> int | None:
        """The header line of the table that holds line `anchor` (line 1 if it comes before any header)."""
        if anchor is None:
            return None
        return max((h for h in self.headers if h <= anchor), default=1)

    def end_of(self, anchor: int | None) -> int:
        """The line after the last line of the table that holds line `anchor`."""
        if anchor is None:
            return len(self.lines) + 1
        return next((h for h in self.headers if h > anchor), len(self.lines) + 1)

    def key_in_table(self, key: str, anchor: int | None) -> int | None:
        """The line where `key =` is written inside the table that holds line `anchor` (anywhere if None)."""
        return self.find(_key_pattern(key), self.start_of(anchor), self.end_of(anchor))

    def key_after(self, key: str, start: int | None = None) -> int | None:
        """The first line from `start` to the end of the file where `key =` is written, in any table."""
        return self.find(_key_pattern(key), start)

    def quoted(self, key: str, value: str, anchor: int | None) -> int | None:
        """The line of `key = "value"` inside the table that holds line `anchor`."""
        return self.find(rf"\b{re.escape(key)}\s*=\s*[\"']{re.escape(value)}[\"']", self.start_of(anchor),
                         self.end_of(anchor))

    def header(self, table: str, index: int) -> int | None:
        """The line of the `index`-th (0-based) `[[table]]` header."""
        rx = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
        hits = [n for n, line in enumerate(self.lines, start=1) if rx.search(line)]
        return hits[index] if index < len(hits) else None

    def table(self, dotted: str) -> int | None:
        """The line of the `[dotted]` header."""
        return self.find(rf"^\s*\[\s*{re.escape(dotted)}\s*\]")


def _key_pattern(key: str) -> str:
    return rf"(^|[\s{{,]){re.escape(key)}\s*="
