-- invtui schema, version 5: indexes for what the code queries, names unique as they are matched,
-- a ledger that refuses TRUNCATE too (issue 18, "The schema").

-- `invtui audit --user U [--since T]`: each branch filters by the person who acted and sorts by
-- time (invtui/services/audit.py), so each gets (who, when).
CREATE INDEX idx_stock_movements_user_created_at ON stock_movements (user_id, created_at);
CREATE INDEX idx_alert_events_user_created_at ON alert_events (user_id, created_at);
CREATE INDEX idx_purchase_order_events_user_created_at ON purchase_order_events (user_id, created_at);
CREATE INDEX idx_user_events_who_created_at ON user_events ((coalesce(actor_id, user_id)), created_at);
-- `invtui audit --since T` over PO history (the other event tables have theirs since version 1)
CREATE INDEX idx_purchase_order_events_created_at ON purchase_order_events (created_at);

-- The alert list beyond the open alerts (invtui/services/alerts.py list_alerts: one status, or
-- all), OUT before LOW, newest first, paged by keyset: the same order as idx_stock_alerts_open_list.
-- The one-status index starts with status, so it replaces idx_stock_alerts_status.
CREATE INDEX idx_stock_alerts_status_list ON stock_alerts (status, alert_type DESC, created_at DESC, id DESC);
CREATE INDEX idx_stock_alerts_list ON stock_alerts (alert_type DESC, created_at DESC, id DESC);
DROP INDEX idx_stock_alerts_status;

-- Names and codes unique as they are matched: a category by its name in any case, a supplier by
-- its code in any case or its name, a location by its code in any case (invtui/services/lookup.py,
-- catalog.py). Location names are descriptions, never matched, and may be empty: not unique.
-- Existing case duplicates (possible only through psql or an import that bypassed the services)
-- must not stop the upgrade: every duplicate but the oldest (lowest id) gets " #<id>" appended
-- (codes: "#<id>", the code alphabet allows it), cut to fit its column, and a WARNING says how many.
DO $$
DECLARE
    v record;
    v_n integer;
    v_renamed integer := 0;
BEGIN
    FOR v IN SELECT * FROM (VALUES ('categories', 'name', 100, ' #'), ('suppliers', 'name', 200, ' #'),
                                   ('suppliers', 'code', 32, '#'), ('locations', 'code', 32, '#'))
                               AS t (tab, col, width, sep) LOOP
        EXECUTE format(
            'WITH dup AS (SELECT id, row_number() OVER (PARTITION BY lower(%2$I) ORDER BY id) AS n FROM %1$I)
             UPDATE %1$I x SET %2$I = left(x.%2$I, %3$s - length(%4$L || x.id)) || %4$L || x.id
               FROM dup WHERE dup.id = x.id AND dup.n > 1', v.tab, v.col, v.width, v.sep);
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_renamed := v_renamed + v_n;
    END LOOP;
    IF v_renamed > 0 THEN
        RAISE WARNING 'invtui 0005: % case-duplicate names or codes renamed with their id appended (" #id")', v_renamed;
    END IF;
END $$;

CREATE UNIQUE INDEX uq_categories_name_ci ON categories (lower(name));
CREATE UNIQUE INDEX uq_suppliers_name_ci ON suppliers (lower(name));
CREATE UNIQUE INDEX uq_suppliers_code_ci ON suppliers (lower(code));
CREATE UNIQUE INDEX uq_locations_code_ci ON locations (lower(code));

-- The ledger is append-only: TRUNCATE would erase history as surely as DELETE.
CREATE TRIGGER stock_movements_no_truncate
    BEFORE TRUNCATE ON stock_movements
    FOR EACH STATEMENT EXECUTE FUNCTION stock_movements_append_only();
