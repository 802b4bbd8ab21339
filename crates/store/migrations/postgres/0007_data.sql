-- Indicator data beside the built-in sources: a dictionary of indicators,
-- their values by unit, period and source, and where each value came from
-- (the import: file, content hash, when, by whom). No foreign keys on the
-- values: the importer checks every indicator against the dictionary and
-- writes the import and its values in one transaction, and a per-row check
-- made a million values take 17 s on PostgreSQL.
CREATE TABLE indicator_definition (
    code TEXT PRIMARY KEY,
    name_it TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction BIGINT NOT NULL,
    source TEXT NOT NULL,
    licence TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE data_import (
    id BIGSERIAL PRIMARY KEY,
    file TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    value_count BIGINT NOT NULL
);
CREATE TABLE indicator_value (
    unit TEXT NOT NULL,
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    source TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    note TEXT NOT NULL,
    import_id BIGINT NOT NULL,
    -- By indicator and period first: what an index reads, and the order an
    -- import writes in (sorted), so the tree grows at its end.
    PRIMARY KEY (indicator, period, unit, source)
);
