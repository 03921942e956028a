"""Rules, screening tools and consent content written with a value of the wrong kind on any line (a number for a
list, a list of lists, a table for a word) are refused with the loader's own message, or load: never a traceback.

Every `key = value` line of the shipped files is broken in turn, in a copy, so a new key is covered as it is added.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.consent_content import ContentError, load_source
from app.rules import RULES_DIR, RulesError, load_rules
from app.screening import check_tool
from app.screening_load import TOOLS_DIR

pytestmark = pytest.mark.clockless  # every value is read from files: no date enters

WRONG_KINDS = ("5", '"x"', "[[1]]", "{ a = 1 }", "[{ a = 1 }]")
_ASSIGNMENT = re.compile(r"^(\s*[A-Za-z0-9_.\"-]+\s*=\s*)\S.*$")
CONSENT_DIR = Path(__file__).resolve().parents[2] / "content" / "easy_read" / "en"


def break_each_line(file: Path, load: Callable[[], object], refusal: type[Exception] | tuple[()]) -> list[str]:
    """Load after each line's value is replaced by each wrong kind; what escaped other than `refusal`."""
    original = file.read_text(encoding="utf-8")
    lines = original.splitlines()
    escaped = []
    for number, line in enumerate(lines, start=1):
        match = _ASSIGNMENT.match(line)
        for wrong in WRONG_KINDS if match else ():
            assert match is not None
            file.write_text("\n".join([*lines[:number - 1], match.group(1) + wrong, *lines[number:]]) + "\n",
                            encoding="utf-8")
            try:
                load()
            except refusal:
                pass
            except Exception as exc:  # noqa: BLE001 - what the test is looking for
                escaped.append(f"{file.name}:{number} = {wrong}: {type(exc).__name__}: {exc}")
    file.write_text(original, encoding="utf-8")
    return escaped


def test_rules_files(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    escaped = [e for f in sorted(folder.glob("*.toml")) for e in break_each_line(f, lambda: load_rules(folder),
                                                                                  RulesError)]
    assert escaped == []


def test_a_screening_tool_and_its_blocks(tmp_path: Path) -> None:
    folder = tmp_path / "tools"
    shutil.copytree(TOOLS_DIR, folder)
    tool = folder / "cdo_court_screen.toml"
    files = [tool, *sorted((folder / "instruments").glob("*.toml"))]
    escaped = [e for f in files for e in break_each_line(f, lambda: check_tool(tool), ())]  # problems are listed
    assert escaped == []


@pytest.mark.parametrize("name", ["atr.toml", "common.toml", "screens.toml"])
def test_consent_content(tmp_path: Path, name: str) -> None:
    file = tmp_path / name
    shutil.copy(CONSENT_DIR / name, file)
    assert break_each_line(file, lambda: load_source(file), ContentError) == []
