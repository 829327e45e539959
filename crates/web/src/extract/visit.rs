//! One portal page view, as extractors: [`Visit`] (the site, resolved once
//! by `crate::extract::site`, the visitor's
//! language and session, the anonymous form token, the cookies to set) and
//! [`SignedIn`] (a signed-in customer, or a redirect to sign in and back),
//! [`SignedInForm`] (a signed-in customer's form post whose token matched;
//! posted after the session ended, the sign-in page carrying what was
//! typed), and how a refused form's errors are said.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::Method;
use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::links::query_value;
use gatehouse_app::portal::RequestMeta;
use gatehouse_app::portal::sessions::{self, Current};
use gatehouse_domain::{Language, LoginIdMode};
use gatehouse_store::Site;
use minijinja::{Value, context};
use serde::Deserialize;

use super::{ClientMeta, parse_form};
use crate::error::ApiError;
use crate::limits::rate_limit;
use crate::state::AppState;
use crate::{cookies, csrf, i18n, pages};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageQuery {
    pub(crate) lang: Option<String>,
    pub(crate) notice: Option<String>,
    pub(crate) token: Option<String>,
}

/// Words that may be shown as a notice after a redirect.
pub(crate) const NOTICES: [&str; 12] = [
    "session_ended",
    "profile_saved",
    "change_done",
    "reset_done",
    "signed_out",
    "sessions_signed_out_others",
    "activated_active",
    "apps_disconnected",
    "two_step_turned_off",
    "passkey_added",
    "passkey_renamed",
    "passkey_removed",
];

