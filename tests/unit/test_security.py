"""Tablet security: PIN rules, lockout and wipe, keys across officers, tamper refusal, the audit chain, retention."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app import audit, clock, crypto, retention
from app.case import FieldErrors
from app.pin import pin_problem
from app.site import ConfigError, build_site, demo_site_path, load_site
from app.store import AuditRow, CaseRow, EventRow, OfficerKey, Session, select
from app.tablet import MAX_PIN_ATTEMPTS, OfficerLocked, PinNeeded, Tablet, TabletWiped, WrongPin
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet, walk_pathway
from tests.support import fake_page

OTHER = "cdo-priya"
OTHER_PIN = "7391"
NAME = "Ophelia Wrenfield-Stroud"



def strict_tablet(data_dir: Path, **security: int) -> Tablet:
    """A provisioned tablet whose site sets its own [security] limits."""
    tablet = provisioned_tablet(data_dir)
    raw = dict(load_site(demo_site_path()).raw)
    raw["security"] = {**raw.get("security", {}), **security}
    tablet.install_site(build_site(raw, demo_site_path()), "test")
    return tablet


def with_second_officer(tablet: Tablet) -> Tablet:
    tablet.enrol_officer(OTHER, OTHER_PIN, data_key=tablet.unlock(OFFICER, PIN)._key)
    return tablet


# --- PIN rules ---

@pytest.mark.parametrize("pin", ["1234", "4321", "7890", "0987", "1111", "000000", "123", "12a4", "１２３５"])
def test_weak_pins_are_refused_with_a_reason(pin: str) -> None:
    assert pin_problem(pin)


@pytest.mark.parametrize("pin", ["2468", "7391", "1357", "902817"])
def test_ordinary_pins_are_accepted(pin: str) -> None:
    assert pin_problem(pin) is None


def test_enrolment_enforces_the_pin_rules_and_the_sites_minimum_length(tmp_path: Path) -> None:
    tablet = strict_tablet(tmp_path, pin_min_length=6)
    key = tablet.unlock(OFFICER, PIN)._key  # enrolled before the stricter rule
    for pin, words in [("1234", "at least 6"), ("123456", "run of digits"), ("999999", "repeated")]:
        with pytest.raises(FieldErrors) as exc:
            tablet.enrol_officer(OTHER, pin, data_key=key)
        assert words in exc.value.errors["pin"]
    tablet.enrol_officer(OTHER, "739105", data_key=key)


def test_a_bad_security_setting_is_named() -> None:
    raw = dict(load_site(demo_site_path()).raw)
    with pytest.raises(ConfigError, match="wipe_after"):
        build_site({**raw, "security": {"lockout_after": 5, "wipe_after": 3}}, demo_site_path())
    with pytest.raises(ConfigError, match="idle_minutes"):
        build_site({**raw, "security": {"idle_minutes": 3}}, demo_site_path())


# --- keys ---

@pytest.mark.real_kdf
def test_scrypt_parameters_are_kept_with_each_wrapped_key(tmp_path: Path) -> None:
    tablet = with_second_officer(provisioned_tablet(tmp_path))
    with Session(tablet.engine) as s:
        keys = {k.officer_id: k for k in s.exec(select(OfficerKey))}
    assert set(keys) == {OFFICER, OTHER}
    for k in keys.values():
        assert k.kdf_n >= 2**15 and k.kdf_r == 8 and k.kdf_p >= 1 and len(k.kdf_salt) == 16
    assert keys[OFFICER].kdf_salt != keys[OTHER].kdf_salt
    assert keys[OFFICER].wrapped_key != keys[OTHER].wrapped_key


def test_one_data_key_is_wrapped_for_each_officer(tmp_path: Path) -> None:
    tablet = with_second_officer(provisioned_tablet(tmp_path))
    case_id = tablet.unlock(OFFICER, PIN).open_case(details(NAME), TODAY)
    other = tablet.unlock(OTHER, OTHER_PIN)
    other.reauthenticate(OTHER_PIN)  # another officer's case
    assert other.case(case_id).details.name == NAME  # type: ignore[union-attr]
    with Session(tablet.engine) as s:
        mine = s.get(OfficerKey, OFFICER)
    assert mine is not None and mine.wrapped_key is not None
    params = crypto.KdfParams(mine.kdf_salt, mine.kdf_n, mine.kdf_r, mine.kdf_p)
    with pytest.raises(crypto.VaultError):  # a wrapped key moved to another officer's row does not open
        crypto.unwrap_key(mine.wrapped_key, PIN, params, OTHER.encode())


def _tamper(tablet: Tablet, case_id: str, change: Any) -> None:
    with Session(tablet.engine) as s:
        rows = s.exec(select(EventRow).where(EventRow.case_id == case_id).order_by(EventRow.hlc)).all()
        change(rows)
        for r in rows:
            s.add(r)
        s.commit()


def test_a_tampered_ciphertext_is_refused(tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session, NAME)

    def flip(rows: list[EventRow]) -> None:
        blob = bytearray(rows[1].payload)
        blob[-1] ^= 1
        rows[1].payload = bytes(blob)

    _tamper(tablet, case_id, flip)
    with pytest.raises(crypto.VaultError):
        session.events(case_id)


def test_a_blob_moved_to_another_record_is_refused(tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    first = session.open_case(details(NAME), TODAY)
    second = session.open_case(details("Someone Else"), TODAY)
    with Session(tablet.engine) as s:
        moved = s.exec(select(EventRow).where(EventRow.case_id == first)).one().payload
    _tamper(tablet, second, lambda rows: setattr(rows[0], "payload", moved))
    with pytest.raises(crypto.VaultError):
        session.events(second)


# --- lockout and wipe ---

@pytest.mark.parametrize("limit", [MAX_PIN_ATTEMPTS, 3])  # the default, and a site's own
def test_wrong_pins_lock_the_officer_out_at_the_sites_limit(tmp_path: Path, limit: int) -> None:
    tablet = with_second_officer(strict_tablet(tmp_path, lockout_after=limit, wipe_after=10))
    for left in range(limit - 1, 0, -1):
        with pytest.raises(WrongPin) as exc:
            tablet.unlock(OFFICER, "0000")
        assert exc.value.tries_left == left
    with pytest.raises(OfficerLocked):
        tablet.unlock(OFFICER, "0000")
    with pytest.raises(OfficerLocked):
        tablet.unlock(OFFICER, PIN)  # locked out: the right PIN is not even tried
    other = tablet.unlock(OTHER, OTHER_PIN)  # a good PIN by another officer resets the tablet's count
    tablet.enrol_officer(OFFICER, "1357", data_key=other._key)  # another officer lets them back in
    assert tablet.unlock(OFFICER, "1357").officer_id == OFFICER
    actions = [e.action for e in audit.entries(tablet.engine) if e.officer_id == OFFICER]
    assert actions.count(audit.UNLOCK_FAILED) == limit + 1 and audit.LOCKED_OUT in actions


def test_too_many_wrong_pins_on_the_tablet_destroy_every_wrapped_key(tmp_path: Path) -> None:
    tablet = with_second_officer(strict_tablet(tmp_path, lockout_after=3, wipe_after=5))
    for officer in (OFFICER, OFFICER, OTHER, OTHER):  # spreading guesses over officers does not help
        with pytest.raises(WrongPin):
            tablet.unlock(officer, "0000")
    with pytest.raises(TabletWiped):
        tablet.unlock(OFFICER, "0000")
    with Session(tablet.engine) as s:
        assert all(k.wrapped_key is None for k in s.exec(select(OfficerKey)))
    for officer, pin in ((OFFICER, PIN), (OTHER, OTHER_PIN)):
        with pytest.raises(TabletWiped):
            tablet.unlock(officer, pin)
    assert Tablet(tmp_path).wiped  # survives a restart
    assert audit.WIPED in [e.action for e in audit.entries(tablet.engine)]
    assert audit.verify(tablet.engine) is None


def test_reauthentication_takes_the_pin_again_and_counts_a_wrong_one(tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    session.reauthenticate(PIN)
    with pytest.raises(WrongPin):
        session.reauthenticate("0000")
    assert audit.entries(tablet.engine)[-1].action == audit.UNLOCK_FAILED


def test_exports_need_the_pin_again_and_a_refused_one_leaves_no_export(tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session)  # the leaflet was given, so printing it now is a reprint
    for export in (session.proposal_pdf, session.consent_summary, session.leaflet):
        with pytest.raises(PinNeeded) as asked:
            export(case_id)
        assert "PIN" in str(asked.value) and not asked.value.opening
    exported = [e for e in audit.entries(tablet.engine, case_id) if e.action in (audit.EXPORT, audit.PRINT)]
    session.reauthenticate(PIN)
    for export in (session.proposal_pdf, session.consent_summary, session.leaflet):
        assert export(case_id)[:5] == b"%PDF-"  # within the next two minutes: asked once, not three times
    assert len([e for e in audit.entries(tablet.engine, case_id)
                if e.action in (audit.EXPORT, audit.PRINT)]) == len(exported) + 3
    session._reauth_until = 0.0  # the two minutes are over
    with pytest.raises(PinNeeded):
        session.proposal_pdf(case_id)


def test_taking_the_tablet_back_from_defendant_mode_does_not_cover_an_export(tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session)
    session.reauthenticate(PIN, for_a_while=False)  # as defendant mode's "take the tablet back" does
    with pytest.raises(PinNeeded):
        session.proposal_pdf(case_id)


def test_opening_another_officers_case_needs_the_pin_once_a_session(tmp_path: Path) -> None:
    tablet = with_second_officer(provisioned_tablet(tmp_path))
    case_id = walk_pathway(tablet.unlock(OFFICER, PIN))
    colleague = tablet.unlock(OTHER, OTHER_PIN)
    assert [c.case_id for c in colleague.todays_cases("chelmsford-mc", TODAY)] == [case_id]  # listed, not opened
    views = len([e for e in audit.entries(tablet.engine, case_id) if e.action == audit.VIEW])
    for opening in (colleague.case, colleague.events):
        with pytest.raises(PinNeeded) as asked:
            opening(case_id)
        assert asked.value.opening
    assert len([e for e in audit.entries(tablet.engine, case_id)
                if e.action == audit.VIEW and e.officer_id == OTHER and e.detail != audit.LISTED]) == 0
    with pytest.raises(WrongPin):
        colleague.reauthenticate(PIN)  # the first officer's PIN is not the colleague's
    colleague.reauthenticate(OTHER_PIN)
    assert colleague.case(case_id).details is not None
    colleague._reauth_until = 0.0
    assert colleague.case(case_id).case_id == case_id  # opened once: the rest of the session does not ask again
    assert len([e for e in audit.entries(tablet.engine, case_id) if e.action == audit.VIEW]) == views + 1
    with pytest.raises(PinNeeded):
        tablet.unlock(OTHER, OTHER_PIN).case(case_id)  # a new session asks again
    tablet.unlock(OFFICER, PIN).case(case_id)  # the officer who worked on it is never asked


def test_once_an_officer_has_recorded_on_a_case_it_is_theirs_too(tmp_path: Path) -> None:
    tablet = with_second_officer(provisioned_tablet(tmp_path))
    case_id = tablet.unlock(OFFICER, PIN).open_case(details(), TODAY)
    colleague = tablet.unlock(OTHER, OTHER_PIN)
    colleague.reauthenticate(OTHER_PIN)
    colleague.update_details(case_id, details(offence="Theft of a bicycle"), TODAY,
                             "The charge sheet was read out")  # the colleague now has a record in the case
    assert tablet.unlock(OTHER, OTHER_PIN).case(case_id).case_id == case_id


# --- officers removed by the site ---

def without_officer(officer_id: str) -> dict[str, Any]:
    raw = dict(load_site(demo_site_path()).raw)
    raw["officers"] = [o for o in raw["officers"] if o["id"] != officer_id]
    return raw


def test_an_officer_the_site_file_drops_loses_their_key_at_once_and_it_is_audited(tmp_path: Path) -> None:
    tablet = with_second_officer(provisioned_tablet(tmp_path))
    case_id = walk_pathway(tablet.unlock(OFFICER, PIN))
    leaving = tablet.unlock(OTHER, OTHER_PIN)
    tablet.install_site(build_site(without_officer(OTHER), demo_site_path()), "test")
    assert OTHER not in tablet.enrolled_officers()
    with Session(tablet.engine) as s:
        assert s.get(OfficerKey, OTHER) is None
    with pytest.raises(OfficerLocked):
        tablet.unlock(OTHER, OTHER_PIN)
    assert not leaving.still_listed  # the open session is ended by the screens' poll (Shell.start_polling)
    removed = [e for e in audit.entries(tablet.engine) if e.action == audit.KEY_DELETED]
    assert [(e.officer_id, e.detail) for e in removed] == [(OTHER, "removed_from_site")]
    assert tablet.unlock(OFFICER, PIN).case(case_id).details is not None  # the data key itself is untouched
    assert audit.verify(tablet.engine) is None


def test_a_site_file_pulled_from_the_server_drops_the_officer_in_the_same_transaction(tmp_path: Path) -> None:
    from app.syncstate import PulledConfig

    tablet = with_second_officer(provisioned_tablet(tmp_path))
    cursor = tablet.ledger.cursor()
    tablet.ledger.store_pulled([], [PulledConfig(seq=7, version=7, site=without_officer(OTHER), content={})], "7")
    assert tablet.ledger.cursor() != cursor
    assert tablet.enrolled_officers() == [OFFICER]
    with pytest.raises(OfficerLocked):
        tablet.unlock(OTHER, OTHER_PIN)
    assert tablet.unlock(OFFICER, PIN).still_listed


# --- the audit trail ---

def walked(tmp_path: Path) -> tuple[Tablet, str]:
    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session, NAME)
    session.reauthenticate(PIN)
    session.proposal_pdf(case_id)
    session.consent_summary(case_id)
    tablet.unlock(OFFICER, PIN).case(case_id)  # opened again in a later session: a view
    return tablet, case_id


def test_every_view_create_change_print_and_export_is_audited_with_ids_only(tmp_path: Path) -> None:
    tablet, case_id = walked(tmp_path)
    entries = audit.entries(tablet.engine, case_id)
    assert {e.action for e in entries} >= {audit.VIEW, audit.CREATE, audit.CHANGE, audit.PRINT, audit.EXPORT}
    assert all(e.officer_id == OFFICER and e.device_id == tablet.device_id for e in entries)
    text = " ".join(f"{e.action} {e.detail} {e.case_id} {e.officer_id}" for e in audit.entries(tablet.engine))
    for secret in (NAME, "Ophelia", "1988-05-14", "14/05/1988"):
        assert secret not in text
    assert audit.verify(tablet.engine) is None


def test_a_list_showing_names_and_a_search_by_name_are_audited_without_the_name(tmp_path: Path) -> None:
    tablet, case_id = walked(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    before = len(audit.entries(tablet.engine))
    listed = session.todays_cases("chelmsford-mc", TODAY)
    assert [c.case_id for c in listed] == [case_id]
    session.todays_cases("chelmsford-mc", TODAY)  # shown again in the same session: not a new view
    assert session.find_by_name(NAME) == [case_id]
    new = audit.entries(tablet.engine)[before:]
    assert [(e.action, e.case_id, e.detail) for e in new] == [
        (audit.VIEW, case_id, audit.LISTED), (audit.SEARCH, "", "name matches=1")]
    assert all(e.officer_id == OFFICER for e in new)
    assert audit.verify(tablet.engine) is None


def _edit(tablet: Tablet, sql: str) -> None:
    db = sqlite3.connect(tablet.data_dir / "tablet.db")
    db.executescript(sql)
    db.commit()
    db.close()


@pytest.mark.parametrize(("sql", "broken"), [
    ("delete from auditrow where seq = 3", 3),
    ("update auditrow set case_id = 'another-case' where seq = 4", 4),
    ("update auditrow set action = 'view' where seq = 2", 2),
    ("update auditrow set seq = -1 where seq = 2; update auditrow set seq = 2 where seq = 3;"
     "update auditrow set seq = 3 where seq = -1", 2),
    ("delete from auditrow where seq = (select max(seq) from auditrow)", None),
    ("delete from auditrow where seq = 1", 1),
])
def test_any_edit_to_the_audit_trail_breaks_the_chain_where_it_happened(tmp_path: Path, sql: str,
                                                                        broken: int | None) -> None:
    tablet, _case_id = walked(tmp_path)
    last = audit.entries(tablet.engine)[-1].seq
    _edit(tablet, sql)
    found = audit.verify(tablet.engine)
    assert found is not None and found.seq == (broken or last)


def test_audit_verify_exits_non_zero_naming_the_first_broken_entry(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    import courtside

    tablet, _case_id = walked(tmp_path)
    with pytest.raises(SystemExit) as ok:
        courtside.main(["audit", "verify", "--data-dir", str(tmp_path)])
    assert ok.value.code == 0
    _edit(tablet, "update auditrow set detail = 'x' where seq = 5")
    with pytest.raises(SystemExit) as bad:
        courtside.main(["audit", "verify", "--data-dir", str(tmp_path)])
    assert bad.value.code == 1 and "audit entry 5" in capsys.readouterr().err


# --- retention ---

def _all_synced(tablet: Tablet) -> None:
    _edit(tablet, "update eventrow set sync_state = 'synced'")  # as the push would once the server holds them


def test_closed_synced_cases_are_purged_after_the_sites_period_and_the_purge_is_audited(tmp_path: Path) -> None:
    tablet = strict_tablet(tmp_path, purge_after_days=30)
    session = tablet.unlock(OFFICER, PIN)
    closed = walk_pathway(session, NAME)
    still_open = session.open_case(details("Someone Else"), TODAY)
    _all_synced(tablet)
    unsynced = walk_pathway(session, "Not Yet Synced")
    now = clock.now()
    assert retention.purge_closed(tablet, now + timedelta(days=29)) == []  # not yet
    tablet.unlock(OFFICER, PIN, now=now + timedelta(days=31))  # each unlock purges
    with Session(tablet.engine) as s:
        assert s.exec(select(EventRow).where(EventRow.case_id == closed)).all() == []
        assert s.get(CaseRow, closed) is None
        assert s.get(CaseRow, still_open) is not None and s.get(CaseRow, unsynced) is not None
        purge = s.exec(select(AuditRow).where(AuditRow.action == audit.PURGE)).all()
    assert [(p.case_id, p.officer_id) for p in purge] == [(closed, OFFICER)]
    assert audit.verify(tablet.engine) is None


# --- idle lock ---

def test_an_idle_officer_session_locks_but_defendant_mode_does_not(tmp_path: Path) -> None:
    from screens.shell import AppContext, Shell

    tablet = strict_tablet(tmp_path, idle_lock_minutes=2)
    page = fake_page()
    shell = Shell(page, AppContext(tablet=tablet))  # type: ignore[arg-type]
    assert not shell.idle_too_long(shell.last_activity + 9999)  # nobody signed in
    shell.session = tablet.unlock(OFFICER, PIN)
    shell.last_activity = 1000.0  # a whole number of seconds: (t + 120) - t is not 120 for every float t
    assert not shell.idle_too_long(shell.last_activity + 119)
    assert shell.idle_too_long(shell.last_activity + 120)
    shell.defendant_mode = True
    assert not shell.idle_too_long(shell.last_activity + 9999)
    shell.defendant_mode = False
    shell.touch()
    shell.last_activity -= 120  # two idle minutes, while the poller keeps refreshing the sync status
    asyncio.run(shell.refresh_sync())
    assert shell.idle_too_long()


def test_a_leaflet_reprint_asks_for_the_pin_again(tmp_path: Path) -> None:
    import asyncio
    import contextlib

    from screens import leaflet
    from screens.shell import AppContext, Shell

    tablet = provisioned_tablet(tmp_path)
    session = tablet.unlock(OFFICER, PIN)
    case_id = walk_pathway(session)  # the leaflet was given
    page = fake_page(web=True)
    shell = Shell(page, AppContext(tablet=tablet))  # type: ignore[arg-type]
    shell.session = session
    asyncio.run(shell.go(leaflet.leaflet_page, case_id))
    gate = page.controls[0].content
    assert gate.controls[0].content.value == "Enter your PIN again"  # type: ignore[attr-defined]
    printed = len([e for e in audit.entries(tablet.engine, case_id) if e.action == audit.PRINT])
    session.reauthenticate(PIN)
    with contextlib.suppress(RuntimeError):  # the print button needs a live Flet page; the PDF is made before it
        asyncio.run(leaflet.leaflet_page(shell, case_id))
    assert len([e for e in audit.entries(tablet.engine, case_id) if e.action == audit.PRINT]) == printed + 1
