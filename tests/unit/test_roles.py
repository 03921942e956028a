"""Need to know on the tablet: a provider practitioner sees the cases taken forward for their service, without the
screening answers, and records only their service's answer; a site admin on a tablet sees no case."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app import audit, roles, screening
from app.case import FieldErrors
from app.site import ConfigError, demo_site_path, load_site
from app.tablet import OfficerSession, Tablet
from tests.pathway import (
    ADMIN_OFFICER,
    OFFICER,
    PIN,
    PROVIDER_OFFICER,
    TODAY,
    answers_pointing_to,
    atr_agreed,
    details,
    offence,
    tablet_with_every_role,
)


@pytest.fixture
def tablet(tmp_path: Path) -> Tablet:
    return tablet_with_every_role(tmp_path)


def screened(cdo: OfficerSession, name: str, requirements: list[str] | None = None) -> str:
    case_id = cdo.open_case(details(name), TODAY)
    tool = screening.load_tool(cdo.tablet.site.screening_tool)
    cdo.record_screening(case_id, tool, answers_pointing_to(tool, ("audit", "dast")))  # drink and drugs both flag
    if requirements:
        cdo.propose(case_id, requirements, offence(), TODAY)
    return case_id


def test_a_provider_sees_only_cases_taken_forward_for_their_service_and_never_the_answers(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    for_atr = screened(cdo, "Alcohol Person", ["ATR"])
    not_forward = screened(cdo, "Screened Only")
    provider = tablet.unlock(PROVIDER_OFFICER, PIN)
    assert provider.role == roles.PROVIDER and provider.provider and provider.provider.id == "open-road"

    assert [c.case_id for c in provider.todays_cases("chelmsford-mc", TODAY)] == [for_atr]
    case = provider.case(for_atr)
    assert case.details and case.details.name == "Alcohol Person" and case.proposed == ["ATR"]
    assert case.screening is not None and "answers" not in case.screening and case.screening["result"]["bands"]
    assert all(e.payload == {} for e in provider.events(for_atr) if e.kind == "screening_completed")
    assert cdo.case(for_atr).screening["answers"]  # type: ignore[index]  # the record itself is whole
    with pytest.raises(roles.NotPermitted):
        provider.case(not_forward)
    with pytest.raises(roles.NotPermitted):
        provider.events(not_forward)
    assert provider.find_by_name("Screened Only") == []


def test_a_provider_records_their_services_answer_and_nothing_else(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    case_id = screened(cdo, "Alcohol Person", ["ATR"])
    provider = tablet.unlock(PROVIDER_OFFICER, PIN)
    agreed = provider.record_provider(case_id, atr_agreed(), TODAY)
    assert agreed.providers["ATR"]["outcome"] == "agreed" and "answers" not in (agreed.screening or {})
    with pytest.raises(roles.NotPermitted, match="Provider practitioner"):
        provider.open_case(details("Someone New"), TODAY)
    with pytest.raises(roles.NotPermitted):
        provider.propose(case_id, ["ATR", "DRR"], offence(), TODAY)
    with pytest.raises(FieldErrors, match="only Open Road"):
        provider.record_provider(case_id, replace(atr_agreed(), provider_id="mind-primary"), TODAY)
    before = len(cdo.events(case_id))
    with pytest.raises(roles.NotPermitted):
        provider.record(case_id, "sentence_recorded", {})
    assert len(cdo.events(case_id)) == before


def test_another_providers_agreement_takes_the_case_out_of_this_providers_view(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    case_id = screened(cdo, "Drug Person", ["DRR"])
    provider = tablet.unlock(PROVIDER_OFFICER, PIN)
    assert provider.case(case_id).proposed == ["DRR"]  # Open Road delivers DRRs, so may be asked
    cdo.record_provider(case_id, replace(atr_agreed(), requirement="DRR", provider_id="phoenix-futures",
                                         findings={"dependent_or_propensity": True, "susceptible": True,
                                                   "drug_testing": True}), TODAY)
    with pytest.raises(roles.NotPermitted):
        provider.case(case_id)


def test_a_site_admin_on_a_tablet_sees_and_records_no_case(tablet: Tablet) -> None:
    cdo = tablet.unlock(OFFICER, PIN)
    case_id = screened(cdo, "Alcohol Person", ["ATR"])
    admin = tablet.unlock(ADMIN_OFFICER, PIN)
    assert admin.todays_cases("chelmsford-mc", TODAY) == []
    with pytest.raises(roles.NotPermitted):
        admin.case(case_id)
    with pytest.raises(roles.NotPermitted):
        admin.open_case(details("Someone New"), TODAY)
    assert audit.verify(tablet.engine) is None


def test_a_provider_practitioner_must_name_a_provider_of_the_site(tmp_path: Path) -> None:
    text = demo_site_path().read_text(encoding="utf-8").replace('provider = "open-road"', 'provider = "nowhere"')
    bad = tmp_path / "site.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_site(bad)
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if '"prov-robin"' in ln)
    assert f"site.toml:{line}: officer 'prov-robin' is a provider practitioner" in str(err.value)
    assert "open-road" in str(err.value)
