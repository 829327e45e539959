//! The portal's pages. Every form posts back to its own address and answers
//! with a page (showing what was wrong) or a 303 redirect to the next page, so
//! everything works without JavaScript.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Query, RawPathParams};
use axum::http::Method;
use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use gatehouse_app::AppError;
use gatehouse_app::customers::CustomerPatch;
use gatehouse_app::portal::sessions::{self, Current};
use gatehouse_app::portal::{
    RequestMeta, activate, load_site, password, profile, register, reset, sign_in,
};
use gatehouse_domain::{Language, LoginIdMode, SignInRefusal, Status};
use gatehouse_store::Site;
use minijinja::{Value, context};
use serde::Deserialize;

use super::rate_limit;
use crate::error::ApiError;
use crate::extract::ClientMeta;
use crate::{AppState, cookies, csrf, i18n, pages};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{site}", get(home))
        .route("/s/{site}/", get(home))
        .route(
            "/s/{site}/register",
            get(register_form).post(register_submit),
        )
        .route("/s/{site}/activate", get(activate_link))
        .route(
            "/s/{site}/resend-activation",
            get(resend_form).post(resend_submit),
        )
        .route("/s/{site}/login", get(login_form).post(login_submit))
        .route("/s/{site}/logout", post(logout))
        .route(
            "/s/{site}/forgot-password",
            get(forgot_form).post(forgot_submit),
        )
        .route(
            "/s/{site}/reset-password",
            get(reset_form).post(reset_submit),
        )
        .route(
            "/s/{site}/change-password",
            get(change_form).post(change_submit),
        )
        .route("/s/{site}/profile", get(profile_form).post(profile_submit))
        .route("/s/{site}/sessions", get(sessions_page))
        .route("/s/{site}/sessions/others", post(sessions_others))
        .route("/s/{site}/impersonate", get(impersonate_link))
        .route("/s/{site}/impersonation/end", post(end_impersonation))
}

/// Query parameters any page takes.
#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    lang: Option<String>,
    notice: Option<String>,
    token: Option<String>,
}

/// Words that may be shown as a notice after a redirect.
const NOTICES: [&str; 6] = [
    "profile_saved",
    "change_done",
    "reset_done",
    "signed_out",
    "sessions_signed_out_others",
    "activated_active",
];

