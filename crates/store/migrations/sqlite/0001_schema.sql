-- Cantiere schema, version 1 (sqlite). Every table but `run` belongs to one run:
-- an import inserts a new run in one transaction; readers use the latest.

CREATE TABLE run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    index_code TEXT NOT NULL,
    index_version TEXT NOT NULL,
    territory TEXT NOT NULL,
    created_at TEXT NOT NULL,
    runs INTEGER NOT NULL,
    threshold_context REAL,
    threshold_innovation REAL,
    sources TEXT NOT NULL,
    definition TEXT NOT NULL,
    pipeline TEXT NOT NULL
);

CREATE TABLE body (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    region TEXT NOT NULL,
    province_code TEXT NOT NULL,
    province TEXT NOT NULL,
    province_abbr TEXT NOT NULL,
    zone TEXT NOT NULL,
    size_class TEXT NOT NULL,
    capoluogo INTEGER NOT NULL,
    population INTEGER,
    area_km2 REAL,
    cadastral TEXT NOT NULL,
    PRIMARY KEY (run_id, code)
);

CREATE TABLE indicator (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level INTEGER NOT NULL,
    parent TEXT NOT NULL,
    direction INTEGER NOT NULL,
    weight REAL NOT NULL,
    unit TEXT NOT NULL,
    description TEXT NOT NULL,
    measure TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (run_id, code)
);

CREATE TABLE score (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    code TEXT NOT NULL,
    raw REAL,
    value REAL,
    PRIMARY KEY (run_id, ucode, code)
);

CREATE TABLE result (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    score REAL,
    rank REAL,
    context REAL,
    innovation REAL,
    grp TEXT,
    stability REAL,
    rank_low REAL,
    rank_high REAL,
    PRIMARY KEY (run_id, ucode)
);

CREATE TABLE peer (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    position INTEGER NOT NULL,
    peer TEXT NOT NULL,
    distance REAL NOT NULL,
    pool TEXT NOT NULL,
    PRIMARY KEY (run_id, ucode, position)
);

CREATE TABLE profile (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    value REAL NOT NULL,
    peers_mean REAL NOT NULL,
    PRIMARY KEY (run_id, ucode, kind, code)
);

CREATE TABLE area (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    municipalities INTEGER NOT NULL,
    population INTEGER NOT NULL,
    groups TEXT NOT NULL,
    means TEXT NOT NULL,
    PRIMARY KEY (run_id, level, code)
);

CREATE TABLE application (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    measure TEXT NOT NULL,
    codice_ipa TEXT NOT NULL,
    ente TEXT NOT NULL,
    kind TEXT NOT NULL,
    ucode TEXT,
    amount REAL NOT NULL,
    avviso TEXT NOT NULL,
    submitted TEXT NOT NULL,
    funded TEXT,
    cup TEXT NOT NULL,
    status TEXT NOT NULL,
    status_date TEXT,
    PRIMARY KEY (run_id, file, line)
);

CREATE TABLE boundary (
    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    geojson TEXT NOT NULL,
    PRIMARY KEY (run_id, level, code)
);

CREATE INDEX application_ucode ON application (run_id, ucode);

CREATE INDEX body_name ON body (run_id, name);
