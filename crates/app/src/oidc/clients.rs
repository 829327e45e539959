//! The apps registered on a site (OAuth 2.0 clients): admins register,
//! read, change and remove them, and rotate a confidential client's secret.
//! A secret is shown once, when made, and stored as its SHA-256 only.
//! Every change is audited.

use std::collections::BTreeSet;

use gatehouse_domain::oidc::{
    ClientType, GrantType, KNOWN_SCOPES, SigningAlg, UriRefusal, check_grant_types,
    check_redirect_uri, check_resource,
};
use gatehouse_domain::{FieldError, Permission, Words};
use gatehouse_store::{Client, Site, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit, secrets};

/// An app to register.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// The name customers see on the consent page.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "[^\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"
    )]
    pub name: String,
    /// Where codes may be sent, compared exactly: `https`, `http` only for
    /// loopback hosts, or a native app's private-use scheme.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Where a customer may be sent after signing out through the app.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// `confidential` (a server-side app with a secret) or `public` (a
    /// browser or native app; PKCE required).
    #[serde(rename = "type")]
    pub client_type: ClientType,
    /// The business's own app: customers are not asked for consent.
    #[serde(default)]
    pub first_party: bool,
    /// Where back-channel logout tokens are posted.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// The scopes the app may ask for; default `openid profile email`.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// How its tokens are signed; default `ES256` (choose `RS256` for a
    /// library that knows only RS256).
    #[serde(default)]
    pub signing_alg: Option<SigningAlg>,
    /// How it may get tokens; default `authorization_code` and
    /// `refresh_token`. `client_credentials` (tokens with no customer
    /// present) only when listed, and only for a confidential app.
    #[serde(default)]
    pub grant_types: Option<Vec<GrantType>>,
    /// The APIs it may ask access tokens for, by their address (RFC 8707
    /// `resource`): a token asked for one carries it as `aud`.
    #[serde(default)]
    pub resources: Vec<String>,
    /// The app needs `sid` in its logout tokens (Gatehouse always sends
    /// it).
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
    /// Its customers sign in with two steps before it gets a code (as if it
    /// always asked `acr_values=2`).
    #[serde(default)]
    pub require_two_steps: bool,
}

/// Changes to an app; what is left out stays.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    /// The name customers see.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "[^\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"
    )]
    pub name: Option<String>,
    /// Where codes may be sent.
    pub redirect_uris: Option<Vec<String>>,
    /// Where a customer may be sent after signing out.
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// The business's own app.
    pub first_party: Option<bool>,
    /// Where back-channel logout tokens go (`null` stops them).
    #[serde(default, deserialize_with = "crate::oidc::clients::some")]
    pub backchannel_logout_uri: Option<Option<String>>,
    /// The scopes the app may ask for.
    pub scopes: Option<Vec<String>>,
    /// How its tokens are signed.
    pub signing_alg: Option<SigningAlg>,
    /// How it may get tokens.
    pub grant_types: Option<Vec<GrantType>>,
    /// The APIs it may ask access tokens for.
    pub resources: Option<Vec<String>>,
    /// The app needs `sid` in its logout tokens.
    pub backchannel_logout_session_required: Option<bool>,
    /// Its customers sign in with two steps before it gets a code.
    pub require_two_steps: Option<bool>,
}

/// A present field, even `null`, as `Some` (so that `null` can clear).
pub(crate) fn some<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An app as staff see it (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    /// The public `client_id`.
    pub client_id: String,
    /// The site (its issuer is the site's portal address).
    pub site: String,
    /// Name.
    pub name: String,
    /// `confidential` or `public`.
    #[serde(rename = "type")]
    pub client_type: ClientType,
    /// The business's own app.
    pub first_party: bool,
    /// Where codes may be sent.
    pub redirect_uris: Vec<String>,
    /// Where a customer may be sent after signing out.
    pub post_logout_redirect_uris: Vec<String>,
    /// Where back-channel logout tokens go.
    pub backchannel_logout_uri: Option<String>,
    /// The scopes it may ask for.
    pub scopes: Vec<String>,
    /// How its tokens are signed.
    pub signing_alg: SigningAlg,
    /// How it may get tokens.
    pub grant_types: Vec<GrantType>,
    /// The APIs it may ask access tokens for.
    pub resources: Vec<String>,
    /// The app needs `sid` in its logout tokens.
    pub backchannel_logout_session_required: bool,
    /// Its customers sign in with two steps before it gets a code.
    pub require_two_steps: bool,
    /// Registered at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed at.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A registered app with its secret, shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WithSecret {
    /// The app.
    #[serde(flatten)]
    pub client: ClientView,
    /// The secret (confidential clients), shown only now.
    pub client_secret: Option<String>,
}

