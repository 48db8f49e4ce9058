"""`invtui serve` as a browser (or another site's page) meets it: a real server on 127.0.0.1, real HTTP.

Each test starts the same aiohttp application `invtui serve` runs on a free port and talks to it
with aiohttp's client. The command it starts per tab is a small shell line that leaves a file
behind, so a test can tell whether an app process was started and with what environment.
"""

from __future__ import annotations

import asyncio
import gc
import shlex
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import psutil
import pytest
from aiohttp import web
from sqlmodel import select

from invtui.cli.serve import app_command
from invtui.config import load_settings
from invtui.db.engine import Database
from invtui.db.models import LoginThrottle, User
from invtui.web import CLIENT_ENV
from invtui.web.server import SECURITY_HEADERS, InvtuiServer, allowed_origins, origin_of

Start = Callable[..., Awaitable[str]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def serve() -> AsyncIterator[Start]:
    """Start an InvtuiServer running `command` per tab; returns its base URL (http://127.0.0.1:PORT)."""
    runners: list[web.AppRunner] = []

    async def start(command: str, public_url: str | None = None) -> str:
        port = _free_port()
        server = InvtuiServer(command, host="127.0.0.1", port=port, public_url=public_url)
        runner = web.AppRunner(await server._make_app(), shutdown_timeout=1.0)  # no handler lingers in a test
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()
    # A tab's process may outlive its websocket for a moment: wait for it and collect its transport
    # while the loop still runs, so none is finalised after the loop has closed.
    me = psutil.Process()
    for _ in range(100):
        if not [child for child in me.children(recursive=True) if _alive(child)]:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.05)
    gc.collect()


