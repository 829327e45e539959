-- Customers whose company is still free text (written before companies were
-- records): every start looks for them, and once they are records this
-- partial index is empty, so the look costs nothing at any size.
CREATE INDEX customers_free_text_company_idx ON customers (id)
    WHERE company_id IS NULL AND company IS NOT NULL;
