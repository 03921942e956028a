"""The `courtside` command: the tablet app, the site server, and the demo that runs both."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path

DEFAULT_HOME = Path(os.environ.get("COURTSIDE_HOME", Path.home() / ".courtside"))
DEMO_PIN = "2468"
DEMO_ADMIN = "admin"


def _tablet(data_dir: Path, site_file: Path | None, server: str | None, site_id: str | None,  # noqa: ANN202
            enrol_code: str | None = None):
    from app.site import ConfigError, load_site
    from app.tablet import Tablet
    from sync.client import SyncClient, SyncError

    tablet = Tablet(data_dir)
    client = SyncClient(tablet, server, site_id or "demo") if server else None
    if client is not None:
        if enrol_code and not client.enrolled:
            try:
                client.enrol(enrol_code)
            except SyncError as exc:
                sys.exit(f"courtside: {exc.reason}")
        if client.enrolled:
            try:
                client.pull()  # the site configuration, before the first screen; offline is fine
            except SyncError as exc:
                logging.getLogger("courtside").info("event=first_pull_failed status=%s", exc.status)
        elif not tablet.has_site:
            sys.exit(f"courtside: this tablet is not enrolled with {server}: give --enrol-code CODE "
                     "(a site admin issues one with `courtside server enrol-code`)")
    if not tablet.has_site:
        if site_file is None:
            sys.exit(f"courtside: {data_dir} has no site configuration; give --server URL or --site-file FILE")
        try:
            tablet.install_site(load_site(site_file), str(site_file))
        except ConfigError as exc:
            sys.exit(f"courtside: {exc}")
    return tablet, client


def run_tablet(data_dir: Path, server: str | None, site_file: Path | None, site_id: str | None,
               web: bool, host: str, port: int, enrol_code: str | None = None) -> None:
    import flet as ft
    import uvicorn

    from app.rules import RulesError, rule_book
    from screens.main import make_main, web_app
    from screens.shell import AppContext
    from sync.loop import SyncLoop

    try:
        rule_book()  # the suitability rules are checked at start, so a broken file is named before anyone uses it
    except RulesError as exc:
        sys.exit(f"courtside: {exc}")
    tablet, client = _tablet(data_dir, site_file, server, site_id, enrol_code)
    loop = SyncLoop(client) if client else None
    ctx = AppContext(tablet=tablet, kick_sync=loop.kick if loop else (lambda: None))
    if loop:
        loop.start()
        from sync.bookings_client import BookingWatch

        BookingWatch(client).start()  # asks the server which bookings hold their slots
    if web:
        uvicorn.run(web_app(ctx), host=host, port=port, log_level="warning", access_log=False)
    else:
        ft.run(make_main(ctx))


def demo(host: str, port: int, server_port: int, home: Path, join: str | None = None) -> None:
    """Server on embedded SQLite and a tablet provisioned with the demo site and PIN, both on loopback.

    With `join`, only another tablet (its own data under `home/join`) enrolled at the demo server already running
    from the same home: custody and court on one machine, as separate tablets with separate data.
    """
    import httpx

    from app.site import demo_site_path, load_site
    from sync import server as site_server

    server_dir, tablet_dir = home / "server", home / (join or "tablet")
    server_url = f"http://{host}:{server_port}"
    if join is None:
        thread = threading.Thread(target=site_server.serve, daemon=True, kwargs=dict(
            host=host, port=server_port, db_url=f"sqlite:///{server_dir / 'server.db'}", data_dir=server_dir))
        server_dir.mkdir(parents=True, exist_ok=True)
        thread.start()
    for _ in range(100):
        try:
            if httpx.get(f"{server_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    from app.tablet import Tablet

    tablet = Tablet(tablet_dir)
    if not tablet.has_site:
        tablet.install_site(load_site(demo_site_path()), str(demo_site_path()))
    if not tablet.enrolled_officers():
        site = tablet.site
        first = site.officers[0]
        tablet.enrol_officer(first.id, DEMO_PIN)
        session = tablet.unlock(first.id, DEMO_PIN)
        for officer in site.officers[1:]:
            tablet.enrol_officer(officer.id, DEMO_PIN, data_key=session._key)
    officer = tablet.site.officers[0]
    admin_password = _demo_enrolment(tablet, server_url, f"sqlite:///{server_dir / 'server.db'}", server_dir,
                                     join)
    others = "".join(f"\n  {o.role} officer: {o.name}   PIN: {DEMO_PIN}" for o in tablet.site.officers[1:])
    admin = (f"  site admin: {server_url}/admin   name: {DEMO_ADMIN}   password: {admin_password}\n"
             if admin_password else "")
    print(f"Courtside demo\n  tablet app:  http://{host}:{port}/\n  site server: {server_url}/  "
          f"(API docs {server_url}/docs)\n  demo officer: {officer.name}   PIN: {DEMO_PIN}{others}\n"
          f"{admin}  data kept in {tablet_dir} (delete {home} to start again)", flush=True)
    run_tablet(tablet_dir, server_url, None, "demo", True, host, port)


def suitability_command(case_file: Path, rules_dir: Path | None) -> int:
    import json

    from app.rules import RulesError, load_rules
    from app.suitability import CaseFileError, assess_case_file

    try:
        result, matches = assess_case_file(case_file, load_rules(rules_dir) if rules_dir else None)
    except (CaseFileError, RulesError) as exc:
        print(f"courtside: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if matches else 1


def audit_command(data_dir: Path, action: str, case_id: str | None) -> int:
    """`courtside audit verify|list`: check the tablet's audit chain, or print its entries (ids only)."""
    from app import audit
    from app.store import open_engine

    db = data_dir / "tablet.db"
    if not db.exists():
        print(f"courtside: {data_dir} holds no tablet data", file=sys.stderr)
        return 2
    engine = open_engine(db)
    if action == "list":
        for e in audit.entries(engine, case_id):
            print(f"{e.seq}\t{e.at}\t{e.action}\t{e.officer_id or '-'}\t{e.device_id}\t{e.case_id or '-'}\t{e.detail}")
        return 0
    broken = audit.verify(engine)
    if broken is not None:
        print(f"courtside: {broken}", file=sys.stderr)
        return 1
    print(f"audit trail intact: {audit.count(engine)} entries")
    return 0


