-- invtui schema, version 14: the kept usage of the rows whose days ran out is refreshed over the
-- day's sweeps in capped batches, not all at once in the first sweep after midnight (issue 17).
--
-- Version 12 made every full sweep compute again each row whose kept usage (avg_daily_usage, good
-- from usage_from to usage_until) ran out of days: on a new day that is every row whose window's
-- oldest issue just left the window, 72,127 of 1,000,000 rows in the benchmark, 10.1 s for the
-- first sweep of the day. Now each sweep computes at most demand_settings.usage_refresh_rows of
-- them (default 5,000) and stops once it has spent usage_refresh_ms on it (default 300 ms), the
-- longest-expired first, and the sweeps after it do the rest.
--
-- What is shown and judged is still inventory_demand's figure for today (the ledger); the kept
-- columns only say which rows to look at. A row not yet refreshed is found without judging every
-- such row, because until its next movement its usage can only fall: as days pass, issues leave
-- the window and an item's days grow, and anything booked for the item keeps it again (the ledger
-- trigger). The one exception is a return booked as an issue (a positive delta): when it leaves
-- the window the net usage rises. So each row now also keeps
--   usage_bound   the usage of its window's issues without their returns (demand_daily_usage of
--                 the quantity issued): usage_bound >= avg_daily_usage on every later day until
--                 the next movement (= avg_daily_usage when there was no return). NULL: no figure,
--                 or kept before version 14 (such a row, once run out of days, is judged from the
--                 ledger as before).
-- so a row whose days ran out has at least available / usage_bound days of cover today (an index
-- on its days and that least cover finds them). The sweep's look for items running out soon takes
-- such a row only when available < usage_bound x (lead time + safety days) (a necessary condition
-- of RUNS OUT SOON); `stock cover` and the stock screen in cover order take it only when that least
-- cover is within the page. Rows kept before this version have no bound: once run out of days they
-- are judged from the ledger as before, and the sweeps give them their bound with rows to spare.

ALTER TABLE inventory ADD COLUMN usage_bound numeric;
ALTER TABLE demand_settings
    ADD COLUMN usage_refresh_rows integer NOT NULL DEFAULT 5000
        CHECK (usage_refresh_rows BETWEEN 1 AND 1000000),
    ADD COLUMN usage_refresh_ms integer NOT NULL DEFAULT 300
        CHECK (usage_refresh_ms BETWEEN 1 AND 60000);
COMMENT ON COLUMN demand_settings.usage_refresh_rows IS
'At most this many stock rows whose kept usage ran out of days are computed again by one full sweep '
'(the longest-expired first); the next sweeps do the rest. A change of window_days still computes every row.';
COMMENT ON COLUMN demand_settings.usage_refresh_ms IS
'A full sweep stops computing kept usage again (between batches of 250 rows) once it has spent this long on it.';
COMMENT ON COLUMN inventory.usage_bound IS
'The kept usage without returns: no less than inventory_demand''s usage on any day until the row''s next '
'movement, so a row whose kept usage ran out of days has at least available / usage_bound days of cover.';

-- The rows whose kept usage ran out of days are found by their days and their least cover today
-- (NULL: no bound), read in the index: the sweep's look and the cover order take only those whose
-- least cover is short enough.
DROP INDEX idx_inventory_usage_until;
CREATE INDEX idx_inventory_usage_until
    ON inventory (usage_until, (round(available_quantity / nullif(usage_bound, 0), 1)));

-- The rows kept before this version, until the sweeps have given each its bound.
CREATE INDEX idx_inventory_usage_unbounded ON inventory (usage_until)
    WHERE usage_bound IS NULL AND avg_daily_usage IS NOT NULL;

-- The quantity issued, returns not netted (appended).
CREATE OR REPLACE VIEW demand_usage AS
SELECT m.product_id, m.location_id,
       count(*) FILTER (WHERE m.quantity_delta < 0) AS outbound,
       greatest(-sum(m.quantity_delta), 0) AS used,
       min(m.created_at) AS oldest,
       coalesce(-sum(m.quantity_delta) FILTER (WHERE m.quantity_delta < 0), 0) AS issued
  FROM stock_movements m
 WHERE m.kind = 'issue' AND m.created_at >= demand_window_start() AND m.created_at <= demand_now()
 GROUP BY m.product_id, m.location_id;

