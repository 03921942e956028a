"""Printing a PDF on a desktop tablet: handed to the system's print spooler over a pipe, never through a file.

In web mode the browser prints (screens open the PDF from memory). On a desktop the PDF goes to CUPS's `lp`
on its standard input, so no copy of the leaflet is written to the tablet's disk by this app; what CUPS keeps
in its own spool until the job prints is the spooler's, and a site sets CUPS to remove finished jobs
(`PreserveJobFiles No`, the default).
"""

from __future__ import annotations

import shutil
import subprocess

from app.i18n import _


class PrintError(RuntimeError):
    """The PDF did not reach a printer; the message says why in words a CDO can act on."""


def print_pdf(pdf: bytes, printer: str | None = None, title: str = "CSTR leaflet") -> str:
    """Send the PDF to the named printer (else the system default); returns the spooler's job line."""
    lp = shutil.which("lp")
    if lp is None:
        raise PrintError(_("No printer is set up on this tablet (the system print service, CUPS, is missing). "
                           "Ask the site admin to add one."))
    command = [lp, "-t", title, *(["-d", printer] if printer else []), "-"]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        raise PrintError(_("The printer did not answer within a minute. Check it is on, then try again.")) from None
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [str(done.returncode)]
        raise PrintError(_("The printer refused the leaflet: {reason}").format(reason=reason[0][:200]))
    return done.stdout.decode(errors="replace").strip()
