"""`invtui alerts ...`, `invtui sweep [--status]` as an operator types them.

The first test runs the real executable; the rest run the same entry point in the test's process
(`cli_in_process`: a process start costs 0.5-1 s and nothing there is about the process).
"""

from __future__ import annotations

import json

import pytest

from invtui.db.engine import Database
from tests.alert_world import World, build


@pytest.fixture
def world(db: Database) -> World:
    built = build(db)
    built.set_stock("BOLT-M6", "WH1-A-02", 0)
    built.set_stock("BOLT-M6", "WH1-A-01", 6)
    return built


def test_alerts_list_prints_open_alerts_as_json(world: World, invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("alerts", "list", "--json")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["alert_type"], r["location"]) for r in rows] == [("OUT_OF_STOCK", "WH1-A-02"), ("LOW_STOCK", "WH1-A-01")]
    table = invtui("alerts", "list", "--type", "out")
    assert "WH1-A-02" in table.stdout and "WH1-A-01" not in table.stdout


@pytest.mark.cli_in_process
def test_acknowledging_twice_is_refused_in_one_line_naming_who(world: World, invtui) -> None:  # type: ignore[no-untyped-def]
    alert_id = world.open_alert("BOLT-M6", "WH1-A-02")["id"]  # type: ignore[index]
    first = invtui("alerts", "ack", str(alert_id), "--note", "calling supplier")
    assert first.code == 0 and f"Alert #{alert_id} acknowledged." in first.stdout
    second = invtui("alerts", "ack", f"#{alert_id}")
    assert second.code == 1
    assert second.stderr.strip().startswith(f"invtui: Alert #{alert_id} was already acknowledged by admin at ")
    assert len(second.stderr.strip().splitlines()) == 1
    history = invtui("alerts", "history", str(alert_id))
    assert history.code == 0 and "acknowledged" in history.stdout and "calling supplier" in history.stdout


@pytest.mark.cli_in_process
def test_bulk_dismiss_does_what_it_can_and_lists_each_refusal(world: World, invtui) -> None:  # type: ignore[no-untyped-def]
    out_id = world.open_alert("BOLT-M6", "WH1-A-02")["id"]  # type: ignore[index]
    low_id = world.open_alert("BOLT-M6", "WH1-A-01")["id"]  # type: ignore[index]
    result = invtui("alerts", "dismiss", str(out_id), str(low_id), "987654")
    assert result.code == 1
    assert f"Alert #{out_id} dismissed." in result.stdout and f"Alert #{low_id} dismissed." in result.stdout
    assert "Alert #987654 does not exist" in result.stderr and "2 alerts dismissed, 1 refused" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("bad", ["abc", "0", "1.5"])
@pytest.mark.cli_in_process
def test_a_bad_alert_number_is_one_line_and_a_nonzero_exit(world: World, invtui, bad: str) -> None:  # type: ignore[no-untyped-def]
    result = invtui("alerts", "resolve", bad)
    assert result.code != 0
    assert result.stderr.strip() == "invtui: Alert number must be a whole number from 1 to 9,999,999,999"


@pytest.mark.cli_in_process
def test_a_viewer_may_list_but_not_acknowledge(world: World, invtui) -> None:  # type: ignore[no-untyped-def]
    alert_id = world.open_alert("BOLT-M6", "WH1-A-02")["id"]  # type: ignore[index]
    assert invtui("--user", "viewer", "alerts", "list").code == 0
    refused = invtui("--user", "viewer", "alerts", "ack", str(alert_id))
    assert refused.code == 1
    assert refused.stderr.strip() == "invtui: Role viewer cannot acknowledge, dismiss or resolve alerts"


@pytest.mark.cli_in_process
def test_sweep_runs_one_full_sweep_and_status_shows_it(world: World, invtui) -> None:  # type: ignore[no-untyped-def]
    world.set_stock("BOLT-M6", "WH1-A-03", 2, quietly=True)
    run = invtui("sweep")
    assert run.code == 0, run.stderr
    assert "1 created, 0 escalated, 0 downgraded, 0 resolved" in run.stdout
    status = invtui("sweep", "--status", "--json")
    assert status.code == 0
    body = json.loads(status.stdout)
    assert body["running"] is False
    assert body["runs"][0]["trigger"] == "cli" and body["runs"][0]["created_count"] == 1
    table = invtui("sweep", "--status")
    assert "No sweep is running now." in table.stdout and "cli" in table.stdout


@pytest.mark.cli_in_process
def test_alerts_list_fits_80_columns_without_splitting_a_word(world: World, invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("alerts", "list", "--status", "all", env={"COLUMNS": "80"})
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), lines
    words = result.stdout.split()
    for whole in ("OUT_OF_STOCK", "LOW_STOCK", "WH1-A-02", "WH1-A-01", "BOLT-M6"):
        assert whole in words, result.stdout  # never "OUT_O/F_STO/CK" over three lines
