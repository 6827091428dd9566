"""``docsec dashboard``: the teaching dashboard in the browser (free play, tabletop mode and exercises)."""

from __future__ import annotations

import argparse
import sys

from ..dashboard.server import DEFAULT_HOST, DEFAULT_PORT, is_loopback


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="open the teaching dashboard in the browser",
                       description="Serve the teaching dashboard: choose a shipped scenario, set the custody, "
                                   "penalty, inspection, education and external-channel levers, and watch leaks, "
                                   "losses, detections and sanctions unfold; or play it as a tabletop game in "
                                   "rounds with a debrief against the unchanged policy; or run a tabletop exercise "
                                   "where participants join on their own devices with a short code and play the "
                                   "centre and the offices' custodians, with injects and an after-action report. "
                                   "Works with no network. Needs the 'dashboard' extra.")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default: {DEFAULT_HOST}, this machine only; "
                        "0.0.0.0 lets other machines in the room connect)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT})")
    p.add_argument("--no-browser", dest="open_browser", action="store_false",
                   help="do not open a web browser once the server is up")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..dashboard import server

    host, port = server.check_address(args.host, args.port)
    server.check_port_free(host, port)
    if not is_loopback(host):
        print(f"docsec dashboard: listening on {host}: other machines on the network can open it",
              file=sys.stderr)
    server.serve(host=host, port=port, open_browser=args.open_browser)
    return 0
