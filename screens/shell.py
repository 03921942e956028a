"""The shell around every screen: navigation, the signed-in officer, sync status, and off-loop calls."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import flet as ft

from app import clock, roles
from app.case import FieldErrors
from app.i18n import _, fmt_time, ngettext
from app.tablet import OfficerSession, PinNeeded, SyncStatus, Tablet

T = TypeVar("T")
Builder = Callable[..., "ft.Control | Awaitable[ft.Control]"]


class PdfShelf:
    """Generated PDFs (leaflet, proposal, consent summary) held in memory for a short time behind an unguessable
    URL, for the browser to open or print; never written to disk."""

    TTL_SECONDS = 300

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, bytes, str]] = {}
        self._lock = threading.Lock()

    def put(self, pdf: bytes, filename: str) -> str:
        """The URL path the PDF can be opened at, as `filename`, for the next five minutes."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            self._items[token] = (time.monotonic() + self.TTL_SECONDS, pdf, filename)
        return f"/pdf/{token}"

    def get(self, token: str) -> tuple[bytes, str] | None:
        with self._lock:
            self._expire()
            item = self._items.get(token)
            return (item[1], item[2]) if item else None

    def _expire(self) -> None:
        now = time.monotonic()
        for k in [k for k, (exp, *_rest) in self._items.items() if exp < now]:
            del self._items[k]


def sync_status_text(status: SyncStatus) -> str:
    """Pending count and why, how many records the server refused, and when sync last worked."""
    parts = []
    if status.quarantined:  # the reasons are one tap away, on "Records held back"
        parts.append(ngettext("{n} record held back by the server", "{n} records held back by the server",
                              status.quarantined).format(n=status.quarantined))
    if status.pending:
        waiting = ngettext("{n} record waiting", "{n} records waiting", status.pending).format(n=status.pending)
        parts.append(f"{waiting} — {status.last_error}" if status.last_error else waiting)
    elif not status.quarantined:
        parts.append(_("All records synced") if status.synced else _("Nothing to sync yet"))
    if status.last_success:
        with contextlib.suppress(ValueError):
            parts.append(_("last synced {time}").format(time=fmt_time(datetime.fromisoformat(status.last_success))))
    return " · ".join(parts)


class DefendantModeLocked(PermissionError):
    """Something tried to show a screen outside the consent flow while the defendant holds the tablet."""


def for_defendant(builder: Builder) -> Builder:
    """Marks a screen the defendant may see: in defendant mode `Shell.go` shows nothing else."""
    builder.for_defendant = True  # type: ignore[attr-defined]
    return builder


@dataclass
class AppContext:
    """What every session of the app shares in this process."""

    tablet: Tablet
    pdfs: PdfShelf = field(default_factory=PdfShelf)
    kick_sync: Callable[[], None] = lambda: None
    today: Callable[[], date] = clock.today
    # The tablet is in the defendant's hands: (officer session, consent flow). Held here, not per browser
    # session, so a reload or a second tab opens on the same locked consent screens.
    handover: tuple[OfficerSession, Any] | None = None


