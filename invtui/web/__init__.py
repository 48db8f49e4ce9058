"""Browser mode (`invtui serve`): what the serving process tells each tab's app process.

The server itself (aiohttp, textual-serve) is in `invtui.web.server`; this module imports
neither, so the app and the services can ask "am I served, and to whom?" cheaply.

The serving process starts one `invtui` process per browser tab and passes it the browser's
address in the environment. Only the serving process sets it: an operator reaches invtui
through sudo or a forced SSH command, neither of which passes INVTUI_* variables through.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

CLIENT_ENV = "INVTUI_WEB_CLIENT"


def served_client(env: Mapping[str, str] | None = None) -> str | None:
    """The browser's address when this process runs a served tab, else None (a terminal)."""
    value = (os.environ if env is None else env).get(CLIENT_ENV, "").strip()
    return value[:100] or None
