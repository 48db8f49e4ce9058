-- invtui schema, version 8: failed browser logins slow down per client address (issue 13).
--
-- Anyone who can reach `invtui serve` can type at its login form. If their wrong passwords
-- counted toward an account's lockout, five guesses would lock any operator (admin included)
-- out of the terminal too. So in browser mode a failure does not count for the account; it
-- makes the browser's address wait longer before its next try: 1 s, 2 s, 4 s ... at most 60 s.
-- One row per address that tried lately; a success deletes it, ten quiet minutes reset it.
-- Every tab is a process of its own, so the count lives here, where they all see it.
CREATE TABLE login_throttle (
    client          text PRIMARY KEY CHECK (client <> '' AND length(client) <= 100),
    failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure_at timestamptz NOT NULL DEFAULT now(),
    blocked_until   timestamptz NOT NULL DEFAULT now()
);
