-- invtui schema, version 3: a cheaper steady full sweep (issue 5: no more than 4x a bare count).
--
-- Version 2's full sweep joined every probed row (about 5 % of inventory) with its product's
-- name and SKU, its location code, its open alert and its arming state, judged them all and then
-- threw nearly all of them away: in the steady state every open alert already says what its row
-- says. Now the full sweep works in three steps:
--   1. fingerprints: what the rows say (every row that is not OK: product, location, condition,
--      available quantity, threshold) against what the open alerts say (the same five values),
--      each folded into one number in one statement, no join. Equal: nothing changed, so no item
--      needs judging (the steady state: two cheap passes);
--   2. only when they differ: a key-by-key comparison of the same narrow values (one hash join)
--      finds the items that differ;
--   3. those items, and the disarmed items with something to change (looked up one by one in
--      step 1: there are few), get the same per-item judgement the triggers use.
-- Same arguments and result type as before: evaluate_stock_alert_items and the triggers are
-- unchanged.

-- The thresholds of every active product, as version 2 defined them, plus has_location_rules.
-- Rules are read in one grouped pass (a hash join) instead of one subquery per product, which
-- the full sweep paid for every product; a lookup of one product still reads only its rules.
CREATE OR REPLACE VIEW product_alert_thresholds AS
SELECT p.id AS product_id,
       coalesce(r.product_threshold, p.reorder_point, p.min_stock_level) AS threshold,
       CASE WHEN r.product_threshold IS NOT NULL THEN 'product rule'
            WHEN p.reorder_point IS NOT NULL THEN 'reorder point'
            ELSE 'min stock level' END AS threshold_source,
       greatest(coalesce(r.product_threshold, p.reorder_point, p.min_stock_level),
                coalesce(r.highest_location_threshold, 0)) AS highest_threshold,
       coalesce(r.highest_location_threshold IS NOT NULL, false) AS has_location_rules
  FROM products p
  -- alert_rules_one_per_scope: at most one rule per product and location (NULL: all locations)
  LEFT JOIN (SELECT ar.product_id,
                    max(ar.threshold_quantity) FILTER (WHERE ar.location_id IS NULL) AS product_threshold,
                    max(ar.threshold_quantity) FILTER (WHERE ar.location_id IS NOT NULL) AS highest_location_threshold
               FROM alert_rules ar
              WHERE ar.is_active
              GROUP BY ar.product_id) r ON r.product_id = p.id
 WHERE p.is_active;

