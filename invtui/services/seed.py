"""Demo data: a realistic warehouse made with set-based SQL, so a million stock rows take seconds.

Every random choice comes from a hash of the row's ids (not random()), so the same arguments
always produce the same warehouse: the demo and the snapshot tests see identical data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from invtui.db.engine import Database
from invtui.errors import ConflictError, ValidationError

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (step, done, total)

CATEGORIES = [
    ("Fasteners", "Bolts, nuts, screws, washers"), ("Electrical", "Cable, connectors, fuses"),
    ("Plumbing", "Pipe, fittings, valves"), ("Safety", "Gloves, glasses, vests"),
    ("Packaging", "Boxes, tape, film"), ("Tools", "Hand and power tools"),
    ("Adhesives", "Glue, sealant, epoxy"), ("Paint", "Paint, primer, brushes"),
    ("Hydraulics", "Hoses, couplings, seals"), ("Bearings", "Ball and roller bearings"),
    ("Lighting", "Lamps, tubes, fixtures"), ("Cleaning", "Wipes, solvents, brooms"),
]
SUPPLIER_NAMES = [
    "Acme", "Northwind Supply", "Globex Industrial", "Initech Parts", "Umbrella Tools",
    "Stark Hardware", "Wayne Fasteners", "Hooli Electric", "Vandelay Industries", "Soylent Packaging",
    "Tyrell Components", "Cyberdyne Fittings", "Wonka Adhesives", "Gringotts Safety", "Oscorp Bearings",
    "Monarch Lighting", "Pied Piper Plumbing", "Dunder Paper", "Massive Dynamic", "Aperture Hydraulics",
]
# One noun list per category (same order as CATEGORIES); a product is noun + size.
NOUNS = [
    ["Bolt", "Hex Nut", "Washer", "Wood Screw", "Anchor", "Rivet", "Threaded Rod", "Lock Nut"],
    ["Cable Tie", "Fuse", "Terminal", "Connector", "Junction Box", "Breaker", "Wire Reel", "Plug"],
    ["Elbow", "Tee", "Ball Valve", "Pipe Clamp", "Coupling", "Reducer", "Gasket", "Union"],
    ["Nitrile Gloves", "Safety Glasses", "Hi-Vis Vest", "Ear Plugs", "Hard Hat", "Dust Mask", "Knee Pads", "Boots"],
    ["Carton", "Packing Tape", "Stretch Film", "Bubble Wrap", "Pallet Wrap", "Label Roll", "Mailer", "Void Fill"],
    ["Hammer", "Drill Bit", "Wrench", "Screwdriver", "Saw Blade", "Pliers", "Socket Set", "Utility Knife"],
    ["Epoxy", "Silicone Sealant", "Wood Glue", "Threadlocker", "Contact Cement", "Hot Glue Stick", "Caulk", "Tape"],
    ["Primer", "Enamel", "Brush", "Roller", "Spray Paint", "Masking Tape", "Thinner", "Drop Cloth"],
    ["Hydraulic Hose", "Quick Coupler", "O-Ring", "Seal Kit", "Filter", "Hydraulic Oil", "Fitting", "Gauge"],
    ["Ball Bearing", "Roller Bearing", "Pillow Block", "Bushing", "Thrust Washer", "Needle Bearing", "Seal", "Sleeve"],
    ["LED Tube", "Floodlight", "Bulb", "Emergency Light", "Batten", "Lamp Holder", "Driver", "Work Light"],
    ["Wipes", "Degreaser", "Broom", "Mop Head", "Bin Liner", "Absorbent Pad", "Hand Soap", "Spill Kit"],
]
SIZES = ["M4", "M5", "M6", "M8", "M10", "M12", "10mm", "15mm", "20mm", "25mm", "50mm", "100mm",
         "200mm", "S", "M", "L", "XL", "1L", "5L", "500ml"]


@dataclass(frozen=True)
class SeedResult:
    categories: int
    suppliers: int
    locations: int
    products: int
    inventory_rows: int
    purchase_orders: int
    seconds: float


def _rand(expr: str) -> str:
    """SQL for a deterministic number in [0, 1) from the text `expr` (a hash, not random())."""
    return f"((hashtext({expr}) & 2147483647)::numeric / 2147483648)"


def seed(
    db: Database,
    *,
    products: int = 500,
    locations: int = 20,
    low_fraction: float = 0.05,
    progress: Progress | None = None,
) -> SeedResult:
    """Fill an empty catalog with demo data; refuses a database that already has products."""
    if not 1 <= products <= 1_000_000:
        raise ValidationError("--products must be from 1 to 1,000,000")
    if not 1 <= locations <= 10_000:
        raise ValidationError("--locations must be from 1 to 10,000")
    if not 0 <= low_fraction <= 1:
        raise ValidationError("--low-fraction must be from 0 to 1")
    if products * locations > 5_000_000:
        raise ValidationError("--products x --locations must be at most 5,000,000 inventory rows")
    report = progress or (lambda step, done, total: None)
    started = time.perf_counter()
    with db.connect() as conn:
        conn.execute("SET LOCAL synchronous_commit = off")
        existing = conn.execute("SELECT count(*) FROM products").fetchone()
        if existing and existing[0]:
            raise ConflictError(
                f"The database already has {existing[0]:,} products; seed fills an empty catalog only"
            )
        report("catalog", 0, 1)
        n_suppliers = min(len(SUPPLIER_NAMES), max(3, products // 500))
        _catalog(conn, products, locations, n_suppliers)
        report("catalog", 1, 1)
        chunks = _location_chunks(locations, products)
        # A bulk load judges its rows once, at the end, instead of once per chunk: the per-change
        # alert trigger is switched off for this transaction only (ALTER TABLE is transactional)
        # and the engine's own full evaluation runs before commit, so nothing escapes it.
        conn.execute("ALTER TABLE inventory DISABLE TRIGGER inventory_alerts_on_insert")
        for done, (first, last) in enumerate(chunks, start=1):
            _stock(conn, first, last, low_fraction)
            report("stock", done, len(chunks))
        report("alerts", 0, 1)
        conn.execute("SELECT * FROM evaluate_stock_alerts(NULL)")
        conn.execute("ALTER TABLE inventory ENABLE TRIGGER inventory_alerts_on_insert")
        report("alerts", 1, 1)
        report("purchase orders", 0, 1)
        n_pos = _purchase_orders(conn)
        report("purchase orders", 1, 1)
        conn.commit()
    with db.connect(autocommit=True) as conn:
        # VACUUM, not only ANALYZE: it sets the visibility map, so the steady sweep's probe reads
        # the index alone. Without it the probe visits a heap page per low row and a sweep took
        # twice as long until autovacuum came by (issue 15: 1.5-2 s at 1,000,000 rows)
        conn.execute("VACUUM (ANALYZE)")
    return SeedResult(len(CATEGORIES), n_suppliers, locations, products, products * locations, n_pos,
                      time.perf_counter() - started)


def _location_chunks(locations: int, products: int, rows_per_chunk: int = 100_000) -> list[tuple[int, int]]:
    per = max(1, rows_per_chunk // max(products, 1))
    return [(start, min(start + per - 1, locations)) for start in range(1, locations + 1, per)]


def _catalog(conn, products: int, locations: int, n_suppliers: int) -> None:  # type: ignore[no-untyped-def]
    conn.execute("CREATE TEMP TABLE seed_words (category int, noun int, word text) ON COMMIT DROP")
    with conn.cursor().copy("COPY seed_words (category, noun, word) FROM STDIN") as copy:
        for c, nouns in enumerate(NOUNS, start=1):
            for n, word in enumerate(nouns, start=1):
                copy.write_row((c, n, word))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO categories (name, description) VALUES (%s, %s)", CATEGORIES)
        cur.executemany(
            "INSERT INTO suppliers (code, name, contact_name, email, phone, lead_time_days) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (f"SUP{i:03d}", name, f"Orders desk {i}", f"orders@{name.split()[0].lower()}.example",
                 f"+44 20 7946 {i:04d}", 3 + (i * 5) % 12)
                for i, name in enumerate(SUPPLIER_NAMES[:n_suppliers], start=1)
            ],
        )
    # Bin codes like WH1-A-03: 20 bins an aisle, 26 aisles a warehouse.
    conn.execute(
        """
        INSERT INTO locations (code, name)
        SELECT format('WH%%s-%%s-%%s', (g - 1) / 520 + 1, chr(65 + mod((g - 1) / 20, 26)), lpad((mod(g - 1, 20) + 1)::text, 2, '0')),
               format('Warehouse %%s, aisle %%s, bin %%s', (g - 1) / 520 + 1, chr(65 + mod((g - 1) / 20, 26)), mod(g - 1, 20) + 1)
        FROM generate_series(1, %(n)s) AS g ORDER BY g
        """,
        {"n": locations},
    )
    sizes = "(ARRAY[" + ",".join(f"'{s}'" for s in SIZES) + "])"
    conn.execute(
        f"""
        WITH base AS (
            SELECT g,
                   1 + mod(g - 1, {len(NOUNS)}) AS category,
                   1 + mod((g - 1) / {len(NOUNS)}, 8) AS noun,
                   {sizes}[1 + mod((g - 1) / {len(NOUNS) * 8}, {len(SIZES)})] AS size,
                   10 + floor({_rand("'rp' || g")} * 40)::int AS reorder_point,
                   round((0.5 + {_rand("'price' || g")} * 199.5)::numeric, 2) AS price
            FROM generate_series(1, %(n)s) AS g
        )
        INSERT INTO products (sku, name, description, barcode, category_id, supplier_id, unit_price, cost_price,
                              min_stock_level, reorder_point, max_stock_level)
        SELECT format('%%s-%%s', upper(left(c.name, 3)), lpad(b.g::text, 6, '0')),
               w.word || ' ' || b.size || CASE WHEN b.g > {len(NOUNS) * 8 * len(SIZES)}
                                             THEN ' #' || (b.g / {len(NOUNS) * 8 * len(SIZES)} + 1) ELSE '' END,
               w.word || ', ' || b.size || ' (' || lower(c.name) || ')',
               '20' || lpad(b.g::text, 11, '0'),
               b.category,
               1 + mod(b.g * 7, %(suppliers)s),
               b.price,
               round(b.price * 0.6, 2),
               b.reorder_point / 2,
               b.reorder_point,
               b.reorder_point * 4
        FROM base b
        JOIN categories c ON c.id = b.category
        JOIN seed_words w ON w.category = b.category AND w.noun = b.noun
        ORDER BY b.g
        """,
        {"n": products, "suppliers": n_suppliers},
    )


def _stock(conn, first_location: int, last_location: int, low_fraction: float) -> None:  # type: ignore[no-untyped-def]
    """Inventory rows for every product at locations [first, last], with their opening ledger rows.

    About `low_fraction` of rows are at or below the reorder point (a fifth of those empty);
    the rest sit between the reorder point and the max level; one row in ten has a reservation.
    """
    r = _rand("p.id || ':' || l.id")
    r2 = _rand("'q' || p.id || ':' || l.id")
    conn.execute(
        f"""
        WITH stock AS (
            SELECT p.id AS product_id, l.id AS location_id,
                   CASE WHEN {r} < %(low)s / 5.0 THEN 0
                        WHEN {r} < %(low)s THEN 1 + floor({r2} * p.reorder_point)::int
                        ELSE p.reorder_point + 1 + floor({r2} * (p.max_stock_level - p.reorder_point))::int
                   END AS quantity,
                   p.cost_price AS unit_cost,
                   {r} AS roll
            FROM products p CROSS JOIN locations l
            WHERE l.id BETWEEN %(first)s AND %(last)s
        ), rows AS (
            SELECT product_id, location_id, quantity, unit_cost,
                   CASE WHEN roll > 0.9 AND quantity > p_half THEN p_half / 4 ELSE 0 END AS reserved
            FROM (SELECT *, quantity / 2 AS p_half FROM stock) s
        ), inserted AS (
            INSERT INTO inventory (product_id, location_id, quantity, reserved_quantity, unit_cost)
            SELECT product_id, location_id, quantity, reserved, unit_cost FROM rows
            RETURNING product_id, location_id, quantity, reserved_quantity
        )
        INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, reserved_delta, reference, reason)
        SELECT product_id, location_id, 'adjust', quantity, 0, 'SEED', 'opening balance' FROM inserted WHERE quantity > 0
        UNION ALL
        SELECT product_id, location_id, 'reserve', 0, reserved_quantity, 'SEED', 'opening reservation'
        FROM inserted WHERE reserved_quantity > 0
        """,
        {"low": low_fraction, "first": first_location, "last": last_location},
    )


def _purchase_orders(conn) -> int:  # type: ignore[no-untyped-def]
    """Three POs in each state, each with three lines from its supplier's products."""
    statuses = ["draft", "submitted", "approved", "partially_received", "received", "cancelled"]
    supplier_ids = [row[0] for row in conn.execute("SELECT id FROM suppliers ORDER BY id")]
    count = 0
    for round_ in range(3):
        for s_index, status in enumerate(statuses):
            supplier = supplier_ids[(round_ * len(statuses) + s_index) % len(supplier_ids)]
            po_id = conn.execute(
                """
                INSERT INTO purchase_orders (supplier_id, status, notes, submitted_at, approved_at, received_at,
                                             cancelled_at)
                VALUES (%(s)s, %(st)s::text, 'demo order',
                        CASE WHEN %(st)s::text <> 'draft' THEN now() - interval '3 days' END,
                        CASE WHEN %(st)s::text IN ('approved', 'partially_received', 'received') THEN now() - interval '2 days' END,
                        CASE WHEN %(st)s::text = 'received' THEN now() - interval '1 day' END,
                        CASE WHEN %(st)s::text = 'cancelled' THEN now() - interval '1 day' END)
                RETURNING id
                """,
                {"s": supplier, "st": status},
            ).fetchone()[0]
            conn.execute(
                """
                INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered, quantity_received, unit_cost)
                SELECT %(po)s, p.id, p.max_stock_level,
                       CASE %(st)s::text WHEN 'received' THEN p.max_stock_level
                                   WHEN 'partially_received' THEN p.max_stock_level / 2 ELSE 0 END,
                       p.cost_price
                FROM products p WHERE p.supplier_id = %(s)s
                ORDER BY p.id OFFSET %(off)s LIMIT 3
                """,
                {"po": po_id, "st": status, "s": supplier, "off": round_ * 3},
            )
            conn.execute(
                "INSERT INTO purchase_order_events (purchase_order_id, from_status, to_status, note) "
                "VALUES (%s, NULL, %s, 'demo data')",
                (po_id, status),
            )
            count += 1
    return count
