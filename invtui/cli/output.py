"""Printing for the CLI: tables for people, JSON for scripts."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """`--json` for scripts: keys as the command names them, numbers (money too) as JSON numbers,
    times in ISO 8601 with their offset, so `jq` and any JSON reader take them without parsing.

    Money keeps its exact decimal text as the number (`3.10`, not `3.1000000000000001` or
    `"3.10"`): a reader that parses numbers as decimals gets the cents the database holds.
    A Decimal travels through json.dumps as a string carrying a one-off mark (a NUL byte, which
    no stored text can hold, and random hex) and comes out as a bare number.
    """
    mark = f"\x00{os.urandom(8).hex()}:"

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{mark}{value:f}" if value.is_finite() else None
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Enum):
            return value.value
        return str(value)

    text = json.dumps(data, default=plain, indent=2)
    exact = re.compile('"' + re.escape(json.dumps(mark)[1:-1]) + r'(-?[0-9]+(?:\.[0-9]+)?)"')
    sys.stdout.write(exact.sub(r"\1", text) + "\n")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    """A table that fits the terminal (80 columns when piped) without splitting a word or a number.

    Each column is at least as wide as its longest word; when those minimums do not fit, every
    row is printed as one block of "header value" pairs instead (wrapped between pairs, never
    inside one). Scripts use --json.
    """
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    minimums = [max([_longest_word(header)] + [_longest_word(row[i]) for row in cells])
                for i, header in enumerate(headers)]
    if sum(minimums) + 3 * max(0, len(headers) - 1) > console.width:
        _print_records(headers, cells, title)
        return
    table = Table(title=title, show_edge=False, header_style="bold")
    for header, minimum in zip(headers, minimums, strict=True):
        table.add_column(header, min_width=minimum, overflow="fold")
    for row in cells:
        table.add_row(*row)
    console.print(table)


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _print_records(headers: Sequence[str], cells: list[list[str]], title: str | None) -> None:
    """Rows too wide for a table: one block per row, pairs joined by "·", wrapped between pairs."""
    if title:
        console.print(title, style="bold")
    width = console.width
    for row in cells:
        line = ""
        for header, value in zip(headers, row, strict=True):
            if not value:
                continue
            pair = f"{header} {value}"
            if line and len(line) + 3 + len(pair) > width:
                console.print(line)
                line = "  " + pair
            else:
                line = f"{line} · {pair}" if line else pair
        console.print(line)
