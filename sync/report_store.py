"""The server side of the monthly return: fold each case's sealed events into report facts, and read them back.

Why a projection: the events are sealed to the server, so counting a month from them would mean opening every
event of the site each time. Instead the cases a push touches are opened and folded once, in the push's own
transaction (so facts never lag the events), and only their non-identifying facts (app.report.Facts) are kept
in `report_fact`. A report is then one indexed read. `rebuild` folds every case again, for a database that held
events before this table existed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.engine import Connection

from app import report
from app.case import CaseEvent, fold
from app.consent_events import SUMMARY_KIND
from app.crypto import VaultError, event_aad, unseal
from sync.context import ServerContext
from sync.db import ReportFact, ServerEvent, insert_for, utcnow

log = logging.getLogger("courtside.report")
EVENTS = ServerEvent.__table__  # type: ignore[attr-defined]
FACTS = ReportFact.__table__  # type: ignore[attr-defined]
_CHUNK = 500


def refresh(conn: Connection, key: X25519PrivateKey, site_id: str, case_ids: Iterable[str],
            opened: Mapping[str, bytes] | None = None) -> int:
    """Fold these cases again from their events and keep their facts; returns how many cases have facts.

    `opened` holds payloads the caller has just unsealed (a push), by event id: those are not opened again.
    """
    opened = opened or {}
    ids = sorted(set(case_ids))
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        by_case: dict[str, list[CaseEvent]] = {}
        # The consent summary PDF is the one large event and no figure comes from it.
        for r in conn.execute(select(EVENTS.c.id, EVENTS.c.case_id, EVENTS.c.kind, EVENTS.c.hlc, EVENTS.c.officer_id,
                                     EVENTS.c.sealed).where(EVENTS.c.case_id.in_(chunk),
                                                            EVENTS.c.kind != SUMMARY_KIND)):
            try:
                plaintext = opened.get(r.id)
                payload = json.loads(plaintext if plaintext is not None else
                                     unseal(key, r.sealed, event_aad(r.id, r.case_id)))
            except (VaultError, ValueError):
                log.warning("report facts: event %s does not open", r.id)
                continue
            by_case.setdefault(r.case_id, []).append(CaseEvent(r.id, r.case_id, r.kind, r.hlc, r.officer_id, payload))
        for case_id, events in by_case.items():
            try:
                facts = report.facts_of(fold(case_id, events))
            except Exception as exc:  # noqa: BLE001 - the push stores the record whatever; the figures wait
                # A case whose opening has not arrived yet, or from a newer schema: counted once it folds.
                log.warning("report facts: case %s does not fold yet (%s)", case_id, type(exc).__name__)
                continue
            if facts is not None:
                rows.append({"case_id": case_id, "site_id": site_id, "month": facts.month,
                             "court_id": facts.court_id, "updated_at": now,
                             "facts": json.dumps(facts.to_json(), sort_keys=True, separators=(",", ":"))})
    if rows:
        statement = insert_for(conn)(FACTS)
        conn.execute(statement.on_conflict_do_update(index_elements=["case_id"], set_={
            c: statement.excluded[c] for c in ("site_id", "month", "court_id", "facts", "updated_at")}), rows)
    return len(rows)


def rebuild(ctx: ServerContext, site_id: str | None = None) -> int:
    """Fold every case held (of one site, or all) into facts again; returns how many cases have facts."""
    with ctx.db.engine.connect() as conn:
        query = select(EVENTS.c.site_id, EVENTS.c.case_id).distinct()
        if site_id is not None:
            query = query.where(EVENTS.c.site_id == site_id)
        cases = conn.execute(query).all()
    by_site: dict[str, list[str]] = {}
    for site, case_id in cases:
        by_site.setdefault(site, []).append(case_id)
    done = 0
    for site, ids in sorted(by_site.items()):
        for start in range(0, len(ids), _CHUNK):
            with ctx.db.writer.begin() as conn:
                done += refresh(conn, ctx.keys.seal, site, ids[start:start + _CHUNK])
    return done


def _read(conn: Connection, site_id: str, months: tuple[str, ...]) -> Iterator[report.Facts]:
    rows = conn.execute(select(FACTS.c.facts).where(FACTS.c.site_id == site_id,
                                                    FACTS.c.month.between(months[0], months[-1]))).scalars()
    return (report.Facts.from_json(json.loads(raw)) for raw in rows)


def monthly_report(ctx: ServerContext, site_id: str, first: str, last: str | None = None) -> report.Report:
    """The return for one site over the months first..last (one month when last is not given).

    Why the facts are counted as they are read, not loaded first: a year is 100,000 of them, and holding them
    all made the garbage collector walk them again and again (a quarter of the year's time).
    """
    ctx.site_or_404(site_id)
    months = report.months_between(first, last or first)
    with ctx.db.engine.connect() as conn:
        return report.compute(site_id, months, _read(conn, site_id, months))
