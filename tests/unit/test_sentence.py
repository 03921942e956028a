"""A case through provider agreement, the proposal to court and the sentence recorded, on the tablet's own
services: what is refused and why, the short form, corrections with a reason, and who changed what."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from app import screening
from app.case import FieldErrors
from app.proposal import ProposalInput, ProviderArrangement
from app.sentence import SentenceRecord, describe_provider, describe_sentence, history_of
from app.suitability import COMMUNITY_ORDER, SUSPENDED_SENTENCE_ORDER, Offence, Order
from app.tablet import OfficerSession
from tests import pathway
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet
from tests.plaintext import files_containing

NAME = "Perpetua Oyelaran-Fitzwilliam"


def answers_pointing_to(tool: screening.Tool, drugs: bool, mood: bool, alcohol: bool = False) -> dict[str, str]:
    """Highest-scoring answers on the instruments that should flag, lowest elsewhere (item 9 of PHQ-9 kept at 0)."""
    return pathway.answers_pointing_to(tool, ("dast10_",) * drugs + ("phq9_", "gad7_") * mood + ("audit",) * alcohol)


def person_agrees(session: OfficerSession, case_id: str, requirements: list[str]) -> None:
    """The consent record as the consent step writes it: the person agreed, in easy read, to these."""
    session.record(case_id, "consent_given", {"requirements": requirements, "decision": "agree",
                                              "format": "easy_read", "locale": "en", "attested_by": OFFICER})


def drr_agreed(months: int = 12) -> ProviderArrangement:
    return ProviderArrangement("DRR", "open-road", "Robin Ashdown", TODAY, "10:30", "phone", "agreed",
                               {"dependent_or_propensity": True, "susceptible": True, "drug_testing": True}, months)


def mhtr_agreed(months: int = 6) -> ProviderArrangement:
    return ProviderArrangement("MHTR_PRIMARY", "mind-primary", "Dr Hana Okafor", TODAY, "11:05", "in_person",
                               "agreed", {"requires_treatment": True, "hospital_order_warranted": False,
                                          "registered_practitioner": True, "below_secondary_threshold": True}, months)


def combined_case(session: OfficerSession, seriousness: str = "medium", convicted: date = TODAY) -> str:
    """Screened for drugs and mood, both taken forward, both providers agreed, and the person consented."""
    case_id = session.open_case(details(NAME), TODAY)
    tool = screening.load_tool(session.tablet.site.screening_tool)
    session.record_screening(case_id, tool, answers_pointing_to(tool, drugs=True, mood=True))
    session.propose(case_id, ["DRR", "MHTR_PRIMARY"], Offence(convicted, True, seriousness), TODAY)
    session.record_provider(case_id, drr_agreed(), TODAY)
    session.record_provider(case_id, mhtr_agreed(), TODAY)
    person_agrees(session, case_id, ["DRR", "MHTR_PRIMARY"])
    return case_id


def combined_sentence(**changes: object) -> SentenceRecord:
    record = SentenceRecord("probation_sentence", TODAY, True,
                            Order(COMMUNITY_ORDER, 12, {"DRR": 12, "MHTR_PRIMARY": 6}), "custody", 16, "weeks")
    return replace(record, **changes)


@pytest.fixture
def session(tmp_path) -> OfficerSession:
    return provisioned_tablet(tmp_path).unlock(OFFICER, PIN)


# --- The pathway ---------------------------------------------------------------------------------------------


def test_a_combined_mhtr_and_drr_is_proposed_sentenced_on_the_day_and_the_short_form_kept(session):
    case_id = combined_case(session)
    assert session.case(case_id).task_status()["proposal"] == "not_started"

    session.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12))
    case = session.case(case_id)
    assert case.proposal and case.proposal["order"]["requirements"] == {"DRR": 12, "MHTR_PRIMARY": 6}
    assert case.task_status()["sentence"] == "not_started"

    session.record_sentence(case_id, combined_sentence(), TODAY)
    case = session.case(case_id)
    assert case.sentence == {
        "outcome": "probation_sentence", "sentence_date": TODAY.isoformat(), "sentenced_on_day": True,
        "order": {"order_type": "community_order", "order_months": 12, "supervision_months": None,
                  "requirements": {"DRR": 12, "MHTR_PRIMARY": 6}, "aamr": False, "other_requirements": 0},
        "short_form": "custody", "custody_length": 16, "custody_unit": "weeks"}
    assert case.imposed == ["DRR", "MHTR_PRIMARY"]
    assert case.task_status()["appointment"] == "not_started"
    assert [e.kind for e in session.events(case_id)][-4:] == [
        "provider_agreed", "consent_given", "proposal_made", "sentence_recorded"]


def test_the_tasks_open_in_pathway_order(session):
    case_id = session.open_case(details(NAME), TODAY)
    tool = screening.load_tool(session.tablet.site.screening_tool)
    session.record_screening(case_id, tool, answers_pointing_to(tool, drugs=True, mood=False))

    def status() -> dict[str, str]:
        return session.case(case_id).task_status()

    assert [status()[t] for t in ("provider", "proposal", "sentence")] == ["cannot_start"] * 3
    session.propose(case_id, ["DRR"], Offence(TODAY, True, "medium"), TODAY)
    assert status()["provider"] == "not_started"
    session.record_provider(case_id, replace(drr_agreed(), outcome="pending", findings={}, months=None), TODAY)
    assert status()["provider"] == "in_progress"
    session.record_provider(case_id, drr_agreed(), TODAY)  # the assessment finished: a new answer, no correction
    assert status()["provider"] == "done" and status()["proposal"] == "cannot_start"  # no consent yet
    assert "correction_made" not in [e.kind for e in session.events(case_id)]
    person_agrees(session, case_id, ["DRR"])
    assert status()["proposal"] == "not_started"


def test_the_sentence_decides_which_requirements_the_appointment_and_leaflet_are_for(session):
    case_id = combined_case(session)
    session.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12))
    assert session.case(case_id).requirements == ["DRR", "MHTR_PRIMARY"]
    slot = session.available_slots("open-road", TODAY)[0]
    with pytest.raises(FieldErrors, match="Record a sentence with a treatment requirement before booking"):
        session.book_appointment(case_id, slot, TODAY)
    session.record_sentence(case_id, combined_sentence(order=Order(COMMUNITY_ORDER, 9, {"DRR": 9})), TODAY)
    case = session.case(case_id)
    assert case.requirements == ["DRR"] and case.task_status()["appointment"] == "not_started"


# --- What the proposal refuses -------------------------------------------------------------------------------


def test_a_requirement_without_consent_cannot_be_proposed(session):
    case_id = combined_case(session)
    session.record(case_id, "consent_declined", {"requirements": ["DRR", "MHTR_PRIMARY"], "decision": "more_time"})
    with pytest.raises(FieldErrors, match="Take consent before the proposal goes to court"):
        session.make_proposal(case_id, ProposalInput(("DRR",), COMMUNITY_ORDER, 12))


def test_a_requirement_the_provider_declined_is_refused_with_the_criterion(session):
    case_id = combined_case(session)
    session.record_provider(case_id, replace(mhtr_agreed(), outcome="declined", months=None,
                                             findings={"requires_treatment": False}), TODAY,
                            reason="the practitioner rang back: not suitable")
    with pytest.raises(FieldErrors) as exc:
        session.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12))
    message = exc.value.errors["requirement_MHTR_PRIMARY"]
    assert "Mental health treatment requirement (primary care) cannot be proposed yet" in message
    assert "Arrangements made" in message and "requires and may be susceptible" in message
    session.make_proposal(case_id, ProposalInput(("DRR",), COMMUNITY_ORDER, 12))  # the DRR alone still can


def test_a_combined_order_at_the_low_range_is_refused_with_its_source(session):
    case_id = combined_case(session, seriousness="low")
    with pytest.raises(FieldErrors) as exc:
        session.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12))
    assert "only proposed where the offence reaches the medium community order range" in \
        exc.value.errors["order_combined_order_range"]
    assert "CSTR ATR/DRR Service Description" in exc.value.errors["order_combined_order_range"]


@pytest.mark.parametrize(("convicted", "operational", "refused"), [
    (date(2026, 3, 21), 24, False), (date(2026, 3, 21), 25, True),
    (date(2026, 3, 22), 36, False), (date(2026, 3, 22), 37, True),
])
def test_a_suspended_sentence_proposal_is_held_to_the_limits_for_its_conviction_date(session, convicted,
                                                                                      operational, refused):
    case_id = combined_case(session, seriousness="custody", convicted=convicted)
    proposal = ProposalInput(("DRR", "MHTR_PRIMARY"), SUSPENDED_SENTENCE_ORDER, operational, 12)
    if refused:
        with pytest.raises(FieldErrors) as exc:
            session.make_proposal(case_id, proposal)
        assert "order_sso_operational_period" in exc.value.errors
    else:
        session.make_proposal(case_id, proposal)
        assert session.case(case_id).proposal["conviction_date"] == convicted.isoformat()


def test_warnings_go_with_the_proposal_to_court(session):
    case_id = combined_case(session)
    session.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12,
                                                 other_requirements=1))
    findings = session.case(case_id).proposal["findings"]
    assert [f["id"] for f in findings] == ["heavy_for_medium"]
    summary = session.proposal_summary(case_id)
    assert summary.findings[0][0] == "warn"


# --- The proposal for the court -------------------------------------------------------------------------------


def test_the_proposal_says_what_is_proposed_how_consent_was_given_and_who_agreed(session, tmp_path):
    case_id = combined_case(session)
    session.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12))
    rows = dict(session.proposal_summary(case_id).rows)
    assert rows["Requirements proposed"] == ("Drug rehabilitation requirement, 12 months; "
                                             "Mental health treatment requirement (primary care), 6 months")
    assert rows["Order"] == "Community order, 12 months"
    assert rows["Consent"] == "The person agreed to the requirements (easy read, in English)"
    assert rows["Provider agreement: Drug rehabilitation requirement"].startswith(
        "Open Road Drug and Alcohol Service (Robin Ashdown) assessed and agreed, 12 months; contacted by phone")
    assert "Dr Hana Okafor" in rows["Provider agreement: Mental health treatment requirement (primary care)"]
    assert "in person at court" in rows["Provider agreement: Mental health treatment requirement (primary care)"]

    session.reauthenticate(PIN)  # printing the proposal is an export
    pdf = session.proposal_pdf(case_id)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")
    assert NAME in text and "Drug rehabilitation requirement, 12 months" in text
    assert "Sentencing Act 2020, Sch 9 Pt 10" in text  # every criterion with its source, for the court
    assert files_containing(tmp_path, NAME) == []  # built in memory: the name is nowhere on disk


def test_the_consent_line_says_when_an_interpreter_was_used(session):
    case_id = session.open_case(details(NAME, interpreter_needed=True, language="Polish"), TODAY)
    tool = screening.load_tool(session.tablet.site.screening_tool)
    session.record_screening(case_id, tool, answers_pointing_to(tool, drugs=True, mood=False))
    session.propose(case_id, ["DRR"], Offence(TODAY, True, "medium"), TODAY)
    session.record_provider(case_id, drr_agreed(), TODAY)
    session.record(case_id, "consent_given", {
        "requirements": ["DRR"], "decision": "agree", "format": "standard", "locale": "pl",
        "interpreter": {"name": "Jan Kowalski", "language": "Polish", "mode": "present"}})
    session.make_proposal(case_id, ProposalInput(("DRR",), COMMUNITY_ORDER, 12))
    assert dict(session.proposal_summary(case_id).rows)["Consent"] == (
        "The person agreed to the requirements (standard text, in Polish, with an interpreter (Polish), "
        "in the room)")


# --- Provider arrangements ----------------------------------------------------------------------------------


def test_an_agreement_needs_every_finding_and_the_length(session):
    case_id = combined_case(session)
    with pytest.raises(FieldErrors) as exc:
        session.record_provider(case_id, replace(drr_agreed(), findings={"susceptible": True}, months=None),
                                TODAY, reason="re-recorded")
    assert set(exc.value.errors) == {"finding_dependent_or_propensity", "finding_drug_testing", "months"}
    assert "Can samples be taken for drug testing" in exc.value.errors["finding_drug_testing"]


@pytest.mark.parametrize(("change", "field"), [
    ({"provider_id": "mind-primary"}, "provider_id"),  # not a drug service
    ({"practitioner": " "}, "practitioner"),
    ({"contacted_on": TODAY + timedelta(days=1)}, "contacted_on"),  # tomorrow
    ({"contacted_at": "25:00"}, "contacted_at"),
    ({"method": "carrier pigeon"}, "method"),
    ({"months": 37}, "months"),
])
def test_bad_provider_details_are_refused_at_the_field(session, change, field):
    case_id = combined_case(session)
    with pytest.raises(FieldErrors) as exc:
        session.record_provider(case_id, replace(drr_agreed(), **change), TODAY, reason="re-recorded")
    assert field in exc.value.errors


def test_a_provider_answer_is_corrected_with_a_reason_and_the_history_shows_it(session):
    case_id = combined_case(session)
    with pytest.raises(FieldErrors, match="Say why you are correcting the record"):
        session.record_provider(case_id, drr_agreed(9), TODAY)
    session.record_provider(case_id, drr_agreed(9), TODAY, reason="provider agreed 9 months, not 12")
    case = session.case(case_id)
    assert case.providers["DRR"]["months"] == 9
    history = history_of(case, "provider_agreed", describe_provider, "DRR")
    assert [h.corrected for h in history] == [False, True]
    assert history[1].reason == "provider agreed 9 months, not 12"
    assert history[1].changes == (("Length agreed", "12 months", "9 months"),)


# --- The sentence recorded ---------------------------------------------------------------------------------


@pytest.fixture
def proposed(session) -> str:
    case_id = combined_case(session)
    session.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12))
    return case_id


def test_a_sentence_needs_a_proposal_first(session):
    case_id = combined_case(session)
    with pytest.raises(FieldErrors, match="Make the proposal to the court first"):
        session.record_sentence(case_id, combined_sentence(), TODAY)


@pytest.mark.parametrize(("change", "field"), [
    ({"outcome": "acquitted"}, "outcome"),
    ({"sentence_date": None}, "sentence_date"),
    ({"sentence_date": TODAY + timedelta(days=1)}, "sentence_date"),  # tomorrow
    ({"sentenced_on_day": None}, "sentenced_on_day"),
    ({"order": None}, "order_type"),
    ({"short_form": None}, "short_form"),
    ({"custody_length": None}, "custody_length"),
    ({"custody_unit": None}, "custody_unit"),
    ({"custody_length": 521}, "custody_length"),
    ({"order": Order(COMMUNITY_ORDER, 37, {"DRR": 12})}, "order_community_order_length"),
    ({"order": Order(COMMUNITY_ORDER, 12, {"DRR": 13})}, "order_requirement_within_community_order"),
])
def test_bad_sentence_details_are_refused_at_the_field(session, proposed, change, field):
    with pytest.raises(FieldErrors) as exc:
        session.record_sentence(proposed, combined_sentence(**change), TODAY)
    assert field in exc.value.errors


def test_the_short_form_is_only_asked_when_a_treatment_requirement_was_imposed(session, proposed):
    fine = SentenceRecord("non_probation_sentence", TODAY, True, short_form="custody", custody_length=4,
                          custody_unit="weeks")
    session.record_sentence(proposed, fine, TODAY)
    case = session.case(proposed)
    assert case.sentence["short_form"] is None and case.sentence["order"] is None
    assert case.status == "complete" and case.task_status()["appointment"] == "cannot_start"


@pytest.mark.parametrize("short_form", ["suspended_sentence", "community_order_without_treatment", "fine",
                                        "other", "not_given"])
def test_each_short_form_answer_is_kept(session, proposed, short_form):
    session.record_sentence(proposed, combined_sentence(short_form=short_form, custody_length=None,
                                                        custody_unit=None), TODAY)
    assert session.case(proposed).sentence["short_form"] == short_form


@pytest.mark.parametrize(("convicted", "operational", "refused"), [
    (date(2026, 3, 21), 24, False), (date(2026, 3, 21), 25, True),
    (date(2026, 3, 22), 36, False), (date(2026, 3, 22), 37, True),
])
def test_a_suspended_sentence_recorded_is_held_to_the_limits_for_its_conviction_date(session, convicted,
                                                                                     operational, refused):
    case_id = combined_case(session, seriousness="custody", convicted=convicted)
    session.make_proposal(case_id, ProposalInput(("DRR",), SUSPENDED_SENTENCE_ORDER, 12, 12))
    sso = combined_sentence(order=Order(SUSPENDED_SENTENCE_ORDER, operational, {"DRR": 12}, 12))
    if refused:
        with pytest.raises(FieldErrors) as exc:
            session.record_sentence(case_id, sso, TODAY)
        assert "operational period" in exc.value.errors["order_sso_operational_period"]
    else:
        session.record_sentence(case_id, sso, TODAY)
        assert session.case(case_id).sentence["order"]["order_months"] == operational


def test_after_an_adjournment_the_sentence_is_recorded_without_a_correction(session, proposed):
    session.record_sentence(proposed, SentenceRecord("adjourned", TODAY, None), TODAY)
    case = session.case(proposed)
    assert case.task_status()["sentence"] == "in_progress" and not case.imposed
    session.record_sentence(proposed, combined_sentence(sentenced_on_day=False), TODAY)
    case = session.case(proposed)
    assert case.task_status()["sentence"] == "done" and case.sentence["sentenced_on_day"] is False
    assert [e.kind for e in session.events(proposed)].count("correction_made") == 0


def test_a_correction_needs_a_reason_and_the_history_shows_who_changed_what(tmp_path):
    tablet = provisioned_tablet(tmp_path)
    sam = tablet.unlock(OFFICER, PIN)
    tablet.enrol_officer("cdo-priya", PIN, data_key=sam._key)
    case_id = combined_case(sam)
    sam.make_proposal(case_id, ProposalInput(("DRR", "MHTR_PRIMARY"), COMMUNITY_ORDER, 12))
    sam.record_sentence(case_id, combined_sentence(), TODAY)

    priya = tablet.unlock("cdo-priya", PIN)
    priya.reauthenticate(PIN)  # Sam's case: Priya gives her PIN again to open it
    corrected = combined_sentence(order=Order(COMMUNITY_ORDER, 18, {"DRR": 18, "MHTR_PRIMARY": 6}))
    with pytest.raises(FieldErrors, match="Say why you are correcting the record"):
        priya.record_sentence(case_id, corrected, TODAY, reason="  ")
    priya.record_sentence(case_id, corrected, TODAY, reason="bench said 18 months; I typed 12")

    case = priya.case(case_id)
    assert case.sentence["order"]["order_months"] == 18
    kinds = [e.kind for e in priya.events(case_id)]
    assert kinds.count("sentence_recorded") == 1 and kinds[-1] == "correction_made"  # nothing overwritten
    first, second = history_of(case, "sentence_recorded", describe_sentence)
    assert (first.officer_id, first.corrected) == ("cdo-sam", False)
    assert (second.officer_id, second.corrected, second.reason) == (
        "cdo-priya", True, "bench said 18 months; I typed 12")
    assert second.changes == (("Length of the order", "12 months", "18 months"),
                              ("Drug rehabilitation requirement", "12 months", "18 months"))


def test_a_proposal_is_corrected_the_same_way(session, proposed):
    with pytest.raises(FieldErrors, match="Say why"):
        session.make_proposal(proposed, ProposalInput(("DRR",), COMMUNITY_ORDER, 12))
    session.make_proposal(proposed, ProposalInput(("DRR",), COMMUNITY_ORDER, 12), reason="MHTR withdrawn")
    assert session.case(proposed).proposal["order"]["requirements"] == {"DRR": 12}


def test_lengths_read_as_english_says_them() -> None:
    assert describe_provider({"months": 1})["Length agreed"] == "1 month"
    custody = describe_sentence({"outcome": "probation_sentence", "short_form": "custody", "custody_length": 1,
                                 "custody_unit": "weeks"})
    assert custody["Short form"] == "Custody 1 week"
