-- Settings of the whole installation (not of one site), as key and JSON value.
CREATE TABLE installation_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
