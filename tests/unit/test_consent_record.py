"""The consent record on the tablet: the decision with its text, answers, signature or attestation and
interpreter, the separate consent to share, the summary PDF stored encrypted; withdrawal as a new event."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import screening
from app.case import FieldErrors
from app.consent import consent_texts, rerender
from app.consent_events import consent_events
from app.consent_record import MAX_SIGNATURE_POINTS, CheckAnswer, ConsentDetails, Interpreter, Signature
from app.tablet import OfficerSession
from sync.protocol import MAX_SEALED_BYTES
from tests.pathway import A_SIGNATURE, OFFICER, PIN, TODAY, alcohol_dependent_answers, details, provisioned_tablet
from tests.plaintext import files_containing

NAME = "Bolesław Quixotic-Zielińska"


@pytest.fixture
def session(tmp_path: Path) -> OfficerSession:
    return provisioned_tablet(tmp_path / "tablet").unlock(OFFICER, PIN)


def case_at_consent(session: OfficerSession, language: str = "Polish") -> str:
    case_id = session.open_case(details(NAME, language=language, interpreter_needed=bool(language)), TODAY)
    tool = screening.load_tool(session.tablet.site.screening_tool)
    session.record_screening(case_id, tool, alcohol_dependent_answers(tool))
    session.propose(case_id, ["ATR"])
    return case_id


def polish_consent(session: OfficerSession, case_id: str, **changes: object) -> None:
    text, share = consent_texts(["ATR"], "pl")
    missed = text.questions[0]
    wrong = next(o.id for o in missed.options if not o.correct)
    d = ConsentDetails(share_text=share, share_decision="agree", signature=A_SIGNATURE,
                       checks=(CheckAnswer("common.missed", (wrong, missed.correct), True),),
                       interpreter=Interpreter("Anna Nowak", "Polish", "present"), text_scale=1.5)
    d = ConsentDetails(**{**d.__dict__, **changes})
    session.record_consent(case_id, text, "agree", len(text.pages), True, d)


def test_a_consent_is_written_with_its_parts_in_one_go(session: OfficerSession, tmp_path: Path) -> None:
    case_id = case_at_consent(session)
    polish_consent(session, case_id)
    kinds = [e.kind for e in session.events(case_id)]
    assert kinds[-3:] == ["consent_given", "share_consent_recorded", "consent_summary_stored"]
    case = session.case(case_id)
    assert case.consented and case.consent is not None and case.share_consent is not None
    c = case.consent
    assert (c["locale"], c["format"], c["translation_reviewed"], c["decision"]) == ("pl", "easy_read", False, "agree")
    assert c["interpreter"] == {"name": "Anna Nowak", "language": "Polish", "mode": "present"}
    assert c["signature"]["strokes"][0][0] == [20.0, 80.0] and c["signature"]["width"] == 400.0
    assert c["checks"] == [{"question": "common.missed", "answers": ["nothing", "told"], "went_back": True,
                            "first_correct": False, "last_correct": True}]
    assert case.share_consent["text_key"] == "share" and case.share_consent["decision"] == "agree"
    assert rerender(c).pages[0].text.startswith("Sąd może poprosić")

    session.reauthenticate(PIN)  # the summary is an export
    pdf = session.consent_summary(case_id)
    assert pdf is not None
    summary = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")
    for expected in (NAME, "Polish (pl), easy read", "Anna Nowak, Polish, In the room", c["text_hash"],
                     "Czy zgadzasz się na to leczenie?", "Do you agree to this treatment?",
                     "looked again, then right"):
        assert expected in summary, expected
    assert files_containing(tmp_path, NAME) == []  # the PDF is encrypted in the case, never on disk in clear


@pytest.mark.parametrize(("changes", "field"), [
    ({"signature": None}, "signature"),
    ({"signature": Signature((((1.0, 1.0), (2.0, 2.0)),), 400, 160)}, "signature"),  # a tap is not a signature
    ({"interpreter": None}, "interpreter"),
    ({"interpreter": Interpreter("Anna Nowak", "Polish", "video")}, "interpreter_mode"),
    ({"share_decision": None}, "share"),
    ({"checks": (CheckAnswer("common.missed", ("maybe",), False),)}, "checks"),
])
def test_an_incomplete_record_is_refused_at_the_field(session: OfficerSession, changes: dict[str, object],
                                                      field: str) -> None:
    case_id = case_at_consent(session)
    with pytest.raises(FieldErrors) as refused:
        polish_consent(session, case_id, **changes)
    assert field in refused.value.errors
    assert session.case(case_id).consent is None  # nothing was written


def test_the_officer_attests_why_the_person_could_not_sign(session: OfficerSession) -> None:
    case_id = case_at_consent(session)
    polish_consent(session, case_id, signature=None, cannot_sign_reason="Both hands bandaged; agreed aloud")
    consent = session.case(case_id).consent
    assert consent is not None and consent["signature"] is None
    assert consent["cannot_sign_reason"] == "Both hands bandaged; agreed aloud"


def test_no_interpreter_is_allowed_with_a_reason(session: OfficerSession) -> None:
    case_id = case_at_consent(session)
    polish_consent(session, case_id, interpreter=None, no_interpreter_reason="Reads Polish and English well")
    consent = session.case(case_id).consent
    assert consent is not None and consent["no_interpreter_reason"] == "Reads Polish and English well"


def test_withdrawal_is_a_new_event_and_the_consent_stays_in_the_record(session: OfficerSession) -> None:
    case_id = case_at_consent(session)
    polish_consent(session, case_id)
    given = session.case(case_id).consent
    with pytest.raises(FieldErrors, match="reason"):
        session.withdraw_consent(case_id, "", share_too=True)
    session.withdraw_consent(case_id, "Wants to speak to a solicitor first", share_too=True)

    case = session.case(case_id)
    assert not case.consented
    assert case.consent is not None and case.consent["decision"] == "withdrawn"
    assert case.consent["withdrawal"]["reason"] == "Wants to speak to a solicitor first"
    assert case.consent["text_hash"] == given["text_hash"]  # what was agreed to is still named
    assert case.share_consent is not None and case.share_consent["decision"] == "withdrawn"
    kinds = [e.kind for e in case.history]
    assert kinds[-4:] == ["consent_given", "share_consent_recorded", "consent_summary_stored", "consent_withdrawn"]
    assert case.task_status()["consent"] == "in_progress"
    with pytest.raises(FieldErrors, match="no consent to withdraw"):
        session.withdraw_consent(case_id, "Again", share_too=False)
    session.reauthenticate(PIN)
    assert session.consent_summary(case_id) is not None  # the summary of what was given stays


def test_an_english_refusal_needs_no_signature(session: OfficerSession) -> None:
    case_id = case_at_consent(session, language="")
    text, share = consent_texts(["ATR"])
    session.record_consent(case_id, text, "disagree", 3, True, ConsentDetails(share_text=share,
                                                                              share_decision="disagree"))
    case = session.case(case_id)
    assert case.consent is not None and case.consent["decision"] == "disagree" and not case.consented
    assert case.share_consent is not None and case.share_consent["decision"] == "disagree"


def test_the_summary_prints_urdu_right_to_left_within_the_sync_limit(session: OfficerSession) -> None:
    case_id = case_at_consent(session, language="Urdu")
    text, share = consent_texts(["ATR"], "ur")
    session.record_consent(case_id, text, "agree", len(text.pages), True, ConsentDetails(
        share_text=share, share_decision="agree", signature=A_SIGNATURE,
        interpreter=Interpreter("Ayesha Khan", "Urdu", "phone")))
    session.reauthenticate(PIN)  # the summary is an export
    pdf = session.consent_summary(case_id)
    assert pdf is not None and len(pdf) < 180 * 1024
    assert "Urdu (ur)" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_longest_consent_still_fits_one_synced_event_each(session: OfficerSession) -> None:
    """Three requirements in Urdu easy read with a long signature: every event stays under the sync limit."""
    case_id = case_at_consent(session, language="Urdu")
    case = session.case(case_id)
    text, share = consent_texts(["ATR", "DRR", "MHTR_SECONDARY"], "ur")
    long_signature = Signature((tuple((float(i % 640), float(i % 240)) for i in range(MAX_SIGNATURE_POINTS)),),
                               640.0, 240.0)
    d = ConsentDetails(share_text=share, share_decision="agree", signature=long_signature,
                       interpreter=Interpreter("Ayesha Khan", "Urdu", "phone"))
    for kind, payload in consent_events(case, text, "agree", len(text.pages), OFFICER, "Sam Taylor", "Court", d):
        sealed = len(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()) + 32 + 12 + 16
        assert sealed < MAX_SEALED_BYTES, (kind, sealed)
