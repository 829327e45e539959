//! The rows of the provider's rules: each decision walked case by case.
#[test]
fn grant_types_are_checked_for_the_apps_type() {
    use GrantType::*;
    let rows: [(ClientType, &[GrantType], bool); 5] = [
        (ClientType::Confidential, &GrantType::DEFAULT, true),
        (ClientType::Confidential, &[ClientCredentials], true),
        (ClientType::Public, &GrantType::DEFAULT, true),
        (
            ClientType::Public,
            &[AuthorizationCode, ClientCredentials],
            false,
        ),
        (ClientType::Confidential, &[], false),
    ];
    for (kind, grants, ok) in rows {
        assert_eq!(
            check_grant_types(kind, grants).is_ok(),
            ok,
            "{kind:?} {grants:?}"
        );
    }
    for g in [AuthorizationCode, RefreshToken, ClientCredentials] {
        assert_eq!(GrantType::parse(g.as_str()), Some(g));
    }
    assert!(
        !GrantType::DEFAULT.contains(&ClientCredentials),
        "off unless chosen"
    );
}

#[test]
fn a_token_is_for_the_app_or_for_an_api_it_was_registered_for() {
    let apis = vec!["https://api.example.com/".to_string()];
    assert_eq!(access_audience(None, &apis, "shop").unwrap(), "shop");
    assert_eq!(
        access_audience(Some("https://api.example.com/"), &apis, "shop").unwrap(),
        "https://api.example.com/"
    );
    let refused = access_audience(Some("https://other.example.com/"), &apis, "shop").unwrap_err();
    assert_eq!(refused.code, "invalid_target");
    assert!(check_resource("https://api.example.com/v1").is_ok());
    assert!(check_resource("http://127.0.0.1:8080/").is_ok());
    assert!(check_resource("https://api.example.com/#x").is_err());
    assert!(check_resource("http://api.example.com/").is_err());
    assert!(check_resource("api").is_err());
}

fn rules(kind: ClientType) -> (Vec<String>, Vec<String>, ClientType) {
    (
        vec![
            "https://shop.example.com/cb".into(),
            "com.example.app:/cb".into(),
        ],
        vec!["openid".into(), "email".into()],
        kind,
    )
}

#[test]
fn an_authorization_request_is_checked_in_the_protocols_order() {
    use AuthorizeRefusal::{Page, Redirect};
    let (uris, scopes, kind) = rules(ClientType::Confidential);
    let client = ClientRules {
        redirect_uris: &uris,
        scopes: &scopes,
        client_type: kind,
    };
    let good = AuthorizeParams {
        redirect_uri: Some("https://shop.example.com/cb"),
        response_type: Some("code"),
        scope: Some("openid email"),
        prompt: Some("login consent"),
        max_age: Some("60"),
        ..AuthorizeParams::default()
    };
    let valid = validate_authorize(&good, &client).unwrap();
    assert_eq!(
        valid.prompts,
        Prompts {
            none: false,
            login: true,
            consent: true
        }
    );
    assert_eq!(valid.max_age, Some(Duration::seconds(60)));
    assert!(!valid.needs_interaction);
    let code = |r: Result<ValidAuthorize, AuthorizeRefusal>| match r {
        Err(Page(e)) => format!("page {}", e.code),
        Err(Redirect(e)) => format!("redirect {}", e.code),
        Ok(_) => "ok".into(),
    };
    let with = |f: &dyn Fn(&mut AuthorizeParams)| {
        let mut p = good;
        f(&mut p);
        code(validate_authorize(&p, &client))
    };
    let long_state: &'static str = "s".repeat(MAX_STATE_CHARS + 1).leak();
    let long_nonce: &'static str = "n".repeat(MAX_NONCE_CHARS + 1).leak();
    type Change<'f> = &'f dyn Fn(&mut AuthorizeParams);
    let rows: [(&str, Change, &str); 11] = [
        (
            "no redirect",
            &|p| p.redirect_uri = None,
            "page invalid_request",
        ),
        (
            "unregistered redirect",
            &|p| p.redirect_uri = Some("https://shop.example.com/cb/"),
            "page invalid_request",
        ),
        (
            "state too long, before anything is sent back",
            &|p| {
                p.state = Some(long_state);
                p.response_type = Some("token")
            },
            "page invalid_request",
        ),
        (
            "implicit flow",
            &|p| p.response_type = Some("token"),
            "redirect unsupported_response_type",
        ),
        (
            "request object",
            &|p| p.request = Some("eyJ"),
            "redirect request_not_supported",
        ),
        (
            "request_uri",
            &|p| p.request_uri = Some("https://x"),
            "redirect request_uri_not_supported",
        ),
        (
            "a scope not offered",
            &|p| p.scope = Some("openid profile"),
            "redirect invalid_scope",
        ),
        (
            "plain PKCE",
            &|p| {
                p.code_challenge = Some("x");
                p.code_challenge_method = Some("plain")
            },
            "redirect invalid_request",
        ),
        (
            "nonce too long",
            &|p| p.nonce = Some(long_nonce),
            "redirect invalid_request",
        ),
        (
            "none with login",
            &|p| p.prompt = Some("none login"),
            "redirect invalid_request",
        ),
        (
            "negative max_age",
            &|p| p.max_age = Some("-1"),
            "redirect invalid_request",
        ),
    ];
    for (what, change, expected) in rows {
        assert_eq!(with(change), expected, "{what}");
    }
}

