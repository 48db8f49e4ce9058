#!/usr/bin/env python3
"""The box test: the README's "Running on a warehouse box" steps, run as written, then checked
from real SSH sessions.

Run by hand, as root, on a scratch machine (it is not part of pytest):

    python3 tests/box/run_box_test.py --yes [--keep]

It reads the fenced blocks `sh box-vars` and `sh box-step N` from README.md, replaces only the
`box-vars` block with its own values, runs each step with `bash -e -o pipefail`, starts sshd on
127.0.0.1:2222 with the machine's sshd configuration (the step's drop-in included) and checks,
from SSH sessions with keys it generates, what the README and SECURITY.md promise. One PASS or
FAIL line per check, a summary, exit 1 on any FAIL. Standard library only.

Where systemd is not PID 1 (a container), `systemctl` in the steps is a stand-in that says so
and starts the unit's ExecStart as the unit's User= (`enable --now`) or sends sshd a HUP
(`reload ssh`); the step text itself is run unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = Path("/root/invtui-box-test")
SSH_PORT = 2222
PG_PORT = 5433
CLUSTER = "boxtest"
SERVICE = "invtui"
OPERATOR = "maria"
SHELL_USER = "opshell"
INVTUI = "/opt/invtui/.venv/bin/invtui"
CONFIG = "/etc/invtui/config.toml"
TMUX = ["tmux", "-L", "invtui-box"]
BANNER = f"""
######################################################################################
#  THE BOX TEST CHANGES THE MACHINE IT RUNS ON. Run it as root on a scratch machine.  #
######################################################################################
It installs packages (openssh-server, sudo, cron, python3-venv, postgresql-client),
creates the OS accounts {SERVICE} and {SHELL_USER}, writes /etc/invtui, /opt/invtui,
/var/backups/invtui, /etc/ssh/sshd_config.d/invtui.conf, /etc/cron.d/invtui-backup and
/etc/systemd/system/invtui-*.service, creates the PostgreSQL cluster {CLUSTER} on port
{PG_PORT}, and starts sshd on 127.0.0.1:{SSH_PORT}. All of it but the packages is removed at
the end unless --keep (then `--cleanup` removes it later).
"""
CREATED_PATHS = ["/etc/invtui", "/opt/invtui", "/var/backups/invtui", "/etc/ssh/sshd_config.d/invtui.conf",
                 "/etc/cron.d/invtui-backup", "/etc/systemd/system/invtui-worker.service",
                 "/etc/systemd/system/invtui-serve.service"]

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    """One PASS/FAIL line, kept for the summary."""
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)
    return ok


def run(cmd: list[str] | str, *, timeout: float = 120, input: str | None = None, check_rc: bool = False,
        **kw: object) -> subprocess.CompletedProcess[str]:
    """A command with captured text output; a string runs through bash."""
    if isinstance(cmd, str):
        cmd = ["bash", "-c", cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input, **kw)  # type: ignore[call-overload]
    if check_rc and result.returncode != 0:
        raise SystemExit(f"box test: {' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def as_service(*args: str, user: str | None = "admin", timeout: float = 120, input: str | None = None
               ) -> subprocess.CompletedProcess[str]:
    """`invtui` as the service account, as the README's steps run it."""
    acting = ["--user", user] if user else []
    return run(["runuser", "-u", SERVICE, "--", INVTUI, "--config", CONFIG, *acting, *args],
               timeout=timeout, input=input, cwd="/")


# ---------------------------------------------------------------- the README's steps

def readme_blocks(readme: Path) -> tuple[str, list[tuple[int, str]]]:
    """The `box-vars` block and the `box-step N` blocks, in the README's order (numbers checked)."""
    blocks = re.findall(r"^```sh (box-vars|box-step \d+)\n(.*?)^```$", readme.read_text(), re.M | re.S)
    vars_blocks = [body for tag, body in blocks if tag == "box-vars"]
    steps = [(int(tag.split()[1]), body) for tag, body in blocks if tag != "box-vars"]
    if len(vars_blocks) != 1 or not steps or [n for n, _ in steps] != list(range(1, len(steps) + 1)):
        raise SystemExit(f"box test: {readme} must have one box-vars block and box-step 1..N in order; "
                         f"found {[tag for tag, _ in blocks]}")
    return vars_blocks[0], steps


