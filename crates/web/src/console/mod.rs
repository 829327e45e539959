//! The management console (`/admin/…`), one module per resource. Who may
//! see a page is decided by the extractors of `crate::extract` (a signed-in
//! staff user; every form's CSRF token) and by the app layer's permission
//! table (`StaffCaller::require`); this module owns what every page shares:
//! the page frame, the one error type of the console ([`ConsoleError`]) and
//! how a refusal becomes a page.
//!
//! Invariant: a refused form is answered with its page again, showing what
//! was wrong; nothing a staff user typed is silently dropped.

mod account;
mod apps;
mod auth;
mod companies;
mod customers;
mod groups;
pub(crate) mod import;
mod mail;
mod registrations;
mod reports;
mod settings;
mod sites;
mod staff;
mod tokens;

use axum::Router;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_domain::Permission;
use minijinja::{Value, context};

use gatehouse_domain::Language;

use crate::state::AppState;
use crate::{cookies, i18n, pages};

/// The upload routes, whose body may be larger than elsewhere (the caller
/// gives them their own limit).
pub(crate) fn upload_routes() -> Router<AppState> {
    import::routes()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(account::routes())
        .merge(apps::routes())
        .merge(customers::routes())
        .merge(groups::routes())
        .merge(companies::routes())
        .merge(mail::routes())
        .merge(registrations::routes())
        .merge(reports::routes())
        .merge(settings::routes())
        .merge(sites::routes())
        .merge(staff::routes())
        .merge(tokens::routes())
}

tokio::task_local! {
    /// The language of the console request being answered.
    static LANG: Language;
}

/// The language the console speaks to this request: `?lang=` (kept in a
/// cookie), else the cookie, else the browser's, else English.
pub(crate) async fn language(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let explicit = request
        .uri()
        .query()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang"))
        .and_then(|(_, v)| i18n::parse(&v));
    let chosen = explicit
        .map(|l| l.as_str().to_string())
        .or_else(|| cookies::get(request.headers(), cookies::LANGUAGE));
    let lang = i18n::choose(chosen.as_deref(), request.headers(), Language::En);
    let mut response = LANG.scope(lang, next.run(request)).await;
    if let Some(lang) = explicit {
        let mut set = axum::http::HeaderMap::new();
        let year = 365 * 86_400;
        cookies::set(
            &mut set,
            state.cookies,
            cookies::LANGUAGE,
            lang.as_str(),
            year,
            true,
        );
        response.headers_mut().extend(set);
    }
    response
}

/// The language of the console request being answered (English outside one).
pub(crate) fn lang() -> Language {
    LANG.try_with(|l| *l).unwrap_or(Language::En)
}

/// A console word in the request's language.
pub(crate) fn word(id: &str) -> String {
    i18n::word(lang(), id)
}

/// What is wrong with a field, in the request's language.
pub(crate) fn field_said(e: &gatehouse_domain::FieldError) -> String {
    i18n::refusal(lang(), &e.message, e.words.as_ref())
}

/// What a use case refused, in the request's language: each wrong field
/// by name, else the refusal itself.
pub(crate) fn refusal_said(e: &AppError) -> String {
    match e {
        AppError::Fields(list) | AppError::Taken(list) => list
            .iter()
            .map(|f| format!("{}: {}", f.field.replace('_', " "), field_said(f)))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Invalid { message, words, .. } => i18n::refusal(lang(), message, words.as_ref()),
        other => other.to_string(),
    }
}

/// A console sentence with arguments in the request's language.
pub(crate) fn word_with(id: &str, args: &[(&str, String)]) -> String {
    i18n::text(lang(), id, args)
}

