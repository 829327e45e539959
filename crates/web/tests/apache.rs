//! A real app nobody on this project wrote: Apache httpd with
//! mod_auth_openidc from Debian (2.4.12 on Debian 12, which finds its
//! session from a logout token by `sid` alone), started on a loopback port
//! with its own configuration, protecting a page with a Gatehouse site as
//! its provider. A browser (an HTTP client with a cookie jar, following
//! nothing by itself) signs in to the page through the portal; then a
//! block in the console, a sign-out on the portal, and a logout from
//! another app (RP-initiated) each send it back to the sign-in on its next
//! request for the page, because Apache received a back-channel logout
//! token for that session.
//!
//! Needs `apache2` and `libapache2-mod-auth-openidc`; without them it says
//! it was skipped, unless `GATEHOUSE_E2E=required`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{TestServer, both_engines, browser, sign_in_and_continue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const APACHE: &str = "/usr/sbin/apache2";
const MODULES: &str = "/usr/lib/apache2/modules";
const PAGE: &str = "the installers' price list";

/// Whether Apache and the module are installed; else skipped, unless
/// required.
fn available() -> bool {
    let ok = Path::new(APACHE).exists() && Path::new(MODULES).join("mod_auth_openidc.so").exists();
    !gatehouse_testkit::skipped_without(
        "Apache test",
        (!ok).then_some("apache2 or libapache2-mod-auth-openidc is not installed (apt-get install apache2 libapache2-mod-auth-openidc)"),
    )
}

/// Apache running with its own configuration in its own folder; stopped
/// when dropped.
struct Apache {
    child: std::process::Child,
    dir: PathBuf,
    base: String,
}

