//! The keys ID and access tokens are signed with: ES256 (ECDSA P-256 with
//! SHA-256, by `ring`) by default, RS256 (RSA-2048 PKCS#1 v1.5, by
//! `aws-lc-rs`, as ring cannot make RSA keys) for apps that ask for it; both
//! libraries' private-key operations run in constant time. A key of each
//! is made on the first start and kept in the database, so that every node
//! signs with the same keys and verifies what any node signed.
//!
//! Invariants owned here:
//! - The key that signs for an algorithm is the newest of it whose
//!   `signs_from` has come and that is not retired; every key stays in the
//!   JWKS until its `expires_at`, after every token it signed has expired.
//! - A token verifies only with the key its `kid` names and only under that
//!   key's own algorithm.
//! - Every token carries the `kid` of its key.
//! - Parsed keys are kept in memory and read again from the database when a
//!   token names an unknown `kid` or the copy is a minute old.
//! - A rotation (on demand, or by the schedule every node runs) publishes
//!   the new key at once and lets it sign only after the time asked for (a
//!   day, for the schedule); the keys it replaces stop signing then and
//!   stay published for the lifetime of a token (plus the minute a node's
//!   copy may lag).

use std::sync::Mutex;
use std::time::{Duration as StdDuration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_store::SigningKey;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use gatehouse_domain::oidc::{SCHEDULED_PUBLISH_AHEAD, SigningAlg, key_rotation_due};

use crate::{App, AppError, AppResult};

/// How long parsed keys are used before the database is asked again.
const REFRESH: StdDuration = StdDuration::from_secs(60);

/// How long a retired key stays published: its last tokens (signed by any
/// node, whose copy of the keys may be a minute old) must expire first.
fn publish_after_retirement() -> time::Duration {
    gatehouse_domain::oidc::ACCESS_TTL + time::Duration::seconds(REFRESH.as_secs() as i64)
}

/// A signing key as staff see it (never the private part).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct KeyView {
    /// The key's ID, as in every token it signs.
    pub kid: String,
    /// `ES256`.
    pub alg: String,
    /// Published since.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Signs from.
    #[serde(with = "time::serde::rfc3339")]
    pub signs_from: OffsetDateTime,
    /// Stopped signing at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
    /// Leaves the JWKS at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

/// What a rotation is asked to do.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// Seconds the new key is published before it signs, so that apps that
    /// cache the JWKS have it first (0 to 86 400; default 3 600).
    #[schema(minimum = 0, maximum = 86400)]
    #[serde(default, deserialize_with = "gatehouse_domain::policy::whole_number")]
    pub publish_ahead_seconds: Option<i64>,
}

fn view(k: &SigningKey) -> KeyView {
    KeyView {
        kid: k.kid.clone(),
        alg: k.alg.clone(),
        created_at: k.created_at,
        signs_from: k.signs_from,
        retired_at: k.retired_at,
        expires_at: k.expires_at,
    }
}

/// The signing keys, newest first (admins).
#[tracing::instrument(name = "app.oidc.keys.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &crate::staff_auth::StaffCaller) -> AppResult<Vec<KeyView>> {
    caller.require(gatehouse_domain::Permission::ManageSettings)?;
    let mut tx = app.store.read().await?;
    Ok(tx.signing_keys().await?.iter().map(view).collect())
}

/// Makes a new signing key of each algorithm that signs once
/// `publish_ahead_seconds` have passed; the keys signing now stop then, and
/// stay published until every token they signed has expired. Audited.
#[tracing::instrument(name = "app.oidc.keys.rotate", level = "debug", skip_all)]
pub async fn rotate(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    rotation: &Rotation,
) -> AppResult<Vec<KeyView>> {
    caller.require(gatehouse_domain::Permission::ManageSettings)?;
    let ahead = rotation.publish_ahead_seconds.unwrap_or(3600);
    if !(0..=86_400).contains(&ahead) {
        return Err(AppError::invalid(
            "publish_ahead_seconds",
            "from 0 to 86 400 seconds (a day)",
        ));
    }
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let keys = rotate_in(
        tx.as_mut(),
        &caller.actor(),
        now,
        time::Duration::seconds(ahead),
    )
    .await?;
    tx.commit().await?;
    forget(app);
    Ok(keys.iter().map(view).collect())
}

