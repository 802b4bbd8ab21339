-- The reuse catalog: publiccode.yml files as ingested, valid or not.
CREATE TABLE solution (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    valid BIGINT NOT NULL,
    active BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    warnings BIGINT NOT NULL,
    diagnostics TEXT NOT NULL,
    document TEXT,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);

CREATE INDEX solution_url ON solution (url);
