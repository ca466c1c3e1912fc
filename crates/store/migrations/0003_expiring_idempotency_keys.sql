-- Idempotency keys expire (`IdempotencyRetention`), after which a client may use the same key for
-- a new request. The events table kept the key of the request that wrote each event under a
-- UNIQUE (actor, idempotency_key) constraint, which would refuse that new request's event. The
-- key stays on the event as provenance, without the constraint: the `idempotency` table is what
-- answers replays. Portable: SQLite cannot drop a constraint, so the table is rebuilt, the same
-- way on both backends. Nothing references `events`.

CREATE TABLE events_v3 (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    seq BIGINT NOT NULL,
    event_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    idempotency_key TEXT,
    request_sha256 TEXT,
    recorded_at TEXT NOT NULL,
    UNIQUE (application_id, seq)
);

INSERT INTO events_v3 (id, application_id, seq, event_date, kind, body, actor, idempotency_key, request_sha256, recorded_at)
SELECT id, application_id, seq, event_date, kind, body, actor, idempotency_key, request_sha256, recorded_at FROM events;

DROP TABLE events;

ALTER TABLE events_v3 RENAME TO events;

CREATE INDEX events_idempotency ON events (actor, idempotency_key);

-- The periodic purge deletes by age.
CREATE INDEX idempotency_created ON idempotency (created_at);
