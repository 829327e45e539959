//! The OpenID Foundation's conformance plans for an OpenID provider,
//! reproduced here: the suite itself (a Java service with MongoDB, reached
//! over the network) cannot run on these machines. One test per module of
//! the Basic OP plan (`oidcc-basic-certification-test-plan`), the Config OP
//! plan, the RP-Initiated Logout OP plan and the Back-Channel Logout OP
//! plan, named after the module (`oidcc-codereuse-30seconds` is
//! `oidcc_codereuse_30seconds`), each on both engines against a real server
//! over a socket. The app is a static client registered the way an admin
//! does; the customer's browser is an HTTP client with cookies that signs in
//! and answers the consent page on the portal's own pages, where the suite
//! has a person upload screenshots.
//!
//! Every module's flow goes through [`Op::flow`], which makes the checks the
//! suite makes on every happy flow (the callback's `state` and `iss`, the
//! token response, the ID token's signature, `kid`, `iss`, `aud`, `exp`,
//! `iat`, `nonce`, `sub`, `auth_time` and `at_hash`); each test adds what its
//! module checks.
//!
//! Left out, and why:
//! - HTTPS (`CheckDiscEndpointAllEndpointsAreHttps`): the tests speak plain
//!   HTTP on loopback; a deployment puts TLS in front (docs/deploy.md).
//!   `oidcc_discovery_endpoint_verification` checks instead that every
//!   endpoint lies under the issuer, which is what the site's address
//!   decides.
//! - Dynamic registration: `oidcc-idtoken-signature` and
//!   `oidcc-idtoken-unsigned` are "not applicable" to static clients in the
//!   suite; here they check what an admin's registration gives instead (the
//!   algorithm chosen, and `none` refused).
//! - `oidcc-scope-address`, `oidcc-scope-phone` and `oidcc-scope-all`: the
//!   suite skips them when `scopes_supported` leaves the scope out, as it
//!   does here (a portal holds no postal address or phone claim); the tests
//!   check that skip condition and that asking for the scope is refused in
//!   the RFC's words.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::StaffRole;
use gatehouse_testkit::relying_party::{
    http, logout_receiver, register_app, verified_logout_token,
};
use gatehouse_testkit::{
    TestDb, TestServer, both_engines, browser, continue_to, hidden_fields, jwt_part,
};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{AccessToken, AccessTokenHash, ClientId, ClientSecret, IssuerUrl, Nonce};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const CUSTOMER: &str = "ada@example.com";
const REDIRECT: &str = "http://127.0.0.1:9/callback";
const AFTER_LOGOUT: &str = "http://127.0.0.1:9/logged-out";

/// A provider with a customer and one static client, as the suite is
/// configured: a third-party confidential app (so the consent page shows),
/// `client_secret_basic` unless a test says otherwise.
struct Op {
    server: TestServer,
    admin: String,
    id: String,
    secret: String,
}

/// Where a browser's visit to the authorization endpoint ended.
#[derive(Debug)]
enum End {
    /// Sent back to the app: the callback address with its query.
    Back(String),
    /// Left on a page of the provider.
    Page(StatusCode, String),
}

/// A visit: where it ended, and what the customer was asked on the way.
struct Visit {
    end: End,
    sign_ins: usize,
    consents: usize,
    /// The pages shown on the way (the sign-in and consent pages).
    pages: Vec<String>,
}

impl Visit {
    fn back(&self) -> &str {
        match &self.end {
            End::Back(to) => to,
            End::Page(status, html) => panic!("left on a page ({status}): {html}"),
        }
    }
}

/// A happy flow's result: the callback, the token response and the ID
/// token's claims, all checked.
struct Flow {
    visit: Visit,
    tokens: Value,
    id_token: String,
    claims: Value,
}

