"""The site admin's pages: sign in, devices (enrol, list, revoke, share a case) and sync health.

Plain server-rendered HTML with no script: every value is escaped, every form posts the session's
CSRF token, the cookie is HttpOnly, SameSite=Strict and scoped to /admin, and the pages may not be
framed or cached. They call the same functions as the JSON admin API.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app import audit, clock
from app import report as returns
from app.case import EVENT_NAMES, case_reference, runs
from app.i18n import N_, _, fmt_datetime, ngettext
from app.report_labels import label
from app.report_pdf import render_report
from app.site import Site
from sync import admin_auth, audit_trail, enrolment, pull, report_store
from sync.admin import DeviceInfo, device_infos, find_case, sync_health
from sync.admin_auth import COOKIE, Admin
from sync.context import ServerContext

_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                       "frame-ancestors 'none'"}
_STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;line-height:1.5}"
          "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;padding:.3rem .6rem;"
          "text-align:left;vertical-align:top}input,button{font-size:1rem;padding:.4rem;min-height:48px}"
          "label{display:block;margin-top:.6rem}.code{font-size:1.6rem;font-family:monospace}"
          ".error{color:#a00}.note{color:#060}nav a{margin-right:1rem}")


def _when(value: datetime | None) -> str:
    return escape(fmt_datetime(value, "short")) if value else "—"


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def _page(title: str, body: str, admin: Admin | None = None, status: int = 200) -> HTMLResponse:
    nav = ""
    if admin is not None:
        nav = (f'<nav><a href="/admin">{escape(_("Devices"))}</a><a href="/admin/health">'
               f'{escape(_("Sync health"))}</a><a href="/admin/report">{escape(_("Monthly return"))}</a>'
               f'<a href="/admin/audit">{escape(_("Audit trail"))}</a>'
               f'<form method="post" action="/admin/logout" style="display:inline">'
               f'{_csrf(admin)}<button>{escape(_("Sign out"))}</button></form>'
               f' {escape(_("Signed in as {name}").format(name=admin.name))}</nav>')
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} — Courtside'
            f'</title><style>{_STYLE}</style></head><body>{nav}<main><h1>{escape(title)}</h1>{body}</main>'
            "</body></html>")
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _csrf(admin: Admin) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(admin.csrf)}">'


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(422, "the form could not be read") from None
    return {k: v[0] for k, v in fields.items()}


def _court_boxes(courts: list[tuple[str, str]], ticked: list[str], key: str) -> str:
    """One checkbox per court, named court:<id> (each has its own name, so the form reader stays one-valued)."""
    return "".join(f'<label class="check"><input type="checkbox" id="{escape(key)}-{escape(cid)}" '
                   f'name="court:{escape(cid)}"{" checked" if cid in ticked else ""}> {escape(name)}</label>'
                   for cid, name in courts)


def _ticked(form: dict[str, str]) -> list[str]:
    return [k.removeprefix("court:") for k in form if k.startswith("court:")]


def _device_rows(devices: list[DeviceInfo], admin: Admin, sites: dict[str, Site]) -> str:
    rows = []
    for d in devices:
        action, courts = "", escape(", ".join(d.courts)) or escape(_("none"))
        site = sites.get(d.site_id)
        if d.status == "active":
            action = (f'<form method="post" action="/admin/devices/{escape(d.device_id)}/revoke">{_csrf(admin)}'
                      f'<button aria-label="{escape(_("Revoke {name}").format(name=d.name))}">'
                      f'{escape(_("Revoke"))}</button></form>')
            if site is not None:
                label = escape(_("Save the courts {name} serves").format(name=d.name))
                courts = (f'<form method="post" action="/admin/devices/{escape(d.device_id)}/courts">{_csrf(admin)}'
                          f'<fieldset><legend>{escape(_("Courts {name} serves").format(name=d.name))}</legend>'
                          f'{_court_boxes([(c.id, c.name) for c in site.courts], d.courts, d.device_id)}</fieldset>'
                          f'<button aria-label="{label}">{escape(_("Save courts"))}</button></form>')
        rows.append(f"<tr><td>{escape(d.name)}</td><td><code>{escape(d.device_id)}</code></td>"
                    f"<td>{escape(d.site_id)}</td><td>{escape(_('Active') if d.status == 'active' else _('Revoked'))}"
                    f"</td><td>{courts}</td><td>{_when(d.enrolled_at)}</td><td>{_when(d.last_seen_at)}</td>"
                    f"<td>{d.events}</td><td>{action}</td></tr>")
    return _table((_("Name"), _("Device id"), _("Site"), _("Status"), _("Courts served"), _("Enrolled"),
                   _("Last contact"), _("Events held"), ""), "".join(rows))


def _unserved(devices: list[DeviceInfo], sites: dict[str, Site]) -> str:
    """Courts no active tablet serves: a case handed over to one from custody would reach nobody there."""
    served = {(d.site_id, c) for d in devices if d.status == "active" for c in d.courts}
    missing = [(site, court) for site in sites.values() for court in site.courts if (site.id, court.id) not in served]
    warning = _("No tablet serves {court} ({site}): cases handed over to it from custody reach nobody there.")
    return "".join(f'<p class="error" role="alert">{escape(warning.format(court=court.name, site=site.name))}</p>'
                   for site, court in missing)


def _table(heads: tuple[str, ...], rows: str) -> str:
    head = "".join(f'<th scope="col">{escape(x)}</th>' for x in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _period(site: str, first: str, last: str) -> tuple[str, str, str]:
    """The site and months asked for; this month when none is given. ValueError names a bad month."""
    today = clock.today().strftime("%Y-%m")  # England's month: at 00:30 BST on the 1st, UTC is still last month
    first, last = first or today, last or first or today
    returns.months_between(first, last)
    return site, first, last


def _report_body(result: returns.Report, sites: str, query: str) -> str:
    """The dashboard: the period form, the headline, and the funnel month by month (suppressed like the return)."""
    first, last = result.period
    headline = "".join(f"<tr><td>{escape(label('headline', ln.category))}</td><td>{escape(ln.shown(True))}</td></tr>"
                       for ln in result.section("headline"))

    def cell(stage: str, month: str) -> str:
        line = result.line("funnel", stage, month)
        return escape(line.shown(True)) if line else "0"

    funnel = "".join(f"<tr><th scope=\"row\">{escape(label('funnel', stage))}</th>"
                     + "".join(f"<td>{cell(stage, m)}</td>" for m in (*result.months, returns.ALL)) + "</tr>"
                     for stage in returns.STAGES)
    return f"""<form method="get" action="/admin/report">
