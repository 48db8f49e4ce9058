"""The rest of a count's life through the service: posting in part while a manager decides, the
count's history and audit, its CSV, its live events and the dashboard's count figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, PermissionDenied
from invtui.services import audit, count_export, counts, dashboard, integrity, inventory
from invtui.services.files import FileExists, UserFolder

from count_world import world  # noqa: F401 (a fixture)
from stock_world import A, B, BOLT, NUT, level

STRICT = Settings(counts_approve_above_value=1000, counts_approve_above_percent=25)


def adjustments(db: Database, reference: str) -> list[tuple[str, int, str]]:
    with db.connect() as conn:
        return conn.execute(
            "SELECT p.sku, m.quantity_delta, m.reason FROM stock_movements m JOIN products p ON p.id = m.product_id"
            " WHERE m.reference = %s ORDER BY m.id", (reference,)).fetchall()


def test_an_operator_posts_what_needs_no_approval_and_the_rest_waits_for_a_manager(
        world: Database, operator: Actor, manager: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 10)  # 50 % short: a manager must approve
        counts.set_quantity(s, operator, ref, NUT, 9, reason="found")  # 12.5 % over: the operator may post
        with pytest.raises(PermissionDenied, match="approval first: BOLT-M6; the rest can be posted on its own"):
            counts.post(s, operator, ref, reason="lost", settings=STRICT)
        part = counts.post(s, operator, ref, reason="lost", settings=STRICT, partial=True)
        again = counts.post(s, operator, ref, reason="lost", settings=STRICT, partial=True)
        lines = {line.sku: line for line in counts.review(s, operator, ref, STRICT).lines}
        shown = counts.show(s, operator, ref)[0]
        with pytest.raises(ConflictError, match="NUT-M6 was posted already in CNT-000001"):
            counts.scan(s, operator, ref, NUT)
    assert (part.movements, part.units_up, part.lines, part.held, part.already_posted) == (1, 1, 1, (BOLT,), False)
    assert (again.movements, again.lines, again.held) == (0, 0, (BOLT,))  # nothing new: nothing written
    assert (shown.status, shown.posted_lines) == ("open", 1)
    assert lines[NUT].posted and not lines[NUT].needs_approval and lines[NUT].difference == 1
    assert lines[BOLT].needs_approval and not lines[BOLT].posted
    assert adjustments(world, ref) == [(NUT, 1, "found")] and level(world, NUT, A) == (9, 0)

    with world.session() as s:
        counts.approve(s, manager, ref, STRICT)
        counts.set_quantity(s, operator, ref, BOLT, 10)  # counted again after the approval: withdrawn
        assert counts.show(s, operator, ref)[0].approved_by is None
        counts.approve(s, manager, ref, STRICT)
        inventory.issue(s, operator, BOLT, A, 3)  # picked after the count: no false difference
        final = counts.post(s, operator, ref, reason="lost", settings=STRICT, partial=True)
        twice = counts.post(s, operator, ref, reason="lost", settings=STRICT)
        assert counts.show(s, operator, ref)[0].status == "posted"
    assert (final.movements, final.units_down, final.held) == (1, 10, ())
    assert twice.already_posted
    assert adjustments(world, ref) == [(NUT, 1, "found"), (BOLT, -10, "lost")]
    assert level(world, BOLT, A) == (7, 0) and integrity.check(world).clean


def test_abandoning_a_count_posted_in_part_keeps_what_was_posted(world: Database, operator: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 1)  # waits for a manager
        counts.set_quantity(s, operator, ref, NUT, 8)
        counts.post(s, operator, ref, settings=STRICT, partial=True)
        closed = counts.abandon(s, operator, ref)
        history = counts.history(s, operator, ref)
    assert (closed.status, closed.posted_lines) == ("abandoned", 1)
    assert history[-1].action == "abandoned" and history[-1].detail == "1 line(s) posted before stay posted"
    assert level(world, BOLT, A) == (20, 0) and integrity.check(world).clean


def test_every_step_of_a_count_is_in_its_history_and_the_audit(world: Database, operator: Actor,
                                                               manager: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.scan(s, operator, ref, BOLT, 2)
        counts.set_quantity(s, operator, ref, BOLT, 10, reason="damaged")
        counts.set_reason(s, operator, ref, NUT, "lost")  # never counted: a line of 0 with its reason
        counts.approve(s, manager, ref, STRICT)
        counts.post(s, operator, ref, settings=STRICT)
        history = counts.history(s, operator, ref)
    steps = [(h.who, h.action, h.sku, h.quantity, h.detail) for h in history]
    assert steps == [
        ("operator", "started", "", None, f"blind count of {A}"),
        ("operator", "scanned", BOLT, 2, "+2, line now 2"),
        ("operator", "recounted", BOLT, 10, "set to 10 (damaged)"),
        ("operator", "reason", NUT, None, "lost"),
        ("manager", "approved", "", 2, "2 difference(s) above the thresholds: BOLT-M6, NUT-M6"),
        ("operator", "posted", "", 2, "2 adjustment(s), +0 / -18 unit(s); closed"),
        ("operator", "adjusted", BOLT, -10, "damaged"),
        ("operator", "adjusted", NUT, -8, "lost"),
    ]
    with world.session() as s:
        trail = audit.trail(s, kinds=["count"])
        by_manager = audit.trail(s, kinds=["count"], user="manager")
    assert [(e.who, e.action, e.subject) for e in reversed(trail)] == [
        ("operator", "started", f"{ref} at {A}"), ("operator", "scanned", f"{ref} {BOLT} at {A}"),
        ("operator", "recounted", f"{ref} {BOLT} at {A}"), ("operator", "reason", f"{ref} {NUT} at {A}"),
        ("manager", "approved", f"{ref} at {A}"), ("operator", "posted", f"{ref} at {A}")]
    assert [e.action for e in by_manager] == ["approved"]


def test_a_count_review_exports_as_csv(world: Database, operator: Actor, tmp_path: Path) -> None:
    with world.session() as s:
        inventory.receive(s, operator, NUT, B, 2)
        ref = counts.start(s, operator, B).reference
        counts.set_quantity(s, operator, ref, NUT, 3, reason="found")
        text = count_export.review_csv(s, operator, ref)
        written = count_export.export_to_path(s, operator, ref, tmp_path / "count.csv")
        folder = UserFolder(tmp_path / "files", "operator")
        assert count_export.export_to_folder(s, operator, ref, folder, "count.csv") == 2
        with pytest.raises(FileExists):
            count_export.export_to_folder(s, operator, ref, folder, "count.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(count_export.COLUMNS)
    assert [(r["group"], r["sku"], r["counted"], r["expected"], r["difference"], r["value"], r["reason"],
             r["moved_from"]) for r in rows] == [
        ("missing", BOLT, "0", "5", "-5", "1.25", "", ""),
        ("extra", NUT, "3", "2", "1", "0.00", "found", A)]
    assert written == 2 and (tmp_path / "count.csv").read_text() == text
    assert (folder.path / "count.csv").read_text() == text and list(tmp_path.glob(".*partial")) == []


def test_count_changes_are_announced_as_count_changed(world: Database, operator: Actor, manager: Actor) -> None:
    with psycopg.connect(world.conninfo, autocommit=True) as listener:
        listener.execute("LISTEN invtui_events")
        with world.session() as s:
            ref = counts.start(s, operator, A).reference
            counts.scan(s, operator, ref, BOLT)
            with pytest.raises(Exception):
                counts.scan(s, operator, ref, "NOPE")  # refused: nothing committed, nothing heard
            counts.set_interval(s, manager, A, 30)
        heard = [json.loads(n.payload) for n in listener.notifies(timeout=2, stop_after=3)]
    assert [(e["kind"], e.get("action"), e.get("reference"), e.get("sku")) for e in heard] == [
        ("count.changed", "started", ref, None), ("count.changed", "scanned", ref, BOLT),
        ("count.changed", "interval", None, None)]
    assert heard[1]["user_id"] == operator.id and heard[2]["every_days"] == 30


def test_the_dashboard_shows_counts_due_and_last_week_s_accuracy(world: Database, operator: Actor,
                                                                 manager: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, NUT, 8)  # right first time
        counts.set_quantity(s, operator, ref, BOLT, 21)
        counts.set_quantity(s, operator, ref, BOLT, 18)  # recounted, and still 2 short
        counts.post(s, operator, ref, reason="lost")
        ref_b = counts.start(s, operator, B).reference
        counts.set_quantity(s, operator, ref_b, BOLT, 5)  # right first time; B stays open
        summary = dashboard.count_summary(s, operator, Settings(counts_every_days=30))
        later = dashboard.count_summary(s, operator, Settings(counts_every_days=30),
                                        now=datetime.now(timezone.utc) + timedelta(days=31))
    assert (summary.due, summary.lines, summary.right_first_time) == (1, 2, 1)  # B due; A just counted
    assert summary.accuracy == 0.5 and summary.difference_value == Decimal("0.50")
    assert summary.net_value == Decimal("-0.50")
    assert (later.due, later.lines, later.accuracy) == (2, 0, None)  # a month on: A due again, nothing counted lately
    with world.connect() as conn:
        lines, right, value = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE posted_difference = 0 AND recounts = 0),"
            " sum(abs(posted_difference) * coalesce(nullif(p.cost_price, 0), p.unit_price, 0))"
            " FROM count_lines c JOIN products p ON p.id = c.product_id"
            " WHERE posted_at > now() - interval '7 days'").fetchone()
        due = conn.execute("SELECT count(*) FROM locations WHERE is_active"
                           " AND (last_counted_at IS NULL OR last_counted_at < now() - interval '30 days')").fetchone()
    assert (summary.lines, summary.right_first_time, summary.difference_value, summary.due) == (
        lines, right, value, due[0])
