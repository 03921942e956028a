"""Every loader of a TOML file reports a file that is not valid TOML the same way: file, line, what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.consent_content import ContentError, load_source
from app.rules import RulesError, load_rules
from app.screening import ToolError, load_tool
from app.site import ConfigError, load_site

BROKEN = """\
# A comment, then a table whose fourth line forgets its quotes.
[table]
fine = "quoted"
broken = unquoted words
"""

LOADERS: list[tuple[str, Callable[[Path], object], type[Exception]]] = [
    ("rules", lambda path: load_rules(path.parent), RulesError),
    ("screening tool", load_tool, ToolError),
    ("site", load_site, ConfigError),
    ("consent content", load_source, ContentError),
]


@pytest.mark.parametrize(("load", "error"), [(load, error) for _name, load, error in LOADERS],
                         ids=[name for name, _load, _error in LOADERS])
def test_invalid_toml_is_reported_at_its_file_and_line(tmp_path: Path, load: Callable[[Path], object],
                                                       error: type[Exception]) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(error) as caught:
        load(path)
    assert str(caught.value) == f"{path}:4: invalid TOML: Invalid value"