fn app_body(extra: Value) -> Value {
    let mut body = json!({
        "name": "Conformance suite", "type": "confidential", "first_party": false,
        "redirect_uris": [REDIRECT], "post_logout_redirect_uris": [AFTER_LOGOUT],
        "scopes": ["openid", "profile", "email", "offline_access"],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn location(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get(reqwest::header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
}

/// A JWT with the same claims as `token`, re-headed and re-signed as given
/// (a tampered or foreign token).
fn reforged(token: &str, header: Value, signature: &str) -> String {
    use base64::Engine as _;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.{signature}", b64(&header), b64(&jwt_part(token, 1)))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Op {
    async fn start(db: &TestDb) -> Op {
        Op::start_with(db, json!({})).await
    }

    async fn start_with(db: &TestDb, extra: Value) -> Op {
        let server = TestServer::start(db).await;
        let admin = server
            .staff_token("admin@example.com", StaffRole::Admin, &[])
            .await;
        server
            .active_account_named(CUSTOMER, PASSWORD, "Ada", "Lovelace")
            .await;
        let (id, secret) = register_app(&server, &admin, app_body(extra)).await;
        Op {
            server,
            admin,
            id,
            secret: secret.expect("a confidential app"),
        }
    }

    fn issuer(&self) -> String {
        self.server.url("/s/main")
    }

    async fn discovery(&self) -> (reqwest::header::HeaderMap, Value) {
        let r = http()
            .get(self.server.url("/s/main/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let headers = r.headers().clone();
        (headers, r.json().await.unwrap())
    }

    async fn jwks(&self) -> Value {
        http()
            .get(self.server.url("/s/main/oauth2/jwks"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The authorization request's query: `params` over the defaults (code,
    /// `openid`, this app and its redirect); a value of `""` leaves a
    /// parameter out.
    fn query(&self, params: &[(&str, &str)]) -> String {
        let mut all: Vec<(&str, &str)> = vec![
            ("client_id", &self.id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "xyz-state"),
            ("nonce", "n-0S6_WzA2Mj"),
        ];
        for (k, v) in params {
            all.retain(|(name, _)| name != k);
            all.push((k, v));
        }
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in all.into_iter().filter(|(_, v)| !v.is_empty()) {
            q.append_pair(k, v);
        }
        q.finish()
    }

    fn auth_url(&self, params: &[(&str, &str)]) -> String {
        format!("/s/main/oauth2/authorize?{}", self.query(params))
    }

    /// Takes the browser from `url` (relative to the server or absolute)
    /// through the sign-in and consent pages until it is sent back to the
    /// app or left on another page.
    async fn visit(&self, browser: &reqwest::Client, url: &str) -> Visit {
        let first = browser.get(self.absolute(url)).send().await.unwrap();
        self.follow(browser, first).await
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            self.server.url(url)
        } else {
            url.to_string()
        }
    }

    async fn follow(&self, browser: &reqwest::Client, mut r: reqwest::Response) -> Visit {
        let (mut sign_ins, mut consents, mut pages) = (0, 0, Vec::new());
        for _ in 0..12 {
            let status = r.status();
            if status.is_redirection() {
                let to = location(&r).expect("a redirect says where");
                if to.starts_with("http://127.0.0.1:9/") {
                    return Visit {
                        end: End::Back(to),
                        sign_ins,
                        consents,
                        pages,
                    };
                }
                r = browser.get(self.absolute(&to)).send().await.unwrap();
                continue;
            }
            let html = r.text().await.unwrap();
            let post = if html.contains("action=\"/s/main/login\"")
                && html.contains("name=\"password\"")
            {
                sign_ins += 1;
                let mut form = hidden_fields(&html, "/s/main/login");
                form.push(("login_id".into(), CUSTOMER.into()));
                form.push(("password".into(), PASSWORD.into()));
                Some(("/s/main/login", form))
            } else if html.contains("action=\"/s/main/oauth2/consent\"") {
                consents += 1;
                let mut form = hidden_fields(&html, "/s/main/oauth2/consent");
                form.push(("decision".into(), "allow".into()));
                Some(("/s/main/oauth2/consent", form))
            } else if status == StatusCode::OK && html.contains("class=\"button\" href=\"") {
                // A page that continues on (after a form post).
                let to = continue_to(&html);
                if to.starts_with("http://127.0.0.1:9/") {
                    return Visit {
                        end: End::Back(to),
                        sign_ins,
                        consents,
                        pages,
                    };
                }
                r = browser.get(self.absolute(&to)).send().await.unwrap();
                continue;
            } else {
                None
            };
            let Some((action, form)) = post else {
                return Visit {
                    end: End::Page(status, html),
                    sign_ins,
                    consents,
                    pages,
                };
            };
            pages.push(html);
            r = browser
                .post(self.server.url(action))
                .form(&form)
                .send()
                .await
                .unwrap();
        }
        panic!("the visit did not end");
    }

    /// The callback's checks on every authorization response: the state
    /// sent comes back, and `iss` names this issuer (RFC 9207).
    fn check_callback(&self, back: &str, state: Option<&str>) {
        assert!(back.starts_with(REDIRECT), "{back}");
        assert_eq!(param(back, "state").as_deref(), state, "state: {back}");
        assert_eq!(param(back, "iss"), Some(self.issuer()), "iss: {back}");
    }

    /// The token endpoint, with the app's credentials by Basic (`basic`) or
    /// in the form.
    async fn token(
        &self,
        form: &[(&str, &str)],
        basic: bool,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        let mut request = http().post(self.server.url("/s/main/oauth2/token"));
        if basic {
            request = request.basic_auth(&self.id, Some(&self.secret));
        } else {
            form.push(("client_id", &self.id));
            form.push(("client_secret", &self.secret));
        }
        let r = request.form(&form).send().await.unwrap();
        let (status, headers) = (r.status(), r.headers().clone());
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }

    /// A code's exchange, with every check the suite makes on a token
    /// response.
    async fn exchange(&self, code: &str, extra: &[(&str, &str)], basic: bool) -> Value {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ];
        form.extend_from_slice(extra);
        let (status, headers, tokens) = self.token(&form, basic).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert!(
            headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("no-store")
        );
        assert!(
            tokens["token_type"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("bearer"),
            "{tokens}"
        );
        assert!(!tokens["access_token"].as_str().unwrap().is_empty());
        assert!(tokens["expires_in"].as_i64().unwrap() > 0);
        tokens
    }

    /// An ID token checked as a relying-party library and the suite check
    /// it; answers its claims.
    async fn checked_id_token(
        &self,
        raw: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
    ) -> Value {
        let jwks: CoreJsonWebKeySet = serde_json::from_value(self.jwks().await).unwrap();
        let verifier = CoreIdTokenVerifier::new_confidential_client(
            ClientId::new(self.id.clone()),
            ClientSecret::new(self.secret.clone()),
            IssuerUrl::new(self.issuer()).unwrap(),
            jwks,
        )
        .set_allowed_algs(vec![
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        ]);
        let token: CoreIdToken = raw.parse().expect("an ID token");
        token
            .claims(&verifier, |got: Option<&Nonce>| {
                let got = got.map(|n| n.secret().as_str());
                if got == nonce {
                    Ok(())
                } else {
                    Err(format!("nonce {got:?}, sent {nonce:?}"))
                }
            })
            .expect("the ID token verifies (signature, iss, aud, exp, nonce)");
        if let Some(access) = access_token {
            let expected = AccessTokenHash::from_token(
                &AccessToken::new(access.to_string()),
                token.signing_alg().unwrap(),
                token.signing_key(&verifier).unwrap(),
            )
            .unwrap();
            let claims = jwt_part(raw, 1);
            assert_eq!(
                claims["at_hash"].as_str(),
                Some(expected.as_ref()),
                "at_hash"
            );
        }
        // The header's kid is one the JWKS publishes (CheckForKeyIdInServerJWKs).
        let kid = jwt_part(raw, 0)["kid"].as_str().expect("a kid").to_string();
        assert!(
            self.jwks().await["keys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kid"] == kid.as_str())
        );
        let claims = jwt_part(raw, 1);
        assert_eq!(claims["iss"], self.issuer().as_str());
        let aud = match &claims["aud"] {
            Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        assert!(aud.contains(&json!(self.id)));
        if aud.len() > 1 {
            assert_eq!(claims["azp"], self.id.as_str());
        }
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert!(iat <= now() + 5 && iat > now() - 300, "iat {iat}");
        assert!(exp > now(), "exp {exp}");
        let sub = claims["sub"].as_str().unwrap();
        assert!(!sub.is_empty() && sub.len() <= 255 && sub.is_ascii());
        if let Some(auth_time) = claims.get("auth_time") {
            assert!(auth_time.as_i64().unwrap() <= now() + 5);
        }
        if nonce.is_none() {
            assert!(claims.get("nonce").is_none());
        }
        claims
    }

    /// The happy flow the suite runs in almost every module: the browser
    /// goes to the authorization endpoint with `params`, comes back with a
    /// code, and the app exchanges it (`client_secret_basic`).
    async fn flow(&self, browser: &reqwest::Client, params: &[(&str, &str)]) -> Flow {
        let visit = self.visit(browser, &self.auth_url(params)).await;
        self.finish(visit, params, true).await
    }

    async fn finish(&self, visit: Visit, params: &[(&str, &str)], basic: bool) -> Flow {
        let given = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let state = given("state").unwrap_or("xyz-state");
        let nonce = given("nonce").unwrap_or("n-0S6_WzA2Mj");
        let back = visit.back().to_string();
        self.check_callback(&back, (!state.is_empty()).then_some(state));
        assert_eq!(param(&back, "error"), None, "{back}");
        let code = param(&back, "code").expect("a code");
        let verifier: Vec<(&str, &str)> = given("code_verifier")
            .map(|v| vec![("code_verifier", v)])
            .unwrap_or_default();
        let tokens = self.exchange(&code, &verifier, basic).await;
        let id_token = tokens["id_token"]
            .as_str()
            .expect("an ID token")
            .to_string();
        let access = tokens["access_token"].as_str().unwrap();
        let claims = self
            .checked_id_token(
                &id_token,
                (!nonce.is_empty()).then_some(nonce),
                Some(access),
            )
            .await;
        Flow {
            visit,
            tokens,
            id_token,
            claims,
        }
    }

    async fn userinfo(&self, how: &str, access: &str) -> (StatusCode, Value) {
        let url = self.server.url("/s/main/oauth2/userinfo");
        let r = match how {
            "get" => http().get(url).bearer_auth(access),
            "post-header" => http().post(url).bearer_auth(access),
            _ => http().post(url).form(&[("access_token", access)]),
        }
        .send()
        .await
        .unwrap();
        let status = r.status();
        if status == StatusCode::OK {
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json")
            );
        }
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Two happy flows in one browser, `pause` apart (the suite's
    /// "authorization endpoint twice" modules).
    async fn twice(
        &self,
        first: &[(&str, &str)],
        pause: std::time::Duration,
        second: &[(&str, &str)],
    ) -> (Flow, Flow) {
        let b = browser();
        let one = self.flow(&b, first).await;
        tokio::time::sleep(pause).await;
        let two = self.flow(&b, second).await;
        assert_eq!(two.claims["sub"], one.claims["sub"], "the same customer");
        (one, two)
    }

    /// Userinfo as the suite checks it after a flow: 200, JSON, the ID
    /// token's `sub`; by GET with the Bearer header.
    async fn checked_userinfo(&self, flow: &Flow) -> Value {
        self.checked_userinfo_by(flow, "get").await
    }

    /// [`Op::checked_userinfo`], the token sent `how` (`get`,
    /// `post-header` or `post-body`).
    async fn checked_userinfo_by(&self, flow: &Flow, how: &str) -> Value {
        let (status, info) = self
            .userinfo(how, flow.tokens["access_token"].as_str().unwrap())
            .await;
        assert_eq!(status, StatusCode::OK, "{info}");
        assert_eq!(info["sub"], flow.claims["sub"]);
        info
    }

    /// An authorization request the provider must refuse by sending the
    /// browser back with `error` (and the state and issuer).
    async fn refused_back(
        &self,
        browser: &reqwest::Client,
        params: &[(&str, &str)],
        errors: &[&str],
    ) -> String {
        let visit = self.visit(browser, &self.auth_url(params)).await;
        let back = visit.back().to_string();
        self.check_callback(&back, Some("xyz-state"));
        let error = param(&back, "error").expect("an error");
        assert!(
            errors.contains(&error.as_str()),
            "{error} is not one of {errors:?}"
        );
        assert_eq!(param(&back, "code"), None);
        back
    }

    /// The end-session endpoint called by the browser with `params`.
    async fn logout(
        &self,
        browser: &reqwest::Client,
        params: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            q.append_pair(k, v);
        }
        browser
            .get(
                self.server
                    .url(&format!("/s/main/oauth2/logout?{}", q.finish())),
            )
            .send()
            .await
            .unwrap()
    }

    /// After a logout, `prompt=none` must fail: nobody is signed in.
    async fn prompt_none_fails(&self, browser: &reqwest::Client) {
        self.refused_back(
            browser,
            &[("prompt", "none")],
            &["login_required", "interaction_required"],
        )
        .await;
    }

    /// A logout the provider must not act on by redirecting: it answers a
    /// page, and the customer is still signed in (or asked).
    async fn logout_stays(&self, browser: &reqwest::Client, params: &[(&str, &str)]) {
        let r = self.logout(browser, params).await;
        assert!(
            !r.status().is_redirection(),
            "redirected to {:?}",
            location(&r)
        );
        let html = r.text().await.unwrap();
        assert!(
            !html.contains(AFTER_LOGOUT),
            "no link back to the app either"
        );
        // The customer is asked whether to sign out (OpenID RP-Initiated
        // Logout §2: a MUST without a good hint), not signed out silently.
        assert!(html.contains("action=\"/s/main/logout\""), "{html}");
        let again = self
            .visit(browser, &self.auth_url(&[("prompt", "none")]))
            .await;
        assert!(param(again.back(), "code").is_some(), "still signed in");
    }
}

// ---- Basic OP plan (oidcc-basic-certification-test-plan) ----

both_engines! {
    /// OP-Response-code: the happy flow with every standard check.
    async fn oidcc_server(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[]).await;
        assert_eq!((flow.visit.sign_ins, flow.visit.consents), (1, 1));
        assert!(flow.claims["auth_time"].is_i64());
        op.checked_userinfo(&flow).await;
        op.server.stop().await;
    }

    /// OP-Response-Missing: no `response_type` is refused, by an error page
    /// or an error sent back.
    async fn oidcc_response_type_missing(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        op.flow(&b, &[]).await;
        let visit = op.visit(&b, &op.auth_url(&[("response_type", "")])).await;
        match visit.end {
            End::Back(back) => {
                op.check_callback(&back, Some("xyz-state"));
                let error = param(&back, "error").unwrap();
                assert!(["unsupported_response_type", "invalid_request"].contains(&error.as_str()), "{error}");
                assert_eq!(param(&back, "code"), None);
            }
            End::Page(status, html) => {
                assert_eq!(status, StatusCode::BAD_REQUEST);
                assert!(html.contains("response_type"), "{html}");
            }
        }
        op.server.stop().await;
    }

    /// OP-IDToken-Signature and OP-IDToken-kid: ID tokens are signed with
    /// the algorithm the app was registered with (ES256 by default, RS256
    /// when chosen, as relying parties that only know RS256 need), with a
    /// `kid` the JWKS publishes.
    async fn oidcc_idtoken_signature(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[]).await;
        assert_eq!(jwt_part(&flow.id_token, 0)["alg"], "ES256");
        let (_, disc) = op.discovery().await;
        assert!(disc["id_token_signing_alg_values_supported"].as_array().unwrap().contains(&json!("RS256")));
        op.server.stop().await;

        let other = db.sibling().await;
        let op = Op::start_with(&other, json!({"signing_alg": "RS256"})).await;
        let flow = op.flow(&browser(), &[]).await;
        assert_eq!(jwt_part(&flow.id_token, 0)["alg"], "RS256");
        op.server.stop().await;
    }

    /// OP-IDToken-none: an unsigned ID token is never issued: `none` is not
    /// published and cannot be registered.
    async fn oidcc_idtoken_unsigned(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        assert!(!disc["id_token_signing_alg_values_supported"].as_array().unwrap().contains(&json!("none")));
        let (status, body) = op.server.api(Method::POST, "/api/v1/sites/main/clients", Some(&op.admin),
            Some(app_body(json!({"name": "Unsigned", "signing_alg": "none"})))).await;
        // Not a value the field takes: refused, naming the ones it does.
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("RS256"), "{body}");
        let (_, apps) = op.server.api(Method::GET, "/api/v1/sites/main/clients", Some(&op.admin), None).await;
        assert_eq!(apps["items"].as_array().unwrap().len(), 1, "nothing was registered: {apps}");
        op.server.stop().await;
    }

    /// OP-UserInfo-Endpoint: userinfo by GET with the Bearer header.
    async fn oidcc_userinfo_get(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("scope", "openid profile email")]).await;
        let info = op.checked_userinfo(&flow).await;
        assert_eq!(info["email"], CUSTOMER);
        op.server.stop().await;
    }

    /// OP-UserInfo-Header: userinfo by POST with the Bearer header.
    async fn oidcc_userinfo_post_header(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[]).await;
        op.checked_userinfo_by(&flow, "post-header").await;
        op.server.stop().await;
    }

    /// OP-UserInfo-Body: userinfo by POST with the token in the form body
    /// (RFC 6750 §2.2).
    async fn oidcc_userinfo_post_body(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[]).await;
        op.checked_userinfo_by(&flow, "post-body").await;
        op.server.stop().await;
    }

    /// OP-nonce-NoReq-code: the code flow needs no nonce, and then the ID
    /// token carries none.
    async fn oidcc_ensure_request_without_nonce_succeeds_for_code_flow(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("nonce", "")]).await;
        assert!(flow.claims.get("nonce").is_none());
        op.server.stop().await;
    }

    /// OP-scope-profile: the profile claims come from userinfo.
    async fn oidcc_scope_profile(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("scope", "openid profile")]).await;
        let info = op.checked_userinfo(&flow).await;
        assert_eq!((info["given_name"].as_str(), info["family_name"].as_str()), (Some("Ada"), Some("Lovelace")));
        assert_eq!(info["name"], "Ada Lovelace");
        assert!(info.get("email").is_none(), "email only with its scope: {info}");
        op.server.stop().await;
    }

    /// OP-scope-email: the email claims come from userinfo.
    async fn oidcc_scope_email(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("scope", "openid email")]).await;
        let info = op.checked_userinfo(&flow).await;
        assert_eq!(info["email"], CUSTOMER);
        assert_eq!(info["email_verified"], true);
        assert!(info.get("family_name").is_none(), "profile only with its scope: {info}");
        op.server.stop().await;
    }

    /// OP-scope-address: skipped by the suite when `scopes_supported`
    /// leaves `address` out, as here; asking for it is `invalid_scope`.
    async fn oidcc_scope_address(db: TestDb) {
        scope_not_offered(db, "address").await;
    }

    /// OP-scope-phone: as address.
    async fn oidcc_scope_phone(db: TestDb) {
        scope_not_offered(db, "phone").await;
    }

    /// OP-scope-All: skipped by the suite unless every one of address,
    /// email, phone and profile is offered; profile and email are.
    async fn oidcc_scope_all(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        let offered = disc["scopes_supported"].as_array().unwrap();
        assert!(offered.contains(&json!("profile")) && offered.contains(&json!("email")));
        op.server.stop().await;
        scope_not_offered(db.sibling().await, "address phone").await;
    }

    /// A happy flow with the scopes and the parameters in another order.
    async fn oidcc_alternate_happy_flow(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let query = format!("nonce=n-0S6_WzA2Mj&state=xyz-state&scope=email+profile+openid&redirect_uri={}&response_type=code&client_id={}",
            url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(), op.id);
        let visit = op.visit(&b, &format!("/s/main/oauth2/authorize?{query}")).await;
        let flow = op.finish(visit, &[], true).await;
        let info = op.checked_userinfo(&flow).await;
        assert_eq!((info["email"].as_str(), info["family_name"].as_str()), (Some(CUSTOMER), Some("Lovelace")));
        op.server.stop().await;
    }

    /// OP-display-page: `display=page` is accepted.
    async fn oidcc_display_page(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("display", "page")]).await;
        assert_eq!(flow.visit.sign_ins, 1, "a fresh browser gets the sign-in page");
        op.server.stop().await;
    }

    /// OP-display-popup: `display=popup` is accepted.
    async fn oidcc_display_popup(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("display", "popup")]).await;
        assert_eq!(flow.visit.sign_ins, 1);
        op.server.stop().await;
    }

    /// OP-prompt-login: the second request with `prompt=login` asks for
    /// the password again, and `auth_time` moves on.
    async fn oidcc_prompt_login(db: TestDb) {
        let op = Op::start(&db).await;
        let (first, second) = op.twice(&[], std::time::Duration::from_millis(1100), &[("prompt", "login")]).await;
        assert_eq!(second.visit.sign_ins, 1, "asked to sign in again");
        assert!(second.claims["auth_time"].as_i64() > first.claims["auth_time"].as_i64());
        op.server.stop().await;
    }

    /// OP-prompt-none-NotLoggedIn: `prompt=none` from a fresh browser
    /// comes back with `login_required`.
    async fn oidcc_prompt_none_not_logged_in(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        op.prompt_none_fails(&b).await;
        op.server.stop().await;
    }

    /// OP-prompt-none-LoggedIn: `prompt=none` once signed in answers at
    /// once, for the same customer and sign-in.
    async fn oidcc_prompt_none_logged_in(db: TestDb) {
        let op = Op::start(&db).await;
        let (first, second) = op.twice(&[], std::time::Duration::ZERO, &[("prompt", "none")]).await;
        assert_eq!((second.visit.sign_ins, second.visit.consents), (0, 0));
        assert_eq!(second.claims["auth_time"], first.claims["auth_time"]);
        op.server.stop().await;
    }

    /// OP-Req-max_age=1: a sign-in older than a second asks again, and the
    /// ID token says when.
    async fn oidcc_max_age_1(db: TestDb) {
        let op = Op::start(&db).await;
        let (first, second) = op.twice(&[], std::time::Duration::from_millis(2100), &[("max_age", "1")]).await;
        assert_eq!(second.visit.sign_ins, 1, "asked to sign in again");
        assert!(second.claims["auth_time"].as_i64() > first.claims["auth_time"].as_i64());
        op.server.stop().await;
    }

    /// OP-Req-max_age=10000: a recent sign-in is enough; `auth_time` and
    /// `sub` stay.
    async fn oidcc_max_age_10000(db: TestDb) {
        let op = Op::start(&db).await;
        let (first, second) = op.twice(&[("max_age", "15000")], std::time::Duration::ZERO, &[("max_age", "10000")]).await;
        assert!(first.claims["auth_time"].is_i64());
        assert_eq!(second.visit.sign_ins, 0);
        assert_eq!(second.claims["auth_time"], first.claims["auth_time"]);
        op.server.stop().await;
    }

    /// OP-Req-NotUnderstood: an unknown parameter is ignored.
    async fn oidcc_ensure_request_with_unknown_parameter_succeeds(db: TestDb) {
        let op = Op::start(&db).await;
        op.flow(&browser(), &[("extra", "foobar")]).await;
        op.server.stop().await;
    }

    /// OP-Req-id_token_hint: `prompt=none` with the first ID token as the
    /// hint answers at once, for the same customer.
    async fn oidcc_id_token_hint(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let first = op.flow(&b, &[]).await;
        let second = op.flow(&b, &[("prompt", "none"), ("id_token_hint", &first.id_token)]).await;
        assert_eq!(second.visit.sign_ins, 0);
        assert_eq!(second.claims["sub"], first.claims["sub"]);
        op.server.stop().await;
    }

    /// OP-Req-login_hint: the hint is accepted, and fills in the sign-in
    /// page.
    async fn oidcc_login_hint(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("login_hint", CUSTOMER)]).await;
        let page = &flow.visit.pages[0];
        assert!(page.contains(&format!("value=\"{CUSTOMER}\"")), "the sign-in page is filled in: {page}");
        op.server.stop().await;
    }

    /// OP-Req-ui_locales: accepted whatever it names (`se` is not spoken
    /// here), and a language the portal speaks is used.
    async fn oidcc_ui_locales(db: TestDb) {
        let op = Op::start(&db).await;
        op.flow(&browser(), &[("ui_locales", "se")]).await;
        let flow = op.flow(&browser(), &[("ui_locales", "se de")]).await;
        let consent = flow.visit.pages.last().unwrap();
        assert!(consent.contains("lang=\"de\""), "the consent page in German: {consent}");
        op.server.stop().await;
    }

    /// OP-Req-claims_locales: accepted.
    async fn oidcc_claims_locales(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("claims_locales", "se"), ("scope", "openid profile")]).await;
        op.checked_userinfo(&flow).await;
        op.server.stop().await;
    }

    /// OP-Req-acr_values: accepted; an `acr` in the ID token, if any, is
    /// one of those asked for.
    async fn oidcc_ensure_request_with_acr_values_succeeds(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        assert_eq!(disc["acr_values_supported"], json!(["1", "2"]));
        let flow = op.flow(&browser(), &[("acr_values", "1 2")]).await;
        assert_eq!(flow.claims["acr"], "1", "one of those asked for: the password is level 1");
        op.server.stop().await;
    }

    /// OP-OAuth-2nd: a code used twice is `invalid_grant`.
    async fn oidcc_codereuse(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[]).await;
        let code = param(flow.visit.back(), "code").unwrap();
        let (status, _, body) = op.token(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)], true).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        op.server.stop().await;
    }

    /// OP-OAuth-2nd-30s and OP-OAuth-2nd-Revokes: a code used again 30 s
    /// later is `invalid_grant`, and the tokens it gave stop working
    /// (RFC 6749 §4.1.2).
    async fn oidcc_codereuse_30seconds(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[]).await;
        let access = flow.tokens["access_token"].as_str().unwrap();
        assert_eq!(op.userinfo("get", access).await.0, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        let code = param(flow.visit.back(), "code").unwrap();
        let (status, _, body) = op.token(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)], true).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        assert_eq!(op.userinfo("get", access).await.0, StatusCode::UNAUTHORIZED, "the first tokens are revoked");
        op.server.stop().await;
    }

    /// OP-redirect_uri-NotReg: an unregistered redirect URI gets an error
    /// page, never a redirect.
    async fn oidcc_ensure_registered_redirect_uri(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        op.flow(&b, &[]).await;
        let elsewhere = "http://127.0.0.1:9/not-registered";
        let r = b.get(op.server.url(&op.auth_url(&[("redirect_uri", elsewhere)]))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("redirect_uri"));
        op.server.stop().await;
    }

    /// The authorization request sent as a form POST.
    async fn oidcc_ensure_post_request_succeeds(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let params = [("scope", "openid email")];
        let r = b.post(op.server.url("/s/main/oauth2/authorize"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(op.query(&params)).send().await.unwrap();
        let visit = op.follow(&b, r).await;
        let flow = op.finish(visit, &params, true).await;
        assert_eq!(op.checked_userinfo(&flow).await["email"], CUSTOMER);
        op.server.stop().await;
    }

    /// OP-ClientAuth-SecretPost: the happy flow with the secret in the
    /// token request's form.
    async fn oidcc_server_client_secret_post(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let visit = op.visit(&b, &op.auth_url(&[])).await;
        let flow = op.finish(visit, &[], false).await;
        op.checked_userinfo(&flow).await;
        op.server.stop().await;
    }

    /// OP-request_uri-Unsigned: `request_uri` is not supported, says so in
    /// discovery, and is refused with `request_uri_not_supported`.
    async fn oidcc_request_uri_unsigned_supported_correctly_or_rejected_as_unsupported(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        assert_eq!(disc["request_uri_parameter_supported"], false);
        op.refused_back(&browser(), &[("request_uri", "https://rp.example/request.jwt")], &["request_uri_not_supported"]).await;
        op.server.stop().await;
    }

    /// OP-request-Unsigned: a request object is not supported, says so in
    /// discovery, and is refused with `request_not_supported` (not
    /// ignored).
    async fn oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        assert_eq!(disc["request_parameter_supported"], false);
        let object = unsigned_request_object(&op, REDIRECT);
        op.refused_back(&browser(), &[("request", &object)], &["request_not_supported"]).await;
        op.server.stop().await;
    }

    /// OP-claims-essential: `claims` asking for `name` as essential does
    /// not fail the request (the parameter is not supported, and says so).
    async fn oidcc_claims_essential(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        assert_eq!(disc["claims_parameter_supported"], false);
        let claims = json!({"userinfo": {"name": {"essential": true}}}).to_string();
        let flow = op.flow(&browser(), &[("claims", &claims), ("scope", "openid profile")]).await;
        assert_eq!(op.checked_userinfo(&flow).await["name"], "Ada Lovelace");
        op.server.stop().await;
    }

    /// A request object's `redirect_uri` against an unregistered one in the
    /// query: the provider shows the invalid-redirect page and sends nobody
    /// to either address.
    async fn oidcc_ensure_request_object_with_redirect_uri(db: TestDb) {
        let op = Op::start(&db).await;
        let object = unsigned_request_object(&op, REDIRECT);
        let url = op.auth_url(&[("request", &object), ("redirect_uri", "http://127.0.0.1:9/not-registered")]);
        let r = browser().get(op.server.url(&url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(location(&r).is_none());
        op.server.stop().await;
    }

    /// Refresh: a refresh token (with `offline_access`) works, gives an ID
    /// token for the same customer, and is bound to its app.
    async fn oidcc_refresh_token(db: TestDb) {
        let op = Op::start(&db).await;
        let flow = op.flow(&browser(), &[("scope", "openid offline_access"), ("prompt", "consent")]).await;
        let refresh = flow.tokens["refresh_token"].as_str().expect("a refresh token");
        let (status, _, body) = op.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)], true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let claims = op.checked_id_token(body["id_token"].as_str().unwrap(), None, body["access_token"].as_str()).await;
        assert_eq!(claims["sub"], flow.claims["sub"]);
        // Another app cannot use it (the suite's second client).
        let (other, secret) = register_app(&op.server, &op.admin, app_body(json!({"name": "Second client"}))).await;
        let r = http().post(op.server.url("/s/main/oauth2/token")).basic_auth(&other, secret.as_deref())
            .form(&[("grant_type", "refresh_token"), ("refresh_token", body["refresh_token"].as_str().unwrap())])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
        op.server.stop().await;
    }

    /// A valid PKCE pair (RFC 7636, S256) succeeds.
    async fn oidcc_ensure_request_with_valid_pkce_succeeds(db: TestDb) {
        let op = Op::start(&db).await;
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        op.flow(&browser(), &[("code_challenge", challenge), ("code_challenge_method", "S256"), ("code_verifier", verifier)]).await;
        op.server.stop().await;
    }
}

