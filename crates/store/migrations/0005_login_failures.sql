-- Failed sign-ins, counted in the database so every server process on it sees the same counts
-- (they were kept in each process's memory). One row per attempt and subject: the account name
-- as typed, and the client address when the limit on addresses is on. An attempt counts as a
-- failure from the moment it starts and is taken back if it signs in; the purge deletes rows
-- older than the window.

CREATE TABLE login_failures (
    attempt TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (attempt, kind)
);

CREATE INDEX login_failures_subject ON login_failures (kind, subject, at);

CREATE INDEX login_failures_at ON login_failures (at);
