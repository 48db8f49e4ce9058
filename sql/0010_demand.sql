-- invtui schema, version 10: alerts that see the future (issue 17).
--
-- Demand figures per item and location (and per item over all locations), defined once, here,
-- beside inventory_status: average daily usage from the ledger, stock on order, projected stock,
-- days of cover and the predicted stock-out date. The alert engine reads them to raise a new kind,
-- LOW_SOON ("RUNS OUT SOON"), and every alert and alert event stores what it was judged on.
--
-- Why the code is LOW_SOON and not RUNS_OUT_SOON: the alert lists sort by alert_type DESC (OUT
-- before LOW, idx_stock_alerts_*list); 'LOW_SOON' sorts below 'LOW_STOCK', so the least severe
-- kind comes last without a new index. People read "RUNS OUT SOON".

-- Lead time: the supplier's (suppliers.lead_time_days, since version 1), or the product's own.
-- Pack size: reorder suggestions round up to it.
ALTER TABLE products
    ADD COLUMN lead_time_days integer CHECK (lead_time_days >= 0 AND lead_time_days <= 3650),
    ADD COLUMN pack_size      integer CHECK (pack_size > 0);
-- Where a PO delivers to; NULL: not said (its stock on order counts for every location of the item).
ALTER TABLE purchase_orders ADD COLUMN location_id bigint REFERENCES locations(id);
-- A reorder suggestion's figures, stored with the draft line it made (invtui/services/reorder.py).
ALTER TABLE purchase_order_lines ADD COLUMN suggested jsonb;

-- The [demand] settings, copied here from config.toml by every full sweep (invtui/services/demand.py):
-- the triggers judge changes made by any writer, psql included, so they must find them in the database.
CREATE TABLE demand_settings (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    window_days integer NOT NULL DEFAULT 28 CHECK (window_days BETWEEN 1 AND 365),
    safety_days integer NOT NULL DEFAULT 0 CHECK (safety_days BETWEEN 0 AND 365),
    review_days integer NOT NULL DEFAULT 7 CHECK (review_days BETWEEN 0 AND 365),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- when a full sweep last looked for items running out soon (stock_alert_items)
    judged_at   timestamptz
);
INSERT INTO demand_settings DEFAULT VALUES;

-- The new kind, and what each alert was judged on (see stock_alert_items below).
ALTER TABLE stock_alerts DROP CONSTRAINT stock_alerts_alert_type_check,
    ADD CONSTRAINT stock_alerts_alert_type_check CHECK (alert_type IN ('LOW_SOON', 'LOW_STOCK', 'OUT_OF_STOCK')),
    ADD COLUMN judged_on jsonb,
    -- stock on order covers the lead time: shown as covered, not as needing action (never for OUT)
    ADD COLUMN covered boolean NOT NULL DEFAULT false;
ALTER TABLE alert_disarmed DROP CONSTRAINT alert_disarmed_alert_type_check,
    ADD CONSTRAINT alert_disarmed_alert_type_check CHECK (alert_type IN ('LOW_SOON', 'LOW_STOCK', 'OUT_OF_STOCK'));
ALTER TABLE alert_events ADD COLUMN judged_on jsonb;

-- The clock of the demand figures: now(), unless the session sets invtui.now (tests that play
-- days forward; nobody else sets it).
CREATE FUNCTION demand_now() RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(current_setting('invtui.now', true), '')::timestamptz, now())
$$;

-- The usage window: the last window_days calendar days, today included. A function, not a scalar
-- subquery: the planner evaluates it to estimate how many issues the window holds, and plans the
-- full sweep's pass over the window by that (hash joins, not 100,000s of index lookups).
CREATE FUNCTION demand_window_start() RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (demand_now()::date - (SELECT window_days FROM demand_settings) + 1)::timestamptz
$$;

-- Each item's first movement (the ledger's oldest row for it), so a new item's usage is averaged
-- over the days it has existed, not diluted over the whole window. Kept by a trigger: the ledger
-- has 10M rows, and this is one key lookup instead of a probe per item.
CREATE TABLE item_first_movements (
    product_id  bigint NOT NULL,
    location_id bigint NOT NULL,
    first_at    timestamptz NOT NULL,
    PRIMARY KEY (product_id, location_id)
);
INSERT INTO item_first_movements (product_id, location_id, first_at)
SELECT product_id, location_id, min(created_at) FROM stock_movements GROUP BY product_id, location_id;

CREATE FUNCTION item_first_movements_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_first_movements AS f (product_id, location_id, first_at)
    SELECT n.product_id, n.location_id, min(n.created_at) FROM new_rows n
     GROUP BY n.product_id, n.location_id ORDER BY 1, 2
    ON CONFLICT (product_id, location_id) DO UPDATE SET first_at = excluded.first_at
     WHERE excluded.first_at < f.first_at;
    RETURN NULL;
END $$;
CREATE TRIGGER stock_movements_first_movement
    AFTER INSERT ON stock_movements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION item_first_movements_after_insert();

-- The ledger by item and time, issues only (usage counts nothing else): one item's window is one
-- index-only range scan; the whole window (full sweep, `stock cover`) is another, by time.
CREATE INDEX idx_stock_movements_issues_item ON stock_movements (product_id, location_id, created_at)
    INCLUDE (quantity_delta) WHERE kind = 'issue';
CREATE INDEX idx_stock_movements_issues_time ON stock_movements (created_at)
    INCLUDE (product_id, location_id, quantity_delta) WHERE kind = 'issue';
-- Outstanding PO lines of one product
CREATE INDEX idx_purchase_orders_open ON purchase_orders (id) INCLUDE (location_id)
    WHERE status IN ('submitted', 'approved', 'partially_received');

