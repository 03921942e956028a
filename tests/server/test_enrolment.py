"""Enrolment: a one-time code from the site admin, the tablet's own keys, and a server identity it pins."""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client import EnrolmentError, SyncClient, Unreachable
from sync.db import EnrolmentCode, utcnow
from sync.server import open_context
from sync.signing import code_id, public_b64
from tests.pathway import provisioned_tablet
from tests.plaintext import files_containing
from tests.server.faultproxy import FaultProxy
from tests.server.harness import SiteServer
from tests.support import REPO_ROOT, running_server


def test_a_tablet_enrols_with_a_code_and_pins_the_server(site_server: SiteServer, tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path / "tablet")
    client = SyncClient(tablet, site_server.url)
    code = site_server.issue_code("Chelmsford MC tablet 3")
    enrolment = client.enrol(code.lower().replace("-", " "))  # typed loosely: still the same code
    assert enrolment.device_id == tablet.device_id and enrolment.site_id == "demo"
    assert enrolment.device_name == "Chelmsford MC tablet 3"
    assert enrolment.server_identity_key == site_server.ctx.keys.identity_public
    assert enrolment.server_seal_key == site_server.ctx.keys.seal_public
    assert tablet.server_public_key == site_server.ctx.keys.seal_public  # events are now sealed at write time
    devices = site_server.admin().get("/api/v1/admin/devices").json()
    mine = next(d for d in devices if d["device_id"] == tablet.device_id)
    assert mine["name"] == "Chelmsford MC tablet 3" and mine["status"] == "active"
    # The code itself never reached the server: only a proof made with it.
    assert files_containing(site_server.data_dir, code) == []


def test_a_code_works_once(site_server: SiteServer, tmp_path: Path) -> None:
    code = site_server.issue_code()
    SyncClient(provisioned_tablet(tmp_path / "first"), site_server.url).enrol(code)
    with pytest.raises(EnrolmentError) as raised:
        SyncClient(provisioned_tablet(tmp_path / "second"), site_server.url).enrol(code)
    assert raised.value.status == 403 and "unknown, already used or expired" in raised.value.reason


def test_a_tablet_whose_answer_was_lost_can_present_its_code_again(site_server: SiteServer, tmp_path: Path) -> None:
    tablet = provisioned_tablet(tmp_path / "tablet")
    code = site_server.issue_code()
    proxy = FaultProxy(int(site_server.url.rsplit(":", 1)[1])).start()
    try:
        from tests.server.faultproxy import Plan

        proxy.plan = Plan({"drop_response": 1.0})  # enrolled on the server, but the tablet never hears it
        with pytest.raises(Unreachable):
            SyncClient(tablet, proxy.url, timeout=2).enrol(code)
    finally:
        proxy.stop()
    assert tablet.ledger.enrolment() is None
    enrolment = SyncClient(tablet, site_server.url).enrol(code)  # same keys, same code: the same answer
    assert enrolment.device_id == tablet.device_id


def test_an_expired_or_made_up_code_is_refused(site_server: SiteServer, tmp_path: Path) -> None:
    code = site_server.issue_code()
    with site_server.ctx.db.writer.begin() as conn:
        table = EnrolmentCode.__table__  # type: ignore[attr-defined]
        conn.execute(table.update().where(table.c.code_id == code_id(code)).values(
            expires_at=utcnow() - timedelta(minutes=1)))
    client = SyncClient(provisioned_tablet(tmp_path / "tablet"), site_server.url)
    for attempt in (code, "7KQ4-M2XD-9PRT-HC3W-5ZNB"):
        with pytest.raises(EnrolmentError) as raised:
            client.enrol(attempt)
        assert raised.value.status == 403
    with pytest.raises(EnrolmentError) as raised:
        client.enrol("1234")
    assert raised.value.status is None and "20 letters and digits" in raised.value.reason
    assert client.ledger.enrolment() is None


