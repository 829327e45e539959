-- An app registered as needing a sign-in of two steps (the authenticator
-- app's code after the password, or a passkey): its customers give the
-- second step before it gets a code, as if it asked `acr_values=2`.
ALTER TABLE oauth_clients ADD COLUMN require_two_steps BOOLEAN NOT NULL DEFAULT FALSE;