-- The bound too (appended).
CREATE OR REPLACE VIEW demand_kept_usage AS
SELECT i.id AS inventory_id, i.product_id, i.location_id, x.avg_daily_usage,
       demand_now()::date AS usage_from,
       demand_usage_until(x.avg_daily_usage, u.oldest, f.first_at, fut.product_id IS NOT NULL, ds.window_days)
           AS usage_until,
       greatest(x.avg_daily_usage, demand_daily_usage(u.outbound, u.issued, f.first_at, ds.window_days)) AS usage_bound
  FROM inventory i
 CROSS JOIN demand_settings ds
  LEFT JOIN demand_usage u ON u.product_id = i.product_id AND u.location_id = i.location_id
  LEFT JOIN item_first_movements f ON f.product_id = i.product_id AND f.location_id = i.location_id
  LEFT JOIN (SELECT DISTINCT m.product_id, m.location_id FROM stock_movements m
              WHERE m.kind = 'issue' AND m.created_at > demand_now()) fut
         ON fut.product_id = i.product_id AND fut.location_id = i.location_id
 CROSS JOIN LATERAL (SELECT demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) AS avg_daily_usage) x;

-- As version 12's, storing the bound too.
CREATE OR REPLACE FUNCTION demand_keep_usage(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SET jit = off SET work_mem = '64MB'
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_n integer;
BEGIN
    IF p_product_ids IS NULL THEN
        UPDATE inventory i
           SET avg_daily_usage = k.avg_daily_usage, usage_from = k.usage_from, usage_until = k.usage_until,
               usage_bound = k.usage_bound
          FROM demand_kept_usage k
         WHERE i.id = k.inventory_id
           AND (i.avg_daily_usage IS DISTINCT FROM k.avg_daily_usage OR i.usage_until IS DISTINCT FROM k.usage_until
                OR i.usage_bound IS DISTINCT FROM k.usage_bound
                OR i.usage_from IS NULL OR i.usage_from > k.usage_from);
        GET DIAGNOSTICS v_n = ROW_COUNT;
        UPDATE demand_settings SET usage_window = window_days;
    ELSE
        UPDATE inventory i
           SET avg_daily_usage = k.avg_daily_usage, usage_from = k.usage_from, usage_until = k.usage_until,
               usage_bound = k.usage_bound
          FROM (SELECT k.* FROM unnest(p_product_ids, p_location_ids) AS x (product_id, location_id)
                 CROSS JOIN LATERAL (SELECT * FROM demand_kept_usage k
                                      WHERE k.product_id = x.product_id AND k.location_id = x.location_id OFFSET 0) k) k
         WHERE i.id = k.inventory_id
           AND (i.avg_daily_usage IS DISTINCT FROM k.avg_daily_usage OR i.usage_until IS DISTINCT FROM k.usage_until
                OR i.usage_bound IS DISTINCT FROM k.usage_bound
                OR i.usage_from IS NULL OR i.usage_from > k.usage_from);
        GET DIAGNOSTICS v_n = ROW_COUNT;
    END IF;
    RETURN v_n;
END $$;

-- The full sweep's refresh: every row when the window changed (or was never kept), else at most
-- usage_refresh_rows of the rows whose kept usage is not good today: never computed (or an issue
-- dated in the future) first, then kept on a later day than today (the clock went back), then
-- those whose days ran out, the longest-expired first; with rows to spare, the rows kept before
-- version 14 (no bound yet: once run out of days they would be judged from the ledger), the
-- soonest to run out first. Computed in batches of 250 in id order (rows are locked in id order,
-- as before) until usage_refresh_ms have been spent: how many rows a sweep can afford depends on
-- the machine and its load (0.15-0.7 ms a row at 1,000,000 rows here).
CREATE OR REPLACE FUNCTION demand_refresh_usage() RETURNS integer LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_cap integer;
    v_budget interval;
    v_started timestamptz := clock_timestamp();
    v_products bigint[];
    v_locations bigint[];
    v_n integer := 0;
    v_from integer := 1;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM demand_settings WHERE usage_window = window_days) THEN
        RETURN demand_keep_usage();
    END IF;
    SELECT ds.usage_refresh_rows, make_interval(secs => ds.usage_refresh_ms / 1000.0) INTO v_cap, v_budget
      FROM demand_settings ds;
    SELECT array_agg(d.product_id ORDER BY d.id), array_agg(d.location_id ORDER BY d.id)
      INTO v_products, v_locations
      FROM (SELECT DISTINCT ON (x.id) x.id, x.product_id, x.location_id
              FROM (SELECT y.* FROM ((SELECT i.id, i.product_id, i.location_id, 0 AS part, NULL::date AS until
                                        FROM inventory i WHERE i.usage_until IS NULL LIMIT v_cap)
                                     UNION ALL
                                     (SELECT i.id, i.product_id, i.location_id, 1, NULL
                                        FROM inventory i WHERE i.usage_from > demand_now()::date LIMIT v_cap)
                                     UNION ALL
                                     (SELECT i.id, i.product_id, i.location_id, 2, i.usage_until
                                        FROM inventory i WHERE i.usage_until < demand_now()::date
                                       ORDER BY i.usage_until LIMIT v_cap)
                                     UNION ALL
                                     (SELECT i.id, i.product_id, i.location_id, 3, i.usage_until
                                        FROM inventory i WHERE i.usage_bound IS NULL AND i.avg_daily_usage IS NOT NULL
                                       ORDER BY i.usage_until LIMIT v_cap)) y
                     ORDER BY y.part, y.until LIMIT v_cap) x
             ORDER BY x.id) d;
    -- the first batch whatever the time: every sweep moves on
    WHILE v_from <= coalesce(cardinality(v_products), 0) AND (v_from = 1 OR clock_timestamp() - v_started < v_budget) LOOP
        v_n := v_n + demand_keep_usage(v_products[v_from:v_from + 249], v_locations[v_from:v_from + 249]);
        v_from := v_from + 250;
    END LOOP;
    RETURN v_n;
