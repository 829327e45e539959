//! Self-registration. A new address gets an unverified account and an
//! activation mail. A known address gets the very same answer, while its
//! owner is sent a notice instead (with a fresh activation link if the account
//! is still unverified) and the attempt counts as a failed one.

use gatehouse_domain::{
    AccountRole, AccountState, Email, FieldError, LoginId, LoginIdMode, NewPassword, PolicyError,
    Status, Words,
};
use gatehouse_store::{Account, LinkPurpose, Site, StoreError};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{RequestMeta, count_failed_attempt, customer_actor};
use crate::account_mail::{issue_link, mail_account};
use crate::customer_fields;
use crate::mail::MailKey;
use crate::{App, AppError, AppResult, audit};

/// What a customer fills in.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Registration {
    /// E-mail address.
    #[schema(format = Email)]
    pub email: String,
    /// Chosen password (at least the site's minimum length, 8 by default,
    /// and not easy to guess).
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    /// First name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    pub last_name: String,
    /// Company, if any.
    #[serde(default)]
    pub company: Option<String>,
    /// Username, on sites that use usernames.
    #[serde(default)]
    pub login_id: Option<String>,
    /// `en` or `de`.
    #[serde(default)]
    pub language: Option<String>,
}

/// Longest name or company accepted (the customer fields' rule).
pub use crate::customer_fields::MAX_NAME_CHARS;

fn refused(errors: &mut Vec<FieldError>, name: &str, e: PolicyError) {
    errors.push(FieldError::said(name, e.words(), e.to_string()));
}

/// Trims a text field and checks its length; empty becomes `None`.
pub(crate) fn clean_text(
    errors: &mut Vec<FieldError>,
    name: &str,
    raw: &str,
    required: bool,
) -> Option<String> {
    match customer_fields::clean_text(name, raw, MAX_NAME_CHARS, false) {
        Ok(None) if required => {
            errors.push(customer_fields::say::required(name));
            None
        }
        Ok(value) => value,
        Err(e) => {
            errors.push(e);
            Some(raw.trim().to_string())
        }
    }
}

/// Checks a language choice.
pub(crate) fn clean_language(errors: &mut Vec<FieldError>, raw: Option<&str>) -> Option<String> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l @ ("en" | "de")) => Some(l.to_string()),
        Some(_) => {
            errors.push(customer_fields::say::language("language"));
            None
        }
    }
}

