//! The OpenID Connect provider's records (their part of the store
//! interface is [`crate::Clients`], [`crate::SigningKeys`], [`crate::Grants`]
//! and [`crate::Consents`]).
//!
//! Invariants owned here:
//! - Secrets are stored only as SHA-256 hashes (client secrets, codes,
//!   refresh tokens); the only exception is a rotated refresh token's
//!   successor, kept sealed under a key only the holder of the rotated token
//!   can derive, so that a repeated refresh inside the grace window gets the
//!   same successor.
//! - A code is consumed and a refresh token rotated by one conditional
//!   `UPDATE … RETURNING` each: of two concurrent uses exactly one wins.

use gatehouse_domain::oidc::{ClientType, GrantType, SigningAlg};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::from_ms;
use crate::{StoreError, StoreResult};

/// An app registered on a site (an OAuth 2.0 client).
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// Identity.
    pub id: Uuid,
    /// Its site (its issuer).
    pub site_id: Uuid,
    /// The public `client_id`.
    pub client_id: String,
    /// A name people recognise it by (shown on consent pages).
    pub name: String,
    /// Whether it can keep a secret.
    pub client_type: ClientType,
    /// SHA-256 of the secret (confidential clients).
    pub secret_hash: Option<Vec<u8>>,
    /// Where codes may be sent, compared exactly.
    pub redirect_uris: Vec<String>,
    /// Where the customer may be sent after signing out.
    pub post_logout_redirect_uris: Vec<String>,
    /// The business's own app: no consent page.
    pub first_party: bool,
    /// Where back-channel logout tokens go.
    pub backchannel_logout_uri: Option<String>,
    /// The scopes it may ask for.
    pub scopes: Vec<String>,
    /// What its ID and access tokens are signed with.
    pub signing_alg: SigningAlg,
    /// How it may get tokens, in `GrantType` order.
    pub grant_types: Vec<GrantType>,
    /// The APIs (RFC 8707 resource indicators) it may ask tokens for.
    pub resources: Vec<String>,
    /// Its logout tokens must carry `sid` (they always do here; recorded
    /// because the app registered it, OpenID Back-Channel Logout §2.2).
    pub backchannel_logout_session_required: bool,
    /// Its customers sign in with two steps before it gets a code.
    pub require_two_steps: bool,
    /// Registered at.
    pub created_at: OffsetDateTime,
    /// Last changed at.
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClientRow {
    id: Uuid,
    site_id: Uuid,
    client_id: String,
    name: String,
    client_type: String,
    secret_hash: Option<Vec<u8>>,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    first_party: bool,
    backchannel_logout_uri: Option<String>,
    scopes: String,
    signing_alg: String,
    grant_types: String,
    resources: String,
    backchannel_logout_session_required: bool,
    require_two_steps: bool,
    created_at: i64,
    updated_at: i64,
}

fn list(raw: &str) -> StoreResult<Vec<String>> {
    crate::model::parse_list(raw)
}

/// A list as stored (JSON text).
pub(crate) fn list_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;
    fn try_from(r: ClientRow) -> StoreResult<Client> {
        Ok(Client {
            id: r.id,
            site_id: r.site_id,
            client_id: r.client_id,
            name: r.name,
            client_type: ClientType::parse(&r.client_type)
                .ok_or_else(|| StoreError::Corrupt(format!("an app's type '{}'", r.client_type)))?,
            secret_hash: r.secret_hash,
            redirect_uris: list(&r.redirect_uris)?,
            post_logout_redirect_uris: list(&r.post_logout_redirect_uris)?,
            first_party: r.first_party,
            backchannel_logout_uri: r.backchannel_logout_uri,
            scopes: list(&r.scopes)?,
            signing_alg: SigningAlg::parse(&r.signing_alg).ok_or_else(|| {
                StoreError::Corrupt(format!("an app's signing algorithm '{}'", r.signing_alg))
            })?,
            grant_types: list(&r.grant_types)?
                .iter()
                .map(|g| {
                    GrantType::parse(g)
                        .ok_or_else(|| StoreError::Corrupt(format!("an app's grant type '{g}'")))
                })
                .collect::<StoreResult<_>>()?,
            resources: list(&r.resources)?,
            backchannel_logout_session_required: r.backchannel_logout_session_required,
            require_two_steps: r.require_two_steps,
            created_at: from_ms(r.created_at)?,
            updated_at: from_ms(r.updated_at)?,
        })
    }
}

/// A stored app's grant types as stored (JSON text).
pub(crate) fn grant_types_json(grants: &[GrantType]) -> String {
    let names: Vec<String> = grants.iter().map(|g| g.as_str().to_string()).collect();
    list_json(&names)
}