/// A request object (`alg: none`) asking for the same as the query.
fn unsigned_request_object(op: &Op, redirect: &str) -> String {
    use base64::Engine as _;
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let claims = json!({"iss": op.id, "aud": op.issuer(), "client_id": op.id, "redirect_uri": redirect,
        "response_type": "code", "scope": "openid", "state": "xyz-state", "nonce": "n-0S6_WzA2Mj"});
    format!("{}.{}.", b64(json!({"alg": "none"})), b64(claims))
}

/// The suite's skip condition for a scope module (the scope is not in
/// `scopes_supported`), and the refusal of a request for it.
async fn scope_not_offered(db: TestDb, scopes: &str) {
    let op = Op::start(&db).await;
    let (_, disc) = op.discovery().await;
    for scope in scopes.split(' ') {
        assert!(
            !disc["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(scope)),
            "{scope} is offered"
        );
    }
    let b = browser();
    op.flow(&b, &[]).await;
    op.refused_back(
        &b,
        &[("scope", &format!("openid {scopes}"))],
        &["invalid_scope"],
    )
    .await;
    op.server.stop().await;
}

// ---- Config OP plan (oidcc-config-certification-test-plan) ----

both_engines! {
    /// OP-Discovery-Config: the discovery document, field by field, and the
    /// keys it points at.
    async fn oidcc_discovery_endpoint_verification(db: TestDb) {
        let op = Op::start(&db).await;
        let (headers, disc) = op.discovery().await;
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
        let issuer = op.issuer();
        assert_eq!(disc["issuer"], issuer.as_str(), "the issuer is the address discovery was read under");
        let parsed = url::Url::parse(&issuer).unwrap();
        assert!(parsed.query().is_none() && parsed.fragment().is_none());
        for endpoint in ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"] {
            let at = disc[endpoint].as_str().unwrap_or_else(|| panic!("{endpoint} is missing"));
            assert!(at.starts_with(&format!("{issuer}/")), "{endpoint} {at} lies under the issuer");
        }
        assert!(disc.get("registration_endpoint").is_none(), "no dynamic registration, so none published");
        let list = |name: &str| disc[name].as_array().unwrap_or_else(|| panic!("{name} is an array")).clone();
        let scopes = list("scopes_supported");
        assert!(scopes.contains(&json!("openid")));
        assert!(scopes.iter().all(|s| s.as_str().is_some_and(|s| !s.is_empty() && !s.contains(' '))));
        assert!(list("response_types_supported").contains(&json!("code")));
        let subjects = list("subject_types_supported");
        assert!(!subjects.is_empty() && subjects.iter().all(|s| s == "public" || s == "pairwise"));
        assert!(list("id_token_signing_alg_values_supported").contains(&json!("RS256")));
        assert!(!list("grant_types_supported").is_empty());
        assert!(list("grant_types_supported").contains(&json!("authorization_code")));
        assert!(!list("claims_supported").is_empty());
        assert!(list("claims_supported").contains(&json!("sub")));
        for flag in ["claims_parameter_supported", "request_parameter_supported", "request_uri_parameter_supported"] {
            assert!(disc[flag].is_boolean(), "{flag}");
        }
        assert_eq!(list("code_challenge_methods_supported"), vec![json!("S256")]);
        for tag in list("ui_locales_supported") {
            let tag = tag.as_str().unwrap();
            assert!(tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && tag == tag.to_ascii_lowercase(), "{tag}");
        }
        let methods = list("token_endpoint_auth_methods_supported");
        assert!(methods.contains(&json!("client_secret_basic")) && methods.contains(&json!("client_secret_post")));
        // The keys: every one with a distinct kid, public only.
        let jwks = op.jwks().await;
        let keys = jwks["keys"].as_array().unwrap();
        assert!(!keys.is_empty());
        let mut kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().expect("a kid")).collect();
        kids.sort_unstable();
        kids.dedup();
        assert_eq!(kids.len(), keys.len(), "distinct kids");
        for k in keys {
            assert!(k.get("d").is_none() && k.get("p").is_none(), "no private part: {k}");
            assert_eq!(k["use"], "sig");
        }
        let count = keys.len();
        let typed: CoreJsonWebKeySet = serde_json::from_value(jwks.clone()).expect("a JWKS a library reads");
        assert_eq!(typed.keys().len(), count);
        op.server.stop().await;
    }
}

