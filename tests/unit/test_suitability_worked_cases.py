"""The site's worked cases give the results the site agreed, and `courtside suitability CASE.json` prints
every criterion, reason and source so a site can check its policy."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.site import SITES_DIR
from app.suitability import CaseFileError, assess_case_file
from tests.support import REPO_ROOT

WORKED = sorted((SITES_DIR / "worked_cases").glob("*.json"))


def courtside(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "courtside", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)


def test_there_are_worked_cases_for_each_requirement_and_both_sides_of_the_change():
    text = " ".join(p.read_text() for p in WORKED)
    assert len(WORKED) >= 10
    for needed in ("ATR", "DRR", "MHTR_PRIMARY", "MHTR_SECONDARY", "2026-03-21", "2026-03-22",
                   "combined_order_range", "aamr_with_atr"):
        assert needed in text


@pytest.mark.parametrize("path", WORKED, ids=[p.stem for p in WORKED])
def test_each_worked_case_gives_the_expected_results(path):
    result, matches = assess_case_file(path)
    assert matches, result["expected"]["differences"]
    assert json.loads(path.read_text())["expected"], "a worked case must say what it expects"


def test_the_command_prints_every_criterion_with_its_reason_and_source():
    result = courtside("suitability", str(SITES_DIR / "worked_cases" / "02_combined_mhtr_drr_medium.json"))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    decisions = {d["requirement"]: d for d in out["decisions"]}
    assert decisions["DRR"]["status"] == "eligible" and decisions["MHTR_PRIMARY"]["status"] == "eligible"
    for d in out["decisions"]:
        assert d["criteria"]
        for c in d["criteria"]:
            assert c["result"] in ("met", "not_met", "unknown") and c["reason"] and c["source"]
    assert {r["id"] for r in out["rules"]} == {"statute", "guideline", "site_policy"}
    assert out["order"]["findings"] == [] and out["expected"]["matches"] is True


def test_the_command_fails_when_the_result_differs_from_what_the_site_expects(tmp_path):
    case = json.loads((SITES_DIR / "worked_cases" / "03_combined_at_low_range_refused.json").read_text())
    case["expected"]["order"] = []  # a site that thinks a combined order is fine at the low range
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    result = courtside("suitability", str(path))
    assert result.returncode == 1
    differences = json.loads(result.stdout)["expected"]["differences"]
    assert differences == ["order: expected [], got ['combined_order_range', 'heavy_for_low']"]


def test_a_case_file_with_a_wrong_field_is_named_without_a_traceback(tmp_path):
    case = json.loads((SITES_DIR / "worked_cases" / "01_atr_single_medium.json").read_text())
    case["offence"]["seriousness"] = "quite bad"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    result = courtside("suitability", str(path))
    assert result.returncode == 2
    assert f"{path}: offence.seriousness: 'quite bad' is not one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_case_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "case.json"
    path.write_text('{\n  "dob": "1988-05-14",\n  oops\n}')
    with pytest.raises(CaseFileError, match=rf"{path}:3: not valid JSON"):
        assess_case_file(path)


@pytest.mark.parametrize(("change", "field"), [
    ({"providers": {"ATR": {"outcome": "maybe"}}}, "providers.ATR.outcome"),
    ({"providers": {"ATR": {"outcome": "agreed", "findings": {"dependant": True}}}},
     "providers.ATR.findings.dependant"),
    ({"offence": {"conviction_date": "23/11/2026"}}, "offence.conviction_date"),
    ({"order": {"order_type": "community_order", "order_months": 12, "requirements": {"ATR": 0}}},
     "order.months_ATR"),
    ({"colour": "blue"}, "colour"),
    ({"order": {"order_type": "community_order", "order_months": "37", "requirements": {"ATR": 12}}},
     "order.order_months"),  # a string of digits, not a number: once a TypeError
    ({"screening": {"flags": ["atr_candidate"], "totals": {"audit": 999}}}, "screening.totals.audit"),  # 0 to 40
    ({"screening": {"flags": [], "totals": {"phq9": "high"}}}, "screening.totals.phq9"),
    ({"dob": "2030-01-01"}, "dob"),  # born after the conviction in the file (23 November 2026)
])
def test_bad_case_files_name_the_field(tmp_path, change, field):
    case = json.loads((SITES_DIR / "worked_cases" / "01_atr_single_medium.json").read_text())
    case.update(change)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    with pytest.raises(CaseFileError, match=rf"{path}: {field}: "):
        assess_case_file(path)


def test_a_conviction_before_the_rules_begin_is_explained(tmp_path):
    case = json.loads((SITES_DIR / "worked_cases" / "01_atr_single_medium.json").read_text())
    case["offence"]["conviction_date"] = "2019-06-01"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    with pytest.raises(CaseFileError, match="no statutory rules are in force for a conviction on 2019-06-01"):
        assess_case_file(path)


def test_the_command_has_help():
    result = courtside("suitability", "--help")
    assert result.returncode == 0 and "CASE.json" in result.stdout


def test_the_command_can_use_another_rules_folder(tmp_path):
    missing = tmp_path / "no-rules"
    missing.mkdir()
    result = courtside("suitability", "--rules", str(missing), str(WORKED[0]))
    assert result.returncode == 2 and f"{missing}: no rules files" in result.stderr

