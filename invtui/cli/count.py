"""`invtui count ...`: cycle counts of a location from the shell (same service as the app)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import count_export, counts
else:
    counts = lazy_module("invtui.services.counts")
    count_export = lazy_module("invtui.services.count_export")

app = typer.Typer(help="Cycle counts: start, scan, review, approve, post, abandon, list, show, history, export, "
                       "due, interval.",
                  no_args_is_help=True)

COUNT_ARG = typer.Argument(..., metavar="COUNT", help="Count reference: CNT-000012 or 12.")
JSON = typer.Option(False, "--json", help="Print JSON for scripts.")


def register(root: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    root.add_typer(app, name="count")


def _session_line(row: counts.CountSession) -> str:
    kind = "blind " if row.blind else ""
    return (f"{row.reference} {kind}count of {row.location} by {row.owner}: {row.status}, "
            f"{row.lines} line(s), {row.units} unit(s)")


@app.command()
def start(ctx: typer.Context, location: str = typer.Argument(..., metavar="LOCATION"),
          blind: bool | None = typer.Option(None, "--blind/--open",
                                            help="Hide expected quantities while counting (operators: blind).")) -> None:
    """Open a count session for LOCATION."""
    st = state(ctx)
    with st.database().session() as session:
        row = counts.start(session, st.actor(), location, blind)
    console.print(f"Started {_session_line(row)}.", markup=False, soft_wrap=True)


@app.command()
def scan(ctx: typer.Context, count: str = COUNT_ARG,
         codes: list[str] = typer.Argument(..., metavar="CODE...", help="SKUs or barcodes; CODE=N counts N at once."),
         set_: bool = typer.Option(False, "--set", help="CODE=N sets the line to N (a recount) instead of adding."),
         reason: str | None = typer.Option(None, "--reason", help="Why the line differs (with --set).")) -> None:
    """Count items: each CODE adds one (or N) to its line; one line per item."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        for spec in codes:
            code, _, amount = spec.partition("=")
            if set_:
                line = counts.set_quantity(session, actor, count, code, amount or "0", reason)
            else:
                line = counts.scan(session, actor, count, code, amount or 1)
            expected = "" if line.expected is None else f" (expected {line.expected})"
            console.print(f"{line.sku} {line.name}: {line.counted}{expected}", markup=False, soft_wrap=True)


@app.command()
def review(ctx: typer.Context, count: str = COUNT_ARG, as_json: bool = JSON) -> None:
    """Every item of the location as missing, extra or matching, with counted and expected."""
    st = state(ctx)
    with st.database().session() as session:
        result = counts.review(session, st.actor(), count, st.settings)
    if as_json:
        print_json([{"sku": line.sku, "counted": line.counted, "expected": line.expected,
                     "difference": line.difference, "group": line.group, "moved_from": line.moved_from,
                     "reason": line.reason, "value": str(line.value), "needs_approval": line.needs_approval,
                     "posted": line.posted}
                    for line in result.lines])
        return
    for group in counts.GROUPS:
        rows = [line for line in result.lines if line.group == group]
        if rows:
            print_table(["SKU", "counted", "expected", "diff", "note"],
                        [(line.sku, line.counted, line.expected, f"{line.difference:+d}" if line.difference else "0",
                          "; ".join(filter(None, [f"moved? at {line.moved_from}" if line.moved_from else "",
                                                  "needs approval" if line.needs_approval else "",
                                                  "posted" if line.posted else "", line.reason])))
                         for line in rows], title=f"{group} ({len(rows)})")
    console.print(_session_line(result.session), markup=False, soft_wrap=True)


@app.command()
def approve(ctx: typer.Context, count: str = COUNT_ARG) -> None:
    """Accept the differences above the thresholds (managers)."""
    st = state(ctx)
    with st.database().session() as session:
        row = counts.approve(session, st.actor(), count)
    console.print(f"Approved {row.reference}.", markup=False, soft_wrap=True)


@app.command()
def reason(ctx: typer.Context, count: str = COUNT_ARG, code: str = typer.Argument(..., metavar="CODE"),
           why: str = typer.Argument(..., metavar="REASON",
                                     help="damaged, lost, found, miscount, moved or your own words.")) -> None:
    """Give the difference of CODE's line its reason, without counting it again."""
    st = state(ctx)
    with st.database().session() as session:
        line = counts.set_reason(session, st.actor(), count, code, why)
    console.print(f"{line.sku} {line.name}: reason {why.strip()!r}.", markup=False, soft_wrap=True)


