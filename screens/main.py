"""The app entry point: the only place that knows every screen, and how the app is served."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import flet as ft
from fastapi import HTTPException
from fastapi.responses import Response

from app.fonts import FontsMissing, available_page_fonts, ensure_assets
from app.i18n import _
from screens import defendant, login
from screens.shell import AppContext, Shell

log = logging.getLogger("courtside.app")


def make_main(ctx: AppContext) -> Callable[[ft.Page], Awaitable[None]]:
    async def main(page: ft.Page) -> None:
        page.title = _("Courtside")
        page.theme_mode = ft.ThemeMode.LIGHT
        # A court tablet is touched, not clicked: in a desktop browser Flutter's default density is "compact",
        # which shrinks radio rows to 32 px; standard density gives them 40 (48 needs rows of our own: issue 18).
        page.theme = ft.Theme(color_scheme_seed=ft.Colors.INDIGO, visual_density=ft.VisualDensity.STANDARD)
        page.scroll = ft.ScrollMode.AUTO
        page.fonts = available_page_fonts()  # script fonts for the consent screens, served from the assets dir
        shell = Shell(page, ctx)
        if not await defendant.resume(shell):
            await shell.go(login.officer_list)
    return main


def web_app(ctx: AppContext):  # noqa: ANN201 - a FastAPI app from flet-web
    """The tablet's local web server: the leaflet route first, the Flet app mounted last (its catch-all)."""
    import flet.fastapi as flet_fastapi

    api = flet_fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @api.get("/pdf/{token}")
    async def pdf(token: str) -> Response:
        held = ctx.pdfs.get(token)
        if held is None:
            raise HTTPException(status_code=404, detail=_("This link has expired: open it again from the case"))
        content, filename = held
        return Response(content, media_type="application/pdf", headers={
            "Cache-Control": "no-store", "Content-Disposition": f'inline; filename="{filename}"'})

    try:  # Noto fonts at the paths the web engine asks for, so no script shows as empty boxes offline
        assets = str(ensure_assets())
    except FontsMissing as exc:
        log.warning("%s: only Latin scripts will render", exc)
        assets = None
    api.mount("/", flet_fastapi.app(make_main(ctx), no_cdn=True, assets_dir=assets))
    return api