-- Outbound movements of the window per item: issues (negative deltas), net of returns booked as
-- issues (positive deltas). `outbound` counts the issues proper: fewer than 2, no usage figure.
CREATE VIEW demand_usage AS
SELECT m.product_id, m.location_id,
       count(*) FILTER (WHERE m.quantity_delta < 0) AS outbound,
       greatest(-sum(m.quantity_delta), 0) AS used
  FROM stock_movements m
 WHERE m.kind = 'issue' AND m.created_at >= demand_window_start() AND m.created_at <= demand_now()
 GROUP BY m.product_id, m.location_id;

-- THE usage rule: units used ÷ days of the window since the item's first movement (at least 1).
-- The window's length is an argument (demand_settings.window_days), not a sub-select, so the
-- planner inlines the expression: the full sweep evaluates it for every item with issues.
CREATE FUNCTION demand_daily_usage(outbound bigint, used bigint, first_at timestamptz, window_days integer)
RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN outbound >= 2 THEN round(used::numeric / greatest(1, least(
               window_days, demand_now()::date - first_at::date + 1)), 4) END
$$;

-- Lead time of every product: its own, else its supplier's; NULL without either.
CREATE VIEW product_lead_times AS
SELECT p.id AS product_id, coalesce(p.lead_time_days, s.lead_time_days) AS lead_time_days
  FROM products p LEFT JOIN suppliers s ON s.id = p.supplier_id;

-- Outstanding quantity on submitted, approved and partly received POs, per product and the
-- location the PO delivers to (NULL: the PO names none, it counts for every location of the
-- item), with the PO due first: its expected date, else order date + lead time.
CREATE VIEW demand_on_order AS
SELECT l.product_id, po.location_id,
       sum(l.quantity_ordered - l.quantity_received)::integer AS on_order,
       (array_agg(po.number ORDER BY x.due, po.id))[1] AS next_po,
       min(x.due) AS next_due
  FROM purchase_order_lines l
  JOIN purchase_orders po ON po.id = l.purchase_order_id
  JOIN product_lead_times lt ON lt.product_id = l.product_id
 CROSS JOIN LATERAL (SELECT coalesce(po.expected_date, (coalesce(po.approved_at, po.submitted_at, po.created_at)
                                                        + make_interval(days => coalesce(lt.lead_time_days, 0)))::date) AS due) x
 WHERE po.status IN ('submitted', 'approved', 'partially_received') AND l.quantity_ordered > l.quantity_received
 GROUP BY l.product_id, po.location_id;

