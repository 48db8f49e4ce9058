-- Products get a default location; stock on order follows it (issue 17).
--
-- Issue 17's rule for stock on order: "outstanding quantity on submitted and approved POs for that
-- item (to the location when the PO names one, else the item's default location or all)". Version
-- 10 had no default location, so a PO naming none counted for every location of the item. Now:
--   - a PO naming a location (purchase_orders.location_id) counts for that location;
--   - a PO naming none counts for the product's default location when it has one;
--   - else, as before, for every location of the item.

-- Where a product is usually kept and delivered to; NULL: no default.
ALTER TABLE products ADD COLUMN default_location_id bigint REFERENCES locations(id);

-- The only change to version 10's view: the location a line counts for is the PO's, else the
-- product's default (NULL: every location, read by inventory_demand's `oa` join as before). Same
-- columns, so inventory_demand and product_demand read it unchanged.
CREATE OR REPLACE VIEW demand_on_order AS
SELECT l.product_id, coalesce(po.location_id, p.default_location_id) AS location_id,
       sum(l.quantity_ordered - l.quantity_received)::integer AS on_order,
       (array_agg(po.number ORDER BY x.due, po.id))[1] AS next_po,
       min(x.due) AS next_due
  FROM purchase_order_lines l
  JOIN purchase_orders po ON po.id = l.purchase_order_id
  JOIN products p ON p.id = l.product_id
  JOIN product_lead_times lt ON lt.product_id = l.product_id
 CROSS JOIN LATERAL (SELECT coalesce(po.expected_date, (coalesce(po.approved_at, po.submitted_at, po.created_at)
                                                        + make_interval(days => coalesce(lt.lead_time_days, 0)))::date) AS due) x
 WHERE po.status IN ('submitted', 'approved', 'partially_received') AND l.quantity_ordered > l.quantity_received
 GROUP BY l.product_id, coalesce(po.location_id, p.default_location_id);

-- As in version 10, and a product's default location too: its stock on order moves between
-- locations, so its rows are judged again (a LOW alert may become covered, RUNS OUT SOON resolve).
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
               OR n.supplier_id IS DISTINCT FROM o.supplier_id
               OR n.default_location_id IS DISTINCT FROM o.default_location_id);
    IF v_ids IS NOT NULL THEN
        PERFORM evaluate_stock_alerts(v_ids);
    END IF;
    RETURN NULL;
END $$;
