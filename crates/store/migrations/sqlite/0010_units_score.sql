-- How an index scores units made of comuni (unions, provinces, regions):
-- `mean` of their comuni's scores or `weighted` by residents; both are
-- shown, this one ranks them.
ALTER TABLE run ADD COLUMN units_score TEXT NOT NULL DEFAULT 'mean';
