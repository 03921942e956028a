"""Sync against a real site server (SQLite, its own process): one tablet pushing 1,000 events, and 20 tablets
pushing at once; each beside the same requests sent to a no-op endpoint of the same server in the same run.

What the baseline leaves out is what sync costs: signing, verifying, opening every sealed event, the
set-union insert with its fsync on the server, and marking the events sent on the tablet.

The floor line is how far below the push any design could go: the baseline's requests plus only the durable
writes no push can skip, in plain sqlite3 with nothing parsed, checked, opened or signed, and as few of them as a
push could make: the tablet reads its whole queue once, the server commits each request's events before it
answers (an acknowledged event must survive power loss), and the tablet marks all of them sent in one commit.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from app.store import Session
from bench.common import row, size
from sync.client import SyncClient, _body, wire_event
from sync.server import open_context
from tests.pathway import OFFICER, PIN, TODAY, details, provisioned_tablet
from tests.support import running_server

BATCH = 200


class BenchTablet:
    def __init__(self, root: Path, name: str, url: str, code: str) -> None:
        self.tablet = provisioned_tablet(root / name)
        self.client = SyncClient(self.tablet, url, batch_size=BATCH, timeout=120)
        self.client.enrol(code)
        self.session = self.tablet.unlock(OFFICER, PIN)

    def queue(self, count: int) -> list[bytes]:
        """`count` new sealed events (cases of 10), and the push bodies the client will send for them."""
        with Session(self.tablet.engine) as s:  # one transaction: only the push is being measured
            case_id = ""
            for n in range(count):
                if n % 10 == 0:  # a case_opened event (open_case writes it in its own transaction)
                    case_id = self.session.open_case(details(f"Bench Person {n}"), TODAY)
                else:
                    self.session._append(s, case_id, "note_added", {"n": n, "note": "x" * 300})
            s.commit()
        bodies = []
        rows = self.tablet.unsent(count)
        enrolment = self.tablet.ledger.enrolment()
        assert enrolment is not None
        for start in range(0, len(rows), BATCH):
            bodies.append(_body({"site_id": enrolment.site_id, "device_id": enrolment.device_id,
                                 "events": [wire_event(r) for r in rows[start:start + BATCH]]}))
        return bodies


def _floor(rows: list[tuple[object, ...]]) -> float:
    """ms for the durable writes of a push of `rows` (wire columns), with nothing else (see the module's note)."""
    columns = "id, case_id, kind, hlc, device_id, officer_id, schema_version, sealed"
    with tempfile.TemporaryDirectory() as d:
        tablet, server = sqlite3.connect(f"{d}/tablet.db"), sqlite3.connect(f"{d}/server.db")
        for db in (tablet, server):
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # as both stores run
        with tablet:
            tablet.execute(f"CREATE TABLE queue ({columns}, state TEXT, PRIMARY KEY (id))")
            tablet.execute("CREATE INDEX queue_state ON queue (state)")
            tablet.executemany("INSERT INTO queue VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')", rows)
        server.execute(f"CREATE TABLE event ({columns}, PRIMARY KEY (id))")
        start = time.perf_counter()
        queued = tablet.execute(f"SELECT {columns} FROM queue WHERE state = 'pending' ORDER BY hlc").fetchall()
        for first in range(0, len(queued), BATCH):
            with server:
                server.executemany("INSERT OR IGNORE INTO event VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   queued[first:first + BATCH])
        with tablet:
            tablet.executemany("UPDATE queue SET state = 'synced' WHERE id = ?", [(r[0],) for r in queued])
        elapsed = (time.perf_counter() - start) * 1000
        tablet.close()
        server.close()
    return elapsed


def _noop(http: httpx.Client, bodies: list[bytes]) -> None:
    for body in bodies:
        http.post("/api/v1/noop", content=body, headers={"content-type": "application/json"}).raise_for_status()


def main() -> list[str]:
    events, tablet_count, per_tablet, repeat = size(1_000, 20), size(20, 2), size(250, 10), size(3, 1)
    out = [f"Sync to the site server (SQLite; median of {repeat}; baseline: the same requests to a no-op endpoint)"]
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        db_url = f"sqlite:///{root}/server/server.db"
        with running_server(db_url, root / "server", extra_args=[
                "--device-rate", "10000", "--address-rate", "10000", "--bench-noop"]) as url:
            ctx = open_context(db_url, root / "server")
            from sync.enrolment import issue_code

            def code() -> str:
                return issue_code(ctx, "demo", "Bench tablet", "bench")[0]

            one = BenchTablet(root, "one", url, code())
            one.client.pull()
            push, base, floor = [], [], []
            for _ in range(repeat):
                bodies = one.queue(events)
                with httpx.Client(base_url=url, timeout=120) as http:
                    start = time.perf_counter()
                    _noop(http, bodies)
                    base.append((time.perf_counter() - start) * 1000)
                floor.append(base[-1] + _floor([tuple(r) for r in one.tablet.unsent(events)]))
                start = time.perf_counter()
                assert one.client.push() == events
                push.append((time.perf_counter() - start) * 1000)
            b = statistics.median(base)
            out.append(row(f"no-op: {events} events' requests ({events // BATCH} x {BATCH}), one tablet", b))
            out.append(row("floor: those requests + only the durable writes", statistics.median(floor), b))
            out.append(row(f"push {events} events, one tablet (sign, open, store, mark sent)",
                           statistics.median(push), b))

            tablets = [BenchTablet(root, f"t{i}", url, code()) for i in range(tablet_count)]
            ingest, base = [], []
            for _ in range(repeat):
                bodies = [t.queue(per_tablet) for t in tablets]
                with ThreadPoolExecutor(max_workers=tablet_count) as pool, httpx.Client(
                        base_url=url, timeout=120, limits=httpx.Limits(max_connections=tablet_count)) as http:
                    start = time.perf_counter()
                    list(pool.map(lambda b: _noop(http, b), bodies))
                    base.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    held = sum(pool.map(lambda t: t.client.push(), tablets))
                    ingest.append((time.perf_counter() - start) * 1000)
                assert held == tablet_count * per_tablet
            total = tablet_count * per_tablet
            b, m = statistics.median(base), statistics.median(ingest)
            out.append(row(f"no-op: {tablet_count} tablets x {per_tablet} events' requests at once", b))
            out.append(row(f"ingest {total} events from {tablet_count} tablets at once", m, b))
            out.append(f"  {'ingest rate (target: at least 1,000 events/s)':<52} {total / (m / 1000):9.0f} ev/s")
            ctx.db.dispose()
    return out


if __name__ == "__main__":
    print("\n".join(main()))
