"""What the catalog-style commands share: the list options, and printing one record or a page.

A page is printed as a table with the cursor of the next page under it (`--after`), or as JSON
with `next_cursor`; one record as a field / value table or JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import catalog
    from invtui.services.catalog import Page
else:
    catalog = lazy_module("invtui.services.catalog")

JSON = typer.Option(False, "--json", help="Print JSON.")
SEARCH = typer.Option(None, "--search", "-s", help="Text to look for (any case).")
LIMIT = typer.Option("50", "--limit", help="Rows per page (1 to 1,000).")
AFTER = typer.Option(None, "--after", help="Continue after this cursor (printed under the previous page).")
ACTIVE = typer.Option(None, "--active/--inactive", help="Only active or only inactive ones.")
CLEAR = ("none", "")


def given(value: Any) -> Any:
    """An option left out keeps the stored value."""
    return catalog.UNSET if value is None else value


def clearable(value: str | None) -> Any:
    """`none` clears an optional field."""
    if value is None:
        return catalog.UNSET
    return None if value.strip().lower() in CLEAR else value


def footer(page: Page[Any]) -> None:
    if page.next_cursor is not None:
        console.print(f"More: --after {page.next_cursor}")


def page_json(page: Page[Any], items: list[dict[str, Any]]) -> None:
    print_json({"items": items, "next_cursor": page.next_cursor})


def session_for(ctx: typer.Context):  # type: ignore[no-untyped-def]
    return state(ctx).database().session()


def show_record(data: dict[str, Any], as_json: bool) -> None:
    """One record: JSON, or a field / value table."""
    if as_json:
        print_json(data)
    else:
        print_table(["field", "value"], list(data.items()))


def print_page(page: Page[Any], items: list[dict[str, Any]], columns: dict[str, str], as_json: bool) -> None:
    """A page of records: JSON with its cursor, or a table of `columns` (heading -> key)."""
    if as_json:
        page_json(page, items)
        return
    print_table(list(columns), [tuple(cell(item[key]) for key in columns.values()) for item in items])
    footer(page)


def cell(value: Any) -> Any:
    return ("yes" if value else "no") if isinstance(value, bool) else value
