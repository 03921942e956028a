"""The site server over real HTTP, on SQLite and on PostgreSQL: a push is an idempotent set union.

Each test starts `python -m sync.server` in its own process with its own database (a SQLite file, or
a fresh PostgreSQL schema), seals payloads to the key the server publishes, and checks what the
server answers and what it then holds.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.crypto import event_aad, load_or_create_server_key, public_key_b64, seal
from app.site import SITES_DIR
from sync.protocol import MAX_BATCH_EVENTS, WireEvent
from tests.pg import fresh_schema
from tests.support import running_server

SITE = "demo"
SECRET = "Alex Example, born 1990-01-01"  # stands for personal data: must never be readable at rest


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/server.db"
    else:
        with fresh_schema(request.getfixturevalue("pg_url")) as url:
            yield url


@dataclass
class Server:
    http: httpx.Client
    public_key: str
    data_dir: Path

    def push(self, events: list[WireEvent] | list[dict[str, Any]], site_id: str = SITE) -> httpx.Response:
        wire = [e.model_dump() if isinstance(e, WireEvent) else e for e in events]
        return self.http.post("/api/v1/events", json={"site_id": site_id, "device_id": "tab-1", "events": wire})

    def case_events(self, case_id: str, site_id: str = SITE) -> list[dict[str, Any]]:
        response = self.http.get(f"/api/v1/sites/{site_id}/cases/{case_id}/events")
        assert response.status_code == 200, response.text
        return response.json()

    def summary(self, site_id: str = SITE) -> dict[str, int]:
        return self.http.get(f"/api/v1/sites/{site_id}/summary").json()


@pytest.fixture
def server(db_url: str, tmp_path: Path, run_server: Any) -> Iterator[Server]:
    data_dir = tmp_path / "data"
    with httpx.Client(base_url=run_server(db_url, data_dir), timeout=60) as http:
        key = http.get(f"/api/v1/sites/{SITE}/config").json()["server_public_key"]
        yield Server(http, key, data_dir)


_clock = iter(range(10**6))


def stamp() -> str:
    """A sortable stamp, increasing with each call (the shape of a hybrid logical clock)."""
    return f"{1_763_900_000_000 + next(_clock):015d}-0000-tab-1"


def event(server: Server, case_id: str, kind: str = "case_opened", hlc: str | None = None,
          payload: str = SECRET) -> WireEvent:
    return WireEvent.seal_payload(
        server.public_key, json.dumps({"note": payload}).encode(), id=str(uuid.uuid4()), case_id=case_id,
        kind=kind, hlc=hlc or stamp(), device_id="tab-1", officer_id="cdo-sam", schema_version=1)


def new_case() -> str:
    return str(uuid.uuid4())


def ids(events: list[WireEvent]) -> list[str]:
    return [e.id for e in events]


# --- health and configuration ---

def test_health_check_answers_ok(server: Server) -> None:
    assert server.http.get("/healthz").json() == {"status": "ok"}


def test_site_config_carries_the_site_file_and_the_key_on_disk(server: Server) -> None:
    body = server.http.get(f"/api/v1/sites/{SITE}/config").json()
    assert body["protocol"] == 1
    assert body["site"]["site"]["id"] == SITE
    assert body["site"]["courts"][0]["id"] == "chelmsford-mc"
    on_disk = load_or_create_server_key(server.data_dir / "server_key.pem")
    assert body["server_public_key"] == public_key_b64(on_disk)


def test_unknown_site_config_is_404_naming_the_site(server: Server) -> None:
    response = server.http.get("/api/v1/sites/nowhere/config")
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown site 'nowhere'"}


# --- pushing is an idempotent set union ---

def test_a_pushed_batch_is_stored(server: Server) -> None:
    case = new_case()
    batch = [event(server, case, "case_opened"), event(server, case, "screening_completed"),
             event(server, case, "consent_given")]
    response = server.push(batch)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 3, "duplicates": 0, "accepted_ids": ids(batch)}
    assert [e["id"] for e in server.case_events(case)] == ids(batch)
    assert server.summary() == {"events": 3, "cases": 1}


def test_pushing_the_same_batch_again_stores_nothing_new(server: Server) -> None:
    case = new_case()
    batch = [event(server, case) for _ in range(3)]
    assert server.push(batch).json()["stored"] == 3
    again = server.push(batch)
    assert again.status_code == 200
    assert again.json() == {"stored": 0, "duplicates": 3, "accepted_ids": ids(batch)}
    assert server.summary() == {"events": 3, "cases": 1}


def test_an_event_repeated_within_a_batch_is_stored_once(server: Server) -> None:
    case = new_case()
    first, second = event(server, case), event(server, case, "screening_completed")
    response = server.push([first, first, second, first])
    assert response.json() == {"stored": 2, "duplicates": 2, "accepted_ids": [first.id, second.id]}
    assert len(server.case_events(case)) == 2


def test_reordered_overlapping_batches_converge_on_one_copy_of_each(server: Server) -> None:
    case = new_case()
    e1, e2, e3 = (event(server, case) for _ in range(3))
    assert server.push([e3, e1]).json()["stored"] == 2
    assert server.push([e2, e3, e1]).json() == {"stored": 1, "duplicates": 2, "accepted_ids": [e2.id, e3.id, e1.id]}
    assert [e["id"] for e in server.case_events(case)] == [e1.id, e2.id, e3.id]


def test_concurrent_pushes_of_one_batch_store_exactly_one_copy(server: Server) -> None:
    case = new_case()
    batch = [event(server, case) for _ in range(200)]

    def push_shuffled(seed: int) -> dict[str, Any]:
        mine = batch[:]
        random.Random(seed).shuffle(mine)
        with httpx.Client(base_url=str(server.http.base_url), timeout=60) as http:
            response = http.post("/api/v1/events", json={
                "site_id": SITE, "device_id": "tab-1", "events": [e.model_dump() for e in mine]})
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(push_shuffled, range(8)))
    assert sum(r["stored"] for r in results) == 200
    assert server.summary() == {"events": 200, "cases": 1}


def test_case_events_are_listed_in_hlc_order_without_payloads(server: Server) -> None:
    case, other_case = new_case(), new_case()
    in_order = [event(server, case, hlc=stamp()) for _ in range(6)]
    shuffled = in_order[:]
    random.Random(7).shuffle(shuffled)
    server.push(shuffled[:3])
    server.push([event(server, other_case), *shuffled[3:]])
    listed = server.case_events(case)
    assert [e["id"] for e in listed] == ids(in_order)
    assert [e["hlc"] for e in listed] == sorted(e.hlc for e in in_order)
    assert set(listed[0]) == {"id", "kind", "hlc", "device_id", "officer_id", "schema_version"}
    assert server.summary() == {"events": 7, "cases": 2}


def test_a_case_with_no_events_lists_empty(server: Server) -> None:
    assert server.case_events(new_case()) == []


def test_a_restarted_server_keeps_its_key_and_its_events(db_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "restart"
    with running_server(db_url, data_dir) as base, httpx.Client(base_url=base, timeout=60) as http:
        server = Server(http, http.get(f"/api/v1/sites/{SITE}/config").json()["server_public_key"], data_dir)
        case = new_case()
        batch = [event(server, case) for _ in range(2)]
        assert server.push(batch).json()["stored"] == 2
    with running_server(db_url, data_dir) as base, httpx.Client(base_url=base, timeout=60) as http:
        again = Server(http, http.get(f"/api/v1/sites/{SITE}/config").json()["server_public_key"], data_dir)
        assert again.public_key == server.public_key
        assert again.push(batch).json() == {"stored": 0, "duplicates": 2, "accepted_ids": ids(batch)}


# --- refusals: nothing from a refused batch is stored ---

def _flip_a_byte(sealed_b64: str) -> str:
    raw = bytearray(base64.b64decode(sealed_b64))
    raw[-1] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_a_tampered_event_refuses_the_whole_batch_naming_it(server: Server) -> None:
    case = new_case()
    good1, victim, good2 = (event(server, case) for _ in range(3))
    tampered = victim.model_copy(update={"sealed": _flip_a_byte(victim.sealed)})
    response = server.push([good1, tampered, good2])
    assert response.status_code == 422
    assert victim.id in response.json()["detail"]
    assert server.case_events(case) == []
    assert server.summary() == {"events": 0, "cases": 0}
    assert server.push([good1, victim, good2]).json()["stored"] == 3  # the honest batch still goes in


def test_a_blob_moved_to_another_record_is_refused(server: Server) -> None:
    case, other_case = new_case(), new_case()
    original = event(server, other_case)
    moved = original.model_copy(update={"id": str(uuid.uuid4()), "case_id": case})
    response = server.push([event(server, case), moved])
    assert response.status_code == 422
    assert moved.id in response.json()["detail"]
    assert server.summary() == {"events": 0, "cases": 0}


def test_an_event_sealed_to_another_server_is_refused(server: Server) -> None:
    stranger = public_key_b64(X25519PrivateKey.generate())
    event_id, case = str(uuid.uuid4()), new_case()
    blob = seal(stranger, b"{}", event_aad(event_id, case))
    wrong = event(server, case).model_copy(update={"id": event_id, "sealed": base64.b64encode(blob).decode()})
    response = server.push([wrong])
    assert response.status_code == 422
    assert event_id in response.json()["detail"]


def test_a_push_to_an_unknown_site_is_404_and_stores_nothing(server: Server) -> None:
    case = new_case()
    response = server.push([event(server, case)], site_id="nowhere")
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown site 'nowhere'"}
    assert server.summary() == {"events": 0, "cases": 0}


def test_an_event_id_already_held_for_another_case_is_a_conflict(server: Server) -> None:
    first = event(server, new_case())
    assert server.push([first]).json()["stored"] == 1
    other_case = new_case()
    same_id = WireEvent.seal_payload(server.public_key, b"{}", id=first.id, case_id=other_case,
                                     kind="case_opened", hlc=stamp(), device_id="tab-2", officer_id="cdo-sam",
                                     schema_version=1)
    fresh = event(server, other_case)
    response = server.push([fresh, same_id])
    assert response.status_code == 409
    assert first.id in response.json()["detail"]
    assert server.case_events(other_case) == []  # the fresh event of that batch was rolled back too


def _valid(server: Server) -> dict[str, Any]:
    return event(server, new_case()).model_dump()


@pytest.mark.parametrize(("make_body", "names"), [
    (lambda s: b"{not json", "JSON"),
    (lambda s: b"[" * 100_000 + b"]" * 100_000, "body"),
    (lambda s: b'{"site_id": "\xff\xfe"}', "body"),
    (lambda s: [], "body"),
    (lambda s: {"device_id": "tab-1", "events": [_valid(s)]}, "site_id"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1", "events": []}, "events"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1", "events": [_valid(s)] * (MAX_BATCH_EVENTS + 1)},
     "events"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1", "events": [{**_valid(s), "id": "not-a-uuid"}]},
     "events.0.id"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1",
                "events": [{**_valid(s), "case_id": str(uuid.uuid4()).upper()}]}, "events.0.case_id"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1", "events": [{**_valid(s), "kind": "Drop Table"}]},
     "events.0.kind"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1", "events": [{**_valid(s), "sealed": "%%%"}]},
     "events.0.sealed"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1", "events": [{**_valid(s), "schema_version": "one"}]},
     "events.0.schema_version"),
    (lambda s: {"site_id": SITE, "device_id": "tab-1", "events": [{**_valid(s), "payload": SECRET}]},
     "events.0.payload"),
], ids=["not-json", "nested-too-deep", "not-utf8", "not-an-object", "no-site", "no-events", "too-many-events", "bad-id",
        "non-canonical-case-id", "bad-kind", "bad-base64", "bad-schema-version", "unexpected-field"])
def test_a_malformed_push_is_422_with_a_reason_naming_the_field(server: Server, make_body: Any,
                                                                 names: str) -> None:
    body = make_body(server)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = server.http.post("/api/v1/events", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert names in detail
    assert SECRET not in detail  # a refusal never echoes what was sent
    assert server.summary() == {"events": 0, "cases": 0}


def test_bad_case_listing_requests_are_refused_with_reasons(server: Server) -> None:
    unknown = server.http.get(f"/api/v1/sites/nowhere/cases/{new_case()}/events")
    assert unknown.status_code == 404 and unknown.json() == {"detail": "unknown site 'nowhere'"}
    not_a_case = server.http.get(f"/api/v1/sites/{SITE}/cases/42/events")
    assert not_a_case.status_code == 422 and "case_id" in not_a_case.json()["detail"]
    assert server.http.get("/api/v1/sites/nowhere/summary").status_code == 404


def test_an_oversize_body_is_refused_with_413(server: Server) -> None:
    nine_mib = b"x" * (9 * 1024 * 1024)
    declared = server.http.post("/api/v1/events", content=nine_mib, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert "larger than 8 MiB" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming too
        for _ in range(9):
            yield b"x" * (1024 * 1024)

    streamed = server.http.post("/api/v1/events", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert server.http.get("/healthz").status_code == 200


# --- what is kept, and where ---

def test_sites_are_partitioned(db_url: str, tmp_path: Path, run_server: Any) -> None:
    other = tmp_path / "other.toml"
    other.write_text((SITES_DIR / "demo.toml").read_text().replace('id = "demo"', 'id = "other"', 1))
    base = run_server(db_url, tmp_path / "data", [SITES_DIR / "demo.toml", other])
    with httpx.Client(base_url=base, timeout=60) as http:
        server = Server(http, http.get(f"/api/v1/sites/{SITE}/config").json()["server_public_key"], tmp_path)
        assert http.get("/api/v1/sites/other/config").json()["site"]["site"]["id"] == "other"
        case = new_case()
        demo_event = event(server, case)
        assert server.push([demo_event]).json()["stored"] == 1
        assert server.case_events(case, site_id="other") == []
        assert server.summary("other") == {"events": 0, "cases": 0}
        moved = server.push([demo_event], site_id="other")
        assert moved.status_code == 409 and demo_event.id in moved.json()["detail"]


def test_payloads_are_never_readable_at_rest_or_in_the_log(server: Server, db_url: str) -> None:
    case = new_case()
    batch = [event(server, case) for _ in range(3)]
    server.push(batch)
    server.push([batch[0].model_copy(update={"sealed": _flip_a_byte(batch[0].sealed)})])
    log = (server.data_dir / "server.log").read_bytes()
    assert SECRET.encode() not in log
    assert batch[1].sealed.encode() not in log
    assert b"stored=3" in log  # counts are logged
    if db_url.startswith("sqlite"):
        db_file = Path(db_url.removeprefix("sqlite:///"))
        at_rest = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
        assert case.encode() in at_rest  # the clear sync columns are there...
        assert SECRET.encode() not in at_rest  # ...the payload is not
