//! The token endpoint: a code for tokens (with its PKCE verifier), a refresh
//! token for fresh ones, or a machine client's own credentials for an
//! access token.
//!
//! Invariants owned here:
//! - A code is redeemed once; its second use revokes the grant it made.
//! - A refresh token is rotated on every use. Used again within
//!   `REFRESH_GRACE` it gets the successor it already got (concurrent
//!   refreshes do not sign the customer out); later, its use is a replay and
//!   revokes the whole family (the grant).
//! - No token is issued to an account the lifecycle no longer lets sign in,
//!   nor on a revoked grant.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::oidc::{
    ACCESS_TTL, ClientType, GrantType, OAuthError, REFRESH_TTL, RefreshUse, SigningAlg,
    access_audience, refresh_use, requested_scopes,
};
use gatehouse_domain::sign_in_gate;
use gatehouse_store::{Client, Grant, RefreshToken, Site, Tx};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, AppResult, secrets};

/// The `typ` of an access token's header (RFC 9068), so that nothing takes
/// it for an ID token.
const ACCESS_TYP: &str = "at+jwt";

/// The claim of an access token that names its grant (userinfo and
/// introspection check the grant is still live).
pub(crate) const GRANT_CLAIM: &str = "grant_id";

/// The form of a token request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenRequest {
    /// `authorization_code`, `refresh_token` or `client_credentials`.
    pub grant_type: Option<String>,
    /// The code.
    pub code: Option<String>,
    /// The redirect URI the code was sent to.
    pub redirect_uri: Option<String>,
    /// The PKCE verifier.
    pub code_verifier: Option<String>,
    /// The refresh token.
    pub refresh_token: Option<String>,
    /// Scopes (client credentials).
    pub scope: Option<String>,
    /// The API the access token is for (RFC 8707), one of the app's.
    pub resource: Option<String>,
    /// The client (when not in the Authorization header).
    pub client_id: Option<String>,
    /// Its secret (`client_secret_post`).
    pub client_secret: Option<String>,
}

/// Tokens issued.
#[derive(Debug, Clone, Serialize)]
pub struct Tokens {
    /// A JWT access token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// The ID token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The refresh token (with `offline_access`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The scopes granted.
    pub scope: String,
}

fn refused(code: &'static str, description: &str) -> OAuthError {
    OAuthError::new(code, description)
}

/// Authenticates the client: its secret (Basic or form) for a confidential
/// client, its ID alone for a public one.
pub(crate) async fn client(
    app: &App,
    site: &Site,
    form: (Option<String>, Option<String>),
    basic: Option<(String, String)>,
) -> AppResult<Result<Client, OAuthError>> {
    // One way of authenticating per request (RFC 6749 §2.3): Basic with a
    // secret (or another ID) in the form as well is refused.
    if let Some((basic_id, _)) = &basic
        && (form.1.is_some() || form.0.as_ref().is_some_and(|id| id != basic_id))
    {
        return Ok(Err(refused(
            "invalid_request",
            "the client authenticated twice: use the Authorization header or the form, not both",
        )));
    }
    let (id, secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => form,
    };
    let unknown = || {
        refused(
            "invalid_client",
            "the client is unknown or its secret is wrong",
        )
    };
    let Some(id) = id else {
        return Ok(Err(refused(
            "invalid_client",
            "the client did not say who it is",
        )));
    };
    let Some(client) = super::authorize::client_of(app, site, &id).await? else {
        return Ok(Err(unknown()));
    };
    let ok = match (&client.secret_hash, secret) {
        (Some(hash), Some(secret)) => secrets::same(hash, &secrets::token_hash(&secret)),
        (None, None) => true,
        _ => false,
    };
    Ok(if ok { Ok(client) } else { Err(unknown()) })
}

/// Answers a token request.
#[tracing::instrument(name = "app.oidc.token.token", level = "debug", skip_all)]
pub async fn token(
    app: &App,
    site: &Site,
    req: &TokenRequest,
    basic: Option<(String, String)>,
) -> AppResult<Result<Tokens, OAuthError>> {
    let form = (req.client_id.clone(), req.client_secret.clone());
    let client = match client(app, site, form, basic).await? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let grant = match req.grant_type.as_deref().map(GrantType::parse) {
        Some(Some(g)) => g,
        Some(None) => {
            return Ok(Err(refused(
                "unsupported_grant_type",
                "grant_type must be authorization_code, refresh_token or client_credentials",
            )));
        }
        None => return Ok(Err(refused("invalid_request", "grant_type is missing"))),
    };
    if !client.grant_types.contains(&grant) {
        return Ok(Err(refused(
            "unauthorized_client",
            &format!(
                "this app is not registered for {}; an admin can allow it on the app's page",
                grant.as_str()
            ),
        )));
    }
    if let Err(e) = access_audience(
        req.resource.as_deref(),
        &client.resources,
        &client.client_id,
    ) {
        return Ok(Err(e));
    }
    match grant {
        GrantType::AuthorizationCode => code(app, site, &client, req).await,
        GrantType::RefreshToken => refresh(app, site, &client, req).await,
        GrantType::ClientCredentials => machine(app, site, &client, req).await,
    }
}

