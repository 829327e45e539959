//! Staff management, the second factor and installation settings, through the
//! API and the console; on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_app::totp;
use gatehouse_domain::StaffRole;
use gatehouse_testkit::{STAFF_PASSWORD, TestServer, both_engines, browser, form_field};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn token(server: &TestServer, email: &str, role: StaffRole) -> String {
    server.staff_token(email, role, &[]).await
}

async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    bearer: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    server.api(method, path, Some(bearer), body).await
}

fn hidden(html: &str, name: &str) -> String {
    form_field(html, name)
}

async fn console_sign_in(
    server: &TestServer,
    email: &str,
    password: &str,
    code: &str,
) -> (StatusCode, reqwest::Client) {
    server.console_sign_in(email, password, code).await
}

fn now_unix() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

both_engines! {
    async fn admins_invite_change_and_deactivate_staff(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let support = token(&server, "support@example.com", StaffRole::Support).await;
        assert_eq!(call(&server, Method::GET, "/api/v1/staff", &support, None).await.0, StatusCode::FORBIDDEN);

        let (status, invitation) = call(&server, Method::POST, "/api/v1/staff", &admin, Some(json!({"email": "new@example.com", "role": "support"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{invitation}");
        let link = invitation["link"].as_str().unwrap().to_string();
        let (status, _) = call(&server, Method::POST, "/api/v1/staff", &admin, Some(json!({"email": "NEW@example.com", "role": "support"}))).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(console_sign_in(&server, "new@example.com", "!", "").await.0, StatusCode::UNAUTHORIZED, "no password before the link is used");

        let invited = browser();
        let page = invited.get(&link).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Choose your console password") && page.contains("value=\"new@example.com\""), "{page}");
        assert!(!page.contains("Create admin") && !page.contains("first admin"), "an invited support user is not told about creating an admin: {page}");
        let wrong = invited.post(&link).form(&[("email", "other@example.com"), ("password", STAFF_PASSWORD), ("password_confirm", STAFF_PASSWORD)]).send().await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = wrong.text().await.unwrap();
        assert!(wrong.contains("Choose your console password") && !wrong.contains("Create the first admin"), "still the invitation after a refusal: {wrong}");
        let done = invited.post(&link).form(&[("email", "new@example.com"), ("password", STAFF_PASSWORD), ("password_confirm", STAFF_PASSWORD)]).send().await.unwrap();
        assert_eq!(done.status(), StatusCode::CREATED);
        let done = done.text().await.unwrap();
        assert!(done.contains("Your password is set") && !done.contains("first admin"), "{done}");
        assert_eq!(invited.get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND, "used up");
        let (status, console) = console_sign_in(&server, "new@example.com", STAFF_PASSWORD, "").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(console.get(server.url("/admin/outbox")).send().await.unwrap().status(), StatusCode::OK);

        let id = invitation["staff"]["id"].as_str().unwrap();
        let (status, body) = call(&server, Method::PATCH, &format!("/api/v1/staff/{id}"), &admin, Some(json!({"role": "support", "active": false}))).await;
        assert_eq!((status, body["active"].as_bool()), (StatusCode::OK, Some(false)));
        assert_eq!(console.get(server.url("/admin/outbox")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "their console session ended");
        assert_eq!(console_sign_in(&server, "new@example.com", STAFF_PASSWORD, "").await.0, StatusCode::UNAUTHORIZED);

        // A colleague who lost the password: a new link from an admin (not
        // from support), in the console or the API; it works once.
        let (status, _) = call(&server, Method::PATCH, &format!("/api/v1/staff/{id}"), &admin, Some(json!({"role": "support", "active": true}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(call(&server, Method::POST, &format!("/api/v1/staff/{id}/reset"), &support, Some(json!({}))).await.0, StatusCode::FORBIDDEN);
        let (status, reset) = call(&server, Method::POST, &format!("/api/v1/staff/{id}/reset"), &admin, Some(json!({}))).await;
        assert_eq!(status, StatusCode::OK, "{reset}");
        assert_eq!((reset["email"].as_str(), reset["second_factor_removed"].as_bool()), (Some("new@example.com"), Some(false)));
        let api_link = reset["link"].as_str().unwrap().to_string();
        let (_, admin_console) = console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await;
        let staff_page = admin_console.get(server.url("/admin/staff")).send().await.unwrap().text().await.unwrap();
        let shown = admin_console.post(server.url(&format!("/admin/staff/{id}/reset")))
            .form(&[("csrf", hidden(&staff_page, "csrf"))]).send().await.unwrap().text().await.unwrap();
        assert!(shown.contains("Hand this single-use link to new@example.com"), "{shown}");
        let console_link = shown.split("<code class=\"secret\">").nth(2).or_else(|| shown.split("<code class=\"secret\">").nth(1))
            .unwrap().split("</code>").next().unwrap().replace("&#x2f;", "/");
        assert_eq!(browser().get(&api_link).send().await.unwrap().status(), StatusCode::NOT_FOUND, "the newer link voids the older");
        let mails = server.wait_for_mails("new@example.com", 2).await;
        assert_eq!(mails.len(), 2, "the colleague is mailed each link");
        assert_eq!(mails[1].link_to(&server.base_url, "/admin/setup/").as_deref(), Some(console_link.as_str()));
        let page = browser().get(&console_link).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Choose a new console password"), "{page}");
        let chosen = "an entirely new passphrase for the console";
        let set = browser().post(&console_link).form(&[("email", "new@example.com"), ("password", chosen), ("password_confirm", chosen)]).send().await.unwrap();
        assert_eq!(set.status(), StatusCode::CREATED);
        assert_eq!(console_sign_in(&server, "new@example.com", STAFF_PASSWORD, "").await.0, StatusCode::UNAUTHORIZED, "the old password is over");
        assert_eq!(console_sign_in(&server, "new@example.com", chosen, "").await.0, StatusCode::SEE_OTHER);

        let (_, list) = call(&server, Method::GET, "/api/v1/staff", &admin, None).await;
        let me = list["items"].as_array().unwrap().iter().find(|s| s["email"] == "admin@example.com").unwrap()["id"].as_str().unwrap().to_string();
        let (status, _) = call(&server, Method::PATCH, &format!("/api/v1/staff/{me}"), &admin, Some(json!({"role": "support", "active": true}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "nobody demotes themselves");
        server.stop().await;
    }

    async fn a_second_factor_is_enrolled_then_asked_for_and_can_be_required(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        token(&server, "other-admin@example.com", StaffRole::Admin).await;
        let support = token(&server, "support@example.com", StaffRole::Support).await;

        let (_, console) = console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await;
        let shown = |html: &str| html.split("<code class=\"secret\">").nth(1).unwrap().split("</code>").next().unwrap().to_string();
        let page = console.get(server.url("/admin/security")).send().await.unwrap().text().await.unwrap();
        let secret = shown(&page);
        let csrf = hidden(&page, "csrf");
        let again = console.get(server.url("/admin/security")).send().await.unwrap().text().await.unwrap();
        assert_eq!(shown(&again), secret, "a reload shows the same QR code");
        let wrong = console.post(server.url("/admin/security")).form(&[("csrf", csrf.as_str()), ("code", "000000")]).send().await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = wrong.text().await.unwrap();
        assert_eq!(shown(&wrong), secret, "a wrong code keeps the QR code already scanned");
        assert!(wrong.contains("not the code your app shows for this QR code"), "{wrong}");
        // A secret posted by the page is not taken: the server keeps its own.
        let forged = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let code = totp::code_at(forged, now_unix()).unwrap();
        let refused = console.post(server.url("/admin/security")).form(&[("csrf", csrf.as_str()), ("secret", forged), ("code", code.as_str())]).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let code = totp::code_at(&secret, now_unix()).unwrap();
        let right = console.post(server.url("/admin/security")).form(&[("csrf", csrf.as_str()), ("code", code.as_str())]).send().await.unwrap();
        assert_eq!(right.status(), StatusCode::OK);
        let codes_of = |html: &str| -> Vec<String> {
            html.split("<ul class=\"codes\">").nth(1).map(|list| list.split("</ul>").next().unwrap()
                .split("<code>").skip(1).map(|c| c.split("</code>").next().unwrap().to_string()).collect()).unwrap_or_default()
        };
        let right = right.text().await.unwrap();
        let codes = codes_of(&right);
        assert_eq!(codes.len(), 10, "ten recovery codes, shown once: {right}");
        assert!(right.contains("10 recovery codes left."));
        let page = console.get(server.url("/admin/security")).send().await.unwrap().text().await.unwrap();
        assert!(codes_of(&page).is_empty() && !page.contains(&codes[0]), "never shown again");
        let mut tx = server.app.store.read().await.unwrap();
        let me = tx.staff_by_email("admin@example.com").await.unwrap().unwrap();
        assert_eq!(tx.staff_recovery_codes_left(me.id).await.unwrap(), 10);
        drop(tx);

        // A recovery code signs in once, in any case and without its dash.
        let typed = codes[0].to_uppercase().replace('-', " ");
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, &typed).await.0, StatusCode::SEE_OTHER);
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, &codes[0]).await.0, StatusCode::UNAUTHORIZED, "used up");
        assert_eq!(console_sign_in(&server, "admin@example.com", "wrong password entirely", &codes[1]).await.0, StatusCode::UNAUTHORIZED);
        let (_, again) = console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, &codes[1]).await;
        assert!(again.get(server.url("/admin/security")).send().await.unwrap().text().await.unwrap().contains("8 recovery codes left."),
            "a refused password used no code");

        // New codes ask for the password and a code; the old ones stop.
        let renew = |password: &str, code: &str| {
            console.post(server.url("/admin/security/recovery-codes")).form(&[("csrf", csrf.as_str()), ("password", password), ("code", code)]).send()
        };
        let now_code = totp::code_at(&secret, now_unix()).unwrap();
        assert_eq!(renew("not my password at all", &now_code).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(renew(STAFF_PASSWORD, "000000").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        // The code that turned the app on was used: a recovery code instead.
        assert_eq!(renew(STAFF_PASSWORD, &code).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY, "a code is good once");
        let renewed = renew(STAFF_PASSWORD, &codes[3]).await.unwrap();
        assert_eq!(renewed.status(), StatusCode::OK);
        let fresh = codes_of(&renewed.text().await.unwrap());
        assert_eq!(fresh.len(), 10);
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, &codes[2]).await.0, StatusCode::UNAUTHORIZED, "the old codes stopped");

        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await.0, StatusCode::UNAUTHORIZED, "the code is asked for");
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "123456").await.0, StatusCode::UNAUTHORIZED);
        // The next step's code (one step of skew): the one that turned the
        // app on was used already.
        let code = totp::code_at(&secret, now_unix() + 30).unwrap();
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, &code).await.0, StatusCode::SEE_OTHER);
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, &code).await.0, StatusCode::UNAUTHORIZED, "a code is good once");

        // Required for admins: one without a second factor must set it up first.
        assert_eq!(call(&server, Method::PUT, "/api/v1/settings", &support, Some(json!({"require_admin_totp": true}))).await.0, StatusCode::FORBIDDEN);
        let (status, body) = call(&server, Method::PUT, "/api/v1/settings", &admin, Some(json!({"require_admin_totp": true, "support_may_impersonate": true}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, other) = console_sign_in(&server, "other-admin@example.com", STAFF_PASSWORD, "").await;
        let held = other.get(server.url("/admin/registrations")).send().await.unwrap();
        assert_eq!((held.status(), held.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/admin/security"));
        let (_, support_console) = console_sign_in(&server, "support@example.com", STAFF_PASSWORD, "").await;
        assert_eq!(support_console.get(server.url("/admin/registrations")).send().await.unwrap().status(), StatusCode::OK, "support is not held");

        // A new phone: the app is turned off with the password and a
        // recovery code (the old phone is gone), and set up again.
        let off = console.post(server.url("/admin/security/off")).form(&[("csrf", csrf.as_str()), ("password", STAFF_PASSWORD), ("code", fresh[0].as_str())]).send().await.unwrap();
        assert_eq!((off.status(), off.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/admin/security"));
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await.0, StatusCode::SEE_OTHER, "no code asked any more");
        let mut tx = server.app.store.read().await.unwrap();
        assert_eq!(tx.staff_recovery_codes_left(me.id).await.unwrap(), 0, "the codes went with it");
        drop(tx);
        assert_eq!(call(&server, Method::GET, "/api/v1/settings", &admin, None).await.1["support_may_impersonate"], true);

        // The grant lets support impersonate.
        let r = reqwest::Client::new().post(server.url("/api/v1/sites/main/registrations"))
            .json(&json!({"email": "ada@example.com", "password": "correct horse battery staple", "first_name": "Ada", "last_name": "L"})).send().await.unwrap();
        assert_eq!(r.status(), 202);
        let link = server.nth_mail("ada@example.com", 1).await.link_to(&server.base_url, "/activate").unwrap();
        reqwest::get(&link).await.unwrap();
        let (_, accounts) = call(&server, Method::GET, "/api/v1/accounts?status=active", &support, None).await;
        let id = accounts["items"][0]["id"].as_str().unwrap();
        let (status, body) = call(&server, Method::POST, &format!("/api/v1/accounts/{id}/impersonation"), &support, Some(json!({"reason": "phone call"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        server.stop().await;
    }

    async fn admins_issue_scoped_expiring_tokens_and_revoke_them(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let support = token(&server, "support@example.com", StaffRole::Support).await;
        assert_eq!(call(&server, Method::GET, "/api/v1/tokens", &support, None).await.0, StatusCode::FORBIDDEN);

        let (status, made) = call(&server, Method::POST, "/api/v1/tokens", &admin, Some(json!({"name": "reporting", "staff": "support@example.com", "scopes": ["read"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let secret = made["secret"].as_str().unwrap().to_string();
        let id = made["token"]["id"].as_str().unwrap().to_string();
        assert_eq!(made["token"]["scopes"], "read");
        assert_eq!(call(&server, Method::GET, "/api/v1/accounts", &secret, None).await.0, StatusCode::OK);
        assert_eq!(call(&server, Method::POST, "/api/v1/accounts/actions", &secret, Some(json!({"action": "unlock", "ids": [id]}))).await.0, StatusCode::FORBIDDEN, "read refuses writes");
        let (_, listed) = call(&server, Method::GET, "/api/v1/tokens", &admin, None).await;
        assert!(listed.to_string().contains("reporting") && !listed.to_string().contains(&secret), "listed without its secret");

        assert_eq!(call(&server, Method::DELETE, &format!("/api/v1/tokens/{id}"), &admin, None).await.0, StatusCode::NO_CONTENT);
        let (status, body) = call(&server, Method::GET, "/api/v1/accounts", &secret, None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")), "revoked");
        assert_eq!(call(&server, Method::DELETE, &format!("/api/v1/tokens/{id}"), &admin, None).await.0, StatusCode::NOT_FOUND);

        let past = call(&server, Method::POST, "/api/v1/tokens", &admin, Some(json!({"name": "old", "expires_at": "2020-01-01T00:00:00Z"}))).await;
        assert_eq!(past.0, StatusCode::UNPROCESSABLE_ENTITY);
        let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
        let (_, brief) = call(&server, Method::POST, "/api/v1/tokens", &admin, Some(json!({"name": "brief", "expires_at": soon}))).await;
        let brief = brief["secret"].as_str().unwrap().to_string();
        assert_eq!(call(&server, Method::GET, "/api/v1/accounts", &brief, None).await.0, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(call(&server, Method::GET, "/api/v1/accounts", &brief, None).await.0, StatusCode::UNAUTHORIZED, "expired");
        server.stop().await;
    }
}

both_engines! {
    async fn a_staff_user_changes_their_own_password_with_the_old_one(db: TestDb) {
        let server = TestServer::start(&db).await;
        token(&server, "admin@example.com", StaffRole::Admin).await;
        let (_, console) = console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await;
        let (_, other_browser) = console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await;
        let page = console.get(server.url("/admin/security")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden(&page, "csrf");
        let new = "a fresh and unusual console passphrase";
        let change = |current: &str, new: &str, again: &str| {
            console.post(server.url("/admin/security/password"))
                .form(&[("csrf", csrf.as_str()), ("current_password", current), ("new_password", new), ("new_password_again", again)])
                .send()
        };
        for (current, new_one, again, why) in [
            ("not the password at all", new, new, "the current password is not right"),
            (STAFF_PASSWORD, new, "something else entirely", "the two new passwords are not the same"),
            (STAFF_PASSWORD, STAFF_PASSWORD, STAFF_PASSWORD, "must differ from the current one"),
            (STAFF_PASSWORD, "short", "short", "at least 12 characters"),
        ] {
            let r = change(current, new_one, again).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
            let html = r.text().await.unwrap();
            assert!(html.contains(why), "{why}: {html}");
        }
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await.0, StatusCode::SEE_OTHER, "nothing changed yet");

        let done = change(STAFF_PASSWORD, new, new).await.unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(done.headers()["location"], "/admin/login?changed=1");
        let login = console.get(server.url("/admin/login?changed=1")).send().await.unwrap().text().await.unwrap();
        assert!(login.contains("Your password is changed"), "{login}");
        for browser in [&console, &other_browser] {
            let r = browser.get(server.url("/admin/outbox")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "every console session of theirs ended");
        }
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(console_sign_in(&server, "admin@example.com", new, "").await.0, StatusCode::SEE_OTHER);
        let mut tx = server.app.store.read().await.unwrap();
        let events = tx.list_audit(20).await.unwrap();
        assert!(events.iter().any(|e| e.action == "staff.password_change"), "audited");
        drop(tx);
        server.stop().await;
    }
}

both_engines! {
    async fn a_staff_user_who_forgot_the_password_gets_a_link_by_mail_and_nobody_learns_who_is_staff(db: TestDb) {
        let server = TestServer::start(&db).await;
        token(&server, "admin@example.com", StaffRole::Admin).await;
        let login = browser().get(server.url("/admin/login")).send().await.unwrap().text().await.unwrap();
        assert!(login.contains("href=\"/admin/forgot-password\""), "the sign-in page offers it");
        let ask = |email: &'static str| {
            let server = &server;
            async move {
                let b = browser();
                let page = b.get(server.url("/admin/forgot-password")).send().await.unwrap().text().await.unwrap();
                let r = b.post(server.url("/admin/forgot-password"))
                    .form(&[("csrf", hidden(&page, "csrf").as_str()), ("email", email)]).send().await.unwrap();
                (r.status(), r.text().await.unwrap())
            }
        };
        let (staff_status, staff_page) = ask("ADMIN@example.com").await;
        let (other_status, other_page) = ask("nobody@example.com").await;
        assert_eq!((staff_status, other_status), (StatusCode::OK, StatusCode::OK));
        let said = |html: &str| html.split("role=\"status\">").nth(1).unwrap().split("</p>").next().unwrap().to_string();
        assert_eq!(said(&staff_page), said(&other_page), "the same answer for every address");
        assert!(said(&staff_page).contains("If the address belongs to a staff user"));
        // A forged form changes nothing.
        let forged = browser().post(server.url("/admin/forgot-password")).form(&[("csrf", "forged"), ("email", "admin@example.com")]).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        let mail = server.nth_mail("admin@example.com", 1).await;
        let link = mail.link_to(&server.base_url, "/admin/setup/").expect("a link in the mail");
        assert!(server.mails_to("nobody@example.com").is_empty(), "nobody else is mailed");
        assert_eq!(console_sign_in(&server, "admin@example.com", STAFF_PASSWORD, "").await.0, StatusCode::SEE_OTHER, "asking changes nothing");
        let page = browser().get(&link).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Choose a new console password"), "{page}");
        let chosen = "a remembered passphrase at last";
        let set = browser().post(&link).form(&[("email", "admin@example.com"), ("password", chosen), ("password_confirm", chosen)]).send().await.unwrap();
        assert_eq!(set.status(), StatusCode::CREATED);
        assert_eq!(console_sign_in(&server, "admin@example.com", chosen, "").await.0, StatusCode::SEE_OTHER);
        assert_eq!(browser().get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND, "once");
        server.stop().await;
    }
}