END $$;

-- The sweep's look for items running out soon (version 12's), with the rows whose kept usage ran
-- out of days taken by their bound instead of all of them: usage today <= usage_bound, so RUNS OUT
-- SOON needs available < usage_bound x (lead time + safety days). Such rows are found by their
-- days and least cover (idx_inventory_usage_until); each candidate is then judged by
-- inventory_demand as before. The rows not known (never kept, an issue dated in the future, kept on
-- a later day than today, or run out of days with no bound) are all candidates, as before. The rows
-- already LOW are left out by one join with the products' thresholds instead of reading
-- inventory_status row by row (0.6 s of a 1 s look at 1,000,000 rows).
CREATE OR REPLACE FUNCTION stock_alert_demand_probe()
RETURNS TABLE (product_id bigint, location_id bigint, condition text, available_quantity integer, threshold integer)
LANGUAGE sql STABLE AS $$
    WITH kept AS MATERIALIZED (
        SELECT ds.usage_window IS NOT DISTINCT FROM ds.window_days AS kept, ds.safety_days,
               (SELECT max(lt.lead_time_days) FROM product_lead_times lt) + ds.safety_days AS horizon
          FROM demand_settings ds
    ),
    short AS MATERIALIZED (
        -- kept usage good today, fewer days of cover than the longest lead time
        SELECT i.product_id, i.location_id, i.available_quantity, i.avg_daily_usage AS usage
          FROM inventory i
         WHERE (SELECT k.kept FROM kept k) AND i.avg_daily_usage > 0 AND i.available_quantity > 0
           AND round(i.available_quantity / i.avg_daily_usage, 1) <= (SELECT k.horizon FROM kept k)
           AND i.usage_from <= demand_now()::date AND i.usage_until >= demand_now()::date
        UNION ALL
        -- kept usage run out of days, not refreshed yet: its bound
        SELECT i.product_id, i.location_id, i.available_quantity, i.usage_bound
          FROM inventory i
         WHERE (SELECT k.kept FROM kept k) AND i.usage_until < demand_now()::date
           AND round(i.available_quantity / nullif(i.usage_bound, 0), 1) <= (SELECT k.horizon FROM kept k)
           AND i.usage_from <= demand_now()::date AND i.usage_bound > 0 AND i.available_quantity > 0
           AND i.available_quantity < i.usage_bound * (SELECT k.horizon FROM kept k)
    ),
    candidates AS (
        SELECT c.product_id, c.location_id
          FROM short c
          JOIN product_lead_times lt ON lt.product_id = c.product_id
          JOIN product_alert_thresholds pt ON pt.product_id = c.product_id
         CROSS JOIN kept k
         WHERE c.available_quantity < c.usage * (lt.lead_time_days + k.safety_days)
           -- LOW_SOON is for items not yet LOW: without location rules the row's threshold is the
           -- product's (as in stock_alert_probe); with them, inventory_demand tells
           AND (pt.has_location_rules OR c.available_quantity > pt.threshold)
        UNION
        SELECT i.product_id, i.location_id
          FROM inventory i
         WHERE (SELECT k.kept FROM kept k)
           AND (i.usage_until IS NULL OR i.usage_from > demand_now()::date
                OR (i.usage_until < demand_now()::date AND round(i.available_quantity / nullif(i.usage_bound, 0), 1) IS NULL))
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

-- As version 12's, with usage_bound among the kept columns whose change alone needs no judging,
-- and without JIT: an UPDATE of thousands of rows (outside the sweep, which already runs without
-- it) had this query compiled each time, 0.35 s of 0.59 s for 5,000 rows at 100,000 rows.
CREATE OR REPLACE FUNCTION inventory_alerts_after_update() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    SELECT array_agg(n.product_id), array_agg(n.location_id) INTO v_products, v_locations
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
      LEFT JOIN product_alert_thresholds pt ON pt.product_id = n.product_id
     WHERE NOT ((n.avg_daily_usage, n.usage_from, n.usage_until, n.usage_bound)
                    IS DISTINCT FROM (o.avg_daily_usage, o.usage_from, o.usage_until, o.usage_bound)
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
