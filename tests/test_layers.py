"""The layers of DESIGN.md hold: nothing imports upward, and the UI reaches the database only
through services (issue 18: screens built their own queries and imported `sqlmodel.Session`)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "invtui"
DATABASE_PACKAGES = ("sqlmodel", "sqlalchemy", "psycopg")


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (imports inside functions and TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _offenders(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in sorted(_imports(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return bad


def test_the_ui_never_imports_a_database_package() -> None:
    assert _offenders("ui", DATABASE_PACKAGES) == []


def test_the_ui_never_looks_up_or_queries_itself() -> None:
    """Which code names what (a bin beats a SKU) is a service's rule, not a screen's."""
    assert _offenders("ui", ("invtui.services.lookup.product", "invtui.services.lookup.location")) == []
    for path in (PACKAGE / "ui").rglob("*.py"):
        source = path.read_text()
        assert "session.execute(" not in source and "session.exec(" not in source, path


def test_no_layer_imports_one_above_it() -> None:
    assert _offenders("domain", ("invtui.db", "invtui.services", "invtui.ui", "invtui.cli", "textual",
                                 *DATABASE_PACKAGES)) == []
    assert _offenders("db", ("invtui.services", "invtui.ui", "invtui.cli", "textual")) == []
    assert _offenders("services", ("invtui.ui", "invtui.cli", "textual")) == []
    assert _offenders("cli", ("invtui.ui.screens", "invtui.ui.widgets", "invtui.ui.modals")) == []


def test_the_checker_sees_an_import_where_there_is_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlmodel import Session\n"
                      "def f():\n    import psycopg.sql\n")
    assert {"sqlmodel", "sqlmodel.Session", "psycopg.sql"} <= _imports(module)
