//! Staff helpers for tests: a staff user with an API token, JSON calls with
//! or without a bearer token, reading a hidden form field from a page, and
//! the console's import form. One place for what several test binaries need.

use gatehouse_app::{api_tokens, staff};
use gatehouse_domain::StaffRole;
use gatehouse_store::Actor;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::TestServer;

/// The password every test staff user gets.
pub const STAFF_PASSWORD: &str = "a long and unusual passphrase";

impl TestServer {
    /// An API token of the staff user with this address (added with `role`
    /// and [`STAFF_PASSWORD`] if there is none yet); no scopes means every
    /// scope the role allows.
    pub async fn staff_token(&self, email: &str, role: StaffRole, scopes: &[&str]) -> String {
        let actor = Actor::system("test");
        let mut tx = self.app.store.read().await.expect("a read transaction");
        let exists = tx
            .staff_by_email(email)
            .await
            .expect("look up staff")
            .is_some();
        drop(tx);
        if !exists {
            staff::add_staff(&self.app, &actor, email, role, STAFF_PASSWORD)
                .await
                .expect("add the staff user");
        }
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        api_tokens::create_token(&self.app, &actor, email, "test", &scopes)
            .await
            .expect("create a token")
            .secret
    }

    /// A JSON call; the answer's status and body (a non-JSON body as a string).
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = reqwest::Client::new().request(method, self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

impl TestServer {
    /// A new staff user of this role, signed in to the console in a browser
    /// of their own.
    pub async fn console_as(
        &self,
        email: &str,
        role: gatehouse_domain::StaffRole,
    ) -> reqwest::Client {
        gatehouse_app::staff::add_staff(
            &self.app,
            &gatehouse_store::Actor::system("test"),
            email,
            role,
            STAFF_PASSWORD,
        )
        .await
        .expect("the staff user is added");
        let (status, client) = self.console_sign_in(email, STAFF_PASSWORD, "").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{email} signs in");
        client
    }

    /// A browser that went through the console's sign-in form; the answer's
    /// status says whether it is signed in (303) or refused.
    pub async fn console_sign_in(
        &self,
        email: &str,
        password: &str,
        code: &str,
    ) -> (StatusCode, reqwest::Client) {
        let client = crate::browser();
        let form = client
            .get(self.url("/admin/login"))
            .send()
            .await
            .expect("the login page")
            .text()
            .await
            .expect("a body");
        let answer = client
            .post(self.url("/admin/login"))
            .form(&[
                ("csrf", form_field(&form, "csrf").as_str()),
                ("email", email),
                ("password", password),
                ("code", code),
            ])
            .send()
            .await
            .expect("the server answers");
        (answer.status(), client)
    }
}

impl TestServer {
    /// Changes the settings of the site `main` straight in the store (a
    /// test's starting point, not the feature under test).
    pub async fn change_main_settings(
        &self,
        change: impl FnOnce(&mut gatehouse_domain::SiteSettings),
    ) {
        let mut tx = self.app.store.begin().await.expect("a transaction");
        let mut site = tx
            .site_by_key("main")
            .await
            .expect("read")
            .expect("site main");
        change(&mut site.settings);
        tx.update_site_settings(site.id, &site.settings)
            .await
            .expect("settings saved");
        tx.commit().await.expect("committed");
    }

    /// Registers and activates an account on the site `main` through the
    /// portal API and the activation mail; answers its ID.
    pub async fn active_account(&self, email: &str, password: &str) -> uuid::Uuid {
        self.active_account_named(email, password, "Ada", "Lovelace")
            .await
    }

    /// [`Self::active_account`] with the registrant's names.
    pub async fn active_account_named(
        &self,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
    ) -> uuid::Uuid {
        let registration = serde_json::json!({"email": email, "password": password,
            "first_name": first_name, "last_name": last_name});
        let (status, _) = self
            .api(
                Method::POST,
                "/api/v1/sites/main/registrations",
                None,
                Some(registration),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let link = self
            .nth_mail(email, 1)
            .await
            .link_to(&self.base_url, "/activate")
            .expect("an activation link");
        let token = link.split("token=").nth(1).expect("a token in the link");
        let (status, body) = self
            .api(
                Method::POST,
                "/api/v1/sites/main/verifications",
                None,
                Some(serde_json::json!({"token": token})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut tx = self.app.store.read().await.expect("a read transaction");
        let site = tx
            .site_by_key("main")
            .await
            .expect("read")
            .expect("site main");
        tx.account_by_email(site.id, email)
            .await
            .expect("read")
            .expect("the account")
            .id
    }
}

/// The value of the hidden (or any) input `name` in a page, as a browser
/// would send it (character references decoded).
pub fn form_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in: {html}"))
        + marker.len();
    unescape(html[start..].split('"').next().unwrap_or_default())
}

/// The hidden fields of the form posting to `action` (a confirmation page's
/// form, say), decoded, in page order: what a browser posts when the button
/// is pressed.
pub fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let escaped = action.replace('/', "&#x2f;");
    let start = [action, escaped.as_str()]
        .iter()
        .find_map(|a| html.find(&format!("action=\"{a}\"")))
        .unwrap_or_else(|| panic!("no form posting to {action} in: {html}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|s| {
            let name = s.split('"').next().unwrap_or_default().to_string();
            let value = s
                .split("value=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap_or_default();
            (name, unescape(value))
        })
        .collect()
}

/// Where the portal's "continue" page (after a form post, on the way back
/// to an app) sends the browser: its link, decoded.
pub fn continue_to(html: &str) -> String {
    let marker = "class=\"button\" href=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("not a continue page: {html}"))
        + marker.len();
    unescape(html[start..].split('"').next().unwrap_or_default())
}

/// Decodes the character references the templates write.
fn unescape(raw: &str) -> String {
    raw.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A multipart/form-data body as a browser sends the console's import form:
/// the fields, then the file; answers the content type and the body.
pub fn import_form(fields: &[(&str, &str)], file: &str) -> (String, String) {
    let boundary = "----gatehouse-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"old-crm.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestServer {
    /// The page at `path` as `client` sees it, whatever its status.
    pub async fn page_text(&self, client: &reqwest::Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
            .text()
            .await
            .expect("the page is text")
    }

    /// Follows an import's run page (`location`) as `client` until the
    /// import has finished; answers the finished page's HTML.
    pub async fn finished_import(&self, client: &reqwest::Client, location: &str) -> String {
        for _ in 0..200 {
            let html = self.page_text(client, location).await;
            if !html.contains("http-equiv=\"refresh\"") {
                return html;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the import did not finish");
    }
}

/// A customer's browser on the portal's sign-in page (`to_login`, where an
/// app's authorization request sent it) signs in as `login_id` and goes on
/// to the request it came from: answers where that sends it (the app's
/// redirect URI with a code, for an app the customer may use at once).
pub async fn sign_in_and_continue(
    server: &crate::TestServer,
    browser: &reqwest::Client,
    to_login: &str,
    login_id: &str,
    password: &str,
) -> String {
    let page = browser
        .get(server.url(to_login))
        .send()
        .await
        .expect("the sign-in page")
        .text()
        .await
        .expect("its text");
    let next = form_field(&page, "next");
    let answer = browser
        .post(server.url("/s/main/login"))
        .form(&[
            ("csrf", form_field(&page, "csrf").as_str()),
            ("login_id", login_id),
            ("password", password),
            ("next", next.as_str()),
        ])
        .send()
        .await
        .expect("the sign-in");
    assert_eq!(
        answer.status(),
        reqwest::StatusCode::OK,
        "a page that continues to the app: {:?}",
        answer.headers().get(reqwest::header::LOCATION)
    );
    let back = browser
        .get(server.url(&next))
        .send()
        .await
        .expect("the request again");
    assert_eq!(back.status(), reqwest::StatusCode::SEE_OTHER);
    back.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("a location")
        .to_string()
}
