-- The customer list at scale: a lowercase search text matched inside words
-- through a trigram index, and indexes for the filters and sort columns.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE customers ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE customers SET search_text = lower(first_name || ' ' || last_name || ' ' || coalesce(email, '') || ' ' || coalesce(company, ''));
CREATE INDEX customers_search_trgm ON customers USING gin (search_text gin_trgm_ops);
CREATE INDEX customers_last_name_idx ON customers (lower(last_name), id);
CREATE INDEX customers_first_name_idx ON customers (lower(first_name), id);
CREATE INDEX customers_company_idx ON customers (lower(company), id);
CREATE INDEX customers_country_idx ON customers (lower(country), id);
CREATE INDEX customers_created_idx ON customers (created_at, id);
CREATE INDEX accounts_customer_site_idx ON accounts (customer_id, site_id, role);
