"""`invtui count ...` as an operator at a shell uses it: start, scan, review, post, due."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from invtui.db.engine import Database

from count_world import world  # noqa: F401 (a fixture)
from stock_world import A, B, BOLT, NUT, cli, level  # noqa: F401 (cli is a fixture)
from test_cli import assert_one_line_error

OP = ("--user", "operator")


def test_an_operator_counts_a_bin_reviews_and_posts_it(world: Database, invtui) -> None:  # type: ignore[no-untyped-def]
    started = invtui(*OP, "count", "start", A)
    assert started.code == 0, started.stderr
    assert "Started CNT-000001 blind count of WH1-A-03 by operator: open" in started.stdout
    scanned = invtui(*OP, "count", "scan", "CNT-000001", BOLT, f"{BOLT}=17", f"{NUT}=8")
    assert scanned.code == 0, scanned.stderr
    assert scanned.stdout.splitlines() == [f"{BOLT} Bolt M6: 1", f"{BOLT} Bolt M6: 18", f"{NUT} Hex Nut M6: 8"]
    reviewed = invtui(*OP, "count", "review", "1", "--json")
    assert json.loads(reviewed.stdout) == [
        {"sku": BOLT, "counted": 18, "expected": 20, "difference": -2, "group": "missing", "moved_from": None,
         "reason": "", "value": "0.50", "needs_approval": False, "posted": False},
        {"sku": NUT, "counted": 8, "expected": 8, "difference": 0, "group": "matching", "moved_from": None,
         "reason": "", "value": "0.00", "needs_approval": False, "posted": False},
    ]
    posted = invtui(*OP, "count", "post", "CNT-000001", "--reason", "damaged")
    assert posted.code == 0, posted.stderr
    assert "Posted CNT-000001: 1 adjustment(s), +0 / -2 unit(s)." in posted.stdout
    again = invtui(*OP, "count", "post", "CNT-000001", "--reason", "damaged")
    assert "CNT-000001 was already posted; nothing written." in again.stdout
    assert level(world, BOLT, A) == (18, 0)
    checked = invtui("db", "check")
    assert checked.code == 0, checked.stdout


def test_review_flags_an_item_that_the_ledger_has_elsewhere(world: Database, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(*OP, "count", "start", B).code == 0
    assert cli(*OP, "count", "scan", "1", f"{NUT}=3").code == 0
    rows = {r["sku"]: r for r in json.loads(cli(*OP, "count", "review", "1", "--json").stdout)}
    assert rows[NUT]["group"] == "extra" and rows[NUT]["moved_from"] == A and rows[NUT]["difference"] == 3
    assert rows[BOLT]["group"] == "missing" and rows[BOLT]["counted"] == 0 and rows[BOLT]["expected"] == 5
    text = cli(*OP, "count", "review", "1").stdout
    assert "missing (1)" in text and "extra (1)" in text and f"moved? at {A}" in text


def test_list_show_abandon_and_due(world: Database, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(*OP, "count", "start", A).code == 0
    assert cli(*OP, "count", "scan", "1", BOLT).code == 0
    listed = json.loads(cli("count", "list", "--json").stdout)
    assert [(r["reference"], r["location"], r["status"], r["lines"], r["blind"]) for r in listed] == [
        ("CNT-000001", A, "open", 1, True)]
    shown = json.loads(cli("count", "show", "1", "--json").stdout)
    assert shown["lines"] == [{"sku": BOLT, "name": "Bolt M6", "counted": 1, "expected": None}]  # blind
    assert "Abandoned CNT-000001; nothing written." in cli(*OP, "count", "abandon", "1").stdout
    due = json.loads(cli("count", "due", "--json").stdout)
    assert [(d["code"], d["items"], d["units"], d["last_counted_at"]) for d in due] == [
        (A, 2, 28, None), (B, 1, 5, None)]


def test_refusals_are_one_line(world: Database, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(*OP, "count", "start", A).code == 0
    assert_one_line_error(cli(*OP, "count", "start", A), "WH1-A-03 is already being counted: CNT-000001")
    assert_one_line_error(cli(*OP, "count", "scan", "1", "NOPE"), "Unknown code 'NOPE'; not added")
    assert_one_line_error(cli("--user", "viewer", "count", "scan", "1", BOLT), "Role viewer cannot move stock")
    assert_one_line_error(cli(*OP, "count", "review", "CNT-9"), "Unknown count 'CNT-9'")
    assert_one_line_error(cli(*OP, "count", "approve", "1"), "Role operator cannot approve count differences")


def test_a_count_is_posted_in_part_exported_and_its_history_shown(world: Database, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli(*OP, "count", "start", A).code == 0
    assert cli(*OP, "count", "scan", "1", f"{BOLT}=10", f"{NUT}=9").code == 0  # BOLT 50 % short: above 25 %
    assert cli(*OP, "count", "reason", "1", NUT, "found").stdout.strip() == f"{NUT} Hex Nut M6: reason 'found'."
    assert_one_line_error(cli(*OP, "count", "post", "1", "--reason", "lost"),
                          "1 difference(s) need a manager's approval first: BOLT-M6; the rest can be posted")
    part = cli(*OP, "count", "post", "1", "--reason", "lost", "--partial")
    assert part.stdout.strip() == ("Posted CNT-000001 in part: 1 adjustment(s), +1 / -0 unit(s). "
                                   "1 difference(s) wait for a manager's approval: BOLT-M6.")
    again = cli(*OP, "count", "post", "1", "--partial")
    assert again.stdout.strip().startswith("Nothing more to post in CNT-000001 yet; 1 difference(s) wait")
    assert level(world, NUT, A) == (9, 0) and level(world, BOLT, A) == (20, 0)

    exported = cli("count", "export", "1", str(tmp_path / "count.csv"))
    assert exported.stdout.strip() == f"Wrote 2 line(s) of 1 to {tmp_path / 'count.csv'}."
    rows = list(csv.DictReader((tmp_path / "count.csv").open()))
    assert [(r["sku"], r["group"], r["difference"], r["needs_approval"], r["posted"]) for r in rows] == [
        (BOLT, "missing", "-10", "true", "false"), (NUT, "extra", "1", "false", "true")]

    assert cli("--user", "manager", "count", "approve", "1").code == 0
    done = cli(*OP, "count", "post", "1", "--reason", "lost")
    assert done.stdout.strip() == "Posted CNT-000001: 1 adjustment(s), +0 / -10 unit(s)."
    history = json.loads(cli("count", "history", "1", "--json").stdout)
    assert [(h["who"], h["action"], h["sku"]) for h in history] == [
        ("operator", "started", ""), ("operator", "scanned", BOLT), ("operator", "scanned", NUT),
        ("operator", "reason", NUT), ("operator", "posted", ""), ("operator", "adjusted", NUT),
        ("manager", "approved", ""), ("operator", "posted", ""), ("operator", "adjusted", BOLT)]
    assert "wait for approval: BOLT-M6" in next(h["detail"] for h in history if h["action"] == "posted")
    table = cli("count", "history", "1").stdout  # a table's cells wrap at the terminal's width
    assert "adjusted" in table and "-10" in table and "BOLT-M6" in table
    trail = json.loads(cli("audit", "--kind", "count", "--json").stdout)
    assert [(e["kind"], e["action"], e["subject"]) for e in trail[:2]] == [
        ("count", "posted", f"CNT-000001 at {A}"), ("count", "approved", f"CNT-000001 at {A}")]
    assert cli("db", "check").code == 0


def test_a_manager_sets_how_often_a_location_is_counted(world: Database, cli) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(cli(*OP, "count", "interval", A, "30"), "Role operator cannot edit the catalog")
    assert_one_line_error(cli("--user", "manager", "count", "interval", A, "often"),
                          "Count interval must be a whole number from 0 to 3,650")
    never = cli("--user", "manager", "count", "interval", A, "0")
    assert never.stdout.strip() == f"{A} is never counted."
    assert [d["code"] for d in json.loads(cli("count", "due", "--json").stdout)] == [B]
    back = cli("--user", "manager", "count", "interval", A, "default")
    assert back.stdout.strip() == f"{A} is counted every 90 days (the default)."
    assert [d["code"] for d in json.loads(cli("count", "due", "--json").stdout)] == [A, B]
