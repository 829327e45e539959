//! The console's registrations queue, account page and apps page as staff
//! use them without JavaScript; HTML in a customer's name stays text; on
//! both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{
    STAFF_PASSWORD, TestServer, both_engines, browser, form_field, hidden_fields,
};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";
const EVIL: &str = "<img src=x onerror=alert(1)>";

fn csrf(html: &str) -> String {
    form_field(html, "csrf")
}

async fn console(server: &TestServer, email: &str, role: StaffRole) -> reqwest::Client {
    server.console_as(email, role).await
}

async fn pending(server: &TestServer, email: &str, first_name: &str) -> String {
    server
        .change_main_settings(|s| s.approval_required = true)
        .await;
    let r = reqwest::Client::new().post(server.url("/api/v1/sites/main/registrations"))
        .json(&json!({"email": email, "password": PASSWORD, "first_name": first_name, "last_name": "L"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let link = server
        .nth_mail(email, 1)
        .await
        .link_to(&server.base_url, "/activate")
        .unwrap();
    reqwest::get(&link).await.unwrap();
    let mut tx = server.app.store.read().await.unwrap();
    let site = tx.site_by_key("main").await.unwrap().unwrap();
    tx.account_by_email(site.id, email)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

both_engines! {
    async fn staff_keep_companies_and_pick_them_on_the_customer_form(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let list = admin.get(server.url("/admin/companies")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("No companies yet.") && list.contains("action=\"/admin/companies\""), "{list}");
        let r = admin.post(server.url("/admin/companies"))
            .form(&[("csrf", csrf(&list)), ("name", "Engines Ltd".into()), ("external_id", "ERP-1".into()), ("address", "".into()), ("notes", "Key account".into())])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let id = to.trim_start_matches("/admin/companies/").trim_end_matches("?added=1").to_string();
        let page = admin.get(server.url(&to)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("The company was added.") && page.contains("Key account") && page.contains("No customer belongs to this company yet."), "{page}");

        // The same name again: refused, the existing company offered, what was typed kept.
        let r = admin.post(server.url("/admin/companies"))
            .form(&[("csrf", csrf(&list)), ("name", "engines LTD.".into()), ("external_id", "".into()), ("address", "2 Other Street".into()), ("notes", "".into())])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let refused = r.text().await.unwrap();
        assert!(refused.contains(&format!("href=\"/admin/companies/{id}\">Open “Engines Ltd” instead")) && refused.contains("2 Other Street")
            && refused.contains("value=\"engines LTD.\""), "{refused}");
        let mut tx = server.app.store.read().await.unwrap();
        assert_eq!(tx.count_companies(None).await.unwrap(), 1, "nothing was added");
        drop(tx);

        // The customer form offers the companies; a name typed picks the record.
        let form = admin.get(server.url("/admin/customers/new")).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("<datalist id=\"company-names\"><option value=\"Engines Ltd\">"), "{form}");
        let r = admin.post(server.url("/admin/customers/new"))
            .form(&[("csrf", csrf(&form)), ("first_name", "Ada".into()), ("last_name", "Lovelace".into()), ("company", "ENGINES ltd".into())])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let customer = admin.get(server.url(r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
        assert!(customer.contains(&format!("href=\"/admin/companies/{id}\"")) && customer.contains("value=\"Engines Ltd\""), "{customer}");
        let page = admin.get(server.url(&format!("/admin/companies/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Ada Lovelace") && page.contains("1 customer"), "{page}");
        let found = admin.get(server.url("/admin/customers?company=gines")).send().await.unwrap().text().await.unwrap();
        assert!(found.contains(&format!("<a href=\"/admin/companies/{id}\">Engines Ltd</a>")) && found.contains("1 customer"), "{found}");
        let companies = admin.get(server.url("/admin/companies?q=erp")).send().await.unwrap().text().await.unwrap();
        assert!(companies.contains(&format!("href=\"/admin/customers?company_id={id}\">1</a>")), "{companies}");

        // A rename reaches the customer; a company with customers is kept.
        let r = admin.post(server.url(&format!("/admin/companies/{id}")))
            .form(&[("csrf", csrf(&page)), ("name", "Analytical Engines".into()), ("external_id", "ERP-1".into()), ("address", "".into()), ("notes", "".into())])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("Saved"));
        let found = admin.get(server.url("/admin/customers?company=analytical")).send().await.unwrap().text().await.unwrap();
        assert!(found.contains(">Analytical Engines</a>"), "{found}");
        let r = admin.post(server.url(&format!("/admin/companies/{id}/delete"))).form(&[("csrf", csrf(&page))]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("Customers still belong to this company"));
        let mut tx = server.app.store.read().await.unwrap();
        assert_eq!(tx.count_companies(None).await.unwrap(), 1);
        drop(tx);
        server.stop().await;
    }


    async fn a_form_sent_after_the_session_ended_is_kept_through_the_sign_in(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let groups = admin.get(server.url("/admin/groups")).send().await.unwrap().text().await.unwrap();
        let old_token = csrf(&groups);
        // Signed out in another tab.
        let r = admin.post(server.url("/admin/logout")).form(&[("csrf", old_token.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        let r = admin.post(server.url("/admin/groups"))
            .form(&[("csrf", old_token.as_str()), ("name", "Installers"), ("description", "Fit the boilers"), ("active", "1")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let login = r.text().await.unwrap();
        assert!(login.contains("Your session had ended"), "it says so: {login}");
        let carried = hidden_fields(&login, "/admin/login");
        let field = |name: &str| carried.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!(field("next"), "/admin/groups");
        assert!(field("resume").contains("name=Installers") && !field("resume").contains("csrf"), "{carried:?}");
        let mut tx = server.app.store.read().await.unwrap();
        assert!(tx.list_groups().await.unwrap().is_empty(), "nothing was saved without a session");
        drop(tx);

        // Signing in leads back to the form, filled as it was, sent with one press.
        let mut form = carried.clone();
        form.push(("email".into(), "admin@example.com".into()));
        form.push(("password".into(), STAFF_PASSWORD.into()));
        let back = admin.post(server.url("/admin/login")).form(&form).send().await.unwrap();
        assert_eq!(back.status(), StatusCode::OK);
        let back = back.text().await.unwrap();
        assert!(back.contains("Send your form?") && back.contains("Fit the boilers"), "{back}");
        let again = hidden_fields(&back, "/admin/groups");
        assert!(again.iter().any(|(k, v)| k == "csrf" && *v != old_token), "a fresh token: {again:?}");
        let sent = admin.post(server.url("/admin/groups")).form(&again).send().await.unwrap();
        assert_eq!(sent.status(), StatusCode::OK);
        let mut tx = server.app.store.read().await.unwrap();
        let made = tx.list_groups().await.unwrap();
        assert_eq!((made.len(), made[0].name.as_str(), made[0].description.as_str()), (1, "Installers", "Fit the boilers"));
        drop(tx);

        // A page asked for without a session is shown after the sign-in; an
        // address elsewhere is not followed.
        let stranger = browser();
        let r = stranger.get(server.url("/admin/customers?q=ada")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/admin/login?next=%2Fadmin%2Fcustomers%3Fq%3Dada");
        for (next, to) in [("/admin/customers?q=ada", "/admin/customers?q=ada"), ("//evil.example/admin", "/admin"), ("https://evil.example/", "/admin")] {
            let client = browser();
            let page = client.get(server.url(&format!("/admin/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()))).send().await.unwrap().text().await.unwrap();
            let mut form = hidden_fields(&page, "/admin/login");
            form.push(("email".into(), "admin@example.com".into()));
            form.push(("password".into(), STAFF_PASSWORD.into()));
            let r = client.post(server.url("/admin/login")).form(&form).send().await.unwrap();
            assert_eq!(r.headers()["location"], to, "next={next}");
        }
        server.stop().await;
    }

    async fn admins_add_sites_and_change_every_setting_in_the_console(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let support = console(&server, "support@example.com", StaffRole::Support).await;
        let stored = |key: &'static str| {
            let app = server.app.clone();
            async move {
                let mut tx = app.store.read().await.unwrap();
                tx.site_by_key(key).await.unwrap().map(|s| s.settings)
            }
        };

        // Support staff read the list and the settings, and change nothing.
        let list = support.get(server.url("/admin/sites")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("href=\"/admin/sites/main\"") && !list.contains("action=\"/admin/sites\""), "support sees no add form: {list}");
        let page = support.get(server.url("/admin/sites/main")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Only admins change a site") && page.contains("<fieldset disabled>"), "{page}");
        let r = support.post(server.url("/admin/sites/main")).form(&[("csrf", csrf(&page)), ("max_failed_attempts", "9".into())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(stored("main").await.unwrap().max_failed_attempts, 5, "nothing changed");
        let r = support.post(server.url("/admin/sites")).form(&[("csrf", csrf(&page)), ("key", "shop".into()), ("name", "Shop".into())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(stored("shop").await.is_none());

        // Adding a site: a taken key and a bad key are said next to the field, the name kept.
        let list = admin.get(server.url("/admin/sites")).send().await.unwrap().text().await.unwrap();
        let token = csrf(&list);
        let r = admin.post(server.url("/admin/sites")).form(&[("csrf", token.clone()), ("key", "main".into()), ("name", "Second shop".into())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(body.contains("id=\"key-error\">A site with the key “main” exists already.") && body.contains("value=\"Second shop\""), "{body}");
        let r = admin.post(server.url("/admin/sites")).form(&[("csrf", token.clone()), ("key", "-Shop".into()), ("name", "Shop".into())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("id=\"key-error\""));
        let r = admin.post(server.url("/admin/sites")).form(&[("csrf", "forged".to_string()), ("key", "shop".into()), ("name", "Shop".into())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "a forged form");
        assert!(stored("shop").await.is_none(), "no refused form added a site");
        let r = admin.post(server.url("/admin/sites")).form(&[("csrf", token.clone()), ("key", "shop".into()), ("name", "Shop".into())]).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/admin/sites/shop?added=1");
        assert_eq!(stored("shop").await.unwrap(), gatehouse_domain::SiteSettings::default());

        // The settings page shows every setting with its meaning.
        let page = admin.get(server.url("/admin/sites/shop?added=1")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("default settings") && page.contains("Registrations need approval") && page.contains("waits in “Awaiting approval”"), "{page}");
        let form = |page: &str, changes: &[(&str, &str)]| -> Vec<(String, String)> {
            // The form as the browser would post it: the checked boxes, every
            // field's value, then the changes (a change to "" unticks a box).
            let mut posted: Vec<(String, String)> = vec![("csrf".into(), csrf(page))];
            for (key, value) in [
                ("self_registration", "1"), ("create_customer_on_registration", "1"), ("login_id_mode", "email"),
                ("max_failed_attempts", "5"), ("lock_mode", "temporary"), ("lock_duration_seconds", "900"),
                ("forgot_password_enabled", "1"), ("password_min_length", "8"), ("session_idle_seconds", "1800"),
                ("session_absolute_seconds", "43200"), ("activation_link_ttl_seconds", "86400"),
                ("reset_link_ttl_seconds", "3600"), ("invitation_link_ttl_seconds", "604800"),
                ("editable_fields", "first_name"), ("editable_fields", "city"), ("default_language", "en"),
                ("deleted_retention_days", "90"), ("two_step", "offered"),
            ] {
                if !changes.iter().any(|(k, _)| *k == key) {
                    posted.push((key.into(), value.into()));
                }
            }
            for (k, v) in changes.iter().filter(|(_, v)| !v.is_empty()) {
                posted.push((k.to_string(), v.to_string()));
            }
            posted
        };
        let bad = form(&page, &[("max_failed_attempts", "five"), ("brand_colour", "blue"), ("session_idle_seconds", "90000"), ("approval_required", "1"), ("brand_name", "Engines Shop")]);
        let r = admin.post(server.url("/admin/sites/shop")).form(&bad).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        for said in [
            "id=\"max_failed_attempts-error\">must be a whole number",
            "id=\"brand_colour-error\">“blue” is not a colour like #1a2b3c",
            "id=\"session_idle_seconds-error\">must not be longer than the longest session",
            "value=\"five\"", "value=\"Engines Shop\"", "Nothing was saved",
        ] {
            assert!(body.contains(said), "{said} in {body}");
        }
        assert_eq!(stored("shop").await.unwrap(), gatehouse_domain::SiteSettings::default(), "nothing of a refused form is saved");
        let r = admin.post(server.url("/admin/sites/shop?lang=de")).form(&bad).send().await.unwrap();
        let body = r.text().await.unwrap();
        assert!(body.contains("muss eine ganze Zahl sein") && body.contains("„blue“ ist keine Farbe"), "in German: {body}");

        let good = form(&page, &[("approval_required", "1"), ("self_registration", ""), ("brand_name", "Engines Shop"), ("max_failed_attempts", "3")]);
        let r = admin.post(server.url("/admin/sites/shop")).form(&good).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/admin/sites/shop?saved=1");
        let now = stored("shop").await.unwrap();
        assert!(now.approval_required && !now.self_registration && now.max_failed_attempts == 3);
        assert_eq!(now.brand_name.as_deref(), Some("Engines Shop"));
        assert_eq!(now.editable_fields.len(), 2, "{:?}", now.editable_fields);
        assert_eq!(stored("main").await.unwrap(), gatehouse_domain::SiteSettings::default(), "another site is untouched");
        let events = server.app.store.read().await.unwrap().list_audit(50).await.unwrap();
        let event = events.iter().find(|e| e.action == "site.settings").expect("the change is audited");
        let details = &event.details;
        let mut changed: Vec<&str> = details["after"].as_object().unwrap().keys().map(String::as_str).collect();
        changed.sort_unstable();
        assert_eq!(changed, ["approval_required", "brand_name", "editable_fields", "max_failed_attempts", "self_registration"], "only what changed is audited: {details}");
        assert_eq!(details["before"]["max_failed_attempts"], 5);
        // The audit page names the site and shows the change as a table.
        let audit = admin.get(server.url("/admin/audit?action=site.settings")).send().await.unwrap().text().await.unwrap();
        assert!(audit.contains("Site: <a href=\"&#x2f;admin&#x2f;sites&#x2f;shop\">shop</a>") || audit.contains("Site: <a href=\"/admin/sites/shop\">shop</a>"), "{audit}");
        assert!(audit.contains("<tr><td>max_failed_attempts</td><td>5</td><td>3</td></tr>") && audit.contains("<tr><td>brand_name</td><td>–</td><td>Engines Shop</td></tr>"), "{audit}");
        let staff = admin.get(server.url("/admin/staff?lang=de")).send().await.unwrap().text().await.unwrap();
        assert!(staff.contains("admin@example.com (Admin)") && staff.contains("<td>Support</td>"), "staff roles by their words: {staff}");
        server.stop().await;
    }
    async fn the_account_page_offers_only_what_the_status_allows_and_the_queue_no_default(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let id = server.active_account("ada@example.com", PASSWORD).await;
        let page = admin.get(server.url(&format!("/admin/accounts/{id}"))).send().await.unwrap().text().await.unwrap();
        let offered = |page: &str| -> Vec<String> {
            page.split("name=\"action\" value=\"").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
        };
        assert_eq!(offered(&page), ["delete", "block", "send_password_reset"], "an active account");
        let r = admin.post(server.url(&format!("/admin/accounts/{id}/action")))
            .form(&[("csrf", csrf(&page)), ("action", "block".into()), ("reason", "fraud".into())]).send().await.unwrap();
        assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
        let page = admin.get(server.url(&format!("/admin/accounts/{id}"))).send().await.unwrap().text().await.unwrap();
        assert_eq!(offered(&page), ["delete", "unblock"], "a blocked account");

        let queue = admin.get(server.url("/admin/registrations?status=blocked")).send().await.unwrap().text().await.unwrap();
        assert!(queue.contains("<select id=\"action\" name=\"action\" required><option value=\"\">Choose an action"), "no default action");
        let r = admin.post(server.url("/admin/registrations/actions"))
            .form(&[("csrf", csrf(&queue)), ("action", String::new()), ("ids", id.to_string()), ("scope", "selected".into())]).send().await.unwrap();
        let answer = r.text().await.unwrap();
        assert!(answer.contains("choose an action first"), "{answer}");
        server.stop().await;
    }

    async fn pages_answer_pages_for_bad_addresses_and_the_front_page_links_everything(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let html = |r: &reqwest::Response| r.headers()["content-type"].to_str().unwrap().starts_with("text/html");
        for (path, status) in [
            ("/admin/customers?page=abc", StatusCode::BAD_REQUEST),
            ("/admin/accounts/not-a-uuid", StatusCode::BAD_REQUEST),
            ("/admin/audit?since=yesterday", StatusCode::BAD_REQUEST),
            ("/admin/no-such-page", StatusCode::NOT_FOUND),
        ] {
            let r = admin.get(server.url(path)).send().await.unwrap();
            assert_eq!(r.status(), status, "{path}");
            assert!(html(&r), "{path} answers a page");
            let body = r.text().await.unwrap();
            assert!(body.contains("<html") && !body.contains("Failed to deserialize query string:\n"), "{path}: {body}");
            if status == StatusCode::BAD_REQUEST {
                assert!(body.contains("This address cannot be opened") && body.contains("admin@example.com"), "in the console's frame: {body}");
            }
        }
        let stranger = browser().get(server.url("/admin/accounts/not-a-uuid")).send().await.unwrap();
        assert_eq!(stranger.headers()["location"], "/admin/login?next=%2Fadmin%2Faccounts%2Fnot-a-uuid", "no session: to the sign-in page, then back");

        let front = browser().get(server.url("/")).send().await.unwrap();
        assert_eq!(front.status(), StatusCode::OK);
        let front = front.text().await.unwrap();
        assert!(front.contains("href=\"/admin\"") && front.contains("href=\"/s/main/\""), "links the console and the portal: {front}");
        let german = browser().get(server.url("/")).header("accept-language", "de-DE,de;q=0.9").send().await.unwrap().text().await.unwrap();
        assert!(german.contains("Kundenportale"), "{german}");
        let api = browser().get(server.url("/api/v1/no-such-thing")).send().await.unwrap();
        assert_eq!(api.status(), StatusCode::NOT_FOUND);
        assert_eq!(api.json::<serde_json::Value>().await.unwrap()["error"]["code"], "not_found", "the API keeps its JSON");
        server.stop().await;
    }

    async fn admins_register_change_and_delete_apps_in_the_console(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let support = console(&server, "support@example.com", StaffRole::Support).await;
        let r = support.get(server.url("/admin/sites/main/apps")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "apps are for admins");
        let page = admin.get(server.url("/admin/sites/main/apps")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("No app is registered yet."));
        assert!(page.replace("&#x2f;", "/").contains(&server.url("/s/main")), "the issuer is shown: {page}");
        let register = |form: Vec<(&'static str, String)>| {
            let mut all = vec![("csrf", csrf(&page))];
            all.extend(form);
            admin.post(server.url("/admin/sites/main/apps")).form(&all).send()
        };

        // Refused: a plain-http redirect URI; what was typed comes back.
        let r = register(vec![("name", "Shop".into()), ("client_type", "confidential".into()),
            ("redirect_uris", "http://shop.example.com/callback".into()), ("scope_email", "1".into())]).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = r.text().await.unwrap();
        assert!(refused.replace("&#x2f;", "/").contains("http://shop.example.com/callback</textarea>"), "kept: {refused}");
        assert!(refused.contains("No app is registered yet."));
        assert!(refused.contains("uses http towards another machine"), "said why: {refused}");
        // The same refusal in the reader's language.
        let r = admin.post(server.url("/admin/sites/main/apps?lang=de")).form(&[("csrf", csrf(&page)), ("name", "Shop".into()),
            ("client_type", "confidential".into()), ("redirect_uris", "http://shop.example.com/callback".into())])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let german = r.text().await.unwrap();
        assert!(german.contains("verwendet http zu einem anderen Rechner"), "in German: {german}");
        let _ = admin.get(server.url("/admin/sites/main/apps?lang=en")).send().await.unwrap();

        // Registered: the secret once, stored hashed.
        let r = register(vec![("name", "Shop".into()), ("client_type", "confidential".into()),
            ("first_party", "1".into()), ("redirect_uris", "https://shop.example.com/callback\r\n\r\nhttp://127.0.0.1:3000/cb".into()),
            ("backchannel_logout_uri", "https://shop.example.com/backchannel".into()),
            ("scope_email", "1".into()), ("scope_offline_access", "1".into())]).await.unwrap();
        let status = r.status();
        let made = r.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let code = |html: &str, after: &str| -> String {
            let at = html.find(&format!("<dt>{after}</dt><dd><code")).unwrap_or_else(|| panic!("{after} in {html}"));
            let code = html[at..].split("<code").nth(1).unwrap();
            code.split_once('>').unwrap().1.split("</code>").next().unwrap().to_string()
        };
        let (client_id, secret) = (code(&made, "client_id"), code(&made, "client_secret"));
        assert!(secret.starts_with("ghs_"));
        let mut tx = server.app.store.read().await.unwrap();
        let stored = tx.client_by_client_id(&client_id).await.unwrap().unwrap();
        drop(tx);
        assert_eq!(stored.redirect_uris, ["https://shop.example.com/callback", "http://127.0.0.1:3000/cb"]);
        assert_eq!(stored.scopes, ["email", "offline_access", "openid"], "openid always");
        assert!(stored.first_party);
        assert_ne!(stored.secret_hash.as_deref(), Some(secret.as_bytes()), "hashed");
        assert!(made.contains("data-copy=\"secret\""), "a copy button for the secret");
        assert_eq!(stored.signing_alg, gatehouse_domain::oidc::SigningAlg::Es256);
        assert_eq!(stored.grant_types, gatehouse_domain::oidc::GrantType::DEFAULT, "no machine access unless chosen");
        let issuer = server.url("/s/main");
        let made = made.replace("&#x2f;", "/");
        assert!(made.contains(&format!("{issuer}/.well-known/openid-configuration")), "discovery is linked");
        assert!(made.contains(&format!("{issuer}/oauth2/logout")) && made.contains("OIDCProviderMetadataURL"), "endpoints and recipes");

        // The app's page: changed, a new secret, deleted.
        let url = server.url(&format!("/admin/sites/main/apps/{client_id}"));
        let page = admin.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(&secret), "the secret is never shown again");
        let r = admin.post(&url).form(&[("csrf", csrf(&page)), ("name", "The Shop".into()),
            ("redirect_uris", "https://shop.example.com/callback".into()), ("scope_profile", "1".into()),
            ("signing_alg", "RS256".into()), ("grant_client_credentials", "1".into()),
            ("resources", "https://api.shop.example.com/\r\n".into()), ("backchannel_logout_session_required", "1".into()), ("require_two_steps", "1".into())])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("The app was saved."));
        let r = admin.post(format!("{url}/secret")).form(&[("csrf", csrf(&page))]).send().await.unwrap();
        let rotated = r.text().await.unwrap();
        let new_secret = code(&rotated, "client_secret");
        assert_ne!(new_secret, secret);
        let mut tx = server.app.store.read().await.unwrap();
        let stored = tx.client_by_client_id(&client_id).await.unwrap().unwrap();
        drop(tx);
        assert_eq!((stored.name.as_str(), stored.scopes.clone(), stored.first_party), ("The Shop", vec!["openid".to_string(), "profile".to_string()], false));
        assert_eq!(stored.backchannel_logout_uri, None, "emptied");
        assert_eq!(stored.signing_alg, gatehouse_domain::oidc::SigningAlg::Rs256, "RS256 chosen");
        assert!(stored.grant_types.contains(&gatehouse_domain::oidc::GrantType::ClientCredentials));
        assert_eq!(stored.resources, ["https://api.shop.example.com/"]);
        assert!(stored.backchannel_logout_session_required);
        assert!(stored.require_two_steps, "the app needs two steps");
        let r = admin.post(format!("{url}/delete")).form(&[("csrf", csrf(&page))]).send().await.unwrap();
        assert_eq!(r.headers()["location"], format!("/admin/sites/main/apps?deleted={client_id}"));
        let list = admin.get(server.url(r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("The app was deleted") && list.contains("No app is registered yet."), "{list}");

        // A forged form changes nothing.
        let r = admin.post(server.url("/admin/sites/main/apps")).form(&[("csrf", "forged"), ("name", "Evil")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let token = server.staff_token("api@example.com", StaffRole::Admin, &[]).await;
        let (_, apps) = server.api(reqwest::Method::GET, "/api/v1/sites/main/clients", Some(&token), None).await;
        assert_eq!(apps["items"], json!([]), "no app was registered");
        server.stop().await;
    }

    async fn staff_approve_from_the_queue_and_act_on_the_account_page(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let evil = pending(&server, "evil@example.com", EVIL).await;
        let other = pending(&server, "other@example.com", "Other").await;

        let queue = admin.get(server.url("/admin/registrations")).send().await.unwrap().text().await.unwrap();
        assert!(queue.contains("Pending (2)") && queue.contains("Unverified (0)"), "{queue}");
        assert!(!queue.contains(EVIL) && queue.contains("&lt;img src=x onerror=alert(1)&gt;"), "escaped in the queue");

        let offered: Vec<&str> = queue.split("<option value=\"").skip(1).filter_map(|s| s.split('"').next()).filter(|v| !v.is_empty() && !v.contains("main")).collect();
        assert_eq!(offered, ["approve", "delete", "disapprove", "block", "send_password_reset"], "what pending accounts allow, no unblock or undelete");
        assert!(queue.contains("name=\"all\" value=\"1\" data-select-all"), "a select-all box");

        // Asked first, naming the count; nothing happens until confirmed.
        let ask = admin.post(server.url("/admin/registrations/actions"))
            .form(&[("csrf", csrf(&queue).as_str()), ("back", "/admin/registrations?status=pending&site=&q="), ("page_ids", evil.as_str()), ("page_ids", other.as_str()), ("all", "1"), ("action", "approve"), ("scope", "selected"), ("reason", "checked by phone")])
            .send().await.unwrap().text().await.unwrap();
        assert!(ask.contains("<h1>Approve 2 accounts?</h1>") && ask.contains("Approve 2 accounts</button>") && ask.contains("checked by phone"), "{ask}");
        let still = admin.get(server.url("/admin/registrations")).send().await.unwrap().text().await.unwrap();
        assert!(still.contains("Pending (2)"), "nothing was done before the answer");
        // The confirmation carries exactly what was chosen.
        let confirm = |page: &str| hidden_fields(page, "/admin/registrations/actions");
        let carried = confirm(&ask);
        assert!(carried.contains(&("ids".into(), evil.clone())) && carried.contains(&("ids".into(), other.clone())), "{carried:?}");

        let ask = admin.post(server.url("/admin/registrations/actions"))
            .form(&[("csrf", csrf(&queue).as_str()), ("back", "/admin/registrations?status=pending&site=&q="), ("ids", evil.as_str()), ("page_ids", evil.as_str()), ("page_ids", other.as_str()), ("action", "approve"), ("scope", "selected")])
            .send().await.unwrap().text().await.unwrap();
        assert!(ask.contains("Approve one account?"), "{ask}");
        let done = admin.post(server.url("/admin/registrations/actions")).form(&confirm(&ask)).send().await.unwrap().text().await.unwrap();
        assert!(done.contains("1 approved") && done.contains("Pending (1)"), "{done}");
        let ask = admin.post(server.url("/admin/registrations/actions"))
            .form(&[("csrf", csrf(&queue).as_str()), ("back", "/admin/registrations?status=pending"), ("page_ids", other.as_str()), ("action", "block"), ("scope", "page")])
            .send().await.unwrap().text().await.unwrap();
        assert!(ask.contains("Block one account?") && ask.contains("class=\"danger\""), "{ask}");
        let all = admin.post(server.url("/admin/registrations/actions")).form(&confirm(&ask)).send().await.unwrap().text().await.unwrap();
        assert!(all.contains("1 blocked") && all.contains("Blocked (1)"), "{all}");

        let page_url = server.url(&format!("/admin/accounts/{evil}"));
        let page = admin.get(&page_url).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(EVIL) && page.contains("&lt;img"), "escaped on the account page");
        let with_password = admin.post(server.url(&format!("/admin/accounts/{evil}/password"))).form(&[("csrf", csrf(&page).as_str()), ("expires_on", "")]).send().await.unwrap().text().await.unwrap();
        assert!(with_password.contains("Temporary password, shown only now"), "{with_password}");
        let again = admin.get(&page_url).send().await.unwrap().text().await.unwrap();
        assert!(!again.contains("shown only now"), "shown once");
        let off = admin.post(server.url(&format!("/admin/accounts/{evil}/update")))
            .form(&[("csrf", csrf(&page).as_str()), ("login_id", "evil@example.com"), ("email_validated", "1"), ("access_expires_on", "2031-02-30"), ("role", "customer")])
            .send().await.unwrap();
        assert_eq!(off.status(), StatusCode::UNPROCESSABLE_ENTITY, "a date that does not exist is refused");
        let saved = admin.post(server.url(&format!("/admin/accounts/{evil}/update")))
            .form(&[("csrf", csrf(&page).as_str()), ("login_id", "evil@example.com"), ("email_validated", "1"), ("access_expires_on", "2031-01-31"), ("role", "customer")])
            .send().await.unwrap().text().await.unwrap();
        assert!(saved.contains("Access</dt><dd>off, until 31 Jan 2031, 23:59 UTC"), "the unchecked box switched access off: {saved}");
        let audit = admin.get(server.url("/admin/audit")).send().await.unwrap().text().await.unwrap();
        assert!(audit.contains("account.update") && audit.contains("account.approve") && !audit.contains(EVIL));

        let forged = admin.post(server.url(&format!("/admin/accounts/{evil}/action"))).form(&[("csrf", "nope"), ("action", "delete")]).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        let support = console(&server, "support@example.com", StaffRole::Support).await;
        let support_page = support.get(&page_url).send().await.unwrap().text().await.unwrap();
        assert!(support_page.contains("Lifecycle") && !support_page.contains("Impersonate"), "support acts but does not impersonate");
        let refused = support.post(server.url(&format!("/admin/accounts/{evil}/impersonate"))).form(&[("csrf", csrf(&support_page).as_str()), ("reason", "x")]).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        server.stop().await;
    }

    async fn the_audit_log_filters_exports_csv_and_keeps_the_address(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let mut tx = server.app.store.begin().await.unwrap();
        let mut site = tx.site_by_key("main").await.unwrap().unwrap();
        site.settings.create_customer_on_registration = false;
        tx.update_site_settings(site.id, &site.settings).await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        tx.insert_customer(&gatehouse_store::Customer {
            id: uuid::Uuid::now_v7(),
            fields: gatehouse_store::CustomerFields { first_name: "Grace".into(), last_name: "Hopper".into(), company: Some("Hyperlink Ltd".into()), notifications: true, ..Default::default() },
            created_at: now,
            updated_at: now,
        }).await.unwrap();
        tx.commit().await.unwrap();
        let id = pending(&server, "grace@example.com", "=HYPERLINK(\"http://evil\")").await;
        let page = admin.get(server.url(&format!("/admin/accounts/{id}"))).send().await.unwrap().text().await.unwrap();
        admin.post(server.url(&format!("/admin/accounts/{id}/action"))).form(&[("csrf", csrf(&page).as_str()), ("action", "block"), ("reason", "-1+1")]).send().await.unwrap();

        let log = admin.get(server.url("/admin/audit?action=account.&actor=admin@")).send().await.unwrap().text().await.unwrap();
        assert!(log.contains("account.block") && !log.contains("staff.sign_in"), "filtered by action");
        assert!(log.contains("127.0.0.1"), "the client address is kept: {log}");
        let csv = admin.get(server.url("/api/v1/audit.csv?action=account.block")).send().await.unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let body = csv.text().await.unwrap();
        let mut lines = body.lines();
        assert_eq!(lines.next(), Some("at,actor_kind,actor,action,target_kind,target_id,site_id,ip,details"));
        let row = lines.next().unwrap();
        assert!(row.contains(",staff,admin@example.com,account.block,account,") && row.contains("127.0.0.1"), "{row}");
        assert!(lines.next().is_none(), "only the block");

        // A customer found by search, for assigning the account by hand.
        let found = admin.get(server.url(&format!("/admin/accounts/{id}?customer_q=hyperlink"))).send().await.unwrap().text().await.unwrap();
        assert!(found.contains("value=\"hyperlink\""), "the search is kept in its box: {found}");
        assert!(found.contains("Hyperlink Ltd") && found.contains("found by search"), "{found}");
        server.stop().await;
    }

    async fn every_console_page_answers_by_the_permission_table(db: TestDb) {
        let server = TestServer::start(&db).await;
        let id = pending(&server, "ada@example.com", "Ada").await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let support = console(&server, "support@example.com", StaffRole::Support).await;
        let page = admin.get(server.url(&format!("/admin/accounts/{id}"))).send().await.unwrap().text().await.unwrap();
        admin.post(server.url(&format!("/admin/accounts/{id}/action"))).form(&[("csrf", csrf(&page).as_str()), ("action", "approve")]).send().await.unwrap();
        let customer = browser();
        let signed = customer.post(server.url("/api/v1/sites/main/sessions")).json(&json!({"login_id": "ada@example.com", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(signed.status(), StatusCode::OK, "a signed-in customer");
        // (page, support may see it)
        let pages = [
            ("/admin".to_string(), true),
            ("/admin/registrations".to_string(), true),
            (format!("/admin/accounts/{id}"), true),
            ("/admin/outbox".to_string(), true),
            ("/admin/audit".to_string(), true),
            ("/admin/security".to_string(), true),
            ("/admin/sites/main/templates".to_string(), false),
            ("/admin/sites/main/templates/activation/en".to_string(), false),
            ("/admin/staff".to_string(), false),
            ("/admin/settings".to_string(), false),
            ("/admin/tokens".to_string(), false),
            ("/admin/customers".to_string(), true),
            ("/admin/customers/new".to_string(), true),
            ("/admin/groups".to_string(), true),
            ("/admin/reports/registrations?site=main".to_string(), true),
        ];
        for (path, support_sees) in pages {
            for (who, client) in [("anonymous", browser()), ("customer", customer.clone())] {
                let r = client.get(server.url(&path)).send().await.unwrap();
                let back = format!("/admin/login?next={}", url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>());
                assert_eq!((r.status(), r.headers().get("location").map(|v| v.to_str().unwrap().to_string())),
                    (StatusCode::SEE_OTHER, Some(back)), "{who} {path}");
            }
            let s = support.get(server.url(&path)).send().await.unwrap().status();
            assert_eq!(s, if support_sees { StatusCode::OK } else { StatusCode::FORBIDDEN }, "support {path}");
            assert_eq!(admin.get(server.url(&path)).send().await.unwrap().status(), StatusCode::OK, "admin {path}");
        }
        let tokens = admin.get(server.url("/admin/tokens")).send().await.unwrap().text().await.unwrap();
        let made = admin.post(server.url("/admin/tokens"))
            .form(&[("csrf", csrf(&tokens).as_str()), ("name", "ERP sync"), ("staff", "support@example.com"), ("scopes", "read"), ("expires_on", "")])
            .send().await.unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        let html = made.text().await.unwrap();
        assert!(html.contains("shown only now") && html.contains("gh_") && html.contains("support@example.com"), "{html}");
        server.stop().await;
    }

    async fn the_customer_list_page_filters_sorts_and_escapes(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let now = time::OffsetDateTime::now_utc();
        let mut tx = server.app.store.begin().await.unwrap();
        for (first, last, country) in [("Ada", "Lovelace", "GB"), ("Grace", "Hopper", "US"), (EVIL, "Zed", "US")] {
            tx.insert_customer(&gatehouse_store::Customer {
                id: uuid::Uuid::now_v7(),
                fields: gatehouse_store::CustomerFields { first_name: first.into(), last_name: last.into(), country: Some(country.into()), notifications: true, ..Default::default() },
                created_at: now,
                updated_at: now,
            }).await.unwrap();
        }
        tx.commit().await.unwrap();
        let all = admin.get(server.url("/admin/customers?sort=-last_name")).send().await.unwrap().text().await.unwrap();
        assert!(all.contains("3 customers") && !all.contains(EVIL) && all.contains("&lt;img"), "{all}");
        let zed = all.find("Zed").unwrap();
        let hopper = all.find("Hopper").unwrap();
        assert!(zed < hopper, "descending by last name");
        let us = admin.get(server.url("/admin/customers?country=us&q=hop")).send().await.unwrap().text().await.unwrap();
        assert!(us.contains("1 customer<") && us.contains("Hopper") && !us.contains("Lovelace"), "{us}");
        assert!(us.contains("/api/v1/customers.csv?q=hop&amp;country=us"), "the CSV link carries the filters: {us}");
        assert!(us.contains("<option value=\"US\" selected>United States</option>"), "the filter names the country: {us}");
        assert!(all.contains("<td>United Kingdom</td>"), "the list names countries: {all}");
        let by_name = admin.get(server.url("/admin/customers?country=Vereinigte%20Staaten&lang=de")).send().await.unwrap().text().await.unwrap();
        assert!(by_name.contains("Hopper") && !by_name.contains("Lovelace") && by_name.contains("<td>Vereinigte Staaten</td>") && by_name.contains(">Deutschland</option>"), "a German name finds the code, shown in German: {by_name}");
        let bad = admin.get(server.url("/admin/customers?sort=password")).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Each row shows the customer's group and their accounts' status and role.
        let account = server.active_account("ada@example.com", PASSWORD).await;
        let token = server.staff_token("admin@example.com", StaffRole::Admin, &[]).await;
        let (_, group) = server.api(reqwest::Method::POST, "/api/v1/groups", Some(&token), Some(json!({"name": "Installers"}))).await;
        let mut tx = server.app.store.read().await.unwrap();
        let customer = tx.account_by_id(account).await.unwrap().unwrap().customer_id.unwrap();
        drop(tx);
        let (status, _) = server.api(reqwest::Method::PATCH, &format!("/api/v1/customers/{customer}"), Some(&token), Some(json!({"group_id": group["id"]}))).await;
        assert_eq!(status, StatusCode::OK);
        let list = admin.get(server.url("/admin/customers?q=ada&lang=en")).send().await.unwrap().text().await.unwrap();
        let row = list.split(&format!("value=\"{customer}\"")).nth(1).expect("the customer's row").split("</tr>").next().unwrap();
        assert!(row.contains("<td>Installers</td>"), "the group: {row}");
        assert!(row.contains(&format!("<a href=\"/admin/accounts/{account}\">main</a>: active, customer")), "the account: {row}");
        // The queue names an assigned account by its customer's name now.
        let (status, _) = server.api(reqwest::Method::PATCH, &format!("/api/v1/customers/{customer}"), Some(&token), Some(json!({"first_name": "Augusta"}))).await;
        assert_eq!(status, StatusCode::OK);
        let queue = admin.get(server.url("/admin/registrations?status=active")).send().await.unwrap().text().await.unwrap();
        assert!(queue.contains("<td>Augusta Lovelace</td>"), "the current name: {queue}");
        server.stop().await;
    }

    async fn staff_add_change_and_delete_customers_in_the_console(db: TestDb) {
        let server = TestServer::start(&db).await;
        let support = console(&server, "support@example.com", StaffRole::Support).await;
        let form = support.get(server.url("/admin/customers/new")).send().await.unwrap().text().await.unwrap();
        let token = csrf(&form);

        // Wrong fields: shown again as typed, each with its reason; nothing stored.
        let wrong = support.post(server.url("/admin/customers/new"))
            .form(&[("csrf", token.as_str()), ("first_name", "Grace"), ("last_name", "Hopper"), ("email", "not an address"), ("url", "ftp://navy"), ("account_site", "")])
            .send().await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = wrong.text().await.unwrap();
        assert!(html.contains("Nothing was saved") && html.contains("must be an http:&#x2f;&#x2f; or https:&#x2f;&#x2f; address") && html.contains("value=\"ftp:&#x2f;&#x2f;navy\""), "{html}");
        let mut tx = server.app.store.read().await.unwrap();
        assert!(tx.search_customers("hopper", 10).await.unwrap().is_empty(), "nothing stored");
        drop(tx);
        // No CSRF token: refused, nothing stored.
        let forged = support.post(server.url("/admin/customers/new")).form(&[("first_name", "Eve"), ("last_name", "Forger")]).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        let made = support.post(server.url("/admin/customers/new"))
            .form(&[("csrf", token.as_str()), ("first_name", "Grace"), ("last_name", "Hopper"), ("email", "grace@example.com"), ("company", "Navy"),
                    ("country", "US"), ("notifications", "1"), ("account_site", "main"), ("account_login_id", ""), ("send_welcome", "1")])
            .send().await.unwrap();
        assert_eq!(made.status(), StatusCode::SEE_OTHER);
        let location = made.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/admin/customers/") && location.ends_with("?added=1"), "{location}");
        let id = location.trim_start_matches("/admin/customers/").trim_end_matches("?added=1").to_string();
        let page = support.get(server.url(&location)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Customer added.") && page.contains("grace@example.com</a>") && page.contains("value=\"Navy\""), "{page}");
        let mail = server.nth_mail("grace@example.com", 1).await;
        assert!(mail.link_to(&server.base_url, "/reset-password?token=").is_some(), "a welcome link to choose a password");

        // A wrong change keeps the stored customer as it was.
        let changed = support.post(server.url(&format!("/admin/customers/{id}")))
            .form(&[("csrf", token.as_str()), ("first_name", "Grace"), ("last_name", "Hopper"), ("email", "grace@@x"), ("company", "US Navy")])
            .send().await.unwrap();
        assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let stored = |server: &TestServer| {
            let app = server.app.clone();
            let id: uuid::Uuid = id.parse().unwrap();
            async move { app.store.read().await.unwrap().customer_by_id(id).await.unwrap().unwrap() }
        };
        assert_eq!(stored(&server).await.fields.company.as_deref(), Some("Navy"));
        let saved = support.post(server.url(&format!("/admin/customers/{id}")))
            .form(&[("csrf", token.as_str()), ("first_name", "Grace"), ("last_name", "Hopper"), ("email", "grace@example.com"), ("company", "US Navy"), ("city", "Arlington")])
            .send().await.unwrap().text().await.unwrap();
        assert!(saved.contains("Saved."), "{saved}");
        let now = stored(&server).await;
        assert_eq!((now.fields.company.as_deref(), now.fields.city.as_deref(), now.fields.notifications), (Some("US Navy"), Some("Arlington"), false));

        // Deleting a customer with an account is refused and says why.
        let refused = support.post(server.url(&format!("/admin/customers/{id}/delete"))).form(&[("csrf", token.as_str())]).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        let html = refused.text().await.unwrap();
        assert!(html.contains("not deleted: the customer has 1 portal account in use; delete them or assign them to another customer first"), "{html}");
        let alone = support.post(server.url("/admin/customers/new"))
            .form(&[("csrf", token.as_str()), ("last_name", "Alone"), ("account_site", "")]).send().await.unwrap();
        let alone = alone.headers()["location"].to_str().unwrap().trim_end_matches("?added=1").to_string();
        // Asked first, naming the customer; deleted once confirmed.
        let asked = support.post(server.url(&format!("{alone}/delete"))).form(&[("csrf", token.as_str())]).send().await.unwrap().text().await.unwrap();
        assert!(asked.contains("<h1>Delete Alone?</h1>") && asked.contains("name=\"confirm\" value=\"1\""), "{asked}");
        assert_eq!(support.get(server.url(&alone)).send().await.unwrap().status(), StatusCode::OK, "not deleted by the question");
        let gone = support.post(server.url(&format!("{alone}/delete"))).form(&[("csrf", token.as_str()), ("confirm", "1")]).send().await.unwrap().text().await.unwrap();
        assert!(gone.contains("Customer deleted.") && gone.contains("1 customer<"), "{gone}");
        server.stop().await;
    }

    async fn groups_and_bulk_actions_on_customers_in_the_console(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let page = admin.get(server.url("/admin/groups")).send().await.unwrap().text().await.unwrap();
        let token = csrf(&page);
        let added = admin.post(server.url("/admin/groups")).form(&[("csrf", token.as_str()), ("name", "Installers"), ("description", "Field staff"), ("active", "1")]).send().await.unwrap().text().await.unwrap();
        assert!(added.contains("Group added.") && added.contains("value=\"Installers\""), "{added}");
        let twice = admin.post(server.url("/admin/groups")).form(&[("csrf", token.as_str()), ("name", "installers"), ("description", "Typed, not lost"), ("active", "1")]).send().await.unwrap();
        assert_eq!(twice.status(), StatusCode::CONFLICT);
        let twice = twice.text().await.unwrap();
        assert!(twice.contains("a group named &#x27;installers&#x27; exists already"));
        assert!(twice.contains("value=\"installers\" aria-invalid=\"true\"") && twice.contains("value=\"Typed, not lost\""), "the new group's form keeps what was typed: {twice}");
        let group = server.app.store.read().await.unwrap().list_groups().await.unwrap().remove(0);
        // A rename to a taken name keeps the typed name in that group's row.
        admin.post(server.url("/admin/groups")).form(&[("csrf", token.as_str()), ("name", "Office"), ("active", "1")]).send().await.unwrap();
        let renamed = admin.post(server.url(&format!("/admin/groups/{}", group.id))).form(&[("csrf", token.as_str()), ("name", "office"), ("description", "Field staff"), ("active", "1")]).send().await.unwrap();
        assert_eq!(renamed.status(), StatusCode::CONFLICT);
        let renamed = renamed.text().await.unwrap();
        assert!(renamed.contains("value=\"office\" aria-label=\"name of Installers\" aria-invalid=\"true\""), "{renamed}");

        let mut ids = Vec::new();
        for name in ["Able", "Baker", "Charlie"] {
            let made = admin.post(server.url("/admin/customers/new"))
                .form(&[("csrf", token.as_str()), ("last_name", name), ("email", &format!("{}@example.com", name.to_lowercase())), ("account_site", if name == "Charlie" { "main" } else { "" })])
                .send().await.unwrap();
            ids.push(made.headers()["location"].to_str().unwrap().trim_start_matches("/admin/customers/").trim_end_matches("?added=1").to_string());
        }
        let gid = group.id.to_string();
        let moved = admin.post(server.url("/admin/customers/actions"))
            .form(&[("csrf", token.as_str()), ("back", "sort=last_name"), ("action", "set_group"), ("group", gid.as_str()), ("ids", ids[0].as_str()), ("ids", ids[2].as_str())])
            .send().await.unwrap().text().await.unwrap();
        assert!(moved.contains("2 moved to the group") && moved.contains("3 customers"), "{moved}");
        assert_eq!(server.app.store.read().await.unwrap().group_size(group.id).await.unwrap(), 2);
        let members = admin.get(server.url(&format!("/admin/customers?group={gid}"))).send().await.unwrap().text().await.unwrap();
        assert!(members.contains("2 customers") && members.contains("Able") && !members.contains("Baker"), "{members}");

        // Deleting a group with members is refused with a reason; deactivating hides it from pickers.
        let refused = admin.post(server.url(&format!("/admin/groups/{gid}/delete"))).form(&[("csrf", token.as_str())]).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        assert!(refused.text().await.unwrap().contains("the group still has 2 customers; move them to another group first"));
        let off = admin.post(server.url(&format!("/admin/groups/{gid}"))).form(&[("csrf", token.as_str()), ("name", "Installers"), ("description", "Field staff")]).send().await.unwrap().text().await.unwrap();
        assert!(off.contains("Group saved."), "{off}");
        assert!(!server.app.store.read().await.unwrap().list_groups().await.unwrap()[0].active);
        let list = admin.get(server.url("/admin/customers")).send().await.unwrap().text().await.unwrap();
        assert!(!list.contains(&format!("value=\"{gid}\"")), "an inactive group is not offered: {list}");

        // Bulk delete: done where allowed, the reason for each refusal.
        let ask = admin.post(server.url("/admin/customers/actions"))
            .form(&[("csrf", token.as_str()), ("back", ""), ("action", "delete"), ("group", ""), ("ids", ids[1].as_str()), ("ids", ids[2].as_str())])
            .send().await.unwrap().text().await.unwrap();
        assert!(ask.contains("<h1>Delete 2 customers?</h1>"), "asked first: {ask}");
        let still = admin.get(server.url("/admin/customers")).send().await.unwrap().text().await.unwrap();
        assert!(still.contains("3 customers"), "nothing deleted before the answer");
        let deleted = admin.post(server.url("/admin/customers/actions"))
            .form(&hidden_fields(&ask, "/admin/customers/actions"))
            .send().await.unwrap().text().await.unwrap();
        assert!(deleted.contains("1 deleted; 1: the customer has 1 portal account in use; delete them or assign them to another customer first") && deleted.contains("2 customers"), "{deleted}");
        let nothing = admin.post(server.url("/admin/customers/actions"))
            .form(&[("csrf", token.as_str()), ("back", ""), ("action", "delete"), ("group", "")]).send().await.unwrap();
        assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(nothing.text().await.unwrap().contains("choose between 1 and 500 customers"));
        let unchosen = admin.post(server.url("/admin/customers/actions"))
            .form(&[("csrf", token.as_str()), ("back", ""), ("action", ""), ("ids", ids[0].as_str())]).send().await.unwrap();
        assert_eq!(unchosen.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unchosen.text().await.unwrap().contains("choose an action first"), "no default action");
        server.stop().await;
    }

    async fn the_dashboard_counts_and_charts_registrations_and_the_report_lists_them(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        pending(&server, "ada@example.com", "Ada").await;
        pending(&server, "bob@example.com", "Bob").await;
        // Two more registrations: one 10 days ago, one before the chart's 90 days.
        let now = time::OffsetDateTime::now_utc();
        let mut tx = server.app.store.begin().await.unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        let mut old = tx.account_by_email(site.id, "ada@example.com").await.unwrap().unwrap();
        for (login, days) in [("ten@example.com", 10), ("old@example.com", 120)] {
            old.id = uuid::Uuid::now_v7();
            old.login_id = login.into();
            old.email = login.into();
            old.registered_at = now - time::Duration::days(days);
            tx.insert_account(&old).await.unwrap();
        }
        tx.commit().await.unwrap();

        let home = admin.get(server.url("/admin")).send().await.unwrap().text().await.unwrap();
        let today = now.date().to_string();
        let ten = (now - time::Duration::days(10)).date().to_string();
        assert!(home.contains(&format!("<title>{today}: 2</title>")) && home.contains(&format!("<title>{ten}: 1</title>")), "{home}");
        assert_eq!(home.matches("<rect class=\"bar\"").count(), 90, "one bar per day");
        assert!(home.contains("3 registrations in 90 days"), "the old one is outside the chart");
        assert!(home.contains("status=pending&site=main\">4</a>"), "four pending on main: {home}");

        let (status, body) = server.api(reqwest::Method::GET, "/api/v1/reports/dashboard?site=main", Some(&server.staff_token("api@example.com", StaffRole::Admin, &[]).await), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["per_day"].as_array().unwrap().len(), 90);
        assert_eq!(body["per_day"][89]["day"], today);
        assert_eq!(body["per_day"][89]["count"], 2);

        let report = admin.get(server.url("/admin/reports/registrations?site=main")).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("4 registrations") && report.contains("old@example.com") && report.contains("/api/v1/reports/registrations.csv?site=main"), "{report}");
        let csv = admin.get(server.url("/api/v1/reports/registrations.csv?site=main")).send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().count(), 5, "a header and four rows: {csv}");
        server.stop().await;
    }

    async fn the_console_speaks_german_with_plural_rules(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = console(&server, "admin@example.com", StaffRole::Admin).await;
        let id = pending(&server, "ada@example.com", "Ada").await;
        // English by default; German when asked, and the choice sticks.
        let en = admin.get(server.url("/admin/registrations")).send().await.unwrap().text().await.unwrap();
        assert!(en.contains("<html lang=\"en\">") && en.contains("1 account in all"), "{en}");
        let de = admin.get(server.url("/admin?lang=de")).send().await.unwrap();
        assert!(de.headers()["set-cookie"].to_str().unwrap().starts_with("gh_lang=de"));
        let de = de.text().await.unwrap();
        assert!(de.contains("<html lang=\"de\">") && de.contains("Konten nach Status") && de.contains("Abmelden"), "{de}");
        let queue = admin.get(server.url("/admin/registrations")).send().await.unwrap().text().await.unwrap();
        assert!(queue.contains("1 Konto insgesamt") && queue.contains("Auf Ausgewählte anwenden"), "{queue}");
        let account = admin.get(server.url(&format!("/admin/accounts/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(account.contains("Kontoeinstellungen") && account.contains("freigeben"), "{account}");
        // A form's answer in German too, and counts by the plural rule.
        let groups = admin.get(server.url("/admin/groups")).send().await.unwrap().text().await.unwrap();
        let added = admin.post(server.url("/admin/groups"))
            .form(&[("csrf", csrf(&groups).as_str()), ("name", "Installers"), ("active", "1")])
            .send().await.unwrap().text().await.unwrap();
        assert!(added.contains("Gruppe angelegt."), "{added}");
        let list = admin.get(server.url("/admin/customers")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("1 Kunde<"), "{list}");
        // The sign-in page follows the browser's language.
        let fresh = reqwest::Client::new().get(server.url("/admin/login")).header("accept-language", "de-DE").send().await.unwrap().text().await.unwrap();
        assert!(fresh.contains("An der Konsole anmelden"), "{fresh}");
        // No English heading is left on the German pages.
        for page in ["/admin", "/admin/registrations", "/admin/customers", "/admin/groups", "/admin/outbox", "/admin/audit", "/admin/staff", "/admin/tokens", "/admin/settings", "/admin/reports/registrations", "/admin/security", "/admin/sites/main/templates"] {
            let html = admin.get(server.url(page)).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("<html lang=\"de\">"), "{page}");
            for english in ["Sign out", "Download CSV", ">Show<", ">Save<", "No groups yet", "Registrations per day"] {
                assert!(!html.contains(english), "{page} still says {english}");
            }
        }
        server.stop().await;
    }
}