<label for="site">{escape(_("Site"))}</label><select id="site" name="site">{sites}</select>
<label for="from">{escape(_("From (YYYY-MM)"))}</label><input id="from" name="from" value="{escape(first)}" required>
<label for="to">{escape(_("To (YYYY-MM)"))}</label><input id="to" name="to" value="{escape(last)}">
<p><button>{escape(_("Show"))}</button></p></form>
<p>{escape(_("Counts of 1 to 4 are shown as *, as in the return sent to the Programme Board."))}
<a href="/admin/report.csv?{escape(query)}">{escape(_("Download the return (CSV)"))}</a>
<a href="/admin/report.pdf?{escape(query)}">{escape(_("Download the report with charts (PDF)"))}</a></p>
<h2>{escape(_("Headline"))}</h2>{_table((_("Figure"), _("Value")), headline)}
<h2>{escape(_("Pathway funnel by month"))}</h2>
{_table(("", *result.months, _("Whole period")), funnel)}"""


CASE_REFERENCE = N_("Case reference (on the tablet, under the person's name)")


def _audit_form(sites: dict[str, Site], site_id: str, reference: str) -> str:
    options = "".join(f'<option value="{escape(k)}"{" selected" if k == site_id else ""}>{escape(v.name)}</option>'
                      for k, v in sorted(sites.items()))
    return (f'<form method="get" action="/admin/audit"><label for="site_id">{escape(_("Site"))}</label>'
            f'<select id="site_id" name="site_id">{options}</select>'
            f'<label for="case">{escape(_(CASE_REFERENCE))}</label>'
            f'<input id="case" name="case" size="40" value="{escape(reference)}" required>'
            f'<p><button>{escape(_("Show the audit trail"))}</button></p></form>')


def _trail_rows(trail: list[Any], site: Site, tablets: dict[str, str]) -> str:
    """The trail as a person reads it: local times, officer and tablet names, actions and steps in words, and a
    run of the same entry (a screening saved after every answer) as one row with how many times."""
    def when(first: Any, last: Any) -> str:
        start, end = (_when(datetime.fromisoformat(x.at)) for x in (first, last))
        return start if start == end else f"{start} – {end}"

    def detail(e: Any) -> str:
        if e.action in (audit.CHANGE, audit.CREATE) and e.detail:
            return ", ".join(_(EVENT_NAMES.get(k, k)) for k in e.detail.split(","))
        return _("shown in a list") if e.detail == audit.LISTED else e.detail

    def counted(what: str, n: int) -> str:
        return what if n == 1 else ngettext("{what} ({n} time)", "{what} ({n} times)", n).format(what=what, n=n)

    officers = {o.id: o.name for o in site.officers}
    return "".join(
        f"<tr><td>{escape(when(first, last))}</td><td>{escape(_(audit.ACTION_NAMES.get(last.action, last.action)))}"
        f"</td><td>{escape(counted(detail(last), n))}</td>"
        f"<td>{escape(officers.get(last.officer_id, last.officer_id))}</td>"
        f"<td>{escape(tablets.get(last.device_id, last.device_id))}</td></tr>"
        for first, last, n in runs(trail, key=lambda e: (e.action, e.detail, e.officer_id, e.device_id)))


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(include_in_schema=False)

    def signed_in(request: Request) -> Admin | None:
        return admin_auth.session_admin(ctx, request.cookies.get(COOKIE))

    async def with_admin(request: Request, form: dict[str, str] | None,
                         then: Callable[[Admin], Any]) -> Response:
        admin = await run_in_threadpool(signed_in, request)
        if admin is None:
            return RedirectResponse("/admin/login", status_code=303)
        if form is not None and not hmac.compare_digest(form.get("csrf", ""), admin.csrf):
            expired = escape(_("This form has expired: go back, reload the page and try again."))
            return _page(_("Not allowed"), f'<p class="error">{expired}</p>', admin, 403)
        return await then(admin)

    @api.get("/admin/login")
    def login_form(error: str = "") -> HTMLResponse:
        message = f'<p class="error" role="alert">{escape(_("Wrong name or password."))}</p>' if error else ""
        return _page(_("Site admin sign-in"), f"""{message}<form method="post" action="/admin/login">
