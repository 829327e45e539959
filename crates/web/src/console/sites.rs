//! Sites in the console: the list (`/admin/sites`) with each site's portal,
//! settings, e-mail templates and apps; adding a site (admins); and a site's
//! settings page (`/admin/sites/{site}`), every setting with its meaning,
//! saved all or nothing. Staff who may read customers see the settings; only
//! admins change them (the app layer's `ManageSettings`).
//!
//! Invariant: [`SETTINGS`] names every key of `SiteSettings` once (a test
//! holds it to that), so no setting exists only in the API. A refused form
//! comes back with what was typed and each reason next to its field.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, sites};
use gatehouse_domain::{FieldError, Permission, SiteSettings, Words};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::{OnPage, PageResult, page, redirect, word};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/sites", get(sites_page).post(create_site))
        .route("/admin/sites/{site}", get(site_page).post(save_site))
}

/// How a setting is typed into the form.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A checkbox.
    Flag,
    /// A whole number.
    Number,
    /// One of a few words, each labelled `site-choice-{key}-{word}`.
    Choice(&'static [&'static str]),
    /// Optional text: empty clears it.
    Text,
    /// A set of profile fields, one checkbox each.
    Fields,
}

/// The settings page in its order: (section, [(key, kind)]).
const SETTINGS: [(&str, &[(&str, Kind)]); 6] = [
    (
        "registration",
        &[
            ("self_registration", Kind::Flag),
            ("approval_required", Kind::Flag),
            ("create_customer_on_registration", Kind::Flag),
            ("manager_invites_need_approval", Kind::Flag),
            ("login_id_mode", Kind::Choice(&["email", "username"])),
        ],
    ),
    (
        "sign-in",
        &[
            ("max_failed_attempts", Kind::Number),
            ("lock_mode", Kind::Choice(&["temporary", "permanent"])),
            ("lock_duration_seconds", Kind::Number),
            ("forgot_password_enabled", Kind::Flag),
            ("password_min_length", Kind::Number),
            (
                "two_step",
                Kind::Choice(&["off", "offered", "managers", "everyone"]),
            ),
        ],
    ),
    (
        "sessions",
        &[
            ("session_idle_seconds", Kind::Number),
            ("session_absolute_seconds", Kind::Number),
            ("activation_link_ttl_seconds", Kind::Number),
            ("reset_link_ttl_seconds", Kind::Number),
            ("invitation_link_ttl_seconds", Kind::Number),
        ],
    ),
    (
        "profile",
        &[
            ("editable_fields", Kind::Fields),
            ("lock_names_once_set", Kind::Flag),
            ("default_language", Kind::Choice(&["en", "de"])),
        ],
    ),
    (
        "branding",
        &[
            ("base_url", Kind::Text),
            ("brand_name", Kind::Text),
            ("brand_colour", Kind::Text),
            ("logo_url", Kind::Text),
            ("support_email", Kind::Text),
        ],
    ),
    ("retention", &[("deleted_retention_days", Kind::Number)]),
];

/// The profile fields a site may open to its customers, in the form's order.
const PROFILE_FIELDS: [&str; 13] = [
    "first_name",
    "last_name",
    "company",
    "phone",
    "mobile",
    "country",
    "region",
    "street",
    "postcode",
    "city",
    "url",
    "language",
    "avatar_url",
];

fn all_settings() -> impl Iterator<Item = (&'static str, Kind)> {
    SETTINGS.iter().flat_map(|(_, s)| s.iter().copied())
}

/// The add-a-site form as posted.
#[derive(Debug, Default, Deserialize)]
struct NewSite {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
}

async fn sites_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    typed: Option<(&NewSite, Vec<FieldError>)>,
) -> PageResult {
    let list = sites::list(&state.app, caller).await.on_page(caller)?;
    let (key, name, errors) = match typed {
        Some((t, errors)) => (t.key.as_str(), t.name.as_str(), errors),
        None => ("", "", Vec::new()),
    };
    Ok(page(
        caller,
        status,
        "console/sites.html",
        context! {
            sites => pages::ser(list.iter().cloned().map(gatehouse_app::wire::Site::from).collect::<Vec<_>>()),
            key, name,
            key_error => said(&errors, "key"),
            name_error => said(&errors, "name"),
            may_manage => caller.may(Permission::ManageSettings),
            flash => None::<String>, error => None::<String>,
        },
    ))
}

