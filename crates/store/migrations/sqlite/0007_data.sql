-- Indicator data beside the built-in sources: a dictionary of indicators,
-- their values by unit, period and source, and where each value came from
-- (the import: file, content hash, when, by whom).
CREATE TABLE indicator_definition (
    code TEXT PRIMARY KEY,
    name_it TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction INTEGER NOT NULL,
    source TEXT NOT NULL,
    licence TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE data_import (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    value_count INTEGER NOT NULL
);
CREATE TABLE indicator_value (
    unit TEXT NOT NULL,
    indicator TEXT NOT NULL REFERENCES indicator_definition (code),
    period TEXT NOT NULL,
    source TEXT NOT NULL,
    value REAL NOT NULL,
    note TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES data_import (id),
    -- By indicator and period first: what an index reads, and the order an
    -- import writes in (sorted), so the tree grows at its end.
    PRIMARY KEY (indicator, period, unit, source)
) WITHOUT ROWID;
