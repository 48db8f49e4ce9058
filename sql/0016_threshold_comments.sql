-- Where "which threshold wins" lives, said on the objects themselves (issue 18), so a reader of
-- sql/schema.sql (or \d+ in psql) finds it beside the definitions. Comments only: nothing changes.

COMMENT ON VIEW product_thresholds IS
'Which threshold wins, for every product: a product rule (an active alert rule without a location) '
'beats the reorder point, which beats the min stock level. With inventory_status (a location rule '
'beats all that) this is the only place the rule is written; everything else reads one of the two.';

COMMENT ON VIEW inventory_status IS
'Every stock row as the alert engine judges it: threshold = its active location rule, else '
'product_thresholds.threshold (the location layer of which threshold wins), and its condition.';

COMMENT ON VIEW product_alert_thresholds IS
'product_thresholds of the active products, as the alert engine reads them, plus two facts derived '
'from it for speed: highest_threshold and has_location_rules. Neither decides anything.';

COMMENT ON COLUMN product_alert_thresholds.highest_threshold IS
'An upper bound, not a rule: the greatest threshold any row of the product can have (its product '
'threshold or its highest active location rule). A row above it is OK whatever applies, so the '
'full sweep''s probe and the stock triggers skip it; rows at or below it are judged by the rule.';

COMMENT ON FUNCTION stock_alert_probe() IS
'The full sweep''s fast probe: the rows of active products at or below highest_threshold (the bound), '
'each with the threshold inventory_status gives it (its active location rule, else '
'product_thresholds.threshold: the same lookup, repeated here only for its index-only plan). '
'tests/test_alert_engine_model.py checks the sweep against domain.alerts.sweep_action.';

COMMENT ON FUNCTION inventory_alerts_after_update() IS
'Which changed stock rows to judge: highest_threshold is only a prefilter bound (with open alerts, '
'disarmed items and items that may run short soon); the judging, and which threshold wins, is '
'inventory_status''s and product_thresholds''.';
