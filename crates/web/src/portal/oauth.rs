//! The authorization endpoint of a site's OpenID provider, a portal page:
//! a signed-in customer goes straight back to the app with a code (single
//! sign-on); anyone else signs in on the portal's own page first and comes
//! back here; an app that is not the business's own asks for consent on a
//! page whose answer is posted back here; a request that cannot be trusted
//! gets a page saying why. Also the customer's "Connected apps" page.

use axum::Form;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use gatehouse_app::links::query_value;
use gatehouse_app::oidc::authorize::{self, AuthorizeRequest, Decision, Next};
use gatehouse_app::oidc::connected;
use gatehouse_app::oidc::logout::{self, LogoutRequest};
use gatehouse_app::portal::sessions;
use minijinja::context;
use serde::Deserialize;

use crate::cookies;
use crate::extract::visit::CsrfForm;
use crate::extract::visit::{SignedIn, Visit};

/// The consent page's answer: the request it was shown for, and the choice.
#[derive(Debug, Deserialize)]
pub(super) struct ConsentForm {
    csrf: String,
    /// The authorization request's query, as the page received it.
    request: String,
    /// `allow` or `deny`.
    decision: String,
}

/// `POST /s/{site}/oauth2/consent`: the customer's answer on the consent
/// page. Back to the app through a page (not a redirect): Chromium applies
/// the form's `form-action 'self'` to redirects after a post.
pub(super) async fn consent_answer(v: Visit, Form(form): Form<ConsentForm>) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let decision = match form.decision.as_str() {
        "allow" => Decision::Allow,
        _ => Decision::Deny,
    };
    let Ok(uri) = format!("/?{}", form.request).parse::<Uri>() else {
        return refused(v, "invalid_request", "the request cannot be read");
    };
    let Ok(Query(req)) = Query::<AuthorizeRequest>::try_from_uri(&uri) else {
        return refused(v, "invalid_request", "the request cannot be read");
    };
    let back = format!("{}?{}", v.path("oauth2/authorize"), form.request);
    match authorize::authorize(
        &v.state.app,
        &v.site,
        &req,
        v.current.as_ref(),
        Some(decision),
    )
    .await
    {
        Ok(Next::Redirect(next)) => {
            v.page(StatusCode::OK, "portal/continue.html", context! { next })
        }
        // Signed out meanwhile: the request starts again.
        Ok(Next::SignIn { .. } | Next::Consent { .. } | Next::SecondStep(_)) => v.redirect(&back),
        Ok(Next::Refuse(e)) => refused(v, e.code, &e.description),
        Err(e) => v.fail(e).into_response(),
    }
}

fn refused(v: Visit, code: &str, description: &str) -> Response {
    let lead = v.tr("oauth_refused_lead");
    v.notice(
        StatusCode::BAD_REQUEST,
        "oauth_refused_title",
        &[lead, format!("{code}: {description}")],
        None,
    )
}

/// `GET /s/{site}/apps`: the apps the customer allowed or is signed in to.
pub(super) async fn apps_page(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    match connected::list(&v.state.app, &current).await {
        Ok(list) => {
            let format = time::format_description::well_known::Rfc2822;
            let rows: Vec<minijinja::Value> = list
                .iter()
                .map(|a| {
                    let scopes: Vec<String> = a
                        .scopes
                        .iter()
                        .filter(|s| s.as_str() != "openid")
                        .map(|s| v.tr(&format!("consent_scope_{s}")))
                        .collect();
                    context! {
                        client_id => a.client_id.clone(),
                        name => a.name.clone(),
                        first_party => a.first_party,
                        scopes,
                        allowed_at => a.allowed_at.and_then(|t| t.format(&format).ok()),
                        signed_in_at => a.signed_in_at.and_then(|t| t.format(&format).ok()),
                    }
                })
                .collect();
            v.page(
                StatusCode::OK,
                "portal/apps.html",
                context! { apps => rows },
            )
        }
        Err(e) => v.fail(e).into_response(),
    }
}

