"""The shell around every screen: navigation, the signed-in officer, sync status, and off-loop calls."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import flet as ft

from app.case import FieldErrors
from app.i18n import _, ngettext
from app.tablet import OfficerSession, Tablet

T = TypeVar("T")
Builder = Callable[..., "ft.Control | Awaitable[ft.Control]"]


class LeafletShelf:
    """Generated PDFs held in memory for a short time behind an unguessable URL; never written to disk."""

    TTL_SECONDS = 300

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def put(self, pdf: bytes) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            self._items[token] = (time.monotonic() + self.TTL_SECONDS, pdf)
        return token

    def get(self, token: str) -> bytes | None:
        with self._lock:
            self._expire()
            item = self._items.get(token)
            return item[1] if item else None

    def _expire(self) -> None:
        now = time.monotonic()
        for k in [k for k, (exp, _pdf) in self._items.items() if exp < now]:
            del self._items[k]


@dataclass
class AppContext:
    """What every session of the app shares in this process."""

    tablet: Tablet
    leaflets: LeafletShelf = field(default_factory=LeafletShelf)
    kick_sync: Callable[[], None] = lambda: None
    today: Callable[[], date] = date.today


class Shell:
    """One person's session of the app (one browser tab): who is signed in and what is on screen."""

    def __init__(self, page: ft.Page, ctx: AppContext) -> None:
        self.page = page
        self.ctx = ctx
        self.session: OfficerSession | None = None
        self.court_id: str | None = None
        self.defendant_mode = False
        self.drafts: dict[tuple[str, str], dict[str, str]] = {}
        self.sync_text = ft.Text("", size=14)
        self.sync_label = ft.Semantics(identifier="sync-status", live_region=True, content=self.sync_text)
        self._poller: asyncio.Task[None] | None = None

    @property
    def tablet(self) -> Tablet:
        return self.ctx.tablet

    def today(self) -> date:
        return self.ctx.today()

    async def call(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """Blocking work (SQLite, scrypt, PDF) off the event loop, so no session ever freezes."""
        return await asyncio.to_thread(fn, *args, **kw)

    async def go(self, builder: Builder, *args: Any) -> None:
        built = builder(self, *args)
        content = await built if asyncio.iscoroutine(built) else built
        self.page.controls.clear()
        self.page.appbar = self._appbar()
        self.page.controls.append(ft.Container(content=content, padding=24, width=1100))
        self.page.update()
        await self.refresh_sync()

    async def save_step(self, error: ft.Text, case_id: str, fn: Callable[..., Any], *args: Any) -> bool:
        """Record a pathway step: on refusal show the reason at the step, on success go back to the task list."""
        from screens import case_page

        try:
            await self.call(fn, *args)
        except FieldErrors as exc:
            error.value = "; ".join(exc.errors.values())
            self.page.update()
            return False
        self.saved()
        await self.go(case_page.task_list, case_id)
        return True

    def saved(self) -> None:
        """After every save: seal anything written before the server's key was known, then push, off the loop."""
        session = self.session

        def seal_and_kick() -> None:
            if session is not None:
                session.seal_unsealed()
            self.ctx.kick_sync()
        self.page.run_thread(seal_and_kick)

    def _appbar(self) -> ft.AppBar | None:
        if self.session is None or self.defendant_mode:
            return None
        return ft.AppBar(
            title=ft.Text(_("Courtside")), automatically_imply_leading=False,
            actions=[
                self.sync_label,
                ft.Container(width=16),
                ft.Text(self.session.officer_name, size=14),
                ft.TextButton(_("Lock"), on_click=self._lock, height=48),
            ])

    async def _lock(self, _e: ft.ControlEvent | None = None) -> None:
        from screens import login

        self.session = None
        self.drafts.clear()  # unsaved answers go with the officer's key
        await self.go(login.officer_list)

    async def refresh_sync(self) -> None:
        status = await self.call(self.tablet.sync_status)
        if status.failed:
            text = _("Sync failed: {reason}").format(reason=status.last_error or "")
        elif status.pending:
            text = ngettext("{n} record waiting", "{n} records waiting", status.pending).format(n=status.pending)
            if status.last_error:
                text += " — " + _("will sync when connected")
        else:
            text = _("All records synced") if status.synced else _("Nothing to sync yet")
        if text != self.sync_text.value:
            self.sync_text.value = text
            with contextlib.suppress(RuntimeError):
                self.sync_text.update()

    def start_polling(self) -> None:
        async def poll() -> None:
            while True:
                await asyncio.sleep(2)
                with contextlib.suppress(Exception):
                    await self.refresh_sync()

        if self._poller is None:
            self._poller = self.page.run_task(poll)  # type: ignore[assignment]
