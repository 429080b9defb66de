"""`poisontui serve`: the app in web browsers, through textual-serve.

Two things differ from textual-serve's own page: its links start with the address the browser
used (or the public URL given), not the address the server listens on, so a server bound to
0.0.0.0 works from any of the machine's addresses; and its font comes from the server, so the
page works in a room with no internet.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"
# A Host header as browsers send it: a name or IPv4 address, or a bracketed IPv6 one, and a port.
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


def page_base(public_url: str | None, scheme: str, host: str | None, fallback: str) -> str:
    """Where the page's links start: the public URL if one is given, else the address the browser used."""
    if public_url:
        return public_url.rstrip("/")
    if host and _HOST.fullmatch(host):
        return f"{scheme}://{host}"
    return fallback


def check_public_url(url: str) -> str | None:
    """Why `url` cannot be the public address of the page, or None if it can."""
    if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", url):
        return "must be an address like http://HOST:PORT or https://demo.example.org"
    return None


def make_server(command: str, host: str, port: int, public_url: str | None = None):
    """A textual-serve `Server` that runs `command` for each browser and sends poisontui's page."""
    import aiohttp_jinja2
    from textual_serve.server import Server, to_int

    class PageServer(Server):
        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request) -> dict[str, Any]:
            base = page_base(public_url, request.scheme, request.host, self.public_url)
            router = request.app.router
            socket_scheme = "wss" if base.startswith("https:") else "ws"
            return {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "app_websocket_url": f"{socket_scheme}:{base.split(':', 1)[1]}{router['websocket'].url_for()}",
                "config": {"static": {"url": f"{base}{router['static'].url_for(filename='/')}".rstrip("/") + "/"}},
                "application": {"name": self.title},
            }

    return PageServer(command, host=host, port=port, title="poisontui", public_url=public_url,
                      templates_path=TEMPLATES)
