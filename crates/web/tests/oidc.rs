//! Every site an OpenID Connect provider, over a real socket on both
//! engines, with a real relying-party library (the `openidconnect` crate)
//! as the app: discovery, the code flow with PKCE through the portal's own
//! sign-in page, the ID token verified against the JWKS with nonce and
//! audience, userinfo, refresh rotation (twenty at once get one successor),
//! a code used twice, the lifecycle reaching the app (back-channel logout
//! tokens received on 127.0.0.1 and verified), client credentials,
//! and the refusals with the RFCs' error codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::StaffRole;
use gatehouse_testkit::relying_party::{
    http, logout_receiver, logout_receiver_at, register_app, verified_logout_token,
};
use gatehouse_testkit::{
    TestDb, TestServer, both_engines, browser, continue_to, form_field, jwt_part,
    sign_in_and_continue,
};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl,
    RefreshToken, Scope, TokenResponse,
};

/// The app as the library builds it from discovery.
type App = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

const AFTER_LOGOUT: &str = "http://127.0.0.1:9/signed-out";

fn shop() -> Value {
    json!({"name": "Shop", "type": "confidential", "first_party": true, "redirect_uris": [REDIRECT],
           "post_logout_redirect_uris": [AFTER_LOGOUT],
           "scopes": ["openid", "profile", "email", "offline_access", "gatehouse"],
           "grant_types": ["authorization_code", "refresh_token", "client_credentials"]})
}

fn issuer(server: &TestServer) -> String {
    server.url("/s/main")
}

async fn app_client(server: &TestServer, id: &str, secret: Option<&str>) -> App {
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer(server)).unwrap(), &http())
            .await
            .expect("discovery");
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id.to_string()),
        secret.map(|s| ClientSecret::new(s.to_string())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.to_string()).unwrap())
}

