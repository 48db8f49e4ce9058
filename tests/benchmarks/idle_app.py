"""What an idle signed-in app costs, and where its memory goes (issue 15: < 80 MB RSS, < 0.2 % CPU).

    uv run python tests/benchmarks/idle_app.py [--database-url URL] [--idle-seconds 30]

Makes the scratch database `bench_idle_app` on the server (dropped afterwards), then starts one
real headless app per screen (dashboard, alerts list) in a fresh interpreter of its own, as
`invtui` would run (tests/benchmarks/operators.py forks its apps from a process that has already
loaded the benchmark's own modules, which adds to what they share). Each signs in, opens its
screen, sits idle for `--idle-seconds`, and reports its CPU % over that time, RSS (anonymous and
file-backed), threads and the packages it has loaded. Then, in another fresh interpreter, the
RSS each group of packages adds as it is imported in the app's order, so the figure can be read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for tests.reliability

from scratch import scratch_database  # noqa: E402
from tests.reliability import harness  # noqa: E402

CHILD = r"""
import json, os, sys, threading, time
from pathlib import Path
url, screen, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
import invtui.ui.app as app_module
from invtui.config import Settings
from invtui.db.engine import Database


def status() -> dict:
    wanted = ("VmRSS", "RssAnon", "RssFile", "Threads")
    lines = Path(f"/proc/{os.getpid()}/status").read_text().splitlines()
    return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines) if k in wanted}


class IdleApp(app_module.InvtuiApp):
    CSS_PATH = [str(Path(app_module.__file__).parent / p) for p in app_module.InvtuiApp.CSS_PATH]

    def signed_in(self, actor):
        super().signed_in(actor)
        if screen != "dashboard":
            self.switch_mode(screen)
        self.set_timer(3.0, self.start_idle)  # the screen's first loads are done by then

    def start_idle(self):
        self.cpu0, self.t0 = time.process_time(), time.monotonic()
        self.set_timer(seconds, self.report)

    def report(self):
        cpu = 100 * (time.process_time() - self.cpu0) / (time.monotonic() - self.t0)
        packages = sorted({m.split(".")[0] for m in sys.modules
                           if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "pydantic", "psycopg", "textual",
                                                  "apscheduler", "typer")})
        print(json.dumps({"screen": screen, "cpu": cpu, "modules": len(sys.modules), "packages": packages,
                          **status()}), flush=True)
        self.exit()


settings = Settings(database_url=url)
IdleApp(settings=settings, db=Database.from_settings(settings), username=sys.argv[4], trusted=True).run(
    headless=True, size=(100, 30))
"""

IMPORTS = r"""
import importlib, json, os, sys
from pathlib import Path
def rss():
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
steps, before = [("interpreter", rss(), len(sys.modules))], rss()
for group in sys.argv[1:]:
    for name in group.split(","):
        importlib.import_module(name)
    steps.append((group, rss(), len(sys.modules)))
print(json.dumps(steps))
"""

# The app's imports in the order it makes them, grouped by what could be left out; the last four
# load only on the first ORM use (a write, a screen other than the dashboard and alerts list).
GROUPS = ["asyncio", "textual.app,textual.widgets", "psycopg", "sqlalchemy",
          "invtui.db.engine,invtui.db.listener,invtui.domain.events",
          "invtui.services.status,invtui.services.users,invtui.services.sweep,invtui.services.scheduler",
          "invtui.ui.app", "sqlalchemy.orm", "pydantic", "sqlmodel", "invtui.db.models"]


def run_app(url: str, screen: str, seconds: float) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHILD, url, screen, str(seconds), harness.OPERATOR],
                         capture_output=True, text=True, timeout=seconds + 120, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the {screen} app reported nothing:\n{out.stderr[-2000:]}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--screens", default="dashboard,alerts")
    args = parser.parse_args()
    with scratch_database(args.database_url, "bench_idle_app") as db:
        harness.build_world(db, products=200, locations=10, purchase_orders=20)
        url = db.url.render_as_string(hide_password=False)
        print(f"idle signed-in apps, {args.idle_seconds:.0f} s each, fresh interpreters:")
        for screen in args.screens.split(","):
            r = run_app(url, screen, args.idle_seconds)
            print(f"  {screen:<10} CPU {r['cpu']:5.2f} %  RSS {r['VmRSS'] / 1024:5.1f} MB "
                  f"(anonymous {r['RssAnon'] / 1024:.1f}, files {r['RssFile'] / 1024:.1f})  "
                  f"threads {r['Threads']}  modules {r['modules']}  load average {os.getloadavg()[0]:.1f}")
            print(f"             packages loaded: {', '.join(r['packages'])}")  # type: ignore[arg-type]
    steps = json.loads(subprocess.run([sys.executable, "-c", IMPORTS, *GROUPS], capture_output=True, text=True,
                                      check=True).stdout)
    print("RSS as the app's imports load (fresh interpreter):")
    for (name, mb, mods), (_, prev, prev_mods) in zip(steps, [steps[0], *steps]):
        print(f"  {name:<88} +{mb - prev:5.1f} MB = {mb:5.1f} MB  (+{mods - prev_mods} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
