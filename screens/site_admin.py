"""A site admin signed in on a tablet: is this tablet syncing, and is its audit trail intact. No case is shown."""

from __future__ import annotations

import flet as ft

from app import audit
from app.i18n import _
from screens import ui
from screens.shell import Shell, sync_status_text


async def admin_home(shell: Shell) -> ft.Control:
    assert shell.session is not None
    tablet = shell.session.tablet
    status = await shell.call(tablet.sync_status)
    broken = await shell.call(audit.verify, tablet.engine)
    entries = await shell.call(audit.count, tablet.engine)
    trail = (_("Audit trail intact: {n} entries on this tablet.").format(n=entries) if broken is None else
             _("Audit trail broken at entry {seq}: {what}. Tell the site's information governance lead.").format(
                 seq=broken.seq, what=broken.reason))
    return ft.Column([
        ui.heading(_("This tablet")),
        ui.body(_("A site admin sees how the tablet is doing, never a case. Devices, courts and the audit trail "
                  "of each case are on the site server's admin pages.")),
        ui.body(_("Sync: {status}").format(status=sync_status_text(status))),
        ui.body(trail),
    ], spacing=16)
