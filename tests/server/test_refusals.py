"""Every refusal gets its 4xx with a reason, and stores nothing: no event, no quarantine, no feed entry, no nonce.

The requests are built by hand (signed with the tablet's real key, or deliberately not) so each one
differs from an honest push in exactly the way the test names.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.site import SITES_DIR
from sync.client import SyncError
from sync.protocol import MAX_BATCH_EVENTS
from sync.server import open_context
from tests.server.harness import SECRET, Enrolled, SiteServer
from tests.support import running_server

PUSH = "/api/v1/sync/push"


@pytest.fixture
def refused(site_server: SiteServer) -> Iterator[Callable[[httpx.Response, int, str], None]]:
    """refused(response, status, words): the status, a JSON reason containing the words, and nothing stored."""
    before = (site_server.footprint(), site_server.nonces())

    def check(response: httpx.Response, status: int, words: str) -> None:
        assert response.status_code == status, response.text
        detail = response.json()["detail"]
        assert isinstance(detail, str) and words in detail
        assert SECRET not in response.text
        assert (site_server.footprint(), site_server.nonces()) == before

    yield check


def _post(server: SiteServer, body: bytes, headers: dict[str, str], path: str = PUSH) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", content=body, timeout=30,
                      headers={**headers, "content-type": "application/json"})


@pytest.fixture
def tab(site_server: SiteServer, tmp_path: Path) -> Enrolled:
    tab = site_server.enrolled_tablet(tmp_path / "tablet")
    tab.new_case(notes=2)
    return tab


def test_an_unsigned_push_is_401(site_server: SiteServer, tab: Enrolled, refused: Any) -> None:
    refused(_post(site_server, tab.batch_body(), {}), 401, "not signed")


def test_an_unknown_device_is_401(site_server: SiteServer, tab: Enrolled, refused: Any) -> None:
    body = tab.batch_body(device_id="stranger01")
    headers = tab.signed_headers("POST", PUSH, body, key=Ed25519PrivateKey.generate(), device_id="stranger01")
    refused(_post(site_server, body, headers), 401, "unknown device 'stranger01'")


def test_a_revoked_device_is_refused_at_once_and_keeps_its_records(site_server: SiteServer, tab: Enrolled,
                                                                   refused: Any) -> None:
    admin = site_server.admin()
    assert admin.post(f"/api/v1/admin/devices/{tab.device_id}/revoke").json()["status"] == "revoked"
    body = tab.batch_body()
    refused(_post(site_server, body, tab.signed_headers("POST", PUSH, body)), 403, "revoked")
    with pytest.raises(SyncError) as raised:
        tab.client.push()
    assert raised.value.status == 403 and "revoked" in raised.value.reason
    assert tab.tablet.sync_status().pending == 3  # nothing on the tablet is lost or marked sent
    pulled = httpx.get(f"{site_server.url}/api/v1/sync/pull", headers=tab.signed_headers(
        "GET", "/api/v1/sync/pull", b""))
    assert pulled.status_code == 403  # pulling too


def test_a_bad_signature_is_401(site_server: SiteServer, tab: Enrolled, refused: Any) -> None:
    body = tab.batch_body()
    headers = tab.signed_headers("POST", PUSH, body, key=Ed25519PrivateKey.generate())
    refused(_post(site_server, body, headers), 401, "signature does not match")


def test_a_payload_tampered_on_the_way_is_401(site_server: SiteServer, tab: Enrolled, refused: Any) -> None:
    body = tab.batch_body()
    headers = tab.signed_headers("POST", PUSH, body)
    batch = json.loads(body)
    raw = bytearray(base64.b64decode(batch["events"][1]["sealed"]))
    raw[40] ^= 0x01
    batch["events"][1]["sealed"] = base64.b64encode(bytes(raw)).decode()
    refused(_post(site_server, json.dumps(batch).encode(), headers), 401, "signature does not match")


def test_a_signature_for_another_path_is_401(site_server: SiteServer, tab: Enrolled, refused: Any) -> None:
    body = tab.batch_body()
    refused(_post(site_server, body, tab.signed_headers("POST", "/api/v1/sync/hand-over", body)), 401,
            "signature does not match")


def test_replaying_a_request_that_was_already_stored_is_409(site_server: SiteServer, tab: Enrolled) -> None:
    body = tab.batch_body()
    headers = tab.signed_headers("POST", PUSH, body)
    first = _post(site_server, body, headers)
    assert first.status_code == 200 and first.json()["stored"] == 3
    before = (site_server.footprint(), site_server.nonces())
    again = _post(site_server, body, headers)
    assert again.status_code == 409 and "already received" in again.json()["detail"]
    assert (site_server.footprint(), site_server.nonces()) == before


def test_an_old_request_replayed_after_the_clock_window_is_401(site_server: SiteServer, tab: Enrolled,
                                                               refused: Any) -> None:
    body = tab.batch_body()
    headers = tab.signed_headers("POST", PUSH, body, when=time.time() - 3600)
    refused(_post(site_server, body, headers), 401, "behind the server's clock")


def test_an_old_batch_from_another_device_is_refused(site_server: SiteServer, tab: Enrolled, tmp_path: Path,
                                                     refused: Any) -> None:
    other = site_server.enrolled_tablet(tmp_path / "other", name="Another tablet")
    stolen = tab.batch_body()  # tab's batch, as captured on the way
    # Sent as it was, but signed by the other tablet: the batch names its maker.
    refused(_post(site_server, stolen, other.signed_headers("POST", PUSH, stolen)), 403,
            f"names device '{tab.device_id}' but is signed by '{other.device_id}'")
    # Relabelled as the other tablet's batch: the events still say who made them.
    relabelled = json.dumps({**json.loads(stolen), "device_id": other.device_id}).encode()
    refused(_post(site_server, relabelled, other.signed_headers("POST", PUSH, relabelled)), 403,
            f"made by device '{tab.device_id}'")


def test_an_oversized_batch_is_413(site_server: SiteServer, tab: Enrolled, refused: Any) -> None:
    event = json.loads(tab.batch_body())["events"][0]
    body = tab.batch_body([event] * (MAX_BATCH_EVENTS + 1))
    refused(_post(site_server, body, tab.signed_headers("POST", PUSH, body)), 413, f"at most {MAX_BATCH_EVENTS}")


def test_an_oversized_body_is_413_before_anything_is_read(site_server: SiteServer, tab: Enrolled,
                                                          refused: Any) -> None:
    nine_mib = b"x" * (9 * 1024 * 1024)
    refused(_post(site_server, nine_mib, tab.signed_headers("POST", PUSH, nine_mib)), 413, "larger than 8 MiB")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming too
        for _ in range(9):
            yield b"x" * (1024 * 1024)

    streamed = httpx.post(f"{site_server.url}{PUSH}", content=chunks(), timeout=30,
                          headers={**tab.signed_headers("POST", PUSH, b""), "content-type": "application/json"})
    refused(streamed, 413, "larger than 8 MiB")
    assert httpx.get(f"{site_server.url}/healthz").status_code == 200


def test_a_push_to_another_site_is_403(site_server: SiteServer, tab: Enrolled, refused: Any) -> None:
    for site in ("other", "nowhere"):
        body = tab.batch_body(site_id=site)
        refused(_post(site_server, body, tab.signed_headers("POST", PUSH, body)), 403,
                f"enrolled at site 'demo', not '{site}'")


@pytest.mark.parametrize(("body", "names"), [
    (b"{not json", "JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    (b'{"site_id": "\xff\xfe"}', "JSON"),
    (b"[]", "body"),
    (b'{"device_id": "abcd", "events": [{}]}', "site_id"),
    (b'{"site_id": "demo", "device_id": "abcd", "events": []}', "events"),
    (b'{"site_id": "demo", "device_id": "abcd", "events": {"a": 1}}', "events"),
    (b'{"site_id": "demo", "device_id": "a b", "events": [{}]}', "device_id"),
], ids=["not-json", "nested-too-deep", "not-utf8", "not-an-object", "no-site", "no-events", "events-not-a-list",
        "bad-device-id"])
def test_a_malformed_batch_is_422_naming_the_field(site_server: SiteServer, tab: Enrolled, refused: Any,
                                                   body: bytes, names: str) -> None:
    refused(_post(site_server, body, tab.signed_headers("POST", PUSH, body)), 422, names)


def test_a_device_sending_too_fast_is_429_with_retry_after(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path}/server.db"
    # One token each 20 s (a burst of one), so no token comes back between the requests however busy the machine.
    with running_server(db_url, tmp_path / "data", extra_args=["--device-rate", "0.05", "--address-rate",
                                                               "1000"]) as url:
        ctx = open_context(db_url, tmp_path / "data")
        server = SiteServer(url, ctx, tmp_path / "data", db_url)
        tab = server.enrolled_tablet(tmp_path / "tablet")
        tab.new_case(notes=0)
        body = tab.batch_body()
        assert _post(server, body, tab.signed_headers("POST", PUSH, body)).status_code == 200  # the burst
        held = server.footprint()
        limited = _post(server, body, tab.signed_headers("POST", PUSH, body))
        assert limited.status_code == 429 and "too fast" in limited.json()["detail"]
        assert int(limited.headers["retry-after"]) >= 1
        assert server.footprint() == held
        with pytest.raises(SyncError) as raised:
            tab.client.pull()
        assert raised.value.status == 429 and raised.value.retry_after and raised.value.retry_after >= 1
        ctx.db.dispose()


def test_guessing_enrolment_codes_from_one_address_is_429(tmp_path: Path) -> None:
    from sync.signing import new_code

    db_url = f"sqlite:///{tmp_path}/server.db"
    with running_server(db_url, tmp_path / "data", extra_args=["--address-rate", "0.1"]) as url:
        from sync.client import SyncClient
        from tests.pathway import provisioned_tablet

        client = SyncClient(provisioned_tablet(tmp_path / "tablet"), url)
        statuses = []
        for _ in range(3):
            try:
                client.enrol(new_code())
            except SyncError as exc:
                statuses.append(exc.status)
        assert statuses == [403, 429, 429]


def test_sites_are_partitioned(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text((SITES_DIR / "demo.toml").read_text().replace('id = "demo"', 'id = "other"', 1))
    db_url = f"sqlite:///{tmp_path}/server.db"
    with running_server(db_url, tmp_path / "data", [SITES_DIR / "demo.toml", other]) as url:
        ctx = open_context(db_url, tmp_path / "data", [SITES_DIR / "demo.toml", other])
        server = SiteServer(url, ctx, tmp_path / "data", db_url)
        at_demo = server.enrolled_tablet(tmp_path / "demo-tablet")
        at_demo.new_case(notes=0)
        body = at_demo.batch_body(site_id="other")
        response = _post(server, body, at_demo.signed_headers("POST", PUSH, body))
        assert response.status_code == 403 and "not 'other'" in response.json()["detail"]
        assert at_demo.client.push() == 1
        admin = server.admin()
        assert admin.get("/api/v1/sites/other/summary").json() == {"events": 0, "cases": 0}
        assert admin.get("/api/v1/sites/demo/summary").json() == {"events": 1, "cases": 1}
        ctx.db.dispose()
