"""Operators in separate processes hammer one database beside a sweeper: nothing is lost.

Small here (4 processes x 5 s); full size is tests/benchmarks/load.py (20 x 60 s).
"""

from __future__ import annotations

from invtui.db.engine import Database
from tests.reliability import harness


def test_four_operator_processes_beside_a_sweeper_lose_no_update_and_raise_no_duplicate_alert(db: Database) -> None:
    harness.build_world(db, products=12, locations=3, purchase_orders=4)
    report = harness.run_load(db, processes=4, seconds=5)
    print("\n".join(report.lines()))
    assert [f for w in report.workers for f in w.failures] == []
    assert report.units_found == report.units_expected
    assert report.reserved_found == report.reserved_expected
    assert report.duplicate_open_alerts == 0
    assert report.check.clean, report.check.problems()
    done = report.total("done")
    assert all(done[kind] > 0 for kind in harness.KINDS), done  # every kind of work really ran
    assert report.sweeps >= 3 and report.sweep_errors == []
