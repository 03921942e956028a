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


def _tablet(data_dir: Path, site_file: Path | None, server: str | None, site_id: str | None):  # noqa: ANN202
    from app.site import ConfigError, load_site
    from app.tablet import Tablet
    from sync.client import SyncClient

    tablet = Tablet(data_dir)
    client = SyncClient(tablet, server, site_id or "demo") if server else None
    if client is not None:
        client.pull_config()
    if not tablet.has_site:
        if site_file is None:
            sys.exit(f"courtside: {data_dir} has no site configuration; give --server URL or --site-file FILE")
        try:
            tablet.install_site(load_site(site_file), str(site_file))
        except ConfigError as exc:
            sys.exit(f"courtside: {exc}")
    return tablet, client


def run_tablet(data_dir: Path, server: str | None, site_file: Path | None, site_id: str | None,
               web: bool, host: str, port: int) -> None:
    import flet as ft
    import uvicorn

    from screens.main import make_main, web_app
    from screens.shell import AppContext
    from sync.client import SyncLoop

    tablet, client = _tablet(data_dir, site_file, server, site_id)
    loop = SyncLoop(client) if client else None
    ctx = AppContext(tablet=tablet, kick_sync=loop.kick if loop else (lambda: None))
    if loop:
        loop.start()
    if web:
        uvicorn.run(web_app(ctx), host=host, port=port, log_level="warning", access_log=False)
    else:
        ft.run(make_main(ctx))


def demo(host: str, port: int, server_port: int, home: Path) -> None:
    """Server on embedded SQLite and a tablet provisioned with the demo site and PIN, both on loopback."""
    import httpx

    from app.site import demo_site_path, load_site
    from sync import server as site_server

    server_dir, tablet_dir = home / "server", home / "tablet"
    server_url = f"http://{host}:{server_port}"
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
    print(f"Courtside demo\n  tablet app:  http://{host}:{port}/\n  site server: {server_url}/  "
          f"(API docs {server_url}/docs)\n  demo officer: {officer.name}   PIN: {DEMO_PIN}\n"
          f"  data kept in {home} (delete it to start again)", flush=True)
    run_tablet(tablet_dir, server_url, None, "demo", True, host, port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="courtside", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p_demo = sub.add_parser("demo", help="start the site server and the tablet app with the demo site")
    p_demo.add_argument("--host", default="127.0.0.1")
    p_demo.add_argument("--port", type=int, default=8550, help="tablet app port (default 8550)")
    p_demo.add_argument("--server-port", type=int, default=8560, help="site server port (default 8560)")
    p_demo.add_argument("--home", type=Path, default=DEFAULT_HOME / "demo", help="where the demo keeps its data")

    p_server = sub.add_parser("server", help="run the site server")
    p_server.add_argument("--host", default="127.0.0.1")
    p_server.add_argument("--port", type=int, default=8560)
    p_server.add_argument("--db", default=None, help="database URL (default: SQLite in --data-dir); "
                          "PostgreSQL as postgresql+psycopg://user@host/db")
    p_server.add_argument("--data-dir", type=Path, default=DEFAULT_HOME / "server")

    p_run = sub.add_parser("run", help="run the tablet app")
    p_run.add_argument("--data-dir", type=Path, default=DEFAULT_HOME / "tablet")
    p_run.add_argument("--server", default=None, help="site server URL, e.g. http://127.0.0.1:8560")
    p_run.add_argument("--site", default="demo", help="site id on the server (default demo)")
    p_run.add_argument("--site-file", type=Path, default=None, help="site configuration for a first start offline")
    p_run.add_argument("--web", action="store_true", help="serve in the browser instead of a desktop window")
    p_run.add_argument("--host", default="127.0.0.1")
    p_run.add_argument("--port", type=int, default=8550)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per sync request is noise
    if args.command == "demo":
        demo(args.host, args.port, args.server_port, args.home)
    elif args.command == "server":
        from sync import server as site_server

        args.data_dir.mkdir(parents=True, exist_ok=True)
        site_server.serve(host=args.host, port=args.port,
                          db_url=args.db or f"sqlite:///{args.data_dir / 'server.db'}", data_dir=args.data_dir)
    elif args.command == "run":
        run_tablet(args.data_dir, args.server, args.site_file, args.site, args.web, args.host, args.port)


if __name__ == "__main__":
    main()