/// `POST /s/{site}/apps/{client_id}/disconnect`.
pub(super) async fn disconnect(
    SignedIn { visit: v, current }: SignedIn<false>,
    Path((_, client_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    match connected::disconnect(&v.state.app, &current, &client_id).await {
        Ok(()) => {
            let to = format!("{}?notice=apps_disconnected", v.path("apps"));
            v.redirect(&to)
        }
        Err(e) => v.fail(e).into_response(),
    }
}

/// `GET /s/{site}/oauth2/authorize`. A `HEAD` decides nothing (a link
/// checker or a preview must not mint a code).
pub(super) async fn authorize(
    v: Visit,
    method: Method,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Query(req): Query<AuthorizeRequest>,
) -> Response {
    if method == Method::HEAD {
        return no_store(v.finish(StatusCode::OK.into_response()));
    }
    let query = uri.query().unwrap_or("").to_string();
    decide(v, &headers, &query, req).await
}

/// `POST /s/{site}/oauth2/authorize`: the same request as a form (OpenID
/// Connect Core §3.1.2.1).
pub(super) async fn authorize_posted(v: Visit, headers: HeaderMap, body: Bytes) -> Response {
    let query = String::from_utf8_lossy(&body).into_owned();
    let Ok(uri) = format!("/?{query}").parse::<Uri>() else {
        return no_store(refused(v, "invalid_request", "the request cannot be read"));
    };
    let Ok(Query(req)) = Query::<AuthorizeRequest>::try_from_uri(&uri) else {
        return no_store(refused(v, "invalid_request", "the request cannot be read"));
    };
    decide(v, &headers, &query, req).await
}

/// Answers an authorization request (`query`, its parameters as sent) for
/// this visit. Never kept by a cache: an answer may carry a code.
async fn decide(mut v: Visit, headers: &HeaderMap, query: &str, req: AuthorizeRequest) -> Response {
    // `ui_locales`: the first language asked for that the portal speaks.
    let asked = req
        .ui_locales
        .as_deref()
        .and_then(|list| list.split(' ').find_map(crate::i18n::parse));
    if let Some(lang) = asked {
        v.lang = lang;
    }
    let answer = match authorize::authorize(&v.state.app, &v.site, &req, v.current.as_ref(), None)
        .await
    {
        Ok(Next::Redirect(to)) => v.redirect(&to),
        Ok(Next::Consent { app, scopes }) => {
            let scopes: Vec<String> = scopes
                .iter()
                .filter(|s| s.as_str() != "openid")
                .map(|s| v.tr(&format!("consent_scope_{s}")))
                .collect();
            let request = query.to_string();
            v.page(
                StatusCode::OK,
                "portal/consent.html",
                context! { app, scopes, request },
            )
        }
        Ok(Next::SignIn { fresh }) => {
            // Back here after the sign-in without what asked for it, so that
            // it is not asked again (and `consent` still asked for).
            let back = without_sign_in_demands(&format!("{}?{query}", v.path("oauth2/authorize")));
            let mut to = format!("{}?next={}", v.path("login"), query_value(&back));
            if fresh {
                // The session this browser has stays until the new sign-in
                // succeeds; the sign-in page asks for the password anyway.
                to.push_str("&fresh=1");
            }
            if let Some(hint) = req.login_hint.as_deref() {
                to.push_str(&format!("&login_hint={}", query_value(hint)));
            }
            if let Some(lang) = asked {
                to.push_str(&format!("&lang={}", lang.as_str()));
            }
            v.redirect(&to)
        }
        Ok(Next::SecondStep(step)) => {
            // Back here once the second step is done.
            let back = format!("{}?{query}", v.path("oauth2/authorize"));
            cookies::set(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::sign_in_step_name(&v.site.key),
                &step.token,
                u64::from(step.max_age_seconds),
                true,
            );
            let to = super::sign_in::step_page(&v, &back);
            v.redirect(&to)
        }
        Ok(Next::Refuse(e)) => refused(v, e.code, &e.description),
        Err(e) => v.fail(e).into_response(),
    };
    let _ = headers;
    no_store(answer)
}

/// An answer no cache may keep.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// `POST /s/{site}/oauth2/logout`: RP-initiated logout as a form.
pub(super) async fn logout_posted(
    v: Visit,
    headers: HeaderMap,
    Form(req): Form<LogoutRequest>,
) -> Response {
    logout_request(v, headers, req).await
}

/// `GET /s/{site}/oauth2/logout`: RP-initiated logout.
pub(super) async fn logout(
    v: Visit,
    headers: HeaderMap,
    Query(req): Query<LogoutRequest>,
) -> Response {
    logout_request(v, headers, req).await
}

async fn logout_request(mut v: Visit, headers: HeaderMap, req: LogoutRequest) -> Response {
    let out = match logout::logout(&v.state.app, &v.site, &req, v.current.as_ref()).await {
        Ok(out) => out,
        Err(e) => return v.fail(e).into_response(),
    };
    if out.end_session {
        let name = cookies::portal_session_name(&v.site.key);
        if let Some(token) = cookies::get(&headers, &name)
            && let Err(e) = sessions::sign_out(&v.state.app, &token).await
        {
            return v.fail(e).into_response();
        }
        cookies::clear(&mut v.set_cookies, v.state.cookies, &name);
        v.current = None;
    }
    if let Some(to) = out.redirect {
        return v.redirect(&to);
    }
    // Without an ID token that names this session the customer is asked
    // (RP-Initiated Logout §2: a MUST), by a form of their own portal.
    if !out.end_session && v.current.is_some() {
        return v.page(StatusCode::OK, "portal/logout_confirm.html", context! {});
    }
    let line = v.tr(if out.end_session {
        "oauth_logout_done"
    } else {
        "oauth_logout_not_done"
    });
    let (home, label) = (v.path(""), v.tr("oauth_logout_link"));
    v.notice(
        StatusCode::OK,
        "oauth_logout_title",
        &[line],
        Some((&home, label)),
    )
}

/// An authorization request's path and query without what demands a fresh
/// sign-in: `max_age`, and `login` among the prompts (`consent` stays).
fn without_sign_in_demands(uri: &str) -> String {
    let Some((path, query)) = uri.split_once('?') else {
        return uri.to_string();
    };
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "max_age" => {}
            "prompt" => {
                let rest: Vec<&str> = v
                    .split(' ')
                    .filter(|p| !p.is_empty() && *p != "login")
                    .collect();
                if !rest.is_empty() {
                    kept.append_pair("prompt", &rest.join(" "));
                }
            }
            _ => {
                kept.append_pair(&k, &v);
            }
        }
    }
    format!("{path}?{}", kept.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_sign_in_comes_back_without_the_demand_for_one_but_with_consent() {
        assert_eq!(
            without_sign_in_demands(
                "/s/m/oauth2/authorize?prompt=login&client_id=a&max_age=0&state=s"
            ),
            "/s/m/oauth2/authorize?client_id=a&state=s"
        );
        assert_eq!(
            without_sign_in_demands("/s/m/oauth2/authorize?prompt=login+consent&client_id=a"),
            "/s/m/oauth2/authorize?prompt=consent&client_id=a"
        );
    }
}
