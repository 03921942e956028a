"""Pushing over real HTTP, on SQLite and PostgreSQL: a set union keyed by event id, and a bad event set aside.

Each test enrols its own tablet(s) with a one-time code, writes events through the same services the
screens use, pushes with the real client, and then reads what the server's database holds.
"""

from __future__ import annotations

import base64
import json
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from app.store import EventRow, Session, select
from sync.protocol import WireEvent
from sync.signing import H_SERVER_SIGNATURE
from tests.plaintext import files_containing
from tests.server.harness import SECRET, Enrolled, SiteServer, new_id
from tests.support import free_port


def _push_raw(server: SiteServer, tab: Enrolled, body: bytes) -> httpx.Response:
    headers = tab.signed_headers("POST", "/api/v1/sync/push", body)
    return httpx.post(f"{server.url}/api/v1/sync/push", content=body,
                      headers={**headers, "content-type": "application/json"}, timeout=30)


def _damage(tab: Enrolled, event_id: str) -> None:
    """A sealed blob damaged on the tablet (bad storage, a bug): the server cannot open it."""
    with Session(tab.tablet.engine) as s:
        row = s.get(EventRow, event_id)
        assert row is not None and row.sealed is not None
        row.sealed = row.sealed[:-1] + bytes([row.sealed[-1] ^ 1])
        s.add(row)
        s.commit()


def test_a_case_made_before_enrolment_reaches_the_server_once(site_server: SiteServer, tmp_path: Path) -> None:
    from sync.client import SyncClient
    from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet

    tablet = provisioned_tablet(tmp_path / "tablet")
    session = tablet.unlock(OFFICER, PIN)
    case_id = session.open_case(details(SECRET), TODAY)  # written before the tablet ever saw a server
    session.record(case_id, "note_added", {"text": SECRET})
    assert tablet.sync_status().pending == 2 and tablet.unsent() == []  # queued, not sealed to any server yet

    client = SyncClient(tablet, site_server.url)
    client.enrol(site_server.issue_code())
    assert session.seal_unsealed() == 2
    assert client.push() == 2
    assert tablet.sync_status().synced == 2 and tablet.sync_status().pending == 0
    with Session(tablet.engine) as s:
        assert set(site_server.held(tablet.device_id)) == set(s.exec(select(EventRow.id)).all())


