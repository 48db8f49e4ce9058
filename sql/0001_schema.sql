-- invtui schema, version 1.
-- This file is the single source of truth for tables, constraints and indexes; the SQLModel
-- classes in invtui/db/models.py mirror it and tests/test_models_match_schema.py keeps them
-- honest. Applied files are never edited: later changes go in 0002_..., 0003_..., and so on.

-- People who use invtui. Roles as in DESIGN.md section 7.
CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    -- login names are what operators type: short, lower case, no spaces
    username        varchar(64) NOT NULL UNIQUE
                    CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    full_name       varchar(200) NOT NULL DEFAULT '',
    -- the four roles of DESIGN.md section 7, nothing else
    role            varchar(16) NOT NULL
                    CHECK (role IN ('viewer', 'operator', 'manager', 'admin')),
    password_hash   varchar(100) NOT NULL,
    -- lockout bookkeeping: five failures lock the account for a while
    failed_logins   integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until    timestamptz,
    is_active       boolean NOT NULL DEFAULT true,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Who did what to users (logins, lockouts, role changes): the audit trail's user part.
CREATE TABLE user_events (
    id          bigserial PRIMARY KEY,
    user_id     bigint REFERENCES users(id),
    actor_id    bigint REFERENCES users(id),
    kind        varchar(32) NOT NULL
                CHECK (kind IN ('created', 'login', 'login_failed', 'locked', 'password_changed',
                                'role_changed', 'disabled', 'enabled', 'updated')),
    detail      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_user_events_created_at ON user_events (created_at);

CREATE TABLE categories (
    id          bigserial PRIMARY KEY,
    -- two categories with one name would split the catalog silently
    name        varchar(100) NOT NULL UNIQUE CHECK (length(btrim(name)) > 0),
    description text NOT NULL DEFAULT '',
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE suppliers (
    id              bigserial PRIMARY KEY,
    -- the code operators type; unique so a PO can never go to the wrong supplier
    code            varchar(32) NOT NULL UNIQUE CHECK (length(btrim(code)) > 0),
    name            varchar(200) NOT NULL CHECK (length(btrim(name)) > 0),
    contact_name    varchar(200) NOT NULL DEFAULT '',
    email           varchar(254) NOT NULL DEFAULT '',
    phone           varchar(50) NOT NULL DEFAULT '',
    -- a lead time cannot be negative
    lead_time_days  integer NOT NULL DEFAULT 7 CHECK (lead_time_days >= 0),
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locations (
    id          bigserial PRIMARY KEY,
    -- bin codes like WH1-A-03 are printed on shelves and scanned: unique
    code        varchar(32) NOT NULL UNIQUE CHECK (length(btrim(code)) > 0),
    name        varchar(200) NOT NULL DEFAULT '',
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id              bigserial PRIMARY KEY,
    -- one SKU names one product
    sku             varchar(100) NOT NULL UNIQUE CHECK (length(btrim(sku)) > 0),
    name            varchar(255) NOT NULL CHECK (length(btrim(name)) > 0),
    description     text NOT NULL DEFAULT '',
    -- a scanned barcode must resolve to exactly one product
    barcode         varchar(64) UNIQUE,
    category_id     bigint REFERENCES categories(id),
    supplier_id     bigint REFERENCES suppliers(id),
    -- money is numeric, never float
    unit_price      numeric(12, 2) NOT NULL DEFAULT 0 CHECK (unit_price >= 0),
    cost_price      numeric(12, 2) NOT NULL DEFAULT 0 CHECK (cost_price >= 0),
    -- thresholds are counts of units, never negative
    min_stock_level integer NOT NULL DEFAULT 0 CHECK (min_stock_level >= 0),
    reorder_point   integer CHECK (reorder_point >= 0),
    max_stock_level integer CHECK (max_stock_level >= 0),
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- thresholds must be ordered: min <= reorder point <= max, where set
    CONSTRAINT products_thresholds_ordered CHECK (
        (reorder_point IS NULL OR reorder_point >= min_stock_level)
        AND (max_stock_level IS NULL OR max_stock_level >= coalesce(reorder_point, min_stock_level))
    )
);
CREATE INDEX idx_products_category ON products (category_id);
CREATE INDEX idx_products_supplier ON products (supplier_id);

-- Stock of one product at one location.
CREATE TABLE inventory (
    id                  bigserial PRIMARY KEY,
    product_id          bigint NOT NULL REFERENCES products(id),
    location_id         bigint NOT NULL REFERENCES locations(id),
    quantity            integer NOT NULL DEFAULT 0,
    reserved_quantity   integer NOT NULL DEFAULT 0,
    -- derived, so it can never disagree with its parts
    available_quantity  integer GENERATED ALWAYS AS (quantity - reserved_quantity) STORED,
    unit_cost           numeric(12, 2) CHECK (unit_cost >= 0),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- no negative stock
    CONSTRAINT inventory_no_negative_stock CHECK (quantity >= 0),
    -- 0 <= reserved <= quantity: nobody can reserve what is not on the shelf
    CONSTRAINT inventory_reserved_within_quantity CHECK (reserved_quantity >= 0 AND reserved_quantity <= quantity)
);
-- one row per product x location (the seed's idx_inventory_product_location, made unique)
CREATE UNIQUE INDEX idx_inventory_product_location ON inventory (product_id, location_id);
CREATE INDEX idx_inventory_available_quantity ON inventory (available_quantity);
CREATE INDEX idx_inventory_location ON inventory (location_id);

-- The append-only ledger: every change of stock is one row here.
CREATE TABLE stock_movements (
    id              bigserial PRIMARY KEY,
    product_id      bigint NOT NULL REFERENCES products(id),
    location_id     bigint NOT NULL REFERENCES locations(id),
    kind            varchar(16) NOT NULL
                    CHECK (kind IN ('receive', 'issue', 'adjust', 'transfer_out', 'transfer_in',
                                    'reserve', 'release', 'po_receipt')),
    quantity_delta  integer NOT NULL DEFAULT 0,
    reserved_delta  integer NOT NULL DEFAULT 0,
    -- a movement that moves nothing is a mistake, not a record
    CONSTRAINT stock_movements_moves_something CHECK (quantity_delta <> 0 OR reserved_delta <> 0),
    reference       varchar(100) NOT NULL DEFAULT '',
    reason          text NOT NULL DEFAULT '',
    user_id         bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_stock_movements_item ON stock_movements (product_id, location_id, id);
CREATE INDEX idx_stock_movements_created_at ON stock_movements (created_at);

-- The ledger is append-only: history is corrected by a new movement, never rewritten.
CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock_movements is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER stock_movements_no_rewrite
    BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH STATEMENT EXECUTE FUNCTION stock_movements_append_only();

-- Thresholds that override a product's reorder point: for one location, or for all (NULL).
CREATE TABLE alert_rules (
    id                  bigserial PRIMARY KEY,
    product_id          bigint NOT NULL REFERENCES products(id),
    location_id         bigint REFERENCES locations(id),
    threshold_quantity  integer NOT NULL CHECK (threshold_quantity >= 0),
    is_active           boolean NOT NULL DEFAULT true,
    created_by          bigint REFERENCES users(id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- one rule per product and location (NULL location = all locations, also unique)
    CONSTRAINT alert_rules_one_per_scope UNIQUE NULLS NOT DISTINCT (product_id, location_id)
);

CREATE TABLE stock_alerts (
    id                  bigserial PRIMARY KEY,
    product_id          bigint NOT NULL REFERENCES products(id),
    location_id         bigint NOT NULL REFERENCES locations(id),
    alert_type          varchar(16) NOT NULL CHECK (alert_type IN ('LOW_STOCK', 'OUT_OF_STOCK')),
    status              varchar(16) NOT NULL DEFAULT 'ACTIVE'
                        CHECK (status IN ('ACTIVE', 'ACKNOWLEDGED', 'RESOLVED', 'DISMISSED')),
    current_quantity    integer NOT NULL,
    threshold_quantity  integer NOT NULL,
    message             text NOT NULL DEFAULT '',
    note                text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    acknowledged_at     timestamptz,
    acknowledged_by     bigint REFERENCES users(id),
    resolved_at         timestamptz,
    resolved_by         bigint REFERENCES users(id),
    -- how it closed: the sweep saw it OK (auto), a person resolved it (manual) or dismissed it
    resolution          varchar(16) CHECK (resolution IN ('auto', 'manual', 'dismissed')),
    -- a closed alert has a close time and a resolution; an open one has neither
    CONSTRAINT stock_alerts_closed_consistently CHECK (
        (status IN ('RESOLVED', 'DISMISSED')) = (resolved_at IS NOT NULL)
        AND (status IN ('RESOLVED', 'DISMISSED')) = (resolution IS NOT NULL)
    ),
    -- an alert belongs to an inventory row that exists
    CONSTRAINT stock_alerts_inventory_fk FOREIGN KEY (product_id, location_id)
        REFERENCES inventory (product_id, location_id)
);
CREATE INDEX idx_stock_alerts_status ON stock_alerts (status);
CREATE INDEX idx_stock_alerts_product_location ON stock_alerts (product_id, location_id);
-- at most one open (ACTIVE or ACKNOWLEDGED) alert per product x location
CREATE UNIQUE INDEX uq_stock_alerts_one_open ON stock_alerts (product_id, location_id)
    WHERE status IN ('ACTIVE', 'ACKNOWLEDGED');

-- The history of each alert: every transition, who made it (NULL = the sweep) and when.
CREATE TABLE alert_events (
    id          bigserial PRIMARY KEY,
    alert_id    bigint NOT NULL REFERENCES stock_alerts(id),
    event       varchar(16) NOT NULL
                CHECK (event IN ('created', 'escalated', 'downgraded', 'acknowledged',
                                 'dismissed', 'resolved')),
    from_status varchar(16),
    to_status   varchar(16) NOT NULL,
    alert_type  varchar(16) NOT NULL,
    quantity    integer,
    user_id     bigint REFERENCES users(id),
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_alert_events_alert ON alert_events (alert_id, id);
CREATE INDEX idx_alert_events_created_at ON alert_events (created_at);

CREATE TABLE purchase_orders (
    id              bigserial PRIMARY KEY,
    -- the number people say and print: PO-000123, always derived from the id
    number          varchar(16) GENERATED ALWAYS AS ('PO-' || lpad(id::text, 6, '0')) STORED,
    supplier_id     bigint NOT NULL REFERENCES suppliers(id),
    -- the PO state machine's states; the transitions are guarded by the purchasing service
    status          varchar(20) NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'submitted', 'approved', 'partially_received',
                                      'received', 'cancelled')),
    notes           text NOT NULL DEFAULT '',
    expected_date   date,
    created_by      bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    approved_by     bigint REFERENCES users(id),
    received_at     timestamptz,
    cancelled_at    timestamptz,
    cancelled_by    bigint REFERENCES users(id)
);
CREATE UNIQUE INDEX idx_purchase_orders_number ON purchase_orders (number);
CREATE INDEX idx_purchase_orders_status ON purchase_orders (status);
CREATE INDEX idx_purchase_orders_supplier ON purchase_orders (supplier_id);

CREATE TABLE purchase_order_lines (
    id                  bigserial PRIMARY KEY,
    purchase_order_id   bigint NOT NULL REFERENCES purchase_orders(id),
    product_id          bigint NOT NULL REFERENCES products(id),
    -- an order line orders something
    quantity_ordered    integer NOT NULL CHECK (quantity_ordered > 0),
    quantity_received   integer NOT NULL DEFAULT 0,
    -- never receive more than was ordered, never a negative receipt
    CONSTRAINT purchase_order_lines_receipt_within_order
        CHECK (quantity_received >= 0 AND quantity_received <= quantity_ordered),
    unit_cost           numeric(12, 2) NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- one line per product on a PO: more of it is a bigger quantity, not a second line
    CONSTRAINT purchase_order_lines_one_per_product UNIQUE (purchase_order_id, product_id)
);
CREATE INDEX idx_purchase_order_lines_product ON purchase_order_lines (product_id);

-- The history of each PO: every state change, who and when.
CREATE TABLE purchase_order_events (
    id                  bigserial PRIMARY KEY,
    purchase_order_id   bigint NOT NULL REFERENCES purchase_orders(id),
    from_status         varchar(20),
    to_status           varchar(20) NOT NULL,
    user_id             bigint REFERENCES users(id),
    note                text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_purchase_order_events_po ON purchase_order_events (purchase_order_id, id);

-- The notification log: one row per thing worth telling people, aimed at everyone, a role or a user.
CREATE TABLE notifications (
    id              bigserial PRIMARY KEY,
    kind            varchar(32) NOT NULL,
    severity        varchar(8) NOT NULL DEFAULT 'info'
                    CHECK (severity IN ('info', 'success', 'warning', 'error')),
    title           varchar(200) NOT NULL,
    body            text NOT NULL DEFAULT '',
    link_kind       varchar(16) CHECK (link_kind IN ('alert', 'po', 'sweep')),
    link_id         bigint,
    target_user_id  bigint REFERENCES users(id),
    target_role     varchar(16) CHECK (target_role IN ('viewer', 'operator', 'manager', 'admin')),
    -- a notification goes to everyone, one role, or one user: never a role and a user at once
    CONSTRAINT notifications_one_target CHECK (target_user_id IS NULL OR target_role IS NULL),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_notifications_created_at ON notifications (created_at);
CREATE INDEX idx_notifications_target_user ON notifications (target_user_id) WHERE target_user_id IS NOT NULL;

-- Read state is per user: one user reading a notification leaves it unread for the others.
CREATE TABLE notification_reads (
    notification_id bigint NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users(id),
    read_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, user_id)
);

-- One row per full sweep, finished, failed or skipped: the "background task status".
CREATE TABLE sweep_runs (
    id              bigserial PRIMARY KEY,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    duration_ms     integer CHECK (duration_ms >= 0),
    trigger         varchar(16) NOT NULL DEFAULT 'scheduled'
                    CHECK (trigger IN ('scheduled', 'manual', 'worker', 'cli')),
    host            varchar(255) NOT NULL DEFAULT '',
    pid             integer,
    rows_scanned    integer NOT NULL DEFAULT 0 CHECK (rows_scanned >= 0),
    created_count   integer NOT NULL DEFAULT 0 CHECK (created_count >= 0),
    escalated_count integer NOT NULL DEFAULT 0 CHECK (escalated_count >= 0),
    downgraded_count integer NOT NULL DEFAULT 0 CHECK (downgraded_count >= 0),
    resolved_count  integer NOT NULL DEFAULT 0 CHECK (resolved_count >= 0),
    -- another process held the single-flight lock, so this one did nothing
    skipped         boolean NOT NULL DEFAULT false,
    error           text
);
CREATE INDEX idx_sweep_runs_started_at ON sweep_runs (started_at);
