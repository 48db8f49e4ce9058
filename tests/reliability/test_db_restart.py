"""The PostgreSQL server stops for a few seconds and comes back: nothing crashes, nothing is lost.

Full size (10 s) is tests/benchmarks/outage.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.outage import OutageReport, PrivateServer, prepare, run_outage


@pytest.fixture(scope="module")
def outage() -> Iterator[OutageReport]:
    server = PrivateServer()
    try:
        db = prepare(server)
        yield run_outage(server, db, outage=3)
        db.dispose()
    finally:
        server.destroy()


def test_the_worker_stays_up_without_a_traceback_and_sweeps_again(outage: OutageReport) -> None:
    assert outage.worker_alive, outage.worker_output
    assert "Traceback" not in outage.worker_output, outage.worker_output
    assert outage.sweeps_after >= 1, outage.worker_output


def test_the_listener_reports_reconnecting_then_resyncs_within_30_seconds(outage: OutageReport) -> None:
    assert outage.listener_states[:1] == ["connected"]
    assert outage.listener_states[-3:] == ["reconnecting", "connected", "resync"], outage.listener_states
    assert outage.recovery_seconds is not None and outage.recovery_seconds < 30


def test_a_receipt_during_the_outage_fails_with_one_clear_line_and_writes_nothing(outage: OutageReport) -> None:
    assert outage.service_error_type == "DatabaseUnavailable"
    assert outage.service_error.startswith("Database unreachable")
    assert outage.cli_code == 3
    assert outage.cli_stderr.startswith("invtui: Database unreachable") and outage.cli_stderr.count("\n") == 1
    assert outage.ledger_after == outage.ledger_before