/// Registers a customer on a site. `Ok` means "check your mail", whether or
/// not the address was known.
#[tracing::instrument(name = "app.portal.register.register", level = "debug", skip_all)]
pub async fn register(
    app: &App,
    site: &Site,
    input: &Registration,
    _meta: &RequestMeta,
) -> AppResult<()> {
    let settings = &site.settings;
    if !settings.self_registration {
        return Err(AppError::Forbidden {
            code: "registration_closed",
            message: "this portal does not take registrations; ask the business for an account"
                .into(),
        });
    }

    let mut errors = Vec::new();
    let email = Email::parse(&input.email)
        .map_err(|e| refused(&mut errors, "email", e))
        .ok();
    let first_name = clean_text(&mut errors, "first_name", &input.first_name, true);
    let last_name = clean_text(&mut errors, "last_name", &input.last_name, true);
    let company = clean_text(
        &mut errors,
        "company",
        input.company.as_deref().unwrap_or(""),
        false,
    );
    let language = clean_language(&mut errors, input.language.as_deref());
    let login_id = match settings.login_id_mode {
        LoginIdMode::Email => email
            .as_ref()
            .and_then(|e| LoginId::parse(e.as_str(), LoginIdMode::Email).ok()),
        LoginIdMode::Username => LoginId::parse(
            input.login_id.as_deref().unwrap_or(""),
            LoginIdMode::Username,
        )
        .map_err(|e: PolicyError| refused(&mut errors, "login_id", e))
        .ok(),
    };
    let user_inputs: Vec<&str> = [
        email.as_ref().map(Email::as_str),
        first_name.as_deref(),
        last_name.as_deref(),
        login_id.as_ref().map(LoginId::as_str),
        company.as_deref(),
        Some(site.name.as_str()),
        settings.brand_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let password = NewPassword::parse(&input.password, settings.password_min_length, &user_inputs)
        .map_err(|e| refused(&mut errors, "password", e))
        .ok();
    let (Some(email), Some(login_id), Some(password), true) =
        (email, login_id, password, errors.is_empty())
    else {
        return Err(AppError::Fields(errors));
    };

    // Hashed on every path, known address or not: the answer takes as long.
    let password_hash = app.hasher.hash(password.expose()).await?;
    let new = NewAccount {
        email,
        login_id,
        password_hash,
        first_name,
        last_name,
        company,
        language,
    };
    // A concurrent registration of the same address may win the insert; the
    // second try then finds it and answers as for any known address.
    for _ in 0..3 {
        match attempt(app, site, &new).await? {
            Attempt::Done => {
                return Ok(());
            }
            Attempt::Raced => continue,
        }
    }
    Ok(())
}

struct NewAccount {
    email: Email,
    login_id: LoginId,
    password_hash: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    language: Option<String>,
}

enum Attempt {
    Done,
    Raced,
}

async fn attempt(app: &App, site: &Site, new: &NewAccount) -> AppResult<Attempt> {
    let settings = &site.settings;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;

    if let Some(existing) = tx.account_by_email(site.id, new.email.as_str()).await? {
        if existing.state.status(now) != Status::Deleted {
            let link = if existing.state.status(now) == Status::Unverified {
                Some(
                    issue_link(
                        app,
                        tx.as_mut(),
                        site,
                        &existing,
                        LinkPurpose::Activation,
                        now,
                    )
                    .await?,
                )
            } else {
                None
            };
            let ttl = link.as_ref().map(|l| l.ttl_seconds);
            mail_account(
                tx.as_mut(),
                site,
                &existing,
                MailKey::RegistrationNotice,
                link.map(|l| l.url),
                ttl,
                now,
            )
            .await?;
            count_failed_attempt(app, tx.as_mut(), site, existing.id, now).await?;
            tx.append_audit(&audit::event(
                now,
                &customer_actor(&existing),
                "account.register_repeated",
                Some(("account", existing.id)),
                Some(site.id),
                json!({}),
            ))
            .await?;
            tx.commit().await?;
        }
        return Ok(Attempt::Done);
    }
    if settings.login_id_mode == LoginIdMode::Username
        && tx
            .account_by_login_id(site.id, new.login_id.as_str())
            .await?
            .is_some()
    {
        // Usernames are chosen, not owned like an address: saying one is
        // taken is the only way to let the customer pick another.
        return Err(AppError::Fields(vec![FieldError::said(
            "login_id",
            Words::id("username-taken"),
            "this username is taken; choose another",
        )]));
    }

    let account = Account {
        id: Uuid::now_v7(),
        site_id: site.id,
        customer_id: None,
        login_id: new.login_id.as_str().to_string(),
        email: new.email.as_str().to_string(),
        password_hash: Some(new.password_hash.clone()),
        role: AccountRole::Customer,
        state: AccountState::registered(),
        deleted_at: None,
        first_name: new.first_name.clone().unwrap_or_default(),
        last_name: new.last_name.clone().unwrap_or_default(),
        company: new.company.clone(),
        language: new.language.clone(),
        registered_at: now,
        verified_at: None,
        approved_at: None,
        last_login_at: None,
        version: 1,
    };
    match tx.insert_account(&account).await {
        Err(StoreError::Conflict(_)) => return Ok(Attempt::Raced),
        other => other?,
    }
    let link = issue_link(
        app,
        tx.as_mut(),
        site,
        &account,
        LinkPurpose::Activation,
        now,
    )
    .await?;
    mail_account(
        tx.as_mut(),
        site,
        &account,
        MailKey::Activation,
        Some(link.url),
        Some(link.ttl_seconds),
        now,
    )
    .await?;
    tx.append_audit(&audit::event(
        now,
        &customer_actor(&account),
        "account.register",
        Some(("account", account.id)),
        Some(site.id),
        json!({}),
    ))
    .await?;
    match tx.commit().await {
        Err(StoreError::Conflict(_)) => Ok(Attempt::Raced),
        other => other.map(|()| Attempt::Done).map_err(AppError::from),
    }
}
