"""authorized_keys lines that sign one operator in to invtui by their SSH key. Pure, no I/O.

One shared SSH account (the service account) holds one line per operator, the way gitolite and
Gitea do it:

    command="/opt/invtui/.venv/bin/invtui --config /etc/invtui/config.toml --ssh-user maria",restrict,pty ssh-ed25519 AAAA... maria@laptop

sshd forces that command for that key, so the operator can change neither argv nor the
environment, and `restrict` turns off forwarding, agent, X11 and user rc files (`pty` gives the
terminal back). Everything that goes into the line is checked here: a key that is not exactly
one well-formed public key, or any text that could end the quoted command or add an option,
is refused in one sentence.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import shlex
import struct
from dataclasses import dataclass

from invtui.errors import ValidationError

KEY_TYPES = frozenset({
    "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
})
OPTIONS = "restrict,pty"
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_COMMENT = re.compile(r"^[A-Za-z0-9@._+:=/ -]{0,200}$")  # no quote, comma, backslash or control character
_SAFE_PATH = re.compile(r'^/[^"\\\s\x00-\x1f]*$')
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# A line this module wrote: the forced command, our options, then the key.
_OURS = re.compile(r'^command="(?P<command>[^"]*)",' + re.escape(OPTIONS)
                   + r" (?P<type>\S+) (?P<blob>\S+)(?: (?P<comment>.*))?$")


@dataclass(frozen=True)
class PublicKey:
    type: str
    blob: str  # the base64 text
    comment: str = ""

    @property
    def fingerprint(self) -> str:
        """SHA256:... as `ssh-keygen -lf` prints it."""
        digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class KeyLine:
    """One line of ours in authorized_keys: whose it is and which key."""

    username: str
    key: PublicKey


def parse_public_key(text: str) -> PublicKey:
    """Exactly one OpenSSH public key line (`TYPE BASE64 [COMMENT]`), or ValidationError."""
    line = text.removesuffix("\n").removesuffix("\r")
    if not line.strip():
        raise ValidationError("The key file is empty; give the operator's public key (the .pub file)")
    if "PRIVATE KEY" in line:
        raise ValidationError("That is a private key; give the public one (the .pub file) and keep this secret")
    if any(ch in line for ch in "\r\n\x00"):
        raise ValidationError("A public key is one line; this has several (give one key per add-key)")
    parts = line.strip().split(" ", 2)
    if parts[0] not in KEY_TYPES:
        raise ValidationError(f"Not a public key: it must start with a key type ({', '.join(sorted(KEY_TYPES))}); "
                              "options are written by invtui, not taken from the key")
    if len(parts) < 2 or not _BASE64.match(parts[1]):
        raise ValidationError(f"The {parts[0]} key's data is not base64")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(f"The {parts[0]} key's data is not base64") from None
    if _embedded_type(blob) != parts[0]:
        raise ValidationError(f"The key data does not hold a {parts[0]} key (damaged or cut when copied?)")
    comment = parts[2].strip() if len(parts) > 2 else ""
    if not _COMMENT.match(comment):
        raise ValidationError("The key's comment may hold letters, digits, spaces and @ . _ + : = / - only")
    return PublicKey(parts[0], parts[1], comment)


def _embedded_type(blob: bytes) -> str | None:
    """The key type written at the start of the key data (a uint32 length, then the name)."""
    if len(blob) < 4:
        return None
    (length,) = struct.unpack(">I", blob[:4])
    if length > 64 or len(blob) < 4 + length:
        return None
    try:
        return blob[4:4 + length].decode("ascii")
    except UnicodeDecodeError:
        return None


def forced_command(executable: str, config: str, username: str) -> str:
    """`EXE --config FILE --ssh-user NAME`, refused if any part could break out of the quotes."""
    for what, path in (("invtui program", executable), ("config file", config)):
        if not _SAFE_PATH.match(path):
            raise ValidationError(f"The {what} path {path!r} must be absolute, without spaces, quotes or backslashes")
    if not _NAME.match(username):
        raise ValidationError(f"User name {username!r} cannot go into an authorized_keys line")
    return shlex.join([executable, "--config", config, "--ssh-user", username])


def key_line(executable: str, config: str, username: str, key: PublicKey) -> str:
    """The authorized_keys line that signs `username` in with `key` and runs only invtui."""
    command = forced_command(executable, config, username)
    return f'command="{command}",{OPTIONS} {key.type} {key.blob}' + (f" {key.comment}" if key.comment else "")


def parse_key_line(line: str) -> KeyLine | None:
    """The user and key of a line invtui wrote; None for any other line (left alone)."""
    match = _OURS.match(line.strip())
    if match is None:
        return None
    words = match["command"].split()
    if len(words) < 2 or words[-2] != "--ssh-user":
        return None
    return KeyLine(words[-1], PublicKey(match["type"], match["blob"], match["comment"] or ""))