def our_vars(readme_vars: str, values: dict[str, str]) -> str:
    """Our values for the README's variables; every variable it names must get one."""
    names = re.findall(r"^([A-Z_]+)=|\s([A-Z_]+)=", readme_vars, re.M)
    wanted = {a or b for a, b in names}
    missing = wanted - values.keys()
    if missing:
        raise SystemExit(f"box test: the README's box-vars names {sorted(missing)}, which this script does not set")
    return "".join(f"{k}={shlex.quote(v)}\n" for k, v in values.items())


def systemctl_standin() -> str:
    """A `systemctl` for machines without systemd: it calls back into this script."""
    if Path("/run/systemd/system").is_dir():
        return ""
    return (f'systemctl() {{ {shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).resolve()))} '
            f'--systemctl-standin "$@"; }}\n')


def run_steps(values: dict[str, str]) -> bool:
    readme_vars, steps = readme_blocks(REPO / "README.md")
    prelude = systemctl_standin() + our_vars(readme_vars, values)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for number, body in steps:
        first = body.strip().splitlines()[0]
        print(f"---- box-step {number}: {first}", flush=True)
        started = time.monotonic()
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", prelude + body], cwd="/root", env=env,
                                capture_output=True, text=True, timeout=1200)
        output = (result.stdout + result.stderr).strip().splitlines()
        for line in output[-12:]:
            print(f"     | {line}")
        if not check(f"README box-step {number} runs as written", result.returncode == 0,
                     f"{time.monotonic() - started:.1f} s" + ("" if result.returncode == 0 else
                                                             f", exit {result.returncode}")):
            return False
    return True


def standin(args: list[str]) -> int:
    """`systemctl ARGS` where systemd does not run: do what the step means, say so."""
    verb = args[0] if args else ""
    if verb == "daemon-reload":
        print("box test: no systemd here; daemon-reload has nothing to do")
        return 0
    if verb in ("reload", "restart") and args[1:] in (["ssh"], ["sshd"]):
        pid = _pid(WORK / "sshd.pid")
        if pid:
            os.kill(pid, signal.SIGHUP)
        print(f"box test: no systemd here; sshd on 127.0.0.1:{SSH_PORT} " + ("reloaded" if pid else "starts after the steps"))
        return 0
    if verb == "enable" and "--now" in args:
        for name in [a for a in args[1:] if a != "--now"]:
            _start_unit(name.removesuffix(".service"))
        return 0
    print(f"box test: the systemctl stand-in does not know `systemctl {' '.join(args)}`", file=sys.stderr)
    return 1