/// The query parameter `name` of a URL.
fn param(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

/// A customer's browser goes to the app's authorization URL, signs in on
/// the portal page, and is sent back to the app: answers where it was sent.
async fn sign_in_through(
    server: &TestServer,
    browser: &reqwest::Client,
    auth_url: &str,
    email: &str,
) -> String {
    let first = browser.get(auth_url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let to_login = location(&first);
    assert!(to_login.starts_with("/s/main/login?next="), "{to_login}");
    sign_in_and_continue(server, browser, &to_login, email, PASSWORD).await
}

/// The tokens an app gets for ada@example.com with `offline_access`, by the
/// code flow with PKCE through a new browser.
async fn offline_tokens(server: &TestServer, app: &App) -> openidconnect::core::CoreTokenResponse {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _, _) = app
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = sign_in_through(server, &browser(), auth_url.as_str(), "ada@example.com").await;
    app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap()
}

/// A server with an admin, the customer ada@example.com and the shop
/// registered, and a relying-party client of the shop: most tests' start.
struct Shop {
    server: TestServer,
    admin: String,
    id: String,
    secret: String,
    app: App,
}

async fn with_shop(db: &TestDb) -> Shop {
    let server = TestServer::start(db).await;
    let admin = server
        .staff_token("admin@example.com", StaffRole::Admin, &[])
        .await;
    server.active_account("ada@example.com", PASSWORD).await;
    let (id, secret) = register_app(&server, &admin, shop()).await;
    let secret = secret.expect("a confidential app has a secret");
    let app = app_client(&server, &id, Some(&secret)).await;
    Shop {
        server,
        admin,
        id,
        secret,
        app,
    }
}

/// Token endpoint call with the form and optional Basic credentials.
async fn token_call(
    server: &TestServer,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, Value) {
    let mut request = http().post(server.url("/s/main/oauth2/token")).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let r = request.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn userinfo_status(server: &TestServer, access_token: &str) -> StatusCode {
    http()
        .get(server.url("/s/main/oauth2/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
}

both_engines! {
    async fn an_app_signs_a_customer_in_with_code_and_pkce_and_reads_who_they_are(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let (id, secret) = register_app(&server, &admin, shop()).await;
        let app = app_client(&server, &id, secret.as_deref()).await;

        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, state, nonce) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("offline_access".into()))
            .add_scope(Scope::new("gatehouse".into()))
            .set_pkce_challenge(challenge)
            .url();
        let customer = browser();
        let back = sign_in_through(&server, &customer, auth_url.as_str(), "ada@example.com").await;
        assert!(back.starts_with(REDIRECT), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some(state.secret().as_str()));
        assert_eq!(param(&back, "iss"), Some(issuer(&server)));
        let code = param(&back, "code").unwrap();

        let tokens = app
            .exchange_code(AuthorizationCode::new(code.clone()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&http())
            .await
            .expect("the code is exchanged");
        let id_token = tokens.id_token().expect("an ID token");
        let claims = id_token.claims(&app.id_token_verifier(), &nonce).expect("the ID token verifies");
        assert_eq!(claims.subject().as_str(), account.to_string());
        assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
        assert_eq!(claims.email_verified(), Some(true));
        assert!(claims.auth_time().is_some());

        let info: CoreUserInfoClaims = app
            .user_info(tokens.access_token().clone(), None)
            .unwrap()
            .request_async(&http())
            .await
            .expect("userinfo answers");
        assert_eq!(info.email().map(|e| e.as_str()), Some("ada@example.com"));
        // Staff put the customer into a company: apps learn it by name and ID.
        let mut tx = server.app.store.begin().await.unwrap();
        let holder = tx.account_by_id(account).await.unwrap().unwrap();
        let mut person = tx.customer_by_id(holder.customer_id.unwrap()).await.unwrap().unwrap();
        let now = time::OffsetDateTime::now_utc();
        let company = gatehouse_store::Company { id: uuid::Uuid::now_v7(), name: "Engines Ltd".into(), external_id: None, address: None, notes: String::new(), created_at: now, updated_at: now };
        tx.insert_company(&company).await.unwrap();
        person.fields.company = Some(company.name.clone());
        person.fields.company_id = Some(company.id);
        tx.update_customer(&person).await.unwrap();
        tx.commit().await.unwrap();
        let raw: Value = http()
            .get(server.url("/s/main/oauth2/userinfo"))
            .bearer_auth(tokens.access_token().secret())
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(raw["site"], "main");
        assert_eq!(raw["role"], "customer");
        assert_eq!(raw["given_name"], "Ada");
        assert_eq!((raw["company"].as_str(), raw["company_id"].as_str()), (Some("Engines Ltd"), Some(company.id.to_string().as_str())));

        // Single sign-on: the same browser gets a code without a password.
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("offline_access".into()))
            .url();
        let again = customer.get(auth_url.as_str()).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::SEE_OTHER);
        assert!(param(&location(&again), "code").is_some(), "{}", location(&again));

        // Refresh: rotated, and the successor works.
        let refresh = tokens.refresh_token().expect("offline_access gives a refresh token").clone();
        let renewed = app.exchange_refresh_token(&refresh).unwrap().request_async(&http()).await.expect("refreshed");
        let next = renewed.refresh_token().expect("a successor").clone();
        assert_ne!(next.secret(), refresh.secret(), "rotated");
        let renewed_again = app.exchange_refresh_token(&next).unwrap().request_async(&http()).await.expect("the successor works");
        assert!(renewed_again.refresh_token().is_some());

        // The same code a second time: refused, and what it gave is revoked.
        let (status, body) = token_call(&server, &[("grant_type", "authorization_code"), ("code", &code),
            ("redirect_uri", REDIRECT)], Some((&id, secret.as_deref().unwrap()))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::UNAUTHORIZED);
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"),
            ("refresh_token", renewed_again.refresh_token().unwrap().secret())], Some((&id, secret.as_deref().unwrap()))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        // Introspection: the app's own tokens are active, and revoking the
        // refresh token ends the sign-in (access token and userinfo too).
        let introspect = |token: String| {
            let (url, id, secret) = (server.url("/s/main/oauth2/introspect"), id.clone(), secret.clone().unwrap());
            async move {
                http().post(url).basic_auth(id, Some(secret)).form(&[("token", token.as_str())])
                    .send().await.unwrap().json::<Value>().await.unwrap()
            }
        };
        let sso = app
            .exchange_code(AuthorizationCode::new(param(&location(&again), "code").unwrap()))
            .unwrap()
            .request_async(&http())
            .await
            .expect("the single sign-on code is exchanged");
        let access = sso.access_token().secret().clone();
        let live = introspect(access.clone()).await;
        assert_eq!((live["active"].as_bool(), live["token_type"].as_str()), (Some(true), Some("access_token")), "{live}");
        assert_eq!(live["sub"], account.to_string());
        let refresh_now = sso.refresh_token().unwrap().secret().clone();
        assert_eq!(introspect(refresh_now.clone()).await["token_type"], "refresh_token");
        assert_eq!(introspect("not a token".into()).await, json!({"active": false}));
        let (other, other_secret) = register_app(&server, &admin, json!({"name": "Other", "type": "confidential",
            "first_party": true, "redirect_uris": [REDIRECT]})).await;
        let foreign = http().post(server.url("/s/main/oauth2/introspect")).basic_auth(&other, other_secret.as_deref())
            .form(&[("token", access.as_str())]).send().await.unwrap().json::<Value>().await.unwrap();
        assert_eq!(foreign, json!({"active": false}), "another app's token is inactive to it");
        let revoked = http().post(server.url("/s/main/oauth2/revoke")).basic_auth(&id, secret.as_deref())
            .form(&[("token", refresh_now.as_str()), ("token_type_hint", "refresh_token")]).send().await.unwrap();
        assert_eq!(revoked.status(), StatusCode::OK);
        assert_eq!(introspect(access.clone()).await["active"], false);
        assert_eq!(userinfo_status(&server, &access).await, StatusCode::UNAUTHORIZED);

        server.stop().await;
    }

    async fn twenty_refreshes_of_one_token_at_once_get_one_successor(db: TestDb) {
        let Shop { server, id, secret, app, .. } = with_shop(&db).await;
        let tokens = offline_tokens(&server, &app).await;
        let refresh = tokens.refresh_token().unwrap().secret().clone();
        let calls = (0..20).map(|_| {
            let (url, id, secret, refresh) = (server.url("/s/main/oauth2/token"), id.clone(), secret.clone(), refresh.clone());
            tokio::spawn(async move {
                let r = http().post(url).basic_auth(id, Some(secret))
                    .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())])
                    .send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            })
        });
        let mut successors = std::collections::BTreeSet::new();
        for call in calls.collect::<Vec<_>>() {
            let (status, body) = call.await.unwrap();
            assert_eq!(status, StatusCode::OK, "{body}");
            successors.insert(body["refresh_token"].as_str().unwrap().to_string());
        }
        assert_eq!(successors.len(), 1, "one successor for all twenty");
        let successor = RefreshToken::new(successors.into_iter().next().unwrap());
        app.exchange_refresh_token(&successor).unwrap().request_async(&http()).await.expect("the successor works");
        server.stop().await;
    }

    async fn the_lifecycle_reaches_the_app(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let (id, secret) = register_app(&server, &admin, shop()).await;
        let secret = secret.unwrap();
        let app = app_client(&server, &id, Some(&secret)).await;
        let tokens = offline_tokens(&server, &app).await;
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::OK);

        // Staff looking at the portal as the customer cannot sign in to apps.
        let (status, body) = server.api(Method::POST, &format!("/api/v1/accounts/{account}/impersonation"), Some(&admin),
            Some(json!({"reason": "customer asked for help"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let staff_browser = browser();
        staff_browser.get(body["url"].as_str().unwrap()).send().await.unwrap();
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .url();
        let refused = staff_browser.get(auth_url.as_str()).send().await.unwrap();
        assert_eq!(param(&location(&refused), "error").as_deref(), Some("access_denied"));
        // Nor disconnect the customer's apps for them.
        let apps = staff_browser.get(server.url("/s/main/apps")).send().await.unwrap().text().await.unwrap();
        let r = staff_browser.post(server.url(&format!("/s/main/apps/{id}/disconnect")))
            .form(&[("csrf", form_field(&apps, "csrf").as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::OK, "nothing changed");

        // Blocked in the console: userinfo refuses at once, the refresh token is dead.
        let (status, body) = server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin),
            Some(json!({"action": "block", "ids": [account]}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::UNAUTHORIZED);
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"),
            ("refresh_token", tokens.refresh_token().unwrap().secret())], Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));

        // Unblocked, the old grant stays revoked; a customer waiting for
        // approval never gets a code: the portal page explains instead.
        let (status, _) = server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin),
            Some(json!({"action": "unblock", "ids": [account]}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::UNAUTHORIZED);
        let (status, _) = server.api(Method::PATCH, "/api/v1/sites/main/settings", Some(&admin),
            Some(json!({"approval_required": true}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server.api(Method::POST, "/api/v1/sites/main/registrations", None,
            Some(json!({"email": "pending@example.com", "password": PASSWORD, "first_name": "Pat", "last_name": "Ending"}))).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let link = server.nth_mail("pending@example.com", 1).await.link_to(&server.base_url, "/activate").unwrap();
        let (status, _) = server.api(Method::POST, "/api/v1/sites/main/verifications", None,
            Some(json!({"token": link.split("token=").nth(1).unwrap()}))).await;
        assert_eq!(status, StatusCode::OK);
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let pending = browser();
        let first = pending.get(auth_url.as_str()).send().await.unwrap();
        let page = pending.get(server.url(&location(&first))).send().await.unwrap().text().await.unwrap();
        let next = form_field(&page, "next");
        let answer = pending.post(server.url("/s/main/login"))
            .form(&[("csrf", form_field(&page, "csrf").as_str()), ("login_id", "pending@example.com"),
                    ("password", PASSWORD), ("next", next.as_str())])
            .send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "the page says why, no code");
        let said = answer.text().await.unwrap();
        assert!(said.contains("<p class=\"info\" role=\"status\">Your registration is waiting for approval")
            && !said.contains("class=\"error\""), "news, not an error: {said}");
        let back = pending.get(server.url(&next)).send().await.unwrap();
        assert!(location(&back).starts_with("/s/main/login"), "still not signed in: {}", location(&back));
        server.stop().await;
    }

    async fn bad_requests_are_refused_with_the_protocols_codes(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        server.active_account("ada@example.com", PASSWORD).await;
        let (id, secret) = register_app(&server, &admin, shop()).await;
        let secret = secret.unwrap();
        let authorize = |query: &str| http().get(server.url(&format!("/s/main/oauth2/authorize?{query}"))).send();

        // Unknown client or unregistered redirect: a page, no redirect.
        let r = authorize(&format!("client_id=nobody&redirect_uri={REDIRECT}&response_type=code&scope=openid")).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers().get(reqwest::header::LOCATION).is_none());
        let r = authorize(&format!("client_id={id}&redirect_uri=http://127.0.0.1:9/other&response_type=code&scope=openid")).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("redirect_uri"));

        // Known client and redirect: the error goes back to the app.
        let r = authorize(&format!("client_id={id}&redirect_uri={REDIRECT}&response_type=token&scope=openid&state=s1")).await.unwrap();
        let to = location(&r);
        assert_eq!(param(&to, "error").as_deref(), Some("unsupported_response_type"));
        assert_eq!(param(&to, "state").as_deref(), Some("s1"));
        let r = authorize(&format!("client_id={id}&redirect_uri={REDIRECT}&response_type=code&scope=openid&code_challenge=abc&code_challenge_method=plain")).await.unwrap();
        assert_eq!(param(&location(&r), "error").as_deref(), Some("invalid_request"));
        let r = authorize(&format!("client_id={id}&redirect_uri={REDIRECT}&response_type=code&scope=openid&prompt=none")).await.unwrap();
        assert_eq!(param(&location(&r), "error").as_deref(), Some("login_required"));

        // A public app must use PKCE.
        let (public, none) = register_app(&server, &admin, json!({"name": "Installer", "type": "public",
            "first_party": true, "redirect_uris": ["com.example.installer:/oauth", REDIRECT]})).await;
        assert!(none.is_none(), "a public app has no secret");
        let r = authorize(&format!("client_id={public}&redirect_uri={REDIRECT}&response_type=code&scope=openid")).await.unwrap();
        assert_eq!(param(&location(&r), "error").as_deref(), Some("invalid_request"));

        // The token endpoint: a wrong secret, an unknown code, a wrong grant type.
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, "wrong"))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
        let (status, body) = token_call(&server, &[("grant_type", "authorization_code"), ("code", "nope"),
            ("redirect_uri", REDIRECT)], Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        let (status, body) = token_call(&server, &[("grant_type", "password")], Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));

        // A code with a wrong PKCE verifier is refused.
        let app = app_client(&server, &id, Some(&secret)).await;
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let back = sign_in_through(&server, &browser(), auth_url.as_str(), "ada@example.com").await;
        let code = param(&back, "code").unwrap();
        let (status, body) = token_call(&server, &[("grant_type", "authorization_code"), ("code", &code),
            ("redirect_uri", REDIRECT), ("code_verifier", &"x".repeat(43))], Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));

        // A browser app's preflight is answered for any origin.
        let preflight = http().request(Method::OPTIONS, server.url("/s/main/oauth2/userinfo"))
            .header("origin", "https://spa.example.com")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send().await.unwrap();
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
        assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
        assert!(preflight.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));

        // Client credentials: a machine token limited to the app's scopes.
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials"), ("scope", "gatehouse")],
            Some((&id, &secret))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["scope"], "gatehouse");
        assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials"), ("scope", "admin")],
            Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")));
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials"), ("client_id", &public)], None).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")));
        server.stop().await;
    }

    async fn admins_register_apps_and_a_secret_is_shown_once_and_stored_hashed(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let support = server.staff_token("support@example.com", StaffRole::Support, &[]).await;
        let (status, _) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&support), Some(shop())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "support staff register no apps");
        let (id, secret) = register_app(&server, &admin, shop()).await;
        let secret = secret.unwrap();
        let (status, read) = server.api(Method::GET, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!read.to_string().contains(&secret), "the secret is never shown again");
        let mut tx = server.app.store.read().await.unwrap();
        let stored = tx.client_by_client_id(&id).await.unwrap().unwrap();
        drop(tx);
        assert_eq!(stored.secret_hash, Some(gatehouse_app::secrets::token_hash(&secret)));

        // Bad input: every refusal at once, nothing changed.
        let (status, body) = server.api(Method::PATCH, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin),
            Some(json!({"redirect_uris": ["http://shop.example.com/cb", "https://x.example/#frag"], "scopes": ["openid", "admin"]}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["redirect_uris", "redirect_uris", "scopes"], "{body}");
        let (_, again) = server.api(Method::GET, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin), None).await;
        assert_eq!(again["redirect_uris"], json!([REDIRECT]));

        // Rotation: the old secret stops working, the new one works.
        let (status, rotated) = server.api(Method::POST, &format!("/api/v1/sites/main/clients/{id}/secret"), Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK);
        let new_secret = rotated["client_secret"].as_str().unwrap();
        let (status, _) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, new_secret))).await;
        assert_eq!(status, StatusCode::OK);

        // Key rotation: the new key is published at once; a token signed by
        // the old key still verifies, new tokens carry the new key.
        let old_token = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, new_secret))).await.1;
        let kid_of = |jwt: &str| -> String { jwt_part(jwt, 0)["kid"].as_str().unwrap().to_string() };
        let old_kid = kid_of(old_token["access_token"].as_str().unwrap());
        let (status, key) = server.api(Method::POST, "/api/v1/signing-keys/rotate", Some(&admin),
            Some(json!({"publish_ahead_seconds": 0}))).await;
        assert_eq!(status, StatusCode::OK, "{key}");
        let new_kid = key["items"].as_array().unwrap().iter()
            .find(|k| k["alg"] == "ES256").unwrap()["kid"].as_str().unwrap().to_string();
        assert!(key["items"].as_array().unwrap().iter().any(|k| k["alg"] == "RS256"), "one of each algorithm: {key}");
        assert_ne!(new_kid, old_kid);
        let jwks: Value = http().get(server.url("/s/main/oauth2/jwks")).send().await.unwrap().json().await.unwrap();
        let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert!(kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()), "{kids:?}");
        let fresh = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, new_secret))).await.1;
        assert_eq!(kid_of(fresh["access_token"].as_str().unwrap()), new_kid);
        for token in [&old_token, &fresh] {
            let answer: Value = http().post(server.url("/s/main/oauth2/introspect")).basic_auth(&id, Some(new_secret))
                .form(&[("token", token["access_token"].as_str().unwrap())]).send().await.unwrap().json().await.unwrap();
            assert_eq!(answer["active"], json!(true), "signed by either key, still good: {answer}");
        }
        let (_, listed) = server.api(Method::GET, "/api/v1/signing-keys", Some(&admin), None).await;
        assert!(listed.to_string().contains("retired_at") && !listed.to_string().contains("private"), "{listed}");

        // Removed: its credentials stop working; every change is audited.
        let (status, _) = server.api(Method::DELETE, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, new_secret))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let mut tx = server.app.store.read().await.unwrap();
        let actions: Vec<String> = tx.list_audit(20).await.unwrap().into_iter().map(|e| e.action).collect();
        drop(tx);
        for action in ["client.create", "client.secret_rotate", "client.delete", "signing_key.rotate"] {
            assert!(actions.iter().any(|a| a == action), "{action} audited: {actions:?}");
        }
        server.stop().await;
    }

    async fn an_app_signs_the_customer_out_of_the_portal_and_back_to_its_own_page(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        server.active_account("ada@example.com", PASSWORD).await;
        let (id, secret) = register_app(&server, &admin, shop()).await;
        let app = app_client(&server, &id, secret.as_deref()).await;
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .url();
        let customer = browser();
        let back = sign_in_through(&server, &customer, auth_url.as_str(), "ada@example.com").await;
        let tokens = app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
            .request_async(&http()).await.unwrap();
        let id_token = tokens.id_token().unwrap().to_string();
        let logout = |query: String| customer.get(server.url(&format!("/s/main/oauth2/logout?{query}"))).send();

        // Without a hint nothing ends and nobody is redirected.
        let page = logout(format!("post_logout_redirect_uri={AFTER_LOGOUT}")).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.headers().get(reqwest::header::LOCATION).is_none());
        let profile = customer.get(server.url("/s/main/profile")).send().await.unwrap();
        assert_eq!(profile.status(), StatusCode::OK, "still signed in");

        // With the app's ID token: signed out, the grant revoked, and back
        // to the app's registered page with its state.
        let out = logout(format!("id_token_hint={id_token}&post_logout_redirect_uri={AFTER_LOGOUT}&state=bye")).await.unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&out), format!("{AFTER_LOGOUT}?state=bye"));
        let profile = customer.get(server.url("/s/main/profile")).send().await.unwrap();
        assert!(location(&profile).starts_with("/s/main/login"), "signed out of the portal");
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::UNAUTHORIZED);

        // An address the app did not register: no redirect, a page.
        let page = logout(format!("id_token_hint={id_token}&post_logout_redirect_uri=https://evil.example/")).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.headers().get(reqwest::header::LOCATION).is_none());
        server.stop().await;
    }

    async fn a_third_party_app_asks_consent_once_and_the_customer_can_withdraw_it(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        server.active_account("ada@example.com", PASSWORD).await;
        let (shop_id, shop_secret) = register_app(&server, &admin, shop()).await;
        let (id, secret) = register_app(&server, &admin, json!({"name": "Partner Shop", "type": "confidential",
            "first_party": false, "redirect_uris": [REDIRECT], "scopes": ["openid", "profile", "email"]})).await;
        let app = app_client(&server, &id, secret.as_deref()).await;
        let url = |scopes: &[&str], prompt: Option<&str>| {
            let mut request = app.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
            for s in scopes {
                request = request.add_scope(Scope::new(s.to_string()));
            }
            if let Some(p) = prompt {
                request = request.add_extra_param("prompt", p);
            }
            request.url().0.to_string()
        };
        let customer = browser();
        // Signed in on the portal through the business's own shop first.
        let shop_app = app_client(&server, &shop_id, shop_secret.as_deref()).await;
        let (shop_url, _, _) = shop_app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .url();
        sign_in_through(&server, &customer, shop_url.as_str(), "ada@example.com").await;

        // Not asked yet: prompt=none answers consent_required, nothing is asked.
        let silent = customer.get(url(&["profile"], Some("none"))).send().await.unwrap();
        assert_eq!(param(&location(&silent), "error").as_deref(), Some("consent_required"));

        // The consent page names the app and what it would see.
        let page = customer.get(url(&["profile"], None)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.contains("Allow Partner Shop?") && page.contains("your name and language"), "{page}");
        assert!(!page.contains("your e-mail address"), "only what it asks for");
        // ui_locales: the consent page, and the sign-in page of a stranger, in German.
        let german = customer.get(format!("{}&ui_locales=fr%20de-AT", url(&["profile"], None))).send().await.unwrap().text().await.unwrap();
        assert!(german.contains("Partner Shop erlauben?") && german.contains("Ihren Namen"), "{german}");
        let stranger = browser().get(format!("{}&ui_locales=de", url(&["profile"], None))).send().await.unwrap();
        assert!(location(&stranger).contains("&lang=de"), "{}", location(&stranger));
        let answer = |page: &str, decision: &'static str, csrf: Option<&str>| {
            let csrf = csrf.map_or_else(|| form_field(page, "csrf"), str::to_string);
            customer.post(server.url("/s/main/oauth2/consent"))
                .form(&[("csrf", csrf), ("request", form_field(page, "request")), ("decision", decision.to_string())])
                .send()
        };
        // A forged answer changes nothing.
        let forged = answer(&page, "allow", Some("forged")).await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let again = customer.get(url(&["profile"], None)).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::OK, "still asked");
        // "Do not allow": the app hears access_denied, with its state.
        let denied = answer(&page, "deny", None).await.unwrap().text().await.unwrap();
        let back = continue_to(&denied);
        assert!(back.starts_with(REDIRECT), "{back}");
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
        assert!(param(&back, "state").is_some());

        // "Allow": a code, and the ID token for the app.
        let page = customer.get(url(&["profile"], None)).send().await.unwrap().text().await.unwrap();
        let allowed = answer(&page, "allow", None).await.unwrap().text().await.unwrap();
        let back = continue_to(&allowed);
        let tokens = app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
            .request_async(&http()).await.unwrap();
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::OK);

        // Remembered: straight back next time; asked again for more, or when the app demands it.
        let remembered = customer.get(url(&["profile"], None)).send().await.unwrap();
        assert_eq!(remembered.status(), StatusCode::SEE_OTHER);
        assert!(param(&location(&remembered), "code").is_some());
        for (scopes, prompt) in [(&["profile", "email"][..], None), (&["profile"][..], Some("consent"))] {
            let asked = customer.get(url(scopes, prompt)).send().await.unwrap();
            assert_eq!(asked.status(), StatusCode::OK, "{scopes:?} {prompt:?}");
        }

        // Connected apps lists both; disconnecting the partner signs it out
        // and it asks again.
        let apps = customer.get(server.url("/s/main/apps")).send().await.unwrap().text().await.unwrap();
        assert!(apps.contains("Partner Shop") && apps.contains("Shop"), "{apps}");
        let csrf = form_field(&apps, "csrf");
        let gone = customer.post(server.url(&format!("/s/main/apps/{id}/disconnect")))
            .form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(location(&gone), "/s/main/apps?notice=apps_disconnected");
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::UNAUTHORIZED);
        let apps = customer.get(server.url(&location(&gone))).send().await.unwrap().text().await.unwrap();
        assert!(!apps.contains("Partner Shop") && apps.contains("The app was disconnected"), "{apps}");
        let asked = customer.get(url(&["profile"], None)).send().await.unwrap();
        assert_eq!(asked.status(), StatusCode::OK, "asks again");
        let again = customer.post(server.url(&format!("/s/main/apps/{id}/disconnect")))
            .form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_FOUND, "not connected any more");

        // The audit trail has the consent and its withdrawal, by the customer.
        let (_, audit) = server.api(Method::GET, "/api/v1/audit?limit=50", Some(&admin), None).await;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"oauth.consent") && actions.contains(&"oauth.disconnect"), "{actions:?}");
        server.stop().await;
    }

    async fn an_older_library_gets_rs256_tokens_when_its_app_asks_for_them(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let mut body = shop();
        body["signing_alg"] = json!("RS256");
        let (id, secret) = register_app(&server, &admin, body).await;
        let app = app_client(&server, &id, secret.as_deref()).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let back = sign_in_through(&server, &browser(), auth_url.as_str(), "ada@example.com").await;
        let tokens = app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http()).await.unwrap();
        let id_token = tokens.id_token().unwrap();
        let header = |jwt: &str| jwt_part(jwt, 0);
        assert_eq!(header(&id_token.to_string())["alg"], "RS256");
        assert_eq!(header(tokens.access_token().secret())["alg"], "RS256");
        // The library checks the RS256 signature against the published RSA key.
        let verifier = app.id_token_verifier().set_allowed_algs(vec![openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]);
        let claims = id_token.claims(&verifier, &nonce).expect("the RS256 ID token verifies");
        assert_eq!(claims.subject().as_str(), account.to_string());
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::OK);
        // A token whose header claims another algorithm than its key's is refused.
        let forged = {
            use base64::Engine as _;
            let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let mut h = header(tokens.access_token().secret());
            h["alg"] = json!("ES256");
            let rest: Vec<&str> = tokens.access_token().secret().splitn(2, '.').collect();
            format!("{}.{}", engine.encode(h.to_string()), rest[1])
        };
        assert_eq!(userinfo_status(&server, &forged).await, StatusCode::UNAUTHORIZED);
        let jwks: Value = http().get(server.url("/s/main/oauth2/jwks")).send().await.unwrap().json().await.unwrap();
        let algs: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["alg"].as_str().unwrap()).collect();
        assert!(algs.contains(&"ES256") && algs.contains(&"RS256"), "{algs:?}");
        server.stop().await;
    }

    async fn every_lifecycle_event_sends_the_apps_the_customer_used_a_backchannel_logout(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let (shop_url, mut shop_inbox) = logout_receiver().await;
        let (unused_url, mut unused_inbox) = logout_receiver().await;
        let mut body = shop();
        body["backchannel_logout_uri"] = json!(shop_url);
        let (id, secret) = register_app(&server, &admin, body).await;
        let secret = secret.unwrap();
        let mut other = shop();
        other["name"] = json!("Installer app");
        other["backchannel_logout_uri"] = json!(unused_url);
        register_app(&server, &admin, other).await;
        let app = app_client(&server, &id, Some(&secret)).await;
        let discovery: Value = http().get(server.url("/s/main/.well-known/openid-configuration"))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(discovery["backchannel_logout_supported"], json!(true));

        // Each event: the app held tokens, the event ends them and the app is told.
        let (s, a) = (&server, admin.as_str());
        let accounts = |v: Value| async move { s.api(Method::PATCH, &format!("/api/v1/accounts/{account}"), Some(a), Some(v)).await };
        let action = |name: &'static str| async move {
            s.api(Method::POST, "/api/v1/accounts/actions", Some(a), Some(json!({"action": name, "ids": [account]}))).await
        };
        let mut seen = Vec::new();
        for event in ["access switched off", "staff: sign out everywhere", "password changed", "blocked", "deleted"] {
            let tokens = offline_tokens(&server, &app).await;
            match event {
                "access switched off" => {
                    assert_eq!(accounts(json!({"access_granted": false})).await.0, StatusCode::OK);
                }
                "staff: sign out everywhere" => {
                    let (status, _) = server.api(Method::DELETE, &format!("/api/v1/accounts/{account}/sessions"), Some(&admin), None).await;
                    assert_eq!(status, StatusCode::NO_CONTENT);
                }
                "password changed" => {
                    let portal = browser();
                    let call = |path: &str, v: Value| portal.post(server.url(&format!("/api/v1/sites/main{path}"))).json(&v).send();
                    assert!(call("/sessions", json!({"login_id": "ada@example.com", "password": PASSWORD})).await.unwrap().status().is_success());
                    let changed = call("/me/password", json!({"current_password": PASSWORD, "new_password": "violet anchors juggle quietly"})).await.unwrap();
                    assert!(changed.status().is_success(), "{}", changed.status());
                }
                "blocked" => assert_eq!(action("block").await.0, StatusCode::OK),
                "deleted" => assert_eq!(action("delete").await.0, StatusCode::OK),
                _ => unreachable!(),
            }
            let token = tokio::time::timeout(std::time::Duration::from_secs(10), shop_inbox.recv())
                .await
                .unwrap_or_else(|_| panic!("{event}: no back-channel logout within 10 s"))
                .unwrap();
            let claims = verified_logout_token(&server, "main", &token).await;
            assert_eq!(claims["iss"], json!(issuer(&server)), "{event}");
            assert_eq!(claims["aud"], json!(id), "{event}");
            assert_eq!(claims["sub"], json!(account.to_string()), "{event}");
            assert_eq!(claims["sid"], jwt_part(&tokens.id_token().unwrap().to_string(), 1)["sid"],
                       "{event}: the logout token names the session as the ID token did");
            assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object(), "{event}");
            assert!(claims.get("nonce").is_none(), "a logout token has no nonce");
            seen.push(claims["jti"].as_str().unwrap().to_string());
            assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::UNAUTHORIZED, "{event}");
            let (status, body) = token_call(&server, &[("grant_type", "refresh_token"),
                ("refresh_token", tokens.refresh_token().unwrap().secret())], Some((&id, &secret))).await;
            assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{event}");
            // Back to a customer who can sign in, for the next event.
            match event {
                "access switched off" => assert_eq!(accounts(json!({"access_granted": true})).await.0, StatusCode::OK),
                "password changed" => {
                    let portal = browser();
                    let call = |path: &str, v: Value| portal.post(server.url(&format!("/api/v1/sites/main{path}"))).json(&v).send();
                    assert!(call("/sessions", json!({"login_id": "ada@example.com", "password": "violet anchors juggle quietly"})).await.unwrap().status().is_success());
                    assert!(call("/me/password", json!({"current_password": "violet anchors juggle quietly", "new_password": PASSWORD})).await.unwrap().status().is_success());
                }
                "blocked" => assert_eq!(action("unblock").await.0, StatusCode::OK),
                _ => {}
            }
        }
        // One notice per event, each once, and none to the app never used.
        seen.dedup();
        assert_eq!(seen.len(), 5);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(shop_inbox.try_recv().is_err(), "nothing sent twice, nothing for an event without a grant");
        assert!(unused_inbox.try_recv().is_err(), "an app the customer never used is not told");
        server.stop().await;
    }

    async fn the_authorization_and_logout_endpoints_keep_the_rfcs_finer_points(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let (id, secret) = register_app(&server, &admin, shop()).await;
        let secret = secret.unwrap();
        let discovery: Value = http().get(server.url("/s/main/.well-known/openid-configuration"))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(discovery["request_uri_parameter_supported"], json!(false));
        let query = |extra: &str| format!("client_id={id}&redirect_uri={REDIRECT}&response_type=code&scope=openid&state=s1{extra}");
        let grants = || async {
            let mut tx = server.app.store.read().await.unwrap();
            tx.live_account_grants(account).await.unwrap().len()
        };

        // Request objects are refused by name; an oversized state gets a page.
        let r = http().get(server.url(&format!("/s/main/oauth2/authorize?{}", query("&request=eyJ")))).send().await.unwrap();
        assert_eq!(param(&location(&r), "error").as_deref(), Some("request_not_supported"));
        let r = http().get(server.url(&format!("/s/main/oauth2/authorize?{}", query("&request_uri=https%3A%2F%2Fx")))).send().await.unwrap();
        assert_eq!(param(&location(&r), "error").as_deref(), Some("request_uri_not_supported"));
        let long_state = "s".repeat(1025);
        let r = http().get(server.url(&format!("/s/main/oauth2/authorize?{}&state={long_state}", query("")))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers().get(reqwest::header::LOCATION).is_none(), "nothing sent back");

        // A signed-in browser: POST works like GET, HEAD mints nothing, and
        // no answer may be cached.
        let portal = browser();
        let first = sign_in_through(&server, &portal, &server.url(&format!("/s/main/oauth2/authorize?{}", query(""))), "ada@example.com").await;
        assert!(param(&first, "code").is_some());
        let before = grants().await;
        let head = portal.head(server.url(&format!("/s/main/oauth2/authorize?{}", query("")))).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(grants().await, before, "a HEAD makes no grant");
        let posted = portal.post(server.url("/s/main/oauth2/authorize"))
            .header("origin", "https://shop.example.com")
            .form(&[("client_id", id.as_str()), ("redirect_uri", REDIRECT), ("response_type", "code"), ("scope", "openid"), ("state", "s2")])
            .send().await.unwrap();
        assert_eq!(posted.status(), StatusCode::SEE_OTHER, "a form from the app's own site");
        assert_eq!(posted.headers()[reqwest::header::CACHE_CONTROL], "no-store");
        let to = location(&posted);
        assert!(param(&to, "code").is_some() && param(&to, "state").as_deref() == Some("s2"), "{to}");

        // prompt=login: the session stays until the new sign-in succeeds.
        let fresh = portal.get(server.url(&format!("/s/main/oauth2/authorize?{}", query("&prompt=login")))).send().await.unwrap();
        let to_login = location(&fresh);
        assert!(to_login.contains("fresh=1"), "{to_login}");
        let page = portal.get(server.url(&to_login)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "the form, though signed in: {to_login} -> {:?}", page.headers().get("location"));
        let page = page.text().await.unwrap();
        let me = portal.get(server.url("/api/v1/sites/main/me")).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK, "not signed out by a link");
        let next = form_field(&page, "next");
        assert!(!next.contains("prompt"), "{next}");
        let answer = portal.post(server.url("/s/main/login"))
            .form(&[("csrf", form_field(&page, "csrf").as_str()), ("login_id", "ada@example.com"),
                    ("password", PASSWORD), ("next", next.as_str())])
            .send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let back = portal.get(server.url(&next)).send().await.unwrap();
        let fresh_code = param(&location(&back), "code").expect("one sign-in, then the code");

        // prompt=login from a signed-out browser asks for the password once.
        let stranger = browser();
        let back = sign_in_through(&server, &stranger, &server.url(&format!("/s/main/oauth2/authorize?{}", query("&prompt=login&max_age=0"))), "ada@example.com").await;
        assert!(param(&back, "code").is_some(), "{back}");

        // A public app whose redirect another app could claim: the customer
        // confirms on a page every time; prompt=none cannot get a code.
        let (public, _) = register_app(&server, &admin, json!({"name": "Installer", "type": "public",
            "first_party": true, "redirect_uris": ["com.example.installer:/oauth"]})).await;
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let native = format!("client_id={public}&redirect_uri=com.example.installer%3A%2Foauth&response_type=code&scope=openid\
                              &code_challenge={}&code_challenge_method=S256", challenge.as_str());
        let r = portal.get(server.url(&format!("/s/main/oauth2/authorize?{native}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "a page, not a silent code");
        let r = portal.get(server.url(&format!("/s/main/oauth2/authorize?{native}&prompt=none"))).send().await.unwrap();
        assert_eq!(param(&location(&r), "error").as_deref(), Some("interaction_required"));

        // RP-initiated logout as a form from the app's site.
        let tokens: Value = reqwest::Client::new().post(server.url("/s/main/oauth2/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "authorization_code"), ("code", fresh_code.as_str()), ("redirect_uri", REDIRECT)])
            .send().await.unwrap().json().await.unwrap();
        let out = portal.post(server.url("/s/main/oauth2/logout"))
            .header("origin", "https://shop.example.com")
            .form(&[("id_token_hint", tokens["id_token"].as_str().unwrap())])
            .send().await.unwrap();
        assert_eq!(out.status(), StatusCode::OK);
        let me = portal.get(server.url("/api/v1/sites/main/me")).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "signed out");
        server.stop().await;
    }

    async fn native_apps_use_any_loopback_port_and_revoke_their_own_tokens(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        server.active_account("ada@example.com", PASSWORD).await;
        // Registration refuses what no app can receive safely.
        for (bad, why) in [("data.x:text/html,<script>alert(1)</script>", "data after a dotted scheme"),
                           ("https://user@shop.example.com/cb", "a user name in the address")] {
            let (status, body) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
                "name": "Bad", "type": "public", "first_party": true, "redirect_uris": [bad]}))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        }
        let (shop_id, shop_secret) = register_app(&server, &admin, shop()).await;
        let (native, _) = register_app(&server, &admin, json!({"name": "Installer", "type": "public", "first_party": true,
            "redirect_uris": ["http://127.0.0.1/callback"], "scopes": ["openid", "offline_access"]})).await;
        // Signed in through the shop, the browser asks for the native app on
        // the port it happens to listen on.
        let portal = browser();
        let shop_app = app_client(&server, &shop_id, shop_secret.as_deref()).await;
        let (auth_url, _, _) = shop_app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .url();
        sign_in_through(&server, &portal, auth_url.as_str(), "ada@example.com").await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let redirect = "http://127.0.0.1:47123/callback";
        let query = format!("client_id={native}&redirect_uri={}&response_type=code&scope=openid%20offline_access\
                             &code_challenge={}&code_challenge_method=S256&state=n1",
                            gatehouse_app::links::query_value(redirect), challenge.as_str());
        let page = portal.get(server.url(&format!("/s/main/oauth2/authorize?{query}"))).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "any loopback port, and the customer confirms");
        let page = page.text().await.unwrap();
        let allowed = portal.post(server.url("/s/main/oauth2/consent"))
            .form(&[("csrf", form_field(&page, "csrf")), ("request", form_field(&page, "request")), ("decision", "allow".into())])
            .send().await.unwrap().text().await.unwrap();
        let back = continue_to(&allowed);
        assert!(back.starts_with(redirect), "{back}");
        let (status, tokens) = token_call(&server, &[("grant_type", "authorization_code"), ("code", &param(&back, "code").unwrap()),
            ("redirect_uri", redirect), ("code_verifier", verifier.secret()), ("client_id", &native)], None).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let refresh = tokens["refresh_token"].as_str().unwrap();
        // The app revokes its own refresh token, naming itself.
        let r = http().post(server.url("/s/main/oauth2/revoke"))
            .form(&[("token", refresh), ("client_id", native.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"), ("refresh_token", refresh),
            ("client_id", &native)], None).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
        server.stop().await;
    }

    async fn two_sites_cannot_share_an_issuer(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let (status, body) = server.api(Method::POST, "/api/v1/sites", Some(&admin),
            Some(json!({"key": "shop", "name": "Shop"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        for taken in [issuer(&server), format!("{}/", issuer(&server))] {
            let (status, body) = server.api(Method::PATCH, "/api/v1/sites/shop/settings", Some(&admin),
                Some(json!({"base_url": taken}))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["error"]["field"], json!("base_url"), "{body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("'main'"), "{body}");
        }
        let (_, settings) = server.api(Method::GET, "/api/v1/sites/shop/settings", Some(&admin), None).await;
        assert_eq!(settings["base_url"], json!(null), "nothing changed");
        let (status, body) = server.api(Method::PATCH, "/api/v1/sites/shop/settings", Some(&admin),
            Some(json!({"base_url": "https://shop.example.com"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        server.stop().await;
    }

    async fn refused_secrets_and_tokens_are_limited_per_address_and_successes_are_not(db: TestDb) {
        use gatehouse_web::ratelimit::{Budget, RateLimits};
        let small = Budget { burst: 3, per_minute: 1 };
        let limits = RateLimits { per_ip: small, per_account: Budget { burst: 100, per_minute: 100 } };
        let server = TestServer::start_with(&db, limits).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let (id, secret) = register_app(&server, &admin, shop()).await;
        let secret = secret.unwrap();
        for _ in 0..10 {
            let (status, body) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
            assert_eq!(status, StatusCode::OK, "an app's own traffic is not limited: {body}");
        }
        for _ in 0..2 {
            let (status, _) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, "guess"))).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(userinfo_status(&server, "not-a-token").await, StatusCode::UNAUTHORIZED, "a bad token counts too");
        let r = http().post(server.url("/s/main/oauth2/token")).basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "client_credentials")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "spent: nothing is checked, not even the right secret");
        assert!(r.headers().contains_key(reqwest::header::RETRY_AFTER));
        assert_eq!(r.json::<Value>().await.unwrap()["error"], json!("temporarily_unavailable"));
        assert_eq!(userinfo_status(&server, "not-a-token").await, StatusCode::TOO_MANY_REQUESTS);
        server.stop().await;
    }

    async fn tokens_and_userinfo_keep_the_rfcs_finer_points(db: TestDb) {
        let Shop { server, admin, id, secret, app } = with_shop(&db).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("offline_access".into()))
            .set_pkce_challenge(challenge)
            .url();
        let back = sign_in_through(&server, &browser(), auth_url.as_str(), "ada@example.com").await;
        let tokens = app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http()).await.unwrap();
        let access = tokens.access_token().secret().to_string();
        let userinfo = server.url("/s/main/oauth2/userinfo");

        // An access token says what it is (RFC 9068), an ID token does not;
        // the ID token binds the access token (at_hash) and says how the
        // customer signed in (amr).
        assert_eq!(jwt_part(&access, 0)["typ"], json!("at+jwt"));
        let id_token = tokens.id_token().unwrap().to_string();
        assert_eq!(jwt_part(&id_token, 0)["typ"], json!("JWT"));
        // SHA-256, as the token hash is.
        let digest = gatehouse_app::secrets::token_hash(&access);
        use base64::Engine as _;
        let at_hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
        assert_eq!(jwt_part(&id_token, 1)["at_hash"], json!(at_hash));
        assert_eq!(jwt_part(&id_token, 1)["amr"], json!(["pwd"]));

        // Userinfo: the token in a POSTed form (RFC 6750 §2.2), the scheme in
        // any case, and never both ways at once.
        let r = http().post(&userinfo).form(&[("access_token", access.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["email"], json!("ada@example.com"));
        let r = http().get(&userinfo).header("authorization", format!("bearer {access}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "the scheme's name is case-insensitive");
        let r = http().post(&userinfo).bearer_auth(&access).form(&[("access_token", access.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], json!("invalid_request"));

        // The client authenticates one way: Basic and a secret in the form
        // together are refused; a refusal of its credentials names a scheme.
        let refresh = tokens.refresh_token().unwrap().secret().to_string();
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"), ("refresh_token", &refresh),
            ("client_secret", &secret)], Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{body}");
        let r = http().post(server.url("/s/main/oauth2/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &id), ("client_secret", "wrong")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().contains_key(reqwest::header::WWW_AUTHENTICATE), "a 401 names its scheme");

        // A refresh may ask for less than was granted, never more.
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"), ("refresh_token", &refresh),
            ("scope", "openid phone")], Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")), "{body}");
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"), ("refresh_token", &refresh),
            ("scope", "openid profile")], Some((&id, &secret))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["scope"], json!("openid profile"));
        let narrowed = body["access_token"].as_str().unwrap().to_string();
        let claims: Value = http().get(&userinfo).bearer_auth(&narrowed).send().await.unwrap().json().await.unwrap();
        assert!(claims.get("email").is_none() && claims["given_name"] == json!("Ada"), "{claims}");

        // A scope taken from the app stops at its next refresh.
        let (status, _) = server.api(Method::PATCH, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin),
            Some(json!({"scopes": ["openid", "profile", "offline_access"]}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap())], Some((&id, &secret))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let scopes: Vec<&str> = body["scope"].as_str().unwrap().split(' ').collect();
        assert!(!scopes.contains(&"email") && !scopes.contains(&"gatehouse"), "{scopes:?}");
        let id_token = jwt_part(body["id_token"].as_str().unwrap(), 1);
        assert!(id_token.get("email").is_none(), "{id_token}");

        // Only an ID token is a logout hint: an access token ends nothing.
        let portal = browser();
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        sign_in_through(&server, &portal, auth_url.as_str(), "ada@example.com").await;
        let r = portal.get(server.url(&format!("/s/main/oauth2/logout?id_token_hint={narrowed}"))).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let me = portal.get(server.url("/api/v1/sites/main/me")).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK, "the portal session lives on");
        server.stop().await;
    }

    async fn a_portal_sign_out_tells_every_app_the_session_signed_in_and_only_those(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let (shop_url, mut shop_inbox) = logout_receiver().await;
        let (installer_url, mut installer_inbox) = logout_receiver().await;
        let (unused_url, mut unused_inbox) = logout_receiver().await;
        let mut apps = Vec::new();
        for (name, url) in [("Shop", &shop_url), ("Installer app", &installer_url), ("Unused", &unused_url)] {
            let mut body = shop();
            body["name"] = json!(name);
            body["backchannel_logout_uri"] = json!(url);
            let (id, secret) = register_app(&server, &admin, body).await;
            apps.push((id, secret.unwrap()));
        }
        let discovery: Value = http().get(server.url("/s/main/.well-known/openid-configuration"))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(discovery["backchannel_logout_session_supported"], json!(true));

        // One browser signs in once and uses the shop (with offline access)
        // and the installer app (without).
        let portal = browser();
        let mut tokens = Vec::new();
        for (i, offline) in [(0, true), (1, false)] {
            let app = app_client(&server, &apps[i].0, Some(&apps[i].1)).await;
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let mut request = app
                .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .set_pkce_challenge(challenge);
            if offline {
                request = request.add_scope(Scope::new("offline_access".into()));
            }
            let (auth_url, _, _) = request.url();
            let back = if i == 0 {
                sign_in_through(&server, &portal, auth_url.as_str(), "ada@example.com").await
            } else {
                let answer = portal.get(auth_url.as_str()).send().await.unwrap();
                assert_eq!(answer.status(), StatusCode::SEE_OTHER, "signed in already: straight back");
                location(&answer)
            };
            tokens.push(app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
                .set_pkce_verifier(verifier).request_async(&http()).await.unwrap());
        }
        let sid_of = |t: &openidconnect::core::CoreTokenResponse| {
            jwt_part(&t.id_token().unwrap().to_string(), 1)["sid"].as_str().unwrap().to_string()
        };
        let sid = sid_of(&tokens[0]);
        assert_eq!(sid_of(&tokens[1]), sid, "one portal session, one sid for every app it signed in");
        assert!(uuid::Uuid::parse_str(&sid).is_err(), "the sid names the session, not a grant");

        // A plain sign-out on the portal.
        let out = portal.delete(server.url("/api/v1/sites/main/sessions/current")).send().await.unwrap();
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        for (name, inbox, id) in [("shop", &mut shop_inbox, &apps[0].0), ("installer app", &mut installer_inbox, &apps[1].0)] {
            let token = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv())
                .await
                .unwrap_or_else(|_| panic!("{name}: no back-channel logout within 10 s"))
                .unwrap();
            let claims = verified_logout_token(&server, "main", &token).await;
            assert_eq!(claims["sid"], json!(sid), "{name}");
            assert_eq!(claims["sub"], json!(account.to_string()), "{name}");
            assert_eq!(claims["aud"], json!(id), "{name}");
        }
        // The installer app's sign-in ended; the shop keeps what it holds for
        // offline use.
        assert_eq!(userinfo_status(&server, tokens[1].access_token().secret()).await, StatusCode::UNAUTHORIZED);
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"),
            ("refresh_token", tokens[0].refresh_token().unwrap().secret())], Some((&apps[0].0, &apps[0].1))).await;
        assert_eq!(status, StatusCode::OK, "an offline grant outlives a plain sign-out: {body}");

        // A block ends the shop's offline grant too, and tells it once more.
        let (status, _) = server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin),
            Some(json!({"action": "block", "ids": [account]}))).await;
        assert_eq!(status, StatusCode::OK);
        let token = tokio::time::timeout(std::time::Duration::from_secs(10), shop_inbox.recv())
            .await.expect("the block reaches the shop").unwrap();
        assert_eq!(verified_logout_token(&server, "main", &token).await["sid"], json!(sid));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(installer_inbox.try_recv().is_err(), "the installer app's grant had ended: told once");

        // Logging out from one app (RP-initiated) ends the portal session,
        // and the other app of that session is told.
        let (status, _) = server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin),
            Some(json!({"action": "unblock", "ids": [account]}))).await;
        assert_eq!(status, StatusCode::OK);
        let portal = browser();
        let mut id_tokens = Vec::new();
        for (i, (id, secret)) in apps.iter().take(2).enumerate() {
            let app = app_client(&server, id, Some(secret)).await;
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (auth_url, _, _) = app
                .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .set_pkce_challenge(challenge)
                .url();
            let back = if i == 0 {
                sign_in_through(&server, &portal, auth_url.as_str(), "ada@example.com").await
            } else {
                location(&portal.get(auth_url.as_str()).send().await.unwrap())
            };
            let t = app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
                .set_pkce_verifier(verifier).request_async(&http()).await.unwrap();
            id_tokens.push(t.id_token().unwrap().to_string());
        }
        let second_sid = jwt_part(&id_tokens[0], 1)["sid"].as_str().unwrap().to_string();
        assert_ne!(second_sid, sid, "a new portal session, a new sid");
        let logout = portal.get(server.url(&format!("/s/main/oauth2/logout?id_token_hint={}", id_tokens[1])))
            .send().await.unwrap();
        assert!(logout.status().is_success() || logout.status().is_redirection(), "{}", logout.status());
        let token = tokio::time::timeout(std::time::Duration::from_secs(10), shop_inbox.recv())
            .await.expect("the logout from the installer app reaches the shop").unwrap();
        assert_eq!(verified_logout_token(&server, "main", &token).await["sid"], json!(second_sid));
        assert!(unused_inbox.try_recv().is_err(), "an app the session never used is not told");
        server.stop().await;
    }

    async fn a_backchannel_logout_the_app_could_not_take_is_retried_until_it_can(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        // An address nobody listens on yet.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let mut body = shop();
        body["backchannel_logout_uri"] = json!(format!("http://{addr}/backchannel"));
        let (id, secret) = register_app(&server, &admin, body).await;
        let app = app_client(&server, &id, secret.as_deref()).await;
        offline_tokens(&server, &app).await;
        let (status, _) = server.api(Method::DELETE, &format!("/api/v1/accounts/{account}/sessions"), Some(&admin), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // The first try fails; the outbox shows why and keeps the notice
        // (a claim counts as a try before its outcome is written).
        let failed = loop {
            let (_, items) = server.api(Method::GET, "/api/v1/outbox", Some(&admin), None).await;
            let notice = items["items"].as_array().unwrap().iter()
                .find(|m| m["template_key"] == "oidc_backchannel_logout").cloned();
            if let Some(n) = notice.filter(|n| n["last_error"].is_string()) {
                break n;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert_eq!(failed["status"], "pending", "{failed}");
        assert!(failed["last_error"].as_str().unwrap().contains("did not answer"), "{failed}");
        // The app comes up; staff send it again, and it arrives.
        let (_, mut inbox) = logout_receiver_at(addr).await;
        let (status, _) = server.api(Method::POST, &format!("/api/v1/outbox/{}/retry", failed["id"].as_str().unwrap()), Some(&admin), None).await;
        assert!(status.is_success(), "{status}");
        let token = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv()).await.unwrap().unwrap();
        let claims = verified_logout_token(&server, "main", &token).await;
        assert_eq!(claims["jti"], failed["id"], "the same notice, told by its jti");
        server.stop().await;
    }
}

/// The fewest transactions `op` opened in three tries (a background job
/// may open one meanwhile; it never takes one away).
async fn fewest_transactions<F, Fut>(server: &TestServer, mut op: F) -> u64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = server.app.store.transactions();
        op().await;
        fewest = fewest.min(server.app.store.transactions() - before);
    }
    fewest
}

