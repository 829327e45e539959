//! Customers' passkeys over a real socket on both engines, with a software
//! authenticator (real keys and signatures): added, listed, renamed, signing
//! in without a login ID and counting as both steps (no code after it, `amr`
//! `hwk mfa`), a ceremony finished once and on another node, the lifecycle's
//! gates, a site at an IP address refused, staff seeing and removing one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use gatehouse_domain::StaffRole;
use gatehouse_testkit::passkey::Device;
use gatehouse_testkit::{TestServer, both_engines, browser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

/// A JSON call of the portal's API with the browser's cookies.
async fn call(
    client: &reqwest::Client,
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = client.request(method, server.url(path));
    if let Some(body) = body {
        r = r.json(&body);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

/// The site's public address at `localhost` (a passkey needs a host name),
/// and the origin a device answers for.
async fn at_localhost(server: &TestServer, admin: &str) -> String {
    let origin = format!("http://localhost:{}", server.addr.port());
    let (status, body) = server
        .api(
            Method::PATCH,
            "/api/v1/sites/main/settings",
            Some(admin),
            Some(json!({"base_url": format!("{origin}/s/main")})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    origin
}

/// Adds a passkey named `name` for the signed-in browser; answers its ID.
async fn add(
    client: &reqwest::Client,
    server: &TestServer,
    device: &mut Device,
    name: &str,
) -> String {
    let (status, challenge) = call(
        client,
        server,
        Method::POST,
        "/api/v1/sites/main/me/passkeys/options",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    let selection = &challenge["options"]["publicKey"]["authenticatorSelection"];
    assert_eq!(
        (
            selection["residentKey"].as_str(),
            selection["userVerification"].as_str()
        ),
        (Some("required"), Some("required"))
    );
    let credential = device.create(&challenge["options"]);
    let (status, added) = call(
        client,
        server,
        Method::POST,
        "/api/v1/sites/main/me/passkeys",
        Some(json!({"ceremony": challenge["ceremony"], "name": name, "credential": credential})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["name"], name);
    added["id"].as_str().unwrap().to_string()
}

/// Signs a new browser in with the device's passkey.
async fn sign_in_with(
    server: &TestServer,
    device: &mut Device,
) -> (StatusCode, Value, reqwest::Client) {
    let client = browser();
    let (status, challenge) = call(
        &client,
        server,
        Method::POST,
        "/api/v1/sites/main/sessions/passkey/options",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(
        challenge["options"]["publicKey"]["allowCredentials"],
        json!([]),
        "no login ID: the device offers its passkeys"
    );
    let credential = device.get(&challenge["options"]);
    let (status, body) = call(
        &client,
        server,
        Method::POST,
        "/api/v1/sites/main/sessions/passkey",
        Some(json!({"ceremony": challenge["ceremony"], "credential": credential})),
    )
    .await;
    (status, body, client)
}

async fn signed_in_with_password(server: &TestServer, login: &str) -> reqwest::Client {
    let client = browser();
    let (status, body) = call(
        &client,
        server,
        Method::POST,
        "/api/v1/sites/main/sessions",
        Some(json!({"login_id": login, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    client
}

both_engines! {
    async fn a_customer_adds_a_passkey_and_signs_in_with_it_alone(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;

        // At an IP address there is no relying party: said, not attempted.
        let client = signed_in_with_password(&server, "ada@example.com").await;
        let (status, body) = call(&client, &server, Method::POST, "/api/v1/sites/main/me/passkeys/options", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body["error"]["message"].as_str().unwrap().contains("host name"), "{body}");

        let origin = at_localhost(&server, &admin).await;
        let mut phone = Device::new(&origin);
        let id = add(&client, &server, &mut phone, "Ada's phone").await;
        // A second passkey for the same device's credential is refused.
        let (_, challenge) = call(&client, &server, Method::POST, "/api/v1/sites/main/me/passkeys/options", None).await;
        assert_eq!(challenge["options"]["publicKey"]["excludeCredentials"].as_array().unwrap().len(), 1, "the device's passkey is excluded");
        // A bad name changes nothing.
        let (status, _) = call(&client, &server, Method::PATCH, &format!("/api/v1/sites/main/me/passkeys/{id}"), Some(json!({"name": "  "}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = call(&client, &server, Method::PATCH, &format!("/api/v1/sites/main/me/passkeys/{id}"), Some(json!({"name": "Pixel"}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, list) = call(&client, &server, Method::GET, "/api/v1/sites/main/me/passkeys", None).await;
        assert_eq!(list["items"][0]["name"], "Pixel");
        assert_eq!(list["items"][0]["last_used_at"], Value::Null);

        // Two-step sign-in is on too: the passkey counts as both steps.
        let (_, enrolment) = call(&client, &server, Method::POST, "/api/v1/sites/main/me/two-step/enrolment", None).await;
        let secret = enrolment["secret"].as_str().unwrap();
        let unix = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        let code = gatehouse_app::totp::code_at(secret, unix).unwrap();
        let (status, _) = call(&client, &server, Method::POST, "/api/v1/sites/main/me/two-step", Some(json!({"code": code}))).await;
        assert_eq!(status, StatusCode::OK);

        let (status, body, customer) = sign_in_with(&server, &mut phone).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, me) = call(&customer, &server, Method::GET, "/api/v1/sites/main/me", None).await;
        assert_eq!((status, me["email"].as_str()), (StatusCode::OK, Some("ada@example.com")), "no code asked after a passkey");
        let (_, list) = call(&client, &server, Method::GET, "/api/v1/sites/main/me/passkeys", None).await;
        assert!(list["items"][0]["last_used_at"].is_string(), "its last use is shown");
        let mut tx = server.app.store.read().await.unwrap();
        let sessions = tx.list_account_sessions(account).await.unwrap();
        assert!(sessions.iter().any(|s| s.amr.as_deref() == Some("hwk mfa")), "the session says how: {sessions:?}");
        drop(tx);

        // A passkey removed signs nobody in; another device's still does.
        let mut stranger = Device::new(&origin);
        add(&client, &server, &mut stranger, "Old phone").await;
        let (status, _) = call(&client, &server, Method::DELETE, &format!("/api/v1/sites/main/me/passkeys/{id}"), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = sign_in_with(&server, &mut phone).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a removed passkey");
        let (status, _, _) = sign_in_with(&server, &mut stranger).await;
        assert_eq!(status, StatusCode::OK, "the other one still works");

        let (_, detail) = server.api(Method::GET, &format!("/api/v1/accounts/{account}"), Some(&admin), None).await;
        let actions: Vec<&str> = detail["audit"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"account.passkey_added") && actions.contains(&"account.passkey_removed"), "{actions:?}");
        assert_eq!(detail["passkeys"].as_array().unwrap().len(), 1, "staff see the passkeys: {detail}");
        let left = detail["passkeys"][0]["id"].as_str().unwrap();
        let support = server.staff_token("support@example.com", StaffRole::Support, &[]).await;
        let (status, _) = server.api(Method::DELETE, &format!("/api/v1/accounts/{account}/passkeys/{left}"), Some(&support), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "support removes a lost one");
        let (status, _, _) = sign_in_with(&server, &mut stranger).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let mails = server.wait_for_mails("ada@example.com", 2).await;
        assert!(mails.iter().any(|m| m.subject.contains("passkey")), "the customer is told");
    }

    async fn a_passkey_sign_in_passes_the_lifecycle_gates_and_is_finished_once(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let origin = at_localhost(&server, &admin).await;
        let mut phone = Device::new(&origin);
        let client = signed_in_with_password(&server, "ada@example.com").await;
        add(&client, &server, &mut phone, "Phone").await;

        // A ceremony is answered once.
        let fresh = browser();
        let (_, challenge) = call(&fresh, &server, Method::POST, "/api/v1/sites/main/sessions/passkey/options", None).await;
        let credential = phone.get(&challenge["options"]);
        let body = json!({"ceremony": challenge["ceremony"], "credential": credential});
        let (status, _) = call(&fresh, &server, Method::POST, "/api/v1/sites/main/sessions/passkey", Some(body.clone())).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = call(&browser(), &server, Method::POST, "/api/v1/sites/main/sessions/passkey", Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the same answer again");

        // Blocked: the passkey is proven, then the reason is named.
        let (status, _) = server.api(Method::POST, "/api/v1/accounts/actions", Some(&admin), Some(json!({"ids": [account], "action": "block"}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body, _) = sign_in_with(&server, &mut phone).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "blocked");
    }

    async fn a_ceremony_begun_on_one_node_is_finished_on_another(db: TestDb) {
        let a = TestServer::start(&db).await;
        let b = TestServer::start_node(&db, Duration::from_secs(3600)).await;
        let admin = a.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        a.active_account("ada@example.com", PASSWORD).await;
        let origin = at_localhost(&a, &admin).await;
        let mut phone = Device::new(&origin);
        let client = signed_in_with_password(&a, "ada@example.com").await;
        // Begun on A, finished on B.
        let (_, challenge) = call(&client, &a, Method::POST, "/api/v1/sites/main/me/passkeys/options", None).await;
        let credential = phone.create(&challenge["options"]);
        let (status, added) = call(&client, &b, Method::POST, "/api/v1/sites/main/me/passkeys",
            Some(json!({"ceremony": challenge["ceremony"], "name": "Phone", "credential": credential}))).await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        let fresh = browser();
        let (_, challenge) = call(&fresh, &b, Method::POST, "/api/v1/sites/main/sessions/passkey/options", None).await;
        let credential = phone.get(&challenge["options"]);
        let (status, _) = call(&fresh, &a, Method::POST, "/api/v1/sites/main/sessions/passkey",
            Some(json!({"ceremony": challenge["ceremony"], "credential": credential}))).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn staff_find_customers_by_how_they_sign_in(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        server.active_account("ada@example.com", PASSWORD).await;
        let bob = server.active_account_named("bob@example.com", PASSWORD, "Bob", "Babbage").await;
        server.active_account_named("carl@example.com", PASSWORD, "Carl", "Gauss").await;
        let origin = at_localhost(&server, &admin).await;
        let mut phone = Device::new(&origin);
        let ada = signed_in_with_password(&server, "ada@example.com").await;
        add(&ada, &server, &mut phone, "Phone").await;
        let mut tx = server.app.store.begin().await.unwrap();
        tx.turn_on_totp(bob, "JBSWY3DPEHPK3PXP", time::OffsetDateTime::now_utc()).await.unwrap();
        tx.commit().await.unwrap();
        let emails = |body: &Value| -> Vec<String> {
            body["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap().to_string()).collect()
        };
        let (status, body) = server.api(Method::GET, "/api/v1/customers?sign_in=passkey", Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(emails(&body), ["ada@example.com"]);
        let (_, body) = server.api(Method::GET, "/api/v1/customers?sign_in=two_step", Some(&admin), None).await;
        assert_eq!(emails(&body), ["bob@example.com"]);
        let (_, body) = server.api(Method::GET, "/api/v1/customers", Some(&admin), None).await;
        assert_eq!(emails(&body).len(), 3);
        let (status, body) = server.api(Method::GET, "/api/v1/customers?sign_in=sms", Some(&admin), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains("not two_step or passkey"), "{body}");
    }
}
