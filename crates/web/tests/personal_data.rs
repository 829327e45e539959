//! Personal data over a real socket on both engines: the export for staff
//! and for the customer, erasure that leaves no trace in the database (the
//! SQLite file and its log read byte by byte; every PostgreSQL table read in
//! full), and the retention purge.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::StaffRole;
use gatehouse_store::{Actor, Engine};
use gatehouse_testkit::{TestDb, TestServer, both_engines, browser, import_form};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
/// A name and address found nowhere else, to look for after the erasure.
const LAST: &str = "Zyxwvutsrq";
const EMAIL: &str = "quenby.zyxwvutsrq@example.com";

/// Whether anything in the database still holds `needle` (any case): the
/// SQLite file and its write-ahead log byte by byte, or on PostgreSQL
/// every row of every table as text.
async fn traces(db: &TestDb, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    match db.engine {
        Engine::Sqlite => {
            let path = db.url.trim_start_matches("sqlite://").to_string();
            let mut found = Vec::new();
            for file in [path.clone(), format!("{path}-wal")] {
                if let Ok(bytes) = std::fs::read(&file) {
                    let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
                    if lower.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        found.push(file);
                    }
                }
            }
            found
        }
        Engine::Postgres => {
            let store = gatehouse_store::connect(&db.url, &Default::default())
                .await
                .unwrap();
            drop(store);
            use sqlx::Connection as _;
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            let mut found = Vec::new();
            for table in tables {
                let sql =
                    format!("SELECT count(*) FROM \"{table}\" t WHERE lower(t::text) LIKE $1");
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(format!("%{needle}%"))
                    .fetch_one(&mut c)
                    .await
                    .unwrap();
                if n > 0 {
                    found.push(table);
                }
            }
            found
        }
    }
}

