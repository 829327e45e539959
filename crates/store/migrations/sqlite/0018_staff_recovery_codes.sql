-- A staff user's recovery codes: ten single-use codes made when the
-- authenticator app is turned on (or made anew), shown once and kept only
-- as SHA-256 hashes, each good for one sign-in without the phone.
CREATE TABLE staff_recovery_codes (
    staff_id   BLOB NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);
