-- Companies are records: a name (one company per name key: case, spaces and
-- a trailing full stop do not count), the ERP's key, an address and notes.
-- A customer belongs to at most one; customers.company keeps the company's
-- name beside company_id (kept in step by the store) so that the customer
-- list searches and sorts by it without a join. Free-text companies written
-- before this migration are turned into records by the application at
-- start-up (it reports what it merged).
CREATE TABLE companies (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    external_id TEXT,
    address     TEXT,
    notes       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX companies_name_key_uq ON companies (name_key);
CREATE UNIQUE INDEX companies_external_id_uq ON companies (external_id);
ALTER TABLE customers ADD COLUMN company_id UUID REFERENCES companies (id);
CREATE INDEX customers_company_id_idx ON customers (company_id, id);