/// Publishes a new key of each algorithm that signs `ahead` from now,
/// retiring the others then, in the caller's transaction; audited as
/// `actor`'s.
async fn rotate_in(
    tx: &mut dyn gatehouse_store::Tx,
    actor: &gatehouse_store::Actor,
    now: OffsetDateTime,
    ahead: time::Duration,
) -> AppResult<Vec<SigningKey>> {
    let signs_from = now + ahead;
    let keys = SigningAlg::ALL
        .into_iter()
        .map(|alg| new_key(alg, now, signs_from))
        .collect::<AppResult<Vec<_>>>()?;
    for old in tx.signing_keys().await? {
        if old.retired_at.is_none() {
            tx.retire_signing_key(
                &old.kid,
                signs_from,
                signs_from + publish_after_retirement(),
            )
            .await?;
        }
    }
    tx.delete_expired_signing_keys(now).await?;
    for key in &keys {
        tx.insert_signing_key(key).await?;
    }
    let kids: Vec<&str> = keys.iter().map(|k| k.kid.as_str()).collect();
    tx.append_audit(&crate::audit::event(
        now,
        actor,
        "signing_key.rotate",
        None,
        None,
        json!({"kids": kids, "signs_from": signs_from.unix_timestamp()}),
    ))
    .await?;
    Ok(keys)
}

/// This node signs with a new key from its time on; the others read the
/// keys again within a minute.
fn forget(app: &App) {
    if let Ok(mut guard) = app.keys.loaded.lock() {
        *guard = None;
    }
}

/// The schedule: a new key when the newest began signing `every` ago or
/// longer ([`key_rotation_due`]), published [`SCHEDULED_PUBLISH_AHEAD`]
/// before it signs; answers it. Several nodes deciding at once may each
/// make one, which does no harm: all are published, the newest signs.
#[tracing::instrument(name = "app.oidc.keys.rotate_if_due", level = "debug", skip_all)]
pub async fn rotate_if_due(app: &App, every: time::Duration) -> AppResult<Option<Vec<KeyView>>> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let newest = tx
        .signing_keys()
        .await?
        .into_iter()
        .filter(|k| k.retired_at.is_none())
        .map(|k| k.signs_from)
        .max();
    if !key_rotation_due(newest, every, now) {
        return Ok(None);
    }
    let actor = gatehouse_store::Actor::system("signing key schedule");
    let keys = rotate_in(tx.as_mut(), &actor, now, SCHEDULED_PUBLISH_AHEAD).await?;
    tx.commit().await?;
    forget(app);
    tracing::info!(
        keys = keys.len(),
        "new signing keys are published; they sign in a day"
    );
    Ok(Some(keys.iter().map(view).collect()))
}

