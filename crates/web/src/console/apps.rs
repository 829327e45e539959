//! A site's apps in the console (`/admin/sites/{site}/apps`, admins): the
//! apps that sign customers in through the site (OpenID Connect clients),
//! registering one, changing one, a new secret, deleting one. A secret is
//! shown once, on the page that answers its creation; a refused form comes
//! back with what was typed and why.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::AppError;
use gatehouse_app::oidc::clients::{self, ClientPatch, ClientView, NewClient, WithSecret};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_domain::oidc::{ClientType, GrantType, SigningAlg};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{Button, OnPage, PageResult, checked, page};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/{site}/apps", get(apps_page).post(create_app))
        .route(
            "/admin/sites/{site}/apps/{client_id}",
            get(app_page).post(update_app),
        )
        .route(
            "/admin/sites/{site}/apps/{client_id}/secret",
            post(new_secret),
        )
        .route(
            "/admin/sites/{site}/apps/{client_id}/delete",
            post(delete_app),
        )
}

/// The scopes an app may be allowed beyond `openid`, in the form's order.
const OPTIONAL_SCOPES: [&str; 4] = ["profile", "email", "offline_access", "gatehouse"];

/// The app form as posted (and as shown again after a refusal).
#[derive(Debug, Default, Deserialize, Serialize)]
struct AppForm {
    #[serde(default)]
    name: String,
    /// `confidential` or `public` (only when registering).
    #[serde(default)]
    client_type: String,
    first_party: Option<String>,
    /// One per line.
    #[serde(default)]
    redirect_uris: String,
    /// One per line.
    #[serde(default)]
    post_logout_redirect_uris: String,
    #[serde(default)]
    backchannel_logout_uri: String,
    scope_profile: Option<String>,
    scope_email: Option<String>,
    scope_offline_access: Option<String>,
    scope_gatehouse: Option<String>,
    /// `ES256` or `RS256`.
    #[serde(default)]
    signing_alg: String,
    /// Machine access (`client_credentials`) allowed.
    grant_client_credentials: Option<String>,
    /// The APIs it may ask tokens for, one per line.
    #[serde(default)]
    resources: String,
    backchannel_logout_session_required: Option<String>,
    require_two_steps: Option<String>,
}

