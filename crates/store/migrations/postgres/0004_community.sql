-- Accounts, roles, and the thematic communities of practice: areas,
-- communities, memberships on behalf of administrations (iPA code),
-- meetings, shared resources, threads, co-design consultations.
-- Passwords are stored as argon2id PHC strings only; session and reset
-- tokens as SHA-256 digests only.
CREATE TABLE account (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    is_admin BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE password_reset (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE external_identity (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (provider, subject)
);

CREATE TABLE editor (
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    codice_ipa TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (account_id, codice_ipa)
);

CREATE TABLE thematic_area (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE community (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    area_id BIGINT NOT NULL REFERENCES thematic_area(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE coordinator (
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    community_id BIGINT NOT NULL REFERENCES community(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, community_id)
);

CREATE TABLE membership (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES community(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    codice_ipa TEXT NOT NULL,
    referent BIGINT NOT NULL DEFAULT 0,
    confirmed_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, account_id, codice_ipa)
);

CREATE INDEX membership_ipa ON membership (codice_ipa);

CREATE TABLE meeting (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES community(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('online', 'in_person', 'hybrid')),
    link TEXT,
    place TEXT,
    agenda TEXT NOT NULL,
    minutes TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    created_by BIGINT NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL
);

CREATE TABLE meeting_registration (
    meeting_id BIGINT NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    attended BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, account_id)
);

CREATE TABLE resource (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES community(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('procedure', 'template', 'tool', 'method')),
    title TEXT NOT NULL,
    url TEXT,
    solution_id BIGINT REFERENCES solution(id),
    description TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL
);

CREATE TABLE thread (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES community(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL
);

CREATE TABLE consultation (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES community(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_by BIGINT NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL
);

CREATE TABLE proposal (
    id BIGSERIAL PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultation(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'rejected')),
    created_by BIGINT NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL
);

CREATE TABLE support (
    proposal_id BIGINT NOT NULL REFERENCES proposal(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, account_id)
);

-- Messages: the opening post and replies of a thread, or the comments on a
-- proposal (exactly one parent).
CREATE TABLE post (
    id BIGSERIAL PRIMARY KEY,
    thread_id BIGINT REFERENCES thread(id) ON DELETE CASCADE,
    proposal_id BIGINT REFERENCES proposal(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL,
    CHECK ((thread_id IS NULL) <> (proposal_id IS NULL))
);

CREATE INDEX post_thread ON post (thread_id);
CREATE INDEX post_proposal ON post (proposal_id);
