-- The portal session a grant was made in, as its `sid` (the value ID tokens
-- and logout tokens carry, derived from the session and revealing nothing
-- of its token): when the session ends, every app that session signed in is
-- told, and its grants end. Grants made before have none; their `sid` stays
-- the grant's own ID.
ALTER TABLE oauth_grants ADD COLUMN sid TEXT;
CREATE INDEX oauth_grants_sid_idx ON oauth_grants (sid);
