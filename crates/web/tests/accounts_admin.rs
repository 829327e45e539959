//! Staff work on registrations and accounts through the API and the console
//! pages, with the permission table enforced; on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::{SiteSettings, StaffRole};
use gatehouse_store::{Customer, CustomerFields};
use gatehouse_testkit::{TestServer, both_engines, browser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

async fn token(server: &TestServer, email: &str, role: StaffRole) -> String {
    server.staff_token(email, role, &[]).await
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

async fn settings(server: &TestServer, change: impl FnOnce(&mut SiteSettings)) {
    server.change_main_settings(change).await;
}

/// Registers (and, when asked, activates) an account; answers its ID.
async fn account(server: &TestServer, email: &str, first_name: &str, activate: bool) -> String {
    let (status, _) = call(server, Method::POST, "/api/v1/sites/main/registrations", None,
        Some(json!({"email": email, "password": PASSWORD, "first_name": first_name, "last_name": "Lovelace", "company": "Engines"}))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    if activate {
        let link = server
            .nth_mail(email, 1)
            .await
            .link_to(&server.base_url, "/activate")
            .unwrap();
        let token = link.split("token=").nth(1).unwrap();
        assert_eq!(
            call(
                server,
                Method::POST,
                "/api/v1/sites/main/verifications",
                None,
                Some(json!({"token": token}))
            )
            .await
            .0,
            StatusCode::OK
        );
    }
    let mut tx = server.app.store.read().await.unwrap();
    let site = tx.site_by_key("main").await.unwrap().unwrap();
    tx.account_by_email(site.id, email)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

async fn act(server: &TestServer, admin: &str, action: &str, ids: &[&str], extra: Value) -> Value {
    let mut body = json!({"action": action, "ids": ids});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (status, result) = call(
        server,
        Method::POST,
        "/api/v1/accounts/actions",
        Some(admin),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    result
}

async fn status_of(server: &TestServer, admin: &str, id: &str) -> String {
    call(
        server,
        Method::GET,
        &format!("/api/v1/accounts/{id}"),
        Some(admin),
        None,
    )
    .await
    .1["account"]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn sign_in(
    server: &TestServer,
    email: &str,
    password: &str,
) -> (StatusCode, Value, reqwest::Client) {
    let client = browser();
    let r = client
        .post(server.url("/api/v1/sites/main/sessions"))
        .json(&json!({"login_id": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body, client)
}

both_engines! {
    async fn the_queue_lists_by_status_and_bulk_actions_report_per_account(db: TestDb) {
        let server = TestServer::start(&db).await;
        settings(&server, |s| s.approval_required = true).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let p1 = account(&server, "p1@example.com", "P1", true).await;
        let p2 = account(&server, "p2@example.com", "P2", true).await;
        let u1 = account(&server, "u1@example.com", "U1", false).await;

        let (_, counts) = call(&server, Method::GET, "/api/v1/accounts/counts", Some(&admin), None).await;
        assert_eq!((counts["pending"].as_i64(), counts["unverified"].as_i64(), counts["active"].as_i64()), (Some(2), Some(1), Some(0)));
        let (_, pending) = call(&server, Method::GET, "/api/v1/accounts?status=pending&per_page=1", Some(&admin), None).await;
        assert_eq!((pending["total"].as_i64(), pending["items"].as_array().unwrap().len()), (Some(2), 1), "paged with the total");

        let result = act(&server, &admin, "approve", &[&p1, &u1], json!({})).await;
        assert_eq!(result["summary"], "1 approved; 1: cannot approve an account that is unverified; left unchanged");
        assert_eq!(result["results"][1]["code"], "not_allowed_in_status");
        assert_eq!(status_of(&server, &admin, &p1).await, "active");
        let approved = server.nth_mail("p1@example.com", 2).await;
        assert!(approved.subject.contains("is ready"), "{}", approved.subject);
        assert_eq!(sign_in(&server, "p1@example.com", PASSWORD).await.0, StatusCode::OK);

        let result = act(&server, &admin, "disapprove", &[&p2], json!({"reason": "not a customer", "notify": true})).await;
        assert_eq!(result["summary"], "1 disapproved");
        assert_eq!(status_of(&server, &admin, &p2).await, "deleted");
        assert!(server.nth_mail("p2@example.com", 2).await.subject.contains("Your registration"));
        act(&server, &admin, "undelete", &[&p2], json!({})).await;
        assert_eq!(status_of(&server, &admin, &p2).await, "pending", "undelete restores what was there");

        let result = act(&server, &admin, "resend_activation", &[&u1, &p1], json!({})).await;
        assert_eq!(result["results"][0]["ok"], true);
        assert_eq!(result["results"][1]["ok"], false);
        assert_eq!(server.wait_for_mails("u1@example.com", 2).await.len(), 2);

        // Block ends the sessions; unblock lets the customer in again.
        let (_, _, client) = sign_in(&server, "p1@example.com", PASSWORD).await;
        assert_eq!(client.get(server.url("/api/v1/sites/main/me")).send().await.unwrap().status(), StatusCode::OK);
        act(&server, &admin, "block", &[&p1], json!({})).await;
        assert_eq!(client.get(server.url("/api/v1/sites/main/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(sign_in(&server, "p1@example.com", PASSWORD).await.1["error"]["code"], "blocked");
        act(&server, &admin, "unblock", &[&p1], json!({})).await;
        assert_eq!(sign_in(&server, "p1@example.com", PASSWORD).await.0, StatusCode::OK);

        // Locked by failures, unlocked by staff.
        settings(&server, |s| s.max_failed_attempts = 2).await;
        sign_in(&server, "p1@example.com", "wrong wrong wrong").await;
        sign_in(&server, "p1@example.com", "wrong wrong wrong").await;
        assert_eq!(status_of(&server, &admin, &p1).await, "locked");
        act(&server, &admin, "unlock", &[&p1], json!({})).await;
        assert_eq!(sign_in(&server, "p1@example.com", PASSWORD).await.0, StatusCode::OK);

        let result = act(&server, &admin, "send_password_reset", &[&p1], json!({})).await;
        assert_eq!(result["summary"], "1 sent a password reset link");
        let mails = server.mails_to("p1@example.com");
        assert!(server.wait_for_mails("p1@example.com", mails.len().max(4)).await.iter().any(|m| m.link_to(&server.base_url, "/reset-password").is_some()));

        act(&server, &admin, "delete", &[&p1], json!({"reason": "asked to"})).await;
        assert_eq!(sign_in(&server, "p1@example.com", PASSWORD).await.1["error"]["code"], "invalid_credentials");
        let (status, body) = call(&server, Method::POST, "/api/v1/accounts/actions", Some(&admin), Some(json!({"action": "explode", "ids": [p1]}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        let (_, audit) = call(&server, Method::GET, &format!("/api/v1/audit?target={p1}"), Some(&admin), None).await;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for expected in ["account.approve", "account.block", "account.unblock", "account.unlock", "account.delete"] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
        let delete = &audit["items"][0];
        assert_eq!((delete["actor"]["label"].as_str(), delete["details"]["reason"].as_str()), (Some("admin@example.com"), Some("asked to")));
        assert_eq!(delete["details"]["before"]["status"], "active");
        server.stop().await;
    }

    async fn account_actions_temporary_password_login_id_access(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let id = account(&server, "ada@example.com", "Ada", true).await;
        account(&server, "taken@example.com", "T", true).await;
        let path = format!("/api/v1/accounts/{id}");

        let (status, body) = call(&server, Method::POST, &format!("{path}/password"), Some(&admin), Some(json!({"password": "I choose this one"}))).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")));
        let (status, temp) = call(&server, Method::POST, &format!("{path}/password"), Some(&admin), Some(json!({}))).await;
        assert_eq!(status, StatusCode::OK, "{temp}");
        let password = temp["password"].as_str().unwrap();
        assert_eq!(password.len(), 23, "{password}");
        assert_eq!(sign_in(&server, "ada@example.com", PASSWORD).await.0, StatusCode::UNAUTHORIZED, "the old password is gone");
        let (status, body, _) = sign_in(&server, "ada@example.com", password).await;
        assert_eq!((status, body["must_change_password"].as_bool()), (StatusCode::OK, Some(true)));
        let mut tx = server.app.store.read().await.unwrap();
        let audit = tx.list_audit(20).await.unwrap();
        let audit: Vec<gatehouse_app::wire::AuditEvent> = audit.into_iter().map(Into::into).collect();
        assert!(!serde_json::to_string(&audit).unwrap().contains(password), "the password is never recorded");
        drop(tx);

        let (status, body) = call(&server, Method::PATCH, &path, Some(&admin), Some(json!({"login_id": "TAKEN@example.com"}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, body) = call(&server, Method::PATCH, &path, Some(&admin), Some(json!({"login_id": "not an address"}))).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("login_id")));
        let (status, body) = call(&server, Method::PATCH, &path, Some(&admin), Some(json!({"login_id": "Ada.New@Example.com", "email_validated": false, "role": "customer_manager"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!((body["login_id"].as_str(), body["email_validated"].as_bool(), body["role"].as_str()), (Some("ada.new@example.com"), Some(false), Some("customer_manager")));
        let (_, audit) = call(&server, Method::GET, &format!("/api/v1/audit?target={id}&limit=1"), Some(&admin), None).await;
        assert_eq!(audit["items"][0]["details"]["before"]["login_id"], "ada@example.com");
        assert_eq!(audit["items"][0]["details"]["after"]["login_id"], "ada.new@example.com");

        let (_, _, client) = sign_in(&server, "ada.new@example.com", password).await;
        call(&server, Method::PATCH, &path, Some(&admin), Some(json!({"access_granted": false}))).await;
        assert_eq!(client.get(server.url("/api/v1/sites/main/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(sign_in(&server, "ada.new@example.com", password).await.1["error"]["code"], "deactivated");
        call(&server, Method::PATCH, &path, Some(&admin), Some(json!({"access_granted": true, "access_expires_at": "2020-01-01T00:00:00Z"}))).await;
        assert_eq!(sign_in(&server, "ada.new@example.com", password).await.1["error"]["code"], "deactivated", "access expired");
        call(&server, Method::PATCH, &path, Some(&admin), Some(json!({"clear_access_expiry": true}))).await;
        assert_eq!(sign_in(&server, "ada.new@example.com", password).await.0, StatusCode::OK);
        let (status, _) = call(&server, Method::PATCH, &path, Some(&admin), Some(json!({"colour": "red"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");

        let (_, detail) = call(&server, Method::GET, &path, Some(&admin), None).await;
        let session = detail["sessions"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(call(&server, Method::DELETE, &format!("{path}/sessions/{session}"), Some(&admin), None).await.0, StatusCode::NO_CONTENT);
        server.stop().await;
    }

    async fn a_pending_account_is_assigned_before_approval(db: TestDb) {
        let server = TestServer::start(&db).await;
        settings(&server, |s| s.create_customer_on_registration = false).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let existing = Customer {
            id: uuid::Uuid::now_v7(),
            fields: CustomerFields { first_name: "Ada".into(), last_name: "Lovelace".into(), email: Some("ADA@example.com".into()), company: Some("Engines".into()), notifications: true, ..CustomerFields::default() },
            created_at: time::OffsetDateTime::now_utc(),
            updated_at: time::OffsetDateTime::now_utc(),
        };
        let unrelated = Customer { id: uuid::Uuid::now_v7(), fields: CustomerFields { first_name: "Bob".into(), last_name: "Other".into(), ..CustomerFields::default() }, ..existing.clone() };
        let mut tx = server.app.store.begin().await.unwrap();
        tx.insert_customer(&existing).await.unwrap();
        tx.insert_customer(&unrelated).await.unwrap();
        tx.commit().await.unwrap();

        let id = account(&server, "ada@example.com", "Ada", true).await;
        assert_eq!(status_of(&server, &admin, &id).await, "pending");
        let result = act(&server, &admin, "approve", &[&id], json!({})).await;
        assert_eq!(result["results"][0]["code"], "customer_required");

        let (_, dups) = call(&server, Method::GET, &format!("/api/v1/accounts/{id}/duplicates"), Some(&admin), None).await;
        let items = dups["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{dups}");
        assert_eq!(items[0]["customer"]["id"], existing.id.to_string());
        assert_eq!(items[0]["reasons"], json!(["same e-mail address", "same name", "same company"]));

        let (status, body) = call(&server, Method::POST, &format!("/api/v1/accounts/{id}/assignment"), Some(&admin), Some(json!({"customer_id": existing.id}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _) = call(&server, Method::POST, &format!("/api/v1/accounts/{id}/assignment"), Some(&admin), Some(json!({"create": true}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "already assigned");
        assert_eq!(act(&server, &admin, "approve", &[&id], json!({})).await["summary"], "1 approved");

        let other = account(&server, "new@example.com", "New", true).await;
        let (status, body) = call(&server, Method::POST, &format!("/api/v1/accounts/{other}/assignment"), Some(&admin), Some(json!({"create": true}))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["customer_id"].is_string());
        server.stop().await;
    }

    async fn impersonation_is_marked_limited_and_audited(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let support = token(&server, "support@example.com", StaffRole::Support).await;
        let id = account(&server, "ada@example.com", "Ada", true).await;
        // A temporary password does not hold staff at the change page they may not use.
        let (status, _) = call(&server, Method::POST, &format!("/api/v1/accounts/{id}/password"), Some(&admin), Some(json!({}))).await;
        assert_eq!(status, StatusCode::OK);
        let path = format!("/api/v1/accounts/{id}/impersonation");
        assert_eq!(call(&server, Method::POST, &path, Some(&support), Some(json!({"reason": "help"}))).await.0, StatusCode::FORBIDDEN);
        assert_eq!(call(&server, Method::POST, &path, Some(&admin), Some(json!({"reason": " "}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = call(&server, Method::POST, &path, Some(&admin), Some(json!({"reason": "customer asked for help", "minutes": 10}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let url = body["url"].as_str().unwrap();

        let staff_browser = browser();
        let opened = staff_browser.get(url).send().await.unwrap();
        assert_eq!(opened.status(), StatusCode::SEE_OTHER);
        assert_eq!(staff_browser.get(url).send().await.unwrap().status(), StatusCode::BAD_REQUEST, "the link works once");
        let profile = staff_browser.get(server.url("/s/main/profile")).send().await.unwrap();
        assert_eq!(profile.url().path(), "/s/main/profile", "not held at the change-password page");
        let profile = profile.text().await.unwrap();
        assert!(profile.contains("Staff view: you are seeing this portal as ada@example.com"), "{profile}");
        let (status, body) = {
            let r = staff_browser.post(server.url("/api/v1/sites/main/me/password")).json(&json!({"current_password": PASSWORD, "new_password": "violet anchors juggle quietly"})).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        };
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("impersonating")));

        let csrf = {
            let marker = "name=\"csrf\" value=\"";
            let start = profile.find(marker).unwrap() + marker.len();
            profile[start..].split('"').next().unwrap().to_string()
        };
        let ended = staff_browser.post(server.url("/s/main/impersonation/end")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(ended.status(), StatusCode::SEE_OTHER);
        assert_eq!(ended.headers()["location"], format!("/admin/accounts/{id}"));
        assert_eq!(staff_browser.get(server.url("/api/v1/sites/main/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let (_, audit) = call(&server, Method::GET, &format!("/api/v1/audit?target={id}"), Some(&admin), None).await;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.starts_with(&["account.impersonation_end", "account.impersonation_start"]), "{actions:?}");
        server.stop().await;
    }

    async fn every_staff_call_answers_by_the_permission_table(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let support = token(&server, "support@example.com", StaffRole::Support).await;
        let id = account(&server, "ada@example.com", "Ada", true).await;
        let (_, _, customer) = sign_in(&server, "ada@example.com", PASSWORD).await;
        let (_, staff) = call(&server, Method::GET, "/api/v1/staff", Some(&admin), None).await;
        let colleague = staff["items"][0]["id"].as_str().unwrap().to_string();
        // (method, path, body, support allowed)
        let calls: Vec<(Method, String, Option<Value>, bool)> = vec![
            (Method::GET, "/api/v1/accounts".into(), None, true),
            (Method::GET, "/api/v1/accounts/counts".into(), None, true),
            (Method::GET, format!("/api/v1/accounts/{id}"), None, true),
            (Method::PATCH, format!("/api/v1/accounts/{id}"), Some(json!({"email_validated": true})), true),
            (Method::POST, "/api/v1/accounts/actions".into(), Some(json!({"action": "unlock", "ids": [id]})), true),
            (Method::POST, format!("/api/v1/accounts/{id}/password"), Some(json!({})), true),
            (Method::GET, format!("/api/v1/accounts/{id}/duplicates"), None, true),
            (Method::POST, format!("/api/v1/accounts/{id}/impersonation"), Some(json!({"reason": "x"})), false),
            (Method::GET, "/api/v1/audit".into(), None, true),
            (Method::GET, "/api/v1/outbox".into(), None, true),
            (Method::GET, "/api/v1/sites/main/templates".into(), None, false),
            (Method::GET, "/api/v1/sites/main/templates/activation/en".into(), None, false),
            (Method::GET, "/api/v1/customers".into(), None, true),
            (Method::GET, "/api/v1/customers.csv".into(), None, true),
            (Method::GET, "/api/v1/groups".into(), None, true),
            (Method::GET, "/api/v1/sites".into(), None, true),
            (Method::GET, "/api/v1/sites/main/settings".into(), None, true),
            (Method::PATCH, "/api/v1/sites/main/settings".into(), Some(json!({"brand_name": "Portal"})), false),
            (Method::GET, "/api/v1/staff".into(), None, false),
            (Method::POST, format!("/api/v1/staff/{colleague}/reset"), Some(json!({})), false),
            (Method::GET, "/api/v1/tokens".into(), None, false),
            (Method::GET, "/api/v1/settings".into(), None, false),
            (Method::GET, "/api/v1/audit.csv".into(), None, true),
        ];
        for (method, path, body, support_allowed) in calls {
            let mut anonymous = reqwest::Client::new().request(method.clone(), server.url(&path));
            let mut as_customer = customer.request(method.clone(), server.url(&path));
            if let Some(b) = &body {
                anonymous = anonymous.json(b);
                as_customer = as_customer.json(b);
            }
            assert_eq!(anonymous.send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "anonymous {method} {path}");
            assert_eq!(as_customer.send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "customer {method} {path}");
            let (status, answer) = call(&server, method.clone(), &path, Some(&support), body.clone()).await;
            if support_allowed {
                assert!(status.is_success(), "support {method} {path}: {status} {answer}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "support {method} {path}");
            }
            let (status, answer) = call(&server, method.clone(), &path, Some(&admin), body).await;
            assert!(status.is_success(), "admin {method} {path}: {status} {answer}");
        }
        server.stop().await;
    }
}
