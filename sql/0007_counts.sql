-- Cycle counts by location (issue 16): a count session per location, one line per counted item.
--
-- A line keeps the ledger position (the item's last stock_movements id at that location) at
-- the moment it was counted: movements booked to the item and location after that position are
-- added to the expected quantity at posting, so stock moving while a bin is counted makes no
-- false difference. Posting writes ordinary `adjust` movements (the alert trigger reacts) with
-- the session's reference and records on each line what it posted, so a second post writes
-- nothing.

-- Per-location count interval in days (NULL: the config's [counts] every_days; 0: never).
ALTER TABLE locations
    ADD COLUMN count_every_days integer CHECK (count_every_days >= 0 AND count_every_days <= 3650),
    ADD COLUMN last_counted_at  timestamptz;

CREATE SEQUENCE count_session_numbers;

CREATE TABLE count_sessions (
    id              bigserial PRIMARY KEY,
    -- CNT-000001: written on every movement the count posts
    reference       varchar(100) NOT NULL UNIQUE
                    DEFAULT 'CNT-' || lpad(nextval('count_session_numbers')::text, 6, '0'),
    location_id     bigint NOT NULL REFERENCES locations(id),
    owner_id        bigint NOT NULL REFERENCES users(id),
    -- blind: expected quantities are not shown while counting
    blind           boolean NOT NULL DEFAULT true,
    status          varchar(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'posted', 'abandoned')),
    approved_by     bigint REFERENCES users(id),
    approved_at     timestamptz,
    closed_by       bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    CONSTRAINT count_sessions_closed_when_done CHECK ((status = 'open') = (closed_at IS NULL)),
    CONSTRAINT count_sessions_approval_complete CHECK ((approved_by IS NULL) = (approved_at IS NULL))
);
-- Two sessions for the same location cannot be open at once.
CREATE UNIQUE INDEX uq_count_sessions_one_open ON count_sessions (location_id) WHERE status = 'open';
CREATE INDEX idx_count_sessions_status ON count_sessions (status, id);

CREATE TABLE count_lines (
    id                  bigserial PRIMARY KEY,
    session_id          bigint NOT NULL REFERENCES count_sessions(id),
    product_id          bigint NOT NULL REFERENCES products(id),
    counted             integer NOT NULL CHECK (counted >= 0),
    -- the item's last ledger row at this location when the line was (last) counted; 0 = none yet
    ledger_position     bigint NOT NULL DEFAULT 0 CHECK (ledger_position >= 0),
    counted_at          timestamptz NOT NULL DEFAULT now(),
    counted_by          bigint REFERENCES users(id),
    -- how often the quantity was typed over (0 = right first time, for the accuracy figure)
    recounts            integer NOT NULL DEFAULT 0 CHECK (recounts >= 0),
    reason              text NOT NULL DEFAULT '',
    -- filled in by posting: what was expected then and what was written
    expected_at_post    integer CHECK (expected_at_post >= 0),
    posted_difference   integer,
    CONSTRAINT count_lines_posted_together CHECK ((expected_at_post IS NULL) = (posted_difference IS NULL)),
    CONSTRAINT count_lines_one_per_item UNIQUE (session_id, product_id)
);
CREATE INDEX idx_count_lines_product ON count_lines (product_id);
