-- Cantiere schema, version 1 (postgres). Every table but `run` belongs to one run:
-- an import inserts a new run in one transaction; readers use the latest.

CREATE TABLE run (
    id BIGSERIAL PRIMARY KEY,
    index_code TEXT NOT NULL,
    index_version TEXT NOT NULL,
    territory TEXT NOT NULL,
    created_at TEXT NOT NULL,
    runs BIGINT NOT NULL,
    threshold_context DOUBLE PRECISION,
    threshold_innovation DOUBLE PRECISION,
    sources TEXT NOT NULL,
    definition TEXT NOT NULL,
    pipeline TEXT NOT NULL
);

CREATE TABLE body (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
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
    capoluogo BIGINT NOT NULL,
    population BIGINT,
    area_km2 DOUBLE PRECISION,
    cadastral TEXT NOT NULL,
    PRIMARY KEY (run_id, code)
);

CREATE TABLE indicator (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level BIGINT NOT NULL,
    parent TEXT NOT NULL,
    direction BIGINT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    description TEXT NOT NULL,
    measure TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (run_id, code)
);

CREATE TABLE score (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    code TEXT NOT NULL,
    raw DOUBLE PRECISION,
    value DOUBLE PRECISION,
    PRIMARY KEY (run_id, ucode, code)
);

CREATE TABLE result (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    score DOUBLE PRECISION,
    rank DOUBLE PRECISION,
    context DOUBLE PRECISION,
    innovation DOUBLE PRECISION,
    grp TEXT,
    stability DOUBLE PRECISION,
    rank_low DOUBLE PRECISION,
    rank_high DOUBLE PRECISION,
    PRIMARY KEY (run_id, ucode)
);

CREATE TABLE peer (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    position BIGINT NOT NULL,
    peer TEXT NOT NULL,
    distance DOUBLE PRECISION NOT NULL,
    pool TEXT NOT NULL,
    PRIMARY KEY (run_id, ucode, position)
);

CREATE TABLE profile (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    ucode TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    peers_mean DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, ucode, kind, code)
);

CREATE TABLE area (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    municipalities BIGINT NOT NULL,
    population BIGINT NOT NULL,
    groups TEXT NOT NULL,
    means TEXT NOT NULL,
    PRIMARY KEY (run_id, level, code)
);

CREATE TABLE application (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    line BIGINT NOT NULL,
    measure TEXT NOT NULL,
    codice_ipa TEXT NOT NULL,
    ente TEXT NOT NULL,
    kind TEXT NOT NULL,
    ucode TEXT,
    amount DOUBLE PRECISION NOT NULL,
    avviso TEXT NOT NULL,
    submitted TEXT NOT NULL,
    funded TEXT,
    cup TEXT NOT NULL,
    status TEXT NOT NULL,
    status_date TEXT,
    PRIMARY KEY (run_id, file, line)
);

CREATE TABLE boundary (
    run_id BIGINT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    geojson TEXT NOT NULL,
    PRIMARY KEY (run_id, level, code)
);

CREATE INDEX application_ucode ON application (run_id, ucode);

CREATE INDEX body_name ON body (run_id, name);
