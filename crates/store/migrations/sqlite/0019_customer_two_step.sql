-- A customer's second step at sign-in: the authenticator app's secret
-- (RFC 6238), kept once a code confirmed it; the one being set up is kept
-- too, so that a reload or a wrong code shows the same QR code.
CREATE TABLE account_second_steps (
    account_id   BLOB PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    totp_secret  TEXT,
    totp_pending TEXT,
    turned_on_at BIGINT,
    last_used_at BIGINT
);

-- A customer's ten single-use recovery codes, made when the second step is
-- turned on (or made anew), shown once, kept only as SHA-256 hashes.
CREATE TABLE account_recovery_codes (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- A sign-in half done: the password was right and the second step is
-- still to come (a code, or setting one up where the site requires it).
-- Found by the hash of a short-lived cookie's token; in the database so
-- that any node finishes what another began.
CREATE TABLE sign_in_steps (
    token_hash BLOB PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    set_up     BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sign_in_steps_expires_idx ON sign_in_steps (expires_at);

-- How the customer signed in (RFC 8176 `amr` values, space-separated), for
-- the ID tokens of the apps this session signs in. Empty for sessions and
-- grants made before: a password.
ALTER TABLE sessions ADD COLUMN amr TEXT;
ALTER TABLE oauth_grants ADD COLUMN amr TEXT;
