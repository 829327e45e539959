-- The console's imports, for every node to show: the file's name and the
-- choices, the progress its node last wrote (`updated_at` is its heartbeat),
-- and, once it has ended, the outcome as JSON (the report, its bad rows cut
-- to the first thousand, or the error). Kept a week.
CREATE TABLE import_runs (
    id             BLOB PRIMARY KEY,
    file           TEXT NOT NULL,
    dry_run        INTEGER NOT NULL,
    skip_bad_rows  INTEGER NOT NULL,
    size           INTEGER NOT NULL,
    rows_read      INTEGER NOT NULL,
    bytes_read     INTEGER NOT NULL,
    outcome        TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX import_runs_created_idx ON import_runs (created_at);