// ---- RP-Initiated Logout OP plan (oidcc-rp-initiated-logout-certification-test-plan) ----

both_engines! {
    /// Discovery names the end-session endpoint.
    async fn oidcc_rp_initiated_logout_discovery_endpoint_verification(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        assert_eq!(disc["end_session_endpoint"], format!("{}/oauth2/logout", op.issuer()).as_str());
        let r = http().get(disc["end_session_endpoint"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "the endpoint answers");
        op.server.stop().await;
    }

    /// A logout with the ID token, a registered address and a state sends
    /// the customer back with the state, and `prompt=none` then fails.
    async fn oidcc_rp_initiated_logout(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        let r = op.logout(&b, &[("id_token_hint", &flow.id_token), ("post_logout_redirect_uri", AFTER_LOGOUT), ("state", "bye-state")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let back = location(&r).unwrap();
        assert!(back.starts_with(AFTER_LOGOUT), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some("bye-state"));
        op.prompt_none_fails(&b).await;
        op.server.stop().await;
    }

    /// An unregistered `post_logout_redirect_uri`: no redirect.
    async fn oidcc_rp_initiated_logout_bad_post_logout_redirect_uri(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        let r = op.logout(&b, &[("id_token_hint", &flow.id_token), ("post_logout_redirect_uri", "http://127.0.0.1:9/elsewhere"), ("state", "s")]).await;
        assert!(!r.status().is_redirection(), "{:?}", location(&r));
        op.server.stop().await;
    }

    /// The ID token turned into `alg: none`: no redirect, nothing ended
    /// without asking.
    async fn oidcc_rp_initiated_logout_modified_id_token_hint(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        let tampered = reforged(&flow.id_token, json!({"alg": "none"}), "");
        op.logout_stays(&b, &[("id_token_hint", &tampered), ("post_logout_redirect_uri", AFTER_LOGOUT)]).await;
        op.server.stop().await;
    }

    /// A registered address but no ID token: no redirect.
    async fn oidcc_rp_initiated_logout_no_id_token_hint(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        op.flow(&b, &[]).await;
        op.logout_stays(&b, &[("post_logout_redirect_uri", AFTER_LOGOUT), ("state", "s")]).await;
        op.server.stop().await;
    }

    /// No parameters at all: the customer is asked, and signing out there
    /// ends the session.
    async fn oidcc_rp_initiated_logout_no_params(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        op.flow(&b, &[]).await;
        let r = op.logout(&b, &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        let mut form = hidden_fields(&html, "/s/main/logout");
        form.retain(|(k, _)| k == "csrf");
        assert_eq!(form.len(), 1, "a sign-out button with its CSRF token: {html}");
        let r = b.post(op.server.url("/s/main/logout")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        op.prompt_none_fails(&b).await;
        op.server.stop().await;
    }

    /// The ID token but no `post_logout_redirect_uri`: signed out, and a
    /// page says so.
    async fn oidcc_rp_initiated_logout_no_post_logout_redirect_uri(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        let r = op.logout(&b, &[("id_token_hint", &flow.id_token)]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("You are signed out"));
        op.prompt_none_fails(&b).await;
        op.server.stop().await;
    }

    /// No state: back to the app without one.
    async fn oidcc_rp_initiated_logout_no_state(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        let r = op.logout(&b, &[("id_token_hint", &flow.id_token), ("post_logout_redirect_uri", AFTER_LOGOUT)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let back = location(&r).unwrap();
        assert!(back.starts_with(AFTER_LOGOUT) && param(&back, "state").is_none(), "{back}");
        op.prompt_none_fails(&b).await;
        op.server.stop().await;
    }

    /// Only a state: the customer is asked; nobody is sent anywhere.
    async fn oidcc_rp_initiated_logout_only_state(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        op.flow(&b, &[]).await;
        op.logout_stays(&b, &[("state", "only-state")]).await;
        op.server.stop().await;
    }

    /// The registered address with `?foo=bar` added: no redirect (matched
    /// exactly).
    async fn oidcc_rp_initiated_logout_query_added_to_post_logout_redirect_uri(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        let r = op.logout(&b, &[("id_token_hint", &flow.id_token), ("post_logout_redirect_uri", &format!("{AFTER_LOGOUT}?foo=bar"))]).await;
        assert!(!r.status().is_redirection(), "{:?}", location(&r));
        op.server.stop().await;
    }

    /// An ID token signed by someone else (a key the provider never had):
    /// no redirect.
    async fn oidcc_rp_initiated_logout_bad_id_token_hint(db: TestDb) {
        let op = Op::start(&db).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        use base64::Engine as _;
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 64]);
        let foreign = reforged(&flow.id_token, json!({"alg": "ES256", "kid": "the-suites-own-key", "typ": "JWT"}), &signature);
        op.logout_stays(&b, &[("id_token_hint", &foreign), ("post_logout_redirect_uri", AFTER_LOGOUT)]).await;
        op.server.stop().await;
    }
}

// ---- Back-Channel Logout OP plan (oidcc-backchannel-rp-initiated-logout-certification-test-plan) ----

both_engines! {
    /// Discovery says back-channel logout with sessions is supported, and
    /// names the end-session endpoint.
    async fn oidcc_backchannel_logout_discovery_endpoint_verification(db: TestDb) {
        let op = Op::start(&db).await;
        let (_, disc) = op.discovery().await;
        assert_eq!(disc["backchannel_logout_supported"], true);
        assert_eq!(disc["backchannel_logout_session_supported"], true);
        assert!(disc["end_session_endpoint"].is_string());
        op.server.stop().await;
    }

    /// An RP-initiated logout sends the app a logout token (iss, aud, iat,
    /// jti, one `events` member `{}`, no nonce, the ID token's sub and
    /// sid), redirects back, and `prompt=none` then fails.
    async fn oidcc_backchannel_rp_initiated_logout(db: TestDb) {
        let (endpoint, mut inbox) = logout_receiver().await;
        let op = Op::start_with(&db, json!({"backchannel_logout_uri": endpoint, "backchannel_logout_session_required": true})).await;
        let b = browser();
        let flow = op.flow(&b, &[]).await;
        let r = op.logout(&b, &[("id_token_hint", &flow.id_token), ("post_logout_redirect_uri", AFTER_LOGOUT), ("state", "s")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(location(&r).unwrap().starts_with(AFTER_LOGOUT));
        let token = tokio::time::timeout(std::time::Duration::from_secs(20), inbox.recv()).await
            .expect("a logout token within 20 s").unwrap();
        let claims = verified_logout_token(&op.server, "main", &token).await;
        assert_eq!(claims["iss"], op.issuer().as_str());
        let aud = match &claims["aud"] { Value::Array(a) => a.clone(), one => vec![one.clone()] };
        assert!(aud.contains(&json!(op.id)));
        assert!(claims["iat"].as_i64().unwrap() <= now() + 5);
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
        let events = claims["events"].as_object().unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events["http://schemas.openid.net/event/backchannel-logout"], json!({}));
        assert!(claims.get("nonce").is_none());
        assert_eq!((&claims["sub"], &claims["sid"]), (&flow.claims["sub"], &flow.claims["sid"]));
        op.prompt_none_fails(&b).await;
        op.server.stop().await;
    }
}
