"""The `courtside` command explains itself and refuses bad input without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import REPO_ROOT


def courtside(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "courtside", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("command", [[], ["demo"], ["server"], ["run"]])
def test_every_command_has_help(command):
    result = courtside(*command, "--help")
    assert result.returncode == 0
    assert "usage: courtside" in result.stdout


def test_run_without_a_site_says_what_to_give(tmp_path):
    result = courtside("run", "--web", "--data-dir", str(tmp_path / "t"))
    assert result.returncode != 0
    assert "--server URL or --site-file FILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_site_file_is_named_with_its_line(tmp_path):
    bad = tmp_path / "site.toml"
    bad.write_text('[site]\nid = "x"\nname = \n')
    result = courtside("run", "--web", "--data-dir", str(tmp_path / "t"), "--site-file", str(bad))
    assert result.returncode != 0
    assert f"{bad}:3: invalid TOML: Invalid value" in result.stderr
    assert "Traceback" not in result.stderr
