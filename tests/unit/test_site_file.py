"""A site file with a value of the wrong kind anywhere (a number where a list belongs, a list where a table
belongs, a null in configuration that came from the server as JSON) is refused with a message naming the file
and what is wrong: never a traceback, on the server at start-up or on a tablet installing a pushed configuration."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.site import ConfigError, build_site, demo_site_path, load_site

DEMO = demo_site_path()
TEXT = DEMO.read_text(encoding="utf-8")
WRONG_KINDS: list[Any] = [5, "x", True, 1.5, None, {"a": 1}, [5], [[1]], [{"a": 1}]]


def places(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every key of the parsed demo site, and the first entry of every list."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*path, key)
            yield from places(inner, (*path, key))
    elif isinstance(value, list) and value:
        yield (*path, 0)
        yield from places(value[0], (*path, 0))


def with_value(place: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(tomllib.loads(TEXT))
    holder = data
    for step in place[:-1]:
        holder = holder[step]
    holder[place[-1]] = value
    return data


@pytest.mark.parametrize("place", list(places(tomllib.loads(TEXT))), ids=lambda p: ".".join(map(str, p)))
def test_a_value_of_the_wrong_kind_anywhere_is_refused_by_name_not_by_traceback(place: tuple[str | int, ...]) -> None:
    for wrong in WRONG_KINDS:
        try:
            build_site(with_value(place, wrong), DEMO, TEXT)
        except ConfigError as refused:
            assert str(refused).startswith(str(DEMO)), refused
        # a value that happens to be acceptable there (a name that is "x") may stand


def test_a_list_where_a_list_belongs_is_named_with_its_line() -> None:
    data = with_value(("providers", 1, "languages"), "pl")
    with pytest.raises(ConfigError) as refused:
        build_site(data, DEMO, TEXT)
    lines = list(enumerate(TEXT.splitlines(), start=1))
    second = [n for n, text in lines if text == "[[providers]]"][1]
    line = next(n for n, text in lines if n > second and text.startswith("languages"))
    assert str(refused.value) == (f'{DEMO}:{line}: provider 2 languages must be a list, for example '
                                  'languages = ["pl", "ur"]')


def test_retention_must_be_a_whole_number_of_years() -> None:
    with pytest.raises(ConfigError, match=r"retention_years must be a whole number of years from 1 to 100"):
        build_site(with_value(("site", "retention_years"), "8"), DEMO, TEXT)


def test_a_site_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_bytes(TEXT.replace("Chelmsford", "Chelmsf\xf6rd").encode("latin-1"))
    with pytest.raises(ConfigError, match=r"site.toml: not UTF-8 text \(byte \d+\): save the site file as UTF-8"):
        load_site(bad)
