//! Several nodes on one database, over real sockets: a session revoked on
//! one node (a block, a sign-out) can write nothing on another at once, and
//! on PostgreSQL the other node's copies of reads are dropped as soon as it
//! hears of the change, not when their time runs out; the same holds for an
//! app's sign-in revoked on one node and its userinfo on another. An import
//! uploaded to one node is shown by another. Readiness follows the server's
//! life.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use gatehouse_domain::StaffRole;
use gatehouse_store::Engine;
use gatehouse_testkit::{TestServer, both_engines, browser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

/// A customer's browser signed in through `node`.
async fn signed_in(node: &TestServer, email: &str) -> reqwest::Client {
    let client = browser();
    let r = client
        .post(node.url("/api/v1/sites/main/sessions"))
        .json(&json!({"login_id": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    client
}

async fn me(client: &reqwest::Client, node: &TestServer) -> StatusCode {
    client
        .get(node.url("/api/v1/sites/main/me"))
        .send()
        .await
        .unwrap()
        .status()
}

async fn set_city(client: &reqwest::Client, node: &TestServer, city: &str) -> StatusCode {
    client
        .patch(node.url("/api/v1/sites/main/me"))
        .json(&json!({"city": city}))
        .send()
        .await
        .unwrap()
        .status()
}

/// Asks `node` for the customer's profile until it refuses (up to 10 s).
async fn refused_soon(client: &reqwest::Client, node: &TestServer) -> bool {
    for _ in 0..200 {
        if me(client, node).await == StatusCode::UNAUTHORIZED {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn city_of(server: &TestServer, account_id: &str) -> Option<String> {
    let mut tx = server.app.store.read().await.unwrap();
    let account = tx
        .account_by_id(account_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let customer = tx
        .customer_by_id(account.customer_id?)
        .await
        .unwrap()
        .unwrap();
    customer.fields.city
}

both_engines! {
    async fn an_import_uploaded_to_one_node_is_shown_by_another(db: TestDb) {
        let a = TestServer::start(&db).await;
        let b = TestServer::start_node(&db, Duration::from_secs(3600)).await;
        let on_a = a.console_as("admin@example.com", StaffRole::Admin).await;
        let (status, on_b) = b.console_sign_in("admin@example.com", gatehouse_testkit::STAFF_PASSWORD, "").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let csrf = gatehouse_testkit::form_field(&a.page_text(&on_a, "/admin/import").await, "csrf");
        let file = "first_name,last_name,email,site\nAda,Lovelace,ada@example.com,main\nNo,Address,,main\n";
        let (kind, body) = gatehouse_testkit::import_form(&[("csrf", &csrf), ("dry_run", "1")], file);
        let sent = on_a.post(a.url("/admin/import")).header("content-type", kind).body(body).send().await.unwrap();
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
        let run = sent.headers()["location"].to_str().unwrap().to_string();
        let html = b.finished_import(&on_b, &run).await;
        assert!(html.contains("Dry run of 2 rows, 1 bad row") && html.contains("<td>3</td>"), "{html}");

        // A run whose node stopped writing long ago, without an outcome,
        // stopped (its transaction went with its node); one written just
        // now is running, and its page keeps refreshing.
        let now = time::OffsetDateTime::now_utc();
        for (age, running) in [(60, false), (0, true)] {
            let id = uuid::Uuid::now_v7();
            let mut tx = b.app.store.begin().await.unwrap();
            tx.insert_import_run(&gatehouse_store::ImportRun {
                id,
                file: "big.csv".into(),
                dry_run: false,
                skip_bad_rows: false,
                size: 1000,
                rows_read: 10,
                bytes_read: 100,
                outcome: None,
                created_at: now - time::Duration::seconds(age),
                updated_at: now - time::Duration::seconds(age),
            }).await.unwrap();
            tx.commit().await.unwrap();
            let r = on_b.get(b.url(&format!("/admin/import/{id}"))).send().await.unwrap();
            let status = r.status();
            let html = r.text().await.unwrap();
            if running {
                assert_eq!(status, StatusCode::OK);
                assert!(html.contains("http-equiv=\"refresh\"") && html.contains("10 rows so far"), "{html}");
            } else {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
                assert!(html.contains("stopped before it ended") && !html.contains("http-equiv=\"refresh\""), "{html}");
            }
        }
    }

    async fn a_sign_in_begun_on_one_node_is_finished_on_another(db: TestDb) {
        let a = TestServer::start(&db).await;
        let b = TestServer::start_node(&db, Duration::from_secs(3600)).await;
        let admin = a.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let (status, _) = a.api(Method::PATCH, "/api/v1/sites/main/settings", Some(&admin), Some(json!({"two_step": "everyone"}))).await;
        assert_eq!(status, StatusCode::OK);
        a.active_account("ada@example.com", PASSWORD).await;
        // The password on A: the site requires a second step, to set up.
        let client = browser();
        let r = client.post(a.url("/api/v1/sites/main/sessions"))
            .json(&json!({"login_id": "ada@example.com", "password": PASSWORD}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let step_cookie = r.headers().get_all("set-cookie").iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .find(|c| c.starts_with("gh_step_main="))
            .expect("the half-done sign-in's cookie");
        assert_eq!(r.json::<Value>().await.unwrap()["set_up"], true);
        // B shows the secret A's half-done sign-in made, and finishes it.
        let step: Value = client.get(b.url("/api/v1/sites/main/sessions/second-step")).send().await.unwrap().json().await.unwrap();
        let secret = step["enrolment"]["secret"].as_str().unwrap().to_string();
        let on_a: Value = client.get(a.url("/api/v1/sites/main/sessions/second-step")).send().await.unwrap().json().await.unwrap();
        assert_eq!(on_a["enrolment"]["secret"], secret.as_str(), "one secret, whichever node shows it");
        let unix = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        let code = gatehouse_app::totp::code_at(&secret, unix).unwrap();
        let r = client.post(b.url("/api/v1/sites/main/sessions/second-step")).json(&json!({"code": code})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["recovery_codes"].as_array().unwrap().len(), 10);
        assert_eq!(me(&client, &a).await, StatusCode::OK, "the session works on A too");
        // Finished once: its token replayed on A finishes nothing.
        let r = reqwest::Client::new().post(a.url("/api/v1/sites/main/sessions/second-step"))
            .header("cookie", &step_cookie).json(&json!({"code": code})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap().starts_with("gh_session_")));
    }

    async fn a_session_revoked_on_one_node_writes_nothing_on_another(db: TestDb) {
        let a = TestServer::start(&db).await;
        // B's copies of reads would live an hour: only a check inside the
        // write, or what B hears from A, can stop them.
        let b = TestServer::start_node(&db, Duration::from_secs(3600)).await;
        let admin = a.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let id = a.active_account("ada@example.com", PASSWORD).await.to_string();

        // Blocked on A: B refuses the next write at once.
        let client = signed_in(&b, "ada@example.com").await;
        assert_eq!(me(&client, &b).await, StatusCode::OK, "B holds a copy now");
        assert_eq!(set_city(&client, &b, "BeforeBlock").await, StatusCode::OK);
        assert_eq!(me(&client, &b).await, StatusCode::OK);
        let (status, body) = a
            .api(Method::POST, "/api/v1/accounts/actions", Some(&admin), Some(json!({"action": "block", "ids": [id]})))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(set_city(&client, &b, "AfterBlock").await, StatusCode::UNAUTHORIZED);
        assert_eq!(city_of(&a, &id).await.as_deref(), Some("BeforeBlock"), "the refused write changed nothing");
        if db.engine == Engine::Postgres {
            assert!(refused_soon(&client, &b).await, "B kept serving a blocked customer's reads");
        }

        // Signed out through A: the session writes nothing on B either.
        let (status, body) = a
            .api(Method::POST, "/api/v1/accounts/actions", Some(&admin), Some(json!({"action": "unblock", "ids": [id]})))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let client = signed_in(&b, "ada@example.com").await;
        assert_eq!(me(&client, &b).await, StatusCode::OK);
        let out = client.delete(a.url("/api/v1/sites/main/sessions/current")).send().await.unwrap();
        assert!(out.status().is_success(), "{}", out.status());
        assert_eq!(set_city(&client, &b, "AfterSignOut").await, StatusCode::UNAUTHORIZED);
        if db.engine == Engine::Postgres {
            assert!(refused_soon(&client, &b).await, "B kept serving a signed-out session's reads");
        }
        assert_eq!(city_of(&a, &id).await.as_deref(), Some("BeforeBlock"));
        b.stop().await;
        a.stop().await;
    }

    async fn an_apps_sign_in_revoked_on_one_node_ends_its_userinfo_on_another(db: TestDb) {
        let a = TestServer::start(&db).await;
        let b = TestServer::start_node(&db, Duration::from_secs(3600)).await;
        let admin = a.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        a.active_account("ada@example.com", PASSWORD).await;
        // Both nodes answer for one issuer, as behind one public address.
        let (status, body) = a.api(Method::PATCH, "/api/v1/sites/main/settings", Some(&admin),
            Some(json!({"base_url": a.url("/s/main")}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let redirect = "http://127.0.0.1:9/callback";
        let (status, made) = a.api(Method::POST, "/api/v1/sites/main/clients", Some(&admin), Some(json!({
            "name": "Shop", "type": "confidential", "first_party": true, "redirect_uris": [redirect],
            "scopes": ["openid", "profile"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let (id, secret) = (made["client_id"].as_str().unwrap(), made["client_secret"].as_str().unwrap());
        let customer = signed_in(&a, "ada@example.com").await;
        let r = customer
            .get(a.url(&format!("/s/main/oauth2/authorize?client_id={id}&redirect_uri={redirect}&response_type=code&scope=openid%20profile")))
            .send().await.unwrap();
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let code = url::Url::parse(&to).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
        let http = reqwest::Client::new();
        let tokens: Value = http.post(a.url("/s/main/oauth2/token")).basic_auth(id, Some(secret))
            .form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", redirect)])
            .send().await.unwrap().json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let userinfo = |node: &TestServer| http.get(node.url("/s/main/oauth2/userinfo")).bearer_auth(&access).send();
        for node in [&a, &b, &b] {
            assert_eq!(userinfo(node).await.unwrap().status(), StatusCode::OK, "B keeps a copy now");
        }

        // The app revokes its sign-in through A (RFC 7009).
        let r = http.post(a.url("/s/main/oauth2/revoke")).basic_auth(id, Some(secret))
            .form(&[("token", access.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(userinfo(&a).await.unwrap().status(), StatusCode::UNAUTHORIZED, "at once on A");
        if db.engine == Engine::Postgres {
            let mut refused = false;
            for _ in 0..200 {
                if userinfo(&b).await.unwrap().status() == StatusCode::UNAUTHORIZED {
                    refused = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(refused, "B kept answering userinfo for a revoked sign-in");
        }
        b.stop().await;
        a.stop().await;
    }

    async fn readiness_fails_while_starting_and_from_the_stop_on(db: TestDb) {
        let server = TestServer::start_configured(&db, |o| {
            o.starting = true;
            o.stop_delay = Duration::from_millis(1500);
        })
        .await;
        let http = reqwest::Client::new();
        let get = |path: &str| http.get(server.url(path)).send();
        assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
        let r = get("/readyz").await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "starting");
        let r = get("/api/v1/sites/main/me").await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "nothing is served before ready");
        assert_eq!(r.headers()["retry-after"], "1");

        server.running.ready();
        assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);
        assert_eq!(get("/api/v1/sites/main/me").await.unwrap().status(), StatusCode::UNAUTHORIZED);

        // Stopping: /readyz fails at once, while requests are still served
        // during the stop delay.
        let addr = server.addr;
        let TestServer { running, .. } = server;
        let stopping = tokio::spawn(running.stop());
        tokio::time::sleep(Duration::from_millis(200)).await;
        let r = http.get(format!("http://{addr}/readyz")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "stopping");
        let r = http.get(format!("http://{addr}/api/v1/sites/main/me")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "still serving during the delay");
        stopping.await.unwrap().unwrap();
        assert!(reqwest::Client::new().get(format!("http://{addr}/healthz")).send().await.is_err(), "stopped accepting");
    }

    async fn a_request_in_flight_when_the_stop_comes_is_answered(db: TestDb) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let server = TestServer::start(&db).await;
        let addr = server.addr;
        let body = json!({"email": "late@example.com", "password": PASSWORD, "first_name": "Late", "last_name": "Comer"}).to_string();
        let (first, rest) = body.split_at(body.len() / 2);
        let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /api/v1/sites/main/registrations HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(first.as_bytes()).await.unwrap();
        socket.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;

        let TestServer { running, .. } = server;
        let stopping = tokio::spawn(running.stop());
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!stopping.is_finished(), "the stop waits for the request in flight");
        socket.write_all(rest.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        socket.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
        stopping.await.unwrap().unwrap();
        // The store closed with the server: look with a new handle.
        let store = db.store().await;
        let mut tx = store.read().await.unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        assert!(tx.account_by_email(site.id, "late@example.com").await.unwrap().is_some());
    }
}
