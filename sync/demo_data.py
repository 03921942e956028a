"""`courtside demo-data --cohort testbed-2018`: a synthetic cohort with the process evaluation's proportions.

Why synthetic and why through the tablet: the evaluation of the five testbeds (October 2017 to June 2018) is the
only published yardstick for the monthly return, so a site (and the tests) can check that the report over this
cohort gives the evaluation's headline table back: 809 screened, 488 recommended, 441 sentenced, 85% of
referrals from the CDO, 80% sentenced on the day, 33% of MHTRs combined with an ATR or DRR, most orders 12 months
(6 months to 2 years), and a breach rate of 8% (1 in 12 orders breached). Each case is written by an
OfficerSession on a throwaway tablet, so its events are encrypted and sealed to the server exactly as a real
tablet's are, then stored through the server's push ingest (which keeps the report facts). Cases are opened with
`open_case` (validated); the later steps are appended with `record_all` in the shapes the pathway services write,
because the full steps would render a consent PDF per person and the suitability rules would refuse synthetic
screenings. The people are invented: "Testbed Person 0001" and so on.
"""

from __future__ import annotations

import random
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from app import clock, equality
from app.case import REFERRAL_SOURCES, REPORTERS, CaseDetails
from app.report import CDO
from app.sentence import SentenceRecord
from app.site import Site, demo_site_path, load_site
from app.suitability import COMMUNITY_ORDER, Order
from app.tablet import OfficerSession, Tablet
from sync import push
from sync.auth import AuthedDevice
from sync.client import wire_event
from sync.context import ServerContext
from sync.db import Device, utcnow
from sync.protocol import MAX_BATCH_EVENTS, PushBatch

COHORTS = ("testbed-2018",)
MONTHS = ("2017-10", "2017-11", "2017-12", "2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06")
PIN = "24681357"

# How far down the funnel each case goes: case i reaches a stage when i < its threshold.
REFERRED, SCREENED, SUITABLE, CONSENTED, RECOMMENDED, SENTENCED = 820, 809, 540, 500, 488, 441
ON_THE_DAY, BOOKED, ATTENDED = 353, 436, 402  # of the sentenced: 80%; and their first appointments
BREACHED = 35  # of the 441 orders made: 8%, the evaluation's 1 in 12
FROM_CDO = 697  # 85% of 820 referrals
# The orders of the 441 sentenced: 150 with an MHTR, 50 of them (33%) with an ATR or DRR.
MIX: tuple[tuple[tuple[str, ...], int], ...] = (
    (("MHTR_PRIMARY",), 75), (("MHTR_SECONDARY",), 25), (("ATR", "MHTR_PRIMARY"), 20), (("DRR", "MHTR_PRIMARY"), 15),
    (("ATR", "MHTR_SECONDARY"), 5), (("DRR", "MHTR_SECONDARY"), 10), (("ATR",), 145), (("DRR",), 131),
    (("ATR", "DRR"), 15))
LENGTHS: tuple[tuple[int, int], ...] = ((6, 50), (9, 40), (12, 265), (18, 46), (24, 40))  # months, orders
PROVIDERS = {"ATR": "open-road", "DRR": "open-road", "MHTR_PRIMARY": "mind-primary",
             "MHTR_SECONDARY": "epuft-secondary"}


@dataclass(frozen=True)
class Cohort:
    cases: int
    events: int
    device_id: str


def _spread(pairs: tuple[tuple[Any, int], ...]) -> list[Any]:
    return [value for value, n in pairs for _ in range(n)]


def _equality(rng: random.Random) -> dict[str, str]:
    """Answers as people give them: some questions skipped, some "prefer not to say"."""
    answers = {}
    for q in equality.QUESTIONS:
        if rng.random() < 0.1:
            continue
        answers[q.id] = rng.choice([value for value, _label in q.options])
    return answers


