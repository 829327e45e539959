//! docs/oidc.md's Python recipe, run as written: `e2e/flask_shop.py`, a
//! Flask app signing customers in with Authlib (the code flow with PKCE,
//! the ID token verified against the JWKS, RP-initiated logout, and
//! back-channel logout tokens verified the same way), started on a loopback
//! port against a live Gatehouse on both engines. A browser (an HTTP client
//! with a cookie jar) signs in to the shop through the portal; a block in
//! the console then signs it out of the shop (the logout token reached the
//! app), and the shop's own "Sign out" ends the portal session and comes
//! back to the shop.
//!
//! Needs `python3` with `flask`, `authlib` and `requests`; without them it
//! says it was skipped, unless `GATEHOUSE_E2E=required`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::Duration;

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{TestServer, both_engines, browser, sign_in_and_continue};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

/// Whether Python has what the recipe imports; else skipped, unless
/// required.
fn available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import flask, authlib, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    !gatehouse_testkit::skipped_without(
        "Python recipe test",
        (!ok).then_some("python3 with flask, authlib and requests is not installed (pip install flask authlib requests)"),
    )
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e/flask_shop.py")
}

/// The shop running; stopped when dropped.
struct Shop {
    child: std::process::Child,
    base: String,
}

impl Shop {
    async fn start(issuer: &str, client_id: &str, secret: &str, port: u16) -> Shop {
        let child = std::process::Command::new("python3")
            .arg(script())
            .args([issuer, client_id, secret, &port.to_string()])
            // The provider is plain http on loopback in this test only.
            .env("AUTHLIB_INSECURE_TRANSPORT", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the Flask shop");
        let shop = Shop {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if reqwest::get(shop.url("/")).await.is_ok() {
                return shop;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the Flask shop did not start");
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Who the shop's front page says is signed in.
    async fn who(&self, browser: &reqwest::Client) -> String {
        let html = browser
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let at = html.find("<p id=\"who\">").expect("the who line") + "<p id=\"who\">".len();
        html[at..].split("</p>").next().unwrap().to_string()
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

/// Signs in to the shop through the portal's sign-in page.
async fn sign_in(server: &TestServer, shop: &Shop, browser: &reqwest::Client, issuer: &str) {
    let first = browser.get(shop.url("/login")).send().await.unwrap();
    assert!(first.status().is_redirection(), "{}", first.status());
    let authorize = location(&first);
    assert!(
        authorize.starts_with(&format!("{issuer}/oauth2/authorize?")),
        "{authorize}"
    );
    assert!(
        authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="),
        "{authorize}"
    );
    let to_login = browser.get(&authorize).send().await.unwrap();
    assert_eq!(to_login.status(), StatusCode::SEE_OTHER);
    let back = sign_in_and_continue(
        server,
        browser,
        &location(&to_login),
        "ada@example.com",
        PASSWORD,
    )
    .await;
    assert!(back.starts_with(&shop.url("/callback?")), "{back}");
    let done = browser.get(&back).send().await.unwrap();
    assert!(
        done.status().is_redirection(),
        "the shop took the code: {}",
        done.status()
    );
    assert_eq!(shop.who(browser).await, "Signed in as ada@example.com");
}

both_engines! {
    async fn the_python_recipe_signs_in_and_out_and_hears_of_a_block(db: TestDb) {
        if !available() {
            return;
        }
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let issuer = server.url("/s/main");
        let port = gatehouse_testkit::smtp::free_port();
        let base = format!("http://127.0.0.1:{port}");
        // The registration docs/oidc.md gives for the recipe.
        let (status, made) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
            "name": "Shop (Flask)", "type": "confidential", "first_party": true,
            "redirect_uris": [format!("{base}/callback")], "post_logout_redirect_uris": [format!("{base}/")],
            "backchannel_logout_uri": format!("{base}/backchannel"),
            "scopes": ["openid", "email", "profile"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let shop = Shop::start(&issuer, made["client_id"].as_str().unwrap(), made["client_secret"].as_str().unwrap(), port).await;

        // A block in the console reaches the shop by its logout token.
        let b = browser();
        sign_in(&server, &shop, &b, &issuer).await;
        let action = |name: &'static str| {
            server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin), Some(json!({"action": name, "ids": [account]})))
        };
        assert_eq!(action("block").await.0, StatusCode::OK);
        let mut who = String::new();
        for _ in 0..100 {
            who = shop.who(&b).await;
            if who == "Signed out" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(who, "Signed out", "the block reached the shop within 10 s");
        assert_eq!(action("unblock").await.0, StatusCode::OK);

        // The shop's own sign-out: RP-initiated logout, back to the shop,
        // and the portal session is over.
        let b = browser();
        sign_in(&server, &shop, &b, &issuer).await;
        let out = b.get(shop.url("/logout")).send().await.unwrap();
        let to = location(&out);
        assert!(to.starts_with(&format!("{issuer}/oauth2/logout?id_token_hint=")), "{to}");
        let back = b.get(&to).send().await.unwrap();
        assert_eq!(back.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&back), shop.url("/"));
        assert_eq!(shop.who(&b).await, "Signed out");
        let portal = b.get(server.url("/s/main/profile")).send().await.unwrap();
        assert!(location(&portal).starts_with("/s/main/login"), "signed out of the portal too");
        server.stop().await;
    }
}
