//! A real app nobody on this project wrote: Apache httpd with
//! mod_auth_openidc from Debian (2.4.12 on Debian 12, which finds its
//! session from a logout token by `sid` alone), started on a loopback port
//! with its own configuration (docs/oidc.md's recipe), protecting a page
//! with a Gatehouse site as its provider. Headless Chromium (`e2e/apache.mjs`)
//! signs in to the page through the portal; then a block in the console, a
//! sign-out on the portal, and a logout from another app (the Node shop,
//! RP-initiated) each send it back to the sign-in on its next request for
//! the page, because Apache received a back-channel logout token for that
//! session.
//!
//! Needs `apache2` and `libapache2-mod-auth-openidc`, and what the browser
//! tests need (Node.js, Chromium, `npm ci --prefix e2e`); without them it
//! says it was skipped, unless `GATEHOUSE_E2E=required`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{TestServer, both_engines, chromium};
use reqwest::{Method, StatusCode};
use serde_json::json;

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
    ) && !chromium::skipped("Apache test")
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

both_engines! {
    async fn apache_with_mod_auth_openidc_signs_in_and_every_ending_reaches_it(db: TestDb) {
        if !available() {
            return;
        }
        let server = TestServer::start(&db).await;
        chromium::console_admin(&server).await;
        let admin = server.staff_token("api@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let issuer = server.url("/s/main");
        let port = gatehouse_testkit::smtp::free_port();
        let base = format!("http://127.0.0.1:{port}");
        let (status, made) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
            "name": "Installer portal (Apache)", "type": "confidential", "first_party": true,
            "redirect_uris": [format!("{base}/protected/redirect_uri")],
            "backchannel_logout_uri": format!("{base}/protected/redirect_uri?logout=backchannel"),
            "scopes": ["openid", "email"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let shop_port = gatehouse_testkit::smtp::free_port();
        let shop = format!("http://127.0.0.1:{shop_port}");
        let (status, other) = server.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
            "name": "Shop", "type": "confidential", "first_party": true,
            "redirect_uris": [format!("{shop}/callback")], "post_logout_redirect_uris": [format!("{shop}/")],
            "scopes": ["openid", "profile", "email"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{other}");
        let apache = Apache::start(port, &issuer, made["client_id"].as_str().unwrap(), made["client_secret"].as_str().unwrap());
        apache.ready().await;
        let screenshot = std::env::temp_dir().join(format!("gatehouse-apache-{port}.png"));
        let args = [
            server.base_url.as_str(), apache.base.as_str(), PAGE, &shop_port.to_string(),
            other["client_id"].as_str().unwrap(), other["client_secret"].as_str().unwrap(),
            "ada@example.com", PASSWORD, &account.to_string(), chromium::ADMIN.0, chromium::ADMIN.1,
        ];
        let walked = tokio::spawn({
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let screenshot = screenshot.clone();
            async move {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                chromium::node_walk("apache.mjs", &args, &screenshot,
                    "apache walk: signed in behind Apache; a block, a portal sign-out and another app's logout each reached it: ok").await;
            }
        }).await;
        assert!(walked.is_ok(), "the walk failed; Apache's log:\n{}", apache.log());
        server.stop().await;
    }
}