-- THE condition an alert is judged by: the stock condition (stock_condition: OUT, LOW, OK), and
-- for an OK item LOW_SOON when its days of cover on the available quantity and on the projected
-- quantity are both below the lead time plus [demand] safety_days.
CREATE FUNCTION stock_alert_condition(stock text, available integer, projected integer, usage numeric,
                                      horizon integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN stock <> 'OK' THEN stock
                WHEN usage > 0 AND horizon IS NOT NULL AND available < usage * horizon
                     AND projected < usage * horizon THEN 'LOW_SOON'
                ELSE 'OK' END
$$;

-- How bad each kind is: an alert moving up escalates (ACTIVE again, notify), down is quiet; an item
-- disarmed at one kind alerts again only at a worse one.
CREATE FUNCTION stock_alert_severity(kind text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE kind WHEN 'OUT_OF_STOCK' THEN 3 WHEN 'LOW_STOCK' THEN 2 WHEN 'LOW_SOON' THEN 1 ELSE 0 END
$$;

-- inventory_status plus whether the open alert is shown as covered (appended: readers of the
-- version 2 columns are unchanged).
CREATE OR REPLACE VIEW inventory_status AS
SELECT i.id                   AS inventory_id,
       i.product_id,
       i.location_id,
       p.sku,
       p.name,
       l.code                 AS location_code,
       i.quantity,
       i.reserved_quantity,
       i.available_quantity,
       coalesce(rl.threshold_quantity, pt.threshold)                            AS threshold,
       CASE WHEN rl.id IS NOT NULL THEN 'location rule' ELSE pt.threshold_source END AS threshold_source,
       stock_condition(i.available_quantity, coalesce(rl.threshold_quantity, pt.threshold)) AS condition,
       a.id                   AS alert_id,
       a.alert_type,
       a.status               AS alert_status,
       a.current_quantity     AS alert_quantity,
       a.threshold_quantity   AS alert_threshold,
       d.alert_type           AS disarmed_at,
       a.covered              AS alert_covered
  FROM inventory i
  JOIN product_alert_thresholds pt ON pt.product_id = i.product_id
  JOIN products p ON p.id = i.product_id
  JOIN locations l ON l.id = i.location_id
  LEFT JOIN alert_rules rl ON rl.product_id = i.product_id AND rl.location_id = i.location_id AND rl.is_active
  LEFT JOIN stock_alerts a ON a.product_id = i.product_id AND a.location_id = i.location_id
                          AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
  LEFT JOIN alert_disarmed d ON d.product_id = i.product_id AND d.location_id = i.location_id;

-- THE demand figures per item and location: inventory_status plus usage, on order, projected,
-- days of cover (on available and on projected; NULL without usage), the predicted stock-out date,
-- the condition alerts are judged by and whether stock on order covers the lead time. The sweep,
-- the triggers, the screens and `invtui stock cover` read it. One item: index lookups (the
-- planner pushes the key into demand_usage); all items: one pass over the window's issues.
CREATE VIEW inventory_demand AS
SELECT x.*,
       stock_alert_condition(x.condition, x.available_quantity, x.projected, x.avg_daily_usage,
                             x.lead_time_days + x.safety_days) AS alert_condition,
       x.condition <> 'OUT_OF_STOCK' AND x.on_order > 0 AND CASE WHEN x.avg_daily_usage > 0
                               THEN x.projected >= x.avg_daily_usage * (x.lead_time_days + x.safety_days)
                               ELSE x.projected > x.threshold END AS covered
  FROM (SELECT y.*,
               y.available_quantity + y.on_order AS projected,
               round(y.available_quantity / nullif(y.avg_daily_usage, 0), 1) AS days_of_cover,
               round((y.available_quantity + y.on_order) / nullif(y.avg_daily_usage, 0), 1) AS projected_days_of_cover,
               demand_now()::date + floor(greatest(y.available_quantity, 0) / nullif(y.avg_daily_usage, 0))::integer
                   AS stockout_date
          FROM (SELECT s.*,
                       lt.lead_time_days,
                       ds.safety_days,
                       demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) AS avg_daily_usage,
                       coalesce(ol.on_order, 0) + coalesce(oa.on_order, 0) AS on_order,
                       CASE WHEN oa.next_due IS NULL OR ol.next_due <= oa.next_due THEN ol.next_po ELSE oa.next_po END
                           AS next_po,
                       least(ol.next_due, oa.next_due) AS next_due
                  FROM inventory_status s
                 CROSS JOIN demand_settings ds
                  LEFT JOIN product_lead_times lt ON lt.product_id = s.product_id
                  LEFT JOIN demand_usage u ON u.product_id = s.product_id AND u.location_id = s.location_id
                  LEFT JOIN item_first_movements f ON f.product_id = s.product_id AND f.location_id = s.location_id
                  LEFT JOIN demand_on_order ol ON ol.product_id = s.product_id AND ol.location_id = s.location_id
                  LEFT JOIN (SELECT o.product_id, o.on_order, o.next_po, o.next_due FROM demand_on_order o
                              WHERE o.location_id IS NULL) oa ON oa.product_id = s.product_id) y) x;

-- The same figures per item over all its locations.
CREATE VIEW product_demand AS
SELECT x.*,
       round(x.available_quantity / nullif(x.avg_daily_usage, 0), 1) AS days_of_cover,
       round(x.projected / nullif(x.avg_daily_usage, 0), 1) AS projected_days_of_cover,
       demand_now()::date + floor(greatest(x.available_quantity, 0) / nullif(x.avg_daily_usage, 0))::integer
           AS stockout_date
  FROM (SELECT p.id AS product_id, p.sku, p.name, i.available_quantity, lt.lead_time_days,
               demand_daily_usage(u.outbound, u.used, i.first_at, ds.window_days) AS avg_daily_usage,
               coalesce(o.on_order, 0) AS on_order,
               i.available_quantity + coalesce(o.on_order, 0) AS projected
          FROM products p
         CROSS JOIN demand_settings ds
          JOIN (SELECT i.product_id, sum(i.available_quantity)::integer AS available_quantity,
                       (SELECT min(f.first_at) FROM item_first_movements f WHERE f.product_id = i.product_id) AS first_at
                  FROM inventory i GROUP BY i.product_id) i ON i.product_id = p.id
          LEFT JOIN product_lead_times lt ON lt.product_id = p.id
          LEFT JOIN (SELECT u.product_id, sum(u.outbound)::bigint AS outbound, sum(u.used)::bigint AS used
                       FROM demand_usage u GROUP BY u.product_id) u ON u.product_id = p.id
          LEFT JOIN (SELECT o.product_id, sum(o.on_order)::integer AS on_order
                       FROM demand_on_order o GROUP BY o.product_id) o ON o.product_id = p.id
         WHERE p.is_active) x;

-- ---------------------------------------------------------------------------------------------
-- The alert engine, judging by alert_condition (versions 2 and 3, with LOW_SOON and the why).

-- What an alert or alert event was judged on, as stored and as `alerts show --json` returns it.
CREATE FUNCTION stock_alert_judged_on(available integer, threshold integer, threshold_source text,
                                      usage numeric, days_of_cover numeric, on_order integer, projected integer,
                                      lead_time_days integer, safety_days integer, next_po text, next_due date)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('available', available, 'threshold', threshold, 'threshold_source', threshold_source,
                              'avg_daily_usage', usage, 'days_of_cover', days_of_cover, 'on_order', on_order,
                              'projected', projected, 'lead_time_days', lead_time_days, 'safety_days', safety_days,
                              'next_po', next_po, 'next_due', next_due)
$$;

ALTER TYPE stock_alert_item ADD ATTRIBUTE covered boolean, ADD ATTRIBUTE alert_covered boolean,
    ADD ATTRIBUTE judged_on jsonb;

-- As in version 3, with severity: a disarmed item alerts again only at a worse kind; an open
-- alert also changes when whether stock on order covers it changes.
DROP FUNCTION stock_alert_has_work(text, integer, integer, bigint, varchar, integer, integer, varchar);
CREATE FUNCTION stock_alert_has_work(condition text, available_quantity integer, threshold integer,
                                     alert_id bigint, alert_type varchar, alert_quantity integer,
                                     alert_threshold integer, disarmed_at varchar, covered boolean,
                                     alert_covered boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT ((alert_id IS NOT NULL AND condition = alert_type
                 AND alert_quantity = available_quantity AND alert_threshold = threshold
                 AND coalesce(covered, false) = coalesce(alert_covered, false))
                OR (alert_id IS NULL AND condition = 'OK' AND disarmed_at IS NULL)
                OR (alert_id IS NULL AND condition <> 'OK' AND disarmed_at IS NOT NULL
                    AND stock_alert_severity(condition) <= stock_alert_severity(disarmed_at)))
$$;

-- Could this item run out within its lead time? A necessary condition for LOW_SOON, cheap enough
-- for the triggers to ask of every touched row that is above its threshold (one index range scan
-- over the item's issues of the window). plpgsql: its query is planned once per session (an SQL
-- function with a sub-select is never inlined, and would be planned again on every call).
CREATE FUNCTION stock_alert_may_run_short(p_product_id bigint, p_location_id bigint, p_available integer)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN p_available > 0 AND EXISTS (
        SELECT 1 FROM demand_usage u
          JOIN item_first_movements f ON f.product_id = u.product_id AND f.location_id = u.location_id
          JOIN product_lead_times lt ON lt.product_id = u.product_id
         CROSS JOIN demand_settings ds
         WHERE u.product_id = p_product_id AND u.location_id = p_location_id
           AND p_available < demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) * (lt.lead_time_days + ds.safety_days));
END $$;

-- The full sweep's LOW_SOON rows: over the window's issues (one pass by time), the items that
-- could run short, then each judged with its full figures; those judged LOW_SOON.
CREATE FUNCTION stock_alert_demand_probe()
RETURNS TABLE (product_id bigint, location_id bigint, condition text, available_quantity integer, threshold integer)
LANGUAGE sql STABLE AS $$
    SELECT d.product_id, d.location_id, d.alert_condition, d.available_quantity, d.threshold
      FROM demand_usage u
      JOIN item_first_movements f ON f.product_id = u.product_id AND f.location_id = u.location_id
      JOIN inventory i ON i.product_id = u.product_id AND i.location_id = u.location_id
      JOIN product_lead_times lt ON lt.product_id = u.product_id
     CROSS JOIN demand_settings ds
     CROSS JOIN LATERAL (SELECT * FROM inventory_demand d
                          WHERE d.product_id = u.product_id AND d.location_id = u.location_id OFFSET 0) d
     WHERE u.outbound >= 2 AND i.available_quantity > 0
       AND i.available_quantity < demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) * (lt.lead_time_days + ds.safety_days)
       AND d.alert_condition = 'LOW_SOON'
