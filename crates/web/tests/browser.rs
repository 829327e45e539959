//! The portal in a real browser: headless Chromium, driven by Playwright
//! (`e2e/portal.mjs`), registers, activates from the delivered mail, signs
//! in, changes the password and signs out, turns two-step sign-in on and
//! signs in with the app's code and a recovery code, on both engines; adds
//! a passkey and signs in with it typing nothing, with the DevTools
//! virtual authenticator (`passkeys.mjs`); staff walk the
//! console (`console.mjs`, `customers.mjs`); a shop built on
//! `openid-client` signs customers in through the portal (`oidc.mjs`); and
//! every console and portal page, in English and German, passes axe-core's
//! default rules with no violation of any impact, photographed into
//! `target/screenshots/` (`a11y.mjs`).
//!
//! Needs Node.js, Chromium (`/usr/bin/chromium` or `$CHROMIUM`) and
//! `npm ci --prefix e2e`. Without them the test says it was skipped, unless
//! `GATEHOUSE_E2E=required` (as in CI), when it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use gatehouse_testkit::chromium::{self, ADMIN, console_admin, e2e_dir, missing, node_walk};
use gatehouse_testkit::{TestServer, both_engines};

/// True when the browser tests cannot run here and may be skipped (it says
/// so); panics when they cannot run but are required.
fn skipped() -> bool {
    chromium::skipped("browser test")
}

async fn walk(server: &TestServer) {
    if skipped() {
        return;
    }
    let screenshot = std::env::temp_dir().join(format!("gatehouse-e2e-{}.png", server.addr.port()));
    let mail_dir = server.mail_dir.to_string_lossy();
    node_walk(
        "portal.mjs",
        &[server.base_url.as_str(), &mail_dir],
        &screenshot,
        "browser walk: register, activate, sign in, change password, sign out, two-step sign-in: ok",
    )
    .await;
}

