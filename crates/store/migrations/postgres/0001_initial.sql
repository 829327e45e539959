-- Gatehouse schema, PostgreSQL. Keep in step with ../sqlite/0001_initial.sql:
-- the same tables, columns and indexes (a test compares them).
-- Times are BIGINT milliseconds since the Unix epoch (UTC) in both engines,
-- so that one SQL text compares and orders them the same way everywhere.

CREATE TABLE sites (
    id          UUID PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE customer_groups (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX customer_groups_name_uq ON customer_groups (lower(name));

CREATE TABLE customers (
    id            UUID PRIMARY KEY,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    email         TEXT,
    company       TEXT,
    url           TEXT,
    phone         TEXT,
    mobile        TEXT,
    country       TEXT,
    region        TEXT,
    street        TEXT,
    postcode      TEXT,
    city          TEXT,
    external_id   TEXT,
    group_id      UUID REFERENCES customer_groups (id),
    avatar_url    TEXT,
    notifications BOOLEAN NOT NULL DEFAULT TRUE,
    notes         TEXT,
    language      TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX customers_group_idx ON customers (group_id);
CREATE INDEX customers_email_idx ON customers (lower(email));

CREATE TABLE accounts (
    id                  UUID PRIMARY KEY,
    site_id             UUID NOT NULL REFERENCES sites (id),
    customer_id         UUID REFERENCES customers (id),
    login_id            TEXT NOT NULL,
    email               TEXT NOT NULL,
    password_hash       TEXT,
    role                TEXT NOT NULL,
    stage               TEXT NOT NULL,
    lock_until          BIGINT,
    lock_permanent      BOOLEAN NOT NULL DEFAULT FALSE,
    failed_attempts     BIGINT NOT NULL DEFAULT 0,
    blocked             BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_reason      TEXT,
    deleted_at          BIGINT,
    email_validated     BOOLEAN NOT NULL DEFAULT FALSE,
    access_granted      BOOLEAN NOT NULL DEFAULT TRUE,
    access_expires_at   BIGINT,
    password_expires_at BIGINT,
    first_name          TEXT NOT NULL DEFAULT '',
    last_name           TEXT NOT NULL DEFAULT '',
    company             TEXT,
    language            TEXT,
    registered_at       BIGINT NOT NULL,
    verified_at         BIGINT,
    approved_at         BIGINT,
    last_login_at       BIGINT,
    version             BIGINT NOT NULL DEFAULT 1
);
-- One login ID per site, compared without regard to case.
CREATE UNIQUE INDEX accounts_login_id_uq ON accounts (site_id, lower(login_id));
CREATE INDEX accounts_customer_idx ON accounts (customer_id);
CREATE INDEX accounts_email_idx ON accounts (site_id, lower(email));

CREATE TABLE staff_users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    totp_secret   TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    last_login_at BIGINT
);
CREATE UNIQUE INDEX staff_users_email_uq ON staff_users (lower(email));

-- Browser sessions of customers and of staff; the token itself is never stored.
CREATE TABLE sessions (
    token_hash          BYTEA PRIMARY KEY,
    account_id          UUID REFERENCES accounts (id) ON DELETE CASCADE,
    staff_id            UUID REFERENCES staff_users (id) ON DELETE CASCADE,
    impersonator_id     UUID REFERENCES staff_users (id) ON DELETE CASCADE,
    csrf_token          TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    last_seen_at        BIGINT NOT NULL,
    idle_expires_at     BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL,
    ip                  TEXT,
    user_agent          TEXT,
    CHECK ((account_id IS NULL) <> (staff_id IS NULL))
);
CREATE INDEX sessions_account_idx ON sessions (account_id);
CREATE INDEX sessions_staff_idx ON sessions (staff_id);

-- Single-use links (activation, password reset, invitation, first-admin setup).
CREATE TABLE link_tokens (
    token_hash  BYTEA PRIMARY KEY,
    purpose     TEXT NOT NULL,
    account_id  UUID REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX link_tokens_account_idx ON link_tokens (account_id, purpose);

CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    staff_id     UUID NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   BYTEA NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE outbox (
    id              UUID PRIMARY KEY,
    site_id         UUID REFERENCES sites (id),
    recipient       TEXT NOT NULL,
    template_key    TEXT NOT NULL,
    language        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);

CREATE TABLE audit_events (
    id          UUID PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    UUID,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT,
    target_id   UUID,
    site_id     UUID,
    details     TEXT NOT NULL,
    ip          TEXT
);
CREATE INDEX audit_events_target_idx ON audit_events (target_id, at);
CREATE INDEX audit_events_at_idx ON audit_events (at);

CREATE TABLE email_templates (
    site_id     UUID NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    language    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (site_id, key, language)
);