/// A key tokens are signed with, shared by every node.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SigningKey {
    /// Its `kid`.
    pub kid: String,
    /// `ES256`.
    pub alg: String,
    /// The private key, PKCS #8 DER.
    pub private_der: Vec<u8>,
    /// The public key as a JWK (JSON text).
    pub public_jwk: String,
    /// Made (and published) at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Signs from (after relying parties have had time to fetch it).
    #[sqlx(try_from = "crate::model::Ms")]
    pub signs_from: OffsetDateTime,
    /// Stopped signing at.
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub retired_at: Option<OffsetDateTime>,
    /// Leaves the JWKS at (every token it signed has expired by then).
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub expires_at: Option<OffsetDateTime>,
}

/// What a customer (or, with no account, a machine client) was granted by
/// one sign-in to one app; its refresh tokens are one family.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Grant {
    /// Identity.
    pub id: Uuid,
    /// The client ([`Client::id`]).
    pub client_id: Uuid,
    /// The account; `None` for a `client_credentials` grant.
    pub account_id: Option<Uuid>,
    /// The scopes granted.
    #[sqlx(try_from = "crate::model::JsonList")]
    pub scopes: Vec<String>,
    /// When the customer signed in.
    #[sqlx(try_from = "crate::model::Ms")]
    pub auth_time: OffsetDateTime,
    /// Made at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Revoked at: every token of the grant is dead.
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub revoked_at: Option<OffsetDateTime>,
    /// The portal session it was made in, as ID and logout tokens name it
    /// (`None` for a grant made before sessions were recorded).
    pub sid: Option<String>,
    /// How the customer signed in ([`crate::Session::amr`]); `None` for a
    /// grant made before it was recorded (a password).
    pub amr: Option<String>,
}

impl Grant {
    /// The `sid` its tokens carry: its session's, or for a grant made
    /// before sessions were recorded, its own ID (what those tokens carried).
    pub fn session_id(&self) -> String {
        self.sid.clone().unwrap_or_else(|| self.id.to_string())
    }
}

/// A customer's consent to what an app (not the business's own) may see,
/// remembered until they withdraw it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Consent {
    /// The account.
    pub account_id: Uuid,
    /// The client ([`Client::id`]).
    pub client_id: Uuid,
    /// The scopes consented to.
    #[sqlx(try_from = "crate::model::JsonList")]
    pub scopes: Vec<String>,
    /// When it was (last) given.
    #[sqlx(try_from = "crate::model::Ms")]
    pub granted_at: OffsetDateTime,
}

/// An authorization code.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuthCode {
    /// SHA-256 of the code.
    pub code_hash: Vec<u8>,
    /// The grant it redeems into.
    pub grant_id: Uuid,
    /// The redirect URI of the request (the token request must repeat it).
    pub redirect_uri: String,
    /// The request's nonce, for the ID token.
    pub nonce: Option<String>,
    /// The PKCE challenge (S256).
    pub code_challenge: Option<String>,
    /// Made at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Void after.
    #[sqlx(try_from = "crate::model::Ms")]
    pub expires_at: OffsetDateTime,
    /// Redeemed at.
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub used_at: Option<OffsetDateTime>,
}

/// A refresh token.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RefreshToken {
    /// SHA-256 of the token.
    pub token_hash: Vec<u8>,
    /// Its grant (its family).
    pub grant_id: Uuid,
    /// Made at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Void after.
    #[sqlx(try_from = "crate::model::Ms")]
    pub expires_at: OffsetDateTime,
    /// Exchanged for its successor at.
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub rotated_at: Option<OffsetDateTime>,
    /// The successor's hash.
    pub successor_hash: Option<Vec<u8>>,
    /// The successor, sealed under a key derived from this token.
    pub successor_seal: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn row(client_type: &str, signing_alg: &str) -> ClientRow {
        ClientRow {
            id: Uuid::nil(),
            site_id: Uuid::nil(),
            client_id: "shop".into(),
            name: "Shop".into(),
            client_type: client_type.into(),
            secret_hash: None,
            redirect_uris: "[]".into(),
            post_logout_redirect_uris: "[]".into(),
            first_party: true,
            backchannel_logout_uri: None,
            scopes: "[\"openid\"]".into(),
            signing_alg: signing_alg.into(),
            grant_types: "[\"authorization_code\"]".into(),
            resources: "[]".into(),
            backchannel_logout_session_required: false,
            require_two_steps: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_stored_app_reads_its_closed_sets_or_says_the_row_is_corrupt() {
        let read = Client::try_from(row("public", "RS256")).unwrap();
        assert_eq!(
            (read.client_type, read.signing_alg),
            (ClientType::Public, SigningAlg::Rs256)
        );
        // No silent fallback to a confidential app or to ES256.
        for (t, a) in [("Public", "RS256"), ("public", "rs256"), ("", "ES256")] {
            match Client::try_from(row(t, a)) {
                Err(StoreError::Corrupt(why)) => assert!(why.contains("an app's"), "{why}"),
                other => panic!("{t}/{a}: {other:?}"),
            }
        }
    }
}