/// The error for `field`, in the page's language.
fn said(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(super::field_said)
}

async fn sites_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    sites_view(&state, &caller, StatusCode::OK, None).await
}

async fn create_site(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<NewSite>,
) -> PageResult {
    let refused = match sites::create(&state.app, &caller, &form.key, &form.name).await {
        Ok(site) => return Ok(redirect(&format!("/admin/sites/{}?added=1", site.key))),
        Err(AppError::Conflict(english)) => vec![FieldError::said(
            "key",
            Words::id("c-site-key-taken").arg("key", form.key.trim()),
            english,
        )],
        Err(AppError::Invalid {
            field: Some(field),
            message,
            words,
        }) => vec![FieldError {
            field,
            message,
            words,
        }],
        Err(e) => return Err(e).on_page(&caller),
    };
    sites_view(
        &state,
        &caller,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some((&form, refused)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
struct SiteQuery {
    added: Option<String>,
    saved: Option<String>,
}

/// The settings form: the values as typed (or, without them, as stored) and
/// the refusals by key.
async fn site_view(
    state: &AppState,
    caller: &StaffCaller,
    key: &str,
    status: StatusCode,
    typed: Option<&Map<String, Json>>,
    errors: &[FieldError],
    flash: Option<&str>,
) -> PageResult {
    let site = sites::get(&state.app, caller, key).await.on_page(caller)?;
    let as_stored;
    let shown = match typed {
        Some(typed) => typed,
        None => {
            as_stored = stored(&site.settings);
            &as_stored
        }
    };
    let sections: Vec<Value> = SETTINGS
        .iter()
        .map(|(section, settings)| {
            let fields: Vec<Value> = settings
                .iter()
                .map(|(key, kind)| field(key, *kind, shown.get(*key), errors))
                .collect();
            context! { id => *section, fields }
        })
        .collect();
    Ok(page(
        caller,
        status,
        "console/site.html",
        context! {
            site => pages::ser(gatehouse_app::wire::Site::from(site.clone())),
            sections,
            errors => errors.len(),
            may_manage => caller.may(Permission::ManageSettings),
            flash, error => None::<String>,
        },
    ))
}

/// One setting as the template draws it.
fn field(key: &str, kind: Kind, value: Option<&Json>, errors: &[FieldError]) -> Value {
    let text = match value {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let options: Vec<Value> = match kind {
        Kind::Choice(words) => words
            .iter()
            .map(|w| {
                context! {
                    value => *w,
                    label => word(&format!("site-choice-{key}-{w}")),
                    on => text == *w,
                }
            })
            .collect(),
        Kind::Fields => {
            let on: Vec<&str> = value
                .and_then(Json::as_array)
                .map(|a| a.iter().filter_map(Json::as_str).collect())
                .unwrap_or_default();
            PROFILE_FIELDS
                .iter()
                .map(|f| {
                    context! {
                        value => *f,
                        label => word(&format!("customer-field-{f}")),
                        on => on.contains(f),
                    }
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let kind = match kind {
        Kind::Flag => "flag",
        Kind::Number => "number",
        Kind::Choice(_) => "choice",
        Kind::Text => "text",
        Kind::Fields => "fields",
    };
    context! {
        key, kind, text, options,
        on => value.and_then(Json::as_bool).unwrap_or(false),
        error => said(errors, key),
    }
}

/// A site's settings as the form shows them.
fn stored(settings: &SiteSettings) -> Map<String, Json> {
    match serde_json::to_value(settings) {
        Ok(Json::Object(map)) => map,
        _ => Map::new(),
    }
}

async fn site_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(key): ConsolePath<String>,
    ConsoleQuery(q): ConsoleQuery<SiteQuery>,
) -> PageResult {
    let flash = match (q.added.is_some(), q.saved.is_some()) {
        (true, _) => Some("c-site-added"),
        (_, true) => Some("c-saved"),
        _ => None,
    };
    site_view(&state, &caller, &key, StatusCode::OK, None, &[], flash).await
}

/// The settings form read into a patch of every setting; a number that is
/// not one is refused here (and shown as typed), the rest is the domain's to
/// judge.
fn read_form(form: &[(String, String)]) -> (Map<String, Json>, Vec<FieldError>) {
    let get = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
    };
    let mut patch = Map::new();
    let mut errors = Vec::new();
    for (key, kind) in all_settings() {
        let value = match kind {
            Kind::Flag => Json::Bool(get(key).is_some()),
            Kind::Number => {
                let typed = get(key).unwrap_or_default();
                match typed.parse::<u32>() {
                    Ok(n) => Json::from(n),
                    Err(_) => {
                        errors.push(FieldError::said(
                            key,
                            Words::id("field-not-whole-number"),
                            "must be a whole number",
                        ));
                        Json::String(typed)
                    }
                }
            }
            Kind::Choice(_) => Json::String(get(key).unwrap_or_default()),
            Kind::Text => get(key)
                .filter(|v| !v.is_empty())
                .map_or(Json::Null, Json::String),
            Kind::Fields => Json::Array(
                form.iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, v)| Json::String(v.clone()))
                    .collect(),
            ),
        };
        patch.insert(key.to_string(), value);
    }
    (patch, errors)
}

async fn save_site(
    State(state): State<AppState>,
    ConsolePath(key): ConsolePath<String>,
    ConsoleForm { caller, form, .. }: ConsoleForm<Vec<(String, String)>>,
) -> PageResult {
    caller
        .require(Permission::ManageSettings)
        .on_page(&caller)?;
    let (patch, mut errors) = read_form(&form);
    if errors.is_empty() {
        match sites::patch_settings(&state.app, &caller, &key, &patch).await {
            Ok(_) => return Ok(redirect(&format!("/admin/sites/{key}?saved=1"))),
            Err(AppError::Fields(refused)) => errors = refused,
            Err(e) => return Err(e).on_page(&caller),
        }
    } else {
        // Judge the rest too, without saving, so every wrong field is shown
        // at once.
        let current = sites::settings(&state.app, &caller, &key)
            .await
            .on_page(&caller)?;
        let rest: Map<String, Json> = patch
            .iter()
            .filter(|(k, _)| !errors.iter().any(|e| &e.field == *k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Err(e) = current.patched(&rest) {
            errors.extend(e.errors);
        }
    }
    site_view(
        &state,
        &caller,
        &key,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(&patch),
        &errors,
        None,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_setting_once() {
        let mut page: Vec<&str> = all_settings().map(|(k, _)| k).collect();
        page.sort_unstable();
        let mut model: Vec<String> = stored(&SiteSettings::default()).keys().cloned().collect();
        model.sort_unstable();
        assert_eq!(page, model);
    }

    #[test]
    fn the_form_offers_every_profile_field() {
        let all: Vec<Json> = PROFILE_FIELDS.iter().map(|f| Json::from(*f)).collect();
        let mut patch = Map::new();
        patch.insert("editable_fields".into(), Json::Array(all));
        // Every name the form offers is one the domain accepts.
        assert!(SiteSettings::default().patched(&patch).is_ok());
    }

    #[test]
    fn an_unreadable_number_is_refused_and_kept_as_typed() {
        let form = vec![
            ("max_failed_attempts".to_string(), "five".to_string()),
            ("editable_fields".to_string(), "city".to_string()),
            ("editable_fields".to_string(), "phone".to_string()),
        ];
        let (patch, errors) = read_form(&form);
        // "five" and every number left out are refused; nothing else is.
        let numbers: Vec<&str> = all_settings()
            .filter(|(_, k)| matches!(k, Kind::Number))
            .map(|(k, _)| k)
            .collect();
        let refused: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(refused, numbers);
        assert_eq!(patch["max_failed_attempts"], Json::from("five"));
        assert_eq!(
            patch["editable_fields"],
            serde_json::json!(["city", "phone"])
        );
        assert_eq!(patch["self_registration"], Json::Bool(false));
        assert_eq!(patch["base_url"], Json::Null);
    }
}