/// One page view: the site, the visitor's language and session, and the
/// cookies to set on the answer.
struct Visit {
    state: AppState,
    site: Site,
    lang: Language,
    current: Option<Current>,
    csrf: String,
    anonymous_csrf: Option<String>,
    set_cookies: HeaderMap,
    meta: RequestMeta,
    flash: Option<String>,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visit, Response> {
        let site_key = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|p| {
                p.iter()
                    .find(|(k, _)| *k == "site")
                    .map(|(_, v)| v.to_string())
            })
            .unwrap_or_default();
        // A page's query may choose the language or show a notice; a form
        // post's never does.
        let query = match parts.method {
            Method::GET | Method::HEAD => Query::<PageQuery>::from_request_parts(parts, state)
                .await
                .map(|Query(q)| q)
                .unwrap_or_default(),
            _ => PageQuery::default(),
        };
        let ClientMeta(meta) = match ClientMeta::from_request_parts(parts, state).await {
            Ok(meta) => meta,
            Err(never) => match never {},
        };
        let headers = &parts.headers;
        let site = {
            let mut tx = state
                .app
                .store
                .read()
                .await
                .map_err(|e| crate::error::page_error(e.into()))?;
            match load_site(tx.as_mut(), &site_key).await {
                Ok(site) => site,
                Err(AppError::NotFound(_)) => {
                    return Err(pages::message(
                        StatusCode::NOT_FOUND,
                        "There is no portal here",
                        &["Check the address."],
                    ));
                }
                Err(e) => return Err(crate::error::page_error(e)),
            }
        };
        let mut set_cookies = HeaderMap::new();
        let chosen = match query.lang.as_deref().and_then(i18n::parse) {
            Some(lang) => {
                cookies::set(
                    &mut set_cookies,
                    state.cookies,
                    cookies::LANGUAGE,
                    lang.as_str(),
                    365 * 86_400,
                    true,
                );
                Some(lang.as_str().to_string())
            }
            None => cookies::get(headers, cookies::LANGUAGE),
        };
        let lang = i18n::choose(chosen.as_deref(), headers, site.settings.default_language);
        let session_cookie = cookies::portal_session_name(&site.key);
        let current = match cookies::get(headers, &session_cookie) {
            Some(token) => {
                let found = sessions::authenticate_on(&state.app, &site, &token)
                    .await
                    .map_err(crate::error::page_error)?;
                if found.is_none() {
                    cookies::clear(&mut set_cookies, state.cookies, &session_cookie);
                }
                found
            }
            None => None,
        };
        let anonymous_csrf = cookies::get(headers, cookies::FORM_CSRF);
        let csrf = match (&current, &anonymous_csrf) {
            (Some(c), _) => c.session.csrf_token.clone(),
            (None, Some(token)) => token.clone(),
            (None, None) => cookies::new_form_csrf(&mut set_cookies, state.cookies),
        };
        let flash = query
            .notice
            .as_deref()
            .filter(|n| NOTICES.contains(n))
            .map(|n| i18n::word(lang, n));
        Ok(Visit {
            state: state.clone(),
            site,
            lang,
            current,
            csrf,
            anonymous_csrf,
            set_cookies,
            meta,
            flash,
        })
    }
}

impl Visit {
    fn tr(&self, key: &str) -> String {
        i18n::word(self.lang, key)
    }

    /// Whether a posted form carries the right CSRF token.
    fn csrf_ok(&self, submitted: &str) -> bool {
        let expected = match &self.current {
            Some(c) => Some(c.session.csrf_token.as_str()),
            None => self.anonymous_csrf.as_deref(),
        };
        expected.is_some_and(|e| csrf::same(e, submitted))
    }

    fn base(&self) -> Value {
        let settings = &self.site.settings;
        context! {
            lang => self.lang.as_str(),
            site => context! {
                key => self.site.key.clone(),
                name => settings.brand_name.clone().unwrap_or_else(|| self.site.name.clone()),
            },
            csrf => self.csrf.clone(),
            signed_in => self.current.is_some(),
            self_registration => settings.self_registration,
            forgot_password => settings.forgot_password_enabled,
            username_mode => settings.login_id_mode == LoginIdMode::Username,
            min_length => settings.password_min_length,
            flash => self.flash.clone(),
            impersonating => self.current.as_ref().is_some_and(|c| c.session.impersonator_id.is_some()),
            login_id => self.current.as_ref().map(|c| c.account.login_id.clone()),
        }
    }

    fn finish(self, mut response: Response) -> Response {
        for (name, value) in self.set_cookies.iter() {
            response.headers_mut().append(name, value.clone());
        }
        response
    }

    fn page(self, status: StatusCode, template: &str, extra: Value) -> Response {
        let ctx = context! { ..extra, ..self.base() };
        let response = pages::render(status, template, ctx);
        self.finish(response)
    }

    fn notice(
        self,
        status: StatusCode,
        heading: &str,
        lines: &[String],
        link: Option<(&str, String)>,
    ) -> Response {
        let link = link.map(|(href, label)| context! { href, label });
        let heading = self.tr(heading);
        self.page(
            status,
            "portal/notice.html",
            context! { heading, lines => pages::ser(lines), link },
        )
    }

