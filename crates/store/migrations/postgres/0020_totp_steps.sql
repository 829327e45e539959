-- The 30-second step of the last authenticator code accepted, for
-- customers and staff: each code is accepted once (RFC 6238 §5.2), so one
-- seen over a shoulder or phished cannot be used again.
ALTER TABLE account_second_steps ADD COLUMN last_step BIGINT;
ALTER TABLE staff_users ADD COLUMN totp_last_step BIGINT;