def _start_unit(name: str) -> None:
    """ExecStart of /etc/systemd/system/NAME.service as its User=, in the background, logged."""
    keys: dict[str, list[str]] = {}
    for line in Path(f"/etc/systemd/system/{name}.service").read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    account = pwd.getpwnam(keys.get("User", ["root"])[0])
    env = {"HOME": account.pw_dir, "USER": account.pw_name, "LOGNAME": account.pw_name,
           "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    for item in keys.get("Environment", []):
        for pair in shlex.split(item.replace("%%", "%")):
            env.update([pair.split("=", 1)])
    argv = shlex.split(keys["ExecStart"][0].replace("%%", "%"))
    WORK.mkdir(mode=0o700, exist_ok=True)
    with open(WORK / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(argv, user=account.pw_uid, group=account.pw_gid, extra_groups=[],
                                env=env, cwd=keys.get("WorkingDirectory", ["/"])[0], stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    (WORK / f"{name}.pid").write_text(str(proc.pid))
    print(f"box test: no systemd here; started {name} as {account.pw_name}: pid {proc.pid}, log {WORK}/{name}.log")


def _pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- the machine

def preflight(args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        raise SystemExit("box test: run it as root (on a scratch machine)")
    print(BANNER)
    if not args.yes:
        if not sys.stdin.isatty() or input("Type 'yes' to go on: ").strip() != "yes":
            raise SystemExit("box test: nothing changed (give --yes to run without asking)")
    leftovers = [p for p in CREATED_PATHS if Path(p).exists()] + [u for u in (SERVICE, SHELL_USER) if _user(u)]
    if leftovers:
        raise SystemExit(f"box test: {', '.join(leftovers)} already exist; this is not a scratch machine, or a "
                         "kept run is left (remove it with --cleanup)")


def _user(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def install_prerequisites() -> None:
    """openssh-server and sudo (step 1 already needs sudo); apt-get update once, if anything is missing."""
    wanted = ("openssh-server", "sudo", "tmux", "openssh-client", "cron", "postgresql-client", "python3-venv")
    missing = [p for p in wanted if run(["dpkg-query", "-W", "-f=${Status}", p]).stdout != "install ok installed"]
    before = set(_pgrep("-x", "sshd"))
    if missing:  # once, also for what step 2 installs
        run(["apt-get", "update", "-q"], timeout=600, check_rc=True)
    ours = [p for p in missing if p in ("openssh-server", "sudo", "tmux", "openssh-client")]
    if ours:
        print(f"box test: apt-get install {' '.join(ours)}", flush=True)
        run(["apt-get", "install", "-y", "-q", *ours], timeout=900, check_rc=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # what the distribution's sshd service makes
    started = set(_pgrep("-x", "sshd")) - before
    for pid in started:  # the package's postinst started the distribution's sshd: ours is on 2222 only
        print(f"box test: stopping the sshd the package install started (pid {pid})")
        os.kill(pid, signal.SIGTERM)


def _pgrep(*args: str) -> list[int]:
    return [int(p) for p in run(["pgrep", *args]).stdout.split()]


def create_cluster() -> None:
    """A scratch cluster that asks for passwords over TCP (the machine's own may trust everyone)."""
    version = max(int(p.name) for p in Path("/usr/lib/postgresql").iterdir() if p.name.isdigit())
    run(["pg_createcluster", str(version), CLUSTER, "-p", str(PG_PORT), "--start", "--",
         "--auth-local=peer", "--auth-host=scram-sha-256"], timeout=300, check_rc=True)
    (WORK / "cluster").write_text(str(version))


def start_sshd() -> None:
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    if not list(Path("/etc/ssh").glob("ssh_host_*_key")):
        run(["ssh-keygen", "-A"], check_rc=True)
    with open(WORK / "sshd.log", "ab") as log:
        proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-p", str(SSH_PORT), "-o", "ListenAddress=127.0.0.1",
                                 "-o", "PidFile=none"], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    (WORK / "sshd.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", SSH_PORT)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"box test: sshd did not listen on 127.0.0.1:{SSH_PORT}; see {WORK}/sshd.log")


def make_shell_user() -> None:
    """An operator's own OS account with a shell: what another local user can do."""
    run(["useradd", "--create-home", "--shell", "/bin/bash", SHELL_USER], check_rc=True)
    run(["usermod", "-p", "*", SHELL_USER], check_rc=True)
    home = Path(f"/home/{SHELL_USER}/.ssh")
    home.mkdir(mode=0o700)
    (home / "authorized_keys").write_text((WORK / f"{SHELL_USER}_key.pub").read_text())
    shutil.chown(home, SHELL_USER, SHELL_USER)
    shutil.chown(home / "authorized_keys", SHELL_USER, SHELL_USER)


def keygen(name: str) -> Path:
    key = WORK / f"{name}_key"
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check_rc=True)
    return key


# ---------------------------------------------------------------- SSH sessions

def ssh_argv(key: Path, user: str, *extra: str) -> list[str]:
    return ["ssh", "-p", str(SSH_PORT), "-i", str(key), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5", *extra, f"{user}@127.0.0.1"]


def ssh(key: Path, user: str, *command: str, opts: tuple[str, ...] = (), timeout: float = 30
        ) -> tuple[int, str, float]:
    """Exit code, stdout+stderr, seconds."""
    started = time.monotonic()
    try:
        remote = list(command) if len(command) <= 1 else [shlex.join(command)]  # the remote shell splits again
        r = run([*ssh_argv(key, user, *opts), *remote], timeout=timeout, stdin=subprocess.DEVNULL)
        return r.returncode, (r.stdout + r.stderr).strip(), time.monotonic() - started
    except subprocess.TimeoutExpired:
        return -1, "(timed out)", time.monotonic() - started


def lines_of(text: str) -> list[str]:
    """Visible lines of terminal output: escape sequences and blank lines removed."""
    text = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\r", "", text)
    return [line for line in text.splitlines() if line.strip()]


class Tmux:
    """One terminal session (an operator's ssh -tt) that we can read and type into."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        run([*TMUX, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", shlex.join(argv)], check_rc=True)
        run([*TMUX, "set-option", "-t", name, "remain-on-exit", "on"])

    def screen(self) -> str:
        return run([*TMUX, "capture-pane", "-p", "-t", self.name]).stdout

    def wait_for(self, pattern: str, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if re.search(pattern, self.screen()):
                return True
            time.sleep(0.2)
        return False

    def keys(self, *keys: str) -> None:
        for key in keys:
            run([*TMUX, "send-keys", "-t", self.name, key])
            time.sleep(0.4)

    def pane_pid(self) -> int:
        return int(run([*TMUX, "display-message", "-p", "-t", self.name, "#{pane_pid}"]).stdout)

    def dead(self) -> bool:
        return run([*TMUX, "display-message", "-p", "-t", self.name, "#{pane_dead}"]).stdout.strip() == "1"

    def kill(self) -> None:
        run([*TMUX, "kill-session", "-t", self.name])


def app_pids(name: str = OPERATOR) -> list[int]:
    return _pgrep("-u", SERVICE, "-f", f"ssh-user {name}")


def wait_until(predicate, seconds: float) -> float | None:  # type: ignore[no-untyped-def]
    """Seconds until predicate() held, or None if it never did within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def backends_of(pid: int) -> set[int]:
    """Client ports of the TCP connections process `pid` holds to the scratch cluster."""
    out = run(["ss", "-tnpH", "state", "established", "dst", f"127.0.0.1:{PG_PORT}"]).stdout
    return {int(line.split()[2].rsplit(":", 1)[1]) for line in out.splitlines() if f"pid={pid}," in line}


def server_sees(ports: set[int]) -> set[int]:
    out = run(["runuser", "-u", "postgres", "--", "psql", "-p", str(PG_PORT), "-Atc",
               "select client_port from pg_stat_activity where client_port is not null"], cwd="/").stdout
    return ports & {int(p) for p in out.split()}


# ---------------------------------------------------------------- the checks

def check_install() -> None:
    writable = run(["runuser", "-u", SERVICE, "--", "find", "/opt/invtui", "-writable", "-print", "-quit"]).stdout
    check("0. the service account cannot write its own code (/opt/invtui)", not writable.strip(), writable.strip())
    tools = [t for t in ("pytest", "hypothesis") if run(["/opt/invtui/.venv/bin/python", "-c", f"import {t}"]).returncode == 0]
    check("0. no test tools in the production venv", not tools, ", ".join(tools))
    mode = stat.S_IMODE(os.stat(CONFIG).st_mode)
    check("0. config is 0600 and owned by the service account",
          mode == 0o600 and Path(CONFIG).owner() == SERVICE, f"{mode:o} {Path(CONFIG).owner()}")
    unit = Path("/etc/systemd/system/invtui-worker.service").read_text()
    check("0. root printed the worker unit; it runs as the service account", f"\nUser={SERVICE}\n" in unit)
    worker = _pid(WORK / "invtui-worker.pid") or next(iter(_pgrep("-u", SERVICE, "-f", "invtui-worker|invtui .*worker")), None)
    owner = run(["ps", "-o", "user=", "-p", str(worker)]).stdout.strip() if worker else ""
    check("0. the worker runs as the service account", owner == SERVICE, owner or "no worker process")


def check_other_local_user(key: Path, password: str) -> None:
    code, out, _ = ssh(key, SHELL_USER, "cat", CONFIG)
    check("1. another local account cannot read the config", code != 0 and "Permission denied" in out, out[:120])
    code, out, _ = ssh(key, SHELL_USER, "touch /opt/invtui/x /opt/invtui/.venv/bin/x 2>/dev/null; "
                                        "find /opt/invtui -writable 2>/dev/null | wc -l")
    check("1. another local account cannot write /opt/invtui", out.splitlines()[-1:] == ["0"], out[-200:])
    code, out, _ = ssh(key, SHELL_USER, "ls /var/lib/invtui /var/backups/invtui")
    check("1. another local account cannot list the service account's home (logs, keys) or the dumps",
          code != 0 and out.count("Permission denied") == 2, out[:160])
    code, out, _ = ssh(key, SHELL_USER, INVTUI, "--config", CONFIG, "--user", "admin", "user", "list")
    check("1. another local account cannot run invtui as admin", code != 0 and "operator" not in out
          and len(lines_of(out)) == 1, out[:160])
    code, out, _ = ssh(key, SHELL_USER, "psql", "-w", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "invtui",
                       "-d", "invtui", "-c", "select 1")
    check("1. another local account cannot reach the database without the password (scram, not trust)",
          code != 0 and "password" in out, out[:120])
    seen = []
    proc = subprocess.Popen(["runuser", "-u", SERVICE, "--", INVTUI, "--config", CONFIG, "db", "backup",
                             "/var/backups/invtui/box-test.dump"], cwd="/", stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        seen += [a for a in run(["ps", "-eo", "args"]).stdout.splitlines() if password in a]
        time.sleep(0.01)
    dump = Path("/var/backups/invtui/box-test.dump")
    check("1. the database password is never in ps during a backup", proc.returncode == 0 and not seen,
          f"backup exit {proc.returncode}, {len(seen)} ps lines with it")
    mode = stat.S_IMODE(dump.stat().st_mode) if dump.exists() else 0
    check("1. dumps are 0600 in a 0700 folder", mode == 0o600 and
          stat.S_IMODE(dump.parent.stat().st_mode) == 0o700, f"{mode:o}")


def check_app_session(key: Path) -> Tmux | None:
    session = Tmux("maria", ssh_argv(key, SERVICE, "-tt"))
    ok = session.wait_for(rf"{OPERATOR} \(operator\)", 40)
    check("2. ssh -tt invtui@box opens the app signed in as maria", ok, "" if ok else session.screen()[-300:])
    forced = Tmux("forced", [*ssh_argv(key, SERVICE, "-tt", "-o", "SetEnv=INVTUI_USER=admin"), "cat", CONFIG])
    ok = forced.wait_for(rf"{OPERATOR} \(operator\)", 40)
    screen = forced.screen()
    check("2. `ssh invtui@box 'cat config'` runs the app as maria, never cat (and INVTUI_USER from the client "
          "changes nothing)", ok and "postgresql://" not in screen and "[database]" not in screen, screen[-200:])
    forced.keys("q")
    gone = wait_until(forced.dead, 10)
    check("2. q quits the app and ends the SSH session", gone is not None)
    forced.kill()
    return session if session.wait_for(OPERATOR, 1) else None


def startup_seconds(shell_key: Path) -> float:
    """What an SSH login that starts invtui and exits at once costs on this machine now
    (`ssh box invtui --version`): the floor under every timing below, which is load-dependent."""
    return min(ssh(shell_key, SHELL_USER, INVTUI, "--version")[2] for _ in range(2))


def check_no_terminal(key: Path, shell_key: Path) -> float:
    before = set(app_pids())
    floor = startup_seconds(shell_key)
    print(f"     load average {os.getloadavg()[0]:.1f}; ssh + invtui --version takes {floor:.2f} s here now")
    code, out, took = ssh(key, SERVICE, opts=("-T",))
    check("3. ssh -T (no terminal): one line, non-zero exit, within 2 s of starting", code not in (0, -1)
          and len(lines_of(out)) == 1 and took - floor < 2,
          f"exit {code}, {took:.2f} s in all, {took - floor:.2f} s beyond startup, {out[:100]!r}")
    stolen = WORK / "stolen.toml"
    started = time.monotonic()
    scp = run(["scp", "-P", str(SSH_PORT), "-i", str(key), "-o", "StrictHostKeyChecking=no", "-o",
               "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
               f"{SERVICE}@127.0.0.1:{CONFIG}", str(stolen)], timeout=30)
    took = time.monotonic() - started
    check("3. scp of the config fails cleanly (non-zero, nothing copied, no hang)", scp.returncode != 0
          and not stolen.exists(), f"exit {scp.returncode}, {took:.1f} s in all, {took - floor:.2f} s beyond startup")
    sftp = run(["sftp", "-P", str(SSH_PORT), "-i", str(key), "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-b", "-",
                f"{SERVICE}@127.0.0.1"], input=f"get {CONFIG} {stolen}\n", timeout=30)
    check("3. sftp fails cleanly", sftp.returncode != 0 and not stolen.exists(), f"exit {sftp.returncode}")
    left = wait_until(lambda: not set(app_pids()) - before, 2)
    check("3. no invtui process left behind", left is not None, f"{set(app_pids()) - before}")
    return floor


def check_hangup(key: Path) -> None:
    before = set(app_pids())
    session = Tmux("hangup", ssh_argv(key, SERVICE, "-tt"))
    if not check("5. a second session of maria opens", session.wait_for(rf"{OPERATOR} \(operator\)", 40)):
        session.kill()
        return
    time.sleep(1.5)
    new = [p for p in app_pids() if p not in before]
    ports = set().union(*(backends_of(p) for p in new)) if new else set()
    names = {p: _comm(p) for p in new}
    gone: dict[int, float] = {}
    killed_at = time.time()
    os.kill(session.pane_pid(), signal.SIGKILL)

    def all_gone() -> bool:
        gone.update({p: time.time() - killed_at for p in new if p not in gone and _exited(p)})
        return len(gone) == len(new)

    took = wait_until(all_gone, 5)
    each = ", ".join(f"{names[p]} {gone[p]:.2f} s" if p in gone else f"{names[p]} still running" for p in new)
    check("5. hangup (ssh client killed): its invtui exits within 2 s", took is not None and took <= 2,
          f"{each}{_hangup_logged(new, killed_at)}, load average {os.getloadavg()[0]:.1f}")
    freed = wait_until(lambda: not server_sees(ports), 5)
    check("5. ... and its database connections are freed", bool(ports) and freed is not None,
          f"{len(ports)} connections, gone after {freed:.2f} s" if freed is not None else f"{len(ports)} connections")
    session.kill()


def _exited(pid: int) -> bool:
    """Gone, or a zombie: it has exited and only waits for its parent (init, once sh is gone) to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return f"pid {pid}"


def _hangup_logged(pids: list[int], killed_at: float) -> str:
    """When the app logged the hangup, after the kill: splits sshd's part from the app's."""
    log = Path(pwd.getpwnam(SERVICE).pw_dir) / ".local/state/invtui/log/invtui.log"
    for line in reversed(log.read_text(errors="replace").splitlines() if log.exists() else []):
        match = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) \w+ (\d+) .*hung up", line)
        if match and int(match[3]) in pids:
            at = time.mktime(time.strptime(match[1], "%Y-%m-%d %H:%M:%S")) + int(match[2]) / 1000
            return f" (the app logged the hangup {at - killed_at:.2f} s after the kill)"
    return " (no hangup line in the log)"


def check_audit(session: Tmux | None) -> None:
    if session is None:
        check("6. the audit shows maria for her actions", False, "no open session of maria")
        return
    session.keys("2")
    session.wait_for(r"OUT|LOW", 10)
    session.keys("a")
    time.sleep(1)
    session.keys("Enter")
    time.sleep(2)
    audit = as_service("audit", "--user", OPERATOR, "--json")
    try:
        rows = json.loads(audit.stdout or "[]")
    except json.JSONDecodeError:
        rows = []
    kinds = sorted({str(r.get("kind", "")) for r in rows})
    check("6. the audit shows maria for her actions (an alert acknowledged from her SSH session)",
          any("alert" in k for k in kinds), f"kinds {kinds}" if rows else (audit.stderr or audit.stdout)[:160])


def check_disable(key: Path, session: Tmux | None, floor: float) -> None:
    disabled = as_service("user", "disable", OPERATOR)
    if not check("4. `user disable maria` as the service account", disabled.returncode == 0,
                 (disabled.stderr or disabled.stdout).strip()[:120]):
        return
    if session is not None:
        took = wait_until(session.dead, 8)
        check("4. maria's open session ends within 5 s", took is not None and took <= 5,
              f"{took:.2f} s" if took is not None else session.screen()[-200:])
        session.kill()
    code, out, took = ssh(key, SERVICE, opts=("-tt",), timeout=20)
    check("4. her next login prints one line and closes (no login form, no hang)", code not in (0, -1)
          and len(lines_of(out)) == 1 and took - floor < 10,
          f"exit {code}, {took:.2f} s in all, {took - floor:.2f} s beyond startup, {lines_of(out)[:3]}")
    as_service("user", "enable", OPERATOR)


def check_doctor() -> None:
    def warnings() -> tuple[int, list[str]]:
        r = as_service("doctor", user=None)
        return r.returncode, [line for line in (r.stdout + r.stderr).splitlines()
                              if re.match(r"\s*(WARN|FAIL)", line)]
    code, found = warnings()
    check("7. doctor as the service account: no warnings on the documented setup", code == 0 and not found,
          "; ".join(found)[:200])
    os.chmod(CONFIG, 0o644)
    try:
        code, found = warnings()
    finally:
        os.chmod(CONFIG, 0o600)
    check("7. doctor warns when the config is 644", any("config" in line.lower() for line in found),
          "; ".join(found)[:200])


def check_backup_cron() -> None:
    line = next(ln for ln in Path("/etc/cron.d/invtui-backup").read_text().splitlines()
                if ln.strip() and not ln.startswith("#"))
    fields = line.split(None, 6)
    command = fields[6].replace("\\%", "%")
    r = run(["runuser", "-u", fields[5], "--", "sh", "-c", command], cwd="/", timeout=300)
    dumps = [p for p in Path("/var/backups/invtui").glob("invtui-*.dump")]
    modes = {f"{stat.S_IMODE(p.stat().st_mode):o}" for p in dumps}
    check("8. the README's cron line writes a 0600 dump as the service account", r.returncode == 0 and
          modes == {"600"} and all(p.owner() == SERVICE for p in dumps), f"exit {r.returncode}, modes {modes}")


def check_serve() -> None:
    """Step 10's `invtui serve`: other sites' pages are refused, the page carries security headers."""
    import urllib.error
    import urllib.request

    def get(origin: str | None) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request("http://127.0.0.1:8000/", headers={"Origin": origin} if origin else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)
        except OSError as error:
            return 0, {"error": str(error)}

    if wait_until(lambda: get(None)[0] != 0, 20) is None:
        check("9. invtui serve answers on 127.0.0.1:8000", False, get(None)[1].get("error", ""))
        return
    status, headers = get(None)
    names = {k.lower() for k in headers}
    check("9. invtui serve: the page carries X-Frame-Options / CSP frame-ancestors and nosniff",
          status == 200 and ("x-frame-options" in names or "frame-ancestors" in headers.get("Content-Security-Policy", ""))
          and "x-content-type-options" in names, f"{status} {sorted(names)}"[:200])
    evil, _ = get("https://evil.example")
    ours, _ = get("https://stock.example.com")
    check("9. invtui serve refuses another site's Origin, accepts the --public-url one", evil == 403 and ours == 200,
          f"evil {evil}, ours {ours}")


# ---------------------------------------------------------------- cleanup

def cleanup() -> None:
    print("---- cleanup", flush=True)
    run([*TMUX, "kill-server"])
    for name in ("sshd", "invtui-worker", "invtui-serve"):
        pid = _pid(WORK / f"{name}.pid")
        if pid and name == "sshd":
            os.kill(pid, signal.SIGTERM)
        elif pid:
            os.killpg(pid, signal.SIGTERM)
    time.sleep(1)
    for user in (SERVICE, SHELL_USER):  # every process of the accounts this test created
        for pid in (_pgrep("-u", user) if _user(user) else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    time.sleep(0.5)
    if Path("/run/systemd/system").is_dir():
        run(["systemctl", "disable", "--now", "invtui-worker", "invtui-serve"])
    for user in (SERVICE, SHELL_USER):
        if _user(user):
            run(["userdel", "-r", user])
    run(["groupdel", SERVICE])
    for conf in Path("/etc/postgresql").glob(f"*/{CLUSTER}"):
        run(["pg_dropcluster", "--stop", conf.parent.name, CLUSTER], timeout=120)
    for path in CREATED_PATHS:
        p = Path(path)
        shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
    shutil.rmtree(WORK, ignore_errors=True)
    print("box test: removed the accounts, the cluster, sshd on 2222 and the files; the packages stay installed")


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--yes", action="store_true", help="do not ask before changing the machine")
    parser.add_argument("--keep", action="store_true", help="leave everything in place at the end")
    parser.add_argument("--cleanup", action="store_true", help="only remove what a kept run left")
    parser.add_argument("--systemctl-standin", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.systemctl_standin is not None:
        return standin(args.systemctl_standin)
    if args.cleanup:
        cleanup()
        return 0
    preflight(args)
    WORK.mkdir(mode=0o700, exist_ok=True)
    started = time.monotonic()
    try:
        install_prerequisites()
        create_cluster()
        maria_key, shell_key = keygen(OPERATOR), keygen(SHELL_USER)
        password = secrets.token_hex(24)
        values = {"INVTUI_SRC": str(REPO), "DB_HOST": "127.0.0.1", "DB_PORT": str(PG_PORT),
                  "DB_PASSWORD": password, "OPERATOR": OPERATOR, "OPERATOR_KEY": f"{maria_key}.pub"}
        print(f"box test: source {REPO} at {run(['git', '-C', str(REPO), 'rev-parse', '--short', 'HEAD']).stdout.strip()}"
              f" (the install copies the committed HEAD); database 127.0.0.1:{PG_PORT}, scram-sha-256")
        if run_steps(values):
            start_sshd()
            make_shell_user()
            seeded = as_service("seed", "--products", "30", "--locations", "2", timeout=300)
            swept = as_service("sweep", timeout=300)
            check("setup: demo data and a sweep as the service account",
                  seeded.returncode == 0 and swept.returncode == 0, (seeded.stderr + swept.stderr).strip()[:200])
            check_install()
            check_other_local_user(shell_key, password)
            session = check_app_session(maria_key)
            floor = check_no_terminal(maria_key, shell_key)
            check_hangup(maria_key)
            check_audit(session)
            check_disable(maria_key, session, floor)
            check_doctor()
            check_backup_cron()
            check_serve()
    finally:
        if args.keep:
            print(f"box test: --keep: everything stays; `{sys.argv[0]} --cleanup` removes it")
        else:
            cleanup()
    failed = [r for r in results if not r[1]]
    print(f"\nbox test: {len(results) - len(failed)} passed, {len(failed)} failed, "
          f"{time.monotonic() - started:.0f} s")
    for name, _, detail in failed:
        print(f"  FAIL {name}" + (f" ({detail})" if detail else ""))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