@app.command()
def post(ctx: typer.Context, count: str = COUNT_ARG,
         reason: str = typer.Option("", "--reason", help="Reason for differences that have none of their own "
                                    "(damaged, lost, found, miscount, moved or your own words)."),
         partial: bool = typer.Option(False, "--partial", help="Post what needs no approval now; the differences "
                                      "above the thresholds wait in the open count for a manager.")) -> None:
    """Write one adjustment per difference and close the count: all or nothing, once (or, with
    --partial, all that needs no approval)."""
    st = state(ctx)
    with st.database().session() as session:
        result = counts.post(session, st.actor(), count, reason, st.settings, partial=partial)
    if result.already_posted:
        console.print(f"{result.reference} was already posted; nothing written.", markup=False, soft_wrap=True)
        return
    waiting = (f"{len(result.held)} difference(s) wait for a manager's approval: {', '.join(result.held[:5])}"
               f"{' ...' if len(result.held) > 5 else ''}.")
    if result.held and not result.lines:
        console.print(f"Nothing more to post in {result.reference} yet; {waiting}", markup=False, soft_wrap=True)
        return
    console.print(f"Posted {result.reference}{' in part' if result.held else ''}: {result.movements} adjustment(s), "
                  f"+{result.units_up} / -{result.units_down} unit(s).{' ' + waiting if result.held else ''}",
                  markup=False, soft_wrap=True)  # one line whatever the width: scripts read it


@app.command()
def abandon(ctx: typer.Context, count: str = COUNT_ARG) -> None:
    """Close an open count without writing any more stock (lines posted in part stay posted)."""
    st = state(ctx)
    with st.database().session() as session:
        row = counts.abandon(session, st.actor(), count)
    kept = f"the {row.posted_lines} line(s) posted before stay posted" if row.posted_lines else "nothing written"
    console.print(f"Abandoned {row.reference}; {kept}.", markup=False, soft_wrap=True)


@app.command("list")
def list_(ctx: typer.Context, status: str | None = typer.Option(None, "--status", help="open, posted or abandoned."),
          as_json: bool = JSON) -> None:
    """Count sessions, newest first."""
    st = state(ctx)
    with st.database().session() as session:
        rows = counts.list_sessions(session, st.actor(), status)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    print_table(["count", "location", "owner", "status", "lines", "units", "started"],
                [(r.reference, r.location, r.owner, r.status, r.lines, r.units, f"{r.created_at:%Y-%m-%d %H:%M}")
                 for r in rows])


@app.command()
def show(ctx: typer.Context, count: str = COUNT_ARG, as_json: bool = JSON) -> None:
    """A count and its lines (expected quantities hidden while a blind count is open)."""
    st = state(ctx)
    with st.database().session() as session:
        row, lines = counts.show(session, st.actor(), count)
    if as_json:
        print_json({**row.as_dict(), "lines": [{"sku": x.sku, "name": x.name, "counted": x.counted,
                                                "expected": x.expected} for x in lines]})
        return
    console.print(_session_line(row), markup=False, soft_wrap=True)
    print_table(["SKU", "name", "counted", "expected"],
                [(x.sku, x.name, x.counted, "hidden" if x.expected is None else x.expected) for x in lines])


@app.command()
def due(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Locations whose count is due, oldest first, with the items and units they hold."""
    st = state(ctx)
    with st.database().session() as session:
        rows = counts.due(session, st.actor(), st.settings)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        console.print("No count is due.")
        return
    print_table(["location", "every", "last counted", "items", "units"],
                [(r.code, f"{r.every_days} d", f"{r.last_counted_at:%Y-%m-%d}" if r.last_counted_at else "never",
                  r.items, r.units) for r in rows])


@app.command()
def history(ctx: typer.Context, count: str = COUNT_ARG, as_json: bool = JSON) -> None:
    """Everything that happened to a count: start, lines, reasons, approval, postings, adjustments."""
    st = state(ctx)
    with st.database().session() as session:
        entries = counts.history(session, st.actor(), count)
    if as_json:
        print_json([entry.as_dict() for entry in entries])
        return
    print_table(["when", "who", "action", "SKU", "qty", "detail"],
                [(f"{e.at.astimezone():%Y-%m-%d %H:%M:%S}", e.who, e.action, e.sku,
                  "" if e.quantity is None else (f"{e.quantity:+d}" if e.action == "adjusted" else str(e.quantity)),
                  e.detail) for e in entries])


@app.command()
def export(ctx: typer.Context, count: str = COUNT_ARG,
           file: str = typer.Argument(..., metavar="FILE", help="CSV file to write (replaced if it exists).")) -> None:
    """Write a count's review (every line, missing first) as CSV."""
    st = state(ctx)
    with st.database().session() as session:
        rows = count_export.export_to_path(session, st.actor(), count, file, st.settings)
    console.print(f"Wrote {rows} line(s) of {count} to {file}.", markup=False, soft_wrap=True)


@app.command()
def interval(ctx: typer.Context, location: str = typer.Argument(..., metavar="LOCATION"),
             days: str = typer.Argument(..., metavar="DAYS",
                                        help="Count LOCATION every DAYS days; 0 = never; 'default' = [counts] every_days.")
             ) -> None:
    """Set how often LOCATION is counted (managers)."""
    st = state(ctx)
    every = None if days.strip().lower() == "default" else days.strip()
    with st.database().session() as session:
        set_to = counts.set_interval(session, st.actor(), location, every)
    if set_to is None:
        console.print(f"{location} is counted every {st.settings.counts_every_days} days (the default).",
                      markup=False, soft_wrap=True)
    else:
        console.print(f"{location} is {'never counted' if set_to == 0 else f'counted every {set_to} days'}.",
                      markup=False, soft_wrap=True)
