-- The OpenID Connect provider: each site's registered apps (clients), the
-- keys tokens are signed with, authorization codes, grants (what a customer
-- allowed an app, with the refresh tokens of that grant as one family), and
-- remembered consent.

CREATE TABLE oauth_clients (
    id                        BLOB PRIMARY KEY,
    site_id                   BLOB NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    client_id                 TEXT NOT NULL UNIQUE,
    name                      TEXT NOT NULL,
    client_type               TEXT NOT NULL,
    secret_hash               BLOB,
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    first_party               BOOLEAN NOT NULL,
    backchannel_logout_uri    TEXT,
    scopes                    TEXT NOT NULL,
    signing_alg               TEXT NOT NULL,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);
CREATE INDEX oauth_clients_site_idx ON oauth_clients (site_id, name);

-- Signing keys shared by every node. A key is published from created_at,
-- signs from signs_from (later, so that relying parties see it first), stops
-- signing at retired_at and leaves the JWKS at expires_at.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    private_der BLOB NOT NULL,
    public_jwk  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    signs_from  BIGINT NOT NULL,
    retired_at  BIGINT,
    expires_at  BIGINT
);

CREATE TABLE oauth_grants (
    id         BLOB PRIMARY KEY,
    client_id  BLOB NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id BLOB REFERENCES accounts (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX oauth_grants_account_idx ON oauth_grants (account_id);

CREATE TABLE oauth_codes (
    code_hash      BLOB PRIMARY KEY,
    grant_id       BLOB NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);

CREATE TABLE oauth_refresh_tokens (
    token_hash     BLOB PRIMARY KEY,
    grant_id       BLOB NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    rotated_at     BIGINT,
    successor_hash BLOB,
    successor_seal TEXT
);
CREATE INDEX oauth_refresh_tokens_grant_idx ON oauth_refresh_tokens (grant_id);

CREATE TABLE oauth_consents (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id  BLOB NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);
