//! Customer self-service through the JSON API over a real socket, on both
//! engines, reading links from the mail the server delivered.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use gatehouse_domain::{DeleteReason, Event, Lock, LockMode, SiteSettings, Status, decide};
use gatehouse_store::Account;
use gatehouse_testkit::{TestServer, both_engines, browser};
use gatehouse_web::ratelimit::{Budget, RateLimits};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "violet anchors juggle quietly";

/// A browser-like client of one site's API.
struct Api<'a> {
    server: &'a TestServer,
    client: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(server: &'a TestServer) -> Api<'a> {
        Api {
            server,
            client: browser(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let mut request = self.client.request(
            method,
            self.server.url(&format!("/api/v1/sites/main{path}")),
        );
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value, headers)
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self.send(reqwest::Method::POST, path, Some(body)).await;
        (s, v)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, v, _) = self.send(reqwest::Method::GET, path, None).await;
        (s, v)
    }

    async fn sign_in(&self, login: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/sessions",
            json!({"login_id": login, "password": password}),
        )
        .await
    }
}

async fn register(api: &Api<'_>, email: &str) -> (StatusCode, Value) {
    api.post("/registrations", json!({"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace", "company": "Engines Ltd"})).await
}

/// The token of the newest link to `page` in mail to `email`.
async fn newest_link(server: &TestServer, email: &str, count: usize, page: &str) -> String {
    let mails = server.wait_for_mails(email, count).await;
    let mail = mails.last().unwrap();
    let link = mail
        .link_to(&server.base_url, page)
        .unwrap_or_else(|| panic!("no {page} link in: {}", mail.raw));
    link.split("token=").nth(1).unwrap().to_string()
}