/// The PKCE check of a code exchange.
fn pkce_holds(challenge: Option<&str>, verifier: Option<&str>) -> bool {
    match (challenge, verifier) {
        (None, None) => true,
        (Some(c), Some(v)) => {
            // RFC 7636 §4.1: 43 to 128 unreserved characters.
            (43..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
                && URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())) == c
        }
        _ => false,
    }
}

async fn code(
    app: &App,
    site: &Site,
    client: &Client,
    req: &TokenRequest,
) -> AppResult<Result<Tokens, OAuthError>> {
    let invalid = |why: &str| Ok(Err(refused("invalid_grant", why)));
    let Some(code) = req.code.as_deref() else {
        return Ok(Err(refused("invalid_request", "code is missing")));
    };
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let Some(redeemed) = tx.redeem_code(&secrets::token_hash(code), now).await? else {
        return invalid("the code is unknown");
    };
    let Some(grant) = tx.grant_by_id(redeemed.grant_id).await? else {
        return invalid("the code is unknown");
    };
    if grant.client_id != client.id {
        return invalid("the code was issued to another client");
    }
    if redeemed.used_at.is_some() {
        // A second use: whoever holds the code is not to be trusted with
        // what the first use gave.
        tx.revoke_grant(grant.id, now).await?;
        tx.commit().await?;
        return invalid("the code was used already; what it gave is revoked");
    }
    if now >= redeemed.expires_at {
        tx.commit().await?;
        return invalid("the code has expired");
    }
    if req.redirect_uri.as_deref() != Some(redeemed.redirect_uri.as_str()) {
        tx.commit().await?;
        return invalid("redirect_uri differs from the authorization request's");
    }
    if !pkce_holds(
        redeemed.code_challenge.as_deref(),
        req.code_verifier.as_deref(),
    ) {
        tx.commit().await?;
        return invalid("the PKCE code_verifier is missing or wrong");
    }
    let issued = issue(
        app,
        tx.as_mut(),
        site,
        client,
        &grant,
        redeemed.nonce.as_deref(),
        None,
        None,
        &audience(client, req),
    )
    .await?;
    tx.commit().await?;
    signed(app, issued).await
}

/// The pad that seals a rotated token's successor: only the holder of the
/// rotated token can derive it.
fn pad(old: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"gatehouse refresh successor\0");
    h.update(old.as_bytes());
    h.finalize().into()
}

fn seal(old: &str, successor: &str) -> Option<String> {
    let raw = URL_SAFE_NO_PAD.decode(successor).ok()?;
    let sealed: Vec<u8> = raw.iter().zip(pad(old)).map(|(a, b)| a ^ b).collect();
    Some(URL_SAFE_NO_PAD.encode(sealed))
}

fn unseal(old: &str, sealed: &str) -> Option<String> {
    let raw = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    let successor: Vec<u8> = raw.iter().zip(pad(old)).map(|(a, b)| a ^ b).collect();
    Some(URL_SAFE_NO_PAD.encode(successor))
}

