//! Test support shared by every crate's integration tests: a fresh database
//! per test on SQLite (a file in its own temporary folder) or PostgreSQL (a
//! database of its own on the server `GATEHOUSE_TEST_DATABASE_URL` names), and
//! [`both_engines!`], which turns one test body into a test per engine.
//!
//! Unset, `GATEHOUSE_TEST_DATABASE_URL` makes the PostgreSQL tests say they
//! were skipped; set but unreachable, they fail.
#![allow(clippy::expect_used, clippy::panic)]

pub mod chromium;
pub mod passkey;
pub mod relying_party;
mod server;
pub mod smtp;
mod staff;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

use gatehouse_store::{ConnectOptions, DynStore, Engine};
use sqlx::Connection;

pub use server::{Mail, TestServer, browser, decode_quoted_printable, generous_limits};
pub use staff::{
    STAFF_PASSWORD, continue_to, form_field, hidden_fields, import_form, sign_in_and_continue,
};

/// Whether a test that needs an outside tool (`what`, missing because of
/// `why`) is skipped here: it says so and answers `true`; under
/// `GATEHOUSE_E2E=required` (as in CI) it panics instead. The one rule of
/// every such test.
pub fn skipped_without(what: &str, why: Option<&str>) -> bool {
    let Some(why) = why else {
        return false;
    };
    if std::env::var("GATEHOUSE_E2E").is_ok_and(|v| v == "required") {
        panic!("the {what} is required but cannot run: {why}");
    }
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!("note: {what} skipped: {why}\n"),
    );
    true
}

/// A queued activation mail to `recipient`, for tests of the outbox.
pub fn mail_to(recipient: impl Into<String>) -> gatehouse_store::NewMail {
    gatehouse_store::NewMail {
        site_id: None,
        recipient: recipient.into(),
        template_key: "activation".into(),
        language: "en".into(),
        subject: "Hello".into(),
        body_text: "text".into(),
        body_html: "<p>html</p>".into(),
    }
}

/// The variable naming the PostgreSQL server tests use.
pub const PG_URL_VAR: &str = "GATEHOUSE_TEST_DATABASE_URL";

/// A database that exists for one test and is removed after it.
#[derive(Debug)]
pub struct TestDb {
    /// Its URL.
    pub url: String,
    /// Its engine.
    pub engine: Engine,
    dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite database file in a new temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir =
            std::env::temp_dir().join(format!("gatehouse-test-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("create the test folder");
        let url = format!("sqlite://{}", dir.join("gatehouse.db").display());
        TestDb {
            url,
            engine: Engine::Sqlite,
            dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a note on stderr) when
    /// `GATEHOUSE_TEST_DATABASE_URL` is unset.
    pub async fn postgres() -> Option<TestDb> {
        let Some(admin_url) = std::env::var(PG_URL_VAR).ok().filter(|v| !v.is_empty()) else {
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                // Written past the test harness's capture so that it is seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {PG_URL_VAR} is not set; the PostgreSQL tests were skipped"
                );
            });
            return None;
        };
        let name = format!("gatehouse_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!("{PG_URL_VAR} is set but PostgreSQL cannot be reached: {e}")
            });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("GATEHOUSE_TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Some(TestDb {
            url: url.to_string(),
            engine: Engine::Postgres,
            dir: None,
            pg: Some((admin_url, name)),
        })
    }

    /// Another fresh database on the same engine (to move data between
    /// two installations).
    pub async fn sibling(&self) -> TestDb {
        match self.engine {
            Engine::Sqlite => TestDb::sqlite().await,
            Engine::Postgres => TestDb::postgres()
                .await
                .expect("a PostgreSQL test has its server"),
        }
    }

    /// A migrated store on this database.
    pub async fn store(&self) -> DynStore {
        let store = gatehouse_store::connect(&self.url, &ConnectOptions::default())
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = self.pg.take() {
            // Drop runs outside async code: a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                                .execute(&mut admin)
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Writes each `async fn name(db: TestDb) { … }` as two tests, `name::sqlite`
/// and `name::postgres`, each on a fresh database of its engine.
#[macro_export]
macro_rules! both_engines {
    ($(#[$meta:meta])* async fn $name:ident($db:ident: TestDb) $body:block $($rest:tt)*) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($db: $crate::TestDb) $body

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::TestDb::sqlite().await).await
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::TestDb::postgres().await {
                    run(db).await
                }
            }
        }
        $crate::both_engines!($($rest)*);
    };
    () => {};
}

/// The JSON of part `n` of a compact JWS (0: the header, 1: the claims),
/// read without checking anything (tests look at what a token says).
pub fn jwt_part(token: &str, n: usize) -> serde_json::Value {
    use base64::Engine as _;
    let part = token.split('.').nth(n).expect("a compact JWS");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&raw).expect("JSON")
}
