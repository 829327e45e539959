//! The foundation's HTTP surface over a real socket, on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_app::setup;
use gatehouse_testkit::{TestServer, both_engines};
use serde_json::Value;

both_engines! {
    async fn health_readiness_and_metrics_answer(db: TestDb) {
        let server = TestServer::start(&db).await;
        let health = server.client.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");

        let ready: Value = server.client.get(server.url("/readyz")).send().await.unwrap().json().await.unwrap();
        assert_eq!(ready["status"], "ready");
        assert_eq!(ready["database"], db.engine.as_str());

        let metrics = server.client.get(server.url("/metrics")).send().await.unwrap();
        assert_eq!(metrics.status(), 200);
        let text = metrics.text().await.unwrap();
        assert!(text.contains("gatehouse_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"}"), "{text}");
        // A portal page reads its site: the store's time for that reaches
        // the metrics by operation.
        let page = server.client.get(server.url("/s/main/login")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let text = server.client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("gatehouse_store_operation_seconds_count{op=\"sites.site_by_key\"}"), "{text}");
        server.stop().await;
    }

    async fn readiness_fails_when_the_database_is_gone(db: TestDb) {
        let server = TestServer::start(&db).await;
        server.app.store.close().await;
        let ready = server.client.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 503);
        let body: Value = ready.json().await.unwrap();
        assert_eq!(body["error"]["code"], "database_unavailable");
        // Liveness does not depend on the database.
        assert_eq!(server.client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    }

    async fn unknown_paths_get_a_page_or_the_apis_json_error_body_and_security_headers(db: TestDb) {
        let server = TestServer::start(&db).await;
        let r = server.client.get(server.url("/no/such/page")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.headers()["referrer-policy"], "same-origin");
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert!(r.text().await.unwrap().contains("There is no page at this address"), "a page, not JSON");
        let r = server.client.get(server.url("/api/v1/no/such/call")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(body["error"]["message"].as_str().unwrap().contains("nothing at this address"));
        server.stop().await;
    }

    async fn the_setup_link_creates_the_first_admin_through_the_page(db: TestDb) {
        let server = TestServer::start(&db).await;
        let token = setup::issue_setup_token(&server.app).await.unwrap().unwrap();
        let link = server.url(&format!("/admin/setup/{token}"));

        let page = server.client.get(&link).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Create the first admin") && html.contains("<form method=\"post\""), "{html}");

        let form = |email: &str, pw: &str, again: &str| {
            vec![("email", email.to_string()), ("password", pw.to_string()), ("password_confirm", again.to_string())]
        };
        // A form posted from another site is refused.
        let forged = server.client.post(&link).header("origin", "https://evil.example")
            .form(&form("admin@example.com", "a long and unusual passphrase", "a long and unusual passphrase"))
            .send().await.unwrap();
        assert_eq!(forged.status(), 403);
        // Mistakes are shown on the form, and the link still works.
        let mismatch = server.client.post(&link).form(&form("admin@example.com", "a long and unusual passphrase", "other")).send().await.unwrap();
        assert_eq!(mismatch.status(), 422);
        assert!(mismatch.text().await.unwrap().contains("The two passwords are not the same."));
        let weak = server.client.post(&link).form(&form("admin@example.com", "password1234", "password1234")).send().await.unwrap();
        assert_eq!(weak.status(), 422);
        let weak_html = weak.text().await.unwrap();
        assert!(weak_html.contains("too easy to guess"), "{weak_html}");
        assert!(weak_html.contains("value=\"admin@example.com\""), "the address typed is kept");

        let done = server.client.post(&link).header("origin", &server.base_url)
            .form(&form("admin@example.com", "a long and unusual passphrase", "a long and unusual passphrase"))
            .send().await.unwrap();
        assert_eq!(done.status(), 201);
        assert!(done.text().await.unwrap().contains("admin@example.com can sign in to the console now, as admin."));

        let used = server.client.get(&link).send().await.unwrap();
        assert_eq!(used.status(), 404);
        let mut tx = server.app.store.read().await.unwrap();
        assert_eq!(tx.count_staff().await.unwrap(), 1);
        drop(tx);
        server.stop().await;
    }

    async fn oversized_bodies_are_refused(db: TestDb) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let server = TestServer::start(&db).await;
        // Announce 2 MiB and send none of it: the answer comes from the
        // announced length alone, before any body is read.
        let mut socket = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let head = format!(
            "POST /admin/setup/whatever HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            server.addr,
            2 * 1024 * 1024
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 64];
        let n = socket.read(&mut answer).await.unwrap();
        let status_line = String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or("").to_string();
        assert_eq!(status_line, "HTTP/1.1 413 Payload Too Large");
        server.stop().await;
    }
}
