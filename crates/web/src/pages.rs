//! Server-rendered pages: one minijinja environment, built once, with the
//! templates compiled into the binary. Autoescaping is on for `.html`, and an
//! undefined variable is an error rather than an empty string.

use std::sync::{Arc, LazyLock};

use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, UndefinedBehavior, Value};

/// The page templates, compiled into the binary, named by their path under
/// `templates/`.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "setup.html",
    "message.html",
    "portal/base.html",
    "portal/forms.html",
    "portal/notice.html",
    "portal/register.html",
    "portal/login.html",
    "portal/email_form.html",
    "portal/new_password.html",
    "portal/profile.html",
    "portal/sessions.html",
    "console/base.html",
    "console/login.html",
    "console/home.html",
    "console/outbox.html",
    "console/templates.html",
    "console/template_edit.html",
    "console/registrations.html",
    "console/account.html",
    "console/audit.html",
    "console/security.html",
    "console/settings.html",
    "console/staff.html",
    "console/tokens.html",
    "console/customers.html",
    "console/customer.html",
    "console/groups.html",
    "console/report.html",
];

/// A serialisable value for a template context.
pub fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

static ENV: LazyLock<Arc<Environment<'static>>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for &(name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "a page template does not compile");
        }
    }
    Arc::new(env)
});

/// Renders a page with `status`; a template failure is logged and answered
/// with a plain 500 page.
pub fn render(status: StatusCode, name: &str, context: Value) -> Response {
    match ENV.get_template(name).and_then(|t| t.render(context)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "a page did not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>Something went wrong</h1>".to_string()),
            )
                .into_response()
        }
    }
}

/// A page with a heading and a few paragraphs.
pub fn message(status: StatusCode, heading: &str, lines: &[&str]) -> Response {
    render(
        status,
        "message.html",
        minijinja::context! { heading, lines => Value::from(minijinja::value::Serde(lines)) },
    )
}

/// The stylesheet.
pub async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/gatehouse.css"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes_html() {
        for &(name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
        let html = ENV
            .get_template("message.html")
            .and_then(|t| t.render(minijinja::context! { heading => "<b>x</b>", lines => Value::from(minijinja::value::Serde(["a & b"])) }))
            .unwrap();
        assert!(
            !html.contains("<b>x") && html.contains("&lt;b&gt;x") && html.contains("a &amp; b"),
            "{html}"
        );
    }
}
