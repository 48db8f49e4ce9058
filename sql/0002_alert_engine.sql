-- invtui schema, version 2: the stock alert engine (DESIGN.md section 4).
--
-- One definition of "low" (the view inventory_status), one SQL function that turns conditions
-- into alert transitions (evaluate_stock_alert_items(product ids, location ids); by inventory id:
-- evaluate_stock_alerts(ids)), and triggers that call it for exactly the rows every change
-- touches. The full sweep (invtui/services/sweep.py) calls the same function with NULL (all
-- rows); nothing in Python recomputes a threshold or a condition.

-- Items whose alert a person closed (dismissed, or resolved by hand) while the item was still not
-- OK. Such an item stays disarmed, so the next sweeps do not raise the same alert again, until its
-- condition is OK once more (then the row is deleted: re-armed). `alert_type` is the condition it
-- was disarmed at: an item disarmed while LOW still alerts when it runs OUT.
-- A table of its own, not a column on inventory: the inventory trigger below would fire again
-- for every arming change, and arming is rare while stock changes are constant.
CREATE TABLE alert_disarmed (
    product_id  bigint NOT NULL,
    location_id bigint NOT NULL,
    alert_type  varchar(16) NOT NULL CHECK (alert_type IN ('LOW_STOCK', 'OUT_OF_STOCK')),
    -- the alert whose dismissal or manual resolution disarmed the item
    alert_id    bigint REFERENCES stock_alerts(id),
    disarmed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, location_id),
    -- only an item that exists can be disarmed
    CONSTRAINT alert_disarmed_inventory_fk FOREIGN KEY (product_id, location_id)
        REFERENCES inventory (product_id, location_id)
);

-- The full sweep finds the rows at or below a threshold product by product through this index
-- (an index-only range scan per product) instead of reading all 1M rows.
-- INCLUDE (location_id): the probe is index-only, it never touches the table.
CREATE INDEX idx_inventory_product_available ON inventory (product_id, available_quantity) INCLUDE (location_id);

-- The alert list: open alerts, OUT before LOW ('OUT_OF_STOCK' > 'LOW_STOCK'), newest first,
-- paged by keyset.
CREATE INDEX idx_stock_alerts_open_list ON stock_alerts (alert_type DESC, created_at DESC, id DESC)
    WHERE status IN ('ACTIVE', 'ACKNOWLEDGED');

