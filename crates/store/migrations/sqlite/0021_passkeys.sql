-- A customer's passkeys (WebAuthn credentials): each found by its
-- credential ID at sign-in; `credential` is the relying party's record of
-- it as JSON (public key, signature counter, backup state), never a secret.
CREATE TABLE passkeys (
    id            BLOB PRIMARY KEY,
    account_id    BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_account_idx ON passkeys (account_id);

-- A passkey ceremony begun (a registration, or a sign-in): its state, kept
-- in the database so that any node finishes what another began, found by
-- the hash of the token the page holds, used once.
CREATE TABLE webauthn_ceremonies (
    token_hash BLOB PRIMARY KEY,
    site_id    BLOB NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    account_id BLOB REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires_idx ON webauthn_ceremonies (expires_at);