-- One item's state folded into a number: the product, location, condition, quantity and threshold
-- an open alert says, or a row says. XOR of these over a set is its fingerprint (the keys are
-- unique on each side, so nothing cancels itself); two fingerprints of 64 bits agree by chance
-- about once in 2^64 comparisons, and the counts are compared as well.
CREATE FUNCTION stock_alert_fingerprint(product_id bigint, location_id bigint, condition text,
                                        quantity integer, threshold integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT hashint8extended(product_id, hashint8extended(location_id, hashint4extended(quantity,
           hashint4extended(threshold, hashtextextended(condition, 0)))))
$$;

-- Does the judgement of one item have anything to change? Not when its open alert already says
-- exactly this, when it is OK and armed, or when it is disarmed, still not OK and would not alert
-- (only an item disarmed at LOW that runs OUT alerts again). Everything else is handed on to
-- evaluate_stock_alert_items: an alert to raise, change or close, an item to re-arm.
CREATE FUNCTION stock_alert_has_work(condition text, available_quantity integer, threshold integer,
                                     alert_id bigint, alert_type varchar, alert_quantity integer,
                                     alert_threshold integer, disarmed_at varchar) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT ((alert_id IS NOT NULL AND condition = alert_type
                 AND alert_quantity = available_quantity AND alert_threshold = threshold)
                OR (alert_id IS NULL AND condition = 'OK' AND disarmed_at IS NULL)
                OR (alert_id IS NULL AND condition <> 'OK' AND disarmed_at IS NOT NULL
                    AND NOT (disarmed_at = 'LOW_STOCK' AND condition = 'OUT_OF_STOCK')))
$$;

-- Every row of an active product at or below the highest threshold its product can have, with
-- its effective threshold and condition, exactly as inventory_status computes them. Per product an
-- index-only range scan on idx_inventory_product_available; every other row is provably OK.
-- (OFFSET 0 keeps it a per-product probe: a hash join would read all rows.) The location rule is
-- looked up only for products that have location rules.
CREATE FUNCTION stock_alert_probe()
RETURNS TABLE (product_id bigint, location_id bigint, condition text, available_quantity integer, threshold integer)
LANGUAGE sql STABLE AS $$
    SELECT x.product_id, x.location_id, stock_condition(x.available_quantity, x.threshold),
           x.available_quantity, x.threshold
      FROM product_alert_thresholds pt
     CROSS JOIN LATERAL (
           SELECT i.product_id, i.location_id, i.available_quantity,
                  CASE WHEN pt.has_location_rules
                       THEN coalesce((SELECT rl.threshold_quantity FROM alert_rules rl
                                       WHERE rl.product_id = i.product_id AND rl.location_id = i.location_id
                                         AND rl.is_active), pt.threshold)
                       ELSE pt.threshold END AS threshold
             FROM inventory i
            WHERE i.product_id = pt.product_id AND i.available_quantity <= pt.highest_threshold
           OFFSET 0) x
$$;

CREATE OR REPLACE FUNCTION stock_alert_items(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL,
                                             OUT items stock_alert_item[], OUT judged integer)
-- generic plan: planned once per session, so a big join search (collapse limits) costs nothing later
LANGUAGE plpgsql STABLE SET jit = off SET plan_cache_mode = force_generic_plan
    SET from_collapse_limit = 16 SET join_collapse_limit = 16
    -- the generic plan's estimates are rough; a sort-based join or a per-row cache is never the
    -- cheap one here
    SET enable_mergejoin = off SET enable_memoize = off AS $$
DECLARE
    v_few boolean;
    v_probed integer := NULL;
    v_steady boolean;
BEGIN
    IF p_product_ids IS NULL THEN
        -- Full sweep, step 1: do the fingerprints of rows and alerts agree? Disarmed items are
        -- taken out of both sides (they may be low with no alert, or keep an alert while disarmed);
        -- those with something to change go to step 3. One statement: one snapshot for all parts.
        WITH rows_say AS (
            SELECT bit_xor(stock_alert_fingerprint(f.product_id, f.location_id, f.condition,
                                                   f.available_quantity, f.threshold))
                       FILTER (WHERE f.condition <> 'OK') AS fingerprint,
                   count(*) FILTER (WHERE f.condition <> 'OK') AS n,
                   count(*) AS probed
              FROM stock_alert_probe() f
        ),
        alerts_say AS (
            SELECT bit_xor(stock_alert_fingerprint(a.product_id, a.location_id, a.alert_type,
                                                   a.current_quantity, a.threshold_quantity)) AS fingerprint,
                   count(*) AS n
              FROM stock_alerts a
             WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED')
        ),
        disarmed_say AS (
            SELECT bit_xor(stock_alert_fingerprint(s.product_id, s.location_id, s.condition,
                                                   s.available_quantity, s.threshold))
                       FILTER (WHERE s.condition <> 'OK') AS rows_fingerprint,
                   count(*) FILTER (WHERE s.condition <> 'OK') AS rows_n,
                   bit_xor(stock_alert_fingerprint(s.product_id, s.location_id, s.alert_type,
                                                   s.alert_quantity, s.alert_threshold))
                       FILTER (WHERE s.alert_id IS NOT NULL) AS alerts_fingerprint,
                   count(*) FILTER (WHERE s.alert_id IS NOT NULL) AS alerts_n,
                   array_agg(s.product_id ORDER BY s.product_id, s.location_id) FILTER (WHERE s.has_work) AS product_ids,
                   array_agg(s.location_id ORDER BY s.product_id, s.location_id) FILTER (WHERE s.has_work) AS location_ids
              FROM alert_disarmed d
             CROSS JOIN LATERAL (SELECT s.*, stock_alert_has_work(s.condition, s.available_quantity, s.threshold,
                                                                  s.alert_id, s.alert_type, s.alert_quantity,
                                                                  s.alert_threshold, s.disarmed_at) AS has_work
                                   FROM inventory_status s
                                  WHERE s.product_id = d.product_id AND s.location_id = d.location_id OFFSET 0) s
        )
        SELECT r.probed,
               r.n - d.rows_n = a.n - d.alerts_n
               AND coalesce(r.fingerprint, 0) # coalesce(d.rows_fingerprint, 0)
                   = coalesce(a.fingerprint, 0) # coalesce(d.alerts_fingerprint, 0),
               coalesce(d.product_ids, '{}'), coalesce(d.location_ids, '{}')
          INTO v_probed, v_steady, p_product_ids, p_location_ids
          FROM rows_say r, alerts_say a, disarmed_say d;

        IF NOT v_steady THEN
            -- Step 2: something changed behind the triggers' back; find what, key by key. A
            -- candidate: a row that is not OK with no open alert, an open alert whose row was not
            -- probed (OK now, or its product is no longer active) or says something else, or a
            -- disarmed item step 1 found work for.
            WITH compared AS (
                SELECT coalesce(f.product_id, a.product_id) AS product_id,
                       coalesce(f.location_id, a.location_id) AS location_id
                  FROM stock_alert_probe() f
                  FULL JOIN (SELECT a.product_id, a.location_id, a.alert_type, a.current_quantity,
                                    a.threshold_quantity
                               FROM stock_alerts a WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED')) a
                         ON a.product_id = f.product_id AND a.location_id = f.location_id
                 WHERE CASE WHEN a.product_id IS NULL THEN f.condition <> 'OK'
                            WHEN f.product_id IS NULL THEN true
                            ELSE f.condition <> a.alert_type OR f.available_quantity <> a.current_quantity
                                 OR f.threshold <> a.threshold_quantity END
                UNION
                SELECT k.product_id, k.location_id FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
            )
            SELECT coalesce(array_agg(c.product_id ORDER BY c.product_id, c.location_id), '{}'),
                   coalesce(array_agg(c.location_id ORDER BY c.product_id, c.location_id), '{}')
              INTO p_product_ids, p_location_ids
              FROM compared c;
        END IF;
    END IF;

    -- Step 3 (a full sweep's candidates, or the items a trigger gives): judge each item exactly
    -- as inventory_status sees it. Up to 20,000 items, per-item index lookups beat one join over
    -- the whole view; one-time filters make only one way in run.
    v_few := cardinality(p_product_ids) <= 20000;
    WITH items AS (
        -- a few given items, looked up one by one (OFFSET 0: index lookups per item, never a join
        -- over the whole view)
        SELECT v.product_id, v.location_id, v.sku, v.name, v.location_code, v.available_quantity, v.threshold,
               v.condition, v.alert_id, v.alert_type, v.alert_quantity, v.alert_threshold, v.disarmed_at
          FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
         CROSS JOIN LATERAL (SELECT * FROM inventory_status s
                              WHERE s.product_id = k.product_id AND s.location_id = k.location_id OFFSET 0) v
         WHERE v_few
        UNION ALL
        -- many given items (a bulk UPDATE, a COPY, the seed, a first sweep): one set-based join
        SELECT v.product_id, v.location_id, v.sku, v.name, v.location_code, v.available_quantity, v.threshold,
               v.condition, v.alert_id, v.alert_type, v.alert_quantity, v.alert_threshold, v.disarmed_at
          FROM stock_alert_many_keys(p_product_ids, p_location_ids) AS k
          JOIN inventory_status v ON v.product_id = k.product_id AND v.location_id = k.location_id
         WHERE NOT v_few
        UNION ALL
        -- open alerts of items whose product is no longer active: to be closed, never raised
        SELECT a.product_id, a.location_id, p.sku, p.name, l.code, a.current_quantity, a.threshold_quantity,
               'INACTIVE', a.id, a.alert_type, a.current_quantity, a.threshold_quantity, NULL
          FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
          JOIN products p ON p.id = k.product_id AND NOT p.is_active
          JOIN locations l ON l.id = k.location_id
          JOIN stock_alerts a ON a.product_id = k.product_id AND a.location_id = k.location_id
                             AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
    )
    SELECT coalesce(array_agg(ROW(i.*)::stock_alert_item) FILTER (
               WHERE stock_alert_has_work(i.condition, i.available_quantity, i.threshold, i.alert_id, i.alert_type,
                                          i.alert_quantity, i.alert_threshold, i.disarmed_at)), '{}'),
           count(*)
      INTO items, judged
      FROM items i;
    -- a full sweep judged every probed row, nearly all of them by the fingerprints alone
    judged := coalesce(v_probed, judged);
END $$;
