-- The customer list at a million customers.
-- 1. An account's standing: its status once any temporary lock has run out
--    (AccountState::standing in the domain), written with every save. The
--    status at a time is the standing, or 'locked' while a temporary lock
--    runs; so a status filter is an index range, not a CASE on every row.
ALTER TABLE accounts ADD COLUMN standing TEXT NOT NULL DEFAULT 'unverified';
UPDATE accounts SET standing = CASE WHEN deleted_reason IS NOT NULL THEN 'deleted' WHEN blocked THEN 'blocked'
    WHEN lock_permanent THEN 'locked' ELSE stage END;
CREATE INDEX accounts_standing_idx ON accounts (standing, site_id, lock_until, customer_id);
-- The same conditions probed per customer, when the list walks its sort order.
DROP INDEX accounts_customer_site_idx;
CREATE INDEX accounts_customer_site_idx ON accounts (customer_id, site_id, standing, role, lock_until);
-- 2. Sort and filter indexes on the very expressions the list uses (NULL as
--    '' so that both engines order missing values alike).
DROP INDEX customers_company_idx;
DROP INDEX customers_country_idx;
DROP INDEX customers_email_idx;
CREATE INDEX customers_company_idx ON customers (lower(coalesce(company, '')), id);
CREATE INDEX customers_country_idx ON customers (lower(coalesce(country, '')), id);
CREATE INDEX customers_email_idx ON customers (lower(coalesce(email, '')), id);
CREATE INDEX customers_city_idx ON customers (lower(coalesce(city, '')), id);
CREATE INDEX customers_updated_idx ON customers (updated_at, id);
