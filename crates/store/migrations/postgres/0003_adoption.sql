-- The adoption registry: which administration (by iPA code) uses which
-- catalog solution, verified by that administration's editor, with every
-- change kept in an audit trail.
CREATE TABLE adoption (
    id BIGSERIAL PRIMARY KEY,
    codice_ipa TEXT NOT NULL,
    solution_id BIGINT NOT NULL REFERENCES solution(id),
    status TEXT NOT NULL CHECK (status IN ('evaluating', 'in_use', 'dismissed')),
    since TEXT,
    evidence TEXT,
    verified_by TEXT,
    verified_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (codice_ipa, solution_id)
);

CREATE INDEX adoption_solution ON adoption (solution_id);

CREATE TABLE adoption_event (
    id BIGSERIAL PRIMARY KEY,
    adoption_id BIGINT NOT NULL REFERENCES adoption(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX adoption_event_adoption ON adoption_event (adoption_id);