fn lines(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

impl AppForm {
    fn scopes(&self) -> Vec<String> {
        let on = [
            &self.scope_profile,
            &self.scope_email,
            &self.scope_offline_access,
            &self.scope_gatehouse,
        ];
        std::iter::once("openid".to_string())
            .chain(
                OPTIONAL_SCOPES
                    .iter()
                    .zip(on)
                    .filter(|(_, v)| checked(v))
                    .map(|(s, _)| s.to_string()),
            )
            .collect()
    }

    /// The algorithm chosen (ES256 unless RS256 is).
    fn signing_alg(&self) -> SigningAlg {
        SigningAlg::parse(&self.signing_alg).unwrap_or(SigningAlg::Es256)
    }

    /// A customer's sign-in and its refresh always; machine access when
    /// ticked.
    fn grant_types(&self) -> Vec<GrantType> {
        let mut grants = GrantType::DEFAULT.to_vec();
        if checked(&self.grant_client_credentials) {
            grants.push(GrantType::ClientCredentials);
        }
        grants
    }

    fn backchannel(&self) -> Option<String> {
        Some(self.backchannel_logout_uri.trim().to_string()).filter(|u| !u.is_empty())
    }

    /// The form filled with an app as it is.
    fn of(c: &ClientView) -> AppForm {
        let has = |s: &str| c.scopes.iter().any(|x| x == s).then(|| "1".to_string());
        AppForm {
            name: c.name.clone(),
            client_type: c.client_type.as_str().to_string(),
            first_party: c.first_party.then(|| "1".into()),
            redirect_uris: c.redirect_uris.join("\n"),
            post_logout_redirect_uris: c.post_logout_redirect_uris.join("\n"),
            backchannel_logout_uri: c.backchannel_logout_uri.clone().unwrap_or_default(),
            scope_profile: has("profile"),
            scope_email: has("email"),
            scope_offline_access: has("offline_access"),
            scope_gatehouse: has("gatehouse"),
            signing_alg: c.signing_alg.as_str().to_string(),
            grant_client_credentials: c
                .grant_types
                .contains(&GrantType::ClientCredentials)
                .then(|| "1".into()),
            resources: c.resources.join("\n"),
            backchannel_logout_session_required: c
                .backchannel_logout_session_required
                .then(|| "1".into()),
            require_two_steps: c.require_two_steps.then(|| "1".into()),
        }
    }

    /// A new form: a confidential app with the usual scopes.
    fn blank() -> AppForm {
        AppForm {
            client_type: "confidential".into(),
            scope_profile: Some("1".into()),
            scope_email: Some("1".into()),
            signing_alg: SigningAlg::Es256.as_str().into(),
            ..AppForm::default()
        }
    }
}

/// What the list page answers.
enum Listed {
    /// The list, with a flash when given.
    Blank(Option<&'static str>),
    /// A registration refused: the form as typed, and why.
    Refused(Box<AppForm>, AppError),
    /// An app just registered, with its secret shown this once.
    Made(Box<WithSecret>),
}

/// The site's apps, with the registration form (blank, or as typed with
/// why it was refused), and a just-made secret when there is one.
async fn list(caller: &StaffCaller, state: &AppState, site: &str, answer: Listed) -> PageResult {
    let (status, form, error, made, flash) = match answer {
        Listed::Blank(flash) => (StatusCode::OK, AppForm::blank(), None, None, flash),
        Listed::Refused(form, e) => (
            super::refusal_status(&e),
            *form,
            Some(super::refusal_said(&e)),
            None,
            None,
        ),
        Listed::Made(made) => (
            StatusCode::CREATED,
            AppForm::blank(),
            None,
            Some(made),
            None,
        ),
    };
    let apps = clients::list(&state.app, caller, site)
        .await
        .on_page(caller)?;
    let issuer = clients::issuer_of(&state.app, caller, site)
        .await
        .on_page(caller)?;
    Ok(page(
        caller,
        status,
        "console/apps.html",
        context! {
            site, issuer, apps => pages::ser(&apps), form => pages::ser(&form), error,
            made => made.as_deref().map(pages::ser), flash,
        },
    ))
}

/// `?deleted=…` after a deletion.
#[derive(Debug, Default, Deserialize)]
struct Deleted {
    deleted: Option<String>,
}

async fn apps_page(
    State(state): State<AppState>,
    ConsolePath(site): ConsolePath<String>,
    ConsoleQuery(q): ConsoleQuery<Deleted>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    let flash = q.deleted.is_some().then_some("c-app-deleted");
    list(&caller, &state, &site, Listed::Blank(flash)).await
}

async fn create_app(
    State(state): State<AppState>,
    ConsolePath(site): ConsolePath<String>,
    ConsoleForm { caller, form, .. }: ConsoleForm<AppForm>,
) -> PageResult {
    let client_type = match form.client_type.as_str() {
        "public" => ClientType::Public,
        _ => ClientType::Confidential,
    };
    let input = NewClient {
        name: form.name.clone(),
        redirect_uris: lines(&form.redirect_uris),
        post_logout_redirect_uris: lines(&form.post_logout_redirect_uris),
        client_type,
        first_party: checked(&form.first_party),
        backchannel_logout_uri: form.backchannel(),
        scopes: Some(form.scopes()),
        signing_alg: Some(form.signing_alg()),
        grant_types: Some(form.grant_types()),
        resources: lines(&form.resources),
        backchannel_logout_session_required: checked(&form.backchannel_logout_session_required),
        require_two_steps: checked(&form.require_two_steps),
    };
    match clients::create(&state.app, &caller, &site, &input).await {
        Ok(made) => list(&caller, &state, &site, Listed::Made(Box::new(made))).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Fields(_) | AppError::Conflict(_))) => {
            list(&caller, &state, &site, Listed::Refused(Box::new(form), e)).await
        }
        Err(e) => Err(e).on_page(&caller),
    }
}