def _steps(i: int, rng: random.Random, hearing: date, requirements: tuple[str, ...], months: int,
           proposed: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """The pathway events after the case is opened, as far as case i goes."""
    steps: list[tuple[str, dict[str, Any]]] = [("equality_recorded", equality.payload(
        _equality(rng), "en", rng.random() < 0.3))]
    steps.append(("screening_completed", {"tool_id": "demo", "answers": {}, "result": {}, "locale": "en"}))
    if i >= SUITABLE:
        return steps
    steps.append(("suitability_assessed", {"offence": None, "proposed": list(proposed), "decisions": []}))
    if i >= CONSENTED:
        return steps
    locale = rng.choice(("en",) * 8 + ("pl", "ro"))
    steps.append(("consent_given", {"decision": "agree", "requirements": list(proposed), "locale": locale,
                                    "format": "easy_read" if rng.random() < 0.3 else "standard",
                                    "interpreter": {"language": locale} if locale != "en" else None}))
    if i >= RECOMMENDED:
        return steps
    order = Order(COMMUNITY_ORDER, months, {r: months for r in proposed})
    steps.append(("proposal_made", {"order": order.to_payload(), "conviction_date": hearing.isoformat()}))
    if i < SENTENCED:
        record = SentenceRecord("probation_sentence", hearing if i < ON_THE_DAY else hearing + timedelta(days=21),
                                i < ON_THE_DAY, order, rng.choice(("custody", "custody", "suspended_sentence",
                                                                    "community_order_without_treatment")))
    else:  # recommended, but the court passed another sentence
        record = SentenceRecord("non_probation_sentence", hearing, True)
    steps.append(("sentence_recorded", record.to_payload()))
    if i < BOOKED:
        start = datetime.combine(hearing + timedelta(days=5), time(10, 0))
        steps.append(("appointment_booked", {"provider_id": PROVIDERS[requirements[-1]],
                                             "requirements": list(requirements), "slot_id": None,
                                             "source": "manual", "start": start.isoformat(), "minutes": 60,
                                             "replaces": [], "reason": "new", "confirmed": False}))
    return steps


def _open(session: OfficerSession, site: Site, i: int, rng: random.Random, hearing: date) -> str:
    others = [s for s in REFERRAL_SOURCES if s != CDO]
    dob = date(hearing.year - rng.randint(19, 65), rng.randint(1, 12), rng.randint(1, 28))
    details = CaseDetails(name=f"Testbed Person {i + 1:04d}", dob=dob, court_id=rng.choice(site.courts).id,
                          hearing_date=hearing, referral_source=CDO if i < FROM_CDO else others[i % len(others)],
                          offence="Synthetic offence", guilty_plea_anticipated=True, interpreter_needed=False)
    return session.open_case(details, hearing)


def write_cohort(session: OfficerSession, seed: int = 2018) -> int:
    """Every case of the cohort into the tablet's log; returns the number of cases."""
    rng = random.Random(seed)
    site = session.tablet.site
    mixes = _spread(MIX)
    lengths = _spread(LENGTHS)
    rng.shuffle(lengths)
    singles = [m for m, _n in MIX if len(m) == 1]
    for i in range(REFERRED):
        month = MONTHS[i % len(MONTHS)]
        hearing = date.fromisoformat(f"{month}-{rng.randint(1, 28):02d}")
        requirements = mixes[i] if i < SENTENCED else rng.choice(singles)
        case_id = _open(session, site, i, rng, hearing)
        if i >= SCREENED:
            continue
        case = session.record_all(case_id, _steps(i, rng, hearing, requirements, lengths[i % len(lengths)],
                                                  requirements))
        if i < ATTENDED:
            session.record_attendance(case_id, next(iter(case.appointments)), True,
                                      rng.choice(("provider", "probation")))
        elif i < BOOKED:
            session.record_attendance(case_id, next(iter(case.appointments)), False, "provider")
        if i < BREACHED:
            session.record_breach(case_id, hearing + timedelta(days=60), REPORTERS[i % 2], clock.today())
    return REFERRED


def _register_device(ctx: ServerContext, site_id: str, device_id: str) -> None:
    """The generator's tablet, listed as revoked: its keys were thrown away, so nothing can sign as it."""
    now = utcnow()
    with ctx.db.writer.begin() as conn:
        conn.execute(Device.__table__.insert().values(  # type: ignore[attr-defined]
            device_id=device_id, site_id=site_id, name="Synthetic cohort (demo-data)", signing_key="-",
            inbox_key="-", status="revoked", code_id="-", enrolled_at=now, revoked_at=now, revoked_by="demo-data"))


def store_events(ctx: ServerContext, tablet: Tablet, site_id: str) -> int:
    """Everything the tablet has not sent, through the server's push ingest (as a push would, without HTTP)."""
    events = 0
    while rows := tablet.unsent(MAX_BATCH_EVENTS):
        batch = PushBatch(site_id=site_id, device_id=tablet.device_id, events=[wire_event(r) for r in rows])
        result = push.ingest(ctx, AuthedDevice(tablet.device_id, site_id, "demo-data", secrets.token_urlsafe(16)),
                             batch)
        if result.rejected:
            raise RuntimeError(f"the server refused {len(result.rejected)} events: {result.rejected[0].reason}")
        tablet.mark_synced(result.accepted)
        events += len(rows)
    return events


def load_cohort(ctx: ServerContext, cohort: str = "testbed-2018", site_id: str = "demo") -> Cohort:
    """Write the cohort on a throwaway tablet sealed to this server, and store it through the push ingest."""
    if cohort not in COHORTS:
        raise ValueError(f"unknown cohort '{cohort}' (known: {', '.join(COHORTS)})")
    ctx.site_or_404(site_id)
    # The throwaway tablet is kept in memory where there is a tmpfs: its log is encrypted, and fsyncs to a disk
    # would be most of the time this takes.
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(prefix="courtside-cohort-", dir=shm if shm.is_dir() else None) as tmp:
        tablet = Tablet(Path(tmp))
        tablet.install_site(load_site(demo_site_path()), "demo")
        tablet.set_server_public_key(ctx.keys.seal_public)
        officer = tablet.site.officers[0].id
        tablet.enrol_officer(officer, PIN)
        cases = write_cohort(tablet.unlock(officer, PIN))
        _register_device(ctx, site_id, tablet.device_id)
        device_id, events = tablet.device_id, store_events(ctx, tablet, site_id)
        tablet.engine.dispose()
    return Cohort(cases, events, device_id)
