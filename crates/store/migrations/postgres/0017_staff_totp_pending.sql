-- The authenticator secret a staff user is setting up, kept until a code
-- confirms it (then it becomes totp_secret) or a reset removes it: a reload
-- or a wrong code shows the same QR code.
ALTER TABLE staff_users ADD COLUMN totp_pending TEXT;