#[test]
fn a_public_app_without_a_claimed_https_redirect_always_needs_the_customer() {
    let (uris, scopes, kind) = rules(ClientType::Public);
    let client = ClientRules {
        redirect_uris: &uris,
        scopes: &scopes,
        client_type: kind,
    };
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let p = |uri| AuthorizeParams {
        redirect_uri: Some(uri),
        response_type: Some("code"),
        scope: Some("openid"),
        code_challenge: Some(challenge),
        code_challenge_method: Some("S256"),
        ..AuthorizeParams::default()
    };
    assert!(
        validate_authorize(&p("com.example.app:/cb"), &client)
            .unwrap()
            .needs_interaction
    );
    assert!(
        !validate_authorize(&p("https://shop.example.com/cb"), &client)
            .unwrap()
            .needs_interaction
    );
}

use time::macros::datetime;

#[test]
fn the_schedule_rotates_once_the_newest_key_is_old_enough() {
    let now = datetime!(2026-12-04 12:00 UTC);
    let every = Duration::days(90);
    assert!(key_rotation_due(None, every, now), "no key at all");
    assert!(key_rotation_due(Some(now - Duration::days(90)), every, now));
    assert!(!key_rotation_due(
        Some(now - Duration::days(89)),
        every,
        now
    ));
    assert!(
        !key_rotation_due(Some(now + Duration::days(1)), every, now),
        "a key published ahead counts as the newest"
    );
}

use super::*;

#[test]
fn redirect_uris_are_https_loopback_http_or_a_native_scheme() {
    for ok in [
        "https://shop.example.com/callback",
        "https://shop.example.com:8443/cb?x=1",
        "http://127.0.0.1:8080/cb",
        "http://[::1]/cb",
        "http://localhost:3000/cb",
        "com.example.installer:/oauth",
    ] {
        assert_eq!(check_redirect_uri(ok), Ok(()), "{ok}");
    }
    let refused = |raw: &str| check_redirect_uri(raw).unwrap_err();
    assert!(matches!(refused("/callback"), UriRefusal::NotAbsolute(_)));
    assert!(matches!(
        refused("https://a.example/cb#x"),
        UriRefusal::Fragment(_)
    ));
    assert!(matches!(
        refused("http://shop.example.com/cb"),
        UriRefusal::PlainHttp(_)
    ));
    assert!(matches!(
        refused("http://10.0.0.1/cb"),
        UriRefusal::PlainHttp(_)
    ));
    assert!(matches!(
        refused("javascript:alert(1)"),
        UriRefusal::Scheme(_)
    ));
    assert!(matches!(refused("ftp://x.example/"), UriRefusal::Scheme(_)));
    assert!(matches!(
        refused("data.x:text/html,<script>alert(1)</script>"),
        UriRefusal::Scheme(_)
    ));
    assert!(matches!(refused("com..app:/cb"), UriRefusal::Scheme(_)));
    assert!(matches!(
        refused("https://user:pw@shop.example.com/cb"),
        UriRefusal::Credentials(_)
    ));
    assert!(matches!(
        refused("https://user@shop.example.com/cb"),
        UriRefusal::Credentials(_)
    ));
}

