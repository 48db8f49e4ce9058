"""Numbers in narrow places: a figure is written in full when it fits, compactly when it does not,
and never cut (a cut "25,181.0" reads as a different amount than 25,181.08)."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

SCALES = ((1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T"))


def fit(value: int | float | Decimal, width: int, decimals: int = 0) -> str:
    """`value` as "25,181.08" when that fits in `width` cells, else "25.181k", "1.0773M"...

    Compact forms keep as many digits as the width allows; the result is cut only when even
    "999T" does not fit, which no column is narrow enough for.
    """
    full = f"{value:,.{decimals}f}"
    if len(full) <= width:
        return full
    if abs(value) < 1000:  # a small amount loses decimals (rounded), never a digit of its integer part
        return next((text for places in range(decimals - 1, -1, -1)
                     if len(text := f"{value:,.{places}f}") <= width), full)
    number = float(value)
    for size, suffix in SCALES:
        scaled = number / size
        if abs(scaled) >= 1000 and size != SCALES[-1][0]:
            continue
        for places in (3, 2, 1, 0):
            text = f"{scaled:.{places}f}"
            if places:
                text = text.rstrip("0").rstrip(".")
            if abs(float(text)) >= 1000 and size != SCALES[-1][0]:
                break  # rounding reached the next scale: 999,999.9 is 1M, not 1000k
            if len(text) + len(suffix) <= width:
                return text + suffix
    return full[:width]


def number_cell(value: int | float | Decimal | None, width: int, decimals: int = 0, blank: str = "") -> Text:
    """A right-aligned table cell that fits its column (see `fit`)."""
    if value is None:
        return Text(blank, justify="right")
    return Text(fit(value, width, decimals), justify="right")
