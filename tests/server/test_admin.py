"""The site admin: pages and API for devices (enrol, list, revoke) and sync health, behind admin login."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from sync.client import SyncClient
from tests.pathway import provisioned_tablet
from tests.server.harness import ADMIN, ADMIN_PASSWORD, SiteServer

ADMIN_API = [("GET", "/api/v1/admin/devices"), ("GET", "/api/v1/admin/sync-health"),
             ("POST", "/api/v1/admin/enrolment-codes"), ("POST", "/api/v1/admin/devices/abcdef/revoke"),
             ("POST", "/api/v1/admin/shares"), ("POST", "/api/v1/admin/logout"),
             # a fixed case id: a parameter must be the same in every pytest-xdist worker
             ("GET", "/api/v1/sites/demo/cases/0b6a3c3e-5f1e-4c55-9d8b-0b9e7a1c2d3f/events"),
             ("GET", "/api/v1/sites/demo/summary")]


@pytest.mark.parametrize(("method", "path"), ADMIN_API)
def test_the_admin_api_needs_a_signed_in_admin(site_server: SiteServer, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWRtaW46YWRtaW4="}):
        response = httpx.request(method, f"{site_server.url}{path}", headers=headers, json={})
        assert response.status_code == 401, response.text
        assert "sign in as a site admin" in response.json()["detail"]


def test_a_wrong_password_is_refused_and_a_session_ends_at_sign_out(site_server: SiteServer) -> None:
    site_server.ensure_admin()
    wrong = httpx.post(f"{site_server.url}/api/v1/admin/login", json={"name": ADMIN, "password": "guess"})
    assert wrong.status_code == 401 and wrong.json() == {"detail": "wrong admin name or password"}
    http = site_server.admin()
    assert http.get("/api/v1/admin/devices").status_code == 200
    assert http.post("/api/v1/admin/logout").status_code == 204
    assert http.get("/api/v1/admin/devices").status_code == 401


def test_an_admin_issues_a_code_over_the_api_and_the_tablet_enrols(site_server: SiteServer, tmp_path: Path) -> None:
    http = site_server.admin()
    issued = http.post("/api/v1/admin/enrolment-codes", json={"site_id": "demo", "device_name": "Basildon tablet"})
    assert issued.status_code == 200
    tablet = provisioned_tablet(tmp_path / "tablet")
    SyncClient(tablet, site_server.url).enrol(issued.json()["code"])
    listed = {d["device_id"]: d for d in http.get("/api/v1/admin/devices").json()}
    assert listed[tablet.device_id]["name"] == "Basildon tablet"
    bad = http.post("/api/v1/admin/enrolment-codes", json={"site_id": "nowhere", "device_name": "x"})
    assert bad.status_code == 404 and bad.json() == {"detail": "unknown site 'nowhere'"}


def _signed_in_pages(site_server: SiteServer) -> httpx.Client:
    site_server.ensure_admin()
    pages = httpx.Client(base_url=site_server.url, follow_redirects=False, timeout=30)
    response = pages.post("/admin/login", data={"name": ADMIN, "password": ADMIN_PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/admin" in cookie
    return pages


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_pages_need_a_sign_in(site_server: SiteServer) -> None:
    for path in ("/admin", "/admin/health"):
        response = httpx.get(f"{site_server.url}{path}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    wrong = httpx.post(f"{site_server.url}/admin/login", data={"name": ADMIN, "password": "nope"},
                       follow_redirects=False)
    assert wrong.headers["location"] == "/admin/login?error=1"
    form = httpx.get(f"{site_server.url}/admin/login?error=1")
    assert "Wrong name or password" in form.text and form.headers["x-frame-options"] == "DENY"


def test_an_admin_enrols_lists_and_revokes_tablets_on_the_pages(site_server: SiteServer, tmp_path: Path) -> None:
    pages = _signed_in_pages(site_server)
    home = pages.get("/admin")
    assert home.status_code == 200 and "Enrol a tablet" in home.text
    assert "default-src 'none'" in home.headers["content-security-policy"]
    issued = pages.post("/admin/enrolment-codes", data={"csrf": _csrf(home.text), "site_id": "demo",
                                                        "device_name": "Harlow <court> tablet"})
    code = re.search(r'class="code">([0-9A-Z-]+)<', issued.text)
    assert code and "Harlow &lt;court&gt; tablet" in issued.text  # shown, and escaped
    tablet = provisioned_tablet(tmp_path / "tablet")
    SyncClient(tablet, site_server.url).enrol(code.group(1))
    listed = pages.get("/admin")
    assert tablet.device_id in listed.text

    forged = pages.post(f"/admin/devices/{tablet.device_id}/revoke", data={"csrf": "forged"})
    assert forged.status_code == 403
    statuses = {d["device_id"]: d["status"] for d in site_server.admin().get("/api/v1/admin/devices").json()}
    assert statuses[tablet.device_id] == "active"
    revoked = pages.post(f"/admin/devices/{tablet.device_id}/revoke", data={"csrf": _csrf(listed.text)})
    assert revoked.status_code == 200 and "can no longer sync" in revoked.text
    devices = {d["device_id"]: d["status"] for d in site_server.admin().get("/api/v1/admin/devices").json()}
    assert devices[tablet.device_id] == "revoked"


def test_sync_health_shows_what_each_tablet_reported_and_what_was_refused(site_server: SiteServer,
                                                                          tmp_path: Path) -> None:
    tab = site_server.enrolled_tablet(tmp_path / "tablet", name="Health check tablet")
    tab.new_case(notes=2)
    from app.store import EventRow, Session

    with Session(tab.tablet.engine) as s:  # one record damaged on the tablet
        row = s.get(EventRow, sorted(tab.own_ids())[0])
        assert row is not None and row.sealed is not None
        row.sealed = row.sealed[:-1] + bytes([row.sealed[-1] ^ 1])
        s.add(row)
        s.commit()
    tab.client.sync_once()
    health = site_server.admin().get("/api/v1/admin/sync-health").json()
    mine = next(d for d in health["devices"] if d["device_id"] == tab.device_id)
    assert mine["events"] == 2 and mine["rejected"] == 1 and mine["reported_quarantined"] == 1
    assert any(q["device_id"] == tab.device_id and "does not open" in q["reason"] for q in health["quarantined"])
    page = _signed_in_pages(site_server).get("/admin/health")
    assert page.status_code == 200 and "Health check tablet" in page.text and "does not open" in page.text
    pages = _signed_in_pages(site_server)
    out = pages.post("/admin/logout", data={"csrf": _csrf(pages.get("/admin").text)})
    assert out.status_code == 303
    assert pages.get("/admin").headers["location"] == "/admin/login"


def test_an_admin_says_which_courts_a_tablet_serves_and_sees_a_court_nobody_serves(
        site_server: SiteServer, tmp_path: Path) -> None:
    pages = _signed_in_pages(site_server)
    home = pages.get("/admin")
    issued = pages.post("/admin/enrolment-codes", data={"csrf": _csrf(home.text), "site_id": "demo",
                                                        "device_name": "Chelmsford MC tablet 2",
                                                        "court:chelmsford-mc": "on"})
    code = re.search(r'class="code">([0-9A-Z-]+)<', issued.text)
    assert code
    tablet = provisioned_tablet(tmp_path / "tablet")
    SyncClient(tablet, site_server.url).enrol(code.group(1))
    api = site_server.admin()
    mine = {d["device_id"]: d for d in api.get("/api/v1/admin/devices").json()}[tablet.device_id]
    assert mine["courts"] == ["chelmsford-mc"]

    listed = pages.get("/admin")
    served = {c for d in api.get("/api/v1/admin/devices").json() if d["status"] == "active" for c in d["courts"]}
    warning = "No tablet serves Colchester Magistrates&#x27; Court"
    assert (warning in listed.text) == ("colchester-mc" not in served)
    moved = pages.post(f"/admin/devices/{tablet.device_id}/courts",
                       data={"csrf": _csrf(listed.text), "court:colchester-mc": "on"})
    assert "Chelmsford MC tablet 2 now serves: Colchester Magistrates" in moved.text
    assert warning not in moved.text
    mine = {d["device_id"]: d for d in api.get("/api/v1/admin/devices").json()}[tablet.device_id]
    assert mine["courts"] == ["colchester-mc"]
    wrong = pages.post(f"/admin/devices/{tablet.device_id}/courts",
                       data={"csrf": _csrf(moved.text), "court:basildon-cc": "on"})
    assert "site &#x27;demo&#x27; has no court &#x27;basildon-cc&#x27;" in wrong.text
    bad = api.post("/api/v1/admin/enrolment-codes", json={"site_id": "demo", "device_name": "x",
                                                          "courts": ["nowhere-mc"]})
    assert bad.status_code == 422 and "has no court 'nowhere-mc'" in bad.json()["detail"]
