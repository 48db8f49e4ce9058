-- invtui schema, version 12: each stock row keeps its average daily usage, so "lowest cover
-- first" is an index scan (issue 17).
--
-- `invtui stock cover`, the stock screen sorted by cover and the sweep's look for items running
-- out soon all want the rows with the fewest days of cover. Days of cover = available / usage, and
-- usage comes from the ledger's window (demand_usage): ordering by it meant computing every item's
-- usage (one pass over the window's issues, 0.8 s at 1M rows). Now every inventory row keeps its
-- usage as demand_daily_usage computes it (the one rule, unchanged) with the days it is good for:
--   avg_daily_usage  what inventory_demand says today (NULL: no figure)
--   usage_from       the day it was computed
--   usage_until      the last day it stays so with no new movement: the day before the window's
--                    oldest issue leaves the window, today while the item is younger than the
--                    window (its days grow), 9999-12-31 without a figure (fewer than 2 issues stay
--                    fewer as days pass); NULL: not known (never computed, or an issue is dated in
--                    the future)
-- Kept by the ledger trigger for the items a movement touches, and refreshed by every full sweep
-- for the rows whose days ran out (a few per day; all of them when [demand] window_days changed).
-- An index on days of cover reads the first page in order. The figures people see are still
-- inventory_demand's, read for the rows of the page; a row whose kept usage is not good today
-- (usage_from <= today <= usage_until fails) is judged from the ledger, so nothing is ever off.

ALTER TABLE inventory
    ADD COLUMN avg_daily_usage numeric,
    ADD COLUMN usage_from date,
    ADD COLUMN usage_until date;
-- The window the kept figures were computed for; NULL, or not window_days: none is good (a full
-- sweep computes them all again).
ALTER TABLE demand_settings ADD COLUMN usage_window integer;

-- The window's oldest issue too (appended): the kept figure is good until it leaves the window.
CREATE OR REPLACE VIEW demand_usage AS
SELECT m.product_id, m.location_id,
       count(*) FILTER (WHERE m.quantity_delta < 0) AS outbound,
       greatest(-sum(m.quantity_delta), 0) AS used,
       min(m.created_at) AS oldest
  FROM stock_movements m
 WHERE m.kind = 'issue' AND m.created_at >= demand_window_start() AND m.created_at <= demand_now()
 GROUP BY m.product_id, m.location_id;

-- The last day an item's usage stays what it is today if nothing new is booked (see above).
CREATE FUNCTION demand_usage_until(usage numeric, oldest timestamptz, first_at timestamptz, future boolean,
                                   window_days integer) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN future THEN NULL
                WHEN usage IS NULL THEN '9999-12-31'::date  -- for ever (a date Python can read)
                ELSE least(oldest::date + window_days - 1,
                           CASE WHEN demand_now()::date - first_at::date + 1 < window_days THEN demand_now()::date END)
           END
$$;

-- What each row's kept columns should say today: demand_daily_usage over demand_usage, as
-- inventory_demand computes it. One row: index lookups (the key is pushed into demand_usage); all
-- rows: one pass over the window's issues.
CREATE VIEW demand_kept_usage AS
SELECT i.id AS inventory_id, i.product_id, i.location_id, x.avg_daily_usage,
       demand_now()::date AS usage_from,
       demand_usage_until(x.avg_daily_usage, u.oldest, f.first_at, fut.product_id IS NOT NULL, ds.window_days)
           AS usage_until
  FROM inventory i
 CROSS JOIN demand_settings ds
  LEFT JOIN demand_usage u ON u.product_id = i.product_id AND u.location_id = i.location_id
  LEFT JOIN item_first_movements f ON f.product_id = i.product_id AND f.location_id = i.location_id
  LEFT JOIN (SELECT DISTINCT m.product_id, m.location_id FROM stock_movements m
              WHERE m.kind = 'issue' AND m.created_at > demand_now()) fut
         ON fut.product_id = i.product_id AND fut.location_id = i.location_id
 CROSS JOIN LATERAL (SELECT demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) AS avg_daily_usage) x;

