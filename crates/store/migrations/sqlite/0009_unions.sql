-- Unions of municipalities and their members over time, as the region
-- imports them (no open registry of memberships exists): replaced whole at
-- each import. `to_date` empty: still a member. `example`: 1 when the file
-- was imported as a demo, so that every page says its memberships are examples.
CREATE TABLE union_member (
    union_ipa TEXT NOT NULL,
    union_name TEXT NOT NULL,
    member TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    example INTEGER NOT NULL,
    PRIMARY KEY (union_ipa, member, from_date)
);
