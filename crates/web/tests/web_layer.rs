//! The web layer's shared rules, over a real socket on both engines: who is
//! asking is settled before a body is read, malformed JSON is a 400 and JSON
//! of the wrong shape a 422, and every form token is one cookie writer's and
//! one comparison's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{TestServer, both_engines, form_field};
use reqwest::header::{CONTENT_TYPE, SET_COOKIE};
use serde_json::Value;

async fn raw(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

both_engines! {
    async fn an_anonymous_staff_call_is_refused_before_its_body_is_read(db: TestDb) {
        let server = TestServer::start(&db).await;
        for (method, path) in [
            (reqwest::Method::POST, "/api/v1/groups"),
            (reqwest::Method::POST, "/api/v1/accounts/actions"),
            (reqwest::Method::PATCH, "/api/v1/sites/main/settings"),
        ] {
            for body in ["[1, 2", "{\"name\": 5}", "{}"] {
                let (status, answer) = raw(&server, method.clone(), path, None, body).await;
                assert_eq!(status, 401, "{method} {path} {body}: {answer}");
                assert_eq!(answer["error"]["code"], "not_signed_in");
                let message = answer["error"]["message"].as_str().unwrap();
                assert!(!message.contains("name"), "the refusal says nothing of the body: {message}");
            }
        }
        // A portal call that needs a signed-in customer likewise.
        let (status, answer) = raw(&server, reqwest::Method::PATCH, "/api/v1/sites/main/me", None, "[1, 2").await;
        assert_eq!(status, 401, "{answer}");
        server.stop().await;
    }

    async fn text_that_is_not_json_is_a_bad_request_and_the_wrong_shape_is_unprocessable(db: TestDb) {
        let server = TestServer::start(&db).await;
        let token = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        for body in ["[1, 2", "{\"name\": 5", "not json"] {
            let (status, answer) = raw(&server, reqwest::Method::POST, "/api/v1/groups", Some(&token), body).await;
            assert_eq!(status, 400, "{body}: {answer}");
            assert_eq!(answer["error"]["code"], "bad_request");
        }
        let (status, answer) = raw(&server, reqwest::Method::POST, "/api/v1/groups", Some(&token), "{\"name\": 5}").await;
        assert_eq!(status, 422, "{answer}");
        // Bytes that are not UTF-8 are not JSON either, wherever they stand.
        for body in [&b"{\"name\": \"\xff\xfe group\"}"[..], &b"{\"name\": \"x\"}\xff"[..]] {
            let response = reqwest::Client::new()
                .post(server.url("/api/v1/groups"))
                .bearer_auth(&token)
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 400);
            let answer: Value = response.json().await.unwrap();
            assert_eq!(answer["error"]["code"], "bad_request");
            assert!(answer["error"]["message"].as_str().unwrap().contains("not UTF-8"), "{answer}");
        }
        let registration = reqwest::Client::new()
            .post(server.url("/api/v1/sites/main/registrations"))
            .header(CONTENT_TYPE, "application/json")
            .body(&b"{\"email\": \"\xff\xfe@example.org\", \"password\": \"a long passphrase 42\"}"[..])
            .send()
            .await
            .unwrap();
        assert_eq!(registration.status().as_u16(), 400, "the issue's registration body");
        // Nothing was made by any of them.
        let (_, groups) = server.api(reqwest::Method::GET, "/api/v1/groups?all=true", Some(&token), None).await;
        assert_eq!(groups["items"].as_array().unwrap().len(), 0, "{groups}");
        // An anonymous portal registration with bad JSON is a 400 too.
        let (status, _) = raw(&server, reqwest::Method::POST, "/api/v1/sites/main/registrations", None, "{\"email\": 5").await;
        assert_eq!(status, 400);
        server.stop().await;
    }

    async fn the_console_sign_in_form_token_is_secure_when_cookies_are(db: TestDb) {
        let server = TestServer::start_configured(&db, |o| o.secure_cookies = true).await;
        let client = reqwest::Client::new();
        // A fresh form, and a stale token's refreshed one: both `Secure`.
        let page = client.get(server.url("/admin/login")).send().await.unwrap();
        let cookie = page.headers()[SET_COOKIE].to_str().unwrap().to_string();
        assert!(cookie.starts_with("gh_csrf=") && cookie.contains("; Secure"), "{cookie}");
        let stale = client
            .post(server.url("/admin/login"))
            .header("cookie", "gh_csrf=one-token")
            .form(&[("csrf", "another-token"), ("email", "a@example.com"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 403);
        let refreshed = stale.headers()[SET_COOKIE].to_str().unwrap().to_string();
        assert!(refreshed.starts_with("gh_csrf=") && refreshed.contains("; Secure"), "{refreshed}");
        let html = stale.text().await.unwrap();
        let new_token = form_field(&html, "csrf");
        assert!(refreshed.starts_with(&format!("gh_csrf={new_token};")), "the page's token is the cookie's");
        server.stop().await;
    }

    async fn a_console_form_with_a_wrong_token_changes_nothing(db: TestDb) {
        let server = TestServer::start(&db).await;
        server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let (status, browser) = server
            .console_sign_in("admin@example.com", gatehouse_testkit::STAFF_PASSWORD, "")
            .await;
        assert_eq!(status, 303);
        let page = browser.get(server.url("/admin/groups")).send().await.unwrap().text().await.unwrap();
        let csrf = form_field(&page, "csrf");
        // A token one character off, an empty one, and none at all.
        let mut wrong = csrf.clone();
        wrong.pop();
        wrong.push(if csrf.ends_with('a') { 'b' } else { 'a' });
        for token in [Some(wrong.as_str()), Some(""), None] {
            let mut form = vec![("name", "Installers"), ("active", "on")];
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let r = browser.post(server.url("/admin/groups")).form(&form).send().await.unwrap();
            assert_eq!(r.status(), 403, "{token:?}");
            assert!(r.text().await.unwrap().contains("the form had expired"));
        }
        let page = browser.get(server.url("/admin/groups")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Installers"), "nothing was added");
        // The right token works, and a form that cannot be read says so.
        let ok = browser.post(server.url("/admin/groups"))
            .form(&[("csrf", csrf.as_str()), ("name", "Installers"), ("active", "on")])
            .send().await.unwrap();
        assert_eq!(ok.status(), 200);
        assert!(ok.text().await.unwrap().contains("Group added."));
        let bad = browser.post(server.url("/admin/registrations/actions"))
            .form(&[("csrf", csrf.as_str()), ("action", "approve"), ("ids", "not-an-id")])
            .send().await.unwrap();
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("the form could not be read"));
        server.stop().await;
    }
}

#[tokio::test]
async fn a_cross_site_refusal_closes_the_connection_it_did_not_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = gatehouse_testkit::TestDb::sqlite().await;
    let server = TestServer::start(&db).await;
    let mut socket = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let body = "email=a%40example.com&password=x";
    let head = format!(
        "POST /s/main/login HTTP/1.1\r\nHost: {}\r\nOrigin: https://evil.example\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // The server closes the connection after its answer: read to the end.
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        socket.read_to_end(&mut answer),
    )
    .await
    .expect("the server closed the connection")
    .unwrap();
    let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 403"), "{text}");
    assert!(text.contains("connection: close"), "{text}");
    server.stop().await;
}

/// Three mail requests from one peer that claims three addresses: how many
/// were answered, and the audit trail's address of a staff call made with a
/// claimed address.
async fn behind(proxies: &[&str]) -> (Vec<u16>, serde_json::Value) {
    use gatehouse_web::ratelimit::{Budget, RateLimits};
    let db = gatehouse_testkit::TestDb::sqlite().await;
    let trusted = gatehouse_web::client::TrustedProxies::parse(proxies).unwrap();
    let server = TestServer::start_configured(&db, |o| {
        let two = Budget {
            burst: 2,
            per_minute: 1,
        };
        o.limits = RateLimits {
            per_ip: two,
            per_account: Budget {
                burst: 100,
                per_minute: 100,
            },
        };
        o.trusted_proxies = trusted;
    })
    .await;
    let mut statuses = Vec::new();
    for (n, claimed) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        .iter()
        .enumerate()
    {
        let r = reqwest::Client::new()
            .post(server.url("/api/v1/sites/main/verifications/resend"))
            .header("x-forwarded-for", *claimed)
            .json(&serde_json::json!({"email": format!("a{n}@example.com")}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    let token = server
        .staff_token("admin@example.com", StaffRole::Admin, &[])
        .await;
    let made = reqwest::Client::new()
        .post(server.url("/api/v1/groups"))
        .bearer_auth(&token)
        .header("forwarded", "for=203.0.113.9;proto=https")
        .json(&serde_json::json!({"name": "Installers"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let (_, audit) = server
        .api(
            reqwest::Method::GET,
            "/api/v1/audit?action=group.create",
            Some(&token),
            None,
        )
        .await;
    server.stop().await;
    (statuses, audit["items"][0]["ip"].clone())
}

#[tokio::test]
async fn forwarding_headers_count_only_from_a_trusted_proxy() {
    // Not configured: a client's own X-Forwarded-For changes nothing; all
    // three requests come from 127.0.0.1 and the third is over its budget.
    let (statuses, ip) = behind(&[]).await;
    assert_eq!(statuses, [202, 202, 429]);
    assert_eq!(ip, "127.0.0.1");
    // The peer is the trusted load balancer: each claimed client has its
    // own budget, and the audit trail names the client it forwarded for.
    let (statuses, ip) = behind(&["127.0.0.1", "::1"]).await;
    assert_eq!(statuses, [202, 202, 202]);
    assert_eq!(ip, "203.0.113.9");
}
