"""Starting the dashboard's web server (Solara on uvicorn), offline and on this machine by default.

Solara reads its settings from the environment when its server module is first
imported, so ``serve`` sets them before importing it: the app to serve, no usage
telemetry (it would call out to the internet), no "runs on Solara" banner. Front-end
assets come from the ``solara-assets`` package through Solara's local asset
cache, so the page loads with no network at all.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
import warnings
import webbrowser

from ...sim.errors import InputError

APP = "docsec.analysis.dashboard.app"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

#: Environment Solara reads at import: what to serve, and nothing that calls outside.
SOLARA_ENVIRONMENT: dict[str, str] = {
    "SOLARA_APP": APP,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "docsec dashboard",
}


class MissingDashboardExtra(InputError):
    """The dashboard's packages are not installed."""


def check_address(host: str, port: int) -> tuple[str, int]:
    """The host and port to listen on; a bad port raises ``InputError`` naming the option."""
    if not host or any(c.isspace() for c in host):
        raise InputError(f"--host: must be a host name or IP address, e.g. 127.0.0.1 (got {host!r})")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError(f"--port: must be a port number from 1 to 65535 (got {port!r})")
    return host, port


def check_port_free(host: str, port: int) -> None:
    """``InputError`` naming ``--port`` when something already listens there (or the host is not this machine's)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise InputError(f"--host {host}: not a known host name or address ({err.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise InputError(f"--port {port}: cannot listen on {host}:{port} ({err.strerror}); "
                             f"choose another port, e.g. --port {port + 1}") from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_solara() -> None:
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401  (bundled front-end assets: the page needs no network)
    except ImportError as err:
        raise MissingDashboardExtra(
            f"the dashboard needs the 'dashboard' extra ({err.name} is missing); install it with "
            "pip install -e '.[dashboard]'") from None


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = True) -> None:
    """Serve the dashboard until interrupted; open it in the default browser once it is up."""
    host, port = check_address(host, port)
    os.environ.update(SOLARA_ENVIRONMENT)  # before Solara is first imported: it reads them then
    require_solara()
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import uvicorn
    from solara.server import settings

    from .plotly_view import PLOTLY_FOLDER

    settings.main.mode = "production"
    settings.assets.extra_locations = [*settings.assets.extra_locations, str(PLOTLY_FOLDER)]  # plotly.js, locally
    # the page is served over plain http on this machine and never embedded in another site,
    # so Solara's fallback to a same-site cookie is the right one: no need to warn about it
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    settings.telemetry.mixpanel_enable = False
    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port, log_level="warning",
                            access_log=False)
    server = uvicorn.Server(config)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    threading.Thread(target=_announce, args=(server, url, open_browser), daemon=True).start()
    server.run()


def _announce(server, url: str, open_browser: bool) -> None:
    """Once the server accepts connections: print its address, and open a browser if asked."""
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.1)
    print(f"docsec dashboard: serving on {url} (Ctrl+C stops it)", flush=True)
    if open_browser:
        webbrowser.open(url)
