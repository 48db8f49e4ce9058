"""Outage: the PostgreSQL server is stopped for 10 s under a running worker and event listener.

Prints how long the server was down, the listener's states, how long after the server came
back the resync arrived, what an operator's receipt said during the outage, and whether the
worker survived without a traceback. Runs its own private server (the embedded server's
binaries in a temp dir), so it needs no --database-url.

    uv run python tests/benchmarks/outage.py [--seconds 10]

The suite runs the same scenario with a 3 s outage (tests/reliability/test_db_restart.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for tests.reliability

from tests.reliability.outage import PrivateServer, prepare, run_outage  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="How long the server stays down.")
    args = parser.parse_args()
    server = PrivateServer()
    try:
        db = prepare(server)
        report = run_outage(server, db, outage=args.seconds)
        db.dispose()
    finally:
        server.destroy()
    print("\n".join(report.lines()))
    ok = (report.worker_alive and "Traceback" not in report.worker_output and report.recovery_seconds is not None
          and report.recovery_seconds < 30 and report.ledger_after == report.ledger_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