async fn console_walk(server: &TestServer) {
    if missing().is_some() {
        return walk(server).await;
    }
    console_admin(server).await;
    server
        .change_main_settings(|s| s.approval_required = true)
        .await;
    let client = reqwest::Client::new();
    let r = client
        .post(server.url("/api/v1/sites/main/registrations"))
        .json(&serde_json::json!({"email": "grace@example.com", "password": "correct horse battery staple", "first_name": "Grace", "last_name": "Hopper"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let link = server
        .nth_mail("grace@example.com", 1)
        .await
        .link_to(&server.base_url, "/activate")
        .unwrap();
    client.get(&link).send().await.unwrap();
    let screenshot =
        std::env::temp_dir().join(format!("gatehouse-console-{}.png", server.addr.port()));
    node_walk(
        "console.mjs",
        &[
            server.base_url.as_str(),
            ADMIN.0,
            ADMIN.1,
            "grace@example.com",
        ],
        &screenshot,
        "console walk: approve from the queue, impersonate, password change refused: ok",
    )
    .await;
}

/// Staff filter the customer list by country, sort it by last name
/// descending and download the CSV, in Chromium; everything is checked
/// against a reference computed here from the customers the test added.
async fn customer_list_walk(server: &TestServer) {
    if skipped() {
        return;
    }
    gatehouse_app::staff::add_staff(
        &server.app,
        &gatehouse_store::Actor::system("test"),
        "admin@example.com",
        gatehouse_domain::StaffRole::Admin,
        "a long and unusual passphrase",
    )
    .await
    .unwrap();
    let people = [
        ("Ada", "Lovelace", "GB"),
        ("Grace", "Hopper", "US"),
        ("Katherine", "Johnson", "US"),
        ("Alan", "Turing", "GB"),
        ("Dorothy", "Vaughan", "US"),
        ("Mary", "O'Neil, Jr", "US"),
    ];
    let now = time::OffsetDateTime::now_utc();
    let mut tx = server.app.store.begin().await.unwrap();
    for (first, last, country) in people {
        tx.insert_customer(&gatehouse_store::Customer {
            id: uuid::Uuid::now_v7(),
            fields: gatehouse_store::CustomerFields {
                first_name: first.into(),
                last_name: last.into(),
                country: Some(country.into()),
                company: (last == "Hopper").then(|| "=SUM(A1:A9)".to_string()),
                notifications: true,
                ..Default::default()
            },
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let out = tokio::process::Command::new("node")
        .arg(e2e_dir().join("customers.mjs"))
        .args([server.base_url.as_str(), ADMIN.0, ADMIN.1, "US"])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "customer list walk failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let mut expected: Vec<&str> = people.iter().filter(|p| p.2 == "US").map(|p| p.1).collect();
    expected.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(seen["total"], format!("{} customers", expected.len()));
    assert_eq!(seen["lastNames"], serde_json::json!(expected), "{seen}");
    assert!(seen["url"].as_str().unwrap().contains("sort=-last_name"));
    // The CSV is the filtered list (in the order customers were added), RFC
    // 4180 quoted, with the formula-looking cell neutralised.
    let csv = seen["csv"].as_str().unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let got: Vec<(String, String)> = rows
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[2].to_string(), r[4].to_string())
        })
        .collect();
    let want: Vec<(String, String)> = people
        .iter()
        .filter(|p| p.2 == "US")
        .map(|p| {
            let company = if p.1 == "Hopper" { "'=SUM(A1:A9)" } else { "" };
            (p.1.to_string(), company.to_string())
        })
        .collect();
    assert_eq!(got, want, "{csv}");
    assert!(
        csv.contains("\"O'Neil, Jr\""),
        "quoted as RFC 4180 asks: {csv}"
    );
}

/// A shop (`e2e/shop.mjs`, Node with `openid-client`, registered as a
/// third-party app) signs a customer in through the portal after their
/// consent, signs them out through itself, and is told by back-channel
/// logout when staff block the customer in the console.
async fn shop_walk(server: &TestServer) {
    if skipped() {
        return;
    }
    console_admin(server).await;
    let admin = server
        .staff_token("api@example.com", gatehouse_domain::StaffRole::Admin, &[])
        .await;
    let account = server
        .active_account("ada@example.com", "correct horse battery staple")
        .await;
    let port = gatehouse_testkit::smtp::free_port();
    let shop = format!("http://127.0.0.1:{port}");
    let (status, made) = server
        .api(
            reqwest::Method::POST,
            "/api/v1/sites/main/clients",
            Some(&admin),
            Some(serde_json::json!({
                "name": "Shop", "type": "confidential", "first_party": false,
                "redirect_uris": [format!("{shop}/callback")],
                "post_logout_redirect_uris": [format!("{shop}/")],
                "backchannel_logout_uri": format!("{shop}/backchannel"),
                "scopes": ["openid", "profile", "email"],
            })),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{made}");
    let screenshot =
        std::env::temp_dir().join(format!("gatehouse-shop-{}.png", server.addr.port()));
    let args = [
        server.base_url.as_str(),
        &port.to_string(),
        made["client_id"].as_str().unwrap(),
        made["client_secret"].as_str().unwrap(),
        "ada@example.com",
        "correct horse battery staple",
        &account.to_string(),
        ADMIN.0,
        ADMIN.1,
    ];
    node_walk(
        "oidc.mjs",
        &args,
        &screenshot,
        "oidc walk: sign in through the shop, sign out through it, blocked in the console, back-channel logout: ok",
    )
    .await;
}

both_engines! {
    async fn a_shop_signs_customers_in_through_the_portal_in_chromium(db: TestDb) {
        let server = TestServer::start(&db).await;
        shop_walk(&server).await;
        server.stop().await;
    }

    async fn staff_filter_sort_and_download_customers_in_chromium(db: TestDb) {
        let server = TestServer::start(&db).await;
        customer_list_walk(&server).await;
        server.stop().await;
    }

    async fn staff_approve_and_impersonate_in_chromium(db: TestDb) {
        let server = TestServer::start(&db).await;
        console_walk(&server).await;
        server.stop().await;
    }

    async fn a_customer_uses_the_portal_in_chromium(db: TestDb) {
        let server = TestServer::start(&db).await;
        walk(&server).await;
        server.stop().await;
    }

    async fn a_customer_adds_a_passkey_and_signs_in_with_it_in_chromium(db: TestDb) {
        let server = TestServer::start(&db).await;
        if skipped() {
            return;
        }
        // WebAuthn takes a host name, never an IP address: the portal at
        // `localhost` (the same server).
        let password = "correct horse battery staple";
        server.active_account("ada@example.com", password).await;
        let base = format!("http://localhost:{}", server.addr.port());
        server.change_main_settings(|s| s.base_url = Some(format!("{base}/s/main"))).await;
        let screenshot = std::env::temp_dir().join(format!("gatehouse-passkeys-{}.png", server.addr.port()));
        node_walk(
            "passkeys.mjs",
            &[base.as_str(), "ada@example.com", password],
            &screenshot,
            "passkey walk: add a passkey, sign in with it by its button and by the autofill, typing nothing: ok",
        )
        .await;
        server.stop().await;
    }
}

/// Where the accessibility walk leaves its screenshots, to be looked at.
fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

/// Every page of the console and the portal with data on it: an active
/// customer, a pending registration, a group, an app, a sent mail.
#[tokio::test]
async fn every_page_passes_axe_in_english_and_german() {
    if skipped() {
        return;
    }
    let db = gatehouse_testkit::TestDb::sqlite().await;
    let server = TestServer::start(&db).await;
    console_admin(&server).await;
    let password = "correct horse battery staple";
    let account = server.active_account("ada@example.com", password).await;
    let mut tx = server.app.store.read().await.unwrap();
    let customer = tx
        .account_by_id(account)
        .await
        .unwrap()
        .unwrap()
        .customer_id
        .unwrap();
    drop(tx);
    server
        .change_main_settings(|s| s.approval_required = true)
        .await;
    let (status, _) = server
        .api(
            reqwest::Method::POST,
            "/api/v1/sites/main/registrations",
            None,
            Some(serde_json::json!({"email": "grace@example.com", "password": password, "first_name": "Grace", "last_name": "Hopper", "company": "Navy"})),
        )
        .await;
    assert_eq!(status, 202);
    let admin = server
        .staff_token(ADMIN.0, gatehouse_domain::StaffRole::Admin, &[])
        .await;
    let (status, _) = server
        .api(
            reqwest::Method::POST,
            "/api/v1/groups",
            Some(&admin),
            Some(serde_json::json!({"name": "Installers"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, app) = server
        .api(
            reqwest::Method::POST,
            "/api/v1/sites/main/clients",
            Some(&admin),
            Some(serde_json::json!({"name": "Shop", "type": "confidential", "redirect_uris": ["https://shop.example.com/callback"], "scopes": ["openid", "profile"]})),
        )
        .await;
    assert_eq!(status, 201, "{app}");
    let client_id = app["client_id"].as_str().unwrap();
    let (status, company) = server
        .api(
            reqwest::Method::POST,
            "/api/v1/companies",
            Some(&admin),
            Some(serde_json::json!({"name": "Analytical Engines Ltd", "external_id": "ERP-1", "address": "1 Engine Way\nLondon"})),
        )
        .await;
    assert_eq!(status, 201, "{company}");
    let company = company["id"].as_str().unwrap().to_string();
    let (status, _) = server
        .api(
            reqwest::Method::PATCH,
            &format!("/api/v1/customers/{customer}"),
            Some(&admin),
            Some(serde_json::json!({"company_id": company})),
        )
        .await;
    assert_eq!(status, 200);
    // Ada looks after her company's team (the team page is walked too).
    let (status, _) = server
        .api(
            reqwest::Method::PATCH,
            &format!("/api/v1/accounts/{account}"),
            Some(&admin),
            Some(serde_json::json!({"role": "customer_manager"})),
        )
        .await;
    assert_eq!(status, 200);
    let mail = server
        .app
        .store
        .read()
        .await
        .unwrap()
        .list_outbox(None, 1)
        .await
        .unwrap()[0]
        .id;

    // A dry run from the console's import form, with a bad row: its run
    // page (the report and the table of bad lines) is walked too.
    let (status, console) = server.console_sign_in(ADMIN.0, ADMIN.1, "").await;
    assert_eq!(status, 303);
    let form = server.page_text(&console, "/admin/import").await;
    let csrf = gatehouse_testkit::form_field(&form, "csrf");
    let (kind, body) = gatehouse_testkit::import_form(
        &[("csrf", &csrf), ("dry_run", "1")],
        "first_name,last_name,email,site\nCharles,Babbage,charles@example.com,main\nNo,Address,,main\n",
    );
    let sent = console
        .post(server.url("/admin/import"))
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let run = sent.headers()["location"].to_str().unwrap().to_string();
    let report = server.finished_import(&console, &run).await;
    assert!(report.contains("Dry run of 2 rows, 1 bad row"), "{report}");

    let plan = serde_json::json!({
        "base": server.base_url,
        "staff": {"email": ADMIN.0, "password": ADMIN.1},
        "customer": {"login": "ada@example.com", "password": password},
        "public": ["/", "/admin/login", "/admin/forgot-password", "/admin/setup/not-a-token", "/s/main/login", "/s/main/register",
                   "/s/main/forgot-password", "/s/main/resend-activation", "/s/main/activate?token=stale",
                   "/s/main/reset-password?token=stale", "/s/no-such-site/login", "/s/main/login/second-step",
                   "/s/main/two-step-reset?token=stale"],
        "console": ["/admin", "/admin/registrations", "/admin/registrations?status=unverified", "/admin/registrations?status=active",
                    format!("/admin/accounts/{account}"), "/admin/customers",
                    "/admin/customers/new", format!("/admin/customers/{customer}"),
                    "/admin/groups", "/admin/import", run, "/admin/companies", format!("/admin/companies/{company}"),
                    "/admin/reports/registrations?site=main",
                    "/admin/outbox", format!("/admin/outbox/{mail}"), "/admin/audit",
                    "/admin/sites", "/admin/sites/main", "/admin/sites/main/templates",
                    "/admin/sites/main/templates/activation/en", "/admin/sites/main/apps",
                    format!("/admin/sites/main/apps/{client_id}"), "/admin/staff",
                    "/admin/tokens", "/admin/settings", "/admin/security",
                    "/admin/no-such-page", "/admin/customers?page=abc"],
        "portal": ["/s/main/", "/s/main/profile", "/s/main/sessions", "/s/main/apps", "/s/main/team", "/s/main/change-password", "/s/main/two-step", "/s/main/passkeys"],
    });
    let pages = ["public", "console", "portal"]
        .iter()
        .map(|k| plan[k].as_array().unwrap().len())
        .sum::<usize>();
    let plan_file =
        std::env::temp_dir().join(format!("gatehouse-a11y-{}.json", server.addr.port()));
    std::fs::write(&plan_file, plan.to_string()).unwrap();
    let out = screenshot_dir();
    let _ = std::fs::remove_dir_all(&out);
    let run = tokio::process::Command::new("node")
        .arg(e2e_dir().join("a11y.mjs"))
        .arg(&plan_file)
        .arg(&out)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "a11y.mjs failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "accessibility: {} pages checked, no violation",
            pages * 2
        )),
        "{stdout}"
    );
    let shots = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().metadata().unwrap().len() > 1000)
        .count();
    assert_eq!(
        shots,
        pages * 2,
        "a screenshot of every page in both languages"
    );
    // The TOTP set-up's QR code, read back from its screenshot by a real
    // decoder, is the otpauth:// address of the staff user.
    let scanned = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(out.join("en-admin-security.png"))
        .output()
        .expect("zbarimg (apt-get install zbar-tools) reads QR codes");
    let scanned = String::from_utf8_lossy(&scanned.stdout);
    assert!(
        scanned.starts_with("otpauth://totp/")
            && scanned.contains("admin%40example.com")
            && scanned.contains("secret="),
        "the QR code holds the set-up address: {scanned:?}"
    );
    let _ = std::fs::remove_file(plan_file);
    server.stop().await;
}
