-- Each app's grant types, chosen when it is registered (client_credentials
-- only when an admin turns it on), the APIs it may ask tokens for (RFC 8707
-- resource indicators), and whether its logout tokens must carry `sid`.
-- Apps registered before kept every grant type a confidential app could
-- use then, so nothing that works today stops.
ALTER TABLE oauth_clients ADD COLUMN grant_types TEXT NOT NULL DEFAULT '["authorization_code","refresh_token"]';
ALTER TABLE oauth_clients ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';
ALTER TABLE oauth_clients ADD COLUMN backchannel_logout_session_required BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE oauth_clients SET grant_types = '["authorization_code","refresh_token","client_credentials"]'
    WHERE client_type = 'confidential';
