"""`invtui user add-key / remove-key / keys`: one forced-command line per operator (issue 13 item 2)."""

from __future__ import annotations

import base64
import stat
import struct
import sys
from pathlib import Path

import pytest

from invtui.domain.ssh_keys import key_line, parse_key_line, parse_public_key
from invtui.errors import ValidationError


def ed25519(seed: int = 1, comment: str = "maria@laptop") -> str:
    blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + bytes([seed]) * 32
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}".strip()


def test_a_public_key_is_parsed_with_its_fingerprint() -> None:
    key = parse_public_key(ed25519() + "\n")
    assert (key.type, key.comment) == ("ssh-ed25519", "maria@laptop")
    assert key.fingerprint.startswith("SHA256:") and "=" not in key.fingerprint


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"),
    (ed25519() + "\n" + ed25519(2), "one line"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", "private key"),
    ('command="/bin/sh" ' + ed25519(), "must start with a key type"),
    ("no-pty " + ed25519(), "must start with a key type"),
    ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "must start with a key type"),
    ("ssh-ed25519 not*base64 maria", "not base64"),
    ("ssh-ed25519", "not base64"),
    ("ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa" + b"x" * 40).decode(), "does not hold a ssh-ed25519"),
    (ed25519(comment='maria" ,command="/bin/sh'), "comment may hold"),
    (ed25519(comment="maria,command=/bin/sh"), "comment may hold"),
    (ed25519(comment="maria\\"), "comment may hold"),
])
def test_malformed_or_smuggling_keys_are_refused_in_one_sentence(text: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        parse_public_key(text)


@pytest.mark.parametrize(("exe", "config", "name", "words"), [
    ("/opt/invtui/bin/invtui", '/etc/x",command="/bin/sh', "maria", "config file path"),
    ("/opt/my invtui/invtui", "/etc/invtui/config.toml", "maria", "invtui program path"),
    ("relative/invtui", "/etc/invtui/config.toml", "maria", "must be absolute"),
    ("/opt/invtui/bin/invtui", "/etc/invtui/config.toml", 'maria",command="/bin/sh', "cannot go into"),
    ("/opt/invtui/bin/invtui", "/etc/invtui/config.toml", "maria --user admin", "cannot go into"),
])
def test_nothing_typed_can_end_the_forced_command(exe: str, config: str, name: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        key_line(exe, config, name, parse_public_key(ed25519()))


def test_the_line_forces_the_command_and_reads_back() -> None:
    line = key_line("/opt/invtui/.venv/bin/invtui", "/etc/invtui/config.toml", "maria", parse_public_key(ed25519()))
    assert line.startswith('command="/opt/invtui/.venv/bin/invtui --config /etc/invtui/config.toml '
                           '--ssh-user maria",restrict,pty ssh-ed25519 AAAA')
    assert line.endswith(" maria@laptop")
    parsed = parse_key_line(line)
    assert parsed is not None and parsed.username == "maria" and parsed.key == parse_public_key(ed25519())
    assert parse_key_line(ed25519()) is None  # somebody's own line: not ours, left alone


@pytest.fixture
def keys_env(cli_env: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    config = tmp_path / "config.toml"
    config.write_text("[log]\nlevel = \"INFO\"\n")
    return cli_env, config, tmp_path / "home" / ".ssh" / "authorized_keys"


def test_add_key_writes_one_private_line_keys_lists_it_remove_key_drops_it(invtui, keys_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, config, target = keys_env
    (tmp_path / "maria.pub").write_text(ed25519() + "\n")
    target.parent.mkdir(parents=True, mode=0o700)
    target.write_text("ssh-ed25519 AAAAownkey root@box\n")  # a line invtui did not write stays
    args = ["--config", str(config), "user", "add-key", "operator", str(tmp_path / "maria.pub"),
            "--authorized-keys", str(target)]
    first = invtui(*args)
    assert first.code == 0, first.stderr
    assert "operator can now sign in with key SHA256:" in first.stdout
    again = invtui(*args[:-3], "-", "--authorized-keys", str(target), stdin=ed25519())
    assert again.code == 0 and "already signs in operator" in again.stdout
    lines = target.read_text().splitlines()
    assert lines[0] == "ssh-ed25519 AAAAownkey root@box" and len(lines) == 2
    assert lines[1].startswith(f'command="{Path(sys.executable).with_name("invtui")} --config {config} '
                               '--ssh-user operator",restrict,pty ssh-ed25519 ')
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    listed = invtui("--config", str(config), "user", "keys", "--authorized-keys", str(target), "--json")
    assert '"username": "operator"' in listed.stdout and '"comment": "maria@laptop"' in listed.stdout
    other = invtui("--config", str(config), "user", "add-key", "viewer", "-", "--authorized-keys", str(target),
                   stdin=ed25519())
    assert other.code == 1 and other.stderr == "invtui: That key already signs in as operator; one key is one person\n"
    removed = invtui("--config", str(config), "user", "remove-key", "operator", "--authorized-keys", str(target))
    assert removed.code == 0 and "Removed 1 key line of operator" in removed.stdout
    assert target.read_text() == "ssh-ed25519 AAAAownkey root@box\n"


def test_a_new_ssh_folder_is_private(invtui, keys_env) -> None:  # type: ignore[no-untyped-def]
    _, config, target = keys_env
    result = invtui("--config", str(config), "user", "add-key", "viewer", "-", "--authorized-keys", str(target),
                    stdin=ed25519(3))
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize(("who", "name", "stdin", "words"), [
    ("admin", "ghost", ed25519(), "Unknown user 'ghost'"),
    ("admin", "operator", 'command="/bin/sh" ' + ed25519(), "Not a public key"),
    ("admin", "operator", ed25519(comment='x",command="/bin/sh'), "comment may hold"),
    ("manager", "operator", ed25519(), "Role manager cannot manage users"),
])
def test_add_key_refusals_are_one_line_and_write_nothing(invtui, keys_env, who, name, stdin, words) -> None:  # type: ignore[no-untyped-def]
    _, config, target = keys_env
    result = invtui("--config", str(config), "user", "add-key", name, "-", "--authorized-keys", str(target),
                    stdin=stdin, env={"INVTUI_USER": who})
    assert result.code != 0 and result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
    assert not target.exists()


def test_add_key_refuses_a_disabled_user(invtui, keys_env) -> None:  # type: ignore[no-untyped-def]
    _, config, target = keys_env
    assert invtui("user", "disable", "viewer").code == 0
    result = invtui("--config", str(config), "user", "add-key", "viewer", "-", "--authorized-keys", str(target),
                    stdin=ed25519())
    assert result.code == 1 and result.stderr == "invtui: User 'viewer' is disabled; ask an admin\n"
    assert not target.exists()