$$;

-- Version 3's function, judging by inventory_demand. A full sweep looks for items running out
-- soon (stock_alert_demand_probe: one pass over the window's issues, the costly part) when the last
-- look was 10 minutes ago or more (demand_settings.judged_at; usage moves by the day, and every
-- stock change and PO change is judged at once by the triggers anyway), and then says so in
-- `demand_judged`. In between, the fingerprints leave LOW_SOON alone, and the open LOW_SOON alerts
-- whose row's available quantity is no longer the one they say (changed behind the triggers'
-- back) are judged one by one, so a quiet refill or drop is still seen at once.
DROP FUNCTION stock_alert_items(bigint[], bigint[]);
CREATE FUNCTION stock_alert_items(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL,
                                  OUT items stock_alert_item[], OUT judged integer, OUT demand_judged boolean)
LANGUAGE plpgsql STABLE SET jit = off SET plan_cache_mode = force_generic_plan
    SET from_collapse_limit = 16 SET join_collapse_limit = 16
    SET enable_mergejoin = off SET enable_memoize = off
    -- the window's issues grouped by item (100,000 groups at 1M rows) hash in memory, not on disk
    SET work_mem = '64MB' AS $$
DECLARE
    v_few boolean;
    v_probed integer := NULL;
    v_steady boolean;
    v_demand boolean := false;
