"""The web server of `invtui serve`: textual-serve's Server, closed to other sites.

textual-serve starts one app process for every websocket that connects, from any page. Any web
page an operator has open could otherwise open that websocket (browsers do not apply the
same-origin policy to websockets) and type into the login form. So this server:

- refuses (403) every request whose `Origin` is not the served origin, and a websocket with no
  `Origin` at all, before any app process starts. The served origin is the scheme, host and
  port of the public URL (`--public-url`, else http://HOST:PORT); on a loopback address the
  other loopback names of the same port are the same machine and are accepted too;
- sends security headers with every response (no framing, no type sniffing, no referrer) and
  lists no directories;
- tells each tab's process the browser's address (`invtui.web.CLIENT_ENV`), so that failed
  logins slow down per address. Behind a reverse proxy on the same machine the address is the
  last hop of `X-Forwarded-For`, which only a loopback peer is believed about;
- sets the page up for phones: a viewport, and a font small enough for 60 columns.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from invtui.services.identity import SERVED_ENV
from invtui.web import CLIENT_ENV

log = logging.getLogger("textual-serve")

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
WEBSOCKET_PATH = "/ws"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# Terminal sizes a browser may ask for; a bigger one only costs the server memory.
_MAX_COLUMNS, _MAX_ROWS = 500, 200

# Put in the page's <head>. Without a viewport a phone lays the page out 980 px wide and
# shrinks it: unreadable. With it, 16 px text gives a phone about 40 columns; the script makes
# the font smaller (not below 9 px) so that 60 columns fit, the width every screen works at,
# unless the address asks for a size (?fontsize=N).
PHONE_HEAD = """
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>@media (max-width: 700px) { .intro { width: auto; margin: 8px; } }</style>
    <script>
      document.addEventListener("DOMContentLoaded", function () {
        if (new URLSearchParams(window.location.search).has("fontsize")) return;
        var terminal = document.getElementById("terminal");
        var fits = Math.floor(window.innerWidth / (60 * 0.62));
        if (terminal && fits < Number(terminal.dataset.fontSize)) {
          terminal.dataset.fontSize = String(Math.max(9, fits));
        }
      });
    </script>"""


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL or an Origin header, spelled one way; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")


def allowed_origins(public_url: str) -> frozenset[str]:
    """The origins a page of this server has: the public URL's, and its loopback aliases."""
    origin = origin_of(public_url)
    if origin is None:
        raise ValueError(f"--public-url {public_url!r} is not an http:// or https:// address")
    parts = urlsplit(origin)
    origins = {origin}
    if _is_loopback(parts.hostname or "") or parts.hostname == "localhost":
        suffix = "" if parts.port is None else f":{parts.port}"
        origins |= {f"{parts.scheme}://{name}{suffix}" for name in _LOOPBACK_NAMES}
    return frozenset(origins)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def client_address(request: web.Request) -> str:
    """The browser's address: the peer's, or the last X-Forwarded-For hop if the peer is a local proxy.

    A proxy appends the address it saw to the header; earlier entries come from the client and
    prove nothing, and a header sent by anyone but a local proxy proves nothing either.
    """
    peer = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _is_loopback(peer):
        last = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            log.warning("ignored X-Forwarded-For %r from %s: not an address", forwarded[:100], peer)
    return peer


class _TabService(AppService):
    """textual-serve's app process, told which browser it serves."""

    def __init__(self, command: str, *, client: str, **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.client = client

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment[CLIENT_ENV] = self.client
        environment[SERVED_ENV] = "1"  # the tab never trusts the OS user, whoever started the server
        return environment


class InvtuiServer(Server):
    """textual-serve's Server with the origin check, the headers and the client address."""

    def __init__(self, command: str, *, host: str, port: int, public_url: str | None = None) -> None:
        super().__init__(command, host=host, port=port, title="invtui", public_url=public_url)
        self.origins = allowed_origins(self.public_url)

    async def _make_app(self) -> web.Application:
        """textual-serve's application with this class's routes, origin check and headers."""
        app = web.Application(middlewares=[self._check_origin])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(self._routes())
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        app.on_response_prepare.append(_add_security_headers)
        return app

    def _routes(self) -> list[web.RouteDef | web.StaticDef]:
        return [
            web.get("/", self.handle_index, name="index"),
            web.get(WEBSOCKET_PATH, self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ]

    @web.middleware
    async def _check_origin(self, request: web.Request, handler: Any) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is None and request.path != WEBSOCKET_PATH:
            return await handler(request)  # a plain navigation or a page's own script tag
        if origin_of(origin or "") not in self.origins:
            log.warning("refused %s from %s with Origin %r: this server is %s (see --public-url)",
                        request.path, request.remote, origin, self.public_url)
            raise web.HTTPForbidden(text="This page may only be used from " + self.public_url + "\n")
        return await handler(request)

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        response: web.Response = await super().handle_index(request)  # type: ignore[assignment]
        if response.text and "name=\"viewport\"" not in response.text:
            response.text = response.text.replace("<head>", "<head>" + PHONE_HEAD, 1)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with the client address passed on and the size bounded."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = min(max(to_int(request.query.get("width", "80"), 80), 1), _MAX_COLUMNS)
        height = min(max(to_int(request.query.get("height", "24"), 24), 1), _MAX_ROWS)
        app_service: _TabService | None = None
        try:
            await websocket.prepare(request)
            app_service = _TabService(
                self.command, client=client_address(request), write_bytes=websocket.send_bytes,
                write_str=websocket.send_str, close=websocket.close,
                download_manager=self.download_manager, debug=self.debug,
            )
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken message from one browser ends that tab only
            log.exception(error)
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket


async def _add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
