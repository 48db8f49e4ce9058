-- The invtui schema as it stands after every migration in sql/ (generated; do not edit).
-- Regenerate with: invtui db schema > sql/schema.sql
-- The migrations (sql/NNNN_*.sql) are what runs; this file is for reading.

CREATE TYPE public.stock_alert_item AS (
	product_id bigint,
	location_id bigint,
	sku character varying,
	name character varying,
	location_code character varying,
	available_quantity integer,
	threshold integer,
	condition text,
	alert_id bigint,
	alert_type character varying,
	alert_quantity integer,
	alert_threshold integer,
	disarmed_at character varying,
	covered boolean,
	alert_covered boolean,
	judged_on jsonb
);

CREATE FUNCTION public.alert_rules_affected_rows(p_product_id bigint, p_location_id bigint) RETURNS SETOF bigint
    LANGUAGE sql STABLE
    AS $$
    SELECT i.id FROM inventory i
     WHERE i.product_id = p_product_id AND (p_location_id IS NULL OR i.location_id = p_location_id)
$$;

CREATE FUNCTION public.alert_rules_after_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.demand_daily_usage(outbound bigint, used bigint, first_at timestamp with time zone, window_days integer) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN outbound >= 2 THEN round(used::numeric / greatest(1, least(
               window_days, demand_now()::date - first_at::date + 1)), 4) END
$$;

CREATE FUNCTION public.demand_keep_usage(p_product_ids bigint[] DEFAULT NULL::bigint[], p_location_ids bigint[] DEFAULT NULL::bigint[]) RETURNS integer
    LANGUAGE plpgsql
    SET jit TO 'off'
    SET work_mem TO '64MB'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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

CREATE FUNCTION public.demand_now() RETURNS timestamp with time zone
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(nullif(current_setting('invtui.now', true), '')::timestamptz, now())
$$;

CREATE FUNCTION public.demand_reevaluate_products(p_product_ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_ids bigint[];
BEGIN
    SELECT array_agg(i.id) INTO v_ids FROM inventory i WHERE i.product_id = ANY (p_product_ids);
    IF v_ids IS NOT NULL THEN
        PERFORM evaluate_stock_alerts(v_ids);
    END IF;
END $$;

CREATE FUNCTION public.demand_refresh_usage() RETURNS integer
    LANGUAGE plpgsql
    SET jit TO 'off'
    AS $$
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

CREATE FUNCTION public.demand_usage_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.demand_usage_kept(usage_from date, usage_until date) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT usage_from <= demand_now()::date AND demand_now()::date <= usage_until
$$;

CREATE FUNCTION public.demand_usage_until(usage numeric, oldest timestamp with time zone, first_at timestamp with time zone, future boolean, window_days integer) RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN future THEN NULL
                WHEN usage IS NULL THEN '9999-12-31'::date  -- for ever (a date Python can read)
                ELSE least(oldest::date + window_days - 1,
                           CASE WHEN demand_now()::date - first_at::date + 1 < window_days THEN demand_now()::date END)
           END
$$;

CREATE FUNCTION public.demand_window_start() RETURNS timestamp with time zone
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT (demand_now()::date - (SELECT window_days FROM demand_settings) + 1)::timestamptz
$$;

CREATE FUNCTION public.evaluate_stock_alert_items(p_product_ids bigint[] DEFAULT NULL::bigint[], p_location_ids bigint[] DEFAULT NULL::bigint[]) RETURNS TABLE(created integer, escalated integer, downgraded integer, resolved integer, scanned integer)
    LANGUAGE plpgsql
    SET jit TO 'off'
    AS $$
BEGIN
    IF p_product_ids IS NULL THEN
        PERFORM demand_refresh_usage();
    END IF;
    RETURN QUERY SELECT * FROM evaluate_stock_alert_items_judged(p_product_ids, p_location_ids);
END $$;

CREATE FUNCTION public.evaluate_stock_alert_items_judged(p_product_ids bigint[] DEFAULT NULL::bigint[], p_location_ids bigint[] DEFAULT NULL::bigint[]) RETURNS TABLE(created integer, escalated integer, downgraded integer, resolved integer, scanned integer)
    LANGUAGE plpgsql
    SET jit TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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
        RETURNING id, product_id, location_id, alert_type, status, current_quantity, threshold_quantity, judged_on,
                  covered
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
                  t.sku, t.name, t.location_code, a.judged_on, a.covered
    ),
    rearmed AS (
        DELETE FROM alert_disarmed d USING c
         WHERE d.product_id = c.product_id AND d.location_id = c.location_id
           AND c.condition = 'OK' AND c.disarmed_at IS NOT NULL
    ),
    transitions AS MATERIALIZED (
        SELECT n.id, n.product_id, n.location_id, n.alert_type, n.status, n.current_quantity,
               n.threshold_quantity, NULL::varchar AS from_status, 'created' AS event, '' AS note,
               c.sku, c.name, c.location_code, n.judged_on,
               n.covered AND n.alert_type = 'LOW_STOCK' AS covered
          FROM new_alerts n JOIN c ON c.product_id = n.product_id AND c.location_id = n.location_id
        UNION ALL
        SELECT id, product_id, location_id, alert_type, status, current_quantity, threshold_quantity,
               from_status, event, note, sku, name, location_code, judged_on,
               covered AND alert_type = 'LOW_STOCK' AND event <> 'resolved'
          FROM changed WHERE event <> 'refreshed'
    ),
    logged AS (
        INSERT INTO alert_events (alert_id, event, from_status, to_status, alert_type, quantity, note, judged_on)
        SELECT id, event, from_status, status, alert_type, current_quantity, note, judged_on FROM transitions
    ),
    noted AS (
        INSERT INTO notifications (kind, severity, title, body, link_kind, link_id)
        SELECT 'alert.' || t.event,
               CASE WHEN t.event = 'resolved' THEN 'success' WHEN t.covered THEN 'info' ELSE 'warning' END,
               left(CASE WHEN t.note <> '' THEN format('Alert closed: %s at %s (%s)', t.name, t.location_code, t.note)
                         WHEN t.event = 'resolved' THEN format('Back in stock: %s at %s, %s available',
                                                               t.name, t.location_code, t.current_quantity)
                         WHEN t.alert_type = 'OUT_OF_STOCK' THEN format('OUT OF STOCK: %s at %s, %s left',
                                                                        t.name, t.location_code, t.current_quantity)
                         WHEN t.alert_type = 'LOW_SOON' THEN format('RUNS OUT SOON: %s at %s, %s left (%s days of cover, lead time %s days)',
                                                                    t.name, t.location_code, t.current_quantity,
                                                                    t.judged_on->>'days_of_cover',
                                                                    t.judged_on->>'lead_time_days')
                         WHEN t.covered THEN format('LOW STOCK (covered): %s at %s, %s left, %s',
                                                    t.name, t.location_code, t.current_quantity,
                                                    stock_alert_on_order_words(t.judged_on))
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
                       'threshold_quantity', x.threshold_quantity, 'covered', x.covered,
                       'on_order', x.judged_on->'on_order', 'next_po', x.judged_on->'next_po',
                       'next_due', x.judged_on->'next_due', 'user_id', NULL))
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

CREATE FUNCTION public.evaluate_stock_alerts(p_inventory_ids bigint[] DEFAULT NULL::bigint[]) RETURNS TABLE(created integer, escalated integer, downgraded integer, resolved integer, scanned integer)
    LANGUAGE plpgsql
    SET jit TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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

CREATE FUNCTION public.inventory_alerts_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.inventory_alerts_after_update() RETURNS trigger
    LANGUAGE plpgsql
    SET jit TO 'off'
    AS $$
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

COMMENT ON FUNCTION public.inventory_alerts_after_update() IS 'Which changed stock rows to judge: highest_threshold is only a prefilter bound (with open alerts, disarmed items and items that may run short soon); the judging, and which threshold wins, is inventory_status''s and product_thresholds''.';

CREATE FUNCTION public.item_first_movements_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO item_first_movements AS f (product_id, location_id, first_at)
    SELECT n.product_id, n.location_id, min(n.created_at) FROM new_rows n
     GROUP BY n.product_id, n.location_id ORDER BY 1, 2
    ON CONFLICT (product_id, location_id) DO UPDATE SET first_at = excluded.first_at
     WHERE excluded.first_at < f.first_at;
    RETURN NULL;
END $$;