/// Registers and activates an account; answers the status it ended in.
async fn signed_up(server: &TestServer, email: &str) -> Value {
    let api = Api::new(server);
    assert_eq!(register(&api, email).await.0, StatusCode::ACCEPTED);
    let token = newest_link(server, email, 1, "/activate").await;
    let (status, body) = api.post("/verifications", json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn settings(server: &TestServer, change: impl FnOnce(&mut SiteSettings)) {
    server.change_main_settings(change).await;
}

async fn account(server: &TestServer, email: &str) -> Account {
    let mut tx = server.app.store.read().await.unwrap();
    let site = tx.site_by_key("main").await.unwrap().unwrap();
    tx.account_by_email(site.id, email).await.unwrap().unwrap()
}

async fn change_account(server: &TestServer, email: &str, change: impl FnOnce(&mut Account)) {
    let mut a = account(server, email).await;
    change(&mut a);
    let mut tx = server.app.store.begin().await.unwrap();
    tx.save_account(&a).await.unwrap();
    tx.commit().await.unwrap();
}

async fn staff_event(server: &TestServer, email: &str, event: Event) {
    let now = time::OffsetDateTime::now_utc();
    change_account(server, email, |a| {
        a.state = decide(&a.state, event, &SiteSettings::default(), now)
            .unwrap()
            .state
    })
    .await;
}

/// A customer with an account on `site`, put into `company` by staff, who
/// took the invitation (chose a password): the account's ID.
async fn member(
    server: &TestServer,
    admin: &str,
    site: &str,
    email: &str,
    role: &str,
    company: &str,
) -> String {
    let (status, made) = server.api(reqwest::Method::POST, "/api/v1/customers", Some(admin), Some(json!({
        "first_name": email.split('@').next().unwrap(), "last_name": "Test", "email": email, "company_id": company,
        "account": {"site": site, "role": role, "send_welcome": true}
    }))).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let link = server
        .nth_mail(email, 1)
        .await
        .link_to(&server.base_url, "/reset-password")
        .unwrap();
    let token = link.split("token=").nth(1).unwrap().to_string();
    let (status, body) = server
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/sites/{site}/password-resets/confirm"),
            None,
            Some(json!({"token": token, "new_password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    made["accounts"][0]["id"].as_str().unwrap().to_string()
}

async fn staff(
    server: &TestServer,
    admin: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    server.api(method, path, Some(admin), body).await
}

/// A browser signed in on `site` as `login`.
async fn signed_in(server: &TestServer, site: &str, login: &str) -> reqwest::Client {
    let client = browser();
    let r = client
        .post(server.url(&format!("/api/v1/sites/{site}/sessions")))
        .json(&json!({"login_id": login, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{login} signs in on {site}");
    client
}

async fn call(
    client: &reqwest::Client,
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client.request(method, server.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

both_engines! {

    async fn every_team_call_answers_every_caller_as_the_table_says(db: TestDb) {
        use reqwest::Method;
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", gatehouse_domain::StaffRole::Admin, &[]).await;
        assert_eq!(staff(&server, &admin, Method::POST, "/api/v1/sites", Some(json!({"key": "shop", "name": "Shop"}))).await.0, StatusCode::CREATED);
        let (_, a) = staff(&server, &admin, Method::POST, "/api/v1/companies", Some(json!({"name": "Engines Ltd"}))).await;
        let (_, b) = staff(&server, &admin, Method::POST, "/api/v1/companies", Some(json!({"name": "Jacquard Looms"}))).await;
        let (a, b) = (a["id"].as_str().unwrap().to_string(), b["id"].as_str().unwrap().to_string());

        let colleague = member(&server, &admin, "main", "colleague@example.com", "customer", &a).await;
        member(&server, &admin, "main", "plain@example.com", "customer", &a).await;
        member(&server, &admin, "main", "manager@example.com", "customer_manager", &a).await;
        member(&server, &admin, "main", "rival@example.com", "customer_manager", &b).await;
        member(&server, &admin, "shop", "shopkeeper@example.com", "customer_manager", &a).await;
        let off = member(&server, &admin, "main", "off@example.com", "customer_manager", &a).await;
        let gone = member(&server, &admin, "main", "gone@example.com", "customer", &a).await;

        // (caller, site, client) — the last two lose their standing after signing in.
        let mut callers = vec![("anonymous", "main", browser())];
        for (who, site, login) in [("plain customer", "main", "plain@example.com"), ("manager of another company", "main", "rival@example.com"),
            ("manager on another site", "shop", "shopkeeper@example.com"), ("manager switched off", "main", "off@example.com"),
            ("deleted colleague", "main", "gone@example.com"), ("manager of the company", "main", "manager@example.com")] {
            callers.push((who, site, signed_in(&server, site, login).await));
        }
        assert_eq!(staff(&server, &admin, Method::PATCH, &format!("/api/v1/accounts/{off}"), Some(json!({"access_granted": false}))).await.0, StatusCode::OK);
        let (status, _) = staff(&server, &admin, Method::POST, "/api/v1/accounts/actions", Some(json!({"action": "delete", "ids": [gone]}))).await;
        assert_eq!(status, StatusCode::OK);

        // GET list, POST invite, PATCH the colleague, POST resend to the colleague, GET the page.
        let table: [(&str, [u16; 5]); 7] = [
            ("anonymous", [401, 401, 401, 401, 303]),
            ("plain customer", [403, 403, 403, 403, 403]),
            ("manager of another company", [200, 201, 404, 404, 200]),
            ("manager on another site", [200, 201, 404, 404, 200]),
            ("manager switched off", [401, 401, 401, 401, 303]),
            ("deleted colleague", [401, 401, 401, 401, 303]),
            ("manager of the company", [200, 201, 200, 409, 200]),
        ];
        for (n, (who, site, client)) in callers.iter().enumerate() {
            let base = format!("/api/v1/sites/{site}/team");
            let got = [
                call(client, &server, Method::GET, &base, None).await,
                call(client, &server, Method::POST, &base, Some(json!({"first_name": "New", "last_name": "Colleague", "email": format!("new{n}@example.com")}))).await,
                call(client, &server, Method::PATCH, &format!("{base}/{colleague}"), Some(json!({"access_granted": false}))).await,
                call(client, &server, Method::POST, &format!("{base}/{colleague}/resend"), None).await,
            ];
            let page = client.get(server.url(&format!("/s/{site}/team"))).send().await.unwrap().status();
            let statuses: Vec<u16> = got.iter().map(|(s, _)| s.as_u16()).chain([page.as_u16()]).collect();
            let want = table.iter().find(|(w, _)| w == who).unwrap().1;
            assert_eq!(statuses, want, "{who}: {:?}", got.iter().map(|(_, b)| b).collect::<Vec<_>>());
        }
        server.stop().await;
    }

    async fn a_manager_invites_switches_and_resends_within_the_company_only(db: TestDb) {
        use reqwest::Method;
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", gatehouse_domain::StaffRole::Admin, &[]).await;
        assert_eq!(staff(&server, &admin, Method::POST, "/api/v1/sites", Some(json!({"key": "shop", "name": "Shop"}))).await.0, StatusCode::CREATED);
        let (_, a) = staff(&server, &admin, Method::POST, "/api/v1/companies", Some(json!({"name": "Engines Ltd"}))).await;
        let (_, b) = staff(&server, &admin, Method::POST, "/api/v1/companies", Some(json!({"name": "Jacquard Looms"}))).await;
        let (a, b) = (a["id"].as_str().unwrap().to_string(), b["id"].as_str().unwrap().to_string());
        let me = member(&server, &admin, "main", "manager@example.com", "customer_manager", &a).await;
        let colleague = member(&server, &admin, "main", "colleague@example.com", "customer", &a).await;
        let peer = member(&server, &admin, "main", "peer@example.com", "customer_manager", &a).await;
        let gone = member(&server, &admin, "main", "gone@example.com", "customer", &a).await;
        member(&server, &admin, "main", "stranger@example.com", "customer", &b).await;
        member(&server, &admin, "shop", "elsewhere@example.com", "customer", &a).await;
        staff(&server, &admin, Method::POST, "/api/v1/accounts/actions", Some(json!({"action": "delete", "ids": [gone]}))).await;
        let manager = signed_in(&server, "main", "manager@example.com").await;
        let worker = signed_in(&server, "main", "colleague@example.com").await;

        // The team: this site, this company, nobody deleted, nothing staff-only.
        let (status, team) = call(&manager, &server, Method::GET, "/api/v1/sites/main/team", None).await;
        assert_eq!(status, StatusCode::OK, "{team}");
        let items = team["items"].as_array().unwrap();
        let logins: Vec<&str> = items.iter().map(|m| m["login_id"].as_str().unwrap()).collect();
        assert_eq!(logins, ["colleague@example.com", "manager@example.com", "peer@example.com"]);
        let mut keys: Vec<&str> = items[0].as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["access_granted", "account_id", "first_name", "is_you", "last_login_at", "last_name", "login_id", "manageable", "role", "signed_up", "status"]);
        let flags: Vec<(bool, bool)> = items.iter().map(|m| (m["is_you"].as_bool().unwrap(), m["manageable"].as_bool().unwrap())).collect();
        assert_eq!(flags, [(false, true), (true, false), (false, false)]);
        for (target, code) in [(&me, "yourself"), (&peer, "another_manager")] {
            let (status, body) = call(&manager, &server, Method::PATCH, &format!("/api/v1/sites/main/team/{target}"), Some(json!({"access_granted": false}))).await;
            assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some(code)));
        }
        assert_eq!(call(&manager, &server, Method::PATCH, &format!("/api/v1/sites/main/team/{gone}"), Some(json!({"access_granted": true}))).await.0, StatusCode::NOT_FOUND);

        // Switching a colleague off signs them out everywhere; on lets them back.
        let (status, body) = call(&manager, &server, Method::PATCH, &format!("/api/v1/sites/main/team/{colleague}"), Some(json!({"access_granted": false}))).await;
        assert_eq!((status, body["access_granted"].as_bool()), (StatusCode::OK, Some(false)));
        assert_eq!(call(&worker, &server, Method::GET, "/api/v1/sites/main/me", None).await.0, StatusCode::UNAUTHORIZED);
        let r = browser().post(server.url("/api/v1/sites/main/sessions")).json(&json!({"login_id": "colleague@example.com", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "switched off, they cannot sign in");
        call(&manager, &server, Method::PATCH, &format!("/api/v1/sites/main/team/{colleague}"), Some(json!({"access_granted": true}))).await;
        signed_in(&server, "main", "colleague@example.com").await;

        // Invitations: checked field by field, an address with an account here refused
        // (one on another site is not told about), a colleague in the company.
        let (status, body) = call(&manager, &server, Method::POST, "/api/v1/sites/main/team", Some(json!({"first_name": " ", "last_name": "", "email": "nope"}))).await;
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!((status, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["first_name", "last_name", "email"]));
        let (status, body) = call(&manager, &server, Method::POST, "/api/v1/sites/main/team", Some(json!({"first_name": "A", "last_name": "B", "email": "COLLEAGUE@example.com"}))).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("email")));
        let (status, made) = call(&manager, &server, Method::POST, "/api/v1/sites/main/team", Some(json!({"first_name": "Else", "last_name": "Where", "email": "elsewhere@example.com"}))).await;
        assert_eq!((status, made["status"].as_str(), made["signed_up"].as_bool()), (StatusCode::CREATED, Some("active"), Some(false)), "{made}");
        let invited = made["account_id"].as_str().unwrap().to_string();
        // Mails 1 and 2 are the shop's welcome and its "password changed".
        let invitation = server.nth_mail("elsewhere@example.com", 3).await;
        let first = invitation.link_to(&server.base_url, "/reset-password").unwrap_or_else(|| panic!("{}: {}", invitation.subject, invitation.raw));
        let (status, body) = call(&manager, &server, Method::POST, &format!("/api/v1/sites/main/team/{invited}/resend"), None).await;
        assert_eq!((status, body["sent"].as_str()), (StatusCode::OK, Some("invitation")));
        let second = server.nth_mail("elsewhere@example.com", 4).await.link_to(&server.base_url, "/reset-password").unwrap();
        let token = |link: &str| link.split("token=").nth(1).unwrap().to_string();
        let (status, _) = server.api(Method::POST, "/api/v1/sites/main/password-resets/confirm", None, Some(json!({"token": token(&first), "new_password": PASSWORD}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the older invitation no longer works");
        let (status, _) = server.api(Method::POST, "/api/v1/sites/main/password-resets/confirm", None, Some(json!({"token": token(&second), "new_password": PASSWORD}))).await;
        assert_eq!(status, StatusCode::OK);
        signed_in(&server, "main", "elsewhere@example.com").await;
        let (_, detail) = staff(&server, &admin, Method::GET, &format!("/api/v1/accounts/{invited}"), None).await;
        let customer = detail["customer"]["id"].as_str().unwrap().to_string();
        let (_, customer) = staff(&server, &admin, Method::GET, &format!("/api/v1/customers/{customer}"), None).await;
        assert_eq!(customer["company_id"].as_str(), Some(a.as_str()), "the colleague is in the manager's company");
        assert_eq!(call(&manager, &server, Method::POST, &format!("/api/v1/sites/main/team/{invited}/resend"), None).await.0, StatusCode::CONFLICT, "signed up: nothing to send");

        // With approval, the invitation waits for staff and goes out when they approve.
        let (status, _) = staff(&server, &admin, Method::PATCH, "/api/v1/sites/main/settings", Some(json!({"manager_invites_need_approval": true}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, made) = call(&manager, &server, Method::POST, "/api/v1/sites/main/team", Some(json!({"first_name": "Wait", "last_name": "Ing", "email": "waiting@example.com"}))).await;
        assert_eq!((status, made["status"].as_str()), (StatusCode::CREATED, Some("pending")));
        let waiting = made["account_id"].as_str().unwrap().to_string();
        assert_eq!(call(&manager, &server, Method::POST, &format!("/api/v1/sites/main/team/{waiting}/resend"), None).await.0, StatusCode::CONFLICT);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(server.mails_to("waiting@example.com").is_empty(), "nothing is sent before approval");
        let (status, _) = staff(&server, &admin, Method::POST, "/api/v1/accounts/actions", Some(json!({"action": "approve", "ids": [waiting]}))).await;
        assert_eq!(status, StatusCode::OK);
        let invitation = server.nth_mail("waiting@example.com", 1).await;
        assert!(invitation.link_to(&server.base_url, "/reset-password").is_some(), "approval sends the invitation: {}", invitation.subject);

        // Each action is audited with the manager, a customer, as the actor.
        let (_, audit) = staff(&server, &admin, Method::GET, "/api/v1/audit?action=team.", None).await;
        let rows: Vec<(&str, &str, &str)> = audit["items"].as_array().unwrap().iter()
            .map(|e| (e["action"].as_str().unwrap(), e["actor"]["kind"].as_str().unwrap(), e["actor"]["label"].as_str().unwrap())).collect();
        for action in ["team.invite", "team.resend", "team.access"] {
            assert!(rows.contains(&(action, "customer", "manager@example.com")), "{action}: {rows:?}");
        }
        server.stop().await;
    }
    async fn register_activate_and_sign_in(db: TestDb) {
        let server = TestServer::start(&db).await;
        let api = Api::new(&server);
        let (status, body) = register(&api, "Ada@Example.com").await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let mail = server.nth_mail("Ada@example.com", 1).await;
        assert!(mail.subject.contains("Confirm your e-mail address"), "{}", mail.subject);
        assert!(mail.raw.contains("takes no replies"));

        // Not yet: the address is unconfirmed, and the right password may say so.
        let (status, body) = api.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("unverified")));

        let token = newest_link(&server, "Ada@example.com", 1, "/activate").await;
        assert_eq!(api.post("/verifications", json!({"token": token})).await.1["status"], "active");
        let (status, body) = api.post("/verifications", json!({"token": token})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("link_invalid")), "single use");

        let (status, body) = api.sign_in("ADA@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["must_change_password"], false);
        let (status, me) = api.get("/me").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((me["login_id"].as_str(), me["first_name"].as_str(), me["company"].as_str()), (Some("ada@example.com"), Some("Ada"), None),
            "a company typed at registration makes nobody a member of it");
        assert_eq!(me["email_validated"], true);
        let a = account(&server, "ada@example.com").await;
        assert_eq!(a.company.as_deref(), Some("Engines Ltd"), "it stays on the account for staff to read");
        assert!(a.customer_id.is_some(), "the site creates the customer on verification");
        assert!(a.last_login_at.is_some() && a.verified_at.is_some());
        server.stop().await;
    }

    async fn approval_and_assignment_leave_the_account_pending(db: TestDb) {
        let server = TestServer::start(&db).await;
        settings(&server, |s| s.approval_required = true).await;
        assert_eq!(signed_up(&server, "pending@example.com").await["status"], "pending");
        let api = Api::new(&server);
        let (status, body) = api.sign_in("pending@example.com", PASSWORD).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("pending")));
        // A wrong password still answers like an unknown login ID.
        let (status, body) = api.sign_in("pending@example.com", "wrong password entirely").await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")));

        settings(&server, |s| { s.approval_required = false; s.create_customer_on_registration = false; }).await;
        assert_eq!(signed_up(&server, "assign@example.com").await["status"], "pending");
        assert!(account(&server, "assign@example.com").await.customer_id.is_none(), "waits for assignment");
        server.stop().await;
    }

    async fn registration_refusals_name_each_field_and_change_nothing(db: TestDb) {
        let server = TestServer::start(&db).await;
        let api = Api::new(&server);
        let (status, body) = api.post("/registrations", json!({"email": "not-an-address", "password": "short", "first_name": "", "last_name": "L"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["email", "first_name", "password"], "{body}");
        let (status, body) = api.post("/registrations", json!({"email": "ada@example.com", "password": "password123", "first_name": "Ada", "last_name": "L"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("too easy to guess"), "{body}");
        let (status, _) = api.post("/registrations", json!({"nonsense": true})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let raw = api.client.post(server.url("/api/v1/sites/main/registrations")).body("email=x").send().await.unwrap();
        assert_eq!(raw.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(server.mails().is_empty());

        settings(&server, |s| s.self_registration = false).await;
        let (status, body) = register(&api, "ada@example.com").await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("registration_closed")));
        let elsewhere = api.client.post(server.url("/api/v1/sites/nowhere/registrations"))
            .json(&json!({"email": "ada@example.com", "password": PASSWORD, "first_name": "A", "last_name": "L"})).send().await.unwrap();
        assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
        server.stop().await;
    }

    async fn a_known_address_gets_the_same_answer_and_its_owner_a_notice(db: TestDb) {
        let server = TestServer::start(&db).await;
        let api = Api::new(&server);
        let first = register(&api, "ada@example.com").await;
        let unknown = register(&api, "someone-else@example.com").await;
        let again = register(&api, "ADA@example.com").await;
        assert_eq!(again, first, "same status and body as a new registration");
        assert_eq!(again, unknown);

        let mails = server.wait_for_mails("ada@example.com", 2).await;
        assert!(mails[1].subject.contains("tried to register"), "{}", mails[1].subject);
        // Still unverified: the notice carries a fresh activation link and voids the first.
        let old = mails[0].link_to(&server.base_url, "/activate").unwrap();
        let fresh = mails[1].link_to(&server.base_url, "/activate").unwrap();
        assert_ne!(old, fresh);
        let (status, _) = api.post("/verifications", json!({"token": old.split("token=").nth(1).unwrap()})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let a = account(&server, "ada@example.com").await;
        assert_eq!(a.state.failed_attempts, 1, "a repeated registration counts as a failed attempt");

        // Once active, the notice has no link.
        let (_, body) = api.post("/verifications", json!({"token": fresh.split("token=").nth(1).unwrap()})).await;
        assert_eq!(body["status"], "active");
        register(&api, "ada@example.com").await;
        let third = server.nth_mail("ada@example.com", 3).await;
        assert!(third.link_to(&server.base_url, "/activate").is_none());
        server.stop().await;
    }

    async fn concurrent_duplicate_registrations_create_one_account(db: TestDb) {
        let server = TestServer::start(&db).await;
        let mut calls = Vec::new();
        for _ in 0..6 {
            let client = browser();
            let url = server.url("/api/v1/sites/main/registrations");
            calls.push(tokio::spawn(async move {
                client.post(url).json(&json!({"email": "twin@example.com", "password": PASSWORD, "first_name": "T", "last_name": "Win"})).send().await.unwrap().status()
            }));
        }
        for c in calls {
            assert_eq!(c.await.unwrap(), StatusCode::ACCEPTED);
        }
        let mut tx = server.app.store.read().await.unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        assert!(tx.account_by_login_id(site.id, "twin@example.com").await.unwrap().is_some());
        drop(tx);
        let activations = server.wait_for_mails("twin@example.com", 6).await;
        assert_eq!(activations.iter().filter(|m| m.subject.starts_with("Confirm")).count(), 1, "one account, one activation mail");
        server.stop().await;
    }

    async fn resend_voids_older_links_and_answers_alike_for_everyone(db: TestDb) {
        let server = TestServer::start(&db).await;
        let api = Api::new(&server);
        register(&api, "ada@example.com").await;
        let first = newest_link(&server, "ada@example.com", 1, "/activate").await;
        let known = api.post("/verifications/resend", json!({"email": "ada@example.com"})).await;
        let unknown = api.post("/verifications/resend", json!({"email": "nobody@example.com"})).await;
        let malformed = api.post("/verifications/resend", json!({"email": "nobody"})).await;
        assert_eq!(known.0, StatusCode::ACCEPTED);
        assert_eq!(known, unknown);
        assert_eq!(known, malformed);
        let second = newest_link(&server, "ada@example.com", 2, "/activate").await;
        assert_eq!(api.post("/verifications", json!({"token": first})).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(api.post("/verifications", json!({"token": second})).await.0, StatusCode::OK);
        // Active now: nothing more is sent.
        api.post("/verifications/resend", json!({"email": "ada@example.com"})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(server.mails_to("ada@example.com").len(), 2);
        assert!(server.mails_to("nobody@example.com").is_empty());
        server.stop().await;
    }

    async fn sign_in_never_tells_unknown_from_wrong(db: TestDb) {
        let server = TestServer::start(&db).await;
        signed_up(&server, "ada@example.com").await;
        let api = Api::new(&server);
        let wrong = api.sign_in("ada@example.com", "not the password at all").await;
        let unknown = api.sign_in("nobody@example.com", "not the password at all").await;
        let garbage = api.sign_in("", "").await;
        assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong, unknown);
        assert_eq!(wrong, garbage);
        // A deleted account answers like an unknown one, even to the right password.
        staff_event(&server, "ada@example.com", Event::Delete { reason: DeleteReason::Deleted }).await;
        assert_eq!(api.sign_in("ada@example.com", PASSWORD).await, unknown);
        server.stop().await;
    }

    async fn failed_attempts_lock_temporarily_then_the_lock_expires(db: TestDb) {
        let server = TestServer::start(&db).await;
        settings(&server, |s| { s.max_failed_attempts = 3; s.lock_duration_seconds = 4; }).await;
        signed_up(&server, "ada@example.com").await;
        let api = Api::new(&server);
        for _ in 0..3 {
            assert_eq!(api.sign_in("ada@example.com", "wrong wrong wrong").await.0, StatusCode::UNAUTHORIZED);
        }
        let (status, body) = api.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("locked")));
        let locked = server.nth_mail("ada@example.com", 2).await;
        assert!(locked.subject.contains("locked"), "{}", locked.subject);
        let a = account(&server, "ada@example.com").await;
        assert_eq!(a.state.failed_attempts, 3);
        // Further failures while locked do not count past the maximum.
        api.sign_in("ada@example.com", "wrong wrong wrong").await;
        assert_eq!(account(&server, "ada@example.com").await.state.failed_attempts, 3);

        tokio::time::sleep(Duration::from_millis(4100)).await;
        let (status, body) = api.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(account(&server, "ada@example.com").await.state.failed_attempts, 0);
        server.stop().await;
    }

    async fn a_permanent_lock_holds_until_staff_act_and_resets_do_not_lift_it(db: TestDb) {
        let server = TestServer::start(&db).await;
        settings(&server, |s| { s.max_failed_attempts = 2; s.lock_mode = LockMode::Permanent; }).await;
        signed_up(&server, "ada@example.com").await;
        let api = Api::new(&server);
        api.sign_in("ada@example.com", "wrong wrong wrong").await;
        api.sign_in("ada@example.com", "wrong wrong wrong").await;
        assert_eq!(account(&server, "ada@example.com").await.state.lock, Some(Lock::Permanent));
        let locked_mail = server.nth_mail("ada@example.com", 2).await;
        assert!(locked_mail.raw.contains("contact us to unlock"), "{}", locked_mail.raw);
        assert_eq!(api.post("/password-resets", json!({"email": "ada@example.com"})).await.0, StatusCode::ACCEPTED);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(server.mails_to("ada@example.com").len(), 2, "no reset link for a permanently locked account");
        staff_event(&server, "ada@example.com", Event::Unlock).await;
        assert_eq!(api.sign_in("ada@example.com", PASSWORD).await.0, StatusCode::OK);
        server.stop().await;
    }

    async fn blocked_and_deactivated_accounts_are_told_after_the_right_password(db: TestDb) {
        let server = TestServer::start(&db).await;
        signed_up(&server, "blocked@example.com").await;
        signed_up(&server, "off@example.com").await;
        signed_up(&server, "expired@example.com").await;
        let api = Api::new(&server);
        assert_eq!(api.sign_in("blocked@example.com", PASSWORD).await.0, StatusCode::OK);
        assert_eq!(api.get("/me").await.0, StatusCode::OK);
        staff_event(&server, "blocked@example.com", Event::Block).await;
        let (status, body) = api.sign_in("blocked@example.com", PASSWORD).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("blocked")));
        assert_eq!(api.get("/me").await.0, StatusCode::UNAUTHORIZED, "a blocked account's session ends");

        change_account(&server, "off@example.com", |a| a.state.access_granted = false).await;
        let (status, body) = api.sign_in("off@example.com", PASSWORD).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("deactivated")));
        change_account(&server, "expired@example.com", |a| a.state.access_expires_at = Some(time::OffsetDateTime::now_utc())).await;
        let (status, body) = api.sign_in("expired@example.com", PASSWORD).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("deactivated")));
        server.stop().await;
    }

    async fn an_expired_password_must_be_changed_before_anything_else(db: TestDb) {
        let server = TestServer::start(&db).await;
        signed_up(&server, "ada@example.com").await;
        change_account(&server, "ada@example.com", |a| a.state.password_expires_at = Some(time::OffsetDateTime::now_utc())).await;
        let api = Api::new(&server);
        let (status, body) = api.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["must_change_password"], true);
        assert_eq!(api.get("/me").await.1["must_change_password"], true);
        let (status, body, _) = api.send(reqwest::Method::PATCH, "/me", Some(json!({"city": "London"}))).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("password_change_required")));
        let (status, body) = api.post("/me/password", json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(api.get("/me").await.1["must_change_password"], false);
        let (status, _, _) = api.send(reqwest::Method::PATCH, "/me", Some(json!({"city": "London"}))).await;
        assert_eq!(status, StatusCode::OK);
        server.stop().await;
    }

    async fn sessions_rotate_expire_and_are_revoked(db: TestDb) {
        let server = TestServer::start(&db).await;
        signed_up(&server, "ada@example.com").await;
        let laptop = Api::new(&server);
        let phone = Api::new(&server);
        let (_, _, headers) = laptop.send(reqwest::Method::POST, "/sessions", Some(json!({"login_id": "ada@example.com", "password": PASSWORD}))).await;
        let cookie = headers["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("gh_session_main="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
        let (_, _, again) = laptop.send(reqwest::Method::POST, "/sessions", Some(json!({"login_id": "ada@example.com", "password": PASSWORD}))).await;
        assert_ne!(again["set-cookie"], headers["set-cookie"], "a new session token at every sign-in");
        phone.sign_in("ada@example.com", PASSWORD).await;

        let (_, list) = laptop.get("/sessions").await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
        assert_eq!(laptop.send(reqwest::Method::DELETE, "/sessions/others", None).await.1["signed_out"], 2);
        assert_eq!(phone.get("/me").await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(laptop.get("/me").await.0, StatusCode::OK);
        assert_eq!(laptop.send(reqwest::Method::DELETE, "/sessions/current", None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(laptop.get("/me").await.0, StatusCode::UNAUTHORIZED);

        settings(&server, |s| { s.session_idle_seconds = 1; s.session_absolute_seconds = 60; }).await;
        laptop.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(laptop.get("/me").await.0, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(laptop.get("/me").await.0, StatusCode::UNAUTHORIZED, "idle expiry");
        server.stop().await;
    }

    async fn a_sign_out_through_one_node_reaches_another_within_a_second(db: TestDb) {
        // Each node keeps a signed-in request's reads up to 1 s (README,
        // PostgreSQL): its own writes end that at once, another node's in time.
        let first = TestServer::start(&db).await;
        signed_up(&first, "ada@example.com").await;
        let second = TestServer::start(&db).await;
        let (_, _, headers) = Api::new(&first).send(reqwest::Method::POST, "/sessions", Some(json!({"login_id": "ada@example.com", "password": PASSWORD}))).await;
        let cookie = headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let me = |server: &TestServer| {
            reqwest::Client::new().get(server.url("/api/v1/sites/main/me")).header("cookie", cookie.clone()).send()
        };
        assert_eq!(me(&second).await.unwrap().status(), StatusCode::OK, "read, and kept, by the second node");
        let out = reqwest::Client::new().delete(first.url("/api/v1/sites/main/sessions/current")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        assert_eq!(me(&first).await.unwrap().status(), StatusCode::UNAUTHORIZED, "at once on the node that signed out");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(me(&second).await.unwrap().status(), StatusCode::UNAUTHORIZED, "within a second on the other node");
        second.stop().await;
        first.stop().await;
    }

    async fn forgot_password_resets_once_and_lifts_a_temporary_lock(db: TestDb) {
        let server = TestServer::start(&db).await;
        settings(&server, |s| s.max_failed_attempts = 2).await;
        signed_up(&server, "ada@example.com").await;
        let api = Api::new(&server);
        let other_device = Api::new(&server);
        other_device.sign_in("ada@example.com", PASSWORD).await;
        api.sign_in("ada@example.com", "wrong wrong wrong").await;
        api.sign_in("ada@example.com", "wrong wrong wrong").await;
        assert_eq!(account(&server, "ada@example.com").await.state.status(time::OffsetDateTime::now_utc()), Status::Locked);

        let known = api.post("/password-resets", json!({"email": "ada@example.com"})).await;
        let unknown = api.post("/password-resets", json!({"email": "nobody@example.com"})).await;
        assert_eq!(known.0, StatusCode::ACCEPTED);
        assert_eq!(known, unknown);
        let token = newest_link(&server, "ada@example.com", 3, "/reset-password").await;

        let (status, body) = api.post("/password-resets/confirm", json!({"token": token, "new_password": "password1"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = api.post("/password-resets/confirm", json!({"token": token, "new_password": NEW_PASSWORD})).await;
        assert_eq!(status, StatusCode::OK, "a refused password leaves the link usable: {body}");
        let (status, _) = api.post("/password-resets/confirm", json!({"token": token, "new_password": NEW_PASSWORD})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "single use");

        let changed = server.nth_mail("ada@example.com", 4).await;
        assert!(changed.subject.contains("password") && changed.subject.contains("changed"), "{}", changed.subject);
        assert!(!changed.raw.contains(NEW_PASSWORD), "no mail contains a password");
        assert_eq!(other_device.get("/me").await.0, StatusCode::UNAUTHORIZED, "every session ended");
        let a = account(&server, "ada@example.com").await;
        assert_eq!((a.state.lock, a.state.failed_attempts), (None, 0));
        assert_eq!(api.sign_in("ada@example.com", PASSWORD).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(api.sign_in("ada@example.com", NEW_PASSWORD).await.0, StatusCode::OK);

        settings(&server, |s| s.forgot_password_enabled = false).await;
        let (status, body) = api.post("/password-resets", json!({"email": "ada@example.com"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("password_reset_disabled")));
        server.stop().await;
    }

    async fn a_reset_link_activates_an_unverified_account(db: TestDb) {
        let server = TestServer::start(&db).await;
        let api = Api::new(&server);
        register(&api, "ada@example.com").await;
        api.post("/password-resets", json!({"email": "ada@example.com"})).await;
        let token = newest_link(&server, "ada@example.com", 2, "/reset-password").await;
        assert_eq!(api.post("/password-resets/confirm", json!({"token": token, "new_password": NEW_PASSWORD})).await.0, StatusCode::OK);
        let a = account(&server, "ada@example.com").await;
        assert!(a.state.email_validated && a.customer_id.is_some());
        assert_eq!(api.sign_in("ada@example.com", NEW_PASSWORD).await.0, StatusCode::OK);
        server.stop().await;
    }

    async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(db: TestDb) {
        let server = TestServer::start(&db).await;
        signed_up(&server, "ada@example.com").await;
        let api = Api::new(&server);
        let other = Api::new(&server);
        api.sign_in("ada@example.com", PASSWORD).await;
        other.sign_in("ada@example.com", PASSWORD).await;
        let (status, body) = api.post("/me/password", json!({"current_password": "wrong", "new_password": NEW_PASSWORD})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password")));
        let (status, body) = api.post("/me/password", json!({"current_password": PASSWORD, "new_password": "lovelace1"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = api.post("/me/password", json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(api.get("/me").await.0, StatusCode::OK, "this device stays signed in with a new session");
        assert_eq!(other.get("/me").await.0, StatusCode::UNAUTHORIZED);
        let notice = server.nth_mail("ada@example.com", 2).await;
        assert!(notice.subject.contains("changed"));
        server.stop().await;
    }

    async fn the_profile_takes_only_the_fields_the_site_allows(db: TestDb) {
        let server = TestServer::start(&db).await;
        signed_up(&server, "ada@example.com").await;
        let api = Api::new(&server);
        api.sign_in("ada@example.com", PASSWORD).await;
        let (status, me) = api.send(reqwest::Method::PATCH, "/me", Some(json!({"city": "London", "phone": "+44 20 7946 0000"}))).await.pipe(|(s, v, _)| (s, v));
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["city"].as_str(), Some("London"));
        // The company decides what a customer manager sees: staff set it, never the customer.
        for change in [json!({"company": "Rival Ltd"}), json!({"company": null}), json!({"company_id": "01890a5d-ac96-774b-bcce-b302099a8057"})] {
            let (status, body, _) = api.send(reqwest::Method::PATCH, "/me", Some(change.clone())).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {body}");
            assert!(body["error"]["fields"][0]["field"].as_str().unwrap().starts_with("company"), "{body}");
        }
        let (status, body, _) = api.send(reqwest::Method::PATCH, "/me", Some(json!({"notes": "vip", "group_id": "x", "city": "Paris"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["group_id", "notes"]);
        assert_eq!(api.get("/me").await.1["city"], "London", "nothing of a refused change is applied");
        let (status, _, _) = api.send(reqwest::Method::PATCH, "/me", Some(json!({"url": "javascript:alert(1)"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        settings(&server, |s| s.lock_names_once_set = true).await;
        let (status, _, _) = api.send(reqwest::Method::PATCH, "/me", Some(json!({"first_name": "Augusta"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "names are staff-only once set");
        let customer_id = account(&server, "ada@example.com").await.customer_id.unwrap();
        let mut tx = server.app.store.read().await.unwrap();
        assert_eq!(tx.customer_by_id(customer_id).await.unwrap().unwrap().fields.city.as_deref(), Some("London"));
        drop(tx);
        server.stop().await;
    }

    async fn rate_limits_answer_429_with_retry_after(db: TestDb) {
        let limits = RateLimits { per_ip: Budget { burst: 100, per_minute: 100 }, per_account: Budget { burst: 3, per_minute: 1 } };
        let server = TestServer::start_with(&db, limits).await;
        let api = Api::new(&server);
        for _ in 0..3 {
            assert_eq!(api.sign_in("ada@example.com", "whatever it is").await.0, StatusCode::UNAUTHORIZED);
        }
        let (status, body, headers) = api.send(reqwest::Method::POST, "/sessions", Some(json!({"login_id": "ada@example.com", "password": "x"}))).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
        let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        // Another account is not held up.
        assert_eq!(api.sign_in("grace@example.com", "whatever it is").await.0, StatusCode::UNAUTHORIZED);
        server.stop().await;
    }

    async fn portal_api_calls_with_a_session_refuse_other_origins(db: TestDb) {
        let server = TestServer::start(&db).await;
        signed_up(&server, "ada@example.com").await;
        let api = Api::new(&server);
        api.sign_in("ada@example.com", PASSWORD).await;
        let forged = api.client.patch(server.url("/api/v1/sites/main/me")).header("origin", "https://evil.example").json(&json!({"city": "X"})).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let same = api.client.patch(server.url("/api/v1/sites/main/me")).header("origin", &server.base_url).json(&json!({"city": "Y"})).send().await.unwrap();
        assert_eq!(same.status(), StatusCode::OK);
        server.stop().await;
    }
}

/// `x.pipe(f)` is `f(x)`: keeps the tests' call chains readable.
trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

both_engines! {
    async fn a_password_made_of_ones_own_name_company_or_site_is_refused(db: TestDb) {
        let server = TestServer::start(&db).await;
        let api = Api::new(&server);
        let register = |email: &str, password: &str, company: &str| {
            api.post("/registrations", json!({"email": email, "password": password,
                "first_name": "Klaus", "last_name": "Becker", "company": company}))
        };
        for (email, password, company) in [
            ("anna.kessler@kessler-heating.example", "KesslerHeating2026", ""),
            ("k.becker@example.org", "klausbecker1", ""),
            ("k.becker@example.org", "Wärmepumpen Nord 2026", "Wärmepumpen Nord GmbH"),
        ] {
            let (status, body) = register(email, password, company).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{password}: {body}");
            assert_eq!(body["error"]["fields"][0]["field"], "password", "{body}");
        }
        let (status, _) = register("k.becker@example.org", "violet tractor under moonlight", "Wärmepumpen Nord GmbH").await;
        assert_eq!(status, StatusCode::ACCEPTED, "words of one's own choosing pass");
        server.stop().await;
    }
}