BEGIN
    IF p_product_ids IS NULL THEN
        SELECT ds.judged_at IS NULL OR ds.judged_at <= demand_now() - interval '10 minutes' OR ds.judged_at > demand_now()
          INTO v_demand FROM demand_settings ds;
        -- Full sweep, step 1 (version 3): do the fingerprints of rows and alerts agree? The rows
        -- that say something: the probe's rows that are not OK, and the demand probe's LOW_SOON
        -- rows (stock-OK, so never the same item twice).
        WITH rows_say AS (
            SELECT bit_xor(stock_alert_fingerprint(f.product_id, f.location_id, f.condition,
                                                   f.available_quantity, f.threshold))
                       FILTER (WHERE f.condition <> 'OK') AS fingerprint,
                   count(*) FILTER (WHERE f.condition <> 'OK') AS n,
                   count(*) AS probed
              FROM stock_alert_probe() f
        ),
        soon_say AS (
            SELECT bit_xor(stock_alert_fingerprint(f.product_id, f.location_id, f.condition,
                                                   f.available_quantity, f.threshold)) AS fingerprint,
                   count(*) AS n
              FROM stock_alert_demand_probe() f
             WHERE v_demand
        ),
        alerts_say AS (
            SELECT bit_xor(stock_alert_fingerprint(a.product_id, a.location_id, a.alert_type,
                                                   a.current_quantity, a.threshold_quantity)) AS fingerprint,
                   count(*) AS n
              FROM stock_alerts a
             WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED') AND (v_demand OR a.alert_type <> 'LOW_SOON')
        ),
        disarmed_say AS (
            SELECT bit_xor(stock_alert_fingerprint(s.product_id, s.location_id, s.alert_condition,
                                                   s.available_quantity, s.threshold))
                       FILTER (WHERE s.alert_condition <> 'OK' AND (v_demand OR s.alert_condition <> 'LOW_SOON'))
                       AS rows_fingerprint,
                   count(*) FILTER (WHERE s.alert_condition <> 'OK' AND (v_demand OR s.alert_condition <> 'LOW_SOON'))
                       AS rows_n,
                   bit_xor(stock_alert_fingerprint(s.product_id, s.location_id, s.alert_type,
                                                   s.alert_quantity, s.alert_threshold))
                       FILTER (WHERE s.alert_id IS NOT NULL AND (v_demand OR s.alert_type <> 'LOW_SOON'))
                       AS alerts_fingerprint,
                   count(*) FILTER (WHERE s.alert_id IS NOT NULL AND (v_demand OR s.alert_type <> 'LOW_SOON'))
                       AS alerts_n,
                   array_agg(s.product_id ORDER BY s.product_id, s.location_id) FILTER (WHERE s.has_work) AS product_ids,
                   array_agg(s.location_id ORDER BY s.product_id, s.location_id) FILTER (WHERE s.has_work) AS location_ids
              FROM alert_disarmed d
             CROSS JOIN LATERAL (SELECT s.*, stock_alert_has_work(s.alert_condition, s.available_quantity, s.threshold,
                                                                  s.alert_id, s.alert_type, s.alert_quantity,
                                                                  s.alert_threshold, s.disarmed_at, s.covered,
                                                                  s.alert_covered) AS has_work
                                   FROM inventory_demand s
                                  WHERE s.product_id = d.product_id AND s.location_id = d.location_id OFFSET 0) s
        )
        SELECT r.probed + s.n,
               r.n + s.n - d.rows_n = a.n - d.alerts_n
               AND coalesce(r.fingerprint, 0) # coalesce(s.fingerprint, 0) # coalesce(d.rows_fingerprint, 0)
                   = coalesce(a.fingerprint, 0) # coalesce(d.alerts_fingerprint, 0),
               coalesce(d.product_ids, '{}'), coalesce(d.location_ids, '{}')
          INTO v_probed, v_steady, p_product_ids, p_location_ids
          FROM rows_say r, soon_say s, alerts_say a, disarmed_say d;

        IF NOT v_steady THEN
            -- Step 2: key by key, rows that say something against open alerts.
            WITH said AS (
                SELECT f.product_id, f.location_id, f.condition, f.available_quantity, f.threshold
                  FROM stock_alert_probe() f WHERE f.condition <> 'OK'
                UNION ALL
                SELECT f.product_id, f.location_id, f.condition, f.available_quantity, f.threshold
                  FROM stock_alert_demand_probe() f
                 WHERE v_demand
            ),
            compared AS (
                SELECT coalesce(f.product_id, a.product_id) AS product_id,
                       coalesce(f.location_id, a.location_id) AS location_id
                  FROM said f
                  FULL JOIN (SELECT a.product_id, a.location_id, a.alert_type, a.current_quantity,
                                    a.threshold_quantity
                               FROM stock_alerts a WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED')
                                AND (v_demand OR a.alert_type <> 'LOW_SOON')) a
                         ON a.product_id = f.product_id AND a.location_id = f.location_id
                 WHERE a.product_id IS NULL OR f.product_id IS NULL
                    OR f.condition <> a.alert_type OR f.available_quantity <> a.current_quantity
                    OR f.threshold <> a.threshold_quantity
                UNION
                SELECT k.product_id, k.location_id FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
            )
            SELECT coalesce(array_agg(c.product_id ORDER BY c.product_id, c.location_id), '{}'),
                   coalesce(array_agg(c.location_id ORDER BY c.product_id, c.location_id), '{}')
              INTO p_product_ids, p_location_ids
              FROM compared c;
        END IF;
        IF NOT v_demand THEN
            SELECT coalesce(array_agg(c.product_id ORDER BY c.product_id, c.location_id), '{}'),
                   coalesce(array_agg(c.location_id ORDER BY c.product_id, c.location_id), '{}')
              INTO p_product_ids, p_location_ids
              FROM (SELECT k.product_id, k.location_id FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
                    UNION
                    SELECT a.product_id, a.location_id FROM stock_alerts a
                      JOIN inventory i ON i.product_id = a.product_id AND i.location_id = a.location_id
                     WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED') AND a.alert_type = 'LOW_SOON'
                       AND i.available_quantity <> a.current_quantity) c;
        END IF;
    END IF;
    demand_judged := v_demand;

    -- Step 3: judge each item exactly as inventory_demand sees it.
    v_few := cardinality(p_product_ids) <= 20000;
    WITH items AS (
        SELECT v.product_id, v.location_id, v.sku, v.name, v.location_code, v.available_quantity, v.threshold,
               v.alert_condition, v.alert_id, v.alert_type, v.alert_quantity, v.alert_threshold, v.disarmed_at,
               v.covered, v.alert_covered,
               stock_alert_judged_on(v.available_quantity, v.threshold, v.threshold_source, v.avg_daily_usage,
                                     v.days_of_cover, v.on_order, v.projected, v.lead_time_days, v.safety_days,
                                     v.next_po, v.next_due)
          FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
         CROSS JOIN LATERAL (SELECT * FROM inventory_demand s
                              WHERE s.product_id = k.product_id AND s.location_id = k.location_id OFFSET 0) v
         WHERE v_few
        UNION ALL
        SELECT v.product_id, v.location_id, v.sku, v.name, v.location_code, v.available_quantity, v.threshold,
               v.alert_condition, v.alert_id, v.alert_type, v.alert_quantity, v.alert_threshold, v.disarmed_at,
               v.covered, v.alert_covered,
               stock_alert_judged_on(v.available_quantity, v.threshold, v.threshold_source, v.avg_daily_usage,
                                     v.days_of_cover, v.on_order, v.projected, v.lead_time_days, v.safety_days,
                                     v.next_po, v.next_due)
          FROM stock_alert_many_keys(p_product_ids, p_location_ids) AS k
          JOIN inventory_demand v ON v.product_id = k.product_id AND v.location_id = k.location_id
         WHERE NOT v_few
        UNION ALL
        SELECT a.product_id, a.location_id, p.sku, p.name, l.code, a.current_quantity, a.threshold_quantity,
               'INACTIVE', a.id, a.alert_type, a.current_quantity, a.threshold_quantity, NULL, false, a.covered,
               a.judged_on
          FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
          JOIN products p ON p.id = k.product_id AND NOT p.is_active
          JOIN locations l ON l.id = k.location_id
          JOIN stock_alerts a ON a.product_id = k.product_id AND a.location_id = k.location_id
                             AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
    )
    SELECT coalesce(array_agg(ROW(i.*)::stock_alert_item) FILTER (
               WHERE stock_alert_has_work(i.alert_condition, i.available_quantity, i.threshold, i.alert_id, i.alert_type,
                                          i.alert_quantity, i.alert_threshold, i.disarmed_at, i.covered,
                                          i.alert_covered)), '{}'),
           count(*)
      INTO items, judged
      FROM items i;
    judged := coalesce(v_probed, judged);
