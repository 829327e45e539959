//! The customer's own profile: reading it, and changing the fields the site
//! lets customers change (never group, role, active flag, notifications or
//! external ID; first and last name become staff-only once set when the site
//! says so). The data lives on the customer record.

use gatehouse_domain::{FieldError, ProfileField};
use gatehouse_store::CustomerFields;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use super::customer_actor;
use super::sessions::Current;
use crate::customer_fields::CustomerPatch;
use crate::lifecycle::create_customer_from;
use crate::{App, AppError, AppResult, audit};

/// The profile as the customer sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Profile {
    /// Login ID.
    pub login_id: String,
    /// E-mail address.
    pub email: String,
    /// The address was proven.
    pub email_validated: bool,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: Option<String>,
    /// Landline.
    pub phone: Option<String>,
    /// Mobile.
    pub mobile: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Web address.
    pub url: Option<String>,
    /// Avatar picture.
    pub avatar_url: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
    /// Role on the site.
    pub role: String,
    /// The fields the customer may change now.
    pub editable_fields: Vec<ProfileField>,
    /// Last sign-in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    /// The password must be changed before anything else.
    pub must_change_password: bool,
}

fn field_name(f: ProfileField) -> String {
    serde_json::to_value(f)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn editable(current: &Current, fields: &CustomerFields) -> Vec<ProfileField> {
    let settings = &current.site.settings;
    settings
        .editable_fields
        .iter()
        .copied()
        .filter(|f| match f {
            ProfileField::FirstName => {
                !settings.lock_names_once_set || fields.first_name.is_empty()
            }
            ProfileField::LastName => !settings.lock_names_once_set || fields.last_name.is_empty(),
            // The company decides what a customer manager sees and manages:
            // staff (or a manager's invitation) set it, never the customer.
            ProfileField::Company => false,
            _ => true,
        })
        .collect()
}

async fn fields_of(app: &App, current: &Current) -> AppResult<CustomerFields> {
    let account = &current.account;
    if let Some(id) = account.customer_id {
        let writes = app.store.changes_seen();
        if let Some(fields) = app.recent.fields.get_unchanged(&id, app.store.as_ref()) {
            return Ok(CustomerFields::clone(&fields));
        }
        let mut tx = app.store.read().await?;
        if let Some(customer) = tx.customer_by_id(id).await? {
            app.recent.fields.put_about(
                id,
                writes,
                vec![id],
                std::sync::Arc::new(customer.fields.clone()),
            );
            return Ok(customer.fields);
        }
    }
    Ok(CustomerFields {
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        email: Some(account.email.clone()),
        company: account.company.clone(),
        language: account.language.clone(),
        ..CustomerFields::default()
    })
}

fn view(current: &Current, f: CustomerFields) -> Profile {
    let a = &current.account;
    Profile {
        editable_fields: editable(current, &f),
        login_id: a.login_id.clone(),
        email: a.email.clone(),
        email_validated: a.state.email_validated,
        first_name: f.first_name,
        last_name: f.last_name,
        company: f.company,
        phone: f.phone,
        mobile: f.mobile,
        country: f.country,
        region: f.region,
        street: f.street,
        postcode: f.postcode,
        city: f.city,
        url: f.url,
        avatar_url: f.avatar_url,
        language: f.language.or_else(|| a.language.clone()),
        role: a.role.as_str().to_string(),
        last_login_at: a.last_login_at,
        must_change_password: current.must_change_password,
    }
}

/// The signed-in customer's profile.
#[tracing::instrument(name = "app.portal.profile.profile", level = "debug", skip_all)]
pub async fn profile(app: &App, current: &Current) -> AppResult<Profile> {
    Ok(view(current, fields_of(app, current).await?))
}

/// Changes profile fields. Every field named must be an editable field of
/// the site, each obeys the customer fields' rules, and names cannot be
/// cleared. All or nothing.
#[tracing::instrument(name = "app.portal.profile.update_profile", level = "debug", skip_all)]
pub async fn update_profile(
    app: &App,
    current: &Current,
    changes: &CustomerPatch,
) -> AppResult<Profile> {
    if current.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    let mut fields = fields_of(app, current).await?;
    let allowed: Vec<String> = editable(current, &fields)
        .into_iter()
        .map(field_name)
        .collect();
    let mut errors: Vec<FieldError> = changes
        .present()
        .into_iter()
        .filter(|name| !allowed.iter().any(|a| a == name))
        .map(crate::customer_fields::say::not_editable)
        .collect();
    if errors.is_empty() {
        changes.apply_to(&mut fields, &mut errors);
    }
    for (name, value) in [
        ("first_name", &fields.first_name),
        ("last_name", &fields.last_name),
    ] {
        let named = changes.present().contains(&name);
        if named && value.is_empty() && !errors.iter().any(|e| e.field == name) {
            errors.push(crate::customer_fields::say::required(name));
        }
    }
    errors.sort_by(|a, b| a.field.cmp(&b.field));
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (mut account, must_change_password) =
        super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    if must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    if account.customer_id.is_none() {
        create_customer_from(tx.as_mut(), &mut account, now).await?;
    }
    let customer_id = account
        .customer_id
        .ok_or_else(|| AppError::Internal("no customer".into()))?;
    let mut customer = tx
        .customer_by_id(customer_id)
        .await?
        .ok_or_else(|| AppError::NotFound("customer".into()))?;
    // Only the fields the customer may edit come from the form.
    let keep = customer.fields.clone();
    customer.fields = CustomerFields {
        email: keep.email,
        company: keep.company,
        company_id: keep.company_id,
        external_id: keep.external_id,
        group_id: keep.group_id,
        notifications: keep.notifications,
        notes: keep.notes,
        ..fields.clone()
    };
    customer.updated_at = now;
    tx.update_customer(&customer).await?;
    account.first_name = customer.fields.first_name.clone();
    account.last_name = customer.fields.last_name.clone();
    account.language = customer.fields.language.clone();
    tx.save_account(&account).await?;
    let changed = changes.present();
    tx.append_audit(&audit::event(
        now,
        &customer_actor(&account),
        "account.profile_update",
        Some(("account", account.id)),
        Some(current.site.id),
        json!({"fields": changed}),
    ))
    .await?;
    tx.commit().await?;
    let mut updated = current.clone();
    updated.account = std::sync::Arc::new(account);
    Ok(view(&updated, customer.fields))
}