    fn redirect(self, to: &str) -> Response {
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            response.headers_mut().insert(LOCATION, v);
        }
        self.finish(response)
    }

    fn path(&self, page: &str) -> String {
        format!("/s/{}/{page}", self.site.key)
    }

    /// The gate every anonymous form post passes first: the CSRF token must
    /// match, and the address (and the account named, when there is one) must
    /// be under its rate limit.
    fn admit(self, csrf: &str, account_key: Option<&str>) -> Result<Self, Box<Response>> {
        if !self.csrf_ok(csrf) {
            return Err(Box::new(self.csrf_refused()));
        }
        if let Err(e) = rate_limit(&self.state, &self.meta, &self.site.key, account_key) {
            return Err(Box::new(self.rate_limited(e)));
        }
        Ok(self)
    }

    fn csrf_refused(self) -> Response {
        let back = self.path("");
        let again = self.tr("error_csrf");
        self.notice(
            StatusCode::FORBIDDEN,
            "error_generic",
            &[again],
            Some((&back, String::from("OK"))),
        )
    }

    fn rate_limited(self, error: ApiError) -> Response {
        let wait = error.retry_after.unwrap_or(60);
        let text = self.tr("error_rate_limited");
        let mut response = self.notice(
            StatusCode::TOO_MANY_REQUESTS,
            "error_generic",
            &[text],
            None,
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(RETRY_AFTER, v);
        }
        response
    }
}

/// A page for a signed-in customer: the visit and the customer, or a
/// redirect to sign in. `FORCED` lets through a customer who must change
/// their password first (the password pages); otherwise they are sent there.
struct SignedIn<const FORCED: bool> {
    visit: Visit,
    current: Current,
}

impl<const FORCED: bool> FromRequestParts<AppState> for SignedIn<FORCED> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visit = Visit::from_request_parts(parts, state).await?;
        match visit.current.clone() {
            None => {
                let to = visit.path("login");
                Err(visit.redirect(&to))
            }
            Some(c) if c.must_change_password && !FORCED => {
                let to = visit.path("change-password");
                Err(visit.redirect(&to))
            }
            Some(current) => Ok(SignedIn { visit, current }),
        }
    }
}