def test_a_tablet_refuses_a_server_that_cannot_prove_it_issued_the_code(site_server: SiteServer,
                                                                        tmp_path: Path) -> None:
    """A machine in the middle swaps in its own identity key: the answer's proof no longer matches."""
    impostor = public_b64(Ed25519PrivateKey.generate())
    proxy = FaultProxy(int(site_server.url.rsplit(":", 1)[1])).start()
    proxy.rewrite_response = lambda answer: answer.replace(site_server.ctx.keys.identity_public.encode(),
                                                           impostor.encode())
    tablet = provisioned_tablet(tmp_path / "tablet")
    try:
        with pytest.raises(EnrolmentError) as raised:
            SyncClient(tablet, proxy.url).enrol(site_server.issue_code())
    finally:
        proxy.stop()
    assert "could not prove it issued this code" in raised.value.reason
    assert tablet.ledger.enrolment() is None and tablet.server_public_key is None


def test_answers_not_signed_by_the_pinned_server_change_nothing(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    tab.new_case(notes=2)
    proxy = FaultProxy(int(site_server.url.rsplit(":", 1)[1])).start()
    forged = base64.b64encode(b"\0" * 64).decode().encode()
    proxy.rewrite_response = lambda answer: answer.replace(b"courtside-server-signature: ",
                                                           b"courtside-server-signature: " + forged + b"x")
    try:
        from sync.client import SyncError

        with pytest.raises(SyncError) as raised:
            SyncClient(tab.tablet, proxy.url).push()
    finally:
        proxy.stop()
    assert "did not come from this tablet's site server" in raised.value.reason
    assert tab.tablet.sync_status().pending == 3  # the server stored them, but the tablet was not told so


def test_the_device_signing_key_is_not_on_disk_in_the_clear(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    keys = tab.tablet.ledger.device_keys()
    assert keys is not None
    raw = keys.signing.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
    for path in (tmp_path / "tablet").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert raw not in data and raw.hex().encode() not in data and base64.b64encode(raw) not in data, path
    assert (tmp_path / "tablet" / "device.kek").stat().st_mode & 0o777 == 0o600


def _courtside(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "courtside", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_admin_commands_on_the_server_issue_list_and_revoke(tmp_path: Path) -> None:
    data = tmp_path / "server"
    db_url = f"sqlite:///{data}/server.db"
    with running_server(db_url, data) as url:
        issued = _courtside("server", "enrol-code", "--device-name", "Custody suite tablet", "--court",
                            "colchester-mc", "--data-dir", str(data))
        assert issued.returncode == 0, issued.stderr
        code = next(line.strip() for line in issued.stdout.splitlines() if line.startswith("    "))
        tablet = provisioned_tablet(tmp_path / "tablet")
        SyncClient(tablet, url).enrol(code)
        listed = _courtside("server", "devices", "--data-dir", str(data))
        assert tablet.device_id in listed.stdout and "Custody suite tablet" in listed.stdout
        assert "[courts: colchester-mc]" in listed.stdout
        moved = _courtside("server", "courts", tablet.device_id, "chelmsford-mc", "colchester-mc", "--data-dir",
                           str(data))
        assert moved.returncode == 0 and "serves: chelmsford-mc, colchester-mc." in moved.stdout
        wrong = _courtside("server", "courts", tablet.device_id, "basildon-cc", "--data-dir", str(data))
        assert wrong.returncode != 0 and "has no court 'basildon-cc'" in wrong.stderr
        assert "Traceback" not in wrong.stderr
        revoked = _courtside("server", "revoke", tablet.device_id, "--data-dir", str(data))
        assert revoked.returncode == 0 and "refused from now on" in revoked.stdout
        unknown = _courtside("server", "revoke", "nosuchdevice", "--data-dir", str(data))
        assert unknown.returncode != 0 and "unknown device" in unknown.stderr and "Traceback" not in unknown.stderr
        added = subprocess.run([sys.executable, "-m", "courtside", "server", "add-admin", "duty-manager",
                                "--password-stdin", "--data-dir", str(data)], cwd=REPO_ROOT, capture_output=True,
                               text=True, input="a long enough password\n", timeout=120)
        assert added.returncode == 0, added.stderr
        login = httpx.post(f"{url}/api/v1/admin/login", json={"name": "duty-manager",
                                                              "password": "a long enough password"})
        assert login.status_code == 200
        ctx = open_context(db_url, data)
        try:
            from sync.enrolment import list_devices

            assert [d.status for d in list_devices(ctx) if d.device_id == tablet.device_id] == ["revoked"]
        finally:
            ctx.db.dispose()