/// Runs the schedule on this node until `stop` turns true: at once, then
/// every hour.
pub fn spawn_schedule(
    app: App,
    every: time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = rotate_if_due(&app, every).await {
                tracing::warn!(error = %e, "the signing key schedule could not run");
            }
            tokio::select! {
                _ = tokio::time::sleep(StdDuration::from_secs(3600)) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}

/// A parsed private key.
enum Pair {
    /// ES256, by `ring`.
    Ec(EcdsaKeyPair),
    /// RS256, by `aws-lc-rs`.
    Rsa(aws_lc_rs::rsa::KeyPair),
}

struct Loaded {
    kid: String,
    alg: SigningAlg,
    pair: Pair,
    /// The public key as its verifier takes it: the uncompressed point
    /// (EC) or the RSAPublicKey DER (RSA).
    public: Vec<u8>,
    jwk: Value,
    signs_from: OffsetDateTime,
    retired_at: Option<OffsetDateTime>,
    expires_at: Option<OffsetDateTime>,
}

/// The signing keys as parsed, shared by every request of a node.
#[derive(Default)]
pub struct KeyRing {
    loaded: Mutex<Option<(Instant, std::sync::Arc<Vec<Loaded>>)>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing")
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn crypto(what: &str) -> AppError {
    AppError::Internal(format!("signing keys: {what}"))
}

/// A new key of `alg` that signs from `signs_from`; its `kid` is its RFC
/// 7638 thumbprint.
fn new_key(
    alg: SigningAlg,
    now: OffsetDateTime,
    signs_from: OffsetDateTime,
) -> AppResult<SigningKey> {
    let (private_der, thumbprint, jwk) = match alg {
        SigningAlg::Es256 => {
            let rng = SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(|_| crypto("cannot make a key"))?;
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                    .map_err(|_| crypto("cannot read the key just made"))?;
            let point = pair.public_key().as_ref();
            // An uncompressed point: 0x04, then x and y of 32 bytes each.
            let (x, y) = (b64(&point[1..33]), b64(&point[33..65]));
            // RFC 7638: the required members, in this order.
            let thumbprint = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
            let jwk = json!({"kty": "EC", "crv": "P-256", "x": x, "y": y});
            (pkcs8.as_ref().to_vec(), thumbprint, jwk)
        }
        SigningAlg::Rs256 => {
            use aws_lc_rs::encoding::AsDer;
            use aws_lc_rs::signature::KeyPair as _;
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(|_| crypto("cannot make an RSA key"))?;
            let der = pair
                .as_der()
                .map_err(|_| crypto("cannot encode the RSA key"))?;
            let public = pair.public_key();
            let n = b64(public.modulus().big_endian_without_leading_zero());
            let e = b64(public.exponent().big_endian_without_leading_zero());
            let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
            let jwk = json!({"kty": "RSA", "n": n, "e": e});
            (der.as_ref().to_vec(), thumbprint, jwk)
        }
    };
    let kid = b64(&Sha256::digest(thumbprint.as_bytes()));
    let mut jwk = jwk;
    jwk["use"] = json!("sig");
    jwk["alg"] = json!(alg.as_str());
    jwk["kid"] = json!(kid);
    Ok(SigningKey {
        kid,
        alg: alg.as_str().into(),
        private_der,
        public_jwk: jwk.to_string(),
        created_at: now,
        signs_from,
        retired_at: None,
        expires_at: None,
    })
}

/// Makes a key of each algorithm that has none that can sign (on the
/// first start, and after an upgrade that offers a new one; several nodes
/// starting at once may each make one, which does no harm: the newest
/// signs, all are published).
#[tracing::instrument(name = "app.oidc.keys.ensure", level = "debug", skip_all)]
pub async fn ensure(app: &App) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let keys = tx.signing_keys().await?;
    let mut made = false;
    for alg in SigningAlg::ALL {
        if !keys
            .iter()
            .any(|k| k.retired_at.is_none() && k.alg == alg.as_str())
        {
            tx.insert_signing_key(&new_key(alg, now, now)?).await?;
            made = true;
        }
    }
    if made {
        tx.commit().await?;
    }
    Ok(())
}

fn parse(key: &SigningKey) -> AppResult<Loaded> {
    let alg = SigningAlg::parse(&key.alg).ok_or_else(|| crypto("a stored key's algorithm"))?;
    let (pair, public) = match alg {
        SigningAlg::Es256 => {
            let rng = SystemRandom::new();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &key.private_der, &rng)
                    .map_err(|_| crypto("a stored key cannot be read"))?;
            let public = pair.public_key().as_ref().to_vec();
            (Pair::Ec(pair), public)
        }
        SigningAlg::Rs256 => {
            use aws_lc_rs::signature::KeyPair as _;
            let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&key.private_der)
                .map_err(|_| crypto("a stored RSA key cannot be read"))?;
            let public = pair.public_key().as_ref().to_vec();
            (Pair::Rsa(pair), public)
        }
    };
    let jwk: Value = serde_json::from_str(&key.public_jwk).map_err(|_| crypto("a stored JWK"))?;
    Ok(Loaded {
        kid: key.kid.clone(),
        alg,
        pair,
        public,
        jwk,
        signs_from: key.signs_from,
        retired_at: key.retired_at,
        expires_at: key.expires_at,
    })
}