-- THE definition of "low", in three pieces that everything else reads:
--   product_alert_thresholds: the threshold of every active product before location rules (active
--     rule for the product at all locations, else reorder point, else min stock level), and the
--     highest threshold any of its rows can have (the full sweep's probe bound);
--   stock_condition(available, threshold): OUT_OF_STOCK if available <= 0, LOW_STOCK if
--     available <= threshold, else OK;
--   inventory_status: every inventory row of an active product with its effective threshold (an
--     active rule for its location beats the product's threshold), condition, open alert and
--     arming state. The dashboard, the inventory screen, the CLI and the sweep read it.
CREATE VIEW product_alert_thresholds AS
SELECT p.id AS product_id,
       coalesce(rp.threshold_quantity, p.reorder_point, p.min_stock_level) AS threshold,
       CASE WHEN rp.id IS NOT NULL THEN 'product rule'
            WHEN p.reorder_point IS NOT NULL THEN 'reorder point'
            ELSE 'min stock level' END AS threshold_source,
       greatest(coalesce(rp.threshold_quantity, p.reorder_point, p.min_stock_level),
                coalesce((SELECT max(r.threshold_quantity) FROM alert_rules r
                           WHERE r.product_id = p.id AND r.location_id IS NOT NULL AND r.is_active), 0))
           AS highest_threshold
  FROM products p
  LEFT JOIN alert_rules rp ON rp.product_id = p.id AND rp.location_id IS NULL AND rp.is_active
 WHERE p.is_active;

CREATE FUNCTION stock_condition(available integer, threshold integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN available <= 0 THEN 'OUT_OF_STOCK'
                WHEN available <= threshold THEN 'LOW_STOCK'
                ELSE 'OK' END
$$;

CREATE VIEW inventory_status AS
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
       -- NULL: armed. Otherwise the condition the item was disarmed at.
       d.alert_type           AS disarmed_at
  FROM inventory i
  JOIN product_alert_thresholds pt ON pt.product_id = i.product_id
  JOIN products p ON p.id = i.product_id
  JOIN locations l ON l.id = i.location_id
  LEFT JOIN alert_rules rl ON rl.product_id = i.product_id AND rl.location_id = i.location_id AND rl.is_active
  LEFT JOIN stock_alerts a ON a.product_id = i.product_id AND a.location_id = i.location_id
                          AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
  LEFT JOIN alert_disarmed d ON d.product_id = i.product_id AND d.location_id = i.location_id;

-- One inventory item as the sweep judges it: inventory_status's columns that matter, or, for
-- an item whose product is no longer active, its open alert with condition 'INACTIVE'.
CREATE TYPE stock_alert_item AS (
    product_id          bigint,
    location_id         bigint,
    sku                 varchar,
    name                varchar,
    location_code       varchar,
    available_quantity  integer,
    threshold           integer,
    condition           text,
    alert_id            bigint,
    alert_type          varchar,
    alert_quantity      integer,
    alert_threshold     integer,
    disarmed_at         varchar
);

-- The given items of a big evaluation (a bulk UPDATE, a COPY, the seed) as rows, with an estimate
-- that makes the planner join them to inventory first and hash the rest (plpgsql: never inlined,
-- so ROWS is what the planner sees; unnest() of a parameter would be guessed at 10 rows).
CREATE FUNCTION stock_alert_many_keys(p_product_ids bigint[], p_location_ids bigint[])
RETURNS TABLE (product_id bigint, location_id bigint)
LANGUAGE plpgsql IMMUTABLE ROWS 100000 AS $$
BEGIN
    RETURN QUERY SELECT * FROM unnest(p_product_ids, p_location_ids);
END $$;

-- Step 1 of an evaluation: judge the items (how many: `judged`) and return, as an array, those
-- with something to change. NULL arguments mean a full sweep. Three ways in (a few items, many
-- items, everything), gated by one-time filters so only one of them ever runs.
CREATE FUNCTION stock_alert_items(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL,
                                  OUT items stock_alert_item[], OUT judged integer)
-- generic plan: planned once per session, so a big join search (collapse limits) costs nothing later
LANGUAGE plpgsql STABLE SET jit = off SET plan_cache_mode = force_generic_plan
    SET from_collapse_limit = 16 SET join_collapse_limit = 16
    -- the generic plan's estimates are rough; a sort-based join is never the cheap one here
    SET enable_mergejoin = off AS $$
DECLARE
    v_full boolean := p_product_ids IS NULL;
    -- up to this many items, per-item index lookups beat one join over the whole view
    v_few boolean := coalesce(cardinality(p_product_ids), 0) <= 20000;
BEGIN
    WITH probe AS MATERIALIZED (
        -- Full sweep: per product, an index-only range scan for rows at or below the highest
        -- threshold any of its rows can have; every other row is provably OK. OFFSET 0 keeps the
        -- subquery a per-product probe (a hash join would read all rows).
        SELECT x.product_id, x.location_id, p.sku, p.name, x.available_quantity,
               coalesce(rl.threshold_quantity, pt.threshold) AS threshold
          FROM product_alert_thresholds pt
          JOIN products p ON p.id = pt.product_id
         CROSS JOIN LATERAL (SELECT i.product_id, i.location_id, i.available_quantity FROM inventory i
                              WHERE i.product_id = pt.product_id AND i.available_quantity <= pt.highest_threshold
                             OFFSET 0) x
          LEFT JOIN alert_rules rl ON rl.product_id = x.product_id AND rl.location_id = x.location_id AND rl.is_active
         WHERE v_full
    ),
    leftover AS MATERIALIZED (
        -- full sweep: items with an open alert, or disarmed, that the probe did not return (OK now)
        SELECT a.product_id, a.location_id FROM stock_alerts a
         WHERE v_full AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
           AND NOT EXISTS (SELECT 1 FROM probe f WHERE f.product_id = a.product_id AND f.location_id = a.location_id)
        UNION
        SELECT d.product_id, d.location_id FROM alert_disarmed d
         WHERE v_full
           AND NOT EXISTS (SELECT 1 FROM probe f WHERE f.product_id = d.product_id AND f.location_id = d.location_id)
    ),
    items AS (
        -- a few given items, exactly as inventory_status sees them, looked up one by one
        -- (OFFSET 0: index lookups per item, never a join over the whole view)
        SELECT v.product_id, v.location_id, v.sku, v.name, v.location_code, v.available_quantity, v.threshold,
               v.condition, v.alert_id, v.alert_type, v.alert_quantity, v.alert_threshold, v.disarmed_at
          FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
         CROSS JOIN LATERAL (SELECT * FROM inventory_status s
                              WHERE s.product_id = k.product_id AND s.location_id = k.location_id OFFSET 0) v
         WHERE NOT v_full AND v_few
        UNION ALL
        -- many given items (a bulk UPDATE, a COPY, the seed): one set-based join with the view
        SELECT v.product_id, v.location_id, v.sku, v.name, v.location_code, v.available_quantity, v.threshold,
               v.condition, v.alert_id, v.alert_type, v.alert_quantity, v.alert_threshold, v.disarmed_at
          FROM stock_alert_many_keys(p_product_ids, p_location_ids) AS k
          JOIN inventory_status v ON v.product_id = k.product_id AND v.location_id = k.location_id
         WHERE NOT v_full AND NOT v_few
        UNION ALL
        -- full sweep: the probed rows, with the same threshold and condition as inventory_status
        SELECT f.product_id, f.location_id, f.sku, f.name, l.code, f.available_quantity, f.threshold,
               stock_condition(f.available_quantity, f.threshold), a.id, a.alert_type, a.current_quantity,
               a.threshold_quantity, d.alert_type
          FROM probe f
          JOIN locations l ON l.id = f.location_id
          LEFT JOIN stock_alerts a ON a.product_id = f.product_id AND a.location_id = f.location_id
                                  AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
          LEFT JOIN alert_disarmed d ON d.product_id = f.product_id AND d.location_id = f.location_id
        UNION ALL
        SELECT v.product_id, v.location_id, v.sku, v.name, v.location_code, v.available_quantity, v.threshold,
               v.condition, v.alert_id, v.alert_type, v.alert_quantity, v.alert_threshold, v.disarmed_at
          FROM leftover o
         CROSS JOIN LATERAL (SELECT * FROM inventory_status s
                              WHERE s.product_id = o.product_id AND s.location_id = o.location_id OFFSET 0) v
        UNION ALL
        -- open alerts of items whose product is no longer active: to be closed, never raised
        SELECT a.product_id, a.location_id, p.sku, p.name, l.code, a.current_quantity, a.threshold_quantity,
               'INACTIVE', a.id, a.alert_type, a.current_quantity, a.threshold_quantity, NULL
          FROM unnest(p_product_ids, p_location_ids) AS k(product_id, location_id)
          JOIN products p ON p.id = k.product_id AND NOT p.is_active
          JOIN locations l ON l.id = k.location_id
          JOIN stock_alerts a ON a.product_id = k.product_id AND a.location_id = k.location_id
                             AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
         WHERE NOT v_full
        UNION ALL
        SELECT a.product_id, a.location_id, p.sku, p.name, l.code, a.current_quantity, a.threshold_quantity,
               'INACTIVE', a.id, a.alert_type, a.current_quantity, a.threshold_quantity, NULL
          FROM stock_alerts a
          JOIN products p ON p.id = a.product_id AND NOT p.is_active
          JOIN locations l ON l.id = a.location_id
         WHERE v_full AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')
    )
    -- Every item is judged; only those with something to change are handed on. Skipped: an open
    -- alert that already says exactly this, and an OK armed item (the steady state of nearly all).
    SELECT coalesce(array_agg(ROW(i.*)::stock_alert_item) FILTER (
               WHERE NOT ((i.alert_id IS NOT NULL AND i.condition = i.alert_type
                           AND i.alert_quantity = i.available_quantity AND i.alert_threshold = i.threshold)
                          OR (i.alert_id IS NULL AND i.condition = 'OK' AND i.disarmed_at IS NULL))), '{}'),
           count(*)
      INTO items, judged
      FROM items i;
END $$;

-- Step 2, the sweep proper: make every alert transition DESIGN.md section 4 asks for, for the
-- judged items, set-based, in the caller's transaction:
--   not OK, no open alert, armed (or disarmed at LOW and now OUT) -> create an ACTIVE alert;
--   open LOW alert, row OUT -> escalate (type OUT, status back to ACTIVE);
--   open OUT alert, row LOW -> downgrade quietly (status unchanged);
--   open alert, row OK (or product no longer active) -> RESOLVED, resolution 'auto';
--   row OK -> re-armed; open alerts keep current_quantity and threshold_quantity current.
-- Every transition appends an alert_events row, writes a notification for everyone (created,
-- escalated, resolved) and sends pg_notify('invtui_events', ...) -- one event per transition up to
-- 50 of them, else ONE 'alerts.bulk' summary (a payload must stay under 8000 bytes, and 50,000
-- toasts help nobody; the notification log gets one summary row too). Creation is INSERT ... ON
-- CONFLICT DO NOTHING on uq_stock_alerts_one_open and every status change re-checks the status
-- it expects on the locked row (compare-and-set), so the full sweep and the per-change
-- evaluations of concurrent writers never fail each other.
-- Decision: a deactivated product's open alerts are resolved (resolution 'auto', event note
-- 'product inactive'); inactive products never alert.
-- NULL arguments: a full sweep over every item.
CREATE FUNCTION evaluate_stock_alert_items(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL)
RETURNS TABLE (created integer, escalated integer, downgraded integer, resolved integer, scanned integer)
LANGUAGE plpgsql SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_items stock_alert_item[];
    v_events jsonb;
    v_total integer;
BEGIN
    created := 0; escalated := 0; downgraded := 0; resolved := 0; scanned := 0;
    IF p_product_ids IS NOT NULL AND cardinality(p_product_ids) = 0 THEN
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT j.items, j.judged INTO v_items, scanned FROM stock_alert_items(p_product_ids, p_location_ids) j;
    IF cardinality(v_items) = 0 THEN
        RETURN NEXT;
        RETURN;
    END IF;

    WITH c AS MATERIALIZED (
        SELECT * FROM unnest(v_items)
    ),
    new_alerts AS (
        -- ordered by key so two evaluations inserting the same items wait in the same order
        INSERT INTO stock_alerts (product_id, location_id, alert_type, status, current_quantity,
                                  threshold_quantity, message)
        SELECT c.product_id, c.location_id, c.condition, 'ACTIVE', c.available_quantity, c.threshold,
               format('%s (%s) at %s: %s available, threshold %s',
                      c.name, c.sku, c.location_code, c.available_quantity, c.threshold)
          FROM c
         WHERE c.condition IN ('LOW_STOCK', 'OUT_OF_STOCK') AND c.alert_id IS NULL
           AND (c.disarmed_at IS NULL OR (c.disarmed_at = 'LOW_STOCK' AND c.condition = 'OUT_OF_STOCK'))
         ORDER BY c.product_id, c.location_id
        ON CONFLICT (product_id, location_id) WHERE status IN ('ACTIVE', 'ACKNOWLEDGED') DO NOTHING
        RETURNING id, product_id, location_id, alert_type, status, current_quantity, threshold_quantity
    ),
    targets AS (
        SELECT c.alert_id AS id, c.condition, c.available_quantity, c.threshold, c.sku, c.name, c.location_code
          FROM c
         WHERE c.alert_id IS NOT NULL
           AND (c.condition IN ('OK', 'INACTIVE') OR c.condition <> c.alert_type
                OR c.alert_quantity <> c.available_quantity OR c.alert_threshold <> c.threshold)
    ),
    -- Lock in id order (no deadlock between two evaluations); after a wait, FOR UPDATE returns the
    -- newest version, so the transition below is computed from the alert as it is now.
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
                             WHEN t.condition = 'OUT_OF_STOCK' AND a.alert_type = 'LOW_STOCK' THEN 'ACTIVE'
                             ELSE a.status END,
               resolution = CASE WHEN t.condition IN ('OK', 'INACTIVE') THEN 'auto' END,
               resolved_at = CASE WHEN t.condition IN ('OK', 'INACTIVE') THEN now() END,
               current_quantity = t.available_quantity,
               threshold_quantity = t.threshold,
               message = format('%s (%s) at %s: %s available, threshold %s',
                                t.name, t.sku, t.location_code, t.available_quantity, t.threshold),
               updated_at = now()
          FROM targets t JOIN locked l ON l.id = t.id
         WHERE a.id = t.id AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')  -- compare-and-set
        RETURNING a.id, a.product_id, a.location_id, a.alert_type, a.status, a.current_quantity,
                  a.threshold_quantity, l.status AS from_status,
                  CASE WHEN a.status = 'RESOLVED' THEN 'resolved'
                       WHEN a.alert_type <> l.alert_type AND a.alert_type = 'OUT_OF_STOCK' THEN 'escalated'
                       WHEN a.alert_type <> l.alert_type THEN 'downgraded'
                       ELSE 'refreshed' END AS event,
                  CASE WHEN t.condition = 'INACTIVE' THEN 'product inactive' ELSE '' END AS note,
                  t.sku, t.name, t.location_code
    ),
    rearmed AS (
        DELETE FROM alert_disarmed d USING c
         WHERE d.product_id = c.product_id AND d.location_id = c.location_id
           AND c.condition = 'OK' AND c.disarmed_at IS NOT NULL
    ),
    transitions AS MATERIALIZED (
        SELECT n.id, n.product_id, n.location_id, n.alert_type, n.status, n.current_quantity,
               n.threshold_quantity, NULL::varchar AS from_status, 'created' AS event, '' AS note,
               c.sku, c.name, c.location_code
          FROM new_alerts n JOIN c ON c.product_id = n.product_id AND c.location_id = n.location_id
        UNION ALL
        SELECT id, product_id, location_id, alert_type, status, current_quantity, threshold_quantity,
               from_status, event, note, sku, name, location_code
          FROM changed WHERE event <> 'refreshed'
    ),
    logged AS (
        INSERT INTO alert_events (alert_id, event, from_status, to_status, alert_type, quantity, note)
        SELECT id, event, from_status, status, alert_type, current_quantity, note FROM transitions
    ),
    -- the notification log: one row per transition people hear about, or one summary for a bulk
    noted AS (
        INSERT INTO notifications (kind, severity, title, body, link_kind, link_id)
        SELECT 'alert.' || t.event,
               CASE WHEN t.event = 'resolved' THEN 'success' ELSE 'warning' END,
               left(CASE WHEN t.note <> '' THEN format('Alert closed: %s at %s (%s)', t.name, t.location_code, t.note)
                         WHEN t.event = 'resolved' THEN format('Back in stock: %s at %s, %s available',
                                                               t.name, t.location_code, t.current_quantity)
                         WHEN t.alert_type = 'OUT_OF_STOCK' THEN format('OUT OF STOCK: %s at %s, %s left',
                                                                        t.name, t.location_code, t.current_quantity)
                         ELSE format('LOW STOCK: %s at %s, %s left (threshold %s)',
                                     t.name, t.location_code, t.current_quantity, t.threshold_quantity) END, 200),
               format('%s (%s) at %s: %s available, threshold %s', t.name, t.sku, t.location_code,
                      t.current_quantity, t.threshold_quantity),
               'alert', t.id
          FROM transitions t
         WHERE t.event <> 'downgraded' AND (SELECT count(*) FROM transitions) <= 50
        UNION ALL
        SELECT 'alerts.bulk',
               CASE WHEN count(*) FILTER (WHERE event IN ('created', 'escalated')) > 0 THEN 'warning' ELSE 'success' END,
               format('Stock alerts: %s new, %s escalated, %s resolved',
                      count(*) FILTER (WHERE event = 'created'), count(*) FILTER (WHERE event = 'escalated'),
                      count(*) FILTER (WHERE event = 'resolved')),
               format('%s stock alert transitions at once (%s quietly downgraded from OUT to LOW)',
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
        -- a quiet downgrade (OUT -> LOW) sends nothing: no toast for good-ish news
        PERFORM pg_notify('invtui_events', e::text) FROM jsonb_array_elements(v_events) AS e;
    ELSIF v_total > 50 THEN
        PERFORM pg_notify('invtui_events', jsonb_build_object(
            'kind', 'alerts.bulk', 'at', now(), 'created', created, 'escalated', escalated,
            'downgraded', downgraded, 'resolved', resolved, 'scanned', scanned, 'user_id', NULL)::text);
    END IF;
    RETURN NEXT;
END $$;

-- The same evaluation for inventory rows by id (NULL = a full sweep over every candidate item).
CREATE FUNCTION evaluate_stock_alerts(p_inventory_ids bigint[] DEFAULT NULL)
RETURNS TABLE (created integer, escalated integer, downgraded integer, resolved integer, scanned integer)
LANGUAGE plpgsql SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    IF p_inventory_ids IS NOT NULL THEN
        SELECT coalesce(array_agg(i.product_id), '{}'), coalesce(array_agg(i.location_id), '{}')
          INTO v_products, v_locations
          FROM inventory i WHERE i.id = ANY (p_inventory_ids);
    END IF;
    RETURN QUERY SELECT * FROM evaluate_stock_alert_items(v_products, v_locations);
END $$;

-- WHY TRIGGERS: every writer of stock -- invtui's services, psql, an ERP import, a COPY -- goes
-- through these, so no writer can bypass alert evaluation and a change is judged in the very
-- transaction that makes it (rolled back together, committed together). Statement-level with
-- transition tables: a 100,000-row UPDATE is one set-based evaluation, not 100,000 calls.
CREATE FUNCTION inventory_alerts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    -- A new row has no alert and no arming state: only rows at or below the highest threshold their
    -- product can have need judging (the same bound the full sweep probes with).
    SELECT array_agg(n.product_id), array_agg(n.location_id) INTO v_products, v_locations
      FROM inserted_rows n JOIN product_alert_thresholds pt ON pt.product_id = n.product_id
     WHERE n.available_quantity <= pt.highest_threshold;
    IF v_products IS NOT NULL THEN
        PERFORM evaluate_stock_alert_items(v_products, v_locations);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION inventory_alerts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_products bigint[];
    v_locations bigint[];
BEGIN
    -- Only rows that could be low (at or below their product's highest threshold) or have an open
    -- alert or an arming state to update need judging; every other row is provably OK with nothing
    -- to do. Most stock changes touch OK items, so most stop here after a few index lookups. (No
    -- OLD TABLE: comparing old and new would cost more than judging the few rows left again; an
    -- unchanged row is judged to "nothing to do".)
    SELECT array_agg(n.product_id), array_agg(n.location_id) INTO v_products, v_locations
      FROM new_rows n
      LEFT JOIN product_alert_thresholds pt ON pt.product_id = n.product_id
     WHERE (n.available_quantity <= pt.highest_threshold
            OR EXISTS (SELECT 1 FROM stock_alerts a
                        WHERE a.product_id = n.product_id AND a.location_id = n.location_id
                          AND a.status IN ('ACTIVE', 'ACKNOWLEDGED'))
            OR EXISTS (SELECT 1 FROM alert_disarmed d
                        WHERE d.product_id = n.product_id AND d.location_id = n.location_id));
    IF v_products IS NOT NULL THEN
        PERFORM evaluate_stock_alert_items(v_products, v_locations);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER inventory_alerts_on_insert
    AFTER INSERT ON inventory REFERENCING NEW TABLE AS inserted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_alerts_after_insert();
CREATE TRIGGER inventory_alerts_on_update
    AFTER UPDATE ON inventory REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_alerts_after_update();

-- A product's thresholds or active flag changed: re-evaluate its rows (raise, resolve, close).
CREATE FUNCTION products_alerts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_ids bigint[];
BEGIN
    SELECT array_agg(i.id) INTO v_ids
      FROM inventory i
     WHERE i.product_id IN (
           SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.is_active IS DISTINCT FROM o.is_active
               OR n.reorder_point IS DISTINCT FROM o.reorder_point
               OR n.min_stock_level IS DISTINCT FROM o.min_stock_level);
    IF v_ids IS NOT NULL THEN
        PERFORM evaluate_stock_alerts(v_ids);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER products_alerts_on_update
    AFTER UPDATE ON products REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION products_alerts_after_update();

-- An alert rule added, changed or removed: re-evaluate the rows it covers (one location, or all
-- locations of the product when the rule's location is NULL).
CREATE FUNCTION alert_rules_affected_rows(p_product_id bigint, p_location_id bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    SELECT i.id FROM inventory i
     WHERE i.product_id = p_product_id AND (p_location_id IS NULL OR i.location_id = p_location_id)
$$;

CREATE FUNCTION alert_rules_after_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT x) INTO v_ids
          FROM new_rows r, alert_rules_affected_rows(r.product_id, r.location_id) x;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT x) INTO v_ids FROM (
            SELECT product_id, location_id FROM new_rows UNION SELECT product_id, location_id FROM old_rows
        ) r, alert_rules_affected_rows(r.product_id, r.location_id) x;
    ELSE
        SELECT array_agg(DISTINCT x) INTO v_ids
          FROM old_rows r, alert_rules_affected_rows(r.product_id, r.location_id) x;
    END IF;
    IF v_ids IS NOT NULL THEN
        PERFORM evaluate_stock_alerts(v_ids);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER alert_rules_on_insert
    AFTER INSERT ON alert_rules REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION alert_rules_after_change();
CREATE TRIGGER alert_rules_on_update
    AFTER UPDATE ON alert_rules REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION alert_rules_after_change();
CREATE TRIGGER alert_rules_on_delete
    AFTER DELETE ON alert_rules REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION alert_rules_after_change();
