-- Erasure leaves no trace in the file: the search index drops a deleted
-- row's entries at once (FTS5's secure-delete) instead of keeping them until
-- its segments merge. (SQLite's own `secure_delete` pragma, which zeroes
-- freed pages, is set on every connection.)
INSERT INTO customers_fts (customers_fts, rank) VALUES ('secure-delete', 1);

-- Background jobs that one node at a time runs (the retention purge): the
-- node holding a job's lease until `until_ms`.
CREATE TABLE job_leases (
    name      TEXT PRIMARY KEY,
    holder    TEXT NOT NULL,
    until_ms  INTEGER NOT NULL
);