def test_pushing_again_after_a_lost_acknowledgement_stores_nothing_twice(site_server: SiteServer,
                                                                         tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    tab.new_case(notes=4)
    before = site_server.count()
    assert tab.client.push() == 5
    with Session(tab.tablet.engine) as s:  # the tablet crashed before it recorded the acknowledgement
        for row in s.exec(select(EventRow)):
            row.sync_state = "pending"
            s.add(row)
        s.commit()
    assert tab.client.push() == 5
    assert site_server.count() == before + 5
    assert tab.tablet.sync_status().pending == 0


def test_an_event_repeated_within_a_batch_and_reordered_batches_converge(site_server: SiteServer,
                                                                         tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    tab.new_case(notes=2)
    events = json.loads(tab.batch_body())["events"]
    first, second, third = events
    response = _push_raw(site_server, tab, tab.batch_body([third, first, first]))
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 2 and response.json()["duplicates"] == 1
    response = _push_raw(site_server, tab, tab.batch_body([second, third, first]))
    assert response.json() == {"stored": 1, "duplicates": 2, "accepted": [second["id"], third["id"], first["id"]],
                               "rejected": []}
    assert set(site_server.held(tab.device_id)) == {first["id"], second["id"], third["id"]}


def test_concurrent_pushes_of_one_batch_store_exactly_one_copy(site_server: SiteServer, tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    for _ in range(4):
        tab.new_case(notes=9)
    events = json.loads(tab.batch_body())["events"]
    assert len(events) == 40

    def push_shuffled(seed: int) -> dict:
        mine = events[:]
        random.Random(seed).shuffle(mine)
        response = _push_raw(site_server, tab, tab.batch_body(mine))
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(push_shuffled, range(8)))
    assert sum(r["stored"] for r in results) == 40
    assert len(site_server.held(tab.device_id)) == 40


def test_a_damaged_event_is_quarantined_with_its_reason_and_the_rest_go_in(site_server: SiteServer,
                                                                          tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    case_id = tab.new_case(notes=5)
    victim = sorted(tab.own_ids())[0]
    _damage(tab, victim)
    before_quarantine = site_server.footprint()[1]

    assert tab.client.push() == 5
    status = tab.tablet.sync_status()
    assert status.synced == 5 and status.pending == 0 and status.quarantined == 1
    assert "does not open with this server's key" in (status.quarantine_reason or "")
    assert set(site_server.held(tab.device_id)) == tab.own_ids() - {victim}
    assert site_server.footprint()[1] == before_quarantine + 1  # the server keeps who, which and why

    # New records keep flowing past the quarantined one, which is not pushed again.
    tab.session.record(case_id, "note_added", {"text": "later"})
    assert tab.client.push() == 1
    assert [q.event_id for q in tab.tablet.ledger.quarantined()] == [victim]
    assert site_server.footprint()[1] == before_quarantine + 1


def test_a_malformed_event_is_rejected_by_field_and_the_others_are_stored(site_server: SiteServer,
                                                                          tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    tab.new_case(notes=2)
    good1, bad, good2 = json.loads(tab.batch_body())["events"]
    bad = {**bad, "kind": "Not A Kind", "schema_version": "one", "payload": SECRET}
    response = _push_raw(site_server, tab, tab.batch_body([good1, bad, good2]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == [good1["id"], good2["id"]] and body["stored"] == 2
    [rejection] = body["rejected"]
    assert rejection["index"] == 1 and rejection["id"] == bad["id"]
    for field in ("events.1.kind", "events.1.schema_version", "events.1.payload"):
        assert field in rejection["reason"]
    assert SECRET not in response.text  # a refusal never echoes what was sent


def test_an_event_id_already_held_for_another_case_is_rejected_alone(site_server: SiteServer,
                                                                    tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    tab.new_case(notes=1)
    first, fresh = json.loads(tab.batch_body())["events"]
    assert _push_raw(site_server, tab, tab.batch_body([first])).json()["stored"] == 1
    enrolment = tab.tablet.ledger.enrolment()
    assert enrolment is not None
    fields = {k: v for k, v in first.items() if k != "sealed"} | {"case_id": new_id()}
    moved = WireEvent.seal_payload(enrolment.server_seal_key, b"{}", **fields).model_dump()  # same id, another case
    response = _push_raw(site_server, tab, tab.batch_body([fresh, moved]))
    body = response.json()
    assert body["accepted"] == [fresh["id"]]
    assert body["rejected"][0]["id"] == first["id"]
    assert "already held with different content" in body["rejected"][0]["reason"]


def test_every_answer_to_a_device_is_signed_and_bound_to_its_request(site_server: SiteServer,
                                                                     tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    tab.new_case(notes=0)
    response = _push_raw(site_server, tab, tab.batch_body())
    assert response.status_code == 200 and response.headers[H_SERVER_SIGNATURE]
    from sync.signing import response_message, verify

    enrolment = tab.tablet.ledger.enrolment()
    assert enrolment is not None
    nonce = response.request.headers["Courtside-Nonce"]
    assert verify(enrolment.server_identity_key, response.headers[H_SERVER_SIGNATURE],
                  response_message(nonce, 200, response.content))
    assert not verify(enrolment.server_identity_key, response.headers[H_SERVER_SIGNATURE],
                      response_message("another-nonce-000", 200, response.content))


def test_an_unreachable_server_leaves_events_queued_and_says_so(site_server: SiteServer, tmp_path: Path) -> None:
    from sync.client import SyncClient, Unreachable

    tab = site_server.enrolled_tablet(tmp_path / "t")
    tab.new_case(notes=1)
    enrolment = tab.tablet.ledger.enrolment()
    assert enrolment is not None
    nowhere = SyncClient(tab.tablet, f"http://127.0.0.1:{free_port()}", timeout=1)
    try:
        nowhere.push()
    except Unreachable as exc:
        tab.tablet.ledger.note(exc.reason)
    status = tab.tablet.sync_status()
    assert status.pending == 2 and status.synced == 0
    assert "will sync when connected" in (status.last_error or "")
    assert tab.client.push() == 2  # the signal comes back
    assert tab.tablet.sync_status().pending == 0 and not tab.tablet.sync_status().last_error


def test_payloads_and_names_are_never_readable_at_rest_or_in_the_log(site_server: SiteServer,
                                                                      tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    case_id = tab.new_case(notes=3)
    _damage(tab, sorted(tab.own_ids())[1])
    tab.client.push()
    log = (site_server.data_dir / "server.log").read_bytes()
    assert SECRET.encode() not in log
    assert b"stored=3" in log  # counts are logged
    assert files_containing(tmp_path, SECRET) == []  # the tablet's files
    if site_server.db_url.startswith("sqlite"):
        assert files_containing(site_server.data_dir, SECRET) == []  # database, WAL, keys, log
        db_file = Path(site_server.db_url.removeprefix("sqlite:///"))
        at_rest = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
        assert case_id.encode() in at_rest  # the clear sync columns are there...
        assert base64.b64encode(SECRET.encode()) not in at_rest


def test_a_tablet_whose_clock_is_an_hour_out_learns_the_servers_time(site_server: SiteServer,
                                                                     tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "t")
    tab.new_case(notes=1)
    tab.client._offset = -3600.0  # as if the tablet's clock had drifted an hour behind
    assert tab.client.push() == 2  # refused once for the clock, signed again with the server's time
    assert abs(tab.client._offset) < 60