both_engines! {
    async fn erasure_leaves_no_trace_and_a_tombstone(db: TestDb) {
        let server = TestServer::start(&db).await;
        let account = server.active_account_named(EMAIL, PASSWORD, "Quenby", LAST).await;
        let customer = {
            let mut tx = server.app.store.read().await.unwrap();
            tx.account_by_id(account).await.unwrap().unwrap().customer_id.unwrap()
        };
        // A session, a staff note naming them, and a customer to keep.
        let portal = browser();
        let r = portal.post(server.url("/api/v1/sites/main/sessions"))
            .json(&json!({"login_id": EMAIL, "password": PASSWORD})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &["read", "write", "admin"]).await;
        let support = server.staff_token("support@example.com", StaffRole::Support, &["read", "write"]).await;
        let (s, _) = server.api(Method::PATCH, &format!("/api/v1/customers/{customer}"), Some(&admin),
            Some(json!({"notes": format!("called {EMAIL} about the {LAST} order")}))).await;
        assert_eq!(s, StatusCode::OK);
        let other = server.active_account("keep.me@example.com", PASSWORD).await;

        // The customer's own download, and staff's, hold everything.
        let own = portal.get(server.url("/api/v1/sites/main/me/personal-data")).send().await.unwrap();
        assert_eq!(own.status(), StatusCode::OK);
        assert!(own.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let own: Value = own.json().await.unwrap();
        assert_eq!(own["customer"]["last_name"], LAST);
        assert_eq!(own["accounts"][0]["login_id"], EMAIL);
        assert_eq!(own["accounts"][0]["sessions"].as_array().unwrap().len(), 1);
        assert!(own["mails"].as_array().unwrap().iter().any(|m| m["to"] == EMAIL), "{}", own["mails"]);
        assert!(own["audit_events"].as_array().unwrap().len() >= 2, "{}", own["audit_events"]);
        // The staff note's event is in both; only staff see who wrote it.
        let noted = |doc: &Value| doc["audit_events"].as_array().unwrap().iter()
            .find(|e| e["action"] == "customer.update").cloned().expect("the note's event");
        assert_eq!(noted(&own)["actor"]["label"], "api", "{}", noted(&own));
        assert!(!own.to_string().contains("admin@example.com"), "no staff address in the customer's copy");
        let (s, staff_view) = server.api(Method::GET, &format!("/api/v1/customers/{customer}/personal-data"), Some(&support), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(staff_view["accounts"], own["accounts"]);
        assert_eq!(noted(&staff_view)["actor"]["label"], "admin@example.com");
        let (_, audit) = server.api(Method::GET, &format!("/api/v1/audit?target={customer}&action=customer.personal_data_export"), Some(&admin), None).await;
        assert_eq!(audit["items"][0]["actor"]["label"], "support@example.com", "the copy is on the record: {audit}");
        assert!(!traces(&db, LAST).await.is_empty(), "the test can see the data before");

        // Support may not erase; a reason is needed.
        let path = format!("/api/v1/customers/{customer}/erasure");
        let (s, _) = server.api(Method::POST, &path, Some(&support), Some(json!({"reason": "asked by phone"}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, body) = server.api(Method::POST, &path, Some(&admin), Some(json!({"reason": "  "}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (s, report) = server.api(Method::POST, &path, Some(&admin), Some(json!({"reason": "request of 4 December"}))).await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!(report["accounts"], 1);
        assert!(report["mails"].as_u64().unwrap() >= 1, "{report}");

        // Gone everywhere: the API, the session, and every byte.
        let (s, _) = server.api(Method::GET, &format!("/api/v1/customers/{customer}"), Some(&admin), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let r = portal.get(server.url("/api/v1/sites/main/me")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the session ended with the account");
        let r = browser().post(server.url("/api/v1/sites/main/sessions"))
            .json(&json!({"login_id": EMAIL, "password": PASSWORD})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        for needle in [LAST, EMAIL, "Quenby"] {
            assert_eq!(traces(&db, needle).await, Vec::<String>::new(), "{needle} is still there");
        }
        // The tombstone says what happened, and the other customer stays.
        let (s, audit) = server.api(Method::GET, &format!("/api/v1/audit?target={customer}"), Some(&admin), None).await;
        assert_eq!(s, StatusCode::OK, "{audit}");
        let items = audit["items"].as_array().unwrap();
        let tomb = items.iter().find(|e| e["action"] == "customer.erase").expect("a tombstone");
        assert_eq!(tomb["details"]["reason"], "request of 4 December");
        assert!(items.iter().filter(|e| e["action"] != "customer.erase").all(|e| e["details"] == json!({"erased": true})), "{items:?}");
        let mut tx = server.app.store.read().await.unwrap();
        assert!(tx.account_by_id(other).await.unwrap().is_some());
    }

    async fn a_stopping_purge_ends_after_the_batch_it_is_in(db: TestDb) {
        let server = TestServer::start(&db).await;
        let first = server.active_account("gone.0@example.com", PASSWORD).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &["read", "write", "admin"]).await;
        let (s, body) = server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin),
            Some(json!({"action": "delete", "ids": [first]}))).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // 450 accounts deleted 91 days ago (the default keeps 90): more than
        // two batches of the purge.
        let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(91);
        let mut tx = server.app.store.begin().await.unwrap();
        let mut deleted = tx.account_by_id(first).await.unwrap().unwrap();
        deleted.deleted_at = Some(long_ago);
        tx.save_account(&deleted).await.unwrap();
        let clones: Vec<_> = (1..450).map(|i| gatehouse_store::Account {
            id: uuid::Uuid::now_v7(),
            customer_id: None,
            login_id: format!("gone.{i}@example.com"),
            email: format!("gone.{i}@example.com"),
            ..deleted.clone()
        }).collect();
        tx.insert_accounts(&clones).await.unwrap();
        tx.commit().await.unwrap();
        let site = deleted.site_id;
        let left = |server: &TestServer| {
            let store = server.app.store.clone();
            async move {
                let mut tx = store.read().await.unwrap();
                tx.deleted_accounts_before(site, long_ago + time::Duration::days(1), 1000).await.unwrap().len()
            }
        };
        assert_eq!(left(&server).await, 450);

        // A stop asked for during the first batch: that batch is finished,
        // whole and audited, and nothing more is done.
        let asked = std::sync::atomic::AtomicUsize::new(0);
        let stopping = || asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 1;
        let actor = Actor::system("test");
        let purged = gatehouse_app::privacy::purge_until(&server.app, &actor, false, &stopping).await.unwrap();
        assert!(!purged.is_empty() && purged.len() < 450, "one batch, then it stopped: {}", purged.len());
        assert_eq!(left(&server).await, 450 - purged.len());
        let mut tx = server.app.store.read().await.unwrap();
        for p in &purged {
            assert!(tx.account_by_id(p.account_id).await.unwrap().is_none());
            let events = tx.audit_of(p.account_id, 10).await.unwrap();
            assert!(events.iter().any(|e| e.action == "account.purge"), "each erased account is audited");
        }
        drop(tx);
        // The next run, not stopped, takes the rest.
        let rest = gatehouse_app::privacy::purge_until(&server.app, &actor, false, &|| false).await.unwrap();
        assert_eq!(purged.len() + rest.len(), 450);
        assert_eq!(left(&server).await, 0);
    }

    async fn the_purge_erases_accounts_deleted_past_the_retention_once(db: TestDb) {
        let server = TestServer::start(&db).await;
        let old = server.active_account("old.deleted@example.com", PASSWORD).await;
        let recent = server.active_account("recently.deleted@example.com", PASSWORD).await;
        let live = server.active_account("still.here@example.com", PASSWORD).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &["read", "write", "admin"]).await;
        let (s, body) = server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin),
            Some(json!({"action": "delete", "ids": [old, recent]}))).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // The first was deleted 91 days ago (the default keeps 90).
        {
            let mut tx = server.app.store.begin().await.unwrap();
            let mut a = tx.account_by_id(old).await.unwrap().unwrap();
            a.deleted_at = Some(time::OffsetDateTime::now_utc() - time::Duration::days(91));
            tx.save_account(&a).await.unwrap();
            tx.commit().await.unwrap();
        }
        let actor = Actor::system("test");
        let listed = gatehouse_app::privacy::purge(&server.app, &actor, true).await.unwrap();
        assert_eq!(listed.iter().map(|p| p.account_id).collect::<Vec<_>>(), [old], "a dry run lists it");
        let mut tx = server.app.store.read().await.unwrap();
        assert!(tx.account_by_id(old).await.unwrap().is_some(), "and erases nothing");
        drop(tx);

        // Console import runs are kept a week: the job removes older ones.
        let now = time::OffsetDateTime::now_utc();
        let runs: Vec<gatehouse_store::ImportRun> = [8, 6].iter().map(|days| gatehouse_store::ImportRun {
            id: uuid::Uuid::now_v7(),
            file: format!("{days}-days.csv"),
            dry_run: true,
            skip_bad_rows: false,
            size: 10,
            rows_read: 1,
            bytes_read: 10,
            outcome: Some("{\"error\":\"no header\"}".into()),
            created_at: now - time::Duration::days(*days),
            updated_at: now - time::Duration::days(*days),
        }).collect();
        let mut tx = server.app.store.begin().await.unwrap();
        for run in &runs {
            tx.insert_import_run(run).await.unwrap();
        }
        tx.commit().await.unwrap();

        // Two nodes: the one holding the lease purges, the other waits.
        let lease = time::Duration::minutes(5);
        assert_eq!(gatehouse_app::privacy::purge_job(&server.app, "node-a", lease, &|| false).await.unwrap(), Some(1));
        assert_eq!(gatehouse_app::privacy::purge_job(&server.app, "node-b", lease, &|| false).await.unwrap(), None);
        assert_eq!(gatehouse_app::privacy::purge_job(&server.app, "node-a", lease, &|| false).await.unwrap(), Some(0));

        let mut tx = server.app.store.read().await.unwrap();
        assert!(tx.account_by_id(old).await.unwrap().is_none(), "past the retention: erased");
        assert!(tx.account_by_id(recent).await.unwrap().is_some(), "within it: kept");
        assert!(tx.account_by_id(live).await.unwrap().is_some());
        let events = tx.audit_of(old, 10).await.unwrap();
        let purged = events.iter().find(|e| e.action == "account.purge").expect("audited");
        assert_eq!(purged.details["customer_erased"], true, "it was the customer's only account");
        assert_eq!(tx.import_run(runs[0].id).await.unwrap(), None, "an import run past a week went");
        assert_eq!(tx.import_run(runs[1].id).await.unwrap().map(|r| r.file), Some("6-days.csv".into()), "a younger one stays");
        drop(tx);
        assert_eq!(traces(&db, "old.deleted@example.com").await, Vec::<String>::new());
    }
}

async fn console(server: &TestServer, email: &str, role: StaffRole) -> reqwest::Client {
    server.console_as(email, role).await
}

both_engines! {
    async fn the_console_imports_a_file_and_erases_a_customer(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let support = console(&server, "support@example.com", StaffRole::Support).await;
        let page = admin.get(server.url("/admin/import")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let csrf = gatehouse_testkit::form_field(&page.text().await.unwrap(), "csrf");
        assert_eq!(support.get(server.url("/admin/import")).send().await.unwrap().status(), StatusCode::FORBIDDEN);

        let file = "Vorname,Nachname,E-Mail,Portal\nErnst,Zyxwvutsrq,ernst@example.com,main\nBad,Row,not-an-address,main\n";
        let mapping = "Vorname=first_name\nNachname=last_name\nE-Mail=email\nPortal=site";
        // All or nothing, for real: the bad row is reported with its line,
        // and nothing is written.
        let (kind, body) = import_form(&[("csrf", &csrf), ("mapping", mapping), ("mode", "all_or_nothing")], file);
        let r = admin.post(server.url("/admin/import")).header("content-type", &kind).body(body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let html = server.finished_import(&admin, &location).await;
        assert!(html.contains("Nothing was imported"), "{html}");
        assert!(html.contains("<td>3</td>") && html.contains("email:"), "line 3 is named: {html}");
        let (s, list) = server.api(Method::GET, "/api/v1/customers?q=Zyxwvutsrq", Some(&server.staff_token("t@example.com", StaffRole::Admin, &["read"]).await), None).await;
        assert_eq!((s, list["total"].as_i64()), (StatusCode::OK, Some(0)), "{list}");

        // A mapping line without "=" is refused on the form, as typed.
        let (kind, body) = import_form(&[("csrf", &csrf), ("mapping", "Vorname first_name")], file);
        let r = admin.post(server.url("/admin/import")).header("content-type", &kind).body(body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("has no") && html.contains("Vorname first_name</textarea>"), "{html}");

        // A forged form (no token) is refused; the good rows are imported.
        let (kind, body) = import_form(&[("csrf", "forged"), ("mapping", mapping), ("mode", "skip_bad_rows")], file);
        let r = admin.post(server.url("/admin/import")).header("content-type", &kind).body(body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (kind, body) = import_form(&[("csrf", &csrf), ("mapping", mapping), ("mode", "skip_bad_rows")], file);
        let r = admin.post(server.url("/admin/import")).header("content-type", &kind).body(body).send().await.unwrap();
        let html = server.finished_import(&admin, r.headers()["location"].to_str().unwrap()).await;
        assert!(html.contains("Imported 1 customers, 1 accounts"), "{html}");
        // A run that is not kept is a 404 that says why.
        let r = admin.get(server.url(&format!("/admin/import/{}", uuid::Uuid::now_v7()))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let html = r.text().await.unwrap();
        assert!(html.contains("There is no such import") && html.contains("customers.import"), "{html}");
        // A second dry run of the file: its report names Ernst's address
        // (taken already), until he is erased.
        let (kind, body) = import_form(&[("csrf", &csrf), ("mapping", mapping), ("dry_run", "1")], file);
        let r = admin.post(server.url("/admin/import")).header("content-type", &kind).body(body).send().await.unwrap();
        let again = r.headers()["location"].to_str().unwrap().to_string();
        let html = server.finished_import(&admin, &again).await;
        assert!(html.contains("ernst@example.com"), "{html}");

        // The customer's page offers the download and, to admins, erasure.
        let mut tx = server.app.store.read().await.unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        let customer = tx.account_by_login_id(site.id, "ernst@example.com").await.unwrap().unwrap().customer_id.unwrap();
        drop(tx);
        let path = format!("/admin/customers/{customer}");
        let html = admin.get(server.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("{path}/personal-data")) && html.contains(&format!("{path}/erasure")));
        let html = support.get(server.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("/personal-data") && !html.contains("/erasure"), "support may not erase");
        let download = support.get(server.url(&format!("{path}/personal-data"))).send().await.unwrap();
        assert_eq!(download.status(), StatusCode::OK);
        let data: Value = download.json().await.unwrap();
        assert_eq!(data["customer"]["last_name"], LAST);

        // Asked first (the reason carried), then done.
        let ask = admin.post(server.url(&format!("{path}/erasure"))).form(&[("csrf", csrf.as_str()), ("reason", "asked by letter")]).send().await.unwrap();
        assert_eq!(ask.status(), StatusCode::OK);
        let ask = ask.text().await.unwrap();
        assert!(ask.contains("Erase Ernst Zyxwvutsrq for good?"), "{ask}");
        let hidden = gatehouse_testkit::hidden_fields(&ask, &format!("{path}/erasure"));
        assert!(hidden.contains(&("reason".to_string(), "asked by letter".to_string())), "{hidden:?}");
        let done = admin.post(server.url(&format!("{path}/erasure"))).form(&hidden).send().await.unwrap();
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.unwrap().contains("Customer erased."));
        assert_eq!(traces(&db, LAST).await, Vec::<String>::new());
        assert_eq!(traces(&db, "ernst@example.com").await, Vec::<String>::new());
        assert_eq!(admin.get(server.url(&again)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "the report naming him went");
    }
}
