//! The authorization endpoint of a site's OpenID provider, a portal page:
//! a signed-in customer goes straight back to the app with a code (single
//! sign-on); anyone else signs in on the portal's own page first and comes
//! back here; a request that cannot be trusted gets a page saying why.

use axum::extract::{OriginalUri, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gatehouse_app::oidc::authorize::{self, AuthorizeRequest, Next};
use gatehouse_app::oidc::logout::{self, LogoutRequest};
use gatehouse_app::portal::sessions;

use super::visit::Visit;
use crate::cookies;

/// `GET /s/{site}/oauth2/authorize`.
pub(super) async fn authorize(
    mut v: Visit,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Query(req): Query<AuthorizeRequest>,
) -> Response {
    match authorize::authorize(&v.state.app, &v.site, &req, v.current.as_ref()).await {
        Ok(Next::Redirect(to)) => v.redirect(&to),
        Ok(Next::SignIn { fresh }) => {
            let mut back = uri.to_string();
            if fresh {
                // A fresh sign-in: end the session this browser has, and come
                // back without the demand, so that it is not made again.
                let name = cookies::portal_session_name(&v.site.key);
                if let Some(token) = cookies::get(&headers, &name)
                    && let Err(e) = sessions::sign_out(&v.state.app, &token).await
                {
                    return v.fail(e).into_response();
                }
                cookies::clear(&mut v.set_cookies, v.state.cookies, &name);
                back = without(&back, &["prompt", "max_age"]);
            }
            let mut to = format!("{}?next={}", v.path("login"), encode(&back));
            if let Some(hint) = req.login_hint.as_deref() {
                to.push_str(&format!("&login_hint={}", encode(hint)));
            }
            v.redirect(&to)
        }
        Ok(Next::Refuse(e)) => {
            let lead = v.tr("oauth_refused_lead");
            v.notice(
                StatusCode::BAD_REQUEST,
                "oauth_refused_title",
                &[lead, format!("{}: {}", e.code, e.description)],
                None,
            )
        }
        Err(e) => v.fail(e).into_response(),
    }
}

/// `GET /s/{site}/oauth2/logout`: RP-initiated logout.
pub(super) async fn logout(
    mut v: Visit,
    headers: HeaderMap,
    Query(req): Query<LogoutRequest>,
) -> Response {
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

/// The address a sign-in may continue to: this site's authorization
/// endpoint, and nothing else (no open redirect).
pub(super) fn safe_next(site_key: &str, next: &str) -> Option<String> {
    let prefix = format!("/s/{site_key}/oauth2/authorize?");
    (next.starts_with(&prefix) && !next.chars().any(char::is_control)).then(|| next.to_string())
}

fn encode(raw: &str) -> String {
    authorize::with_query("", &[("x", Some(raw))])
        .trim_start_matches("?x=")
        .to_string()
}

/// A path and query without the named parameters.
fn without(uri: &str, names: &[&str]) -> String {
    let Some((path, query)) = uri.split_once('?') else {
        return uri.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !names.iter().any(|n| pair.split('=').next() == Some(n)))
        .collect();
    format!("{path}?{}", kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_continues_only_to_its_own_sites_authorization_endpoint() {
        let ok = "/s/main/oauth2/authorize?client_id=a&x=1";
        assert_eq!(safe_next("main", ok).as_deref(), Some(ok));
        for bad in [
            "https://evil.example/",
            "//evil.example/s/main/oauth2/authorize?",
            "/s/other/oauth2/authorize?client_id=a",
            "/s/main/profile",
            "/s/main/oauth2/authorize?a=\r\nSet-Cookie:x",
        ] {
            assert_eq!(safe_next("main", bad), None, "{bad}");
        }
    }

    #[test]
    fn a_fresh_sign_in_comes_back_without_the_demand_for_one() {
        assert_eq!(
            without(
                "/s/m/oauth2/authorize?prompt=login&client_id=a&max_age=0&state=s",
                &["prompt", "max_age"]
            ),
            "/s/m/oauth2/authorize?client_id=a&state=s"
        );
    }
}