def purge_command(data_dir: Path) -> int:
    """`courtside purge`: remove closed, synced cases past the site's period now (it also runs at each unlock)."""
    from app import clock
    from app.retention import purge_closed
    from app.tablet import Tablet

    purged = purge_closed(Tablet(data_dir), clock.now())
    print(f"purged {len(purged)} closed case(s): " + (", ".join(purged) or "none"))
    return 0


def _demo_enrolment(tablet, server_url: str, db_url: str, server_dir: Path,  # noqa: ANN001
                    join: str | None = None) -> str | None:
    """The demo is its own site admin: a fresh admin password each start (not for a joining tablet, which would
    end the first one's admin session), and the tablet enrolled with a code."""
    import secrets

    from sync import admin_auth, enrolment
    from sync.client import SyncClient, SyncError
    from sync.server import open_context

    ctx = open_context(db_url, server_dir)
    try:
        password = None if join else secrets.token_urlsafe(12)
        if password:
            admin_auth.set_password(ctx, DEMO_ADMIN, password)
        if tablet.ledger.enrolment() is None:
            courts = [c.id for c in ctx.site_or_404("demo").courts]  # a demo tablet serves every demo court
            code, _expires = enrolment.issue_code(ctx, "demo", f"Demo {join or 'tablet'}", "demo", None, courts)
            client = SyncClient(tablet, server_url, "demo")
            try:
                client.enrol(code)
            except SyncError as exc:
                sys.exit(f"courtside demo: {exc.reason}")
            finally:
                client.close()
    finally:
        ctx.db.dispose()
    return password


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="courtside", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p_demo = sub.add_parser("demo", help="start the site server and the tablet app with the demo site")
    p_demo.add_argument("--host", default="127.0.0.1")
    p_demo.add_argument("--port", type=int, default=8550, help="tablet app port (default 8550)")
    p_demo.add_argument("--server-port", type=int, default=8560, help="site server port (default 8560)")
    p_demo.add_argument("--home", type=Path, default=DEFAULT_HOME / "demo", help="where the demo keeps its data")
    p_demo.add_argument("--join", default=None, metavar="NAME",
                        help="start only another tablet, with its own data in HOME/NAME, enrolled at the demo server "
                        "already running from HOME (e.g. a custody suite tablet beside the court's)")

    p_server = sub.add_parser("server", help="run the site server, or an admin task on it (enrol-code, devices, purge, "
                              "revoke, add-admin)")
    from sync.cli import add_server_commands

    add_server_commands(p_server, DEFAULT_HOME / "server")
    from sync.cli import add_report_commands

    add_report_commands(sub, DEFAULT_HOME / "server")

    p_run = sub.add_parser("run", help="run the tablet app")
    p_run.add_argument("--data-dir", type=Path, default=DEFAULT_HOME / "tablet")
    p_run.add_argument("--server", default=None, help="site server URL, e.g. http://127.0.0.1:8560")
    p_run.add_argument("--site", default="demo", help="site id on the server (default demo)")
    p_run.add_argument("--site-file", type=Path, default=None, help="site configuration for a first start offline")
    p_run.add_argument("--enrol-code", default=None, help="one-time code from the site admin, to enrol this tablet")
    p_run.add_argument("--web", action="store_true", help="serve in the browser instead of a desktop window")
    p_run.add_argument("--host", default="127.0.0.1")
    p_run.add_argument("--port", type=int, default=8550)

    p_suit = sub.add_parser("suitability", help="print the suitability decision for a worked case (JSON)",
                            description="Print the decision for a case written as JSON, with every criterion, "
                            "reason and source, so a site can check its policy on worked cases. Exits 1 when "
                            "the file's \"expected\" results differ, 2 when the file or the rules are wrong.")
    p_suit.add_argument("case_file", type=Path, metavar="CASE.json")
    p_suit.add_argument("--rules", type=Path, default=None, help="folder of rules files (default content/rules)")

    p_tool = sub.add_parser("tool", help="check a screening tool file, or try answers against it",
                            description="For site administrators: check a screening tool (content/tools/README.md) "
                            "before it goes live, and see what a set of answers scores.")
    tool_sub = p_tool.add_subparsers(dest="tool_command", required=True)
    p_check = tool_sub.add_parser("check", help="list every problem as FILE:LINE: what is wrong; exit 0 when valid")
    p_check.add_argument("file", type=Path, metavar="FILE")
    p_try = tool_sub.add_parser("try", help="print the scores, bands and flags that ANSWERS.json gives, as JSON")
    p_try.add_argument("file", type=Path, metavar="FILE")
    p_try.add_argument("--answers", type=Path, required=True, metavar="ANSWERS.json",
                       help='a JSON object of item id to answer, e.g. {"audit_1": "4", "phq9_9": "0"}')

    p_leaflet = sub.add_parser("leaflet", help="render a sample CSTR leaflet, for translators and sites to review",
                               description="Render the leaflet with sample data from the site configuration "
                               "(no person's details) in one language, to check the printed result.")
    p_leaflet.add_argument("--demo", action="store_true", required=True, help="use sample data (the only mode)")
    p_leaflet.add_argument("--lang", required=True, metavar="CODE", help="language code, e.g. en, cy, ur, ar")
    p_leaflet.add_argument("--easy-read", action="store_true", help="the easy-read version: pictures and 18 pt")
    p_leaflet.add_argument("--paper", choices=("a4", "a5-fold"), default=None,
                           help="A4, or A4 landscape folded to A5 (default: the site's choice)")
    p_leaflet.add_argument("--site-file", type=Path, default=None, help="site configuration (default: the demo site)")
    p_leaflet.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")

    p_audit = sub.add_parser("audit", help="check or list this tablet's audit trail",
                             description="verify: exit 1 naming the first entry that was removed, altered or "
                             "reordered; list: every entry (ids only), optionally for one case.")
    p_audit.add_argument("audit_command", choices=("verify", "list"))
    p_audit.add_argument("--data-dir", type=Path, default=DEFAULT_HOME / "tablet")
    p_audit.add_argument("--case", default=None, help="list only this case's entries")

    p_purge = sub.add_parser("purge", help="remove closed, synced cases past the site's retention from this tablet")
    p_purge.add_argument("--data-dir", type=Path, default=DEFAULT_HOME / "tablet")

    args = parser.parse_args(argv)
    if args.command == "audit":
        sys.exit(audit_command(args.data_dir, args.audit_command, args.case))
    if args.command == "purge":
        sys.exit(purge_command(args.data_dir))
    if args.command == "leaflet":
        from app.leaflet import demo_command

        sys.exit(demo_command(args.lang, args.easy_read, args.out, args.site_file, args.paper))
    if args.command == "tool":
        from app import screening_admin

        if args.tool_command == "check":
            sys.exit(screening_admin.check(args.file))
        sys.exit(screening_admin.try_answers(args.file, args.answers))
    if args.command == "suitability":
        sys.exit(suitability_command(args.case_file, args.rules))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per sync request is noise
    if args.command == "demo":
        demo(args.host, args.port, args.server_port, args.home, args.join)
    elif args.command in ("report", "demo-data"):
        from sync.cli import run_report_command

        run_report_command(args)
    elif args.command == "server":
        from sync.cli import run_server_command

        run_server_command(args)
    elif args.command == "run":
        run_tablet(args.data_dir, args.server, args.site_file, args.site, args.web, args.host, args.port,
                   args.enrol_code)


if __name__ == "__main__":
    main()