#[test]
fn a_loopback_redirect_matches_on_any_port_and_nothing_else_does() {
    assert!(redirect_matches(
        "http://127.0.0.1/cb",
        "http://127.0.0.1:51234/cb"
    ));
    assert!(redirect_matches(
        "http://127.0.0.1:8080/cb",
        "http://127.0.0.1:9/cb"
    ));
    assert!(redirect_matches(
        "http://[::1]:80/cb",
        "http://[::1]:4000/cb"
    ));
    assert!(!redirect_matches(
        "http://127.0.0.1/cb",
        "http://127.0.0.1:5/other"
    ));
    assert!(!redirect_matches(
        "http://127.0.0.1/cb",
        "http://127.0.0.2:5/cb"
    ));
    assert!(!redirect_matches(
        "https://shop.example.com/cb",
        "https://shop.example.com:444/cb"
    ));
    assert!(!redirect_matches(
        "http://127.0.0.1/cb",
        "http://127.0.0.1:5/cb?x=1"
    ));
}

#[test]
fn scopes_must_be_known_allowed_and_include_openid_when_authenticating() {
    let allowed: BTreeSet<String> = ["openid", "email", "profile"].map(String::from).into();
    let got = requested_scopes(Some("openid  email"), &allowed, true).unwrap();
    assert_eq!(got, ["email", "openid"].map(String::from).into());
    assert_eq!(
        requested_scopes(Some("email"), &allowed, true)
            .unwrap_err()
            .code,
        "invalid_scope"
    );
    assert!(
        requested_scopes(Some("openid offline_access"), &allowed, true)
            .unwrap_err()
            .description
            .contains("may not ask")
    );
    assert!(
        requested_scopes(Some("openid admin"), &allowed, true)
            .unwrap_err()
            .description
            .contains("not offered")
    );
    assert_eq!(requested_scopes(None, &allowed, false).unwrap(), allowed);
}

#[test]
fn pkce_is_s256_only_and_required_of_public_clients() {
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    assert_eq!(
        check_pkce(ClientType::Public, Some(challenge), Some("S256")),
        Ok(())
    );
    assert_eq!(
        check_pkce(ClientType::Confidential, Some(challenge), Some("S256")),
        Ok(())
    );
    assert_eq!(check_pkce(ClientType::Confidential, None, None), Ok(()));
    for (client, c, m) in [
        (ClientType::Public, None, None),
        (ClientType::Public, Some(challenge), Some("plain")),
        (ClientType::Confidential, Some(challenge), Some("plain")),
        (ClientType::Confidential, Some(challenge), None),
        (ClientType::Confidential, None, Some("S256")),
        (ClientType::Public, Some("short"), Some("S256")),
    ] {
        assert_eq!(
            check_pkce(client, c, m).unwrap_err().code,
            "invalid_request",
            "{client:?} {c:?} {m:?}"
        );
    }
}

#[test]
fn a_rotated_refresh_token_repeats_inside_the_grace_window_and_is_a_replay_after() {
    let t = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
    let expires = t + REFRESH_TTL;
    assert_eq!(refresh_use(expires, None, t), RefreshUse::Fresh);
    assert_eq!(refresh_use(expires, None, expires), RefreshUse::Expired);
    assert_eq!(
        refresh_use(expires, Some(t), t + REFRESH_GRACE),
        RefreshUse::Repeated
    );
    assert_eq!(
        refresh_use(
            expires,
            Some(t),
            t + REFRESH_GRACE + Duration::milliseconds(1)
        ),
        RefreshUse::Replayed
    );
}

#[test]
fn acr_values_ask_for_two_steps_only_when_one_will_not_do() {
    let rows = [
        (None, false),
        (Some(""), false),
        (Some("1"), false),
        (Some("2"), true),
        (Some("1 2"), false),
        (Some("2 1"), false),
        (Some("urn:mace:incommon:iap:silver 2"), true),
        (Some("  2  "), true),
        (Some("urn:mace:incommon:iap:silver"), false),
    ];
    for (values, asks) in rows {
        assert_eq!(asks_two_steps(values), asks, "{values:?}");
    }
}
