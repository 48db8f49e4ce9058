"""Numbers in narrow columns: in full when they fit, compact when they do not, never cut."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invtui.ui.numbers import fit


@pytest.mark.parametrize(("value", "width", "decimals", "shown"), [
    (Decimal("25181.08"), 9, 2, "25,181.08"),
    (Decimal("25181.08"), 8, 2, "25.181k"),
    (Decimal("1077285.28"), 8, 2, "1.077M"),
    (708_645, 5, 0, "709k"),
    (999_999.9, 5, 0, "1M"),
    (1234, 3, 0, "1k"),
    (Decimal("5.25"), 3, 2, "5.2"),
    (-25_181, 5, 0, "-25k"),
])
def test_a_number_that_does_not_fit_is_written_compactly(value, width, decimals, shown) -> None:  # type: ignore[no-untyped-def]
    assert fit(value, width, decimals) == shown
    assert len(shown) <= width