both_engines! {
    async fn what_a_request_costs_in_transactions_does_not_grow(db: TestDb) {
        let Shop { server, id, secret, app, .. } = with_shop(&db).await;

        // The portal's sign-in form posted, and `GET /me` on the session it
        // made (one this node has not seen yet).
        let (mut sign_in, mut me) = (u64::MAX, u64::MAX);
        for _ in 0..3 {
            let b = browser();
            let page = b.get(server.url("/s/main/login")).send().await.unwrap().text().await.unwrap();
            let before = server.app.store.transactions();
            let r = b.post(server.url("/s/main/login"))
                .form(&[("csrf", form_field(&page, "csrf").as_str()), ("login_id", "ada@example.com"), ("password", PASSWORD)])
                .send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            sign_in = sign_in.min(server.app.store.transactions() - before);
            let before = server.app.store.transactions();
            let r = b.get(server.url("/api/v1/sites/main/me")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            me = me.min(server.app.store.transactions() - before);
        }
        // A refresh-token grant, and userinfo with the access token it gave.
        let tokens = offline_tokens(&server, &app).await;
        let mut refresh = tokens.refresh_token().unwrap().secret().to_string();
        let (mut refresh_cost, mut userinfo_cost) = (u64::MAX, u64::MAX);
        for _ in 0..3 {
            let before = server.app.store.transactions();
            let (status, body) = token_call(&server, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)], Some((&id, &secret))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            refresh_cost = refresh_cost.min(server.app.store.transactions() - before);
            refresh = body["refresh_token"].as_str().unwrap().to_string();
            let access = body["access_token"].as_str().unwrap().to_string();
            let before = server.app.store.transactions();
            assert_eq!(userinfo_status(&server, &access).await, StatusCode::OK);
            userinfo_cost = userinfo_cost.min(server.app.store.transactions() - before);
        }
        let machine = fewest_transactions(&server, || async {
            let (status, body) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }).await;

        let measured = [("sign-in post", sign_in), ("GET /me, first", me), ("refresh grant", refresh_cost),
                        ("userinfo, new token", userinfo_cost), ("client_credentials grant", machine)];
        println!("transactions per request: {measured:?}");
        // The site and the app travel as values resolved once (recent copies
        // while no site or app changed): a sign-in reads the account and
        // writes the session, the others read or write once. A change that
        // adds a transaction to these paths fails here.
        let ceilings = [2, 1, 1, 1, 1];
        for ((what, cost), ceiling) in measured.iter().zip(ceilings) {
            assert!(*cost <= ceiling, "{what}: {cost} transactions, more than {ceiling}");
        }
        server.stop().await;
    }
}