/// One page view: the site, the visitor's language and session, and the
/// cookies to set on the answer.
#[derive(Debug)]
pub(crate) struct Visit {
    pub(crate) state: AppState,
    pub(crate) site: std::sync::Arc<Site>,
    pub(crate) lang: Language,
    pub(crate) current: Option<Current>,
    pub(crate) csrf: String,
    pub(crate) anonymous_csrf: Option<String>,
    pub(crate) set_cookies: HeaderMap,
    pub(crate) meta: RequestMeta,
    pub(crate) flash: Option<String>,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visit, Response> {
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
        let site = match crate::extract::site::in_path(parts, state).await {
            Ok(site) => site,
            Err(AppError::NotFound(_)) => {
                let lang = pages::visitor_lang(&parts.headers);
                return Err(pages::said(
                    StatusCode::NOT_FOUND,
                    lang,
                    "no-portal-title",
                    &[i18n::word(lang, "no-portal-text")],
                ));
            }
            Err(e) => return Err(PortalError::from(e).into_response()),
        };
        let headers = &parts.headers;
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
        let session_cookie = cookies::portal_session_name(&site.key);
        let current = match cookies::get(headers, &session_cookie) {
            Some(token) => {
                let found = sessions::authenticate_on(&state.app, &site, &token)
                    .await
                    .map_err(|e| PortalError::from(e).into_response())?;
                if found.is_none() {
                    cookies::clear(&mut set_cookies, state.cookies, &session_cookie);
                }
                found
            }
            None => None,
        };
        // The language: one the visitor chose (now, or kept in the cookie),
        // else the signed-in account's own, else the browser's, the site's.
        let own = current
            .as_ref()
            .and_then(|c| c.account.language.as_deref())
            .and_then(i18n::parse);
        let lang = match (chosen.as_deref().and_then(i18n::parse), own) {
            (Some(chosen), _) => chosen,
            (None, Some(own)) => own,
            (None, None) => i18n::choose(None, headers, site.settings.default_language),
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
    pub(crate) fn tr(&self, key: &str) -> String {
        i18n::word(self.lang, key)
    }

    /// Whether a posted form carries the right CSRF token.
    pub(crate) fn csrf_ok(&self, submitted: &str) -> bool {
        let expected = match &self.current {
            Some(c) => Some(c.session.csrf_token.as_str()),
            None => self.anonymous_csrf.as_deref(),
        };
        expected.is_some_and(|e| csrf::same(e, submitted))
    }

    pub(crate) fn base(&self) -> Value {
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
            manager => self.current.as_ref().is_some_and(|c| c.account.role == gatehouse_domain::AccountRole::CustomerManager),
        }
    }

    pub(crate) fn finish(self, mut response: Response) -> Response {
        for (name, value) in self.set_cookies.iter() {
            response.headers_mut().append(name, value.clone());
        }
        response
    }

    pub(crate) fn page(self, status: StatusCode, template: &str, extra: Value) -> Response {
        let ctx = context! { ..extra, ..self.base() };
        let response = pages::render(status, template, ctx);
        self.finish(response)
    }

    pub(crate) fn notice(
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

    /// A use case's failure, to be shown in this page's frame and language.
    pub(crate) fn fail(self, error: AppError) -> PortalError {
        PortalError {
            visit: Some(Box::new(self)),
            error,
        }
    }

    pub(crate) fn redirect(self, to: &str) -> Response {
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            response.headers_mut().insert(LOCATION, v);
        }
        self.finish(response)
    }

    pub(crate) fn path(&self, page: &str) -> String {
        format!("/s/{}/{page}", self.site.key)
    }

    /// The gate every anonymous form post passes first: the CSRF token must
    /// match, and the address (and the account named, when there is one) must
    /// be under its rate limit.
    pub(crate) fn admit(
        self,
        csrf: &str,
        account_key: Option<&str>,
    ) -> Result<Self, Box<Response>> {
        if !self.csrf_ok(csrf) {
            return Err(Box::new(self.csrf_refused()));
        }
        if let Err(e) = rate_limit(&self.state, &self.meta, &self.site.key, account_key) {
            return Err(Box::new(self.rate_limited(e)));
        }
        Ok(self)
    }

    /// Just signed in with `session` under a form posted after the old
    /// session ended: this visit as the new session's (its token, its
    /// customer, `notice` said at the top), and the fields as they were typed.
    pub(crate) async fn resuming(
        mut self,
        session: &gatehouse_app::portal::sessions::NewSession,
        resume: &str,
        notice: &str,
    ) -> Result<(Visit, Current, BTreeMap<String, String>), Box<Response>> {
        let current =
            match sessions::authenticate_on(&self.state.app, &self.site, &session.token).await {
                Ok(Some(current)) => current,
                Ok(None) => return Err(Box::new(self.fail(AppError::SignedOut).into_response())),
                Err(e) => return Err(Box::new(self.fail(e).into_response())),
            };
        self.csrf = session.csrf_token.clone();
        self.current = Some(current.clone());
        self.flash = Some(self.tr(notice));
        let typed = url::form_urlencoded::parse(resume.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok((self, current, typed))
    }

    pub(crate) fn csrf_refused(self) -> Response {
        let back = self.path("");
        let again = self.tr("error_csrf");
        self.notice(
            StatusCode::FORBIDDEN,
            "error_generic",
            &[again],
            Some((&back, String::from("OK"))),
        )
    }

    pub(crate) fn rate_limited(self, error: ApiError) -> Response {
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
pub(crate) struct SignedIn<const FORCED: bool> {
    pub(crate) visit: Visit,
    pub(crate) current: Current,
}

impl<const FORCED: bool> FromRequestParts<AppState> for SignedIn<FORCED> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visit = Visit::from_request_parts(parts, state).await?;
        match visit.current.clone() {
            None => Err(to_sign_in(visit, parts)),
            Some(c) if c.must_change_password && !FORCED => {
                let to = visit.path("change-password");
                Err(visit.redirect(&to))
            }
            Some(current) => Ok(SignedIn { visit, current }),
        }
    }
}

/// Without a session: to the sign-in page, and back to the page asked for
/// after it; a post (whose body is gone by now) says the session ended.
fn to_sign_in(visit: Visit, parts: &Parts) -> Response {
    let page = parts.uri.path();
    let mut to = visit.path("login");
    let back = crate::portal::next::safe_next(&visit.site.key, page);
    if parts.method != Method::GET && parts.method != Method::HEAD {
        to.push_str("?notice=session_ended");
        if let Some(back) = back {
            to.push_str("&next=");
            to.push_str(&query_value(&back));
        }
    } else if let Some(back) = back {
        to.push_str("?next=");
        to.push_str(&query_value(&back));
    }
    visit.redirect(&to)
}

/// A form that carries only its CSRF token (a button).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// A signed-in customer's form post whose CSRF token matched, read as `T`.
/// Posted after the session ended, it is answered with the sign-in page
/// carrying what was typed (never a password or the old token), which comes
/// back filled in after signing in.
pub(crate) struct SignedInForm<T> {
    pub(crate) visit: Visit,
    pub(crate) current: Current,
    pub(crate) form: T,
}

/// Why a signed-in form was not taken: a page or redirect to answer with,
/// or its session had ended (answered by the sign-in page, which carries
/// what was typed: `IntoResponse` is the sign-in page's, so that this
/// extractor needs none of the pages).
pub(crate) enum FormRefused {
    /// Answer with this.
    Answer(Response),
    /// The session ended: `kept` is what was typed (URL-encoded), to send
    /// again to `page` after signing in.
    SessionEnded {
        /// The visit.
        visit: Box<Visit>,
        /// The page the form was posted to.
        page: String,
        /// The fields to keep.
        kept: String,
    },
}

impl From<Response> for FormRefused {
    fn from(r: Response) -> FormRefused {
        FormRefused::Answer(r)
    }
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for SignedInForm<T> {
    type Rejection = FormRefused;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, FormRefused> {
        let (mut parts, body) = req.into_parts();
        let visit = Visit::from_request_parts(&mut parts, state).await?;
        let page = parts.uri.path().to_string();
        let bytes = match Bytes::from_request(Request::from_parts(parts, body), state).await {
            Ok(bytes) => bytes,
            Err(e) => return Err(e.into_response().into()),
        };
        let current = match visit.current.clone() {
            // A form whose page cannot be shown again (one row's button):
            // only the news that the session ended.
            None if crate::portal::next::safe_next(&visit.site.key, &page).is_none() => {
                let to = format!("{}?notice=session_ended", visit.path("login"));
                return Err(visit.redirect(&to).into());
            }
            None => {
                let pairs: Vec<(String, String)> = parse_form(&bytes).unwrap_or_default();
                let mut kept = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in pairs
                    .iter()
                    .filter(|(k, _)| k != "csrf" && !k.contains("password"))
                {
                    kept.append_pair(k, v);
                }
                return Err(FormRefused::SessionEnded {
                    visit: Box::new(visit),
                    page,
                    kept: kept.finish(),
                });
            }
            Some(c) if c.must_change_password => {
                let to = visit.path("change-password");
                return Err(visit.redirect(&to).into());
            }
            Some(current) => current,
        };
        let token: CsrfForm = parse_form(&bytes).unwrap_or_default();
        if !visit.csrf_ok(&token.csrf) {
            return Err(visit.csrf_refused().into());
        }
        match parse_form(&bytes) {
            Ok(form) => Ok(SignedInForm {
                visit,
                current,
                form,
            }),
            Err(message) => Err(visit
                .fail(AppError::invalid("form", message))
                .into_response()
                .into()),
        }
    }
}

/// A refusal as one line at the top of a page, in the visitor's language,
/// and the status the API gives it ([`crate::error::classify`]).
pub(crate) fn refusal_line(visit: &Visit, e: &AppError) -> (StatusCode, String) {
    let said = match e {
        AppError::Invalid { message, words, .. } => {
            i18n::refusal(visit.lang, message, words.as_ref())
        }
        other => other.to_string(),
    };
    (crate::error::classify(e).0, capitalise(&said))
}

/// The field errors of a refused form, and a line for the top of the form.
pub(crate) fn form_errors(
    visit: &Visit,
    e: &AppError,
) -> (Option<String>, BTreeMap<String, String>) {
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

pub(crate) fn capitalise(s: &str) -> String {
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

/// The portal's one page error: a use case's failure shown as a notice in
/// the site's frame and the visitor's language (with `Retry-After` when it
/// is worth trying again), or, before the site is known, as a plain page.
#[derive(Debug)]
pub(crate) struct PortalError {
    visit: Option<Box<Visit>>,
    error: AppError,
}

impl From<AppError> for PortalError {
    fn from(error: AppError) -> PortalError {
        PortalError { visit: None, error }
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let Some(visit) = self.visit else {
            return crate::error::page_error(self.error);
        };
        if matches!(self.error, AppError::SignedOut) {
            let to = visit.path("login");
            return visit.redirect(&to);
        }
        let api = ApiError::from(self.error);
        let said = match &api.code[..] {
            "internal" => visit.tr("error_internal"),
            "database_unavailable" | "busy" => visit.tr("error_unavailable"),
            _ => capitalise(&api.message),
        };
        let mut response = visit.notice(api.status, "error_generic", &[said], None);
        if let Some(v) = api
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            response.headers_mut().insert(RETRY_AFTER, v);
        }
        response
    }
}
