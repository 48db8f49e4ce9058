"""What the catalog-style commands share: the list options, and printing one record or a page.

Each kind of record has one `Shape`: a page is printed as a table of its columns with the cursor of
the next page under it (`--after`), or as JSON items with `next_cursor`; one record as a field /
value table or the same JSON object a list item is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Shape:
    """How one kind of record prints, the same in `show` and `list`.

    `fields` gives the record's JSON object (`show --json`, and each item of `list --json`, so a
    script reads one shape from both); `show` prints those fields as a field / value table, `list`
    the `columns` (heading -> field) as a table. In both tables yes/no stands for true/false and an
    empty value is blank, or what `none_as` says for its field ("all" locations for a rule).
    """

    fields: Callable[[Any], dict[str, Any]]
    columns: dict[str, str]
    title: Callable[[Any], str] | None = None  # over the `show` table
    none_as: dict[str, str] = field(default_factory=dict)

    def cell(self, key: str, value: Any) -> Any:
        if value is None:
            return self.none_as.get(key, "")
        return ("yes" if value else "no") if isinstance(value, bool) else value


def show_record(shape: Shape, record: Any, as_json: bool, **more: Any) -> None:
    """One record: its JSON object (with `more` keys after its fields), or a field / value table of
    its fields (the caller prints what `more` holds its own way)."""
    data = shape.fields(record)
    if as_json:
        print_json({**data, **more})
        return
    print_table(["field", "value"], [(key, shape.cell(key, value)) for key, value in data.items()],
                title=shape.title(record) if shape.title else None)


def print_page(shape: Shape, page: Page[Any], as_json: bool) -> None:
    """A page of records: JSON items with the next page's cursor, or a table of the shape's columns."""
    items = [shape.fields(record) for record in page.items]
    if as_json:
        page_json(page, items)
        return
    print_table(list(shape.columns),
                [tuple(shape.cell(key, item[key]) for key in shape.columns.values()) for item in items])
    footer(page)
