-- Impersonation links carry the staff user who asked for them.
ALTER TABLE link_tokens ADD COLUMN staff_id BLOB REFERENCES staff_users (id) ON DELETE CASCADE;
