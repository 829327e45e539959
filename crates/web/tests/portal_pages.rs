//! The portal's pages as a browser without JavaScript uses them: forms, CSRF
//! tokens, cookies, redirects, two languages; on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_testkit::{TestServer, both_engines, browser, hidden_fields};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "violet anchors juggle quietly";

struct Page {
    status: StatusCode,
    location: Option<String>,
    html: String,
}

impl Page {
    fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .html
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field in: {}", self.html))
            + marker.len();
        self.html[start..].split('"').next().unwrap().to_string()
    }
}

async fn get(client: &reqwest::Client, url: &str) -> Page {
    let r = client.get(url).send().await.unwrap();
    page(r).await
}

async fn post(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> Page {
    let r = client.post(url).form(form).send().await.unwrap();
    page(r).await
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

async fn register_and_activate(
    server: &TestServer,
    client: &reqwest::Client,
    email: &str,
    first_name: &str,
) {
    let form = get(client, &server.url("/s/main/register")).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let done = post(
        client,
        &server.url("/s/main/register"),
        &[
            ("csrf", &csrf),
            ("email", email),
            ("first_name", first_name),
            ("last_name", "Lovelace"),
            ("company", ""),
            ("password", PASSWORD),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(done.html.contains("Check your mail"), "{}", done.html);
    let mail = server.nth_mail(email, 1).await;
    let link = mail.link_to(&server.base_url, "/activate").unwrap();
    let activated = get(client, &link).await;
    assert_eq!(activated.status, StatusCode::OK);
    assert!(
        activated.html.contains("Your e-mail address is confirmed"),
        "{}",
        activated.html
    );
    // The link followed again: where the account stands, no new link offered.
    let again = get(client, &link).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again.html.contains("This link was used already")
            && again.html.contains("Your account is activated")
            && !again.html.contains("resend-activation"),
        "{}",
        again.html
    );
}

async fn sign_in(
    server: &TestServer,
    client: &reqwest::Client,
    login: &str,
    password: &str,
) -> Page {
    let form = get(client, &server.url("/s/main/login")).await;
    let csrf = form.csrf();
    post(
        client,
        &server.url("/s/main/login"),
        &[("csrf", &csrf), ("login_id", login), ("password", password)],
    )
    .await
}

both_engines! {
    async fn a_manager_keeps_the_team_on_the_portal_without_javascript(db: TestDb) {
        use reqwest::Method;
        let server = TestServer::start(&db).await;
        let admin = server.staff_token("admin@example.com", gatehouse_domain::StaffRole::Admin, &[]).await;
        let (_, company) = server.api(Method::POST, "/api/v1/companies", Some(&admin), Some(serde_json::json!({"name": "Engines Ltd"}))).await;
        let company = company["id"].as_str().unwrap().to_string();
        let mut people = Vec::new();
        for (email, role) in [("ada@example.com", "customer_manager"), ("bob@example.com", "customer")] {
            let account = server.active_account(email, PASSWORD).await;
            let (_, detail) = server.api(Method::PATCH, &format!("/api/v1/accounts/{account}"), Some(&admin), Some(serde_json::json!({"role": role}))).await;
            assert_eq!(detail["role"], role);
            let (_, detail) = server.api(Method::GET, &format!("/api/v1/accounts/{account}"), Some(&admin), None).await;
            let customer = detail["customer"]["id"].as_str().unwrap().to_string();
            let (status, _) = server.api(Method::PATCH, &format!("/api/v1/customers/{customer}"), Some(&admin), Some(serde_json::json!({"company_id": company}))).await;
            assert_eq!(status, StatusCode::OK);
            people.push(account);
        }

        // A plain customer has no team: no menu entry, and the page says why.
        let bob = browser();
        assert_eq!(sign_in(&server, &bob, "bob@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
        let home = get(&bob, &server.url("/s/main/")).await;
        assert!(!home.html.contains("/s/main/team"), "{}", home.html);
        let refused = get(&bob, &server.url("/s/main/team")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.html.contains("Only a customer manager looks after a team."), "{}", refused.html);

        let ada = browser();
        assert_eq!(sign_in(&server, &ada, "ada@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
        let team = get(&ada, &server.url("/s/main/team")).await;
        assert_eq!(team.status, StatusCode::OK);
        assert!(team.html.contains("href=\"/s/main/team\"") && team.html.contains("bob@example.com") && team.html.contains("(you)"), "{}", team.html);
        // A refused invitation keeps what was typed.
        let csrf = team.csrf();
        let refused = post(&ada, &server.url("/s/main/team"), &[("csrf", &csrf), ("first_name", ""), ("last_name", "Hopper"), ("email", "grace@example.com")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.html.contains("value=\"Hopper\"") && refused.html.contains("value=\"grace@example.com\"") && refused.html.contains("first_name-error"), "{}", refused.html);
        let sent = post(&ada, &server.url("/s/main/team"), &[("csrf", &csrf), ("first_name", "Grace"), ("last_name", "Hopper"), ("email", "grace@example.com")]).await;
        assert_eq!((sent.status, sent.location.as_deref()), (StatusCode::SEE_OTHER, Some("/s/main/team?done=team_invited")));
        let after = get(&ada, &server.url("/s/main/team?done=team_invited")).await;
        assert!(after.html.contains("The invitation was sent.") && after.html.contains("invited, not signed up yet"), "{}", after.html);
        assert!(server.nth_mail("grace@example.com", 1).await.link_to(&server.base_url, "/reset-password").is_some());

        // Switching Bob off signs him out; the page says so, in German too.
        let off = post(&ada, &server.url(&format!("/s/main/team/{}/access", people[1])), &[("csrf", &csrf)]).await;
        assert_eq!(off.location.as_deref(), Some("/s/main/team?done=team_access_off"));
        assert_eq!(get(&bob, &server.url("/s/main/profile")).await.status, StatusCode::SEE_OTHER, "Bob was signed out");
        let german = get(&ada, &server.url("/s/main/team?lang=de&done=team_access_off")).await;
        assert!(german.html.contains("<html lang=\"de\">") && german.html.contains("Ihr Team") && german.html.contains("Zugang ausgeschaltet")
            && german.html.contains("überall abgemeldet"), "{}", german.html);
        // Ada's own row has no switch; a post for it is refused in her language.
        let own = post(&ada, &server.url(&format!("/s/main/team/{}/access", people[0])), &[("csrf", &csrf)]).await;
        assert_eq!(own.status, StatusCode::FORBIDDEN);
        assert!(own.html.contains("Ihr eigenes Konto können Sie hier nicht ändern."), "{}", own.html);

        // An invitation sent after the session ended comes back as typed after signing in;
        // a row's button only says the session ended.
        let team = get(&ada, &server.url("/s/main/team?lang=en")).await;
        let old = team.csrf();
        assert_eq!(post(&ada, &server.url("/s/main/logout"), &[("csrf", &old)]).await.status, StatusCode::SEE_OTHER);
        let sent = post(&ada, &server.url("/s/main/team"), &[("csrf", &old), ("first_name", "Linus"), ("last_name", "T"), ("email", "linus@example.com")]).await;
        assert_eq!(sent.status, StatusCode::UNAUTHORIZED);
        let mut form = hidden_fields(&sent.html, "/s/main/login");
        form.push(("login_id".into(), "ada@example.com".into()));
        form.push(("password".into(), PASSWORD.into()));
        let back = page(ada.post(server.url("/s/main/login")).form(&form).send().await.unwrap()).await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.html);
        assert!(back.html.contains("value=\"Linus\"") && back.html.contains("value=\"linus@example.com\"") && back.html.contains("nothing has been sent yet"), "{}", back.html);
        assert!(server.mails_to("linus@example.com").is_empty(), "nothing was sent without a session");
        let stale = post(&browser(), &server.url(&format!("/s/main/team/{}/access", people[1])), &[("csrf", &old), ("on", "1")]).await;
        assert_eq!(stale.location.as_deref(), Some("/s/main/login?notice=session_ended"));
        server.stop().await;
    }

    async fn a_profile_sent_after_the_session_ended_comes_back_filled_after_signing_in(db: TestDb) {
        let server = TestServer::start(&db).await;
        let client = browser();
        register_and_activate(&server, &client, "ada@example.com", "Ada").await;
        assert_eq!(sign_in(&server, &client, "ada@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
        let profile = get(&client, &server.url("/s/main/profile")).await;
        let old = profile.csrf();
        // Signed out in another tab while the form was being filled in.
        let out = post(&client, &server.url("/s/main/logout"), &[("csrf", &old)]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        let sent = post(&client, &server.url("/s/main/profile"), &[("csrf", &old), ("first_name", "Ada"), ("last_name", "Byron"), ("city", "Berlin")]).await;
        assert_eq!(sent.status, StatusCode::UNAUTHORIZED);
        assert!(sent.html.contains("Your session ended before the form was sent") && sent.html.contains("class=\"info\""), "{}", sent.html);
        let carried = hidden_fields(&sent.html, "/s/main/login");
        let field = |name: &str| carried.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!(field("next"), "/s/main/profile");
        assert!(field("resume").contains("city=Berlin") && !field("resume").contains(&old), "{carried:?}");

        // Signing in brings the form back as typed; nothing was saved yet.
        let mut form = carried.clone();
        form.push(("login_id".into(), "ada@example.com".into()));
        form.push(("password".into(), PASSWORD.into()));
        let back = page(client.post(server.url("/s/main/login")).form(&form).send().await.unwrap()).await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.html);
        assert!(back.html.contains("value=\"Berlin\"") && back.html.contains("value=\"Byron\"") && back.html.contains("nothing has been saved yet"), "{}", back.html);
        let stored = get(&client, &server.url("/s/main/profile")).await;
        assert!(!stored.html.contains("Berlin") && stored.html.contains("value=\"Lovelace\""), "not saved without a session: {}", stored.html);
        let again = hidden_fields(&back.html, "/s/main/profile");
        assert!(again.iter().any(|(k, v)| k == "csrf" && *v != old), "a fresh token");
        let resent: Vec<(String, String)> = again.into_iter()
            .chain([("first_name".into(), "Ada".into()), ("last_name".into(), "Byron".into()), ("city".into(), "Berlin".into())])
            .collect();
        let saved = page(client.post(server.url("/s/main/profile")).form(&resent).send().await.unwrap()).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
        let stored = get(&client, &server.url("/s/main/profile")).await;
        assert!(stored.html.contains("value=\"Berlin\""), "{}", stored.html);

        // A page asked for without a session is shown after signing in; an
        // address elsewhere is not followed.
        let stranger = browser();
        let r = get(&stranger, &server.url("/s/main/sessions")).await;
        assert_eq!(r.location.as_deref(), Some("/s/main/login?next=%2Fs%2Fmain%2Fsessions"));
        for (next, to) in [("/s/main/sessions", "/s/main/sessions"), ("//evil.example/s/main/sessions", "/s/main/"), ("https://evil.example/", "/s/main/")] {
            let client = browser();
            let login = get(&client, &server.url(&format!("/s/main/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()))).await;
            let mut form = hidden_fields(&login.html, "/s/main/login");
            form.push(("login_id".into(), "ada@example.com".into()));
            form.push(("password".into(), PASSWORD.into()));
            let r = page(client.post(server.url("/s/main/login")).form(&form).send().await.unwrap()).await;
            assert_eq!(r.location.as_deref(), Some(to), "next={next}");
        }
        // Other forms posted without a session say it ended.
        let r = post(&stranger, &server.url("/s/main/sessions/others"), &[("csrf", "x")]).await;
        assert_eq!(r.location.as_deref(), Some("/s/main/login?notice=session_ended"));
        let said = get(&stranger, &server.url("/s/main/login?notice=session_ended")).await;
        assert!(said.html.contains("Your session ended. Sign in again to go on."), "{}", said.html);
        server.stop().await;
    }

    async fn a_signed_in_account_sees_its_own_language_whatever_the_browser_asks(db: TestDb) {
        let server = TestServer::start(&db).await;
        let client = browser();
        let r = client.post(server.url("/api/v1/sites/main/registrations"))
            .json(&serde_json::json!({"email": "ute@example.com", "password": PASSWORD, "first_name": "Ute", "last_name": "L", "language": "de"}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let link = server.nth_mail("ute@example.com", 1).await.link_to(&server.base_url, "/activate").unwrap();
        client.get(&link).send().await.unwrap();
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let r = client.post(server.url("/api/v1/sites/main/sessions")).header("user-agent", firefox)
            .json(&serde_json::json!({"login_id": "ute@example.com", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = |path: &str| client.get(server.url(path)).header("accept-language", "en-GB,en;q=0.9").send();
        let german = page("/s/main/profile").await.unwrap().text().await.unwrap();
        assert!(german.contains("<html lang=\"de\">") && german.contains(">Sitzungen<"), "the account's language: {german}");
        // Sessions name the device and give German dates.
        let today = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!("[day].[month].[year]"))
            .unwrap();
        let sessions = page("/s/main/sessions").await.unwrap().text().await.unwrap();
        assert!(sessions.contains("Firefox unter Windows") && sessions.contains(&format!("{today}, ")), "{sessions}");
        let english = page("/s/main/profile?lang=en").await.unwrap().text().await.unwrap();
        assert!(english.contains("<html lang=\"en\">"), "a language chosen on the page still wins: {english}");
        let kept = page("/s/main/sessions").await.unwrap().text().await.unwrap();
        assert!(kept.contains("<html lang=\"en\">"), "and is kept: {kept}");
        server.stop().await;
    }

    async fn a_customer_walks_every_page_without_javascript(db: TestDb) {
        let server = TestServer::start(&db).await;
        let client = browser();
        register_and_activate(&server, &client, "ada@example.com", "<b>Ada</b>").await;

        let signed = sign_in(&server, &client, "ada@example.com", PASSWORD).await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER);
        assert_eq!(signed.location.as_deref(), Some("/s/main/"));
        let home = get(&client, &server.url("/s/main/")).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.html.contains("You are signed in as ada@example.com") && home.html.contains("href=\"/s/main/apps\"")
            && home.html.contains("not signed in to an app"), "{}", home.html);
        let profile = get(&client, &server.url("/s/main/profile")).await;
        assert_eq!(profile.status, StatusCode::OK);
        assert!(profile.html.contains("&lt;b&gt;Ada&lt;&#x2f;b&gt;") && !profile.html.contains("<b>Ada</b>"), "escaped: {}", profile.html);

        let csrf = profile.csrf();
        // Refused (no first name): the page shows what was typed, not what is stored.
        let refused = post(&client, &server.url("/s/main/profile"), &[("csrf", &csrf), ("first_name", ""), ("last_name", "Lovelace"), ("city", "Paris")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.html.contains("value=\"Paris\"") && !refused.html.contains("&lt;b&gt;Ada"), "typed values kept: {}", refused.html);
        let saved = post(&client, &server.url("/s/main/profile"), &[("csrf", &csrf), ("first_name", "Ada"), ("last_name", "Lovelace"), ("city", "London")]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
        let after = get(&client, &server.url(saved.location.as_deref().unwrap())).await;
        assert!(after.html.contains("Your profile was saved.") && after.html.contains("value=\"London\""), "{}", after.html);

        let change = get(&client, &server.url("/s/main/change-password")).await;
        let csrf = change.csrf();
        let differ = post(&client, &server.url("/s/main/change-password"), &[("csrf", &csrf), ("current_password", PASSWORD), ("new_password", NEW_PASSWORD), ("new_password_confirm", "other")]).await;
        assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(differ.html.contains("The two new passwords are not the same."));
        let changed = post(&client, &server.url("/s/main/change-password"), &[("csrf", &csrf), ("current_password", PASSWORD), ("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)]).await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);

        // The session was replaced: its new CSRF token is on the next page.
        let sessions = get(&client, &server.url("/s/main/sessions")).await;
        assert_eq!(sessions.status, StatusCode::OK);
        assert!(sessions.html.contains("this one"), "{}", sessions.html);
        let out = post(&client, &server.url("/s/main/logout"), &[("csrf", &sessions.csrf())]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.location.as_deref(), Some("/s/main/login?notice=signed_out"));
        let gone = get(&client, &server.url("/s/main/profile")).await;
        assert_eq!((gone.status, gone.location.as_deref()), (StatusCode::SEE_OTHER, Some("/s/main/login?next=%2Fs%2Fmain%2Fprofile")));
        assert_eq!(sign_in(&server, &client, "ada@example.com", NEW_PASSWORD).await.status, StatusCode::SEE_OTHER);
        server.stop().await;
    }

    async fn sign_in_pages_say_why_only_after_the_right_password(db: TestDb) {
        let server = TestServer::start(&db).await;
        let client = browser();
        let form = get(&client, &server.url("/s/main/register")).await;
        post(&client, &server.url("/s/main/register"), &[
            ("csrf", &form.csrf()), ("email", "new@example.com"), ("first_name", "N"), ("last_name", "W"), ("password", PASSWORD),
        ]).await;
        let wrong = sign_in(&server, &client, "new@example.com", "not it at all").await;
        let unknown = sign_in(&server, &client, "nobody@example.com", "not it at all").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        let strip = |h: &str| h.replace(&Page { status: StatusCode::OK, location: None, html: h.to_string() }.csrf(), "");
        assert_eq!(strip(&wrong.html).replace("new@example.com", "X"), strip(&unknown.html).replace("nobody@example.com", "X"), "the same page for both");
        let unverified = sign_in(&server, &client, "new@example.com", PASSWORD).await;
        assert_eq!(unverified.status, StatusCode::FORBIDDEN);
        assert!(unverified.html.contains("not confirmed yet") && unverified.html.contains("/s/main/resend-activation"));
        server.stop().await;
    }

    async fn forgot_and_reset_through_the_pages(db: TestDb) {
        let server = TestServer::start(&db).await;
        let client = browser();
        register_and_activate(&server, &client, "ada@example.com", "Ada").await;
        let form = get(&client, &server.url("/s/main/forgot-password")).await;
        let sent = post(&client, &server.url("/s/main/forgot-password"), &[("csrf", &form.csrf()), ("email", "ada@example.com")]).await;
        let unknown = post(&client, &server.url("/s/main/forgot-password"), &[("csrf", &form.csrf()), ("email", "nobody@example.com")]).await;
        assert_eq!((sent.status, &sent.html), (unknown.status, &unknown.html));
        let link = server.nth_mail("ada@example.com", 2).await.link_to(&server.base_url, "/reset-password").unwrap();
        let reset = get(&client, &link).await;
        assert_eq!(reset.status, StatusCode::OK);
        let token = link.split("token=").nth(1).unwrap();
        let done = post(&client, &server.url("/s/main/reset-password"), &[("csrf", &reset.csrf()), ("token", token), ("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)]).await;
        assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/s/main/login?notice=reset_done")));
        let used = get(&client, &link).await;
        assert_eq!(used.status, StatusCode::BAD_REQUEST);
        assert!(used.html.contains("does not work any more"));
        server.stop().await;
    }

    async fn forms_refuse_missing_tokens_and_other_origins(db: TestDb) {
        let server = TestServer::start(&db).await;
        let client = browser();
        get(&client, &server.url("/s/main/login")).await;
        let no_token = post(&client, &server.url("/s/main/login"), &[("login_id", "a@example.com"), ("password", "x")]).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);
        assert!(no_token.html.contains("The form had expired"));
        let form = get(&client, &server.url("/s/main/login")).await;
        let forged = client.post(server.url("/s/main/login")).header("origin", "https://evil.example")
            .form(&[("csrf", form.csrf().as_str()), ("login_id", "a@example.com"), ("password", "x")]).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let cross = client.post(server.url("/s/main/login")).header("sec-fetch-site", "cross-site")
            .form(&[("csrf", form.csrf().as_str()), ("login_id", "a@example.com"), ("password", "x")]).send().await.unwrap();
        assert_eq!(cross.status(), StatusCode::FORBIDDEN);
        // A fresh client has no token cookie: its form post is refused too.
        let stranger = browser();
        let refused = post(&stranger, &server.url("/s/main/login"), &[("csrf", &form.csrf()), ("login_id", "a@example.com"), ("password", "x")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        server.stop().await;
    }

    async fn pages_speak_german_when_asked(db: TestDb) {
        let server = TestServer::start(&db).await;
        let client = browser();
        let de = get(&client, &server.url("/s/main/login?lang=de")).await;
        assert!(de.html.contains("<html lang=\"de\">") && de.html.contains("Passwort vergessen?"), "{}", de.html);
        // The choice sticks in a cookie.
        let again = get(&client, &server.url("/s/main/register")).await;
        assert!(again.html.contains("Konto anlegen"), "{}", again.html);
        // A browser that prefers German gets German without asking.
        let fresh = reqwest::Client::new().get(server.url("/s/main/login")).header("accept-language", "de-AT,de;q=0.9").send().await.unwrap();
        assert!(fresh.text().await.unwrap().contains("Anmelden"));
        let en = get(&browser(), &server.url("/s/main/login")).await;
        assert!(en.html.contains("Forgot password?"));

        // Refusals in German too.
        let form = get(&client, &server.url("/s/main/register")).await;
        let refused = post(&client, &server.url("/s/main/register"), &[
            ("csrf", &form.csrf()), ("email", "jo@"), ("first_name", "Jo"), ("last_name", "W"), ("password", "kurz"),
        ]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.html.contains("Das Passwort ist zu kurz") && refused.html.contains("keine gültige E-Mail-Adresse"), "{}", refused.html);
        // Said by message ID, with its arguments, for every field at once.
        let long = "x".repeat(101);
        let refused = post(&client, &server.url("/s/main/register"), &[
            ("csrf", &form.csrf()), ("email", "jo@example.com"), ("first_name", &long), ("last_name", ""), ("password", PASSWORD), ("language", "fr"),
        ]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        for german in ["Darf höchstens 100 Zeichen lang sein.", "Ist erforderlich.", "Muss en oder de sein."] {
            assert!(refused.html.contains(german), "{german}: {}", refused.html);
        }
        assert!(!refused.html.contains("must be"), "no English left: {}", refused.html);

        // German registration: German mail.
        post(&client, &server.url("/s/main/register"), &[
            ("csrf", &form.csrf()), ("email", "jo@example.com"), ("first_name", "Jo"), ("last_name", "W"), ("password", PASSWORD), ("language", "de"),
        ]).await;
        let mail = server.nth_mail("jo@example.com", 1).await;
        assert!(mail.subject.contains("Bestätigen") || mail.raw.contains("Best=C3=A4tigen"), "{}", mail.subject);
        assert!(get(&client, &server.url("/s/nowhere/login")).await.status == StatusCode::NOT_FOUND);
        for lang in ["en", "de"] {
            for page in ["login", "register", "forgot-password", "resend-activation"] {
                let p = get(&browser(), &server.url(&format!("/s/main/{page}?lang={lang}"))).await;
                assert_eq!(p.status, StatusCode::OK, "{page} in {lang}: {}", p.html);
                assert!(p.html.contains(&format!("<html lang=\"{lang}\">")), "{page} in {lang}");
            }
        }
        server.stop().await;
    }
}
