-- invtui schema, version 15: a LOW alert that stock on order already covers is said to be covered
-- when it is raised, not only on the alerts screen (issue 17: "shown as covered rather than as
-- needing action; OUT always needs action").
--
-- The engine (evaluate_stock_alert_items_judged, version 10's judging, renamed by version 12 and
-- unchanged since) is replaced with the same body but for two things:
--   * the notification of a covered LOW alert created or escalated is severity 'info' and
--     its title says so ('LOW STOCK (covered): Gear at L1, 20 left, 200 on PO-000001 due
--     2026-12-06'), not the warning 'LOW STOCK: ... (threshold 20)' every operator got;
--   * the alert.* events it sends carry `covered` and the figures of the on-order words (on_order,
--     next_po, next_due from judged_on), so the app's toast can say the same in its own words.
-- Only LOW_STOCK is ever quieted: inventory_demand.covered is false for OUT, and a RUNS OUT SOON
-- alert that stock on order covers resolves instead.

-- '200 on PO-000031 due 2026-12-06' (the words of invtui.domain.demand.on_order_words, with the
-- date itself: a stored title cannot count days).
CREATE FUNCTION stock_alert_on_order_words(judged_on jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN coalesce((judged_on->>'on_order')::integer, 0) = 0 THEN ''
                WHEN judged_on->>'next_po' IS NULL THEN format('%s on order', judged_on->>'on_order')
                ELSE format('%s on %s', judged_on->>'on_order', judged_on->>'next_po')
                     || coalesce(' due ' || (judged_on->>'next_due'), '')
           END
$$;

-- Version 10's engine (see there), its transitions now knowing whether the alert is covered.
CREATE OR REPLACE FUNCTION evaluate_stock_alert_items_judged(p_product_ids bigint[] DEFAULT NULL, p_location_ids bigint[] DEFAULT NULL)
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