/// One app's page: its form (as it is, or as typed and refused), a secret
/// just made, a flash.
async fn one(
    caller: &StaffCaller,
    state: &AppState,
    site: &str,
    client_id: &str,
    answer: One<'_>,
) -> PageResult {
    let app = clients::get(&state.app, caller, site, client_id)
        .await
        .on_page(caller)?;
    let (status, form, error, secret, flash) = match answer {
        One::AsItIs => (StatusCode::OK, AppForm::of(&app), None, None, None),
        One::Refused(form, e) => (
            super::refusal_status(&e),
            *form,
            Some(super::refusal_said(&e)),
            None,
            None,
        ),
        One::Done(flash) => (StatusCode::OK, AppForm::of(&app), None, None, Some(flash)),
        One::Secret(secret) => (StatusCode::OK, AppForm::of(&app), None, Some(secret), None),
    };
    Ok(page(
        caller,
        status,
        "console/app.html",
        context! { site, app => pages::ser(&app), form => pages::ser(&form), error, secret, flash },
    ))
}

/// What an app's page answers.
enum One<'a> {
    AsItIs,
    Refused(Box<AppForm>, AppError),
    Done(&'a str),
    Secret(String),
}

async fn app_page(
    State(state): State<AppState>,
    ConsolePath((site, client_id)): ConsolePath<(String, String)>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    one(&caller, &state, &site, &client_id, One::AsItIs).await
}

async fn update_app(
    State(state): State<AppState>,
    ConsolePath((site, client_id)): ConsolePath<(String, String)>,
    ConsoleForm { caller, form, .. }: ConsoleForm<AppForm>,
) -> PageResult {
    let patch = ClientPatch {
        name: Some(form.name.clone()),
        redirect_uris: Some(lines(&form.redirect_uris)),
        post_logout_redirect_uris: Some(lines(&form.post_logout_redirect_uris)),
        first_party: Some(checked(&form.first_party)),
        backchannel_logout_uri: Some(form.backchannel()),
        scopes: Some(form.scopes()),
        signing_alg: Some(form.signing_alg()),
        grant_types: Some(form.grant_types()),
        resources: Some(lines(&form.resources)),
        backchannel_logout_session_required: Some(checked(
            &form.backchannel_logout_session_required,
        )),
        require_two_steps: Some(checked(&form.require_two_steps)),
    };
    match clients::update(&state.app, &caller, &site, &client_id, &patch).await {
        Ok(_) => one(&caller, &state, &site, &client_id, One::Done("c-app-saved")).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Fields(_) | AppError::Conflict(_))) => {
            one(
                &caller,
                &state,
                &site,
                &client_id,
                One::Refused(Box::new(form), e),
            )
            .await
        }
        Err(e) => Err(e).on_page(&caller),
    }
}

async fn new_secret(
    State(state): State<AppState>,
    ConsolePath((site, client_id)): ConsolePath<(String, String)>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    let made = clients::rotate_secret(&state.app, &caller, &site, &client_id)
        .await
        .on_page(&caller)?;
    match made.client_secret {
        Some(secret) => one(&caller, &state, &site, &client_id, One::Secret(secret)).await,
        None => one(&caller, &state, &site, &client_id, One::AsItIs).await,
    }
}

async fn delete_app(
    State(state): State<AppState>,
    ConsolePath((site, client_id)): ConsolePath<(String, String)>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    clients::delete(&state.app, &caller, &site, &client_id)
        .await
        .on_page(&caller)?;
    Ok(super::redirect(&format!(
        "/admin/sites/{site}/apps?deleted={client_id}"
    )))
}