impl Apache {
    fn start(port: u16, issuer: &str, client_id: &str, secret: &str) -> Apache {
        let dir = std::env::temp_dir().join(format!("gatehouse-apache-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(dir.join("htdocs/protected")).unwrap();
        std::fs::write(dir.join("htdocs/protected/index.html"), PAGE).unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let modules = [
            "mpm_event",
            "authn_core",
            "authz_core",
            "authz_user",
            "auth_openidc",
        ]
        .iter()
        .map(|m| format!("LoadModule {m}_module {MODULES}/mod_{m}.so"))
        .collect::<Vec<_>>()
        .join("\n");
        let config = format!(
            r#"{modules}
ServerRoot "{dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{dir}/httpd.pid"
ErrorLog "{dir}/error.log"
LogLevel warn auth_openidc:info
User www-data
Group www-data
DocumentRoot "{dir}/htdocs"
OIDCProviderMetadataURL {issuer}/.well-known/openid-configuration
OIDCClientID {client_id}
OIDCClientSecret {secret}
OIDCRedirectURI {base}/protected/redirect_uri
OIDCCryptoPassphrase {passphrase}
OIDCScope "openid email"
<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>
"#,
            dir = dir.display(),
            passphrase = uuid::Uuid::now_v7().simple(),
        );
        std::fs::write(dir.join("httpd.conf"), config).unwrap();
        // Apache drops to www-data: it must read the page and its folder.
        let _ = std::process::Command::new("chmod")
            .args(["-R", "a+rX"])
            .arg(&dir)
            .status();
        let child = std::process::Command::new(APACHE)
            .args(["-X", "-f"])
            .arg(dir.join("httpd.conf"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start apache2");
        Apache { child, dir, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }

    async fn ready(&self) {
        for _ in 0..100 {
            if reqwest::get(self.url("/")).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("Apache did not start:\n{}", self.log());
    }
}

impl Drop for Apache {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

/// A free loopback port (bound, then let go for Apache to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Asks Apache for the page: its text when it answers it, `None` when it
/// sends the browser to the provider's sign-in instead.
async fn page(apache: &Apache, browser: &reqwest::Client, issuer: &str) -> Option<String> {
    let answer = browser
        .get(apache.url("/protected/index.html"))
        .send()
        .await
        .unwrap();
    match answer.status() {
        StatusCode::OK => Some(answer.text().await.unwrap()),
        StatusCode::FOUND | StatusCode::SEE_OTHER => {
            let to = location(&answer);
            assert!(
                to.starts_with(&format!("{issuer}/oauth2/authorize?")),
                "to the provider: {to}"
            );
            None
        }
        other => panic!("Apache answered {other}:\n{}", apache.log()),
    }
}

/// Signs in to Apache's page through the portal: Apache's redirect to the
/// provider, the portal's sign-in form, back to Apache with the code (which
/// Apache redeems), and the page.
async fn sign_in(server: &TestServer, apache: &Apache, browser: &reqwest::Client, issuer: &str) {
    let first = browser
        .get(apache.url("/protected/index.html"))
        .send()
        .await
        .unwrap();
    assert!(
        first.status().is_redirection(),
        "{}:\n{}",
        first.status(),
        apache.log()
    );
    let authorize = location(&first);
    assert!(
        authorize.starts_with(&format!("{issuer}/oauth2/authorize?")),
        "{authorize}"
    );
    let to_login = browser.get(&authorize).send().await.unwrap();
    let back = if to_login.status() == StatusCode::SEE_OTHER
        && location(&to_login).starts_with("/s/main/login")
    {
        sign_in_and_continue(
            server,
            browser,
            &location(&to_login),
            "ada@example.com",
            PASSWORD,
        )
        .await
    } else {
        assert_eq!(
            to_login.status(),
            StatusCode::SEE_OTHER,
            "signed in already: straight back"
        );
        location(&to_login)
    };
    assert!(
        back.starts_with(&apache.url("/protected/redirect_uri?")),
        "{back}"
    );
    let redeemed = browser.get(&back).send().await.unwrap();
    assert!(
        redeemed.status().is_redirection(),
        "Apache redeemed the code: {}\n{}",
        redeemed.status(),
        apache.log()
    );
    assert_eq!(
        page(apache, browser, issuer).await.as_deref(),
        Some(PAGE),
        "signed in to the page"
    );
}

/// Waits (up to 10 s) until Apache sends the browser back to the sign-in.
async fn signed_out_of_apache(
    apache: &Apache,
    browser: &reqwest::Client,
    issuer: &str,
    what: &str,
) {
    for _ in 0..100 {
        if page(apache, browser, issuer).await.is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{what}: Apache still shows the page after 10 s:\n{}",
        apache.log()
    );
}

both_engines! {
    async fn apache_with_mod_auth_openidc_signs_in_and_every_ending_reaches_it(db: TestDb) {
        if !available() {
            return;
        }
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let issuer = server.url("/s/main");
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let (status, made) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
            "name": "Installer portal (Apache)", "type": "confidential", "first_party": true,
            "redirect_uris": [format!("{base}/protected/redirect_uri")],
            "backchannel_logout_uri": format!("{base}/protected/redirect_uri?logout=backchannel"),
            "scopes": ["openid", "email"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let (status, other) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
            "name": "Shop", "type": "confidential", "first_party": true,
            "redirect_uris": ["http://127.0.0.1:9/callback"], "scopes": ["openid"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{other}");
        let apache = Apache::start(port, &issuer, made["client_id"].as_str().unwrap(), made["client_secret"].as_str().unwrap());
        apache.ready().await;

        // A block in the console.
        let b = browser();
        sign_in(&server, &apache, &b, &issuer).await;
        let action = |name: &'static str| {
            server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin), Some(json!({"action": name, "ids": [account]})))
        };
        assert_eq!(action("block").await.0, StatusCode::OK);
        signed_out_of_apache(&apache, &b, &issuer, "a block").await;
        assert_eq!(action("unblock").await.0, StatusCode::OK);

        // A sign-out on the portal.
        let b = browser();
        sign_in(&server, &apache, &b, &issuer).await;
        let out = b.delete(server.url("/api/v1/sites/main/sessions/current")).send().await.unwrap();
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        signed_out_of_apache(&apache, &b, &issuer, "a portal sign-out").await;

        // A logout from another app of the same portal session.
        let b = browser();
        sign_in(&server, &apache, &b, &issuer).await;
        let shop_id = other["client_id"].as_str().unwrap();
        let authorize = format!("{issuer}/oauth2/authorize?response_type=code&scope=openid&client_id={shop_id}\
                                 &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&state=s1");
        let answer = b.get(&authorize).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "the portal session signs the shop in at once");
        let code = url::Url::parse(&location(&answer)).unwrap().query_pairs()
            .find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).expect("a code");
        let tokens: Value = reqwest::Client::new().post(format!("{issuer}/oauth2/token"))
            .basic_auth(shop_id, other["client_secret"].as_str())
            .form(&[("grant_type", "authorization_code"), ("code", code.as_str()),
                    ("redirect_uri", "http://127.0.0.1:9/callback")])
            .send().await.unwrap().json().await.unwrap();
        let hint = tokens["id_token"].as_str().expect("an ID token");
        let logout = b.get(format!("{issuer}/oauth2/logout?id_token_hint={hint}")).send().await.unwrap();
        assert_eq!(logout.status(), StatusCode::OK, "the signed-out page");
        signed_out_of_apache(&apache, &b, &issuer, "a logout from the shop").await;
        server.stop().await;
    }
}