/// The view of a stored client.
pub fn view(site: &Site, c: &Client) -> ClientView {
    ClientView {
        client_id: c.client_id.clone(),
        site: site.key.clone(),
        name: c.name.clone(),
        client_type: c.client_type,
        first_party: c.first_party,
        redirect_uris: c.redirect_uris.clone(),
        post_logout_redirect_uris: c.post_logout_redirect_uris.clone(),
        backchannel_logout_uri: c.backchannel_logout_uri.clone(),
        scopes: c.scopes.clone(),
        signing_alg: c.signing_alg,
        grant_types: c.grant_types.clone(),
        resources: c.resources.clone(),
        backchannel_logout_session_required: c.backchannel_logout_session_required,
        require_two_steps: c.require_two_steps,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// The default scopes of a new app.
const DEFAULT_SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// Checks what an app would become; answers every refusal at once.
fn check(c: &Client) -> AppResult<()> {
    let mut errors = Vec::new();
    let said = |field: &str, words: Words, english: &str| FieldError::said(field, words, english);
    let refused = |field: &str, e: UriRefusal| FieldError::said(field, e.words(), e.to_string());
    let too_many = |field: &str| {
        said(
            field,
            Words::id("app-too-many-addresses").arg("max", 20),
            "at most 20 addresses",
        )
    };
    let name_len = c.name.chars().count();
    if name_len == 0 || name_len > 100 {
        errors.push(said(
            "name",
            Words::id("app-name-length"),
            "a name must be 1 to 100 characters",
        ));
    }
    for (field, uris) in [
        ("redirect_uris", &c.redirect_uris),
        ("post_logout_redirect_uris", &c.post_logout_redirect_uris),
    ] {
        if uris.len() > 20 {
            errors.push(too_many(field));
        }
        for uri in uris {
            if let Err(e) = check_redirect_uri(uri) {
                errors.push(refused(field, e));
            }
        }
        let distinct: BTreeSet<&String> = uris.iter().collect();
        if distinct.len() != uris.len() {
            errors.push(said(
                field,
                Words::id("app-address-twice"),
                "an address is listed twice",
            ));
        }
    }
    if c.client_type == ClientType::Public && c.redirect_uris.is_empty() {
        errors.push(said(
            "redirect_uris",
            Words::id("app-public-needs-redirect"),
            "a public app needs at least one redirect address",
        ));
    }
    if let Some(uri) = &c.backchannel_logout_uri {
        let web = uri.starts_with("https://") || uri.starts_with("http://");
        if let Err(e) = check_redirect_uri(uri) {
            errors.push(refused("backchannel_logout_uri", e));
        } else if !web {
            errors.push(said(
                "backchannel_logout_uri",
                Words::id("app-backchannel-https"),
                "the back-channel logout address must be an https address",
            ));
        }
    }
    if let Err(e) = check_grant_types(c.client_type, &c.grant_types) {
        errors.push(e);
    }
    if c.resources.len() > 20 {
        errors.push(too_many("resources"));
    }
    for uri in &c.resources {
        if let Err(e) = check_resource(uri) {
            errors.push(refused("resources", e));
        }
    }
    let known = KNOWN_SCOPES.join(", ");
    for scope in c
        .scopes
        .iter()
        .filter(|s| !KNOWN_SCOPES.contains(&s.as_str()))
    {
        errors.push(said(
            "scopes",
            Words::id("app-unknown-scope")
                .arg("scope", scope)
                .arg("known", &known),
            &format!("'{scope}' is not a scope Gatehouse offers ({known})"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Fields(errors))
    }
}

fn scopes_of(asked: Option<Vec<String>>) -> Vec<String> {
    let set: BTreeSet<String> = asked
        .unwrap_or_else(|| DEFAULT_SCOPES.map(String::from).to_vec())
        .into_iter()
        .map(|s| s.trim().to_string())
        .collect();
    set.into_iter().collect()
}

/// Grant types as chosen (the default when not), each once, in order.
fn grant_types_of(asked: Option<Vec<GrantType>>) -> Vec<GrantType> {
    let set: BTreeSet<GrantType> = asked
        .unwrap_or_else(|| GrantType::DEFAULT.to_vec())
        .into_iter()
        .collect();
    set.into_iter().collect()
}

/// Addresses trimmed, each once, in the order given.
fn distinct(uris: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    uris.iter()
        .map(|u| u.trim().to_string())
        .filter(|u| seen.insert(u.clone()))
        .collect()
}

async fn client_on(tx: &mut dyn Tx, site: &Site, client_id: &str) -> AppResult<Client> {
    tx.client_by_client_id(client_id)
        .await?
        .filter(|c| c.site_id == site.id)
        .ok_or_else(|| AppError::NotFound(format!("app '{client_id}' on site '{}'", site.key)))
}

/// Registers an app on a site; answers it with its secret (shown once).
#[tracing::instrument(name = "app.oidc.clients.create", level = "debug", skip_all)]
pub async fn create(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    input: &NewClient,
) -> AppResult<WithSecret> {
    caller.require(Permission::ManageSettings)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = crate::sites::load(tx.as_mut(), site_key).await?;
    let secret =
        (input.client_type == ClientType::Confidential).then(|| secrets::new_token("ghs_"));
    let client = Client {
        id: Uuid::now_v7(),
        site_id: site.id,
        client_id: secrets::new_token("ghc_")[..26].to_string(),
        name: input.name.trim().to_string(),
        client_type: input.client_type,
        secret_hash: secret.as_deref().map(secrets::token_hash),
        redirect_uris: input.redirect_uris.clone(),
        post_logout_redirect_uris: input.post_logout_redirect_uris.clone(),
        first_party: input.first_party,
        backchannel_logout_uri: input.backchannel_logout_uri.clone(),
        scopes: scopes_of(input.scopes.clone()),
        signing_alg: input.signing_alg.unwrap_or(SigningAlg::Es256),
        grant_types: grant_types_of(input.grant_types.clone()),
        resources: distinct(&input.resources),
        backchannel_logout_session_required: input.backchannel_logout_session_required,
        require_two_steps: input.require_two_steps,
        created_at: now,
        updated_at: now,
    };
    check(&client)?;
    tx.insert_client(&client).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "client.create",
        Some(("client", client.id)),
        Some(site.id),
        json!({"client_id": client.client_id, "name": client.name, "type": client.client_type,
               "first_party": client.first_party, "redirect_uris": client.redirect_uris,
               "scopes": client.scopes, "grant_types": client.grant_types,
               "resources": client.resources}),
    ))
    .await?;
    tx.commit().await?;
    Ok(WithSecret {
        client: view(&site, &client),
        client_secret: secret,
    })
}

/// The issuer of a site by its key (what its apps are configured with).
#[tracing::instrument(name = "app.oidc.clients.issuer_of", level = "debug", skip_all)]
pub async fn issuer_of(app: &App, caller: &StaffCaller, site_key: &str) -> AppResult<String> {
    caller.require(Permission::ManageSettings)?;
    let mut tx = app.store.read().await?;
    let site = crate::sites::load(tx.as_mut(), site_key).await?;
    Ok(super::issuer(app, &site))
}

/// The apps of a site.
#[tracing::instrument(name = "app.oidc.clients.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &StaffCaller, site_key: &str) -> AppResult<Vec<ClientView>> {
    caller.require(Permission::ManageSettings)?;
    let mut tx = app.store.read().await?;
    let site = crate::sites::load(tx.as_mut(), site_key).await?;
    let clients = tx.list_clients(site.id).await?;
    Ok(clients.iter().map(|c| view(&site, c)).collect())
}

/// One app.
#[tracing::instrument(name = "app.oidc.clients.get", level = "debug", skip_all)]
pub async fn get(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    client_id: &str,
) -> AppResult<ClientView> {
    caller.require(Permission::ManageSettings)?;
    let mut tx = app.store.read().await?;
    let site = crate::sites::load(tx.as_mut(), site_key).await?;
    let client = client_on(tx.as_mut(), &site, client_id).await?;
    Ok(view(&site, &client))
}

/// Changes an app; answers it as it is now.
#[tracing::instrument(name = "app.oidc.clients.update", level = "debug", skip_all)]
pub async fn update(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    client_id: &str,
    patch: &ClientPatch,
) -> AppResult<ClientView> {
    caller.require(Permission::ManageSettings)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = crate::sites::load(tx.as_mut(), site_key).await?;
    let before = client_on(tx.as_mut(), &site, client_id).await?;
    let mut after = before.clone();
    if let Some(name) = &patch.name {
        after.name = name.trim().to_string();
    }
    if let Some(uris) = &patch.redirect_uris {
        after.redirect_uris = uris.clone();
    }
    if let Some(uris) = &patch.post_logout_redirect_uris {
        after.post_logout_redirect_uris = uris.clone();
    }
    if let Some(first_party) = patch.first_party {
        after.first_party = first_party;
    }
    if let Some(uri) = &patch.backchannel_logout_uri {
        after.backchannel_logout_uri = uri.clone();
    }
    if let Some(scopes) = &patch.scopes {
        after.scopes = scopes_of(Some(scopes.clone()));
    }
    if let Some(alg) = patch.signing_alg {
        after.signing_alg = alg;
    }
    if let Some(grants) = &patch.grant_types {
        after.grant_types = grant_types_of(Some(grants.clone()));
    }
    if let Some(resources) = &patch.resources {
        after.resources = distinct(resources);
    }
    if let Some(required) = patch.backchannel_logout_session_required {
        after.backchannel_logout_session_required = required;
    }
    if let Some(required) = patch.require_two_steps {
        after.require_two_steps = required;
    }
    after.updated_at = now;
    check(&after)?;
    tx.update_client(&after).await?;
    let (was, is) = (view(&site, &before), view(&site, &after));
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "client.update",
        Some(("client", after.id)),
        Some(site.id),
        json!({"client_id": after.client_id, "before": was, "after": is}),
    ))
    .await?;
    tx.commit().await?;
    Ok(is)
}

