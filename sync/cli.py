"""`courtside server ...`: run the site server, or do an admin task on its database from the server's shell.

Why straight on the database: whoever can run commands on the server already holds its keys, so
issuing an enrolment code or revoking a tablet there needs no sign-in; over the network the same
tasks go through the admin pages or API, behind admin login.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from app import clock
from sync.context import ServerContext, Settings


def add_server_commands(parser: argparse.ArgumentParser, default_data_dir: Path) -> None:
    """`courtside server` runs the server; its subcommands are the admin tasks."""

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, default=default_data_dir,
                       help="the server's data directory (keys, and the SQLite database by default)")
        p.add_argument("--db", default=None, help="database URL (default: SQLite in --data-dir); "
                       "PostgreSQL as postgresql+psycopg://user@host/db")

    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8560)
    parser.add_argument("--purge-every-hours", type=float, default=Settings.purge_every_hours,
                        help="run the retention purge at start-up and then this often (default 24; 0: never)")
    common(parser)
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=False,
                                  title="admin tasks (run on the server itself)")
    code = tasks.add_parser("enrol-code", help="issue a one-time enrolment code for one tablet")
    code.add_argument("--device-name", required=True, help="what the tablet is called, e.g. 'Chelmsford MC tablet 3'")
    code.add_argument("--site", default="demo", help="site id the tablet belongs to (default demo)")
    code.add_argument("--hours", type=int, default=24, help="how long the code is valid (default 24)")
    code.add_argument("--court", action="append", default=[], metavar="COURT_ID",
                      help="a court the tablet serves (repeat for more); cases handed over from custody reach "
                           "only the tablets of their court")
    common(code)
    courts = tasks.add_parser("courts", help="set the courts an enrolled tablet serves")
    courts.add_argument("device_id")
    courts.add_argument("court_ids", nargs="*", metavar="COURT_ID", help="none: it serves no court")
    common(courts)
    devices = tasks.add_parser("devices", help="list enrolled tablets")
    common(devices)
    revoke = tasks.add_parser("revoke", help="revoke a tablet: it is refused from now on")
    revoke.add_argument("device_id")
    common(revoke)
    purge = tasks.add_parser("purge", help="delete the cases of a site past its retention period (audited)")
    purge.add_argument("--site", default="demo", help="site id (default demo); its retention_years applies")
    purge.add_argument("--dry-run", action="store_true", help="list the cases that would go; delete nothing")
    common(purge)
    admin = tasks.add_parser("add-admin", help="create a site admin, or set a new password for one")
    admin.add_argument("name")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    common(admin)


def add_report_commands(sub: argparse._SubParsersAction, default_data_dir: Path) -> None:
    """`courtside report` (the monthly return) and `courtside demo-data` (the synthetic cohort that checks it)."""
    rep = sub.add_parser("report", help="the monthly minimum data set for the CSTR Programme Board (CSV or PDF)",
                         description="Count the site's return from the server's records. Counts of 1 to 4 are "
                         "suppressed (*). The columns are documented in docs/REPORT.md.")
    period = rep.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", metavar="YYYY-MM", help="one month")
    period.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month (with --to)")
    rep.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month (default: the --from month)")
    rep.add_argument("--format", choices=("csv", "pdf"), default="csv")
    rep.add_argument("--site", default="demo", help="site id (default demo)")
    rep.add_argument("--out", type=Path, default=None, metavar="FILE", help="write here (CSV default: standard out)")
    rep.add_argument("--rebuild", action="store_true",
                     help="fold every case's events into report facts again first (after an upgrade)")
    demo = sub.add_parser("demo-data", help="store a synthetic cohort on the server, to check the report against",
                          description="Store the testbed-2018 cohort (October 2017 to June 2018) with the process "
                          "evaluation's proportions, written by a throwaway tablet and sealed to the server.")
    demo.add_argument("--cohort", choices=("testbed-2018",), required=True)
    demo.add_argument("--site", default="demo", help="site id (default demo)")
    for p in (rep, demo):
        p.add_argument("--data-dir", type=Path, default=default_data_dir, help="the server's data directory")
        p.add_argument("--db", default=None, help="database URL (default: SQLite in --data-dir)")


def run_report_command(args: argparse.Namespace) -> None:
    from fastapi import HTTPException

    from app.report import to_csv
    from app.report_pdf import render_report
    from sync import demo_data, report_store

    ctx = _context(args)
    try:
        if args.command == "demo-data":
            cohort = demo_data.load_cohort(ctx, args.cohort, args.site)
            print(f"Stored the {args.cohort} cohort at site {args.site}: {cohort.cases} cases, {cohort.events} "
                  "events. Try: courtside report --from 2017-10 --to 2018-06")
            return
        if args.first is None and args.last is not None:
            sys.exit("courtside report: --to needs --from")
        if args.rebuild:
            print(f"Report facts rebuilt for {report_store.rebuild(ctx, args.site)} cases.", file=sys.stderr)
        first = args.month or args.first
        result = report_store.monthly_report(ctx, args.site, first, args.month or args.last or first)
        if args.format == "pdf":
            if args.out is None:
                sys.exit("courtside report: a PDF needs --out FILE")
            args.out.write_bytes(render_report(result))
        elif args.out is None:
            sys.stdout.write(to_csv(result))
        else:
            args.out.write_text(to_csv(result), encoding="utf-8")
    except HTTPException as exc:
        sys.exit(f"courtside {args.command}: {exc.detail}")
    except ValueError as exc:
        sys.exit(f"courtside {args.command}: {exc}")
    finally:
        ctx.db.dispose()


def _context(args: argparse.Namespace) -> ServerContext:
    from sync.server import default_db_url, open_context

    data_dir = args.data_dir.resolve()
    return open_context(args.db or default_db_url(data_dir), data_dir)


def run_server_command(args: argparse.Namespace) -> None:
    from fastapi import HTTPException

    from sync import admin_auth, enrolment, server

    if args.task is None:
        data_dir = args.data_dir.resolve()
        server.serve(host=args.host, port=args.port, db_url=args.db or server.default_db_url(data_dir),
                     data_dir=data_dir, settings=Settings(purge_every_hours=args.purge_every_hours))
        return
    ctx = _context(args)
    try:
        if args.task == "enrol-code":
            code, expires = enrolment.issue_code(ctx, args.site, args.device_name, "cli", args.hours, args.court)
            print(f"Enrolment code for '{' '.join(args.device_name.split())}' at site {args.site}:\n\n    {code}\n\n"
                  f"Valid once, until {expires:%Y-%m-%d %H:%M} UTC. On the tablet: "
                  "courtside run --server URL --enrol-code CODE")
        elif args.task == "devices":
            rows = enrolment.list_devices(ctx)
            if not rows:
                print("No tablets are enrolled.")
            for d in rows:
                print(f"{d.device_id}  {d.status:<8} {d.site_id:<12} {d.name}  "
                      f"[courts: {', '.join(d.courts.split()) or 'none'}]")
        elif args.task == "courts":
            device = enrolment.set_courts(ctx, args.device_id, args.court_ids)
            print(f"{device.device_id} ({device.name}) serves: {', '.join(device.courts.split()) or 'no court'}.")
        elif args.task == "revoke":
            device = enrolment.revoke(ctx, args.device_id, "cli")
            print(f"Revoked {device.device_id} ({device.name}): it is refused from now on.")
        elif args.task == "purge":

            from sync.retention import purge_expired

            cases = purge_expired(ctx, args.site, clock.now(), args.dry_run)
            verb = "would be deleted" if args.dry_run else "deleted"
            print(f"{len(cases)} case(s) past retention at site {args.site} {verb}"
                  + "".join(f"\n  {c}" for c in cases))
        elif args.task == "add-admin":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
            admin_auth.set_password(ctx, args.name, password)
            print(f"Site admin '{args.name}' can sign in at /admin.")
    except HTTPException as exc:
        sys.exit(f"courtside server {args.task}: {exc.detail}")
    except ValueError as exc:
        sys.exit(f"courtside server {args.task}: {exc}")
    finally:
        ctx.db.dispose()
