"""Background sync: a thread that runs a round now and then, at once when kicked, and backs off when it fails.

Why exponential backoff with jitter: after an outage every tablet at a site comes back at once; doubling
waits spread at random keep them from knocking on the server in step. No signal is the usual case in
court, so an unreachable server is retried within a minute, and a kick (a record was just saved)
tries at once; a server that refused or is busy is left alone for the whole wait it asked for.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from sync.client import NotEnrolled, SyncClient, SyncError, Unreachable

log = logging.getLogger("courtside.sync")


class Backoff:
    """Waits that double from `base` up to `cap`, each drawn at random from its upper half."""

    def __init__(self, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()

    def ceiling(self, failures: int) -> float:
        return min(self.cap, self.base * 2 ** max(0, failures - 1))

    def delay(self, failures: int) -> float:
        ceiling = self.ceiling(failures)
        return self.rng.uniform(ceiling / 2, ceiling)


class SyncLoop:
    """Runs `client.sync_once` in a daemon thread; the UI only ever reads the tablet's sync status."""

    def __init__(self, client: SyncClient, interval: float = 15.0, backoff: Backoff | None = None,
                 unreachable_cap: float = 60.0, drift_every: float = 300.0) -> None:
        self.client = client
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.unreachable_cap = unreachable_cap
        self.drift_every = drift_every
        self.failures = 0
        self.rounds = 0
        self._last_drift = float("-inf")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="courtside-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def kick(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if timeout is not None and self._thread.is_alive():
            self._thread.join(timeout)

    def run_round(self) -> tuple[float, bool]:
        """One round; returns how long to wait before the next and whether a kick may cut that wait short."""
        ledger = self.client.ledger
        try:
            drift_due = time.monotonic() - self._last_drift >= self.drift_every
            self.client.sync_once(check_drift=drift_due)
            if drift_due:
                self._last_drift = time.monotonic()
            self.failures = 0
            return self.interval, True
        except Unreachable as exc:
            self.failures += 1
            ledger.note(exc.reason)
            return min(self.unreachable_cap, self.backoff.delay(self.failures)), True
        except NotEnrolled as exc:
            self.failures += 1
            ledger.note(exc.reason)
            return self.backoff.cap, True
        except SyncError as exc:
            self.failures += 1
            ledger.note(exc.reason)
            return max(self.backoff.delay(self.failures), exc.retry_after or 0.0), False
        except Exception as exc:  # a sync bug must never take the app down; the queue stays intact
            self.failures += 1
            log.error("event=sync_round_failed error=%s", type(exc).__name__)  # the type only: a message may quote data
            return self.backoff.delay(self.failures), False
        finally:
            self.rounds += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            wait, kick_cuts_wait = self.run_round()
            deadline = time.monotonic() + wait
            while not self._stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                if self._wake.wait(remaining):
                    self._wake.clear()
                    if kick_cuts_wait:
                        break
