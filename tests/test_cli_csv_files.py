"""`invtui export`, `invtui import` and `invtui serve` as people run them: real processes, real database."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import integrity, inventory, users

from conftest import ROOT, CliResult, Server, run_invtui
from stock_world import A, B, BOLT, NUT, build, level, snapshot
from test_cli import assert_one_line_error

OPERATOR = {"INVTUI_USER": "operator"}
VIEWER = {"INVTUI_USER": "viewer"}


def stock_up(db: Database, manager: Actor, operator: Actor) -> None:
    build(db, manager)
    with db.session() as s:
        inventory.receive(s, operator, BOLT, A, 40)
        inventory.receive(s, operator, NUT, B, 8)


@pytest.fixture
def world(db: Database, manager: Actor, operator: Actor) -> Database:
    """The warehouse in this test's own database, for the test that writes."""
    stock_up(db, manager, operator)
    return db


@dataclass(frozen=True)
class Shared:
    """One warehouse for every command here that only reads or is refused (a clone costs seconds)."""

    db: Database
    env: dict[str, str]

    def run(self, *args: str, user: str = "admin", extra: dict[str, str] | None = None) -> CliResult:
        return run_invtui(list(args), {**self.env, "INVTUI_USER": user, **(extra or {})})


@pytest.fixture(scope="module")
def shared(pg_server: Server, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    from psycopg import sql

    name = f"invtui_cli_transfer_{os.getpid()}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)))
    db = Database(pg_server.url_for(name))  # type: ignore[operator]
    try:
        with db.session() as s:
            manager, operator = users.actor_for(s, "manager"), users.actor_for(s, "operator")
        stock_up(db, manager, operator)
        home = tmp_path_factory.mktemp("cli_transfer")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
        env.update(INVTUI_DATABASE_URL=db.url.render_as_string(hide_password=False), INVTUI_BCRYPT_ROUNDS="4",
                   XDG_STATE_HOME=str(home / "state"), XDG_CONFIG_HOME=str(home / "config"),
                   XDG_DATA_HOME=str(home / "data"), COLUMNS="200")
        yield Shared(db, env)
    finally:
        db.dispose()
        with pg_server.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_stock_controller_exports_counts_edits_one_and_imports_it_back(world: Database, invtui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "count.csv"
    exported = invtui("export", "inventory", "--output", str(sheet), env=VIEWER)
    assert exported.code == 0, exported.stderr
    assert f"Exported 2 rows of inventory to {sheet}." in exported.stderr
    rows = list(csv.DictReader(sheet.open()))
    rows[0]["quantity"] = "37"  # the shelf held 37 bolts, not 40
    with sheet.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    checked = invtui("import", "inventory", str(sheet), "--dry-run", env=OPERATOR)
    assert checked.code == 0, checked.stderr
    assert "Dry run: all 2 rows of count.csv are fine; nothing was written." in checked.stdout
    assert level(world, BOLT, A) == (40, 0)

    imported = invtui("import", "inventory", str(sheet), env=OPERATOR)
    assert imported.code == 0, imported.stderr
    assert "Counted 2 rows from count.csv: 0 new, 1 changed, 1 unchanged." in imported.stdout
    assert level(world, BOLT, A) == (37, 0)
    assert integrity.check(world).clean


def test_export_without_a_file_writes_csv_to_stdout(shared: Shared) -> None:
    result = shared.run("export", "products", user="viewer")
    assert result.code == 0, result.stderr
    assert [row["sku"] for row in csv.DictReader(io.StringIO(result.stdout))] == [BOLT, NUT, "OLD-1"]


def test_a_refused_file_lists_every_bad_row_on_stderr_and_changes_nothing(shared: Shared, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(f"sku,location,quantity\n{BOLT},{A},ten\nNOPE-1,{A},1\n{NUT},WH7-Z-99,2\n{BOLT},{A},5\n")
    before = snapshot(shared.db)
    result = shared.run("import", "inventory", str(sheet), user="operator")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "Row 2: quantity 'ten': Counted quantity must be a whole number from 0 to 1,000,000",
        "Row 3: Unknown SKU 'NOPE-1'",
        "Row 4: Unknown location 'WH7-Z-99'",
        "invtui: bad.csv refused: 3 errors in 3 rows; nothing was imported",
    ]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(shared.db) == before


@pytest.mark.parametrize(("args", "user", "message"), [
    (("import", "inventory", "{sheet}"), "viewer", "Role viewer cannot move stock"),
    (("import", "movements", "{sheet}"), "operator", "Cannot import 'movements'; choose one of products, inventory"),
    (("import", "inventory", "{missing}"), "operator", "No file"),
])
def test_refusals_are_one_line_and_change_nothing(shared: Shared, tmp_path: Path, args: tuple[str, ...], user: str,
                                                  message: str) -> None:
    sheet = tmp_path / "count.csv"
    sheet.write_text(f"sku,location,quantity\n{BOLT},{A},1\n")
    paths = {"sheet": str(sheet), "missing": str(tmp_path / "nope.csv")}
    before = snapshot(shared.db)
    assert_one_line_error(shared.run(*(a.format(**paths) for a in args), user=user), message)
    assert snapshot(shared.db) == before


# --- invtui serve ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _page(url: str, deadline: float) -> str:
    """The page at `url` once the server answers (it takes a moment to start)."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def _screen_text(ws_url: str, wanted: str, seconds: float, origin: str) -> str:
    """What the served app draws for a browser tab of 80x24, as plain text, until `wanted` shows."""
    escapes = re.compile(r"\x1b(\[[0-9;?$]*[a-zA-Z]|\][^\x07]*\x07)")
    seen = ""
    async with aiohttp.ClientSession() as client, client.ws_connect(f"{ws_url}?width=80&height=24",
                                                                       origin=origin) as ws:
        deadline = time.monotonic() + seconds
        while wanted not in escapes.sub("", seen) and time.monotonic() < deadline:
            try:
                message = await ws.receive(timeout=1)
            except asyncio.TimeoutError:
                continue
            if message.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                break
            seen += message.data.decode("utf-8", "replace") if isinstance(message.data, bytes) else message.data
    return escapes.sub("", seen)


def test_serve_shows_the_app_in_a_browser_behind_the_login_screen(shared: Shared, tmp_path: Path) -> None:
    port = _free_port()
    # Even on a box that trusts OS logins (in its config file), a browser tab must log in.
    config = tmp_path / "config.toml"
    config.write_text("[auth]\ntrust_os_user = true\n")
    env = {**shared.env, "INVTUI_USER": "admin"}
    server = subprocess.Popen([str(Path(sys.executable).with_name("invtui")), "--config", str(config), "serve",
                               "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = _page(f"http://127.0.0.1:{port}/", time.monotonic() + 30)
        assert "<div>invtui</div>" in page
        assert f"ws://127.0.0.1:{port}/ws" in page
        screen = asyncio.run(_screen_text(f"ws://127.0.0.1:{port}/ws", "Password", 60,
                                           f"http://127.0.0.1:{port}"))
        assert "User name" in screen and "Password" in screen
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert f"http://127.0.0.1:{port}" in out


def test_serve_on_a_port_in_use_is_one_line(shared: Shared) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert_one_line_error(shared.run("serve", "--port", str(port)), f"Cannot serve on 127.0.0.1:{port}")


def test_an_export_piped_into_head_stops_quietly(db: Database, cli_env: dict[str, str]) -> None:
    from invtui.services.seed import seed

    seed(db, products=200, locations=10)  # 2,000 ledger rows: more than a pipe holds
    exe = Path(sys.executable).with_name("invtui")
    pipeline = subprocess.run(["bash", "-o", "pipefail", "-c", f"'{exe}' export movements | head -1"],
                              capture_output=True, text=True, env={**cli_env, "INVTUI_USER": "viewer"}, cwd=ROOT,
                              timeout=60)
    assert pipeline.returncode == 0
    assert pipeline.stdout == "id,created_at,sku,location,kind,quantity_delta,reserved_delta,reference,reason,user\n"
    assert pipeline.stderr == ""
