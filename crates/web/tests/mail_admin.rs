//! Staff work on mail: the outbox and the e-mail templates, through the API
//! (bearer tokens, scoped) and the console pages (staff sessions, CSRF), with
//! the permission table enforced on the server; on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{STAFF_PASSWORD, TestServer, both_engines, browser, form_field};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

async fn token(server: &TestServer, email: &str, role: StaffRole, scopes: &[&str]) -> String {
    server.staff_token(email, role, scopes).await
}

async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    server.api(method, path, bearer, body).await
}

async fn register(server: &TestServer, email: &str, language: &str) {
    let (status, _) = call(server, reqwest::Method::POST, "/api/v1/sites/main/registrations", None,
        Some(json!({"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "L", "language": language}))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

fn csrf(html: &str) -> String {
    form_field(html, "csrf")
}

async fn console_sign_in(server: &TestServer, email: &str) -> reqwest::Client {
    let (status, client) = server.console_sign_in(email, STAFF_PASSWORD, "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    client
}

both_engines! {
    async fn the_outbox_shows_delivery_and_failed_mail_can_be_sent_again(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin, &[]).await;
        register(&server, "ada@example.com", "en").await;
        server.wait_for_mails("ada@example.com", 1).await;
        let (status, body) = call(&server, reqwest::Method::GET, "/api/v1/outbox", Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let item = &body["items"][0];
        assert_eq!((item["recipient"].as_str(), item["status"].as_str(), item["attempts"].as_i64()), (Some("ada@example.com"), Some("sent"), Some(1)));
        assert!(item.get("body_text").is_none(), "bodies (with their links) are not listed");

        // A failed message is sent again on request.
        let id = item["id"].as_str().unwrap().to_string();
        let mut tx = server.app.store.begin().await.unwrap();
        tx.mark_mail_failed(id.parse().unwrap(), "550 mailbox unavailable", None).await.unwrap();
        tx.commit().await.unwrap();
        let (_, failed) = call(&server, reqwest::Method::GET, "/api/v1/outbox?status=failed", Some(&admin), None).await;
        assert_eq!(failed["items"][0]["last_error"], "550 mailbox unavailable");
        let (status, _) = call(&server, reqwest::Method::POST, &format!("/api/v1/outbox/{id}/retry"), Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK);
        server.wait_for_mails("ada@example.com", 2).await;
        let (status, body) = call(&server, reqwest::Method::POST, &format!("/api/v1/outbox/{id}/retry"), Some(&admin), None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "a sent message is not sent again");
        let (status, body) = call(&server, reqwest::Method::GET, "/api/v1/outbox?status=lost", Some(&admin), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let mut tx = server.app.store.read().await.unwrap();
        assert!(tx.list_audit(5).await.unwrap().iter().any(|e| e.action == "outbox.retry" && e.actor.label == "admin@example.com"));
        drop(tx);
        server.stop().await;
    }

    async fn staff_calls_check_role_and_scope_on_the_server(db: TestDb) {
        let server = TestServer::start(&db).await;
        let support = token(&server, "support@example.com", StaffRole::Support, &[]).await;
        let reader = token(&server, "admin@example.com", StaffRole::Admin, &["read"]).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin, &[]).await;
        let get = reqwest::Method::GET;
        let templates = "/api/v1/sites/main/templates";
        assert_eq!(call(&server, get.clone(), "/api/v1/outbox", None, None).await.0, StatusCode::UNAUTHORIZED);
        let (status, body) = call(&server, get.clone(), "/api/v1/outbox", Some("gh_not-a-token"), None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));
        assert_eq!(call(&server, get.clone(), "/api/v1/outbox", Some(&support), None).await.0, StatusCode::OK);
        let (status, body) = call(&server, get.clone(), templates, Some(&support), None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        assert!(body["error"]["message"].as_str().unwrap().contains("support may not"));
        let (status, body) = call(&server, get.clone(), templates, Some(&reader), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body["error"]["message"].as_str().unwrap().contains("lacks the 'admin' scope"), "{body}");
        let missing = "/api/v1/outbox/01900000-0000-7000-8000-000000000000/retry";
        assert_eq!(call(&server, reqwest::Method::POST, missing, Some(&reader), None).await.0, StatusCode::FORBIDDEN, "read scope cannot write");
        assert_eq!(call(&server, reqwest::Method::POST, missing, Some(&admin), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&server, get.clone(), templates, Some(&admin), None).await.0, StatusCode::OK);

        // A customer's session is no staff session.
        let customer = browser();
        register(&server, "ada@example.com", "en").await;
        let link = server.nth_mail("ada@example.com", 1).await.link_to(&server.base_url, "/activate").unwrap();
        customer.get(&link).send().await.unwrap();
        customer.post(server.url("/api/v1/sites/main/sessions")).json(&json!({"login_id": "ada@example.com", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(customer.get(server.url("/api/v1/outbox")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(customer.get(server.url("/admin/outbox")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        server.stop().await;
    }

    async fn admins_override_templates_checked_on_save(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin, &[]).await;
        let path = "/api/v1/sites/main/templates/activation/en";
        let (status, default) = call(&server, reqwest::Method::GET, path, Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(default["custom"], false);
        assert!(default["subject"].as_str().unwrap().contains("{{ site_name }}"));

        let broken = json!({"subject": "Hi", "text": "line one\n{% if link %}\nno end", "html": "<p>x</p>"});
        let (status, body) = call(&server, reqwest::Method::PUT, path, Some(&admin), Some(broken)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], "text");
        assert!(body["error"]["message"].as_str().unwrap().contains("does not render at line"), "{body}");
        let unknown_var = json!({"subject": "Hi {{ password }}", "text": "t", "html": "h"});
        let (status, body) = call(&server, reqwest::Method::PUT, path, Some(&admin), Some(unknown_var)).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("subject")), "{body}");
        assert_eq!(call(&server, reqwest::Method::GET, path, Some(&admin), None).await.1["custom"], false, "nothing stored");

        let mine = json!({"subject": "Welcome to {{ site_name }}, {{ first_name }}", "text": "Start here: {{ link }}", "html": "<p><a href=\"{{ link }}\">Start</a></p>"});
        let (status, preview) = call(&server, reqwest::Method::POST, &format!("{path}/preview"), Some(&admin), Some(mine.clone())).await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        assert_eq!(preview["subject"], "Welcome to Customer portal, Ada");
        assert!(preview["text"].as_str().unwrap().contains("takes no replies"), "the footer is always there");
        let (status, saved) = call(&server, reqwest::Method::PUT, path, Some(&admin), Some(mine)).await;
        assert_eq!((status, saved["custom"].as_bool()), (StatusCode::OK, Some(true)));

        register(&server, "ada@example.com", "en").await;
        register(&server, "jo@example.com", "de").await;
        let ada = server.nth_mail("ada@example.com", 1).await;
        assert_eq!(ada.subject, "Welcome to Customer portal, Ada");
        assert!(ada.link_to(&server.base_url, "/activate?token=").is_some(), "{}", ada.raw);
        let jo = server.nth_mail("jo@example.com", 1).await;
        assert!(jo.subject.starts_with("Bestätigen"), "the German one is still the default: {}", jo.subject);

        let (status, reset) = call(&server, reqwest::Method::DELETE, path, Some(&admin), None).await;
        assert_eq!((status, reset["custom"].as_bool()), (StatusCode::OK, Some(false)));
        let (status, _) = call(&server, reqwest::Method::GET, "/api/v1/sites/main/templates/nonsense/en", Some(&admin), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    }

    async fn the_console_signs_staff_in_and_edits_templates_with_a_preview(db: TestDb) {
        let server = TestServer::start(&db).await;
        token(&server, "admin@example.com", StaffRole::Admin, &[]).await;
        token(&server, "support@example.com", StaffRole::Support, &[]).await;

        let wrong = browser();
        let form = wrong.get(server.url("/admin/login")).send().await.unwrap().text().await.unwrap();
        let r = wrong.post(server.url("/admin/login")).form(&[("csrf", csrf(&form).as_str()), ("email", "admin@example.com"), ("password", "nope nope nope")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        let admin = console_sign_in(&server, "admin@example.com").await;
        let home = admin.get(server.url("/admin")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("E-mail templates") && home.contains("admin@example.com (admin)"), "{home}");
        let edit_url = server.url("/admin/sites/main/templates/password_reset/en");
        let page = admin.get(&edit_url).send().await.unwrap().text().await.unwrap();
        let token = csrf(&page);
        let previewed = admin.post(&edit_url).form(&[("csrf", token.as_str()), ("action", "preview"), ("subject", "Reset {{ first_name }}"), ("text", "Go: {{ link }}"), ("html", "<b>{{ first_name }}</b>")]).send().await.unwrap();
        assert_eq!(previewed.status(), StatusCode::OK);
        let html = previewed.text().await.unwrap();
        assert!(html.contains("Reset Ada") && html.contains("Go: http:"), "{html}");
        let broken = admin.post(&edit_url).form(&[("csrf", token.as_str()), ("action", "save"), ("subject", "x"), ("text", "{{ unclosed"), ("html", "h")]).send().await.unwrap();
        assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let broken_html = broken.text().await.unwrap();
        assert!(broken_html.contains("does not render at line 1") && broken_html.contains("{{ unclosed"), "the typed text is kept: {broken_html}");
        let forged = admin.post(&edit_url).form(&[("csrf", "forged"), ("action", "save"), ("subject", "x"), ("text", "t"), ("html", "h")]).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        let (status, _) = server.api(Method::POST, "/api/v1/sites/main/registrations", None,
            Some(json!({"email": "mail@example.com", "password": "correct horse battery staple", "first_name": "M", "last_name": "L"}))).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let outbox = admin.get(server.url("/admin/outbox")).send().await.unwrap();
        assert_eq!(outbox.status(), StatusCode::OK);
        // A message opens with its bodies; its HTML shows as source, never as markup.
        let outbox = outbox.text().await.unwrap();
        let id = outbox.split("href=\"/admin/outbox/").nth(1).and_then(|s| s.split('"').next()).expect("a message link").to_string();
        let message = admin.get(server.url(&format!("/admin/outbox/{id}"))).send().await.unwrap();
        assert_eq!(message.status(), StatusCode::OK);
        let message = message.text().await.unwrap();
        assert!(message.contains("Plain text") && message.contains("<pre class=\"mail\">&lt;"), "{message}");
        assert_eq!(admin.get(server.url("/admin/outbox/not-an-id")).send().await.unwrap().status(), StatusCode::BAD_REQUEST);

        let support = console_sign_in(&server, "support@example.com").await;
        let support_home = support.get(server.url("/admin")).send().await.unwrap().text().await.unwrap();
        assert!(!support_home.contains("E-mail templates"), "support sees no template link");
        assert_eq!(support.get(&edit_url).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(support.get(server.url("/admin/outbox")).send().await.unwrap().status(), StatusCode::OK);

        let page = admin.get(server.url("/admin")).send().await.unwrap().text().await.unwrap();
        let out = admin.post(server.url("/admin/logout")).form(&[("csrf", csrf(&page).as_str())]).send().await.unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(admin.get(server.url("/admin/outbox")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        server.stop().await;
    }
}
