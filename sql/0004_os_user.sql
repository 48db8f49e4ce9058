-- 0004: the audit records the real OS account behind each change (issue 13).
--
-- The acting invtui user can be named (--user, INVTUI_USER, --ssh-user, trust_os_user) by a
-- caller who holds the database secret; the audit then also keeps who that caller really was.
-- Every invtui connection sets `invtui.os_user` at startup (libpq options), so the histories
-- fill the column by default, whatever code (Python or the alert engine's SQL) inserts the row.
-- Rows written by other clients (psql) or before this migration have NULL.

ALTER TABLE stock_movements
    ADD COLUMN os_user text DEFAULT nullif(current_setting('invtui.os_user', true), '');
ALTER TABLE alert_events
    ADD COLUMN os_user text DEFAULT nullif(current_setting('invtui.os_user', true), '');
ALTER TABLE purchase_order_events
    ADD COLUMN os_user text DEFAULT nullif(current_setting('invtui.os_user', true), '');
ALTER TABLE user_events
    ADD COLUMN os_user text DEFAULT nullif(current_setting('invtui.os_user', true), '');
