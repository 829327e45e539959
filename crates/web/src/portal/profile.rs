//! The signed-in customer's profile form: the fields the site lets them
//! edit, each refusal next to what they typed; and the download of
//! everything held about them.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::customers::CustomerPatch;
use gatehouse_app::portal::profile;
use minijinja::context;

use crate::extract::visit::*;
use crate::pages;

/// The customer fields a profile can show (those a site may open to its
/// customers), in the customer fields' order.
fn profile_fields() -> Vec<&'static str> {
    CustomerPatch::FIELDS
        .iter()
        .map(|f| f.name)
        .filter(|name| {
            serde_json::from_value::<gatehouse_domain::ProfileField>((*name).into()).is_ok()
        })
        .collect()
}

/// The profile form: the stored values, with what the customer typed over
/// them when a save was refused (nothing they typed is lost).
pub(super) fn profile_page(
    v: Visit,
    status: StatusCode,
    profile: &profile::Profile,
    typed: &BTreeMap<String, String>,
    error: Option<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let editable: Vec<String> = profile
        .editable_fields
        .iter()
        .filter_map(|f| {
            serde_json::to_value(f)
                .ok()
                .and_then(|x| x.as_str().map(str::to_string))
        })
        .collect();
    let mut shown = serde_json::to_value(profile).unwrap_or_default();
    if let serde_json::Value::Object(values) = &mut shown {
        for (field, value) in typed {
            if editable.contains(field) {
                values.insert(field.clone(), serde_json::Value::String(value.clone()));
            }
        }
    }
    let profile = pages::ser(&shown);
    v.page(
        status,
        "portal/profile.html",
        context! { profile, editable, fields => profile_fields(), error, errors },
    )
}

pub(super) async fn profile_form(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    match profile::profile(&v.state.app, &current).await {
        Ok(p) => profile_page(
            v,
            StatusCode::OK,
            &p,
            &BTreeMap::new(),
            None,
            BTreeMap::new(),
        ),
        Err(e) => v.fail(e).into_response(),
    }
}

/// Just signed in again after the session ended under a posted profile
/// form: the form as it was typed, over the stored values, saying nothing
/// has been saved yet.
pub(super) async fn resumed(
    v: Visit,
    session: &gatehouse_app::portal::sessions::NewSession,
    resume: &str,
) -> Response {
    let (v, current, typed) = match v.resuming(session, resume, "resume_profile").await {
        Ok(resumed) => resumed,
        Err(response) => return *response,
    };
    match profile::profile(&v.state.app, &current).await {
        Ok(p) => profile_page(v, StatusCode::OK, &p, &typed, None, BTreeMap::new()),
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn profile_submit(
    SignedInForm {
        visit: v,
        current,
        mut form,
    }: SignedInForm<BTreeMap<String, String>>,
) -> Response {
    form.remove("csrf");
    let typed: serde_json::Map<String, serde_json::Value> = form
        .iter()
        .map(|(k, val)| (k.clone(), serde_json::Value::String(val.clone())))
        .collect();
    let changes = CustomerPatch::from_json(&typed);
    match profile::update_profile(&v.state.app, &current, &changes).await {
        Ok(_) => {
            let to = format!("{}?notice=profile_saved", v.path("profile"));
            v.redirect(&to)
        }
        Err(e @ (AppError::Fields(_) | AppError::Invalid { .. })) => {
            let (error, errors) = form_errors(&v, &e);
            match profile::profile(&v.state.app, &current).await {
                Ok(p) => profile_page(
                    v,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &p,
                    &form,
                    error,
                    errors,
                ),
                Err(e) => v.fail(e).into_response(),
            }
        }
        Err(e) => v.fail(e).into_response(),
    }
}

/// Everything held about the signed-in customer, as a JSON file to save.
pub(super) async fn personal_data(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    match gatehouse_app::privacy::own_data(&v.state.app, &current).await {
        Ok(data) => crate::api::privacy::download(data, "my-data.json"),
        Err(e) => v.fail(e).into_response(),
    }
}
