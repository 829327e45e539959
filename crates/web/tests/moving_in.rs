//! Customers moving in from another system, over a real socket on both
//! engines: password hashes made by other libraries (Python's `bcrypt`,
//! Django's PBKDF2 hasher, `argon2-cffi`) are imported, sign in, and are
//! replaced by ours at the first right password.
//!
//! Needs `python3 -m pip install bcrypt django argon2-cffi`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_app::transfer::import;
use gatehouse_store::Actor;
use gatehouse_testkit::{TestServer, both_engines, browser};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "tide pools at dawn";

/// Hashes of [`PASSWORD`] made by the other systems' own libraries:
/// (login ID, hash).
fn hashes_made_elsewhere() -> Vec<(String, String)> {
    let script = r#"
import sys, bcrypt, argon2
from django.conf import settings
settings.configure()
from django.contrib.auth.hashers import make_password
pw = sys.argv[1]
print("bcrypt@example.com", bcrypt.hashpw(pw.encode(), bcrypt.gensalt(rounds=10)).decode())
print("php@example.com", bcrypt.hashpw(pw.encode(), bcrypt.gensalt(rounds=8)).decode().replace("$2b$", "$2y$", 1))
print("django@example.com", make_password(pw, hasher="pbkdf2_sha256"))
print("argon2@example.com", argon2.PasswordHasher().hash(pw))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, PASSWORD])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 -m pip install bcrypt django argon2-cffi: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (login, hash) = l.split_once(' ').unwrap();
            (login.to_string(), hash.to_string())
        })
        .collect()
}

async fn stored_hash(server: &TestServer, login: &str) -> String {
    let mut tx = server.app.store.read().await.unwrap();
    let site = tx.site_by_key("main").await.unwrap().unwrap();
    tx.account_by_login_id(site.id, login)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap()
}

async fn sign_in(server: &TestServer, login: &str, password: &str) -> StatusCode {
    browser()
        .post(server.url("/api/v1/sites/main/sessions"))
        .json(&json!({"login_id": login, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

both_engines! {
    async fn hashes_made_by_other_libraries_sign_in_and_become_ours(db: TestDb) {
        let server = TestServer::start(&db).await;
        let made = hashes_made_elsewhere();
        assert!(made[0].1.starts_with("$2b$10$") && made[1].1.starts_with("$2y$08$"), "{made:?}");
        assert!(made[2].1.starts_with("pbkdf2_sha256$") && made[3].1.starts_with("$argon2id$v=19$m=65536"), "{made:?}");
        let mut file = String::from("first_name,last_name,email,site,password_hash\n");
        for (login, hash) in &made {
            file.push_str(&format!("Moved,In,{login},main,\"{hash}\"\n"));
        }
        let report = import::import(&server.app, &Actor::system("test"), file.as_bytes(), &import::Options::default(), |_| {})
            .await
            .unwrap();
        assert!(report.written && report.bad.is_empty(), "{report:?}");

        for (login, hash) in &made {
            assert_eq!(sign_in(&server, login, "tide pools at dusk").await, StatusCode::UNAUTHORIZED, "{login}");
            assert_eq!(&stored_hash(&server, login).await, hash, "a wrong password changes nothing");
            assert_eq!(sign_in(&server, login, PASSWORD).await, StatusCode::OK, "{login} signs in with {hash}");
            let now = stored_hash(&server, login).await;
            assert!(now.starts_with(gatehouse_app::passwords::OURS_PREFIX), "{login}: {now}");
            assert_eq!(sign_in(&server, login, PASSWORD).await, StatusCode::OK, "and again with ours");
        }
        // An unknown login ID is answered as a wrong password is.
        assert_eq!(sign_in(&server, "nobody@example.com", PASSWORD).await, StatusCode::UNAUTHORIZED);
    }
}
