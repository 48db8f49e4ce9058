"""Modules loaded on first use, so `invtui --help` imports no database code.

Every command module names the services it calls at its top, as usual; `lazy_module` returns
a stand-in that loads the real module the first time a command touches one of its names
(the standard library's `importlib.util.LazyLoader`). A command therefore pays only for the
services it runs: `--help` and `--version` load none, `alerts list` no Textual.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The module `name`, executed on first attribute access (at once if it is already loaded)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module