CREATE FUNCTION public.products_alerts_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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
               OR n.supplier_id IS DISTINCT FROM o.supplier_id
               OR n.default_location_id IS DISTINCT FROM o.default_location_id);
    IF v_ids IS NOT NULL THEN
        PERFORM evaluate_stock_alerts(v_ids);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION public.purchase_order_lines_alerts_after_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.purchase_orders_alerts_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.stock_alert_condition(stock text, available integer, projected integer, usage numeric, horizon integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN stock <> 'OK' THEN stock
                WHEN usage > 0 AND horizon IS NOT NULL AND available < usage * horizon
                     AND projected < usage * horizon THEN 'LOW_SOON'
                ELSE 'OK' END
$$;

CREATE FUNCTION public.stock_alert_demand_probe() RETURNS TABLE(product_id bigint, location_id bigint, condition text, available_quantity integer, threshold integer)
    LANGUAGE sql STABLE
    AS $$
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

CREATE FUNCTION public.stock_alert_fingerprint(product_id bigint, location_id bigint, condition text, quantity integer, threshold integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT hashint8extended(product_id, hashint8extended(location_id, hashint4extended(quantity,
           hashint4extended(threshold, hashtextextended(condition, 0)))))
$$;

CREATE FUNCTION public.stock_alert_has_work(condition text, available_quantity integer, threshold integer, alert_id bigint, alert_type character varying, alert_quantity integer, alert_threshold integer, disarmed_at character varying, covered boolean, alert_covered boolean) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT NOT ((alert_id IS NOT NULL AND condition = alert_type
                 AND alert_quantity = available_quantity AND alert_threshold = threshold
                 AND coalesce(covered, false) = coalesce(alert_covered, false))
                OR (alert_id IS NULL AND condition = 'OK' AND disarmed_at IS NULL)
                OR (alert_id IS NULL AND condition <> 'OK' AND disarmed_at IS NOT NULL
                    AND stock_alert_severity(condition) <= stock_alert_severity(disarmed_at)))
$$;

CREATE FUNCTION public.stock_alert_items(p_product_ids bigint[] DEFAULT NULL::bigint[], p_location_ids bigint[] DEFAULT NULL::bigint[], OUT items public.stock_alert_item[], OUT judged integer, OUT demand_judged boolean) RETURNS record
    LANGUAGE plpgsql STABLE
    SET jit TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    SET from_collapse_limit TO '16'
    SET join_collapse_limit TO '16'
    SET enable_mergejoin TO 'off'
    SET enable_memoize TO 'off'
    SET work_mem TO '64MB'
    AS $$
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

CREATE FUNCTION public.stock_alert_judged_on(available integer, threshold integer, threshold_source text, usage numeric, days_of_cover numeric, on_order integer, projected integer, lead_time_days integer, safety_days integer, next_po text, next_due date) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT jsonb_build_object('available', available, 'threshold', threshold, 'threshold_source', threshold_source,
                              'avg_daily_usage', usage, 'days_of_cover', days_of_cover, 'on_order', on_order,
                              'projected', projected, 'lead_time_days', lead_time_days, 'safety_days', safety_days,
                              'next_po', next_po, 'next_due', next_due)
$$;

CREATE FUNCTION public.stock_alert_many_keys(p_product_ids bigint[], p_location_ids bigint[]) RETURNS TABLE(product_id bigint, location_id bigint)
    LANGUAGE plpgsql IMMUTABLE ROWS 100000
    AS $$
BEGIN
    RETURN QUERY SELECT * FROM unnest(p_product_ids, p_location_ids);
END $$;

CREATE FUNCTION public.stock_alert_may_run_short(p_product_id bigint, p_location_id bigint, p_available integer) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN p_available > 0 AND EXISTS (
        SELECT 1 FROM demand_usage u
          JOIN item_first_movements f ON f.product_id = u.product_id AND f.location_id = u.location_id
          JOIN product_lead_times lt ON lt.product_id = u.product_id
         CROSS JOIN demand_settings ds
         WHERE u.product_id = p_product_id AND u.location_id = p_location_id
           AND p_available < demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) * (lt.lead_time_days + ds.safety_days));
END $$;

CREATE FUNCTION public.stock_alert_message(name text, sku text, location_code text, kind text, available integer, threshold integer, judged_on jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN kind = 'LOW_SOON'
                THEN format('%s (%s) at %s: %s available, %s/day, %s days of cover, lead time %s days',
                            name, sku, location_code, available, judged_on->>'avg_daily_usage',
                            judged_on->>'days_of_cover', judged_on->>'lead_time_days')
                ELSE format('%s (%s) at %s: %s available, threshold %s', name, sku, location_code, available, threshold)
           END
$$;

CREATE FUNCTION public.stock_alert_on_order_words(judged_on jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN coalesce((judged_on->>'on_order')::integer, 0) = 0 THEN ''
                WHEN judged_on->>'next_po' IS NULL THEN format('%s on order', judged_on->>'on_order')
                ELSE format('%s on %s', judged_on->>'on_order', judged_on->>'next_po')
                     || coalesce(' due ' || (judged_on->>'next_due'), '')
           END
$$;

CREATE FUNCTION public.stock_alert_probe() RETURNS TABLE(product_id bigint, location_id bigint, condition text, available_quantity integer, threshold integer)
    LANGUAGE sql STABLE
    AS $$
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

COMMENT ON FUNCTION public.stock_alert_probe() IS 'The full sweep''s fast probe: the rows of active products at or below highest_threshold (the bound), each with the threshold inventory_status gives it (its active location rule, else product_thresholds.threshold: the same lookup, repeated here only for its index-only plan). tests/test_alert_engine_model.py checks the sweep against domain.alerts.sweep_action.';

CREATE FUNCTION public.stock_alert_severity(kind text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE kind WHEN 'OUT_OF_STOCK' THEN 3 WHEN 'LOW_STOCK' THEN 2 WHEN 'LOW_SOON' THEN 1 ELSE 0 END
$$;

CREATE FUNCTION public.stock_condition(available integer, threshold integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN available <= 0 THEN 'OUT_OF_STOCK'
                WHEN available <= threshold THEN 'LOW_STOCK'
                ELSE 'OK' END
$$;

CREATE FUNCTION public.stock_movements_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'stock_movements is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TABLE public.alert_disarmed (
    product_id bigint NOT NULL,
    location_id bigint NOT NULL,
    alert_type character varying(16) NOT NULL,
    alert_id bigint,
    disarmed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT alert_disarmed_alert_type_check CHECK (((alert_type)::text = ANY ((ARRAY['LOW_SOON'::character varying, 'LOW_STOCK'::character varying, 'OUT_OF_STOCK'::character varying])::text[])))
);

CREATE TABLE public.alert_events (
    id bigint NOT NULL,
    alert_id bigint NOT NULL,
    event character varying(16) NOT NULL,
    from_status character varying(16),
    to_status character varying(16) NOT NULL,
    alert_type character varying(16) NOT NULL,
    quantity integer,
    user_id bigint,
    note text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    os_user text DEFAULT NULLIF(current_setting('invtui.os_user'::text, true), ''::text),
    judged_on jsonb,
    CONSTRAINT alert_events_event_check CHECK (((event)::text = ANY ((ARRAY['created'::character varying, 'escalated'::character varying, 'downgraded'::character varying, 'acknowledged'::character varying, 'dismissed'::character varying, 'resolved'::character varying])::text[])))
);

CREATE SEQUENCE public.alert_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.alert_events_id_seq OWNED BY public.alert_events.id;

CREATE TABLE public.alert_rules (
    id bigint NOT NULL,
    product_id bigint NOT NULL,
    location_id bigint,
    threshold_quantity integer NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT alert_rules_threshold_quantity_check CHECK ((threshold_quantity >= 0))
);

CREATE SEQUENCE public.alert_rules_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.alert_rules_id_seq OWNED BY public.alert_rules.id;

CREATE TABLE public.categories (
    id bigint NOT NULL,
    name character varying(100) NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT categories_name_check CHECK ((length(btrim((name)::text)) > 0))
);

CREATE SEQUENCE public.categories_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.categories_id_seq OWNED BY public.categories.id;

CREATE TABLE public.count_events (
    id bigint NOT NULL,
    session_id bigint NOT NULL,
    event character varying(16) NOT NULL,
    product_id bigint,
    quantity integer,
    detail text DEFAULT ''::text NOT NULL,
    user_id bigint,
    os_user text DEFAULT NULLIF(current_setting('invtui.os_user'::text, true), ''::text),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT count_events_event_check CHECK (((event)::text = ANY ((ARRAY['started'::character varying, 'scanned'::character varying, 'recounted'::character varying, 'reason'::character varying, 'approved'::character varying, 'posted'::character varying, 'abandoned'::character varying])::text[])))
);

CREATE SEQUENCE public.count_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.count_events_id_seq OWNED BY public.count_events.id;

CREATE TABLE public.count_lines (
    id bigint NOT NULL,
    session_id bigint NOT NULL,
    product_id bigint NOT NULL,
    counted integer NOT NULL,
    ledger_position bigint DEFAULT 0 NOT NULL,
    counted_at timestamp with time zone DEFAULT now() NOT NULL,
    counted_by bigint,
    recounts integer DEFAULT 0 NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    expected_at_post integer,
    posted_difference integer,
    posted_at timestamp with time zone,
    CONSTRAINT count_lines_counted_check CHECK ((counted >= 0)),
    CONSTRAINT count_lines_expected_at_post_check CHECK ((expected_at_post >= 0)),
    CONSTRAINT count_lines_ledger_position_check CHECK ((ledger_position >= 0)),
    CONSTRAINT count_lines_posted_at_together CHECK (((expected_at_post IS NULL) = (posted_at IS NULL))),
    CONSTRAINT count_lines_posted_together CHECK (((expected_at_post IS NULL) = (posted_difference IS NULL))),
    CONSTRAINT count_lines_recounts_check CHECK ((recounts >= 0))
);

CREATE SEQUENCE public.count_lines_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.count_lines_id_seq OWNED BY public.count_lines.id;

CREATE SEQUENCE public.count_session_numbers
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE public.count_sessions (
    id bigint NOT NULL,
    reference character varying(100) DEFAULT ('CNT-'::text || lpad((nextval('public.count_session_numbers'::regclass))::text, 6, '0'::text)) NOT NULL,
    location_id bigint NOT NULL,
    owner_id bigint NOT NULL,
    blind boolean DEFAULT true NOT NULL,
    status character varying(16) DEFAULT 'open'::character varying NOT NULL,
    approved_by bigint,
    approved_at timestamp with time zone,
    closed_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    CONSTRAINT count_sessions_approval_complete CHECK (((approved_by IS NULL) = (approved_at IS NULL))),
    CONSTRAINT count_sessions_closed_when_done CHECK ((((status)::text = 'open'::text) = (closed_at IS NULL))),
    CONSTRAINT count_sessions_status_check CHECK (((status)::text = ANY ((ARRAY['open'::character varying, 'posted'::character varying, 'abandoned'::character varying])::text[])))
);

CREATE SEQUENCE public.count_sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.count_sessions_id_seq OWNED BY public.count_sessions.id;

CREATE TABLE public.demand_settings (
    id boolean DEFAULT true NOT NULL,
    window_days integer DEFAULT 28 NOT NULL,
    safety_days integer DEFAULT 0 NOT NULL,
    review_days integer DEFAULT 7 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    judged_at timestamp with time zone,
    usage_window integer,
    usage_refresh_rows integer DEFAULT 5000 NOT NULL,
    usage_refresh_ms integer DEFAULT 300 NOT NULL,
    CONSTRAINT demand_settings_id_check CHECK (id),
    CONSTRAINT demand_settings_review_days_check CHECK (((review_days >= 0) AND (review_days <= 365))),
    CONSTRAINT demand_settings_safety_days_check CHECK (((safety_days >= 0) AND (safety_days <= 365))),
    CONSTRAINT demand_settings_usage_refresh_ms_check CHECK (((usage_refresh_ms >= 1) AND (usage_refresh_ms <= 60000))),
    CONSTRAINT demand_settings_usage_refresh_rows_check CHECK (((usage_refresh_rows >= 1) AND (usage_refresh_rows <= 1000000))),
    CONSTRAINT demand_settings_window_days_check CHECK (((window_days >= 1) AND (window_days <= 365)))
);

COMMENT ON COLUMN public.demand_settings.usage_refresh_rows IS 'At most this many stock rows whose kept usage ran out of days are computed again by one full sweep (the longest-expired first); the next sweeps do the rest. A change of window_days still computes every row.';

COMMENT ON COLUMN public.demand_settings.usage_refresh_ms IS 'A full sweep stops computing kept usage again (between batches of 250 rows) once it has spent this long on it.';

CREATE TABLE public.stock_movements (
    id bigint NOT NULL,
    product_id bigint NOT NULL,
    location_id bigint NOT NULL,
    kind character varying(16) NOT NULL,
    quantity_delta integer DEFAULT 0 NOT NULL,
    reserved_delta integer DEFAULT 0 NOT NULL,
    reference character varying(100) DEFAULT ''::character varying NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    user_id bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    os_user text DEFAULT NULLIF(current_setting('invtui.os_user'::text, true), ''::text),
    CONSTRAINT stock_movements_kind_check CHECK (((kind)::text = ANY ((ARRAY['receive'::character varying, 'issue'::character varying, 'adjust'::character varying, 'transfer_out'::character varying, 'transfer_in'::character varying, 'reserve'::character varying, 'release'::character varying, 'po_receipt'::character varying])::text[]))),
    CONSTRAINT stock_movements_moves_something CHECK (((quantity_delta <> 0) OR (reserved_delta <> 0)))
);

CREATE VIEW public.demand_usage AS
 SELECT product_id,
    location_id,
    count(*) FILTER (WHERE (quantity_delta < 0)) AS outbound,
    GREATEST((- sum(quantity_delta)), (0)::bigint) AS used,
    min(created_at) AS oldest,
    COALESCE((- sum(quantity_delta) FILTER (WHERE (quantity_delta < 0))), (0)::bigint) AS issued
   FROM public.stock_movements m
  WHERE (((kind)::text = 'issue'::text) AND (created_at >= public.demand_window_start()) AND (created_at <= public.demand_now()))
  GROUP BY product_id, location_id;

CREATE TABLE public.inventory (
    id bigint NOT NULL,
    product_id bigint NOT NULL,
    location_id bigint NOT NULL,
    quantity integer DEFAULT 0 NOT NULL,
    reserved_quantity integer DEFAULT 0 NOT NULL,
    available_quantity integer GENERATED ALWAYS AS ((quantity - reserved_quantity)) STORED,
    unit_cost numeric(12,2),
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    avg_daily_usage numeric,
    usage_from date,
    usage_until date,
    usage_bound numeric,
    CONSTRAINT inventory_no_negative_stock CHECK ((quantity >= 0)),
    CONSTRAINT inventory_reserved_within_quantity CHECK (((reserved_quantity >= 0) AND (reserved_quantity <= quantity))),
    CONSTRAINT inventory_unit_cost_check CHECK ((unit_cost >= (0)::numeric))
);

COMMENT ON COLUMN public.inventory.usage_bound IS 'The kept usage without returns: no less than inventory_demand''s usage on any day until the row''s next movement, so a row whose kept usage ran out of days has at least available / usage_bound days of cover.';

CREATE TABLE public.item_first_movements (
    product_id bigint NOT NULL,
    location_id bigint NOT NULL,
    first_at timestamp with time zone NOT NULL
);

CREATE VIEW public.demand_kept_usage AS
 SELECT i.id AS inventory_id,
    i.product_id,
    i.location_id,
    x.avg_daily_usage,
    (public.demand_now())::date AS usage_from,
    public.demand_usage_until(x.avg_daily_usage, u.oldest, f.first_at, (fut.product_id IS NOT NULL), ds.window_days) AS usage_until,
    GREATEST(x.avg_daily_usage, public.demand_daily_usage(u.outbound, u.issued, f.first_at, ds.window_days)) AS usage_bound
   FROM (((((public.inventory i
     CROSS JOIN public.demand_settings ds)
     LEFT JOIN public.demand_usage u ON (((u.product_id = i.product_id) AND (u.location_id = i.location_id))))
     LEFT JOIN public.item_first_movements f ON (((f.product_id = i.product_id) AND (f.location_id = i.location_id))))
     LEFT JOIN ( SELECT DISTINCT m.product_id,
            m.location_id
           FROM public.stock_movements m
          WHERE (((m.kind)::text = 'issue'::text) AND (m.created_at > public.demand_now()))) fut ON (((fut.product_id = i.product_id) AND (fut.location_id = i.location_id))))
     CROSS JOIN LATERAL ( SELECT public.demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) AS avg_daily_usage) x);

CREATE TABLE public.products (
    id bigint NOT NULL,
    sku character varying(100) NOT NULL,
    name character varying(255) NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    barcode character varying(64),
    category_id bigint,
    supplier_id bigint,
    unit_price numeric(12,2) DEFAULT 0 NOT NULL,
    cost_price numeric(12,2) DEFAULT 0 NOT NULL,
    min_stock_level integer DEFAULT 0 NOT NULL,
    reorder_point integer,
    max_stock_level integer,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    lead_time_days integer,
    pack_size integer,
    default_location_id bigint,
    CONSTRAINT products_cost_price_check CHECK ((cost_price >= (0)::numeric)),
    CONSTRAINT products_lead_time_days_check CHECK (((lead_time_days >= 0) AND (lead_time_days <= 3650))),
    CONSTRAINT products_max_stock_level_check CHECK ((max_stock_level >= 0)),
    CONSTRAINT products_min_stock_level_check CHECK ((min_stock_level >= 0)),
    CONSTRAINT products_name_check CHECK ((length(btrim((name)::text)) > 0)),
    CONSTRAINT products_pack_size_check CHECK ((pack_size > 0)),
    CONSTRAINT products_reorder_point_check CHECK ((reorder_point >= 0)),
    CONSTRAINT products_sku_check CHECK ((length(btrim((sku)::text)) > 0)),
    CONSTRAINT products_thresholds_ordered CHECK ((((reorder_point IS NULL) OR (reorder_point >= min_stock_level)) AND ((max_stock_level IS NULL) OR (max_stock_level >= COALESCE(reorder_point, min_stock_level))))),
    CONSTRAINT products_unit_price_check CHECK ((unit_price >= (0)::numeric))
);

CREATE TABLE public.suppliers (
    id bigint NOT NULL,
    code character varying(32) NOT NULL,
    name character varying(200) NOT NULL,
    contact_name character varying(200) DEFAULT ''::character varying NOT NULL,
    email character varying(254) DEFAULT ''::character varying NOT NULL,
    phone character varying(50) DEFAULT ''::character varying NOT NULL,
    lead_time_days integer DEFAULT 7 NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT suppliers_code_check CHECK ((length(btrim((code)::text)) > 0)),
    CONSTRAINT suppliers_lead_time_days_check CHECK ((lead_time_days >= 0)),
    CONSTRAINT suppliers_name_check CHECK ((length(btrim((name)::text)) > 0))
);

CREATE VIEW public.product_lead_times AS
 SELECT p.id AS product_id,
    COALESCE(p.lead_time_days, s.lead_time_days) AS lead_time_days
   FROM (public.products p
     LEFT JOIN public.suppliers s ON ((s.id = p.supplier_id)));

CREATE TABLE public.purchase_order_lines (
    id bigint NOT NULL,
    purchase_order_id bigint NOT NULL,
    product_id bigint NOT NULL,
    quantity_ordered integer NOT NULL,
    quantity_received integer DEFAULT 0 NOT NULL,
    unit_cost numeric(12,2) DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    suggested jsonb,
    CONSTRAINT purchase_order_lines_quantity_ordered_check CHECK ((quantity_ordered > 0)),
    CONSTRAINT purchase_order_lines_receipt_within_order CHECK (((quantity_received >= 0) AND (quantity_received <= quantity_ordered))),
    CONSTRAINT purchase_order_lines_unit_cost_check CHECK ((unit_cost >= (0)::numeric))
);

CREATE TABLE public.purchase_orders (
    id bigint NOT NULL,
    number character varying(16) GENERATED ALWAYS AS (('PO-'::text || lpad((id)::text, 6, '0'::text))) STORED,
    supplier_id bigint NOT NULL,
    status character varying(20) DEFAULT 'draft'::character varying NOT NULL,
    notes text DEFAULT ''::text NOT NULL,
    expected_date date,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    submitted_at timestamp with time zone,
    approved_at timestamp with time zone,
    approved_by bigint,
    received_at timestamp with time zone,
    cancelled_at timestamp with time zone,
    cancelled_by bigint,
    location_id bigint,
    CONSTRAINT purchase_orders_status_check CHECK (((status)::text = ANY ((ARRAY['draft'::character varying, 'submitted'::character varying, 'approved'::character varying, 'partially_received'::character varying, 'received'::character varying, 'cancelled'::character varying])::text[])))
);

CREATE VIEW public.demand_on_order AS
 SELECT l.product_id,
    COALESCE(po.location_id, p.default_location_id) AS location_id,
    (sum((l.quantity_ordered - l.quantity_received)))::integer AS on_order,
    (array_agg(po.number ORDER BY x.due, po.id))[1] AS next_po,
    min(x.due) AS next_due
   FROM ((((public.purchase_order_lines l
     JOIN public.purchase_orders po ON ((po.id = l.purchase_order_id)))
     JOIN public.products p ON ((p.id = l.product_id)))
     JOIN public.product_lead_times lt ON ((lt.product_id = l.product_id)))
     CROSS JOIN LATERAL ( SELECT COALESCE(po.expected_date, ((COALESCE(po.approved_at, po.submitted_at, po.created_at) + make_interval(days => COALESCE(lt.lead_time_days, 0))))::date) AS due) x)
  WHERE (((po.status)::text = ANY ((ARRAY['submitted'::character varying, 'approved'::character varying, 'partially_received'::character varying])::text[])) AND (l.quantity_ordered > l.quantity_received))
  GROUP BY l.product_id, COALESCE(po.location_id, p.default_location_id);

CREATE TABLE public.locations (
    id bigint NOT NULL,
    code character varying(32) NOT NULL,
    name character varying(200) DEFAULT ''::character varying NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    count_every_days integer,
    last_counted_at timestamp with time zone,
    CONSTRAINT locations_code_check CHECK ((length(btrim((code)::text)) > 0)),
    CONSTRAINT locations_count_every_days_check CHECK (((count_every_days >= 0) AND (count_every_days <= 3650)))
);

CREATE VIEW public.product_thresholds AS
 SELECT p.id AS product_id,
    p.is_active,
    b.threshold AS base_threshold,
    b.source AS base_source,
    r.product_threshold AS product_rule,
    r.highest_location_threshold,
    COALESCE(r.product_threshold, b.threshold) AS threshold,
        CASE
            WHEN (r.product_threshold IS NOT NULL) THEN 'product rule'::text
            ELSE b.source
        END AS threshold_source
   FROM ((public.products p
     CROSS JOIN LATERAL ( SELECT COALESCE(p.reorder_point, p.min_stock_level) AS threshold,
                CASE
                    WHEN (p.reorder_point IS NOT NULL) THEN 'reorder point'::text
                    ELSE 'min stock level'::text
                END AS source) b)
     LEFT JOIN ( SELECT ar.product_id,
            max(ar.threshold_quantity) FILTER (WHERE (ar.location_id IS NULL)) AS product_threshold,
            max(ar.threshold_quantity) FILTER (WHERE (ar.location_id IS NOT NULL)) AS highest_location_threshold
           FROM public.alert_rules ar
          WHERE ar.is_active
          GROUP BY ar.product_id) r ON ((r.product_id = p.id)));

COMMENT ON VIEW public.product_thresholds IS 'Which threshold wins, for every product: a product rule (an active alert rule without a location) beats the reorder point, which beats the min stock level. With inventory_status (a location rule beats all that) this is the only place the rule is written; everything else reads one of the two.';

CREATE VIEW public.product_alert_thresholds AS
 SELECT product_id,
    threshold,
    threshold_source,
    GREATEST(threshold, COALESCE(highest_location_threshold, 0)) AS highest_threshold,
    COALESCE((highest_location_threshold IS NOT NULL), false) AS has_location_rules
   FROM public.product_thresholds t
  WHERE is_active;

COMMENT ON VIEW public.product_alert_thresholds IS 'product_thresholds of the active products, as the alert engine reads them, plus two facts derived from it for speed: highest_threshold and has_location_rules. Neither decides anything.';

COMMENT ON COLUMN public.product_alert_thresholds.highest_threshold IS 'An upper bound, not a rule: the greatest threshold any row of the product can have (its product threshold or its highest active location rule). A row above it is OK whatever applies, so the full sweep''s probe and the stock triggers skip it; rows at or below it are judged by the rule.';

CREATE TABLE public.stock_alerts (
    id bigint NOT NULL,
    product_id bigint NOT NULL,
    location_id bigint NOT NULL,
    alert_type character varying(16) NOT NULL,
    status character varying(16) DEFAULT 'ACTIVE'::character varying NOT NULL,
    current_quantity integer NOT NULL,
    threshold_quantity integer NOT NULL,
    message text DEFAULT ''::text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    acknowledged_at timestamp with time zone,
    acknowledged_by bigint,
    resolved_at timestamp with time zone,
    resolved_by bigint,
    resolution character varying(16),
    judged_on jsonb,
    covered boolean DEFAULT false NOT NULL,
    CONSTRAINT stock_alerts_alert_type_check CHECK (((alert_type)::text = ANY ((ARRAY['LOW_SOON'::character varying, 'LOW_STOCK'::character varying, 'OUT_OF_STOCK'::character varying])::text[]))),
    CONSTRAINT stock_alerts_closed_consistently CHECK (((((status)::text = ANY ((ARRAY['RESOLVED'::character varying, 'DISMISSED'::character varying])::text[])) = (resolved_at IS NOT NULL)) AND (((status)::text = ANY ((ARRAY['RESOLVED'::character varying, 'DISMISSED'::character varying])::text[])) = (resolution IS NOT NULL)))),
    CONSTRAINT stock_alerts_resolution_check CHECK (((resolution)::text = ANY ((ARRAY['auto'::character varying, 'manual'::character varying, 'dismissed'::character varying])::text[]))),
    CONSTRAINT stock_alerts_status_check CHECK (((status)::text = ANY ((ARRAY['ACTIVE'::character varying, 'ACKNOWLEDGED'::character varying, 'RESOLVED'::character varying, 'DISMISSED'::character varying])::text[])))
);

CREATE VIEW public.inventory_status AS
 SELECT i.id AS inventory_id,
    i.product_id,
    i.location_id,
    p.sku,
    p.name,
    l.code AS location_code,
    i.quantity,
    i.reserved_quantity,
    i.available_quantity,
    COALESCE(rl.threshold_quantity, pt.threshold) AS threshold,
        CASE
            WHEN (rl.id IS NOT NULL) THEN 'location rule'::text
            ELSE pt.threshold_source
        END AS threshold_source,
    public.stock_condition(i.available_quantity, COALESCE(rl.threshold_quantity, pt.threshold)) AS condition,
    a.id AS alert_id,
    a.alert_type,
    a.status AS alert_status,
    a.current_quantity AS alert_quantity,
    a.threshold_quantity AS alert_threshold,
    d.alert_type AS disarmed_at,
    a.covered AS alert_covered
   FROM ((((((public.inventory i
     JOIN public.product_alert_thresholds pt ON ((pt.product_id = i.product_id)))
     JOIN public.products p ON ((p.id = i.product_id)))
     JOIN public.locations l ON ((l.id = i.location_id)))
     LEFT JOIN public.alert_rules rl ON (((rl.product_id = i.product_id) AND (rl.location_id = i.location_id) AND rl.is_active)))
     LEFT JOIN public.stock_alerts a ON (((a.product_id = i.product_id) AND (a.location_id = i.location_id) AND ((a.status)::text = ANY ((ARRAY['ACTIVE'::character varying, 'ACKNOWLEDGED'::character varying])::text[])))))
     LEFT JOIN public.alert_disarmed d ON (((d.product_id = i.product_id) AND (d.location_id = i.location_id))));

COMMENT ON VIEW public.inventory_status IS 'Every stock row as the alert engine judges it: threshold = its active location rule, else product_thresholds.threshold (the location layer of which threshold wins), and its condition.';

CREATE VIEW public.inventory_demand AS
 SELECT inventory_id,
    product_id,
    location_id,
    sku,
    name,
    location_code,
    quantity,
    reserved_quantity,
    available_quantity,
    threshold,
    threshold_source,
    condition,
    alert_id,
    alert_type,
    alert_status,
    alert_quantity,
    alert_threshold,
    disarmed_at,
    alert_covered,
    lead_time_days,
    safety_days,
    avg_daily_usage,
    on_order,
    next_po,
    next_due,
    projected,
    days_of_cover,
    projected_days_of_cover,
    stockout_date,
    public.stock_alert_condition(condition, available_quantity, projected, avg_daily_usage, (lead_time_days + safety_days)) AS alert_condition,
    ((condition <> 'OUT_OF_STOCK'::text) AND (on_order > 0) AND
        CASE
            WHEN (avg_daily_usage > (0)::numeric) THEN ((projected)::numeric >= (avg_daily_usage * ((lead_time_days + safety_days))::numeric))
            ELSE (projected > threshold)
        END) AS covered
   FROM ( SELECT y.inventory_id,
            y.product_id,
            y.location_id,
            y.sku,
            y.name,
            y.location_code,
            y.quantity,
            y.reserved_quantity,
            y.available_quantity,
            y.threshold,
            y.threshold_source,
            y.condition,
            y.alert_id,
            y.alert_type,
            y.alert_status,
            y.alert_quantity,
            y.alert_threshold,
            y.disarmed_at,
            y.alert_covered,
            y.lead_time_days,
            y.safety_days,
            y.avg_daily_usage,
            y.on_order,
            y.next_po,
            y.next_due,
            (y.available_quantity + y.on_order) AS projected,
            round(((y.available_quantity)::numeric / NULLIF(y.avg_daily_usage, (0)::numeric)), 1) AS days_of_cover,
            round((((y.available_quantity + y.on_order))::numeric / NULLIF(y.avg_daily_usage, (0)::numeric)), 1) AS projected_days_of_cover,
            ((public.demand_now())::date + (floor(((GREATEST(y.available_quantity, 0))::numeric / NULLIF(y.avg_daily_usage, (0)::numeric))))::integer) AS stockout_date
           FROM ( SELECT s.inventory_id,
                    s.product_id,
                    s.location_id,
                    s.sku,
                    s.name,
                    s.location_code,
                    s.quantity,
                    s.reserved_quantity,
                    s.available_quantity,
                    s.threshold,
                    s.threshold_source,
                    s.condition,
                    s.alert_id,
                    s.alert_type,
                    s.alert_status,
                    s.alert_quantity,
                    s.alert_threshold,
                    s.disarmed_at,
                    s.alert_covered,
                    lt.lead_time_days,
                    ds.safety_days,
                    public.demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) AS avg_daily_usage,
                    (COALESCE(ol.on_order, 0) + COALESCE(oa.on_order, 0)) AS on_order,
                        CASE
                            WHEN ((oa.next_due IS NULL) OR (ol.next_due <= oa.next_due)) THEN ol.next_po
                            ELSE oa.next_po
                        END AS next_po,
                    LEAST(ol.next_due, oa.next_due) AS next_due
                   FROM ((((((public.inventory_status s
                     CROSS JOIN public.demand_settings ds)
                     LEFT JOIN public.product_lead_times lt ON ((lt.product_id = s.product_id)))
                     LEFT JOIN public.demand_usage u ON (((u.product_id = s.product_id) AND (u.location_id = s.location_id))))
                     LEFT JOIN public.item_first_movements f ON (((f.product_id = s.product_id) AND (f.location_id = s.location_id))))
                     LEFT JOIN public.demand_on_order ol ON (((ol.product_id = s.product_id) AND (ol.location_id = s.location_id))))
                     LEFT JOIN ( SELECT o.product_id,
                            o.on_order,
                            o.next_po,
                            o.next_due
                           FROM public.demand_on_order o
                          WHERE (o.location_id IS NULL)) oa ON ((oa.product_id = s.product_id)))) y) x;

CREATE SEQUENCE public.inventory_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.inventory_id_seq OWNED BY public.inventory.id;

CREATE SEQUENCE public.locations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.locations_id_seq OWNED BY public.locations.id;

CREATE TABLE public.login_throttle (
    client text NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    last_failure_at timestamp with time zone DEFAULT now() NOT NULL,
    blocked_until timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT login_throttle_client_check CHECK (((client <> ''::text) AND (length(client) <= 100))),
    CONSTRAINT login_throttle_failures_check CHECK ((failures >= 0))
);

CREATE TABLE public.notification_reads (
    notification_id bigint NOT NULL,
    user_id bigint NOT NULL,
    read_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.notifications (
    id bigint NOT NULL,
    kind character varying(32) NOT NULL,
    severity character varying(8) DEFAULT 'info'::character varying NOT NULL,
    title character varying(200) NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    link_kind character varying(16),
    link_id bigint,
    target_user_id bigint,
    target_role character varying(16),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notifications_link_kind_check CHECK (((link_kind)::text = ANY ((ARRAY['alert'::character varying, 'po'::character varying, 'sweep'::character varying])::text[]))),
    CONSTRAINT notifications_one_target CHECK (((target_user_id IS NULL) OR (target_role IS NULL))),
    CONSTRAINT notifications_severity_check CHECK (((severity)::text = ANY ((ARRAY['info'::character varying, 'success'::character varying, 'warning'::character varying, 'error'::character varying])::text[]))),
    CONSTRAINT notifications_target_role_check CHECK (((target_role)::text = ANY ((ARRAY['viewer'::character varying, 'operator'::character varying, 'manager'::character varying, 'admin'::character varying])::text[])))
);

CREATE SEQUENCE public.notifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.notifications_id_seq OWNED BY public.notifications.id;

CREATE VIEW public.product_demand AS
 SELECT product_id,
    sku,
    name,
    available_quantity,
    lead_time_days,
    avg_daily_usage,
    on_order,
    projected,
    round(((available_quantity)::numeric / NULLIF(avg_daily_usage, (0)::numeric)), 1) AS days_of_cover,
    round(((projected)::numeric / NULLIF(avg_daily_usage, (0)::numeric)), 1) AS projected_days_of_cover,
    ((public.demand_now())::date + (floor(((GREATEST(available_quantity, 0))::numeric / NULLIF(avg_daily_usage, (0)::numeric))))::integer) AS stockout_date
   FROM ( SELECT p.id AS product_id,
            p.sku,
            p.name,
            i.available_quantity,
            lt.lead_time_days,
            public.demand_daily_usage(u.outbound, u.used, i.first_at, ds.window_days) AS avg_daily_usage,
            COALESCE(o.on_order, 0) AS on_order,
            (i.available_quantity + COALESCE(o.on_order, 0)) AS projected
           FROM (((((public.products p
             CROSS JOIN public.demand_settings ds)
             JOIN ( SELECT i_1.product_id,
                    (sum(i_1.available_quantity))::integer AS available_quantity,
                    ( SELECT min(f.first_at) AS min
                           FROM public.item_first_movements f
                          WHERE (f.product_id = i_1.product_id)) AS first_at
                   FROM public.inventory i_1
                  GROUP BY i_1.product_id) i ON ((i.product_id = p.id)))
             LEFT JOIN public.product_lead_times lt ON ((lt.product_id = p.id)))
             LEFT JOIN ( SELECT u_1.product_id,
                    (sum(u_1.outbound))::bigint AS outbound,
                    (sum(u_1.used))::bigint AS used
                   FROM public.demand_usage u_1
                  GROUP BY u_1.product_id) u ON ((u.product_id = p.id)))
             LEFT JOIN ( SELECT o_1.product_id,
                    (sum(o_1.on_order))::integer AS on_order
                   FROM public.demand_on_order o_1
                  GROUP BY o_1.product_id) o ON ((o.product_id = p.id)))
          WHERE p.is_active) x;

CREATE SEQUENCE public.products_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.products_id_seq OWNED BY public.products.id;

CREATE TABLE public.purchase_order_events (
    id bigint NOT NULL,
    purchase_order_id bigint NOT NULL,
    from_status character varying(20),
    to_status character varying(20) NOT NULL,
    user_id bigint,
    note text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    os_user text DEFAULT NULLIF(current_setting('invtui.os_user'::text, true), ''::text)
);

CREATE SEQUENCE public.purchase_order_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.purchase_order_events_id_seq OWNED BY public.purchase_order_events.id;

CREATE SEQUENCE public.purchase_order_lines_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.purchase_order_lines_id_seq OWNED BY public.purchase_order_lines.id;

CREATE SEQUENCE public.purchase_orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.purchase_orders_id_seq OWNED BY public.purchase_orders.id;

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum character(64) NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.stock_alerts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.stock_alerts_id_seq OWNED BY public.stock_alerts.id;

CREATE SEQUENCE public.stock_movements_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.stock_movements_id_seq OWNED BY public.stock_movements.id;

CREATE SEQUENCE public.suppliers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.suppliers_id_seq OWNED BY public.suppliers.id;

CREATE TABLE public.sweep_runs (
    id bigint NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    duration_ms integer,
    trigger character varying(16) DEFAULT 'scheduled'::character varying NOT NULL,
    host character varying(255) DEFAULT ''::character varying NOT NULL,
    pid integer,
    rows_scanned integer DEFAULT 0 NOT NULL,
    created_count integer DEFAULT 0 NOT NULL,
    escalated_count integer DEFAULT 0 NOT NULL,
    downgraded_count integer DEFAULT 0 NOT NULL,
    resolved_count integer DEFAULT 0 NOT NULL,
    skipped boolean DEFAULT false NOT NULL,
    error text,
    CONSTRAINT sweep_runs_created_count_check CHECK ((created_count >= 0)),
    CONSTRAINT sweep_runs_downgraded_count_check CHECK ((downgraded_count >= 0)),
    CONSTRAINT sweep_runs_duration_ms_check CHECK ((duration_ms >= 0)),
    CONSTRAINT sweep_runs_escalated_count_check CHECK ((escalated_count >= 0)),
    CONSTRAINT sweep_runs_resolved_count_check CHECK ((resolved_count >= 0)),
    CONSTRAINT sweep_runs_rows_scanned_check CHECK ((rows_scanned >= 0)),
    CONSTRAINT sweep_runs_trigger_check CHECK (((trigger)::text = ANY ((ARRAY['scheduled'::character varying, 'manual'::character varying, 'worker'::character varying, 'cli'::character varying])::text[])))
);

CREATE SEQUENCE public.sweep_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.sweep_runs_id_seq OWNED BY public.sweep_runs.id;

CREATE TABLE public.user_events (
    id bigint NOT NULL,
    user_id bigint,
    actor_id bigint,
    kind character varying(32) NOT NULL,
    detail text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    os_user text DEFAULT NULLIF(current_setting('invtui.os_user'::text, true), ''::text),
    CONSTRAINT user_events_kind_check CHECK (((kind)::text = ANY ((ARRAY['created'::character varying, 'login'::character varying, 'login_failed'::character varying, 'locked'::character varying, 'password_changed'::character varying, 'role_changed'::character varying, 'disabled'::character varying, 'enabled'::character varying, 'updated'::character varying])::text[])))
);

CREATE SEQUENCE public.user_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.user_events_id_seq OWNED BY public.user_events.id;

CREATE TABLE public.users (
    id bigint NOT NULL,
    username character varying(64) NOT NULL,
    full_name character varying(200) DEFAULT ''::character varying NOT NULL,
    role character varying(16) NOT NULL,
    password_hash character varying(100) NOT NULL,
    failed_logins integer DEFAULT 0 NOT NULL,
    locked_until timestamp with time zone,
    is_active boolean DEFAULT true NOT NULL,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_failed_logins_check CHECK ((failed_logins >= 0)),
    CONSTRAINT users_role_check CHECK (((role)::text = ANY ((ARRAY['viewer'::character varying, 'operator'::character varying, 'manager'::character varying, 'admin'::character varying])::text[]))),
    CONSTRAINT users_username_check CHECK (((username)::text ~ '^[a-z0-9][a-z0-9._-]{0,63}$'::text))
);

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;

ALTER TABLE ONLY public.alert_events ALTER COLUMN id SET DEFAULT nextval('public.alert_events_id_seq'::regclass);

ALTER TABLE ONLY public.alert_rules ALTER COLUMN id SET DEFAULT nextval('public.alert_rules_id_seq'::regclass);

ALTER TABLE ONLY public.categories ALTER COLUMN id SET DEFAULT nextval('public.categories_id_seq'::regclass);

ALTER TABLE ONLY public.count_events ALTER COLUMN id SET DEFAULT nextval('public.count_events_id_seq'::regclass);

ALTER TABLE ONLY public.count_lines ALTER COLUMN id SET DEFAULT nextval('public.count_lines_id_seq'::regclass);

ALTER TABLE ONLY public.count_sessions ALTER COLUMN id SET DEFAULT nextval('public.count_sessions_id_seq'::regclass);

ALTER TABLE ONLY public.inventory ALTER COLUMN id SET DEFAULT nextval('public.inventory_id_seq'::regclass);

ALTER TABLE ONLY public.locations ALTER COLUMN id SET DEFAULT nextval('public.locations_id_seq'::regclass);

ALTER TABLE ONLY public.notifications ALTER COLUMN id SET DEFAULT nextval('public.notifications_id_seq'::regclass);

ALTER TABLE ONLY public.products ALTER COLUMN id SET DEFAULT nextval('public.products_id_seq'::regclass);

ALTER TABLE ONLY public.purchase_order_events ALTER COLUMN id SET DEFAULT nextval('public.purchase_order_events_id_seq'::regclass);

ALTER TABLE ONLY public.purchase_order_lines ALTER COLUMN id SET DEFAULT nextval('public.purchase_order_lines_id_seq'::regclass);

ALTER TABLE ONLY public.purchase_orders ALTER COLUMN id SET DEFAULT nextval('public.purchase_orders_id_seq'::regclass);

ALTER TABLE ONLY public.stock_alerts ALTER COLUMN id SET DEFAULT nextval('public.stock_alerts_id_seq'::regclass);

ALTER TABLE ONLY public.stock_movements ALTER COLUMN id SET DEFAULT nextval('public.stock_movements_id_seq'::regclass);

ALTER TABLE ONLY public.suppliers ALTER COLUMN id SET DEFAULT nextval('public.suppliers_id_seq'::regclass);

ALTER TABLE ONLY public.sweep_runs ALTER COLUMN id SET DEFAULT nextval('public.sweep_runs_id_seq'::regclass);

ALTER TABLE ONLY public.user_events ALTER COLUMN id SET DEFAULT nextval('public.user_events_id_seq'::regclass);

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);

ALTER TABLE ONLY public.alert_disarmed
    ADD CONSTRAINT alert_disarmed_pkey PRIMARY KEY (product_id, location_id);

ALTER TABLE ONLY public.alert_events
    ADD CONSTRAINT alert_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.alert_rules
    ADD CONSTRAINT alert_rules_one_per_scope UNIQUE NULLS NOT DISTINCT (product_id, location_id);

ALTER TABLE ONLY public.alert_rules
    ADD CONSTRAINT alert_rules_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.categories
    ADD CONSTRAINT categories_name_key UNIQUE (name);

ALTER TABLE ONLY public.categories
    ADD CONSTRAINT categories_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.count_events
    ADD CONSTRAINT count_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.count_lines
    ADD CONSTRAINT count_lines_one_per_item UNIQUE (session_id, product_id);

ALTER TABLE ONLY public.count_lines
    ADD CONSTRAINT count_lines_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.count_sessions
    ADD CONSTRAINT count_sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.count_sessions
    ADD CONSTRAINT count_sessions_reference_key UNIQUE (reference);

ALTER TABLE ONLY public.demand_settings
    ADD CONSTRAINT demand_settings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.inventory
    ADD CONSTRAINT inventory_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.item_first_movements
    ADD CONSTRAINT item_first_movements_pkey PRIMARY KEY (product_id, location_id);

ALTER TABLE ONLY public.locations
    ADD CONSTRAINT locations_code_key UNIQUE (code);

ALTER TABLE ONLY public.locations
    ADD CONSTRAINT locations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (client);

ALTER TABLE ONLY public.notification_reads
    ADD CONSTRAINT notification_reads_pkey PRIMARY KEY (notification_id, user_id);

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_barcode_key UNIQUE (barcode);

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_sku_key UNIQUE (sku);

ALTER TABLE ONLY public.purchase_order_events
    ADD CONSTRAINT purchase_order_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.purchase_order_lines
    ADD CONSTRAINT purchase_order_lines_one_per_product UNIQUE (purchase_order_id, product_id);

ALTER TABLE ONLY public.purchase_order_lines
    ADD CONSTRAINT purchase_order_lines_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.purchase_orders
    ADD CONSTRAINT purchase_orders_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.stock_alerts
    ADD CONSTRAINT stock_alerts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.stock_movements
    ADD CONSTRAINT stock_movements_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.suppliers
    ADD CONSTRAINT suppliers_code_key UNIQUE (code);

ALTER TABLE ONLY public.suppliers
    ADD CONSTRAINT suppliers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sweep_runs
    ADD CONSTRAINT sweep_runs_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.user_events
    ADD CONSTRAINT user_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);

CREATE INDEX idx_alert_events_alert ON public.alert_events USING btree (alert_id, id);

CREATE INDEX idx_alert_events_created_at ON public.alert_events USING btree (created_at);

CREATE INDEX idx_alert_events_user_created_at ON public.alert_events USING btree (user_id, created_at);

CREATE INDEX idx_count_events_created_at ON public.count_events USING btree (created_at);

CREATE INDEX idx_count_events_session ON public.count_events USING btree (session_id, id);

CREATE INDEX idx_count_events_user_created_at ON public.count_events USING btree (user_id, created_at);

CREATE INDEX idx_count_lines_posted_at ON public.count_lines USING btree (posted_at) WHERE (posted_at IS NOT NULL);

CREATE INDEX idx_count_lines_product ON public.count_lines USING btree (product_id);

CREATE INDEX idx_count_sessions_status ON public.count_sessions USING btree (status, id);

CREATE INDEX idx_inventory_available_quantity ON public.inventory USING btree (available_quantity);

CREATE INDEX idx_inventory_cover ON public.inventory USING btree (round(((available_quantity)::numeric / avg_daily_usage), 1), product_id, location_id) WHERE (avg_daily_usage > (0)::numeric);

CREATE INDEX idx_inventory_location ON public.inventory USING btree (location_id);

CREATE INDEX idx_inventory_product_available ON public.inventory USING btree (product_id, available_quantity) INCLUDE (location_id);

CREATE UNIQUE INDEX idx_inventory_product_location ON public.inventory USING btree (product_id, location_id);

CREATE INDEX idx_inventory_usage_from ON public.inventory USING btree (usage_from);

CREATE INDEX idx_inventory_usage_unbounded ON public.inventory USING btree (usage_until) WHERE ((usage_bound IS NULL) AND (avg_daily_usage IS NOT NULL));

CREATE INDEX idx_inventory_usage_until ON public.inventory USING btree (usage_until, round(((available_quantity)::numeric / NULLIF(usage_bound, (0)::numeric)), 1));

CREATE INDEX idx_notifications_created_at ON public.notifications USING btree (created_at);

CREATE INDEX idx_notifications_target_user ON public.notifications USING btree (target_user_id) WHERE (target_user_id IS NOT NULL);

CREATE INDEX idx_products_category ON public.products USING btree (category_id);

CREATE INDEX idx_products_supplier ON public.products USING btree (supplier_id);

CREATE INDEX idx_purchase_order_events_created_at ON public.purchase_order_events USING btree (created_at);

CREATE INDEX idx_purchase_order_events_po ON public.purchase_order_events USING btree (purchase_order_id, id);

CREATE INDEX idx_purchase_order_events_user_created_at ON public.purchase_order_events USING btree (user_id, created_at);

CREATE INDEX idx_purchase_order_lines_product ON public.purchase_order_lines USING btree (product_id);

CREATE UNIQUE INDEX idx_purchase_orders_number ON public.purchase_orders USING btree (number);

CREATE INDEX idx_purchase_orders_open ON public.purchase_orders USING btree (id) INCLUDE (location_id) WHERE ((status)::text = ANY ((ARRAY['submitted'::character varying, 'approved'::character varying, 'partially_received'::character varying])::text[]));

CREATE INDEX idx_purchase_orders_status ON public.purchase_orders USING btree (status);

CREATE INDEX idx_purchase_orders_supplier ON public.purchase_orders USING btree (supplier_id);

CREATE INDEX idx_stock_alerts_list ON public.stock_alerts USING btree (alert_type DESC, created_at DESC, id DESC);

CREATE INDEX idx_stock_alerts_open_list ON public.stock_alerts USING btree (alert_type DESC, created_at DESC, id DESC) WHERE ((status)::text = ANY ((ARRAY['ACTIVE'::character varying, 'ACKNOWLEDGED'::character varying])::text[]));

CREATE INDEX idx_stock_alerts_product_location ON public.stock_alerts USING btree (product_id, location_id);

CREATE INDEX idx_stock_alerts_status_list ON public.stock_alerts USING btree (status, alert_type DESC, created_at DESC, id DESC);

CREATE INDEX idx_stock_movements_created_at ON public.stock_movements USING btree (created_at);

CREATE INDEX idx_stock_movements_issues_item ON public.stock_movements USING btree (product_id, location_id, created_at) INCLUDE (quantity_delta) WHERE ((kind)::text = 'issue'::text);

CREATE INDEX idx_stock_movements_issues_time ON public.stock_movements USING btree (created_at) INCLUDE (product_id, location_id, quantity_delta) WHERE ((kind)::text = 'issue'::text);

CREATE INDEX idx_stock_movements_item ON public.stock_movements USING btree (product_id, location_id, id);

CREATE INDEX idx_stock_movements_user_created_at ON public.stock_movements USING btree (user_id, created_at);

CREATE INDEX idx_sweep_runs_started_at ON public.sweep_runs USING btree (started_at);

CREATE INDEX idx_user_events_created_at ON public.user_events USING btree (created_at);

CREATE INDEX idx_user_events_who_created_at ON public.user_events USING btree (COALESCE(actor_id, user_id), created_at);

CREATE UNIQUE INDEX uq_categories_name_ci ON public.categories USING btree (lower((name)::text));

CREATE UNIQUE INDEX uq_count_sessions_one_open ON public.count_sessions USING btree (location_id) WHERE ((status)::text = 'open'::text);

CREATE UNIQUE INDEX uq_locations_code_ci ON public.locations USING btree (lower((code)::text));

CREATE UNIQUE INDEX uq_stock_alerts_one_open ON public.stock_alerts USING btree (product_id, location_id) WHERE ((status)::text = ANY ((ARRAY['ACTIVE'::character varying, 'ACKNOWLEDGED'::character varying])::text[]));

CREATE UNIQUE INDEX uq_suppliers_code_ci ON public.suppliers USING btree (lower((code)::text));

CREATE UNIQUE INDEX uq_suppliers_name_ci ON public.suppliers USING btree (lower((name)::text));

CREATE TRIGGER alert_rules_on_delete AFTER DELETE ON public.alert_rules REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.alert_rules_after_change();

CREATE TRIGGER alert_rules_on_insert AFTER INSERT ON public.alert_rules REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.alert_rules_after_change();

CREATE TRIGGER alert_rules_on_update AFTER UPDATE ON public.alert_rules REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.alert_rules_after_change();

CREATE TRIGGER inventory_alerts_on_insert AFTER INSERT ON public.inventory REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION public.inventory_alerts_after_insert();

CREATE TRIGGER inventory_alerts_on_update AFTER UPDATE ON public.inventory REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.inventory_alerts_after_update();

CREATE TRIGGER products_alerts_on_update AFTER UPDATE ON public.products REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.products_alerts_after_update();

CREATE TRIGGER purchase_order_lines_alerts_on_delete AFTER DELETE ON public.purchase_order_lines REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.purchase_order_lines_alerts_after_change();

CREATE TRIGGER purchase_order_lines_alerts_on_insert AFTER INSERT ON public.purchase_order_lines REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.purchase_order_lines_alerts_after_change();

CREATE TRIGGER purchase_order_lines_alerts_on_update AFTER UPDATE ON public.purchase_order_lines REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.purchase_order_lines_alerts_after_change();

CREATE TRIGGER purchase_orders_alerts_on_update AFTER UPDATE ON public.purchase_orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.purchase_orders_alerts_after_update();

CREATE TRIGGER stock_movements_first_movement AFTER INSERT ON public.stock_movements REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.item_first_movements_after_insert();

CREATE TRIGGER stock_movements_no_rewrite BEFORE DELETE OR UPDATE ON public.stock_movements FOR EACH STATEMENT EXECUTE FUNCTION public.stock_movements_append_only();

CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON public.stock_movements FOR EACH STATEMENT EXECUTE FUNCTION public.stock_movements_append_only();

CREATE TRIGGER stock_movements_usage AFTER INSERT ON public.stock_movements REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.demand_usage_after_insert();

ALTER TABLE ONLY public.alert_disarmed
    ADD CONSTRAINT alert_disarmed_alert_id_fkey FOREIGN KEY (alert_id) REFERENCES public.stock_alerts(id);

ALTER TABLE ONLY public.alert_disarmed
    ADD CONSTRAINT alert_disarmed_inventory_fk FOREIGN KEY (product_id, location_id) REFERENCES public.inventory(product_id, location_id);

ALTER TABLE ONLY public.alert_events
    ADD CONSTRAINT alert_events_alert_id_fkey FOREIGN KEY (alert_id) REFERENCES public.stock_alerts(id);

ALTER TABLE ONLY public.alert_events
    ADD CONSTRAINT alert_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.alert_rules
    ADD CONSTRAINT alert_rules_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.alert_rules
    ADD CONSTRAINT alert_rules_location_id_fkey FOREIGN KEY (location_id) REFERENCES public.locations(id);

ALTER TABLE ONLY public.alert_rules
    ADD CONSTRAINT alert_rules_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

ALTER TABLE ONLY public.count_events
    ADD CONSTRAINT count_events_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

ALTER TABLE ONLY public.count_events
    ADD CONSTRAINT count_events_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.count_sessions(id);

ALTER TABLE ONLY public.count_events
    ADD CONSTRAINT count_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.count_lines
    ADD CONSTRAINT count_lines_counted_by_fkey FOREIGN KEY (counted_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.count_lines
    ADD CONSTRAINT count_lines_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

ALTER TABLE ONLY public.count_lines
    ADD CONSTRAINT count_lines_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.count_sessions(id);

ALTER TABLE ONLY public.count_sessions
    ADD CONSTRAINT count_sessions_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.count_sessions
    ADD CONSTRAINT count_sessions_closed_by_fkey FOREIGN KEY (closed_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.count_sessions
    ADD CONSTRAINT count_sessions_location_id_fkey FOREIGN KEY (location_id) REFERENCES public.locations(id);

ALTER TABLE ONLY public.count_sessions
    ADD CONSTRAINT count_sessions_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.inventory
    ADD CONSTRAINT inventory_location_id_fkey FOREIGN KEY (location_id) REFERENCES public.locations(id);

ALTER TABLE ONLY public.inventory
    ADD CONSTRAINT inventory_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

ALTER TABLE ONLY public.notification_reads
    ADD CONSTRAINT notification_reads_notification_id_fkey FOREIGN KEY (notification_id) REFERENCES public.notifications(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.notification_reads
    ADD CONSTRAINT notification_reads_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_target_user_id_fkey FOREIGN KEY (target_user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_category_id_fkey FOREIGN KEY (category_id) REFERENCES public.categories(id);

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_default_location_id_fkey FOREIGN KEY (default_location_id) REFERENCES public.locations(id);

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_supplier_id_fkey FOREIGN KEY (supplier_id) REFERENCES public.suppliers(id);

ALTER TABLE ONLY public.purchase_order_events
    ADD CONSTRAINT purchase_order_events_purchase_order_id_fkey FOREIGN KEY (purchase_order_id) REFERENCES public.purchase_orders(id);

ALTER TABLE ONLY public.purchase_order_events
    ADD CONSTRAINT purchase_order_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.purchase_order_lines
    ADD CONSTRAINT purchase_order_lines_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

ALTER TABLE ONLY public.purchase_order_lines
    ADD CONSTRAINT purchase_order_lines_purchase_order_id_fkey FOREIGN KEY (purchase_order_id) REFERENCES public.purchase_orders(id);

ALTER TABLE ONLY public.purchase_orders
    ADD CONSTRAINT purchase_orders_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.purchase_orders
    ADD CONSTRAINT purchase_orders_cancelled_by_fkey FOREIGN KEY (cancelled_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.purchase_orders
    ADD CONSTRAINT purchase_orders_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.purchase_orders
    ADD CONSTRAINT purchase_orders_location_id_fkey FOREIGN KEY (location_id) REFERENCES public.locations(id);

ALTER TABLE ONLY public.purchase_orders
    ADD CONSTRAINT purchase_orders_supplier_id_fkey FOREIGN KEY (supplier_id) REFERENCES public.suppliers(id);

ALTER TABLE ONLY public.stock_alerts
    ADD CONSTRAINT stock_alerts_acknowledged_by_fkey FOREIGN KEY (acknowledged_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.stock_alerts
    ADD CONSTRAINT stock_alerts_inventory_fk FOREIGN KEY (product_id, location_id) REFERENCES public.inventory(product_id, location_id);

ALTER TABLE ONLY public.stock_alerts
    ADD CONSTRAINT stock_alerts_location_id_fkey FOREIGN KEY (location_id) REFERENCES public.locations(id);

ALTER TABLE ONLY public.stock_alerts
    ADD CONSTRAINT stock_alerts_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

ALTER TABLE ONLY public.stock_alerts
    ADD CONSTRAINT stock_alerts_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.stock_movements
    ADD CONSTRAINT stock_movements_location_id_fkey FOREIGN KEY (location_id) REFERENCES public.locations(id);

ALTER TABLE ONLY public.stock_movements
    ADD CONSTRAINT stock_movements_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

ALTER TABLE ONLY public.stock_movements
    ADD CONSTRAINT stock_movements_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.user_events
    ADD CONSTRAINT user_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.user_events
    ADD CONSTRAINT user_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