/// Makes a new secret for a confidential app (the old one stops working
/// at once); answers the app with the new secret, shown this once.
#[tracing::instrument(name = "app.oidc.clients.rotate_secret", level = "debug", skip_all)]
pub async fn rotate_secret(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    client_id: &str,
) -> AppResult<WithSecret> {
    caller.require(Permission::ManageSettings)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = crate::sites::load(tx.as_mut(), site_key).await?;
    let mut client = client_on(tx.as_mut(), &site, client_id).await?;
    if client.client_type != ClientType::Confidential {
        return Err(AppError::invalid(
            "type",
            "a public app has no secret to rotate",
        ));
    }
    let secret = secrets::new_token("ghs_");
    client.secret_hash = Some(secrets::token_hash(&secret));
    client.updated_at = now;
    tx.update_client(&client).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "client.secret_rotate",
        Some(("client", client.id)),
        Some(site.id),
        json!({"client_id": client.client_id}),
    ))
    .await?;
    tx.commit().await?;
    Ok(WithSecret {
        client: view(&site, &client),
        client_secret: Some(secret),
    })
}

/// Removes an app with everything it was granted.
#[tracing::instrument(name = "app.oidc.clients.delete", level = "debug", skip_all)]
pub async fn delete(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    client_id: &str,
) -> AppResult<()> {
    caller.require(Permission::ManageSettings)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = crate::sites::load(tx.as_mut(), site_key).await?;
    let client = client_on(tx.as_mut(), &site, client_id).await?;
    tx.delete_client(client.id).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "client.delete",
        Some(("client", client.id)),
        Some(site.id),
        json!({"client_id": client.client_id, "name": client.name}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
