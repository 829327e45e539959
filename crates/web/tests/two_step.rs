//! Customers' two-step sign-in over a real socket on both engines: turned
//! on from the portal's page (the same QR code until confirmed), the second
//! step after the password (the app's code computed here by RFC 6238, or a
//! single-use recovery code), wrong codes counting toward the lock, a site
//! that requires it walking the customer through it, the JSON calls, and
//! staff removing a lost phone (audited, mailed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_app::totp;
use gatehouse_domain::StaffRole;
use gatehouse_testkit::{TestServer, both_engines, browser, form_field};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

fn now_unix() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// The app's code now for a secret.
fn code_now(secret: &str) -> String {
    totp::code_at(secret, now_unix()).unwrap()
}

/// The app's code of the next 30-second step, accepted as well (one step of
/// clock skew): a second code within one step, each being good once.
fn code_next(secret: &str) -> String {
    totp::code_at(secret, now_unix() + 30).unwrap()
}

/// A code that is not the app's now (nor one step either side).
fn wrong_code(secret: &str) -> String {
    let near: Vec<String> = [-30i64, 0, 30]
        .iter()
        .map(|d| totp::code_at(secret, now_unix().saturating_add_signed(*d)).unwrap())
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    html: String,
}

async fn page(r: reqwest::Response) -> Page {
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    Page {
        status,
        location,
        html: r.text().await.unwrap(),
    }
}

async fn get(client: &reqwest::Client, server: &TestServer, path: &str) -> Page {
    page(client.get(server.url(path)).send().await.unwrap()).await
}

async fn post(
    client: &reqwest::Client,
    server: &TestServer,
    path: &str,
    form: &[(&str, &str)],
) -> Page {
    page(
        client
            .post(server.url(path))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Posts the sign-in form with this password.
async fn sign_in(server: &TestServer, client: &reqwest::Client, login: &str) -> Page {
    let form = get(client, server, "/s/main/login").await;
    let csrf = form_field(&form.html, "csrf");
    post(
        client,
        server,
        "/s/main/login",
        &[("csrf", &csrf), ("login_id", login), ("password", PASSWORD)],
    )
    .await
}

/// Posts a code on the second step's page.
async fn second_step(server: &TestServer, client: &reqwest::Client, code: &str) -> Page {
    let step = get(client, server, "/s/main/login/second-step").await;
    assert_eq!(step.status, StatusCode::OK, "{}", step.html);
    let csrf = form_field(&step.html, "csrf");
    post(
        client,
        server,
        "/s/main/login/second-step",
        &[("csrf", &csrf), ("code", code)],
    )
    .await
}

/// The secret a set-up page shows.
fn secret_on(html: &str) -> String {
    let marker = "<code class=\"secret\">";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no secret on: {html}"))
        + marker.len();
    html[start..].split('<').next().unwrap().to_string()
}

/// The recovery codes a page shows.
fn codes_on(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect()
}

/// Whether the browser is signed in (the profile opens).
async fn signed_in(server: &TestServer, client: &reqwest::Client) -> bool {
    get(client, server, "/s/main/profile").await.status == StatusCode::OK
}

/// Turns two-step sign-in on for the signed-in browser through the page;
/// answers the secret and the recovery codes.
async fn turn_on(server: &TestServer, client: &reqwest::Client) -> (String, Vec<String>) {
    let setup = get(client, server, "/s/main/two-step").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.html.contains("<svg"), "a QR code: {}", setup.html);
    let secret = secret_on(&setup.html);
    let again = get(client, server, "/s/main/two-step").await;
    assert_eq!(
        secret_on(&again.html),
        secret,
        "a reload shows the same QR code"
    );
    let csrf = form_field(&setup.html, "csrf");
    let wrong = post(
        client,
        server,
        "/s/main/two-step",
        &[("csrf", &csrf), ("code", &wrong_code(&secret))],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.html.contains("not the code your app shows"),
        "{}",
        wrong.html
    );
    assert_eq!(
        secret_on(&wrong.html),
        secret,
        "a wrong code keeps the QR code"
    );
    let on = post(
        client,
        server,
        "/s/main/two-step",
        &[("csrf", &csrf), ("code", &code_now(&secret))],
    )
    .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.html);
    let codes = codes_on(&on.html);
    assert_eq!(codes.len(), 10, "{}", on.html);
    assert!(on.html.contains("10 unused recovery codes"), "{}", on.html);
    (secret, codes)
}

