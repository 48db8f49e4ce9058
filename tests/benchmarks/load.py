"""Load: N operator processes doing a random mix of work for T seconds beside a sweeper every second.

Prints ops/s and p50/p95 latency per kind, then the proofs: lost updates (on-hand and reserved
totals against what the operators moved), duplicate open alerts, `db check`.

    uv run python tests/benchmarks/load.py [--database-url URL] [--processes 20] [--seconds 60]

The suite runs the same harness small (tests/reliability/test_load.py: 4 processes x 5 s).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for tests.reliability

from scratch import scratch_database  # noqa: E402  (tests/benchmarks/scratch.py; scripts run from here)
from tests.reliability import harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch database bench_load on.")
    parser.add_argument("--processes", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--purchase-orders", type=int, default=20)
    args = parser.parse_args()

    with scratch_database(args.database_url, "bench_load") as db:
        harness.build_world(db, products=args.products, locations=args.locations,
                            purchase_orders=args.purchase_orders)
        report = harness.run_load(db, processes=args.processes, seconds=args.seconds)
    print("\n".join(report.lines()))
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for failure in [f for w in report.workers for f in w.failures][:5]:
        print("FAILURE", failure)
    ok = report.lost_updates == 0 and report.duplicate_open_alerts == 0 and report.check.clean
    return 0 if ok and not any(w.failures for w in report.workers) else 1


if __name__ == "__main__":
    sys.exit(main())
