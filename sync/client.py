"""The tablet's side of sync: pull the site configuration, push sealed events, in the background.

Events are sealed when written, so a locked tablet can still push; a refused batch is kept and flagged
with the server's reason, an unreachable server leaves everything queued.
"""

from __future__ import annotations

import base64
import logging
import threading
from pathlib import Path

import httpx

from app.i18n import _
from app.site import ConfigError, build_site
from app.tablet import Tablet
from sync.protocol import PushBatch, WireEvent

log = logging.getLogger("courtside.sync")
BATCH = 200


class SyncClient:
    def __init__(self, tablet: Tablet, server_url: str, site_id: str, timeout: float = 10.0) -> None:
        self.tablet = tablet
        self.server_url = server_url.rstrip("/")
        self.site_id = site_id
        self.timeout = timeout

    def pull_config(self) -> bool:
        """Fetch the site configuration and the server's sealing key; keep the last good copy on failure."""
        try:
            r = httpx.get(f"{self.server_url}/api/v1/sites/{self.site_id}/config", timeout=self.timeout)
            r.raise_for_status()
            body = r.json()
            site = build_site(body["site"], Path(f"{self.server_url} site {self.site_id}"))
        except (httpx.HTTPError, ValueError, KeyError, ConfigError) as exc:
            log.warning("config pull failed: %s", type(exc).__name__)
            self.tablet.note_unreachable(_("Could not fetch the site configuration: will retry when connected"))
            return False
        self.tablet.install_site(site, f"{self.server_url} site {self.site_id}")
        self.tablet.set_server_public_key(body["server_public_key"])
        return True

    def push(self) -> int:
        """Push every unsent sealed event; returns how many the server now holds from this run."""
        if not self.tablet.server_public_key and not self.pull_config():
            return 0
        sent = 0
        while rows := self.tablet.unsent(BATCH):
            batch = PushBatch(site_id=self.site_id, device_id=self.tablet.device_id, events=[
                WireEvent(id=r.id, case_id=r.case_id, kind=r.kind, hlc=r.hlc, device_id=r.device_id,
                          officer_id=r.officer_id, schema_version=r.schema_version,
                          sealed=base64.b64encode(r.sealed or b"").decode())
                for r in rows])
            ids = [r.id for r in rows]
            try:
                resp = httpx.post(f"{self.server_url}/api/v1/events", content=batch.model_dump_json(),
                                  headers={"content-type": "application/json"}, timeout=self.timeout)
            except httpx.HTTPError as exc:
                log.info("server unreachable: %s", type(exc).__name__)
                self.tablet.note_unreachable(_("Server not reachable: will sync when connected"))
                return sent
            if resp.status_code >= 400:
                reason = _reason(resp)
                log.warning("batch refused: HTTP %s", resp.status_code)
                self.tablet.mark_failed(ids, reason)
                return sent  # kept and flagged; retried on the next round
            accepted = resp.json().get("accepted_ids", [])
            self.tablet.mark_synced(accepted)
            sent += len(accepted)
            if len(accepted) < len(ids):
                return sent
        return sent


def _reason(resp: httpx.Response) -> str:
    try:
        detail = resp.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, list):
        detail = "; ".join(str(d.get("msg", d)) for d in detail)
    return _("Server refused the records (HTTP {code}): {detail}").format(code=resp.status_code,
                                                                           detail=detail or resp.reason_phrase)


class SyncLoop:
    """Pushes in a background thread, now and then every `interval` seconds, or at once when kicked."""

    def __init__(self, client: SyncClient, interval: float = 15.0) -> None:
        self.client = client
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="courtside-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def kick(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.client.push()
            except Exception:  # a sync bug must never take the app down; the queue stays intact
                log.exception("sync round failed")
            self._wake.wait(self.interval)
            self._wake.clear()
