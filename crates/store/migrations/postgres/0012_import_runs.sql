-- The console's imports, for every node to show: the file's name and the
-- choices, the progress its node last wrote (`updated_at` is its heartbeat),
-- and, once it has ended, the outcome as JSON (the report, its bad rows cut
-- to the first thousand, or the error). Kept a week.
CREATE TABLE import_runs (
    id             UUID PRIMARY KEY,
    file           TEXT NOT NULL,
    dry_run        BOOLEAN NOT NULL,
    skip_bad_rows  BOOLEAN NOT NULL,
    size           BIGINT NOT NULL,
    rows_read      BIGINT NOT NULL,
    bytes_read     BIGINT NOT NULL,
    outcome        TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX import_runs_created_idx ON import_runs (created_at);
