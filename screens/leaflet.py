"""The CSTR leaflet: choose its language and version, open the PDF to print it, then record the hand-over.

Printing goes through the platform's own print path: in web mode the PDF is served from memory on an
unguessable link and the browser's print dialog prints it; on a desktop it is piped to the system printer
(app/printing.py). Either way it is never written to the tablet's disk.
"""

from __future__ import annotations

import flet as ft
from babel import Locale

from app import i18n
from app.appointment import LOST
from app.i18n import N_, _
from app.leaflet import LANGUAGES, leaflet_language
from app.leaflet_words import reviewed
from app.printing import PrintError, print_pdf
from app.site import PAPER
from screens import case_page, ui
from screens.appointment import slot_label_from
from screens.shell import Shell

_PAPER_NAMES = {"a4": N_("A4"), "a5-fold": N_("A5 fold (A4 landscape, folded once)")}


def _language_name(code: str) -> str:
    loc = Locale.parse(code)
    return f"{loc.get_display_name('en')} – {loc.get_display_name(code)}" if code != "en" else "English"


async def leaflet_page(shell: Shell, case_id: str, language: str | None = None, easy_read: bool | None = None,
                       paper: str | None = None) -> ft.Control:
    assert shell.session is not None
    session = shell.session
    case = await shell.call(session.case, case_id)
    site = await shell.call(lambda: shell.tablet.site)

    async def back(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    async def to_booking(_e: ft.ControlEvent) -> None:
        from screens import appointment

        await shell.go(appointment.choose_slot, case_id)

    if any(case.booking_states.get(b) == LOST for b in case.appointments):
        return ft.Column([
            ui.heading(_("CSTR leaflet")),
            ft.Semantics(live_region=True, content=ui.body(
                _("An appointment lost its slot to another tablet. Book another time before printing the leaflet."),
                color=ft.Colors.RED_700)),
            ft.Row([ui.primary(_("Book another time"), to_booking), ui.secondary(_("Back"), back)], spacing=16),
        ], spacing=16)

    language = language or leaflet_language(case)
    easy_read = bool(easy_read) if easy_read is not None else bool((case.consent or {}).get("format") == "easy_read")
    paper = paper or site.leaflet_paper
    pdf = await shell.call(session.leaflet, case_id, language, easy_read, paper)
    pdf_url = shell.ctx.pdfs.put(pdf, "cstr-leaflet.pdf")

    async def language_changed(e: ft.ControlEvent) -> None:
        await shell.go(leaflet_page, case_id, e.control.value, easy_read, paper)

    async def paper_changed(e: ft.ControlEvent) -> None:
        await shell.go(leaflet_page, case_id, language, easy_read, e.control.value)

    async def easy_changed(e: ft.ControlEvent) -> None:
        await shell.go(leaflet_page, case_id, language, bool(e.control.value), paper)

    async def given(_e: ft.ControlEvent) -> None:
        await shell.call(session.record_leaflet_given, case_id, language, easy_read)
        shell.saved()
        await shell.go(confirmation, case_id)

    lang_box, lang_dd = ui.dropdown(_("Leaflet language"), [(c, _language_name(c)) for c in LANGUAGES], language,
                                    width=420)
    lang_dd.on_select = language_changed
    paper_box, paper_dd = ui.dropdown(_("Paper"), [(p, _(_PAPER_NAMES[p])) for p in PAPER], paper, width=420)
    paper_dd.on_select = paper_changed
    easy = ft.Switch(label=ui.target_label(_("Easy read: pictures and larger text")), value=easy_read,
                     on_change=easy_changed)
    whens = [slot_label_from(a) for a in sorted(case.appointments.values(), key=lambda a: a["start"])]
    controls: list[ft.Control] = [ui.heading(_("CSTR leaflet"))]
    if not await shell.call(reviewed, language, "leaflet"):
        controls.append(ft.Semantics(live_region=True, identifier="translation-notice", content=ft.Container(
            border=ft.Border.all(3, ft.Colors.AMBER_800), padding=12, content=ui.body(
                _("A qualified translator has not checked the {lang} leaflet yet. Go through it with the person, "
                  "with an interpreter if you can.").format(lang=i18n.language(language).english),
                size=16))))
    if case.needs_reprint:
        controls.append(ft.Semantics(live_region=True, identifier="leaflet-reprint", content=ft.Container(
            border=ft.Border.all(4, ft.Colors.AMBER_800), padding=16, content=ui.body(
                _("The appointment changed after the leaflet was printed. Print this new leaflet and give it "
                  "to the person in place of the old one.")))))
    controls += [
        ui.body(_("The leaflet gives the next appointment: {when}.").format(when="; ".join(whens))),
        ui.body(_("It carries no name, because the person takes it out of court.") if not site.leaflet_shows_name
                else _("This site prints the person's name on the leaflet.")),
        ft.Row([lang_box, paper_box], wrap=True, spacing=16),
        easy,
        shell.pinned(ft.Row([print_button(shell, pdf, pdf_url), ui.primary(_("Leaflet given to the defendant"), given),
                             ui.secondary(_("Back"), back)], spacing=16)),
    ]
    return ft.Column(controls, spacing=16)


def print_button(shell: Shell, pdf: bytes, pdf_url: str) -> ft.Control:
    """In the browser, open the PDF for its print dialog; on a desktop, send it to the system printer."""
    if shell.page.web:
        return ui.primary(_("Open the leaflet to print"), icon=ft.Icons.PRINT,
                          action=ft.OpenUrl(pdf_url, target=ft.UrlTarget.BLANK))
    said = ft.Text("", size=16)

    async def send(_e: ft.ControlEvent) -> None:
        try:
            await shell.call(print_pdf, pdf)
        except PrintError as exc:
            said.value, said.color = str(exc), ft.Colors.RED_700
        else:
            said.value, said.color = _("Sent to the printer."), None
        shell.page.update()

    return ft.Column([ui.primary(_("Print the leaflet"), send, icon=ft.Icons.PRINT),
                      ft.Semantics(live_region=True, content=said)], spacing=8)


async def confirmation(shell: Shell, case_id: str) -> ft.Control:
    from screens import today

    async def to_list(_e: ft.ControlEvent) -> None:
        await shell.go(today.today_list)

    async def to_case(_e: ft.ControlEvent) -> None:
        await shell.go(case_page.task_list, case_id)

    return ft.Column([
        ft.Container(bgcolor=ft.Colors.GREEN_800, padding=24, content=ft.Column([
            ft.Text(_("Case complete"), size=32, weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE),
            ft.Text(_("The leaflet was given and the record is saved on this tablet."), size=18,
                    color=ft.Colors.WHITE),
        ])),
        ui.body(_("It goes to the site server when the tablet is connected: see the sync status at the top.")),
        ft.Row([ui.primary(_("Back to today's cases"), to_list), ui.secondary(_("View the case"), to_case)],
               spacing=16),
    ], spacing=16)