both_engines! {
    async fn machine_access_and_apis_are_chosen_per_app(db: TestDb) {
        let Shop { server, admin, .. } = with_shop(&db).await;
        // Registered without choosing: a customer's sign-in and its
        // refresh, no tokens without a customer.
        let (id, secret) = register_app(&server, &admin, json!({"name": "Reports", "type": "confidential",
            "first_party": true, "redirect_uris": [REDIRECT]})).await;
        let secret = secret.unwrap();
        let (_, view) = server.api(Method::GET, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin), None).await;
        assert_eq!(view["grant_types"], json!(["authorization_code", "refresh_token"]));
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")), "{body}");

        // A public app cannot be given machine access; nothing changes.
        let (status, body) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
            "name": "Phone", "type": "public", "redirect_uris": ["com.example.phone:/cb"],
            "grant_types": ["authorization_code", "client_credentials"]}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "grant_types");

        // Chosen, with an API it may ask tokens for.
        let api = "https://api.example.com/";
        let (status, body) = server.api(Method::PATCH, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin),
            Some(json!({"grant_types": ["client_credentials"], "resources": [api, "http://api.example.com/"]}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "plain http to another machine: {body}");
        let (status, body) = server.api(Method::PATCH, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin),
            Some(json!({"grant_types": ["client_credentials"], "resources": [api]}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(jwt_part(body["access_token"].as_str().unwrap(), 1)["aud"], id.as_str(), "for the app itself");
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials"), ("resource", api)], Some((&id, &secret))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let for_api = body["access_token"].as_str().unwrap().to_string();
        assert_eq!(jwt_part(&for_api, 1)["aud"], api, "RFC 8707: the API is the audience");
        let (status, body) = token_call(&server, &[("grant_type", "client_credentials"), ("resource", "https://other.example.com/")],
            Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_target")), "{body}");
        // The customer's sign-in is now off for it.
        let (status, body) = token_call(&server, &[("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", REDIRECT)],
            Some((&id, &secret))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")));

        // A customer's token asked for the API is for the API: userinfo
        // (the provider's own resource) refuses it.
        let (status, _) = server.api(Method::PATCH, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin),
            Some(json!({"grant_types": ["authorization_code", "refresh_token"], "scopes": ["openid", "offline_access"]}))).await;
        assert_eq!(status, StatusCode::OK);
        let app = app_client(&server, &id, Some(&secret)).await;
        let tokens = offline_tokens(&server, &app).await;
        let refresh = tokens.refresh_token().unwrap().secret().to_string();
        assert_eq!(userinfo_status(&server, tokens.access_token().secret()).await, StatusCode::OK);
        let (status, body) = token_call(&server, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("resource", api)],
            Some((&id, &secret))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let access = body["access_token"].as_str().unwrap();
        assert_eq!(jwt_part(access, 1)["aud"], api);
        assert_eq!(jwt_part(body["id_token"].as_str().unwrap(), 1)["aud"], id.as_str(), "the ID token stays the app's");
        assert_eq!(userinfo_status(&server, access).await, StatusCode::UNAUTHORIZED);
        server.stop().await;
    }
}

/// Posts the portal's sign-in form found at `to_login` (where an app's
/// request sent the browser) with this password; answers the answer.
async fn post_sign_in(
    server: &TestServer,
    portal: &reqwest::Client,
    to_login: &str,
    login_id: &str,
    password: &str,
) -> reqwest::Response {
    let page = portal
        .get(server.url(to_login))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form = gatehouse_testkit::hidden_fields(&page, "/s/main/login");
    form.push(("login_id".into(), login_id.into()));
    form.push(("password".into(), password.into()));
    portal
        .post(server.url("/s/main/login"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

both_engines! {
    async fn asking_for_the_password_again_keeps_the_other_apps_signed_in(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        server.active_account("ada@example.com", PASSWORD).await;
        server.active_account("bob@example.com", PASSWORD).await;
        let (shop_url, mut shop_inbox) = logout_receiver().await;
        let (installer_url, mut installer_inbox) = logout_receiver().await;
        let mut apps = Vec::new();
        for (name, url) in [("Shop", &shop_url), ("Installer app", &installer_url)] {
            let mut body = shop();
            body["name"] = json!(name);
            body["backchannel_logout_uri"] = json!(url);
            let (id, secret) = register_app(&server, &admin, body).await;
            apps.push((id, secret.unwrap()));
        }
        let authorize = |i: usize, extra: &str| server.url(&format!(
            "/s/main/oauth2/authorize?client_id={}&redirect_uri={REDIRECT}&response_type=code&scope=openid&state=s{extra}", apps[i].0));
        let redeem = |i: usize, back: String| {
            let (id, secret) = apps[i].clone();
            let server = &server;
            async move {
                let (status, body) = token_call(server, &[("grant_type", "authorization_code"),
                    ("code", &param(&back, "code").expect("a code")), ("redirect_uri", REDIRECT)], Some((&id, &secret))).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                body
            }
        };
        let claims = |tokens: &Value| jwt_part(tokens["id_token"].as_str().unwrap(), 1);
        let quiet = |inbox: &mut tokio::sync::mpsc::UnboundedReceiver<String>| inbox.try_recv().is_err();

        // Signed in once, to both apps.
        let portal = browser();
        let shop_tokens = redeem(0, sign_in_through(&server, &portal, &authorize(0, ""), "ada@example.com").await).await;
        let installer_tokens = redeem(1, location(&portal.get(authorize(1, "")).send().await.unwrap())).await;
        let sid = claims(&shop_tokens)["sid"].clone();
        assert_eq!(claims(&installer_tokens)["sid"], sid);
        let installer_access = installer_tokens["access_token"].as_str().unwrap().to_string();

        // The shop asks for the password again; a wrong one changes nothing.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let asked = portal.get(authorize(0, "&prompt=login")).send().await.unwrap();
        let to_login = location(&asked);
        assert!(to_login.starts_with("/s/main/login"), "{to_login}");
        let wrong = post_sign_in(&server, &portal, &to_login, "ada@example.com", "not the password").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(quiet(&mut shop_inbox) && quiet(&mut installer_inbox), "a wrong password signs nobody out");
        assert_eq!(userinfo_status(&server, &installer_access).await, StatusCode::OK);
        let silent = portal.get(authorize(1, "&prompt=none")).send().await.unwrap();
        assert!(param(&location(&silent), "code").is_some(), "still signed in to the portal");

        // The right one: a fresh sign-in for the shop, the same single
        // sign-on session, and the installer app is not signed out.
        let right = sign_in_and_continue(&server, &portal, &to_login, "ada@example.com", PASSWORD).await;
        let again = redeem(0, right).await;
        assert_eq!(claims(&again)["sid"], sid, "the same sid: the apps' sessions go on");
        assert!(claims(&again)["auth_time"].as_i64() > claims(&shop_tokens)["auth_time"].as_i64());
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(quiet(&mut shop_inbox) && quiet(&mut installer_inbox), "nobody was signed out");
        assert_eq!(userinfo_status(&server, &installer_access).await, StatusCode::OK);

        // Someone else signing in on this browser ends the session: both
        // apps are told, and the installer app's sign-in ends.
        let asked = portal.get(authorize(0, "&prompt=login")).send().await.unwrap();
        let bob = sign_in_and_continue(&server, &portal, &location(&asked), "bob@example.com", PASSWORD).await;
        let bobs = redeem(0, bob).await;
        assert_ne!(claims(&bobs)["sid"], sid);
        for (name, inbox) in [("shop", &mut shop_inbox), ("installer app", &mut installer_inbox)] {
            let token = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv()).await
                .unwrap_or_else(|_| panic!("{name}: no logout token")).unwrap();
            assert_eq!(verified_logout_token(&server, "main", &token).await["sid"], sid, "{name}");
        }
        assert_eq!(userinfo_status(&server, &installer_access).await, StatusCode::UNAUTHORIZED);
        server.stop().await;
    }
}

both_engines! {
    async fn an_id_token_says_the_customer_signed_in_with_two_steps(db: TestDb) {
        let Shop { server, app, .. } = with_shop(&db).await;
        // Ada's authenticator app is on (its secret known to the test).
        let secret = gatehouse_app::totp::new_secret();
        let mut tx = server.app.store.begin().await.unwrap();
        let main = tx.site_by_key("main").await.unwrap().unwrap();
        let ada = tx.account_by_login_id(main.id, "ada@example.com").await.unwrap().unwrap();
        tx.turn_on_totp(ada.id, &secret, time::OffsetDateTime::now_utc()).await.unwrap();
        tx.commit().await.unwrap();

        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let customer = browser();
        let to_login = location(&customer.get(auth_url.as_str()).send().await.unwrap());
        let login = customer.get(server.url(&to_login)).send().await.unwrap().text().await.unwrap();
        let next = form_field(&login, "next");
        let half = customer.post(server.url("/s/main/login"))
            .form(&[("csrf", form_field(&login, "csrf").as_str()), ("login_id", "ada@example.com"), ("password", PASSWORD), ("next", next.as_str())])
            .send().await.unwrap();
        assert_eq!(half.status(), StatusCode::SEE_OTHER);
        let to_step = location(&half);
        assert!(to_step.starts_with("/s/main/login/second-step?next="), "the app's request goes on: {to_step}");
        let step = customer.get(server.url(&to_step)).send().await.unwrap().text().await.unwrap();
        assert_eq!(form_field(&step, "next"), next);
        let unix = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        let code = gatehouse_app::totp::code_at(&secret, unix).unwrap();
        let done = customer.post(server.url("/s/main/login/second-step"))
            .form(&[("csrf", form_field(&step, "csrf").as_str()), ("code", code.as_str()), ("next", next.as_str())])
            .send().await.unwrap();
        assert_eq!(done.status(), StatusCode::OK, "a page that continues to the app");
        let back = location(&customer.get(server.url(&next)).send().await.unwrap());
        let tokens = app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http()).await.unwrap();
        let claims = tokens.id_token().unwrap().claims(&app.id_token_verifier(), &nonce).expect("the ID token verifies");
        let amr: Vec<&str> = claims.auth_method_refs().unwrap().iter().map(|m| m.as_str()).collect();
        assert_eq!(amr, ["pwd", "otp", "mfa"]);
        assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("2"));
        server.stop().await;
    }
}

both_engines! {
    async fn an_app_that_asks_for_two_steps_gets_them_before_its_code(db: TestDb) {
        let Shop { server, app, .. } = with_shop(&db).await;
        let customer = browser();
        // Signed in with the password alone, for the shop.
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .url();
        sign_in_through(&server, &customer, auth_url.as_str(), "ada@example.com").await;

        // Without a page, the answer is that a page is needed.
        let (quiet, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_extra_param("acr_values", "2")
            .add_prompt(openidconnect::core::CoreAuthPrompt::None)
            .url();
        let back = location(&customer.get(quiet.as_str()).send().await.unwrap());
        assert_eq!(param(&back, "error").as_deref(), Some("interaction_required"), "{back}");

        // With one, Ada (who has no second step yet) sets one up, then the
        // app gets its code, and the ID token says two steps.
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (asking, _, nonce) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_extra_param("acr_values", "2")
            .set_pkce_challenge(challenge)
            .url();
        let to_step = location(&customer.get(asking.as_str()).send().await.unwrap());
        assert!(to_step.starts_with("/s/main/login/second-step?next="), "{to_step}");
        let step = customer.get(server.url(&to_step)).send().await.unwrap().text().await.unwrap();
        let marker = "<code class=\"secret\">";
        let secret = step.split(marker).nth(1).unwrap().split('<').next().unwrap().to_string();
        let next = form_field(&step, "next");
        let unix = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        let code = gatehouse_app::totp::code_at(&secret, unix).unwrap();
        let done = customer.post(server.url("/s/main/login/second-step"))
            .form(&[("csrf", form_field(&step, "csrf").as_str()), ("code", code.as_str()), ("next", next.as_str())])
            .send().await.unwrap();
        assert_eq!(done.status(), StatusCode::OK, "the recovery codes, then on to the app");
        let onward = continue_to(&done.text().await.unwrap());
        let back = location(&customer.get(server.url(&onward)).send().await.unwrap());
        let tokens = app.exchange_code(AuthorizationCode::new(param(&back, "code").unwrap())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http()).await.unwrap();
        let claims = tokens.id_token().unwrap().claims(&app.id_token_verifier(), &nonce).expect("the ID token verifies");
        assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("2"));
        let amr: Vec<&str> = claims.auth_method_refs().unwrap().iter().map(|m| m.as_str()).collect();
        assert_eq!(amr, ["pwd", "otp", "mfa"]);
        server.stop().await;
    }
}

both_engines! {
    async fn an_app_registered_as_needing_two_steps_gets_them_whatever_it_asks(db: TestDb) {
        let Shop { server, admin, .. } = with_shop(&db).await;
        let mut vault = shop();
        vault["name"] = json!("Vault");
        vault["require_two_steps"] = json!(true);
        let (id, secret) = register_app(&server, &admin, vault).await;
        let (status, shown) = server.api(Method::GET, &format!("/api/v1/sites/main/clients/{id}"), Some(&admin), None).await;
        assert_eq!((status, shown["require_two_steps"].as_bool()), (StatusCode::OK, Some(true)));
        let app = app_client(&server, &id, secret.as_deref()).await;
        let (auth_url, _, _) = app
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .url();
        // The password alone is not enough for this app: on to the second
        // step (set up, as Ada has none), not back to the app.
        let customer = browser();
        let to_login = location(&customer.get(auth_url.as_str()).send().await.unwrap());
        let login = customer.get(server.url(&to_login)).send().await.unwrap().text().await.unwrap();
        let next = form_field(&login, "next");
        let signed = customer.post(server.url("/s/main/login"))
            .form(&[("csrf", form_field(&login, "csrf").as_str()), ("login_id", "ada@example.com"), ("password", PASSWORD), ("next", next.as_str())])
            .send().await.unwrap();
        assert_eq!(signed.status(), StatusCode::OK, "a page that continues to the app's request");
        let onward = customer.get(server.url(&next)).send().await.unwrap();
        let to_step = location(&onward);
        assert!(to_step.starts_with("/s/main/login/second-step?next="), "{to_step}");
        server.stop().await;
    }
}
