"""Officer keys follow the site file: an officer the site no longer lists loses their wrapped key at once.

Why: officers are added and removed by the site (the site file, synced to every tablet). A wrapped key left
behind for someone who has left would still open the tablet with their PIN; deleting it, in the same
transaction that installs the new site file, means the PIN opens nothing from that moment. The data key
itself is untouched: every other officer's wrapped copy still opens it. The removal is audited.
"""

from __future__ import annotations

from app import audit
from app.site import Site
from app.store import OfficerKey, Session, select

REMOVED = "removed_from_site"  # the detail of the audit entry


def forget_removed(s: Session, site: Site, device_id: str) -> None:
    """Delete the wrapped keys of officers the site file no longer lists; audit each. The caller commits and
    holds `audit.LOCK` until it does."""
    listed = {o.id for o in site.officers}
    gone = [k for k in s.exec(select(OfficerKey)) if k.officer_id not in listed]
    for key in gone:
        s.delete(key)
        audit.append(s, audit.KEY_DELETED, device_id, key.officer_id, detail=REMOVED)
