"""The app entry point: the only place that knows every screen, and how the app is served."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft
from fastapi import HTTPException
from fastapi.responses import Response

from app.i18n import _
from screens import login
from screens.shell import AppContext, Shell


def make_main(ctx: AppContext) -> Callable[[ft.Page], Awaitable[None]]:
    async def main(page: ft.Page) -> None:
        page.title = _("Courtside")
        page.theme_mode = ft.ThemeMode.LIGHT
        page.theme = ft.Theme(color_scheme_seed=ft.Colors.INDIGO)
        page.scroll = ft.ScrollMode.AUTO
        shell = Shell(page, ctx)
        await shell.go(login.officer_list)
    return main


def web_app(ctx: AppContext):  # noqa: ANN201 - a FastAPI app from flet-web
    """The tablet's local web server: the leaflet route first, the Flet app mounted last (its catch-all)."""
    import flet.fastapi as flet_fastapi

    api = flet_fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @api.get("/leaflet/{token}")
    async def leaflet(token: str) -> Response:
        pdf = ctx.leaflets.get(token)
        if pdf is None:
            raise HTTPException(status_code=404, detail=_("This leaflet link has expired: open it again from the case"))
        return Response(pdf, media_type="application/pdf", headers={
            "Cache-Control": "no-store", "Content-Disposition": 'inline; filename="cstr-leaflet.pdf"'})

    api.mount("/", flet_fastapi.app(make_main(ctx), no_cdn=True))
    return api
