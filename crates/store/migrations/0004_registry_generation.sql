-- A counter that moves whenever the public registry's content can change: a certificate
-- issued, renewed, revoked, surrendered or imported. Readers keep built registry pages while
-- it stands still and ask for it on every request, so a cache in one server process sees the
-- writes of another process on the same database. One row, bumped at commit under the chain lock
-- (see `WriteTx::commit`), so it adds no lock a certificate write did not already wait for.

CREATE TABLE registry_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);

INSERT INTO registry_generation (id, generation) VALUES (1, 0);
