-- The administrations the catalog and the communities name: iPA code, name,
-- category and seat, from the lists an operator loads (PA digitale 2026's
-- applicants, IndicePA), with the lists that knew each code. Replaced whole
-- at each load. And the notes ingestion adds to a file (a `javascript:`
-- link, relative files not checked outside the repository), as JSON.
CREATE TABLE administration (
    codice_ipa TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    municipality TEXT NOT NULL,
    region TEXT NOT NULL,
    lists TEXT NOT NULL
);
ALTER TABLE solution ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
CREATE TRIGGER administration_insert_changes AFTER INSERT ON administration BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER administration_update_changes AFTER UPDATE ON administration BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER administration_delete_changes AFTER DELETE ON administration BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