def _alive(process: psutil.Process) -> bool:
    """Running and not a zombie; a child that ends while we look is not alive (no NoSuchProcess)."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _tab_command(tmp_path: Path) -> tuple[str, Path]:
    """A per-tab command that writes its environment to a file (and stays a moment)."""
    marker = tmp_path / "tab-env"
    return f"env > {shlex.quote(str(marker))}; sleep 1", marker


async def _wait_for(path: Path, seconds: float = 10.0) -> str:
    for _ in range(int(seconds * 20)):
        if path.exists() and path.read_text():
            return path.read_text()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} never appeared: no app process was started")


async def test_a_page_of_this_server_opens_the_app(serve: Start, tmp_path: Path) -> None:
    command, marker = _tab_command(tmp_path)
    base = await serve(command)
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(base.replace("http", "ws") + "/ws", origin=base) as websocket:
            assert websocket.closed is False  # the upgrade went through (101)
            environment = await _wait_for(marker)
    assert f"{CLIENT_ENV}=127.0.0.1\n" in environment


async def test_localhost_is_the_same_page_as_127_0_0_1(serve: Start, tmp_path: Path) -> None:
    command, marker = _tab_command(tmp_path)
    base = await serve(command)
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(base + "/ws", origin=base.replace("127.0.0.1", "localhost")):
            await _wait_for(marker)


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1.evil.example:8000", "null",
                                    "https://127.0.0.1", None])
async def test_other_sites_and_no_origin_are_refused_before_any_app_starts(
    serve: Start, tmp_path: Path, origin: str | None
) -> None:
    command, marker = _tab_command(tmp_path)
    base = await serve(command)
    headers = {} if origin is None else {"Origin": origin}
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(base + "/ws", headers=headers)
    assert refused.value.status == 403
    await asyncio.sleep(0.3)
    assert not marker.exists()


async def test_the_public_url_is_the_only_origin_behind_a_proxy(serve: Start, tmp_path: Path) -> None:
    command, marker = _tab_command(tmp_path)
    base = await serve(command, public_url="https://stock.example.com/")
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(base + "/ws", origin=base)  # not what browsers are told to use
        assert refused.value.status == 403
        forwarded = {"Origin": "https://stock.example.com", "X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
        async with client.ws_connect(base + "/ws", headers=forwarded):
            environment = await _wait_for(marker)
    # the proxy (a loopback peer) appended the address it saw; the first entry is the client's say-so
    assert f"{CLIENT_ENV}=203.0.113.7\n" in environment


async def test_other_sites_cannot_read_the_page_either(serve: Start, tmp_path: Path) -> None:
    base = await serve(_tab_command(tmp_path)[0])
    async with aiohttp.ClientSession() as client:
        async with client.get(base + "/", headers={"Origin": "http://evil.example"}) as response:
            assert response.status == 403


async def test_every_response_carries_the_security_headers_and_no_folder_is_listed(
    serve: Start, tmp_path: Path
) -> None:
    base = await serve(_tab_command(tmp_path)[0])
    async with aiohttp.ClientSession() as client:
        for path, status in (("/", 200), ("/static/js/textual.js", 200), ("/static/js/", 403),
                             ("/static/", 403), ("/nowhere", 404)):
            async with client.get(base + path) as response:
                body = await response.text()
                assert response.status == status, path
                for name, value in SECURITY_HEADERS.items():
                    assert response.headers.get(name) == value, (path, name)
                assert "textual.js" not in body or path != "/static/js/", "a folder was listed"
    assert SECURITY_HEADERS["X-Frame-Options"] == "DENY"
    assert SECURITY_HEADERS["Content-Security-Policy"] == "frame-ancestors 'none'"


async def test_the_page_fits_a_phone(serve: Start, tmp_path: Path) -> None:
    base = await serve(_tab_command(tmp_path)[0])
    async with aiohttp.ClientSession() as client:
        async with client.get(base + "/") as response:
            page = await response.text()
    head = page.split("</head>", 1)[0]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in head
    assert page.count('name="viewport"') == 1
    assert f'data-session-websocket-url="ws://127.0.0.1:{base.rsplit(":", 1)[1]}/ws"' in page


def test_origins_are_compared_as_browsers_send_them() -> None:
    assert origin_of("HTTPS://Stock.Example.com:443/invtui/") == "https://stock.example.com"
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"
    assert origin_of("null") is None and origin_of("http://") is None and origin_of("http://h:99999") is None
    assert allowed_origins("http://127.0.0.1:8000") == {
        "http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"}
    assert allowed_origins("https://stock.example.com/") == {"https://stock.example.com"}
    with pytest.raises(ValueError, match="--public-url"):
        allowed_origins("stock.example.com")


async def _read_until(websocket: aiohttp.ClientWebSocketResponse, text: str, seconds: float = 60.0) -> str:
    """The screen output the tab sent until `text` shows (ANSI codes and all)."""
    seen = ""
    async with asyncio.timeout(seconds):
        while text not in seen:
            message = await websocket.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data.decode("utf-8", "replace")
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                raise AssertionError(f"the tab closed before showing {text!r}: {seen[-300:]!r}")
    return seen


async def test_a_browser_tab_runs_invtui_and_its_guesses_slow_down_per_address(
    serve: Start, db: Database, tmp_path: Path
) -> None:
    """The real thing: `invtui` started by the server for a tab, typed at over the websocket."""
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db.url.render_as_string(hide_password=False)}"\n')
    base = await serve(app_command(load_settings(config)))
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(base + "/ws?width=80&height=24", origin=base,
                                     headers={"X-Forwarded-For": "203.0.113.7"}) as websocket:
            await _read_until(websocket, "User name")
            await websocket.send_json(["stdin", "operator\r"])
            await asyncio.sleep(1.0)  # typed at a person's pace (keys in one burst: issue 14's scanner item)
            await websocket.send_json(["stdin", "not-my-password\r"])
            await _read_until(websocket, "again in 1 s")  # the line wraps before "again"
    with db.session() as session:
        assert session.get(LoginThrottle, "203.0.113.7") is not None
        operator = session.exec(select(User).where(User.username == "operator")).one()
        assert operator.failed_logins == 0
