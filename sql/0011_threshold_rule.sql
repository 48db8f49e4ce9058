-- Which threshold wins, written once (issue 18).
--
-- Before this, "a product rule beats the reorder point, which beats the min stock level" was
-- spelled out in product_alert_thresholds and again, with its words, in the rule-effects query of
-- services/alert_rules.py. Now `product_thresholds` says it once, for every product (active or
-- not), with what applies without any rule (`base_*`) beside what applies (`threshold*`);
-- product_alert_thresholds (what the alert engine reads) and the rule-effects query read it.
-- The location layer ("a location rule beats all that") is inventory_status's, as before.

CREATE VIEW product_thresholds AS
SELECT p.id                                                        AS product_id,
       p.is_active,
       b.threshold                                                 AS base_threshold,
       b.source                                                    AS base_source,
       r.product_threshold                                         AS product_rule,
       r.highest_location_threshold,
       coalesce(r.product_threshold, b.threshold)                  AS threshold,
       CASE WHEN r.product_threshold IS NOT NULL THEN 'product rule' ELSE b.source END AS threshold_source
  FROM products p
 CROSS JOIN LATERAL (
       SELECT coalesce(p.reorder_point, p.min_stock_level) AS threshold,
              CASE WHEN p.reorder_point IS NOT NULL THEN 'reorder point' ELSE 'min stock level' END AS source
       ) b
  LEFT JOIN (SELECT ar.product_id,
                    max(ar.threshold_quantity) FILTER (WHERE ar.location_id IS NULL)     AS product_threshold,
                    max(ar.threshold_quantity) FILTER (WHERE ar.location_id IS NOT NULL) AS highest_location_threshold
               FROM alert_rules ar
              WHERE ar.is_active
              GROUP BY ar.product_id) r ON r.product_id = p.id;

-- The same columns as before (the engine's functions read them), now from product_thresholds.
CREATE OR REPLACE VIEW product_alert_thresholds AS
SELECT t.product_id,
       t.threshold,
       t.threshold_source,
       greatest(t.threshold, coalesce(t.highest_location_threshold, 0)) AS highest_threshold,
       coalesce(t.highest_location_threshold IS NOT NULL, false)        AS has_location_rules
  FROM product_thresholds t
 WHERE t.is_active;