-- Is a row's kept usage good today? (The index scans spell the same two comparisons out.)
CREATE FUNCTION demand_usage_kept(usage_from date, usage_until date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT usage_from <= demand_now()::date AND demand_now()::date <= usage_until
$$;

-- The first page of "lowest cover first", read in order; the rows whose kept usage is not good
-- today are found by their days.
CREATE INDEX idx_inventory_cover ON inventory ((round(available_quantity / avg_daily_usage, 1)), product_id, location_id)
    WHERE avg_daily_usage > 0;
CREATE INDEX idx_inventory_usage_until ON inventory (usage_until);
CREATE INDEX idx_inventory_usage_from ON inventory (usage_from);

-- Compute the kept usage of some items (NULL: all rows, one pass) and store what changed. A row
-- whose figure and days are unchanged keeps its usage_from (the figure has been good since then).
CREATE FUNCTION demand_keep_usage(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SET jit = off SET work_mem = '64MB'
    -- planned once per session (a custom plan for every call costs more than the call)
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_n integer;
BEGIN
    IF p_product_ids IS NULL THEN
        UPDATE inventory i
           SET avg_daily_usage = k.avg_daily_usage, usage_from = k.usage_from, usage_until = k.usage_until
          FROM demand_kept_usage k
         WHERE i.id = k.inventory_id
           AND (i.avg_daily_usage IS DISTINCT FROM k.avg_daily_usage OR i.usage_until IS DISTINCT FROM k.usage_until
                OR i.usage_from IS NULL OR i.usage_from > k.usage_from);
        GET DIAGNOSTICS v_n = ROW_COUNT;
        UPDATE demand_settings SET usage_window = window_days;
    ELSE
        UPDATE inventory i
           SET avg_daily_usage = k.avg_daily_usage, usage_from = k.usage_from, usage_until = k.usage_until
          FROM (SELECT k.* FROM unnest(p_product_ids, p_location_ids) AS x (product_id, location_id)
                 CROSS JOIN LATERAL (SELECT * FROM demand_kept_usage k
                                      WHERE k.product_id = x.product_id AND k.location_id = x.location_id OFFSET 0) k) k
         WHERE i.id = k.inventory_id
           AND (i.avg_daily_usage IS DISTINCT FROM k.avg_daily_usage OR i.usage_until IS DISTINCT FROM k.usage_until
                OR i.usage_from IS NULL OR i.usage_from > k.usage_from);
        GET DIAGNOSTICS v_n = ROW_COUNT;
    END IF;
    RETURN v_n;
END $$;

-- The full sweep's refresh: every row when the window changed (or was never kept), else the rows
-- whose kept usage is not good today (their days ran out, or not known). Returns how many changed.
CREATE FUNCTION demand_refresh_usage() RETURNS integer LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM demand_settings WHERE usage_window = window_days) THEN
        RETURN demand_keep_usage();
    END IF;
    SELECT array_agg(i.product_id ORDER BY i.id), array_agg(i.location_id ORDER BY i.id)
      INTO v_products, v_locations
      FROM inventory i
     WHERE i.usage_until IS NULL OR i.usage_until < demand_now()::date OR i.usage_from > demand_now()::date;
    IF v_products IS NULL THEN
        RETURN 0;
    END IF;
    RETURN demand_keep_usage(v_products, v_locations);
END $$;

-- The ledger keeps the usage of the items a movement touches: an issue changes it; any movement
-- dated at or before the item's first one changes its days (item_first_movements is kept by
-- stock_movements_first_movement, which runs first: triggers fire in name order).
CREATE FUNCTION demand_usage_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    SELECT array_agg(k.product_id ORDER BY k.product_id, k.location_id),
           array_agg(k.location_id ORDER BY k.product_id, k.location_id)
      INTO v_products, v_locations
      FROM (SELECT DISTINCT n.product_id, n.location_id
              FROM new_rows n
              LEFT JOIN item_first_movements f ON f.product_id = n.product_id AND f.location_id = n.location_id
             WHERE n.kind = 'issue' OR f.first_at IS NULL OR n.created_at <= f.first_at) k;
    IF v_products IS NOT NULL THEN
        PERFORM demand_keep_usage(v_products, v_locations);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stock_movements_usage
    AFTER INSERT ON stock_movements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION demand_usage_after_insert();

