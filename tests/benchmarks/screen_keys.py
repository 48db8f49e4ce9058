"""What the operator waits for after `3`: the real app in a pseudo-terminal, key byte to first page.

    uv run python tests/benchmarks/screen_keys.py --reuse postgresql://postgres@127.0.0.1:5432/DB [--runs 9]
    uv run python tests/benchmarks/screen_keys.py [--database-url URL] [--products 10000] [--locations 100]

With --reuse it runs on an existing seeded database; otherwise it makes and seeds
`bench_screen_keys` (10,000 products x 100 locations = 1,000,000 stock rows; dropped at the end).

Each run starts `invtui` as an operator does (the installed command, a config file with
`trust_os_user`, `--user admin`) on a 120x40 pseudo-terminal, waits for the dashboard to be drawn
and to go quiet, writes the byte "3" and times until the terminal output holds the first stock
row (its SKU and location, in the order the list shows). Unlike the Pilot figure of
inventory_screen.py there is no artificial press-and-pause: the time is the app's own, from the
byte reaching the terminal to the bytes of the first page leaving it. Also the app process's CPU
over the same span (user + system, all threads), the figure to trust on a loaded machine.
Prints every run, the median and the p95 (nearest rank), and the load average.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from scratch import scratch_database, warehouse_arguments  # tests/benchmarks/scratch.py (scripts run from here)

from invtui.db.engine import Database
from invtui.services import seed as seed_service
from invtui.services import stock_list
from invtui.services.setup import prepare_database

COLUMNS, LINES = 120, 40
# CSI and OSC sequences, and the two-byte ones: what is left is the text the terminal shows.
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]")
TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-round(fraction * len(ordered) * 1000) // 1000) - 1))]


def cpu_ms(pid: int) -> float:
    """User + system CPU of process `pid` so far (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


class Terminal:
    """`invtui` on a pseudo-terminal of its own; keeps everything it writes, with when."""

    def __init__(self, config: Path) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = {k: v for k, v in os.environ.items()
               if k not in ("INVTUI_DATABASE_URL", "DATABASE_URL", "TEXTUAL_DRIVER", "INVTUI_USER")}
        env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES))
        command = Path(sys.executable).parent / "invtui"
        self.process = subprocess.Popen([str(command), "--config", str(config), "--user", "admin"],
                                        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()

    def read(self, seconds: float) -> bool:
        """Read what the app writes for at most `seconds`; False when nothing came in that time."""
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return False
        try:
            self.output.extend(os.read(self.master, 1 << 16))
        except OSError:  # the app has gone
            raise RuntimeError("the app exited: " + self.text(0)[-500:]) from None
        return True

    def text(self, start: int) -> str:
        return ESCAPES.sub(b"", bytes(self.output[start:])).decode(errors="replace")

    def until(self, start: int, pattern: re.Pattern[str], what: str, timeout: float = 60.0) -> float:
        """Read until the text written since byte `start` matches; the perf_counter time it did."""
        deadline = time.perf_counter() + timeout
        while not pattern.search(self.text(start)):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"gave up waiting for {what}")
            self.read(0.5)
        return time.perf_counter()

    def quiet(self, seconds: float, timeout: float = 20.0) -> None:
        """Read until the app has written nothing for `seconds` (its first loads are over)."""
        deadline = time.perf_counter() + timeout
        while self.read(seconds) and time.perf_counter() < deadline:
            pass

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def one_run(config: Path, first_row: re.Pattern[str]) -> tuple[float, float]:
    """Wall and app CPU ms from the byte "3" to the first stock row on the terminal."""
    terminal = Terminal(config)
    try:
        terminal.until(0, re.compile(r"Stock status"), "the dashboard")
        terminal.quiet(2.0)  # the first loads are over, and what the app does in idle time after them
        start = len(terminal.output)
        cpu, started = cpu_ms(terminal.process.pid), time.perf_counter()
        os.write(terminal.master, b"3")
        drawn = terminal.until(start, first_row, "the first stock row")
        return (drawn - started) * 1000, cpu_ms(terminal.process.pid) - cpu
    finally:
        terminal.close()


def measure(db: Database, runs: int) -> None:
    with db.session() as session:
        first = stock_list.page(session, limit=1).rows[0]
        rows = session.execute(stock_list.text("SELECT count(*) FROM inventory")).scalar_one()
    # The row as the list draws it: SKU, then the product name's cell, then the location.
    first_row = re.compile(re.escape(first.sku) + r" +\S.{0,30}? " + re.escape(first.location) + " ")
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        url = db.url.render_as_string(hide_password=False)
        config.write_text(f'[database]\nurl = "{url}"\n[auth]\ntrust_os_user = true\n')
        config.chmod(0o600)
        walls, cpus = [], []
        for run in range(1, runs + 1):
            load = os.getloadavg()[0]
            wall, cpu = one_run(config, first_row)
            walls.append(wall)
            cpus.append(cpu)
            print(f"run {run}: '3' to first page {wall:6.1f} ms wall, {cpu:6.1f} ms CPU of the app  (load {load:.1f})",
                  flush=True)
    print(f"{rows:,} stock rows, {runs} runs, {COLUMNS}x{LINES} pty, load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"'3' to first page on the terminal: median {statistics.median(walls):.0f} ms, "
          f"p95 {percentile(walls, 0.95):.0f} ms wall; app CPU median {statistics.median(cpus):.0f} ms, "
          f"p95 {percentile(cpus, 0.95):.0f} ms (goal < 200 ms)")


def main() -> None:
    parser = warehouse_arguments()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if args.reuse:
        db = Database(args.reuse)
        try:
            measure(db, args.runs)
        finally:
            db.dispose()
        return
    with scratch_database(args.database_url, "bench_screen_keys") as db:
        prepare_database(db)  # the first admin, who signs in
        seed_service.seed(db, products=args.products, locations=args.locations)
        measure(db, args.runs)


if __name__ == "__main__":
    main()