END $$;

-- The message an alert carries: version 2's for LOW and OUT; the cover for LOW_SOON.
CREATE FUNCTION stock_alert_message(name text, sku text, location_code text, kind text, available integer,
                                    threshold integer, judged_on jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN kind = 'LOW_SOON'
                THEN format('%s (%s) at %s: %s available, %s/day, %s days of cover, lead time %s days',
                            name, sku, location_code, available, judged_on->>'avg_daily_usage',
                            judged_on->>'days_of_cover', judged_on->>'lead_time_days')
                ELSE format('%s (%s) at %s: %s available, threshold %s', name, sku, location_code, available, threshold)
           END
$$;

-- Version 2's transitions with three kinds ordered by stock_alert_severity (LOW_SOON < LOW_STOCK
-- < OUT_OF_STOCK): worse escalates (ACTIVE again, notify), better is a quiet downgrade. Alerts
-- store what they were judged on (judged_on) and whether stock on order covers them (covered);
-- every event stores the judged_on of its transition.
CREATE OR REPLACE FUNCTION evaluate_stock_alert_items(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL)
RETURNS TABLE (created integer, escalated integer, downgraded integer, resolved integer, scanned integer)
LANGUAGE plpgsql SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_items stock_alert_item[];
    v_events jsonb;
    v_total integer;
    v_demand boolean;