/// The field errors of a refused form, and a line for the top of the form.
fn form_errors(visit: &Visit, e: &AppError) -> (Option<String>, BTreeMap<String, String>) {
    let mut errors = BTreeMap::new();
    match e {
        AppError::Fields(list) => {
            for f in list {
                let said = i18n::refusal(visit.lang, &f.message, f.words.as_ref());
                errors.insert(f.field.clone(), capitalise(&said));
            }
            (Some(visit.tr("error_fix_fields")), errors)
        }
        AppError::Invalid {
            field: Some(field),
            message,
            words,
        } => {
            let said = i18n::refusal(visit.lang, message, words.as_ref());
            errors.insert(field.clone(), capitalise(&said));
            (Some(visit.tr("error_fix_fields")), errors)
        }
        AppError::Invalid { message, words, .. } => (
            Some(capitalise(&i18n::refusal(
                visit.lang,
                message,
                words.as_ref(),
            ))),
            errors,
        ),
        other => (Some(capitalise(&other.to_string())), errors),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => {
            let mut out: String = c.to_uppercase().chain(chars).collect();
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

async fn home(v: Visit) -> Response {
    let to = if v.current.is_some() {
        v.path("profile")
    } else {
        v.path("login")
    };
    v.redirect(&to)
}

// ---- register

#[derive(Debug, Default, Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    language: String,
}

fn register_page(
    v: Visit,
    status: StatusCode,
    form: &RegisterForm,
    error: Option<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    if !v.site.settings.self_registration {
        let text = v.tr("register_closed");
        return v.notice(StatusCode::FORBIDDEN, "register_title", &[text], None);
    }
    let form = context! {
        email => form.email.clone(), login_id => form.login_id.clone(), first_name => form.first_name.clone(),
        last_name => form.last_name.clone(), company => form.company.clone(),
    };
    v.page(
        status,
        "portal/register.html",
        context! { form, error, errors },
    )
}

async fn register_form(v: Visit) -> Response {
    register_page(
        v,
        StatusCode::OK,
        &RegisterForm::default(),
        None,
        BTreeMap::new(),
    )
}

async fn register_submit(v: Visit, Form(form): Form<RegisterForm>) -> Response {
    let v = match v.admit(&form.csrf, Some(&form.email)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    let input = register::Registration {
        email: form.email.clone(),
        password: form.password.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        company: Some(form.company.clone()),
        login_id: Some(form.login_id.clone()),
        language: Some(if form.language.is_empty() {
            v.lang.as_str().to_string()
        } else {
            form.language.clone()
        }),
    };
    match register::register(&v.state.app, &v.site.key, &input, &v.meta).await {
        Ok(()) => {
            let text = v.tr("check_mail_text");
            v.notice(StatusCode::OK, "check_mail_heading", &[text], None)
        }
        Err(e @ (AppError::Fields(_) | AppError::Invalid { .. })) => {
            let (error, errors) = form_errors(&v, &e);
            register_page(v, StatusCode::UNPROCESSABLE_ENTITY, &form, error, errors)
        }
        Err(AppError::Forbidden { .. }) => {
            register_page(v, StatusCode::FORBIDDEN, &form, None, BTreeMap::new())
        }
        Err(e) => crate::error::page_error(e),
    }
}

// ---- activation

async fn activate_link(v: Visit, Query(q): Query<PageQuery>) -> Response {
    let token = q.token.clone().unwrap_or_default();
    match activate::activate(&v.state.app, &v.site.key, &token).await {
        Ok(status) => {
            let (line, link) = if status == Status::Active {
                (
                    v.tr("activated_active"),
                    Some((v.path("login"), v.tr("go_to_login"))),
                )
            } else {
                (v.tr("activated_pending"), None)
            };
            let link = link.as_ref().map(|(h, l)| (h.as_str(), l.clone()));
            v.notice(StatusCode::OK, "activated_heading", &[line], link)
        }
        Err(AppError::LinkInvalid | AppError::Refused(_)) => {
            let text = v.tr("link_invalid_text");
            let again = v.path("resend-activation");
            let label = v.tr("resend_heading");
            v.notice(
                StatusCode::BAD_REQUEST,
                "link_invalid_heading",
                &[text],
                Some((&again, label)),
            )
        }
        Err(e) => crate::error::page_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

fn email_page(
    v: Visit,
    status: StatusCode,
    kind: &str,
    email: &str,
    error: Option<String>,
) -> Response {
    let (heading, intro, submit, action) = if kind == "resend" {
        (
            v.tr("resend_heading"),
            v.tr("resend_intro"),
            v.tr("resend_submit"),
            v.path("resend-activation"),
        )
    } else {
        (
            v.tr("forgot_heading"),
            v.tr("forgot_intro"),
            v.tr("forgot_submit"),
            v.path("forgot-password"),
        )
    };
    let form = context! { email };
    v.page(
        status,
        "portal/email_form.html",
        context! { heading, intro, submit, action, form, error, errors => context! {} },
    )
}

async fn resend_form(v: Visit) -> Response {
    email_page(v, StatusCode::OK, "resend", "", None)
}

async fn resend_submit(v: Visit, Form(form): Form<EmailForm>) -> Response {
    let v = match v.admit(&form.csrf, Some(&form.email)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    match activate::resend_activation(&v.state.app, &v.site.key, &form.email).await {
        Ok(()) => {
            let text = v.tr("check_mail_text");
            v.notice(StatusCode::OK, "check_mail_heading", &[text], None)
        }
        Err(e) => crate::error::page_error(e),
    }
}

// ---- sign in and out

#[derive(Debug, Default, Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
}

fn login_page(
    v: Visit,
    status: StatusCode,
    login_id: &str,
    error: Option<String>,
    resend: bool,
) -> Response {
    let form = context! { login_id };
    v.page(
        status,
        "portal/login.html",
        context! { form, error, resend },
    )
}

async fn login_form(v: Visit) -> Response {
    if v.current.is_some() {
        let to = v.path("profile");
        return v.redirect(&to);
    }
    login_page(v, StatusCode::OK, "", None, false)
}

async fn login_submit(mut v: Visit, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    // Signing in again ends the session this browser had.
    if v.current.take().is_some()
        && let Some(old) = cookies::get(&headers, &cookies::portal_session_name(&v.site.key))
    {
        let _ = sessions::sign_out(&v.state.app, &old).await;
    }
    if let Err(e) = rate_limit(&v.state, &v.meta, &v.site.key, Some(&form.login_id)) {
        return v.rate_limited(e);
    }
    match sign_in::sign_in(
        &v.state.app,
        &v.site.key,
        &form.login_id,
        &form.password,
        &v.meta,
    )
    .await
    {
        Ok(session) => {
            cookies::set(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::portal_session_name(&v.site.key),
                &session.token,
                u64::from(session.max_age_seconds),
                true,
            );
            let to = v.path(if session.must_change_password {
                "change-password"
            } else {
                "profile"
            });
            v.redirect(&to)
        }
        Err(AppError::SignIn(refusal)) => {
            let (status, key) = match refusal {
                SignInRefusal::InvalidCredentials => {
                    (StatusCode::UNAUTHORIZED, "error_invalid_credentials")
                }
                SignInRefusal::Unverified => (StatusCode::FORBIDDEN, "error_unverified"),
                SignInRefusal::Pending => (StatusCode::FORBIDDEN, "error_pending"),
                SignInRefusal::Locked => (StatusCode::FORBIDDEN, "error_locked"),
                SignInRefusal::Blocked => (StatusCode::FORBIDDEN, "error_blocked"),
                SignInRefusal::Deactivated => (StatusCode::FORBIDDEN, "error_deactivated"),
            };
            let error = Some(v.tr(key));
            login_page(
                v,
                status,
                &form.login_id,
                error,
                refusal == SignInRefusal::Unverified,
            )
        }
        Err(e) => crate::error::page_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(mut v: Visit, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    if v.current.is_some() && !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let name = cookies::portal_session_name(&v.site.key);
    if let Some(token) = cookies::get(&headers, &name)
        && let Err(e) = sessions::sign_out(&v.state.app, &token).await
    {
        return crate::error::page_error(e);
    }
    cookies::clear(&mut v.set_cookies, v.state.cookies, &name);
    let to = format!("{}?notice=signed_out", v.path("login"));
    v.redirect(&to)
}

// ---- forgotten password

async fn forgot_form(v: Visit) -> Response {
    if !v.site.settings.forgot_password_enabled {
        let text = v.tr("forgot_disabled");
        return v.notice(StatusCode::FORBIDDEN, "forgot_heading", &[text], None);
    }
    email_page(v, StatusCode::OK, "forgot", "", None)
}

async fn forgot_submit(v: Visit, Form(form): Form<EmailForm>) -> Response {
    let v = match v.admit(&form.csrf, Some(&form.email)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    match reset::request_reset(&v.state.app, &v.site.key, &form.email).await {
        Ok(()) => {
            let text = v.tr("check_mail_text");
            v.notice(StatusCode::OK, "check_mail_heading", &[text], None)
        }
        Err(AppError::Forbidden { .. }) => {
            let text = v.tr("forgot_disabled");
            v.notice(StatusCode::FORBIDDEN, "forgot_heading", &[text], None)
        }
        Err(e) => crate::error::page_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

fn reset_page(
    v: Visit,
    status: StatusCode,
    token: &str,
    error: Option<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let heading = v.tr("reset_heading");
    let action = v.path("reset-password");
    v.page(
        status,
        "portal/new_password.html",
        context! { heading, intro => "", action, token, ask_current => false, error, errors },
    )
}

fn link_gone(v: Visit) -> Response {
    let text = v.tr("link_invalid_text");
    let again = v.path("forgot-password");
    let label = v.tr("forgot_heading");
    v.notice(
        StatusCode::BAD_REQUEST,
        "link_invalid_heading",
        &[text],
        Some((&again, label)),
    )
}

async fn reset_form(v: Visit, Query(q): Query<PageQuery>) -> Response {
    let token = q.token.clone().unwrap_or_default();
    match reset::reset_link_valid(&v.state.app, &v.site.key, &token).await {
        Ok(true) => reset_page(v, StatusCode::OK, &token, None, BTreeMap::new()),
        Ok(false) => link_gone(v),
        Err(e) => crate::error::page_error(e),
    }
}

async fn reset_submit(v: Visit, Form(form): Form<NewPasswordForm>) -> Response {
    let v = match v.admit(&form.csrf, None) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    if form.new_password != form.new_password_confirm {
        let mut errors = BTreeMap::new();
        errors.insert(
            "new_password_confirm".to_string(),
            v.tr("error_passwords_differ"),
        );
        let error = Some(v.tr("error_fix_fields"));
        return reset_page(
            v,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.token,
            error,
            errors,
        );
    }
    match reset::reset_password(&v.state.app, &v.site.key, &form.token, &form.new_password).await {
        Ok(()) => {
            let to = format!("{}?notice=reset_done", v.path("login"));
            v.redirect(&to)
        }
        Err(AppError::LinkInvalid) => link_gone(v),
        Err(e @ (AppError::Fields(_) | AppError::Invalid { .. } | AppError::Refused(_))) => {
            let (error, errors) = form_errors(&v, &e);
            reset_page(
                v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.token,
                error,
                errors,
            )
        }
        Err(e) => crate::error::page_error(e),
    }
}

// ---- signed in: password, profile, sessions

fn change_page(
    v: Visit,
    current: &Current,
    status: StatusCode,
    error: Option<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let heading = v.tr("change_heading");
    let intro = if current.must_change_password {
        v.tr("change_forced")
    } else {
        String::new()
    };
    let action = v.path("change-password");
    v.page(
        status,
        "portal/new_password.html",
        context! { heading, intro, action, token => "", ask_current => true, error, errors },
    )
}

async fn change_form(SignedIn { visit: v, current }: SignedIn<true>) -> Response {
    change_page(v, &current, StatusCode::OK, None, BTreeMap::new())
}

async fn change_submit(
    SignedIn { visit: v, current }: SignedIn<true>,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    let mut v = match v.admit(&form.csrf, Some(&current.account.login_id)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    if form.new_password != form.new_password_confirm {
        let mut errors = BTreeMap::new();
        errors.insert(
            "new_password_confirm".to_string(),
            v.tr("error_passwords_differ"),
        );
        let error = Some(v.tr("error_fix_fields"));
        return change_page(v, &current, StatusCode::UNPROCESSABLE_ENTITY, error, errors);
    }
    match password::change_password(
        &v.state.app,
        &current,
        &form.current_password,
        &form.new_password,
        &v.meta,
    )
    .await
    {
        Ok(session) => {
            cookies::set(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::portal_session_name(&v.site.key),
                &session.token,
                u64::from(session.max_age_seconds),
                true,
            );
            let to = format!("{}?notice=change_done", v.path("profile"));
            v.redirect(&to)
        }
        Err(e @ (AppError::Fields(_) | AppError::Invalid { .. } | AppError::Forbidden { .. })) => {
            let (error, errors) = form_errors(&v, &e);
            change_page(v, &current, StatusCode::UNPROCESSABLE_ENTITY, error, errors)
        }
        Err(e) => crate::error::page_error(e),
    }
}

/// The profile fields in the order the page shows them.
const PROFILE_FIELDS: [&str; 13] = [
    "first_name",
    "last_name",
    "company",
    "phone",
    "mobile",
    "street",
    "postcode",
    "city",
    "region",
    "country",
    "url",
    "avatar_url",
    "language",
];

fn profile_page(
    v: Visit,
    status: StatusCode,
    profile: &profile::Profile,
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
    let profile = pages::ser(profile);
    v.page(
        status,
        "portal/profile.html",
        context! { profile, editable, fields => PROFILE_FIELDS, error, errors },
    )
}

async fn profile_form(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    match profile::profile(&v.state.app, &current).await {
        Ok(p) => profile_page(v, StatusCode::OK, &p, None, BTreeMap::new()),
        Err(e) => crate::error::page_error(e),
    }
}

async fn profile_submit(
    SignedIn { visit: v, current }: SignedIn<false>,
    Form(mut form): Form<BTreeMap<String, String>>,
) -> Response {
    let submitted = form.remove("csrf").unwrap_or_default();
    if !v.csrf_ok(&submitted) {
        return v.csrf_refused();
    }
    let typed: serde_json::Map<String, serde_json::Value> = form
        .into_iter()
        .map(|(k, val)| (k, serde_json::Value::String(val)))
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
                Ok(p) => profile_page(v, StatusCode::UNPROCESSABLE_ENTITY, &p, error, errors),
                Err(e) => crate::error::page_error(e),
            }
        }
        Err(e) => crate::error::page_error(e),
    }
}

async fn sessions_page(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    match sessions::list(&v.state.app, &current).await {
        Ok(list) => {
            let format = time::format_description::well_known::Rfc2822;
            let rows: Vec<Value> = list
                .iter()
                .map(|s| {
                    context! {
                        created_at => s.created_at.format(&format).unwrap_or_default(),
                        last_seen_at => s.last_seen_at.format(&format).unwrap_or_default(),
                        ip => s.ip.clone(),
                        user_agent => s.user_agent.clone(),
                        current => s.current,
                    }
                })
                .collect();
            v.page(
                StatusCode::OK,
                "portal/sessions.html",
                context! { sessions => rows },
            )
        }
        Err(e) => crate::error::page_error(e),
    }
}

async fn sessions_others(
    SignedIn { visit: v, current }: SignedIn<false>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    match sessions::sign_out_others(&v.state.app, &current).await {
        Ok(_) => {
            let to = format!("{}?notice=sessions_signed_out_others", v.path("sessions"));
            v.redirect(&to)
        }
        Err(e) => crate::error::page_error(e),
    }
}

// ---- impersonation

#[derive(Debug, Default, Deserialize)]
struct ImpersonateQuery {
    token: Option<String>,
    minutes: Option<i64>,
}

async fn impersonate_link(mut v: Visit, Query(q): Query<ImpersonateQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    match gatehouse_app::accounts::open_impersonation(
        &v.state.app,
        &v.site.key,
        &token,
        q.minutes.unwrap_or(30),
    )
    .await
    {
        Ok(session) => {
            cookies::set(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::portal_session_name(&v.site.key),
                &session.token,
                u64::from(session.max_age_seconds),
                true,
            );
            let to = v.path("profile");
            v.redirect(&to)
        }
        Err(AppError::LinkInvalid) => {
            let text = v.tr("link_invalid_text");
            v.notice(
                StatusCode::BAD_REQUEST,
                "link_invalid_heading",
                &[text],
                None,
            )
        }
        Err(e) => crate::error::page_error(e),
    }
}

async fn end_impersonation(
    SignedIn {
        visit: mut v,
        current,
    }: SignedIn<true>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    match gatehouse_app::accounts::end_impersonation(&v.state.app, &current).await {
        Ok(id) => {
            cookies::clear(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::portal_session_name(&v.site.key),
            );
            v.redirect(&format!("/admin/accounts/{id}"))
        }
        Err(e) => crate::error::page_error(e),
    }
}