async fn sign_out(server: &TestServer, client: &reqwest::Client) {
    let home = get(client, server, "/s/main/profile").await;
    let csrf = form_field(&home.html, "csrf");
    let out = post(client, server, "/s/main/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!signed_in(server, client).await);
}

/// The audit actions of an account, newest first.
async fn audit_actions(server: &TestServer, admin: &str, account: uuid::Uuid) -> Vec<String> {
    let (_, detail) = server
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}"),
            Some(admin),
            None,
        )
        .await;
    detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

both_engines! {
    async fn a_customer_turns_it_on_and_signs_in_with_a_code_then_a_recovery_code_once(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let client = browser();
        assert_eq!(sign_in(&server, &client, "ada@example.com").await.status, StatusCode::SEE_OTHER);
        let (secret, codes) = turn_on(&server, &client).await;
        sign_out(&server, &client).await;

        // The password alone is half a sign-in: no session yet.
        let half = sign_in(&server, &client, "ada@example.com").await;
        assert_eq!(half.status, StatusCode::SEE_OTHER);
        assert_eq!(half.location.as_deref(), Some("/s/main/login/second-step"));
        assert!(!signed_in(&server, &client).await, "no session before the code");
        let wrong = second_step(&server, &client, &wrong_code(&secret)).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.html.contains("That code is not right"), "{}", wrong.html);
        assert!(!signed_in(&server, &client).await);
        let code = code_next(&secret);
        let done = second_step(&server, &client, &code).await;
        assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/s/main/")));
        assert!(signed_in(&server, &client).await);
        // A code is good once (RFC 6238 §5.2): seen over a shoulder, it
        // signs nobody in again.
        let other = browser();
        sign_in(&server, &other, "ada@example.com").await;
        let replayed = second_step(&server, &other, &code).await;
        assert_eq!(replayed.status, StatusCode::UNAUTHORIZED, "a code used already");
        assert!(!signed_in(&server, &other).await);
        // The half-done sign-in was used up with it.
        let replay = get(&client, &server, "/s/main/login/second-step").await;
        assert!(replay.html.contains("Sign in again"), "{}", replay.html);
        sign_out(&server, &client).await;

        // A lost phone: a recovery code, typed loosely, works once.
        sign_in(&server, &client, "ada@example.com").await;
        let loose = codes[3].to_uppercase().replace('-', " ");
        let by_code = second_step(&server, &client, &loose).await;
        assert_eq!(by_code.status, StatusCode::SEE_OTHER, "{}", by_code.html);
        assert!(signed_in(&server, &client).await);
        let standing = get(&client, &server, "/s/main/two-step").await;
        assert!(standing.html.contains("9 unused recovery codes"), "{}", standing.html);
        sign_out(&server, &client).await;
        sign_in(&server, &client, "ada@example.com").await;
        let reused = second_step(&server, &client, &codes[3]).await;
        assert_eq!(reused.status, StatusCode::UNAUTHORIZED, "a recovery code is single-use");
        assert!(!signed_in(&server, &client).await);

        let actions = audit_actions(&server, &admin, account).await;
        for action in ["account.two_step_on", "account.recovery_code_used"] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }
        // Staff see it on the account, never the secret.
        let (_, detail) = server.api(Method::GET, &format!("/api/v1/accounts/{account}"), Some(&admin), None).await;
        assert_eq!(detail["two_step"]["kind"], "totp");
        assert_eq!(detail["two_step"]["recovery_codes_left"], 9);
        assert!(!detail.to_string().contains(&secret), "the secret is never shown to staff");
    }

    async fn wrong_codes_count_toward_the_lock(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let (status, _) = server.api(Method::PATCH, "/api/v1/sites/main/settings", Some(&admin), Some(json!({"max_failed_attempts": 3}))).await;
        assert_eq!(status, StatusCode::OK);
        server.active_account("ada@example.com", PASSWORD).await;
        let client = browser();
        sign_in(&server, &client, "ada@example.com").await;
        let (secret, _) = turn_on(&server, &client).await;
        sign_out(&server, &client).await;
        sign_in(&server, &client, "ada@example.com").await;
        for _ in 0..3 {
            let wrong = second_step(&server, &client, &wrong_code(&secret)).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        }
        // Locked now: the right code does not get in, and says why.
        let right = second_step(&server, &client, &code_now(&secret)).await;
        assert_eq!(right.status, StatusCode::FORBIDDEN, "{}", right.html);
        assert!(right.html.contains("locked"), "{}", right.html);
        assert!(!signed_in(&server, &client).await);
        let locked = server.wait_for_mails("ada@example.com", 2).await;
        assert!(locked.iter().any(|m| m.subject.contains("was locked")), "the lock mail");
    }

    async fn a_site_that_requires_it_walks_the_customer_through_it_before_any_session(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let (status, _) = server.api(Method::PATCH, "/api/v1/sites/main/settings", Some(&admin), Some(json!({"two_step": "everyone"}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = server.api(Method::PATCH, "/api/v1/sites/main/settings", Some(&admin), Some(json!({"two_step": "always"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown rule is refused: {body}");
        server.active_account("ada@example.com", PASSWORD).await;
        let client = browser();
        let half = sign_in(&server, &client, "ada@example.com").await;
        assert_eq!(half.location.as_deref(), Some("/s/main/login/second-step"));
        let setup = get(&client, &server, "/s/main/login/second-step").await;
        assert!(setup.html.contains("asks for a second step") && setup.html.contains("<svg"), "{}", setup.html);
        let secret = secret_on(&setup.html);
        assert_eq!(secret_on(&get(&client, &server, "/s/main/login/second-step").await.html), secret);
        assert!(!signed_in(&server, &client).await, "no session before it is set up");
        let csrf = form_field(&setup.html, "csrf");
        let wrong = post(&client, &server, "/s/main/login/second-step", &[("csrf", &csrf), ("code", &wrong_code(&secret))]).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(secret_on(&wrong.html), secret, "a wrong code keeps the QR code");
        let done = post(&client, &server, "/s/main/login/second-step", &[("csrf", &csrf), ("code", &code_now(&secret))]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.html);
        assert_eq!(codes_on(&done.html).len(), 10, "the recovery codes, once: {}", done.html);
        assert!(signed_in(&server, &client).await);
        // From now on the code is asked for.
        sign_out(&server, &client).await;
        sign_in(&server, &client, "ada@example.com").await;
        let step = get(&client, &server, "/s/main/login/second-step").await;
        assert!(step.html.contains("enter the code your authenticator app shows now"), "{}", step.html);
        assert!(!step.html.contains("<svg"), "no QR code once set up");
    }

    async fn a_customer_who_lost_the_phone_and_the_codes_gets_back_in_by_mail(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let client = browser();
        sign_in(&server, &client, "ada@example.com").await;
        turn_on(&server, &client).await;
        sign_out(&server, &client).await;
        // The site now requires two steps of everyone.
        let (status, _) = server.api(Method::PATCH, "/api/v1/sites/main/settings", Some(&admin), Some(json!({"two_step": "everyone"}))).await;
        assert_eq!(status, StatusCode::OK);

        // After the right password, the lost phone: a link by mail.
        sign_in(&server, &client, "ada@example.com").await;
        let step = get(&client, &server, "/s/main/login/second-step").await;
        assert!(step.html.contains("Lost your phone and your recovery codes?"), "{}", step.html);
        let lost = post(&client, &server, "/s/main/login/second-step/lost", &[("csrf", &form_field(&step.html, "csrf"))]).await;
        assert_eq!(lost.status, StatusCode::OK, "{}", lost.html);
        assert!(lost.html.contains("We sent a link"), "{}", lost.html);
        assert!(!signed_in(&server, &client).await, "the mail is no sign-in");
        let mails = server.wait_for_mails("ada@example.com", 2).await;
        let mail = mails.iter().find(|m| m.subject.contains("Lost your phone")).expect("the lost-phone mail");
        let link = mail.link_to(&server.base_url, "/two-step-reset").unwrap();

        // Opening the link changes nothing (a mail scanner may); the button does.
        let page = get(&client, &server, &link.replace(&server.base_url, "")).await;
        assert_eq!(page.status, StatusCode::OK);
        let token = form_field(&page.html, "token");
        let csrf = form_field(&page.html, "csrf");
        let done = post(&client, &server, "/s/main/two-step-reset", &[("csrf", &csrf), ("token", &token)]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.html);
        assert!(done.html.contains("Two-step sign-in is off"), "{}", done.html);
        let again = post(&client, &server, "/s/main/two-step-reset", &[("csrf", &csrf), ("token", &token)]).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "the link works once");
        assert!(server.wait_for_mails("ada@example.com", 3).await.iter().any(|m| m.subject.contains("turned off")));

        // The site requires two steps: a new phone is set up before anything else.
        let half = sign_in(&server, &client, "ada@example.com").await;
        assert_eq!(half.location.as_deref(), Some("/s/main/login/second-step"));
        let setup = get(&client, &server, "/s/main/login/second-step").await;
        assert!(setup.html.contains("<svg"), "a new QR code: {}", setup.html);
        let (_, detail) = server.api(Method::GET, &format!("/api/v1/accounts/{account}"), Some(&admin), None).await;
        let actions: Vec<&str> = detail["audit"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"account.two_step_reset_asked") && actions.contains(&"account.two_step_reset_by_mail"), "{actions:?}");
    }

    async fn staff_remove_a_lost_phone_and_the_customer_is_told(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let support = server.staff_token("support@example.com", StaffRole::Support, &[]).await;
        let viewer = server.staff_token("viewer@example.com", StaffRole::Support, &["read"]).await;
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let path = format!("/api/v1/accounts/{account}/two-step");
        let (status, _) = server.api(Method::DELETE, &path, Some(&support), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "nothing to remove yet");
        let client = browser();
        sign_in(&server, &client, "ada@example.com").await;
        turn_on(&server, &client).await;
        sign_out(&server, &client).await;
        let (status, _) = server.api(Method::DELETE, &path, Some(&viewer), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a read-only token may not");
        let (status, _) = server.api(Method::DELETE, &path, Some(&support), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let mails = server.wait_for_mails("ada@example.com", 2).await;
        assert!(mails.iter().any(|m| m.subject.contains("Two-step sign-in") && m.subject.contains("turned off")), "the customer is told");
        // The password alone signs in again.
        let back = sign_in(&server, &client, "ada@example.com").await;
        assert_eq!(back.location.as_deref(), Some("/s/main/"));
        assert!(audit_actions(&server, &admin, account).await.iter().any(|a| a == "account.two_step_removed"));
        let (_, detail) = server.api(Method::GET, &format!("/api/v1/accounts/{account}"), Some(&admin), None).await;
        assert_eq!(detail["two_step"], Value::Null);
    }

    async fn the_json_calls_sign_in_in_two_steps_and_turn_it_off(db: TestDb) {
        let server = TestServer::start(&db).await;
        server.active_account("ada@example.com", PASSWORD).await;
        let client = browser();
        let call = |method: Method, path: &str, csrf: Option<&str>, body: Option<Value>| {
            let mut r = client.request(method, server.url(path));
            if let Some(csrf) = csrf {
                r = r.header("x-csrf-token", csrf);
            }
            if let Some(body) = body {
                r = r.json(&body);
            }
            async move {
                let r = r.send().await.unwrap();
                let status = r.status();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let credentials = json!({"login_id": "ada@example.com", "password": PASSWORD});
        let (status, body) = call(Method::POST, "/api/v1/sites/main/sessions", None, Some(credentials.clone())).await;
        assert_eq!(status, StatusCode::OK);
        let csrf = body["csrf_token"].as_str().unwrap().to_string();
        let (status, enrolment) = call(Method::POST, "/api/v1/sites/main/me/two-step/enrolment", Some(&csrf), None).await;
        assert_eq!(status, StatusCode::OK, "{enrolment}");
        let secret = enrolment["secret"].as_str().unwrap().to_string();
        assert!(enrolment["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"));
        let (_, again) = call(Method::POST, "/api/v1/sites/main/me/two-step/enrolment", Some(&csrf), None).await;
        assert_eq!(again["secret"], secret.as_str(), "the same secret until confirmed");
        let (status, on) = call(Method::POST, "/api/v1/sites/main/me/two-step", Some(&csrf), Some(json!({"code": code_now(&secret)}))).await;
        assert_eq!(status, StatusCode::OK, "{on}");
        assert_eq!(on["recovery_codes"].as_array().unwrap().len(), 10);
        let (_, standing) = call(Method::GET, "/api/v1/sites/main/me/two-step", None, None).await;
        assert_eq!((standing["on"].as_bool(), standing["recovery_codes_left"].as_i64()), (Some(true), Some(10)));
        let (status, _) = call(Method::DELETE, "/api/v1/sites/main/sessions/current", None, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // Two steps: 202 and a half-done sign-in that is no session.
        let (status, half) = call(Method::POST, "/api/v1/sites/main/sessions", None, Some(credentials.clone())).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{half}");
        assert_eq!((half["status"].as_str(), half["set_up"].as_bool()), (Some("second_step_required"), Some(false)));
        let (status, _) = call(Method::GET, "/api/v1/sites/main/me", None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the half-done sign-in is no session");
        let (status, _) = call(Method::POST, "/api/v1/sites/main/sessions/second-step", None, Some(json!({"code": wrong_code(&secret)}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, done) = call(Method::POST, "/api/v1/sites/main/sessions/second-step", None, Some(json!({"code": code_next(&secret)}))).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        let csrf = done["csrf_token"].as_str().unwrap().to_string();
        let (status, _) = call(Method::GET, "/api/v1/sites/main/me", None, None).await;
        assert_eq!(status, StatusCode::OK);

        // Off: the password and a code; a wrong password changes nothing.
        let recovery = on["recovery_codes"][0].as_str().unwrap().to_string();
        let (status, _) = call(Method::POST, "/api/v1/sites/main/me/two-step/off", Some(&csrf), Some(json!({"password": "wrong password here", "code": recovery}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = call(Method::POST, "/api/v1/sites/main/me/two-step/off", Some(&csrf), Some(json!({"password": PASSWORD, "code": recovery}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, standing) = call(Method::GET, "/api/v1/sites/main/me/two-step", None, None).await;
        assert_eq!(standing["on"], false);
        let mails = server.wait_for_mails("ada@example.com", 2).await;
        assert!(mails.iter().any(|m| m.subject.contains("turned off")));
        call(Method::DELETE, "/api/v1/sites/main/sessions/current", None, None).await;
        let (status, _) = call(Method::POST, "/api/v1/sites/main/sessions", None, Some(credentials)).await;
        assert_eq!(status, StatusCode::OK, "the password alone again");
    }
}