class Shell:
    """One person's session of the app (one browser tab): who is signed in and what is on screen."""

    def __init__(self, page: ft.Page, ctx: AppContext) -> None:
        self.page = page
        self.ctx = ctx
        self.session: OfficerSession | None = None
        self.court_id: str | None = None
        self.defendant_mode = False
        self.drafts: dict[tuple[str, str], dict[str, str]] = {}
        self.flows: dict[str, Any] = {}  # consent flows in progress, by case: answers and signature points
        self.sync_text = ft.Text("", size=14)
        self.sync_label = ft.Semantics(identifier="sync-status", live_region=True, content=self.sync_text)
        # Only when the server refused some records: opens the list of them, each with the server's reason.
        self.held_button = ft.TextButton(_("Records held back"), on_click=self._show_held_back, height=48,
                                         visible=False)
        self._poller: asyncio.Task[None] | None = None
        self._show_at: str | None = None  # the key of the control the screen being built wants in view
        self.action_bar: ft.Control | None = None
        self._bar_height = 88
        self.last_activity = time.monotonic()
        page.on_keyboard_event = self._typed  # typing counts as activity, not only saving and moving on

    @property
    def tablet(self) -> Tablet:
        return self.ctx.tablet

    def today(self) -> date:
        return self.ctx.today()

    async def call(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """Blocking work (SQLite, scrypt, PDF) off the event loop, so no session ever freezes."""
        self.touch()
        return await asyncio.to_thread(fn, *args, **kw)

    def touch(self) -> None:
        """The officer did something: the idle lock starts counting again."""
        self.last_activity = time.monotonic()

    def _typed(self, _e: ft.KeyboardEvent) -> None:
        self.touch()

    def idle_too_long(self, now: float | None = None) -> bool:
        """An officer's session left untouched for the site's idle minutes. Defendant mode is exempt: the tablet
        is in the defendant's hands on locked consent screens (AppContext.handover), and leaving it already
        needs the officer's PIN."""
        if self.session is None or self.defendant_mode:
            return False
        limit = self.tablet.site.security.idle_lock_minutes * 60
        return (now if now is not None else time.monotonic()) - self.last_activity >= limit

    async def go(self, builder: Builder, *args: Any) -> None:
        if self.defendant_mode and not getattr(builder, "for_defendant", False):
            raise DefendantModeLocked(f"{getattr(builder, '__qualname__', builder)} is not part of the consent "
                                      "flow: the officer's PIN is needed to leave defendant mode")
        self.touch()
        self._show_at, self.action_bar = None, None
        try:
            built = builder(self, *args)
            content = await built if asyncio.iscoroutine(built) else built
        except roles.NotPermitted as exc:  # e.g. a list shown before another provider took the case
            content = await self._not_permitted(str(exc))
        except PinNeeded as exc:  # the service asks for the PIN again: ask, then build this same screen
            from screens import reauth
            content = await reauth.pin_gate(self, exc, builder, *args)
        # Back to the top before the screen changes: the window's scroll outlives the screen it was made on, and
        # a new screen too short to scroll is drawn at the top while Flutter's semantics tree keeps the old
        # offset, each control's box a scroll's worth below where it is drawn (a tap lands on another control).
        await self.page.scroll_to(offset=0, duration=0)
        self.page.controls.clear()
        self.page.appbar = self._appbar()
        self.page.controls.append(ft.Container(content=content, padding=24, width=1100))
        self.page.bottom_appbar = (None if self.action_bar is None else
                                   ft.BottomAppBar(content=self.action_bar, height=self._bar_height,
                                                   padding=ft.Padding.symmetric(horizontal=24, vertical=12),
                                                   bgcolor=ft.Colors.SURFACE_CONTAINER))
        self.page.update()
        if self._show_at is not None:
            await self.show(self._show_at)
        await self.refresh_sync()

    def keep_in_view(self, key: str | None, actions: ft.Control | None = None, height: int = 88) -> None:
        """For the screen being built: bring the control keyed `key` into view once shown, and keep `actions`
        in a bar `height` px tall fixed at the bottom of the window, so the primary action never scrolls out of
        reach whatever the text size."""
        self._show_at, self.action_bar, self._bar_height = key, actions, height

    def pinned(self, actions: ft.Control, height: int = 88) -> ft.Control:
        """A screen's way on, kept in the bar (`height` px) fixed at the bottom of the window (`keep_in_view`)
        rather than after the last field, where a long form, a portrait tablet or the biggest text would put it
        below the fold. Returns what stands in its place on the screen: nothing."""
        self.keep_in_view(self._show_at, actions, height)
        return ft.Container()

    async def show(self, key: str) -> None:
        """Scroll the page so the control keyed `key` is at the top of the window."""
        with contextlib.suppress(Exception):  # a key the screen no longer holds: leave the page where it is
            await self.page.scroll_to(scroll_key=key, duration=0)

    async def save_step(self, errors: ft.Text | Callable[[dict[str, str]], None], case_id: str,
                        fn: Callable[..., Any], *args: Any, then: Builder | None = None) -> bool:
        """Record a pathway step: on refusal show the reasons at the step (in one line of text, or field by
        field through a callback), on success push it and go on to `then` (the case's task list by default)."""
        from screens import case_page

        try:
            await self.call(fn, *args)
        except (FieldErrors, roles.NotPermitted) as exc:
            problems = exc.errors if isinstance(exc, FieldErrors) else {"role": str(exc)}
            if isinstance(errors, ft.Text):
                errors.value = "; ".join(problems.values())
            else:
                errors(problems)
            self.page.update()
            return False
        self.saved()
        await self.go(then or case_page.task_list, case_id)
        return True

    async def _not_permitted(self, message: str) -> ft.Control:
        from screens import today, ui

        async def back(_e: ft.ControlEvent) -> None:
            await self.go(today.today_list)
        return ft.Column([ui.heading(_("Not available to you")), ui.body(message),
                          ui.secondary(_("Back to today's cases"), back)], spacing=16)

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
                self.held_button,
                ft.Container(width=16),
                ft.Text(self.session.officer_name, size=14),
                ft.TextButton(_("Lock"), on_click=self.lock, height=48),
            ])

    async def lock(self, _e: ft.ControlEvent | None = None) -> None:
        """Forget the officer's key and what they had not saved; back to the list of officers."""
        from screens import login

        self.session = None
        self.drafts.clear()  # unsaved answers go with the officer's key
        self.flows.clear()
        await self.go(login.officer_list)

    async def refresh_sync(self) -> None:
        """Background work (the poller runs it every 2 s): off the loop, but not the officer's activity, so it
        never holds off the idle lock as `call` would."""
        if self.session is not None:  # cases shared with this tablet, pulled while the officer works
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.session.take_in_shared)
        status = await asyncio.to_thread(self.tablet.sync_status)
        text = sync_status_text(status)
        if text != self.sync_text.value or self.held_button.visible != bool(status.quarantined):
            self.sync_text.value = text
            self.held_button.visible = bool(status.quarantined)
            with contextlib.suppress(RuntimeError):
                self.sync_text.update()
                self.held_button.update()

    async def _show_held_back(self, _e: ft.ControlEvent | None = None) -> None:
        """Every record the server refused, with its reason; the officer can send them again (after a fix)."""
        held = await self.call(self.tablet.ledger.quarantined)

        async def close(_e: ft.ControlEvent) -> None:
            self.page.pop_dialog()
            self.page.update()

        async def send_again(_e: ft.ControlEvent) -> None:
            await self.call(self.tablet.ledger.requeue_quarantined)
            self.ctx.kick_sync()
            self.page.pop_dialog()
            await self.refresh_sync()
            self.page.update()

        rows = [ft.Text(_("{kind} (case {case}): {reason}").format(kind=q.kind.replace("_", " "),
                                                                    case=q.case_id[:8], reason=q.reason))
                for q in held]
        self.page.show_dialog(ft.AlertDialog(
            title=ft.Text(_("Records held back by the site server")),
            content=ft.Column([ft.Text(_("These records are kept safely on this tablet. The others were sent.")),
                               *rows], tight=True, scroll=ft.ScrollMode.AUTO if len(rows) > 8 else None),
            actions=[ft.TextButton(_("Close"), on_click=close),
                     ft.FilledButton(_("Send them again"), on_click=send_again)]))
        self.page.update()

    def start_polling(self) -> None:
        async def poll() -> None:
            while True:
                await asyncio.sleep(2)
                if self.idle_too_long() or (self.session is not None and not self.session.still_listed):
                    # locks exactly as the Lock button does; an officer the site removed has no key to come back to
                    with contextlib.suppress(Exception):
                        await self.lock()
                    continue
                with contextlib.suppress(Exception):
                    await self.refresh_sync()

        if self._poller is None:
            self._poller = self.page.run_task(poll)  # type: ignore[assignment]
