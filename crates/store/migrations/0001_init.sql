-- The certification service's schema. ONE file for SQLite and PostgreSQL: only TEXT and BIGINT
-- columns, ids chosen by the application (no SERIAL / AUTOINCREMENT), dates as ISO-8601 TEXT
-- (`YYYY-MM-DD`, which sorts as it reads), timestamps as RFC 3339 TEXT in UTC, JSON as TEXT.
-- Flags are BIGINT 0/1 where needed. The registry crate decides; these tables remember.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    provider_id TEXT,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    name TEXT NOT NULL,
    profile TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    service TEXT NOT NULL,
    regime TEXT NOT NULL,
    state TEXT NOT NULL,
    evaluator_id TEXT REFERENCES users (id),
    event_count BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX applications_provider ON applications (provider_id);
CREATE INDEX applications_evaluator ON applications (evaluator_id);

CREATE TABLE events (
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
    UNIQUE (application_id, seq),
    UNIQUE (actor, idempotency_key)
);

CREATE TABLE idempotency (
    actor TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (actor, idempotency_key)
);

CREATE TABLE certificates (
    number TEXT PRIMARY KEY,
    application_id TEXT REFERENCES applications (id),
    provider_id TEXT NOT NULL,
    service TEXT NOT NULL,
    regime TEXT NOT NULL,
    scheme TEXT NOT NULL,
    tier TEXT,
    service_type TEXT NOT NULL,
    scope TEXT NOT NULL,
    host TEXT,
    issued TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    renews TEXT,
    ended_on TEXT,
    end_cause TEXT,
    document TEXT,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX certificates_service ON certificates (service);

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    event_count BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE agency_events (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    seq BIGINT NOT NULL,
    event_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (agency_id, seq)
);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    user_id TEXT UNIQUE REFERENCES users (id),
    name TEXT NOT NULL,
    affiliation TEXT NOT NULL,
    term_from TEXT NOT NULL,
    term_until TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE declarations (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    provider_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    declared TEXT NOT NULL,
    UNIQUE (member_id, provider_id)
);

CREATE TABLE deliberations (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    sitting_date TEXT NOT NULL,
    present TEXT NOT NULL,
    resolution TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX deliberations_application ON deliberations (application_id);

CREATE TABLE votes (
    deliberation_id TEXT NOT NULL REFERENCES deliberations (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    choice TEXT NOT NULL,
    rationale TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    PRIMARY KEY (deliberation_id, member_id)
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE translog (
    idx BIGINT PRIMARY KEY,
    certificate TEXT NOT NULL,
    entry TEXT NOT NULL,
    logged_at TEXT NOT NULL
);
CREATE INDEX translog_certificate ON translog (certificate);
