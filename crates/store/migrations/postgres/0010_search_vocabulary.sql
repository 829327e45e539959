-- SQLite only (its FTS5 vocabulary); PostgreSQL's pg_trgm index chooses its
-- own trigrams. Kept so that both engines' migrations carry the same numbers.
SELECT 1;