async fn loaded(app: &App, fresh: bool) -> AppResult<std::sync::Arc<Vec<Loaded>>> {
    if !fresh
        && let Ok(guard) = app.keys.loaded.lock()
        && let Some((at, keys)) = guard.as_ref()
        && at.elapsed() < REFRESH
    {
        return Ok(std::sync::Arc::clone(keys));
    }
    let mut tx = app.store.read().await?;
    let stored = tx.signing_keys().await?;
    drop(tx);
    let keys = std::sync::Arc::new(stored.iter().map(parse).collect::<AppResult<Vec<_>>>()?);
    if let Ok(mut guard) = app.keys.loaded.lock() {
        *guard = Some((Instant::now(), std::sync::Arc::clone(&keys)));
    }
    Ok(keys)
}

/// The public keys relying parties verify with (the JWKS document).
#[tracing::instrument(name = "app.oidc.keys.jwks", level = "debug", skip_all)]
pub async fn jwks(app: &App) -> AppResult<Value> {
    let now = app.clock.now();
    let keys = loaded(app, false).await?;
    let published: Vec<&Value> = keys
        .iter()
        .filter(|k| k.expires_at.is_none_or(|e| e > now))
        .map(|k| &k.jwk)
        .collect();
    Ok(json!({ "keys": published }))
}

/// Signs claims as a compact JWS with the key of `alg` that signs now.
#[tracing::instrument(name = "app.oidc.keys.sign", level = "debug", skip_all)]
pub async fn sign(app: &App, alg: SigningAlg, claims: &Value) -> AppResult<String> {
    sign_as(app, alg, "JWT", claims).await
}

/// [`sign`] with the token's type in its header (`typ`), for tokens an app
/// must not mistake for another kind (a logout token for an ID token).
#[tracing::instrument(name = "app.oidc.keys.sign_as", level = "debug", skip_all)]
pub async fn sign_as(app: &App, alg: SigningAlg, typ: &str, claims: &Value) -> AppResult<String> {
    let now = app.clock.now();
    let keys = loaded(app, false).await?;
    let key = keys
        .iter()
        .filter(|k| k.alg == alg)
        .filter(|k| k.signs_from <= now && k.retired_at.is_none_or(|r| r > now))
        .filter(|k| k.expires_at.is_none_or(|e| e > now))
        .max_by_key(|k| k.signs_from)
        .ok_or_else(|| crypto("no key signs now"))?;
    let header = json!({"alg": alg.as_str(), "typ": typ, "kid": key.kid});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = match &key.pair {
        Pair::Ec(pair) => pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .map_err(|_| crypto("cannot sign"))?
            .as_ref()
            .to_vec(),
        Pair::Rsa(pair) => {
            let mut signature = vec![0; pair.public_modulus_len()];
            pair.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| crypto("cannot sign with RSA"))?;
            signature
        }
    };
    Ok(format!("{input}.{}", b64(&signature)))
}

/// The claims of a token this provider signed, if its signature holds
/// (expiry and audience are the caller's to check).
#[tracing::instrument(name = "app.oidc.keys.verify", level = "debug", skip_all)]
pub async fn verify(app: &App, token: &str) -> AppResult<Option<Value>> {
    let mut parts = token.split('.');
    let (Some(header), Some(body), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).ok();
    let Some(header) = decode(header).and_then(|h| serde_json::from_slice::<Value>(&h).ok()) else {
        return Ok(None);
    };
    let (Some(alg), Some(kid)) = (
        header["alg"].as_str().and_then(SigningAlg::parse),
        header["kid"].as_str(),
    ) else {
        return Ok(None);
    };
    let mut keys = loaded(app, false).await?;
    if !keys.iter().any(|k| k.kid == kid) {
        keys = loaded(app, true).await?;
    }
    // The header's algorithm must be the key's: no algorithm confusion.
    let Some(key) = keys.iter().find(|k| k.kid == kid && k.alg == alg) else {
        return Ok(None);
    };
    let (Some(signature), Some(claims)) = (decode(signature), decode(body)) else {
        return Ok(None);
    };
    let input = &token[..token.len() - token.rsplit('.').next().map_or(0, |s| s.len() + 1)];
    let holds = match alg {
        SigningAlg::Es256 => UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &key.public)
            .verify(input.as_bytes(), &signature)
            .is_ok(),
        SigningAlg::Rs256 => aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            &key.public,
        )
        .verify(input.as_bytes(), &signature)
        .is_ok(),
    };
    if !holds {
        return Ok(None);
    }
    Ok(serde_json::from_slice(&claims).ok())
}
