//! Where a sign-in may send the browser on to (`next`): an app's
//! authorization request on this site, or one of this site's own signed-in
//! pages, and nothing else (no open redirect). The one rule the sign-in
//! page, the visit extractor and the authorization endpoint share.

/// The signed-in pages a sign-in may go back to.
pub(crate) const RESUMABLE_PAGES: [&str; 5] =
    ["profile", "sessions", "apps", "team", "change-password"];

/// The address a sign-in may continue to: this site's authorization
/// endpoint (an app's request), or one of this site's own signed-in pages,
/// and nothing else (no open redirect).
pub(crate) fn safe_next(site_key: &str, next: &str) -> Option<String> {
    let prefix = format!("/s/{site_key}/oauth2/authorize?");
    let to_app = next.starts_with(&prefix) && !next.chars().any(char::is_control);
    let to_page = RESUMABLE_PAGES
        .iter()
        .any(|page| next == format!("/s/{site_key}/{page}"));
    (to_app || to_page).then(|| next.to_string())
}

/// Whether a safe `next` is an app's authorization request (rather than one
/// of the portal's own pages).
pub(crate) fn is_app_request(site_key: &str, next: &str) -> bool {
    next.starts_with(&format!("/s/{site_key}/oauth2/authorize?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_continues_only_to_its_own_sites_authorization_endpoint_or_pages() {
        for ok in [
            "/s/main/oauth2/authorize?client_id=a&x=1",
            "/s/main/profile",
            "/s/main/sessions",
        ] {
            assert_eq!(safe_next("main", ok).as_deref(), Some(ok));
        }
        assert!(is_app_request(
            "main",
            "/s/main/oauth2/authorize?client_id=a"
        ));
        assert!(!is_app_request("main", "/s/main/profile"));
        for bad in [
            "https://evil.example/",
            "//evil.example/s/main/oauth2/authorize?",
            "/s/other/oauth2/authorize?client_id=a",
            "/s/other/profile",
            "/s/main/profile/../../admin",
            "/s/main/register",
            "//evil.example/s/main/profile",
            "/s/main/oauth2/authorize?a=\r\nSet-Cookie:x",
        ] {
            assert_eq!(safe_next("main", bad), None, "{bad}");
        }
    }
}
