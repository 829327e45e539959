//! The browser tests' common ground: the `e2e/` scripts (Node with
//! Playwright driving headless Chromium), what they need, a console admin
//! they sign in as, and running one of them to the end.

use std::path::{Path, PathBuf};

use crate::TestServer;

/// The folder of the Node scripts.
pub fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// Why the browser tests cannot run here, if they cannot.
pub fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !PathBuf::from(&chromium).exists() {
        return Some(format!("no Chromium at {chromium}"));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("no node on PATH".into());
    }
    if std::process::Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("no zbarimg on PATH (apt-get install zbar-tools)".into());
    }
    if !e2e_dir().join("node_modules/playwright-core").exists() {
        return Some("playwright-core is not installed (npm ci --prefix e2e)".into());
    }
    None
}

/// True when the browser test `what` cannot run here and may be skipped
/// (it says so); panics when it cannot run but is required.
pub fn skipped(what: &str) -> bool {
    crate::skipped_without(what, missing().as_deref())
}

/// The staff user the console walks sign in as.
pub const ADMIN: (&str, &str) = ("admin@example.com", "a long and unusual passphrase");

/// Adds [`ADMIN`] as an admin with that password.
pub async fn console_admin(server: &TestServer) {
    let actor = gatehouse_store::Actor::system("test");
    gatehouse_app::staff::add_staff(
        &server.app,
        &actor,
        ADMIN.0,
        gatehouse_domain::StaffRole::Admin,
        ADMIN.1,
    )
    .await
    .expect("the console admin is added");
}

/// Runs `node e2e/SCRIPT ARGS… SCREENSHOT`; asserts it succeeded, printed
/// `done`, and took a screenshot.
pub async fn node_walk(script: &str, args: &[&str], screenshot: &Path, done: &str) {
    let out = tokio::process::Command::new("node")
        .arg(e2e_dir().join(script))
        .args(args)
        .arg(screenshot)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(done), "{stdout}");
    assert!(
        std::fs::metadata(screenshot).is_ok_and(|m| m.len() > 1000),
        "{script} took a screenshot"
    );
    let _ = std::fs::remove_file(screenshot);
}
