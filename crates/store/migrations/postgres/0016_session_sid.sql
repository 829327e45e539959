-- The single sign-on session apps know a portal session by (`sid` in their
-- tokens). A sign-in of the same customer that replaces the session keeps
-- it, so that asking for the password again (prompt=login, max_age) does
-- not sign the customer out of every other app. Empty for staff sessions
-- and for sessions made before: their sid is derived from the token hash.
ALTER TABLE sessions ADD COLUMN sid TEXT;
