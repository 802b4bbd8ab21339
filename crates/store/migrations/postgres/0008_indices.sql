-- Several indices side by side: a run names its index and the period its
-- data describes (`2025`, `2025-Q4`, `2025-12`, `2025-12-31`). Runs stored
-- before get empty ones: the site shows the index code and the build date.
ALTER TABLE run ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE run ADD COLUMN period TEXT NOT NULL DEFAULT '';
CREATE INDEX run_index ON run (index_code, id);
