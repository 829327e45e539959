-- The search index's vocabulary: how many customers' search text holds each
-- trigram. The customer list asks FTS5 for the rows holding a needle's two
-- rarest trigrams (and checks the needle itself on the row), instead of
-- intersecting every trigram's list, some of which hold a tenth of all
-- customers.
CREATE VIRTUAL TABLE customers_fts_vocab USING fts5vocab('customers_fts', 'row');
