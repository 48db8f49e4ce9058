"""A count's review as CSV: for the manager's spreadsheet, the auditor, or the count screen's export.

The rows are exactly what `counts.review` shows (the same function makes them), grouped missing,
extra, matching, then by SKU, with stable column names (README, "CSV files"). A review is at most
one location's items, so it is built in memory. Files are written like the other exports: the
CLI's path appears complete or not at all (written aside, then renamed); the app writes only a
bare name in the user's own folder (services/files.py) and never replaces a file unless told.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from sqlmodel import Session

from invtui.config import Settings
from invtui.domain.roles import Actor
from invtui.errors import ValidationError
from invtui.services import counts
from invtui.services.files import UserFolder

COLUMNS = ("count", "location", "status", "group", "sku", "name", "counted", "expected", "difference", "value",
           "reason", "moved_from", "needs_approval", "posted")


def review_rows(session: Session, actor: Actor, reference: str,
                settings: Settings | None = None) -> list[dict[str, str]]:
    """The review of a count as CSV rows (every value text, keys COLUMNS), missing first."""
    review = counts.review(session, actor, reference, settings)
    head = review.session
    order = {group: index for index, group in enumerate(counts.GROUPS)}
    return [
        {"count": head.reference, "location": head.location, "status": head.status, "group": line.group,
         "sku": line.sku, "name": line.name, "counted": str(line.counted), "expected": str(line.expected),
         "difference": str(line.difference), "value": str(line.value), "reason": line.reason,
         "moved_from": line.moved_from or "", "needs_approval": _flag(line.needs_approval),
         "posted": _flag(line.posted)}
        for line in sorted(review.lines, key=lambda line: (order[line.group], line.sku))
    ]


def review_csv(session: Session, actor: Actor, reference: str, settings: Settings | None = None) -> str:
    """The review of a count as CSV text with a header row (what the files below hold)."""
    return _csv_text(review_rows(session, actor, reference, settings))


def export_to_path(session: Session, actor: Actor, reference: str, path: str | Path,
                   settings: Settings | None = None) -> int:
    """Write the review to `path` (the CLI's export); returns the number of lines written."""
    rows = review_rows(session, actor, reference, settings)
    data = _csv_text(rows)
    target = Path(path).expanduser()
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.write_text(data, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return len(rows)


def export_to_folder(session: Session, actor: Actor, reference: str, folder: UserFolder, name: str, *,
                     replace: bool = False, settings: Settings | None = None) -> int:
    """Write the review to the file `name` of the user's own folder (the app's export).

    Raises files.FileExists when the name is taken and `replace` is false: the app asks, then
    calls again.
    """
    rows = review_rows(session, actor, reference, settings)
    data = _csv_text(rows).encode("utf-8")
    try:
        with folder.open_write(name, replace=replace) as out:
            out.write(data)
    except OSError as exc:
        raise ValidationError(f"Cannot write {name}: {exc.strerror or exc}") from None
    return len(rows)


def _csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"