-- A stock row whose kept usage alone changed needs no judging: the alert engine reads the
-- ledger's figures (inventory_demand), and the movement that changed them was judged with the
-- stock change that came with it. As version 10's function otherwise.
CREATE OR REPLACE FUNCTION inventory_alerts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    SELECT array_agg(n.product_id), array_agg(n.location_id) INTO v_products, v_locations
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
      LEFT JOIN product_alert_thresholds pt ON pt.product_id = n.product_id
     WHERE NOT ((n.avg_daily_usage, n.usage_from, n.usage_until) IS DISTINCT FROM (o.avg_daily_usage, o.usage_from, o.usage_until)
                AND (n.product_id, n.location_id, n.quantity, n.reserved_quantity)
                    IS NOT DISTINCT FROM (o.product_id, o.location_id, o.quantity, o.reserved_quantity))
       AND (n.available_quantity <= pt.highest_threshold
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

-- The sweep's look for items running out soon, from the kept usage: the rows whose kept days of
-- cover are below the longest lead time (an index range scan) and whose available quantity is
-- below usage x (lead time + safety days), plus the rows whose kept usage is not good today, each
-- then judged by inventory_demand. Until a full sweep has kept every row's usage for the current
-- window, version 10's pass over the window's issues.
CREATE OR REPLACE FUNCTION stock_alert_demand_probe()
RETURNS TABLE (product_id bigint, location_id bigint, condition text, available_quantity integer, threshold integer)
LANGUAGE sql STABLE AS $$
    WITH kept AS MATERIALIZED (
        SELECT ds.usage_window IS NOT DISTINCT FROM ds.window_days AS kept, ds.safety_days
          FROM demand_settings ds
    ),
    short AS MATERIALIZED (  -- kept usage good today, fewer days of cover than the longest lead time
        SELECT i.product_id, i.location_id, i.available_quantity, i.avg_daily_usage
          FROM inventory i
         WHERE (SELECT k.kept FROM kept k) AND i.avg_daily_usage > 0 AND i.available_quantity > 0
           AND round(i.available_quantity / i.avg_daily_usage, 1)
               <= (SELECT max(lt.lead_time_days) FROM product_lead_times lt) + (SELECT k.safety_days FROM kept k)
           AND i.usage_from <= demand_now()::date AND i.usage_until >= demand_now()::date
    ),
    candidates AS (
        SELECT c.product_id, c.location_id
          FROM short c
          JOIN product_lead_times lt ON lt.product_id = c.product_id
         CROSS JOIN kept k
          -- LOW_SOON is for items not yet LOW
         CROSS JOIN LATERAL (SELECT s.condition FROM inventory_status s
                              WHERE s.product_id = c.product_id AND s.location_id = c.location_id OFFSET 0) s
         WHERE c.available_quantity < c.avg_daily_usage * (lt.lead_time_days + k.safety_days) AND s.condition = 'OK'
        UNION
        SELECT i.product_id, i.location_id
          FROM inventory i
         WHERE (SELECT k.kept FROM kept k)
           AND (i.usage_until IS NULL OR i.usage_until < demand_now()::date OR i.usage_from > demand_now()::date)
        UNION
        SELECT u.product_id, u.location_id
          FROM demand_usage u
          JOIN item_first_movements f ON f.product_id = u.product_id AND f.location_id = u.location_id
          JOIN inventory i ON i.product_id = u.product_id AND i.location_id = u.location_id
          JOIN product_lead_times lt ON lt.product_id = u.product_id
         CROSS JOIN demand_settings ds
         WHERE NOT (SELECT k.kept FROM kept k) AND u.outbound >= 2 AND i.available_quantity > 0
           AND i.available_quantity < demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days)
                                      * (lt.lead_time_days + ds.safety_days)
    )
    SELECT d.product_id, d.location_id, d.alert_condition, d.available_quantity, d.threshold
      FROM candidates c
     CROSS JOIN LATERAL (SELECT * FROM inventory_demand d
                          WHERE d.product_id = c.product_id AND d.location_id = c.location_id OFFSET 0) d
     WHERE d.alert_condition = 'LOW_SOON'
$$;

-- Every full sweep first refreshes the kept usage (demand_refresh_usage: nothing to do on most
-- sweeps, the rows whose days ran out after midnight, all rows after a window change), then
-- judges as version 10 did (its function, renamed).
ALTER FUNCTION evaluate_stock_alert_items(bigint[], bigint[]) RENAME TO evaluate_stock_alert_items_judged;
CREATE FUNCTION evaluate_stock_alert_items(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL)
RETURNS TABLE (created integer, escalated integer, downgraded integer, resolved integer, scanned integer)
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF p_product_ids IS NULL THEN
        PERFORM demand_refresh_usage();
    END IF;
    RETURN QUERY SELECT * FROM evaluate_stock_alert_items_judged(p_product_ids, p_location_ids);
END $$;

-- Keep every row's usage now (one pass over the window's issues).
SELECT demand_keep_usage();