<label for="name">{escape(_("Admin name"))}</label><input id="name" name="name" autocomplete="username" required>
<label for="password">{escape(_("Password"))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button>{escape(_("Sign in"))}</button></p></form>""")

    @api.post("/admin/login")
    async def login(request: Request) -> Response:
        ctx.limit_address(request.client.host if request.client else None)
        form = await _form(request)
        name, password = form.get("name", ""), form.get("password", "")
        if not await run_in_threadpool(admin_auth.check_password, ctx, name, password):
            return RedirectResponse("/admin/login?error=1", status_code=303)
        token, expires = await run_in_threadpool(admin_auth.start_session, ctx, name)
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/admin",
                            secure=request.url.scheme == "https", max_age=ctx.settings.session_hours * 3600)
        return response

    @api.post("/admin/logout")
    async def logout(request: Request) -> Response:
        form = await _form(request)

        async def then(_admin: Admin) -> Response:
            await run_in_threadpool(admin_auth.end_session, ctx, request.cookies.get(COOKIE, ""))
            response = RedirectResponse("/admin/login", status_code=303)
            response.delete_cookie(COOKIE, path="/admin")
            return response
        return await with_admin(request, form, then)

    async def devices_page(admin: Admin, note: str = "", error: str = "") -> Response:
        devices = await run_in_threadpool(device_infos, ctx)  # the page lists devices: no site-wide counts
        sites = "".join(f'<option value="{escape(s)}">{escape(ctx.sites[s].name)}</option>'
                        for s in sorted(ctx.sites))
        all_courts = [(c.id, f"{c.name} ({ctx.sites[s].name})") for s in sorted(ctx.sites) for c in ctx.sites[s].courts]
        tablets = "".join(f'<option value="{escape(d.device_id)}">{escape(d.name)} '
                          f"({escape(ctx.sites[d.site_id].name)})</option>"
                          for d in devices if d.status == "active" and d.site_id in ctx.sites)
        shown = ""
        if note:
            shown += f'<div class="note" role="status">{note}</div>'
        if error:
            shown += f'<p class="error" role="alert">{escape(error)}</p>'
        body = f"""{shown}<h2>{escape(_("Enrol a tablet"))}</h2>
<p>{escape(_("Issue a one-time code for one tablet, then enter it on the tablet (courtside run --enrol-code). "
             "The code is shown once and expires in 24 hours."))}</p>
<form method="post" action="/admin/enrolment-codes">{_csrf(admin)}
<label for="site">{escape(_("Site"))}</label><select id="site" name="site_id">{sites}</select>
<label for="device_name">{escape(_("Tablet name"))}</label>
<input id="device_name" name="device_name" maxlength="80" required>
<fieldset><legend>{escape(_("Courts it serves (cases handed over from custody reach only these tablets)"))}</legend>
{_court_boxes(all_courts, [], "new")}</fieldset>
<p><button>{escape(_("Issue enrolment code"))}</button></p></form>
<h2>{escape(_("Devices"))}</h2>{_unserved(devices, ctx.sites)}{_device_rows(devices, admin, ctx.sites)}
<h2>{escape(_("Share a case with a device"))}</h2>
<form method="post" action="/admin/shares">{_csrf(admin)}
<label for="share_site">{escape(_("Site"))}</label><select id="share_site" name="site_id">{sites}</select>
<label for="case_id">{escape(_(CASE_REFERENCE))}</label>
<input id="case_id" name="case_id" size="40" required>
<label for="device_id">{escape(_("Tablet"))}</label><select id="device_id" name="device_id">{tablets}</select>
<p><button>{escape(_("Share case"))}</button></p></form>"""
        return _page(_("Devices"), body, admin)

    @api.get("/admin")
    async def home(request: Request) -> Response:
        return await with_admin(request, None, devices_page)

    @api.post("/admin/enrolment-codes")
    async def issue(request: Request) -> Response:
        form = await _form(request)

        async def then(admin: Admin) -> Response:
            try:
                code, expires = await run_in_threadpool(enrolment.issue_code, ctx, form.get("site_id", ""),
                                                        form.get("device_name", ""), f"admin:{admin.name}", None,
                                                        _ticked(form))
            except HTTPException as exc:
                return await devices_page(admin, error=str(exc.detail))
            intro = _("Enrolment code for {name}, valid until {when}:").format(
                name=" ".join(form.get("device_name", "").split()), when=fmt_datetime(expires, "short"))
            note = f'<p>{escape(intro)}</p><p class="code">{escape(code)}</p>'
            return await devices_page(admin, note=note)
        return await with_admin(request, form, then)

    @api.post("/admin/devices/{device_id}/revoke")
    async def revoke(request: Request, device_id: str) -> Response:
        form = await _form(request)

        async def then(admin: Admin) -> Response:
            try:
                device = await run_in_threadpool(enrolment.revoke, ctx, device_id, f"admin:{admin.name}")
            except HTTPException as exc:
                return await devices_page(admin, error=str(exc.detail))
            said = _("{name} is revoked: it can no longer sync.").format(name=device.name)
            return await devices_page(admin, note=f"<p>{escape(said)}</p>")
        return await with_admin(request, form, then)

    @api.post("/admin/devices/{device_id}/courts")
    async def courts(request: Request, device_id: str) -> Response:
        form = await _form(request)

        async def then(admin: Admin) -> Response:
            try:
                device = await run_in_threadpool(enrolment.set_courts, ctx, device_id, _ticked(form))
            except HTTPException as exc:
                return await devices_page(admin, error=str(exc.detail))
            served = ", ".join(ctx.sites[device.site_id].court(c).name for c in device.courts.split())
            said = _("{name} now serves: {courts}.").format(name=device.name, courts=served or _("no court"))
            return await devices_page(admin, note=f"<p>{escape(said)}</p>")
        return await with_admin(request, form, then)

    @api.post("/admin/shares")
    async def share(request: Request) -> Response:
        form = await _form(request)

        async def then(admin: Admin) -> Response:
            try:
                site_id = form.get("site_id", "")
                case_id = await run_in_threadpool(find_case, ctx, site_id, form.get("case_id", ""))
                result = await run_in_threadpool(pull.share_case, ctx, site_id, case_id,
                                                 form.get("device_id", "").strip(), f"admin:{admin.name}")
            except HTTPException as exc:
                return await devices_page(admin, error=str(exc.detail))
            said = _("Case shared: {n} events go to that device.").format(n=result.events)
            return await devices_page(admin, note=f"<p>{escape(said)}</p>")
        return await with_admin(request, form, then)

    @api.get("/admin/health")
    async def health(request: Request) -> Response:
        async def then(admin: Admin) -> Response:
            h = await run_in_threadpool(sync_health, ctx)
            sites = "".join(f"<tr><td>{escape(s.site_id)}</td><td>{s.events}</td><td>{s.cases}</td>"
                            f"<td>{s.devices_active}</td><td>{s.devices_revoked}</td></tr>" for s in h.sites)
            devices = "".join(
                f"<tr><td>{escape(d.name)}</td><td>{escape(d.status)}</td><td>{_when(d.last_push_at)}</td>"
                f"<td>{_when(d.last_pull_at)}</td><td>{_count(d.reported_pending)}</td>"
                f"<td>{_count(d.reported_quarantined)}</td><td>{d.rejected}</td></tr>"
                for d in h.devices)
            quarantined = "".join(
                f"<tr><td><code>{escape(q.device_id)}</code></td><td><code>{escape(q.event_id or '—')}</code></td>"
                f"<td>{escape(q.reason)}</td><td>{_when(q.last_seen)}</td><td>{q.times}</td></tr>"
                for q in h.quarantined)

            body = (f"<h2>{escape(_('Sites'))}</h2>"
                    + _table((_("Site"), _("Events"), _("Cases"), _("Active tablets"), _("Revoked tablets")), sites)
                    + f"<h2>{escape(_('Tablets'))}</h2>"
                    + _table((_("Name"), _("Status"), _("Last push"), _("Last pull"), _("Waiting on tablet"),
                             _("Held back on tablet"), _("Refused by server")), devices)
                    + f"<h2>{escape(_('Refused events'))}</h2>"
                    + _table((_("Device"), _("Event"), _("Reason"), _("Last seen"), _("Times")), quarantined))
            return _page(_("Sync health"), body, admin)
        return await with_admin(request, None, then)

    async def monthly(request: Request, then: Callable[[Admin, returns.Report, str], Any]) -> Response:
        q = request.query_params

        async def show(admin: Admin) -> Response:
            try:
                site, first, last = _period(q.get("site", next(iter(sorted(ctx.sites)), "")), q.get("from", ""),
                                            q.get("to", ""))
                result = await run_in_threadpool(report_store.monthly_report, ctx, site, first, last)
            except (ValueError, HTTPException) as exc:
                said = exc.detail if isinstance(exc, HTTPException) else str(exc)
                return _page(_("Monthly return"), f'<p class="error" role="alert">{escape(str(said))}</p>', admin,
                             422)
            return await then(admin, result, f"site={site}&from={first}&to={last}")
        return await with_admin(request, None, show)

    @api.get("/admin/report")
    async def report_page(request: Request) -> Response:
        async def then(admin: Admin, result: returns.Report, query: str) -> Response:
            sites = "".join(f'<option value="{escape(s)}"{" selected" if s == result.site_id else ""}>'
                            f'{escape(ctx.sites[s].name)}</option>' for s in sorted(ctx.sites))
            return _page(_("Monthly return"), _report_body(result, sites, query), admin)
        return await monthly(request, then)

    def download(result: returns.Report, body: bytes, kind: str, media: str) -> Response:
        first, last = result.period
        name = f"cstr-return-{result.site_id}-{first}-{last}.{kind}"
        return Response(body, media_type=media, headers={**_HEADERS,
                                                         "Content-Disposition": f'attachment; filename="{name}"'})

    @api.get("/admin/report.csv")
    async def report_csv(request: Request) -> Response:
        async def then(_admin: Admin, result: returns.Report, _query: str) -> Response:
            return download(result, returns.to_csv(result).encode(), "csv", "text/csv; charset=utf-8")
        return await monthly(request, then)

    @api.get("/admin/report.pdf")
    async def report_pdf(request: Request) -> Response:
        async def then(_admin: Admin, result: returns.Report, _query: str) -> Response:
            return download(result, await run_in_threadpool(render_report, result), "pdf", "application/pdf")
        return await monthly(request, then)


    @api.get("/admin/audit")
    async def audit_page(request: Request, site_id: str = "demo", case: str = "") -> Response:
        """Who viewed, changed, printed, exported or purged one case, on which tablet and when."""
        async def then(admin: Admin) -> Response:
            body = _audit_form(ctx.sites, site_id, case)
            if case.strip():
                try:
                    case_id = await run_in_threadpool(find_case, ctx, site_id, case)
                except HTTPException as exc:
                    return _page(_("Audit trail"), body + f'<p class="error" role="alert">{escape(str(exc.detail))}'
                                 "</p>", admin, status=exc.status_code)
                trail = await run_in_threadpool(audit_trail.case_trail, ctx, site_id, case_id)
                tablets = {d.device_id: d.name for d in await run_in_threadpool(enrolment.list_devices, ctx, site_id)}
                rows = _trail_rows(trail, ctx.sites[site_id], tablets)
                body += (f"<p>{escape(_('Case {reference}').format(reference=case_reference(case_id)))}</p>"
                         + _table((_("When"), _("Action"), _("What"), _("Officer"), _("Tablet")), rows)
                         if trail else f"<p>{escape(_('No audit entries for this case yet.'))}</p>")
            return _page(_("Audit trail"), body, admin)
        return await with_admin(request, None, then)

    return api