BEGIN
    created := 0; escalated := 0; downgraded := 0; resolved := 0; scanned := 0;
    IF p_product_ids IS NOT NULL AND cardinality(p_product_ids) = 0 THEN
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT j.items, j.judged, j.demand_judged INTO v_items, scanned, v_demand
      FROM stock_alert_items(p_product_ids, p_location_ids) j;
    IF v_demand THEN
        UPDATE demand_settings SET judged_at = demand_now();
    END IF;
    IF cardinality(v_items) = 0 THEN
        RETURN NEXT;
        RETURN;
    END IF;

    WITH c AS MATERIALIZED (
        SELECT * FROM unnest(v_items)
    ),
    new_alerts AS (
        INSERT INTO stock_alerts (product_id, location_id, alert_type, status, current_quantity,
                                  threshold_quantity, message, judged_on, covered)
        SELECT c.product_id, c.location_id, c.condition, 'ACTIVE', c.available_quantity, c.threshold,
               stock_alert_message(c.name, c.sku, c.location_code, c.condition, c.available_quantity, c.threshold,
                                   c.judged_on),
               c.judged_on, coalesce(c.covered, false)
          FROM c
         WHERE c.condition IN ('LOW_SOON', 'LOW_STOCK', 'OUT_OF_STOCK') AND c.alert_id IS NULL
           AND (c.disarmed_at IS NULL OR stock_alert_severity(c.condition) > stock_alert_severity(c.disarmed_at))
         ORDER BY c.product_id, c.location_id
        ON CONFLICT (product_id, location_id) WHERE status IN ('ACTIVE', 'ACKNOWLEDGED') DO NOTHING
        RETURNING id, product_id, location_id, alert_type, status, current_quantity, threshold_quantity, judged_on
    ),
    targets AS (
        SELECT c.alert_id AS id, c.condition, c.available_quantity, c.threshold, c.sku, c.name, c.location_code,
               c.judged_on, c.covered
          FROM c
         WHERE c.alert_id IS NOT NULL
           AND (c.condition IN ('OK', 'INACTIVE') OR c.condition <> c.alert_type
                OR c.alert_quantity <> c.available_quantity OR c.alert_threshold <> c.threshold
                OR coalesce(c.covered, false) <> coalesce(c.alert_covered, false))
    ),
    locked AS (
        SELECT a.id, a.status, a.alert_type FROM stock_alerts a
         WHERE a.id IN (SELECT id FROM targets)
         ORDER BY a.id
           FOR UPDATE
    ),
    changed AS (
        UPDATE stock_alerts a
           SET alert_type = CASE WHEN t.condition IN ('OK', 'INACTIVE') THEN a.alert_type ELSE t.condition END,
               status = CASE WHEN t.condition IN ('OK', 'INACTIVE') THEN 'RESOLVED'
                             WHEN stock_alert_severity(t.condition) > stock_alert_severity(a.alert_type) THEN 'ACTIVE'
                             ELSE a.status END,
               resolution = CASE WHEN t.condition IN ('OK', 'INACTIVE') THEN 'auto' END,
               resolved_at = CASE WHEN t.condition IN ('OK', 'INACTIVE') THEN now() END,
               current_quantity = t.available_quantity,
               threshold_quantity = t.threshold,
               message = stock_alert_message(t.name, t.sku, t.location_code,
                                             CASE WHEN t.condition IN ('OK', 'INACTIVE') THEN a.alert_type
                                                  ELSE t.condition END,
                                             t.available_quantity, t.threshold, t.judged_on),
               judged_on = t.judged_on,
               covered = coalesce(t.covered, false),
               updated_at = now()
          FROM targets t JOIN locked l ON l.id = t.id
         WHERE a.id = t.id AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')  -- compare-and-set
        RETURNING a.id, a.product_id, a.location_id, a.alert_type, a.status, a.current_quantity,
                  a.threshold_quantity, l.status AS from_status,
                  CASE WHEN a.status = 'RESOLVED' THEN 'resolved'
                       WHEN stock_alert_severity(a.alert_type) > stock_alert_severity(l.alert_type) THEN 'escalated'
                       WHEN a.alert_type <> l.alert_type THEN 'downgraded'
                       ELSE 'refreshed' END AS event,
                  CASE WHEN t.condition = 'INACTIVE' THEN 'product inactive' ELSE '' END AS note,
                  t.sku, t.name, t.location_code, a.judged_on
    ),
    rearmed AS (
        DELETE FROM alert_disarmed d USING c
         WHERE d.product_id = c.product_id AND d.location_id = c.location_id
           AND c.condition = 'OK' AND c.disarmed_at IS NOT NULL
    ),
    transitions AS MATERIALIZED (
        SELECT n.id, n.product_id, n.location_id, n.alert_type, n.status, n.current_quantity,
               n.threshold_quantity, NULL::varchar AS from_status, 'created' AS event, '' AS note,
               c.sku, c.name, c.location_code, n.judged_on
          FROM new_alerts n JOIN c ON c.product_id = n.product_id AND c.location_id = n.location_id
        UNION ALL
        SELECT id, product_id, location_id, alert_type, status, current_quantity, threshold_quantity,
               from_status, event, note, sku, name, location_code, judged_on
          FROM changed WHERE event <> 'refreshed'
    ),
    logged AS (
        INSERT INTO alert_events (alert_id, event, from_status, to_status, alert_type, quantity, note, judged_on)
        SELECT id, event, from_status, status, alert_type, current_quantity, note, judged_on FROM transitions
    ),
    noted AS (
        INSERT INTO notifications (kind, severity, title, body, link_kind, link_id)
        SELECT 'alert.' || t.event,
               CASE WHEN t.event = 'resolved' THEN 'success' ELSE 'warning' END,
               left(CASE WHEN t.note <> '' THEN format('Alert closed: %s at %s (%s)', t.name, t.location_code, t.note)
                         WHEN t.event = 'resolved' THEN format('Back in stock: %s at %s, %s available',
                                                               t.name, t.location_code, t.current_quantity)
                         WHEN t.alert_type = 'OUT_OF_STOCK' THEN format('OUT OF STOCK: %s at %s, %s left',
                                                                        t.name, t.location_code, t.current_quantity)
                         WHEN t.alert_type = 'LOW_SOON' THEN format('RUNS OUT SOON: %s at %s, %s left (%s days of cover, lead time %s days)',
                                                                    t.name, t.location_code, t.current_quantity,
                                                                    t.judged_on->>'days_of_cover',
                                                                    t.judged_on->>'lead_time_days')
                         ELSE format('LOW STOCK: %s at %s, %s left (threshold %s)',
                                     t.name, t.location_code, t.current_quantity, t.threshold_quantity) END, 200),
               stock_alert_message(t.name, t.sku, t.location_code, t.alert_type, t.current_quantity,
                                   t.threshold_quantity, t.judged_on),
               'alert', t.id
          FROM transitions t
         WHERE t.event <> 'downgraded' AND (SELECT count(*) FROM transitions) <= 50
        UNION ALL
        SELECT 'alerts.bulk',
               CASE WHEN count(*) FILTER (WHERE event IN ('created', 'escalated')) > 0 THEN 'warning' ELSE 'success' END,
               format('Stock alerts: %s new, %s escalated, %s resolved',
                      count(*) FILTER (WHERE event = 'created'), count(*) FILTER (WHERE event = 'escalated'),
                      count(*) FILTER (WHERE event = 'resolved')),
               format('%s stock alert transitions at once (%s quietly downgraded)',
                      count(*), count(*) FILTER (WHERE event = 'downgraded')),
               NULL, NULL
          FROM transitions
        HAVING count(*) > 50
    )
    SELECT count(*) FILTER (WHERE t.event = 'created'),
           count(*) FILTER (WHERE t.event = 'escalated'),
           count(*) FILTER (WHERE t.event = 'downgraded'),
           count(*) FILTER (WHERE t.event = 'resolved'),
           count(*),
           scanned,
           (SELECT jsonb_agg(jsonb_build_object(
                       'kind', 'alert.' || x.event, 'at', now(), 'id', x.id, 'product_id', x.product_id,
                       'location_id', x.location_id, 'sku', x.sku, 'name', left(x.name, 200),
                       'location', x.location_code, 'alert_type', x.alert_type, 'status', x.status,
                       'from_status', x.from_status, 'current_quantity', x.current_quantity,
                       'threshold_quantity', x.threshold_quantity, 'user_id', NULL))
              FROM (SELECT * FROM transitions WHERE event <> 'downgraded' LIMIT 51) x)
      INTO created, escalated, downgraded, resolved, v_total, scanned, v_events
      FROM transitions t;

    IF v_total BETWEEN 1 AND 50 THEN
        PERFORM pg_notify('invtui_events', e::text) FROM jsonb_array_elements(v_events) AS e;
    ELSIF v_total > 50 THEN
        PERFORM pg_notify('invtui_events', jsonb_build_object(
            'kind', 'alerts.bulk', 'at', now(), 'created', created, 'escalated', escalated,
            'downgraded', downgraded, 'resolved', resolved, 'scanned', scanned, 'user_id', NULL)::text);
    END IF;
    RETURN NEXT;
