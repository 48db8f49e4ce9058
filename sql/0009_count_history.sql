-- Cycle counts, second part (issue 16): each count's own history, and lines posted one part at a time.
--
-- count_events is the count's history and its branch of `invtui audit`: one row per session
-- start, counted line, reason, approval, posting and abandonment, written in the same
-- transaction as the change it describes (like alert_events and purchase_order_events).
--
-- A count may be posted in parts: the differences an operator may post are written while those
-- above the [counts] thresholds wait for a manager. A line is posted once: posted_at says when,
-- and a posted line is never counted or posted again.

ALTER TABLE count_lines ADD COLUMN posted_at timestamptz;
UPDATE count_lines c SET posted_at = s.closed_at
  FROM count_sessions s WHERE s.id = c.session_id AND c.expected_at_post IS NOT NULL;
ALTER TABLE count_lines
    ADD CONSTRAINT count_lines_posted_at_together CHECK ((expected_at_post IS NULL) = (posted_at IS NULL));
-- The dashboard's week of count accuracy reads the lines posted lately.
CREATE INDEX idx_count_lines_posted_at ON count_lines (posted_at) WHERE posted_at IS NOT NULL;

CREATE TABLE count_events (
    id          bigserial PRIMARY KEY,
    session_id  bigint NOT NULL REFERENCES count_sessions(id),
    event       varchar(16) NOT NULL
                CHECK (event IN ('started', 'scanned', 'recounted', 'reason', 'approved', 'posted', 'abandoned')),
    -- the line's item, for line events (scanned, recounted, reason)
    product_id  bigint REFERENCES products(id),
    -- scanned: units added; recounted: the new count; posted: adjustments written
    quantity    integer,
    detail      text NOT NULL DEFAULT '',
    user_id     bigint REFERENCES users(id),
    os_user     text DEFAULT nullif(current_setting('invtui.os_user', true), ''),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_count_events_session ON count_events (session_id, id);
CREATE INDEX idx_count_events_created_at ON count_events (created_at);
CREATE INDEX idx_count_events_user_created_at ON count_events (user_id, created_at);

-- Counts made before this migration get the history their sessions still tell.
INSERT INTO count_events (session_id, event, user_id, detail, created_at, os_user)
SELECT s.id, 'started', s.owner_id, CASE WHEN s.blind THEN 'blind ' ELSE '' END || 'count of ' || l.code,
       s.created_at, NULL
  FROM count_sessions s JOIN locations l ON l.id = s.location_id
UNION ALL
SELECT id, 'approved', approved_by, '', approved_at, NULL FROM count_sessions WHERE approved_by IS NOT NULL
UNION ALL
SELECT id, status, closed_by, '', closed_at, NULL FROM count_sessions WHERE status <> 'open'
ORDER BY 5;