/// What a console request ends in when it does not get its page.
#[derive(Debug)]
pub(crate) enum ConsoleError {
    /// No console session: to the sign-in page, and back to `next` (the
    /// page asked for) after it.
    SignIn(Option<String>),
    /// A form posted after its session ended: the sign-in page, carrying
    /// what was posted (without its CSRF token) to send again after it.
    SessionEnded {
        /// Where the form was posted.
        action: String,
        /// The posted body, URL-encoded, without `csrf`.
        resume: String,
        /// For the sign-in form's own token cookie.
        cookies: crate::cookies::CookieOptions,
    },
    /// An admin who must enrol a second factor first: to the security page.
    EnrolTotp,
    /// A form whose CSRF token is wrong or stale.
    Expired(Box<StaffCaller>),
    /// A use case refused: the console's front page saying why, in the
    /// staff user's frame.
    Refused(Box<StaffCaller>, AppError),
    /// Something the staff user can put right (422), said on the front page.
    Unprocessable(Box<StaffCaller>, String),
    /// An address whose path or query cannot be read (a page that is not a
    /// number, an ID that is not one): 400, said on the front page.
    BadAddress(Box<StaffCaller>, String),
    /// Anything else: a plain page with the status the API would give.
    Failed(AppError),
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignIn(next) => match next.filter(|n| resumable(n)) {
                Some(next) => redirect(&format!(
                    "/admin/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )),
                None => redirect("/admin/login"),
            },
            ConsoleError::SessionEnded {
                action,
                resume,
                cookies,
            } => auth::session_ended(cookies, &action, &resume),
            ConsoleError::EnrolTotp => redirect("/admin/security"),
            ConsoleError::Expired(caller) => {
                refusal_page(&caller, StatusCode::FORBIDDEN, word("c-form-expired"))
            }
            ConsoleError::Refused(caller, e) => {
                let api = crate::error::ApiError::from(e);
                refusal_page(&caller, api.status, api.message)
            }
            ConsoleError::Unprocessable(caller, message) => {
                refusal_page(&caller, StatusCode::UNPROCESSABLE_ENTITY, message)
            }
            ConsoleError::BadAddress(caller, detail) => refusal_page(
                &caller,
                StatusCode::BAD_REQUEST,
                word_with("c-bad-address", &[("detail", detail)]),
            ),
            ConsoleError::Failed(e) => crate::error::page_error(e),
        }
    }
}

impl From<AppError> for ConsoleError {
    fn from(e: AppError) -> ConsoleError {
        ConsoleError::Failed(e)
    }
}

/// Whether a staff user may be sent back to `path` after signing in: a
/// console page of this server, not the sign-in page itself.
pub(crate) fn resumable(path: &str) -> bool {
    path.starts_with("/admin")
        && !path.starts_with("/admin/login")
        && !path.starts_with("/admin/logout")
        && !path.contains("//")
        && !path.contains('\\')
        && path.chars().all(|c| !c.is_control())
}

/// A console handler's answer.
pub(crate) type PageResult = Result<Response, ConsoleError>;

/// Turns a use case's refusal into the console page that explains it.
pub(crate) trait OnPage<T> {
    /// The value, or the refusal shown in `caller`'s frame.
    fn on_page(self, caller: &StaffCaller) -> Result<T, ConsoleError>;
}

impl<T> OnPage<T> for Result<T, AppError> {
    fn on_page(self, caller: &StaffCaller) -> Result<T, ConsoleError> {
        self.map_err(|e| ConsoleError::Refused(Box::new(caller.clone()), e))
    }
}

/// A 303 to another console address.
pub(crate) fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// What every console page shows: who is signed in, the form token, and
/// which parts of the menu they may open.
fn base(caller: &StaffCaller) -> Value {
    context! {
        lang => lang().as_str(),
        staff => context! { email => caller.staff.email.clone(), role => caller.staff.role.as_str() },
        csrf => caller.csrf_token().unwrap_or_default(),
        may_templates => caller.may(Permission::ManageTemplates),
        may_retry => caller.may(Permission::RetryMail),
        may_audit => caller.may(Permission::ViewAudit),
        may_staff => caller.may(Permission::ManageStaff),
        may_apps => caller.may(Permission::ManageSettings),
        may_import => caller.may(Permission::ImportCustomers),
    }
}

/// A console page in the staff user's frame.
pub(crate) fn page(
    caller: &StaffCaller,
    status: StatusCode,
    template: &str,
    extra: Value,
) -> Response {
    pages::render(status, template, context! { ..extra, ..base(caller) })
}

/// The console's front page with a refusal on it.
fn refusal_page(caller: &StaffCaller, status: StatusCode, message: String) -> Response {
    page(
        caller,
        status,
        "console/home.html",
        context! { error => message, flash => None::<String>, dashboard => None::<String> },
    )
}

/// The status a form's refusal is answered with on its own page.
pub(crate) fn refusal_status(e: &AppError) -> StatusCode {
    crate::error::classify(e).0
}

/// A date typed as `2026-12-31`, as the end of that day (UTC); empty is none.
pub(crate) fn end_of_day(
    date: &str,
    field: &str,
) -> Result<Option<time::OffsetDateTime>, AppError> {
    if date.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date.trim(), &format)
        .map_err(|_| AppError::invalid(field, format!("'{date}' is not a date like 2026-12-31")))?;
    Ok(Some(
        day.with_hms(23, 59, 59)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .assume_utc(),
    ))
}

/// The keys of every site, for the site pickers.
pub(crate) async fn site_keys(state: &AppState) -> Vec<String> {
    match state.app.store.read().await {
        Ok(mut tx) => tx
            .list_sites()
            .await
            .map(|v| v.into_iter().map(|s| s.key).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// A form with nothing but its CSRF token (a button).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Button {}

/// A checkbox: present (any value) is on, absent is off.
pub(crate) fn checked(value: &Option<String>) -> bool {
    value.is_some()
}