END $$;

-- The trigger on inventory updates also judges rows above their threshold that could run out
-- within their lead time (stock_alert_may_run_short: one index range scan, asked last), and only
-- when their available quantity fell: more stock never makes an item run out sooner (an item with
-- an open alert or disarmed is judged anyway). Hence OLD TABLE now, joined by id (a hash join for a
-- bulk UPDATE).
CREATE OR REPLACE FUNCTION inventory_alerts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    SELECT array_agg(n.product_id), array_agg(n.location_id) INTO v_products, v_locations
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
      LEFT JOIN product_alert_thresholds pt ON pt.product_id = n.product_id
     WHERE (n.available_quantity <= pt.highest_threshold
            OR EXISTS (SELECT 1 FROM stock_alerts a
                        WHERE a.product_id = n.product_id AND a.location_id = n.location_id
                          AND a.status IN ('ACTIVE', 'ACKNOWLEDGED'))
            OR EXISTS (SELECT 1 FROM alert_disarmed d
                        WHERE d.product_id = n.product_id AND d.location_id = n.location_id)
            OR (pt.product_id IS NOT NULL AND n.available_quantity < o.available_quantity
                AND stock_alert_may_run_short(n.product_id, n.location_id, n.available_quantity)));
    IF v_products IS NOT NULL THEN
        PERFORM evaluate_stock_alert_items(v_products, v_locations);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER inventory_alerts_on_update ON inventory;
CREATE TRIGGER inventory_alerts_on_update
    AFTER UPDATE ON inventory REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_alerts_after_update();

-- A product's thresholds, lead time, supplier or active flag changed: re-evaluate its rows.
CREATE OR REPLACE FUNCTION products_alerts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_ids bigint[];
BEGIN
    SELECT array_agg(i.id) INTO v_ids
      FROM inventory i
     WHERE i.product_id IN (
           SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.is_active IS DISTINCT FROM o.is_active
               OR n.reorder_point IS DISTINCT FROM o.reorder_point
               OR n.min_stock_level IS DISTINCT FROM o.min_stock_level
               OR n.lead_time_days IS DISTINCT FROM o.lead_time_days
               OR n.supplier_id IS DISTINCT FROM o.supplier_id);
    IF v_ids IS NOT NULL THEN
        PERFORM evaluate_stock_alerts(v_ids);
    END IF;
    RETURN NULL;
END $$;

-- Stock on order changed (a PO submitted, approved, received, cancelled, re-addressed, or a line
-- of a counted PO changed): re-evaluate every row of the products concerned, so a PO that covers
-- an item resolves its LOW_SOON alert (and marks its LOW alert covered) at once.
CREATE FUNCTION demand_reevaluate_products(p_product_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_ids bigint[];
BEGIN
    SELECT array_agg(i.id) INTO v_ids FROM inventory i WHERE i.product_id = ANY (p_product_ids);
    IF v_ids IS NOT NULL THEN
        PERFORM evaluate_stock_alerts(v_ids);
    END IF;
END $$;

CREATE FUNCTION purchase_orders_alerts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_products bigint[];
BEGIN
    SELECT array_agg(DISTINCT l.product_id) INTO v_products
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      JOIN purchase_order_lines l ON l.purchase_order_id = n.id
     WHERE (n.status IS DISTINCT FROM o.status OR n.location_id IS DISTINCT FROM o.location_id
            OR n.expected_date IS DISTINCT FROM o.expected_date)
       AND (n.status IN ('submitted', 'approved', 'partially_received')
            OR o.status IN ('submitted', 'approved', 'partially_received'));
    IF v_products IS NOT NULL THEN
        PERFORM demand_reevaluate_products(v_products);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER purchase_orders_alerts_on_update
    AFTER UPDATE ON purchase_orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION purchase_orders_alerts_after_update();

CREATE FUNCTION purchase_order_lines_alerts_after_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_products bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT r.product_id) INTO v_products FROM new_rows r
          JOIN purchase_orders po ON po.id = r.purchase_order_id
         WHERE po.status IN ('submitted', 'approved', 'partially_received');
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT x.product_id) INTO v_products
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         CROSS JOIN LATERAL (VALUES (n.product_id), (o.product_id)) x (product_id)
          JOIN purchase_orders po ON po.id = n.purchase_order_id
         WHERE (n.quantity_ordered IS DISTINCT FROM o.quantity_ordered
                OR n.quantity_received IS DISTINCT FROM o.quantity_received
                OR n.product_id IS DISTINCT FROM o.product_id)
           AND po.status IN ('submitted', 'approved', 'partially_received', 'received');
    ELSE
        SELECT array_agg(DISTINCT r.product_id) INTO v_products FROM old_rows r
          JOIN purchase_orders po ON po.id = r.purchase_order_id
         WHERE po.status IN ('submitted', 'approved', 'partially_received');
    END IF;
    IF v_products IS NOT NULL THEN
        PERFORM demand_reevaluate_products(v_products);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER purchase_order_lines_alerts_on_insert
    AFTER INSERT ON purchase_order_lines REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION purchase_order_lines_alerts_after_change();
CREATE TRIGGER purchase_order_lines_alerts_on_update
    AFTER UPDATE ON purchase_order_lines REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION purchase_order_lines_alerts_after_change();
CREATE TRIGGER purchase_order_lines_alerts_on_delete
    AFTER DELETE ON purchase_order_lines REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION purchase_order_lines_alerts_after_change();
