-- The customer list at scale: a lowercase search text matched inside words
-- through an FTS5 trigram index (kept in step by triggers), and indexes for
-- the filters and sort columns.
ALTER TABLE customers ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE customers SET search_text = lower(first_name || ' ' || last_name || ' ' || coalesce(email, '') || ' ' || coalesce(company, ''));
CREATE VIRTUAL TABLE customers_fts USING fts5(search_text, content='customers', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER customers_fts_update AFTER UPDATE OF search_text ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO customers_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');
CREATE INDEX customers_last_name_idx ON customers (lower(last_name), id);
CREATE INDEX customers_first_name_idx ON customers (lower(first_name), id);
CREATE INDEX customers_company_idx ON customers (lower(company), id);
CREATE INDEX customers_country_idx ON customers (lower(country), id);
CREATE INDEX customers_created_idx ON customers (created_at, id);
CREATE INDEX accounts_customer_site_idx ON accounts (customer_id, site_id, role);
