"""Encrypted durable save of one event against a plaintext durable save of the same event (same SQLite, WAL, FULL)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import uuid
from pathlib import Path

from app.case import FieldErrors  # noqa: F401 - import cost paid before timing
from bench.common import median_ms, row
from tests.pathway import OFFICER, PIN, details, provisioned_tablet


def main() -> list[str]:
    out = ["Durable save of one event (median of 30)"]
    with tempfile.TemporaryDirectory() as d:
        tablet = provisioned_tablet(Path(d) / "tablet", server_public_key=_server_key())
        session = tablet.unlock(OFFICER, PIN)
        case_id = session.open_case(details("Bench Person"), details().hearing_date)
        payload = {"note": "x" * 400, "answers": {f"q{i}": str(i % 5) for i in range(30)}}

        con = sqlite3.connect(Path(d) / "plain.db", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("create table ev (id text primary key, case_id text, kind text, payload blob)")

        def plain() -> None:
            con.execute("insert into ev values (?,?,?,?)",
                        (str(uuid.uuid4()), case_id, "bench", json.dumps(payload).encode()))

        def encrypted() -> None:
            session.record(case_id, "bench_event", payload)

        base = median_ms(plain)
        out.append(row("plaintext insert (sqlite3, WAL, synchronous=FULL)", base))
        out.append(row("encrypted + sealed event, projection updated", median_ms(encrypted), base))
    return out


def _server_key() -> str:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from app.crypto import public_key_b64
    return public_key_b64(X25519PrivateKey.generate())