async fn refresh(
    app: &App,
    site: &Site,
    client: &Client,
    req: &TokenRequest,
) -> AppResult<Result<Tokens, OAuthError>> {
    let invalid = |why: &str| Ok(Err(refused("invalid_grant", why)));
    let Some(presented) = req.refresh_token.as_deref() else {
        return Ok(Err(refused("invalid_request", "refresh_token is missing")));
    };
    let hash = secrets::token_hash(presented);
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let Some(mut token) = tx.refresh_token_by_hash(&hash).await? else {
        return invalid("the refresh token is unknown");
    };
    let Some(grant) = tx.grant_by_id(token.grant_id).await? else {
        return invalid("the refresh token is unknown");
    };
    if grant.client_id != client.id {
        return invalid("the refresh token was issued to another client");
    }
    if grant.revoked_at.is_some() {
        return invalid("the refresh token was revoked");
    }
    // A refresh may ask for less than was granted, never more (RFC 6749 §6).
    let asked: Option<Vec<String>> = req
        .scope
        .as_deref()
        .map(|s| {
            s.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .filter(|s: &Vec<String>| !s.is_empty());
    if let Some(extra) = asked.iter().flatten().find(|s| !grant.scopes.contains(s)) {
        return Ok(Err(refused(
            "invalid_scope",
            &format!("the scope '{extra}' was not granted; a refresh may ask only for less"),
        )));
    }
    let mut rotated = None;
    if refresh_use(token.expires_at, token.rotated_at, now) == RefreshUse::Fresh {
        let successor = secrets::new_token("");
        let sealed = seal(presented, &successor).unwrap_or_default();
        if tx
            .rotate_refresh_token(&hash, now, &secrets::token_hash(&successor), &sealed)
            .await?
        {
            store_refresh_token(tx.as_mut(), grant.id, &successor, now).await?;
            rotated = Some(successor);
        } else {
            // Another request rotated it first: read what it did.
            token = tx.refresh_token_by_hash(&hash).await?.unwrap_or(token);
        }
    }
    let successor = match rotated {
        Some(successor) => successor,
        None => match refresh_use(token.expires_at, token.rotated_at, now) {
            RefreshUse::Repeated => match token
                .successor_seal
                .as_deref()
                .and_then(|s| unseal(presented, s))
            {
                Some(successor) => successor,
                None => return invalid("the refresh token was rotated"),
            },
            RefreshUse::Replayed => {
                tx.revoke_grant(grant.id, now).await?;
                tx.commit().await?;
                return invalid(
                    "the refresh token was used before; every token of its sign-in is revoked",
                );
            }
            RefreshUse::Expired => return invalid("the refresh token has expired"),
            RefreshUse::Fresh => return invalid("the refresh token could not be rotated"),
        },
    };
    let issued = issue(
        app,
        tx.as_mut(),
        site,
        client,
        &grant,
        None,
        Some(successor),
        asked.as_deref(),
        &audience(client, req),
    )
    .await?;
    tx.commit().await?;
    signed(app, issued).await
}

/// Stores a new refresh token of a grant.
async fn store_refresh_token(
    tx: &mut dyn Tx,
    grant_id: Uuid,
    token: &str,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    tx.insert_refresh_token(&RefreshToken {
        token_hash: secrets::token_hash(token),
        grant_id,
        created_at: now,
        expires_at: now + REFRESH_TTL,
        rotated_at: None,
        successor_hash: None,
        successor_seal: None,
    })
    .await?;
    Ok(())
}

async fn machine(
    app: &App,
    site: &Site,
    client: &Client,
    req: &TokenRequest,
) -> AppResult<Result<Tokens, OAuthError>> {
    if client.client_type != ClientType::Confidential {
        return Ok(Err(refused(
            "unauthorized_client",
            "client_credentials is for confidential clients",
        )));
    }
    let allowed = client.scopes.iter().cloned().collect();
    let scopes = match requested_scopes(req.scope.as_deref(), &allowed, false) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let now = app.clock.now();
    let issuer = super::issuer(app, site);
    let scope = scopes.into_iter().collect::<Vec<_>>().join(" ");
    let aud = audience(client, req);
    let claims = json!({
        "iss": issuer, "sub": client.client_id, "aud": aud, "client_id": client.client_id,
        "scope": scope, "iat": now.unix_timestamp(), "exp": (now + ACCESS_TTL).unix_timestamp(),
        "jti": Uuid::now_v7().to_string(),
    });
    Ok(Ok(Tokens {
        access_token: super::keys::sign_as(app, alg_of(client), ACCESS_TYP, &claims).await?,
        token_type: "Bearer",
        expires_in: ACCESS_TTL.whole_seconds(),
        id_token: None,
        refresh_token: None,
        scope,
    }))
}

/// The audience of an access token a request asks for: its `resource`
/// (checked against the app's APIs before any grant is looked at), else
/// the app.
fn audience(client: &Client, req: &TokenRequest) -> String {
    access_audience(
        req.resource.as_deref(),
        &client.resources,
        &client.client_id,
    )
    .unwrap_or_else(|_| client.client_id.clone())
}

/// The algorithm a client's tokens are signed with (ES256 unless it asked
/// for another).
pub(crate) fn alg_of(client: &Client) -> SigningAlg {
    client.signing_alg
}

/// What a grant's exchange issues, before it is signed: the claims of the
/// access and ID tokens, and the refresh token.
struct Unsigned {
    alg: SigningAlg,
    access: Value,
    id: Value,
    refresh_token: Option<String>,
    scope: String,
}

/// Signs what was issued, once the transaction that issued it committed:
/// signing is CPU work that need not hold the write lock.
async fn signed(
    app: &App,
    issued: Result<Unsigned, OAuthError>,
) -> AppResult<Result<Tokens, OAuthError>> {
    let mut u = match issued {
        Ok(u) => u,
        Err(e) => return Ok(Err(e)),
    };
    let access_token = super::keys::sign_as(app, u.alg, ACCESS_TYP, &u.access).await?;
    // OpenID Connect Core §3.1.3.6: the left half of the access token's
    // SHA-256 (both algorithms offered hash with SHA-256).
    let digest = Sha256::digest(access_token.as_bytes());
    u.id["at_hash"] = json!(URL_SAFE_NO_PAD.encode(&digest[..16]));
    Ok(Ok(Tokens {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TTL.whole_seconds(),
        id_token: Some(super::keys::sign(app, u.alg, &u.id).await?),
        refresh_token: u.refresh_token,
        scope: u.scope,
    }))
}

/// Issues the claims of an access token, an ID token and (with
/// `offline_access`) a refresh token for a grant, if its account may still
/// sign in; else revokes the grant. The scopes are the grant's that the app
/// may still ask for (one removed from the app stops at the next refresh),
/// narrowed to `asked` when a refresh asked for less. The access token is
/// for `aud` (the app, or an API it named); the ID token always for the
/// app.
#[allow(clippy::too_many_arguments)]
async fn issue(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    client: &Client,
    grant: &Grant,
    nonce: Option<&str>,
    rotated: Option<String>,
    asked: Option<&[String]>,
    aud: &str,
) -> AppResult<Result<Unsigned, OAuthError>> {
    let now = app.clock.now();
    if grant.revoked_at.is_some() {
        return Ok(Err(refused("invalid_grant", "the grant was revoked")));
    }
    let account = match grant.account_id {
        Some(id) => tx.account_by_id(id).await?,
        None => None,
    };
    let Some(account) = account.filter(|a| sign_in_gate(&a.state, now).is_ok()) else {
        tx.revoke_grant(grant.id, now).await?;
        return Ok(Err(refused(
            "invalid_grant",
            "the account may no longer sign in",
        )));
    };
    let issuer = super::issuer(app, site);
    let scopes: Vec<String> = grant
        .scopes
        .iter()
        .filter(|s| client.scopes.contains(s))
        .filter(|s| asked.is_none_or(|a| a.contains(s)))
        .cloned()
        .collect();
    let scope = scopes.join(" ");
    let base = json!({
        "iss": issuer, "sub": account.id.to_string(), "aud": client.client_id,
        "iat": now.unix_timestamp(), "exp": (now + ACCESS_TTL).unix_timestamp(),
        "sid": grant.session_id(),
    });
    let mut access = base.clone();
    access["aud"] = json!(aud);
    access["client_id"] = json!(client.client_id);
    access[GRANT_CLAIM] = json!(grant.id.to_string());
    access["scope"] = json!(scope);
    access["jti"] = json!(Uuid::now_v7().to_string());
    let mut id = base;
    id["auth_time"] = json!(grant.auth_time.unix_timestamp());
    // How the customer signed in (RFC 8176), as the session that made the
    // grant recorded it, and its assurance level (OpenID Connect Core §2
    // `acr`): 1 for the password alone, 2 with a second step.
    let amr = crate::portal::sessions::Amr::parse(grant.amr.as_deref());
    id["amr"] = json!(amr.as_str().split(' ').collect::<Vec<_>>());
    id["acr"] = json!(amr.acr());
    id["azp"] = json!(client.client_id);
    if let Some(nonce) = nonce {
        id["nonce"] = json!(nonce);
    }
    if let (Value::Object(id), claims) =
        (&mut id, super::claims(tx, site, &account, &scopes).await?)
    {
        id.extend(claims);
    }
    let refresh_token = match rotated {
        Some(token) => Some(token),
        None if scopes.iter().any(|s| s == "offline_access")
            && client.grant_types.contains(&GrantType::RefreshToken) =>
        {
            let token = secrets::new_token("");
            store_refresh_token(tx, grant.id, &token, now).await?;
            Some(token)
        }
        None => None,
    };
    Ok(Ok(Unsigned {
        alg: alg_of(client),
        access,
        id,
        refresh_token,
        scope,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_successor_is_sealed_for_the_holder_of_the_rotated_token_only() {
        let (old, next) = (secrets::new_token(""), secrets::new_token(""));
        let sealed = seal(&old, &next).unwrap();
        assert_ne!(sealed, next);
        assert_eq!(unseal(&old, &sealed).as_deref(), Some(next.as_str()));
        assert_ne!(
            unseal(&secrets::new_token(""), &sealed).as_deref(),
            Some(next.as_str())
        );
    }

    #[test]
    fn pkce_needs_the_verifier_whose_s256_is_the_challenge() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_holds(Some(challenge), Some(verifier)));
        assert!(!pkce_holds(
            Some(challenge),
            Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx")
        ));
        assert!(!pkce_holds(Some(challenge), None));
        // The right digest of a verifier outside the alphabet is refused.
        let odd = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX k";
        let odd_challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(odd.as_bytes()));
        assert!(!pkce_holds(Some(&odd_challenge), Some(odd)));
        assert!(!pkce_holds(None, Some(verifier)));
        assert!(pkce_holds(None, None));
    }
}
