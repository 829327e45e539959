-- The purge job forgets authorization codes, refresh tokens and grants
-- once they can serve nobody; these let it find them without a full scan.
CREATE INDEX oauth_codes_expires_idx ON oauth_codes (expires_at);
CREATE INDEX oauth_refresh_tokens_expires_idx ON oauth_refresh_tokens (expires_at);
CREATE INDEX oauth_grants_revoked_idx ON oauth_grants (revoked_at);
