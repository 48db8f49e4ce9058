"""Input checks shared by the CLI, the screens and the services. Pure, no I/O.

Each function returns the clean value or raises ValidationError with the sentence an operator
sees. The database checks again (CHECK constraints); these give the clearer message first.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from invtui.errors import ValidationError

MAX_QUANTITY = 1_000_000
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def quantity(value: object, *, minimum: int = 1, maximum: int = MAX_QUANTITY, what: str = "Quantity") -> int:
    """A whole number of units in [minimum, maximum]; text, fractions and bools are refused."""
    message = f"{what} must be a whole number from {minimum:,} to {maximum:,}"
    if isinstance(value, bool):
        raise ValidationError(message)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or value != int(value):  # NaN and infinity are numbers, but not counts
            raise ValidationError(message)
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValidationError(message)
        number = int(text)
    else:
        raise ValidationError(message)
    if number < minimum or number > maximum:
        raise ValidationError(message)
    return number


def money(value: object, *, what: str = "Price", maximum: Decimal = Decimal("9999999999.99")) -> Decimal:
    """A non-negative amount with at most two decimals (numeric(12,2) in the database)."""
    message = f"{what} must be an amount from 0 to {maximum:,} with at most 2 decimals"
    if isinstance(value, bool) or value is None:
        raise ValidationError(message)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(message) from None
    if not amount.is_finite() or amount < 0 or amount > maximum or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(message)
    return amount.quantize(Decimal("0.01"))


def text(value: object, *, what: str, max_length: int, required: bool = True) -> str:
    """Trimmed text no longer than the column allows; control characters refused."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text")
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationError(f"{what} is required")
    if len(cleaned) > max_length:
        raise ValidationError(f"{what} is too long ({len(cleaned)} characters; at most {max_length})")
    if any(ord(ch) < 32 and ch not in "\t" for ch in cleaned):
        raise ValidationError(f"{what} contains control characters")
    return cleaned


def username(value: object) -> str:
    name = text(value, what="User name", max_length=64).lower()
    if not USERNAME_PATTERN.match(name):
        raise ValidationError(
            f"User name {name!r} may use only a-z, 0-9, '.', '_' and '-', starting with a letter or digit"
        )
    return name


def password(value: object) -> str:
    if not isinstance(value, str) or len(value) < 8:
        raise ValidationError("Password must be at least 8 characters")
    if len(value.encode("utf-8")) > 72:  # bcrypt only looks at the first 72 bytes
        raise ValidationError("Password must be at most 72 bytes")
    return value


# SKUs and codes are printed on labels and scanned: letters, digits and a few separators.
CODE_PATTERN = re.compile(r"^[\w][\w.\-/+#]*$")


def check_thresholds(min_level: int, reorder_point: int | None, max_level: int | None) -> None:
    """min <= reorder point <= max where set, in the words a buyer uses."""
    if reorder_point is not None:
        if max_level is not None and not min_level <= reorder_point <= max_level:
            raise ValidationError(
                f"Reorder point {reorder_point} must be between min level {min_level} and max level {max_level}"
            )
        if reorder_point < min_level:
            raise ValidationError(f"Reorder point {reorder_point} must be at least min level {min_level}")
    if max_level is not None and max_level < min_level:
        raise ValidationError(f"Max level {max_level} must be at least min level {min_level}")


def code(value: object, what: str, max_length: int) -> str:
    """A SKU or code: upper case, from the characters a label printer and a scanner agree on."""
    clean = text(value, what=what, max_length=max_length)
    if not CODE_PATTERN.match(clean):
        raise ValidationError(f"{what} {clean!r} may use only letters, digits and . - _ / + #")
    return clean.upper()  # lookups match typed codes in any case


def level(value: object, what: str) -> int:
    """A stock level (min, reorder point, max, a rule's threshold): zero or more."""
    return quantity(value, minimum=0, what=what)


def optional_level(value: object, what: str) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "-")):
        return None
    return level(value, what)


MAX_LEAD_TIME_DAYS = 3650  # products.lead_time_days CHECK (sql/0010_demand.sql)


def lead_time_days(value: object) -> int | None:
    """A product's own lead time in days, 0 to 3,650; None or empty (also "none"): its supplier's."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "-")):
        return None
    return quantity(value, minimum=0, maximum=MAX_LEAD_TIME_DAYS, what="Lead time (days)")


def pack_size(value: object) -> int | None:
    """Units per pack (reorder suggestions round up to it); None or empty (also "none"): none."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "-")):
        return None
    return quantity(value, what="Pack size")


def barcode(value: object) -> str | None:
    if value is None:
        return None
    clean = text(value, what="Barcode", max_length=64, required=False)
    if clean and not CODE_PATTERN.match(clean):
        raise ValidationError(f"Barcode {clean!r} may use only letters, digits and . - _ / + #")
    return clean or None
