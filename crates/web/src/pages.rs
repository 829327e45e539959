//! Server-rendered pages: one minijinja environment, built once, with the
//! templates compiled into the binary. Autoescaping is on for `.html`, and an
//! undefined variable is an error rather than an empty string. Templates
//! say words with `t(id, …)` in the page's `lang` (`crate::i18n`), write a
//! stored time with `| when` (a `<time>` element, exact UTC on hover) and a
//! country code with `| country` (its name), and pick a country from
//! `countries()`.

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
    "landing.html",
    "country.html",
    "portal/base.html",
    "portal/forms.html",
    "portal/notice.html",
    "portal/logout_confirm.html",
    "portal/register.html",
    "portal/login.html",
    "portal/email_form.html",
    "portal/new_password.html",
    "portal/profile.html",
    "portal/team.html",
    "portal/sessions.html",
    "portal/continue.html",
    "portal/home.html",
    "portal/consent.html",
    "portal/apps.html",
    "portal/second_step.html",
    "portal/recovery_codes.html",
    "portal/two_step.html",
    "portal/passkeys.html",
    "portal/two_step_reset.html",
    "console/base.html",
    "console/login.html",
    "console/forgot.html",
    "console/home.html",
    "console/confirm.html",
    "console/resume.html",
    "console/apps.html",
    "console/site.html",
    "console/sites.html",
    "console/app.html",
    "console/app_form.html",
    "console/outbox.html",
    "console/outbox_message.html",
    "console/templates.html",
    "console/template_edit.html",
    "console/registrations.html",
    "console/account.html",
    "console/audit.html",
    "console/audit_details.html",
    "console/security.html",
    "console/settings.html",
    "console/staff.html",
    "console/tokens.html",
    "console/customers.html",
    "console/customer.html",
    "console/groups.html",
    "console/import.html",
    "console/import_run.html",
    "console/companies.html",
    "console/company.html",
    "console/company_form.html",
    "console/report.html",
];

/// A serialisable value for a template context.
pub fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

static ENV: LazyLock<Arc<Environment<'static>>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_function("t", translate);
    env.add_filter("when", when);
    env.add_filter("when_text", when_text);
    env.add_filter("country", country_name);
    env.add_function("countries", countries);
    for &(name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "a page template does not compile");
        }
    }
    Arc::new(env)
});

/// `{{ moment | when }}` in a template: a stored time (RFC 3339) as a
/// `<time>` element, written as people of the page's language write it (in
/// UTC; the console's script rewrites it in the reader's own time zone), with
/// the exact time on hover. Nothing (none, undefined) is empty, so that
/// `{{ x | when or "–" }}` works.
fn when(state: &minijinja::State, value: Value) -> Value {
    let Some(raw) = value.as_str() else {
        return Value::from_safe_string(String::new());
    };
    let rfc = time::format_description::well_known::Rfc3339;
    let Some(moment) = moment(raw) else {
        return Value::from(raw);
    };
    let lang = page_lang(state);
    let utc = moment.to_offset(time::UtcOffset::UTC);
    let exact =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    let machine = utc.format(&rfc).unwrap_or_default();
    Value::from_safe_string(format!(
        "<time datetime=\"{machine}\" title=\"{}\">{}</time>",
        utc.format(&exact).unwrap_or_default(),
        crate::i18n::when(lang, utc)
    ))
}

/// `{{ moment | when_text }}`: the same words as [`when`] without the
/// element, for a time inside a sentence.
fn when_text(state: &minijinja::State, value: Value) -> String {
    let Some(raw) = value.as_str() else {
        return String::new();
    };
    match moment(raw) {
        Some(moment) => crate::i18n::when(page_lang(state), moment),
        None => raw.to_string(),
    }
}

/// A stored time (RFC 3339), if that is what `raw` is.
fn moment(raw: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339).ok()
}

fn page_lang(state: &minijinja::State) -> gatehouse_domain::Language {
    state
        .lookup("lang")
        .and_then(|l| l.as_str().and_then(crate::i18n::parse))
        .unwrap_or(gatehouse_domain::Language::En)
}

/// `{{ code | country }}`: a country's name in the page's language; a value
/// that is no code we know (typed before codes were enforced) as it is.
fn country_name(state: &minijinja::State, value: Value) -> String {
    let raw = value.as_str().unwrap_or_default();
    gatehouse_domain::countries::name_of(raw, page_lang(state))
        .map_or_else(|| raw.to_string(), str::to_string)
}

/// `countries()`: every country as `{code, name}` in the page's language,
/// by name, for a picker.
fn countries(state: &minijinja::State) -> Value {
    let lang = page_lang(state);
    let mut all: Vec<(&str, &str)> = gatehouse_domain::countries::COUNTRIES
        .iter()
        .map(|(code, en, de)| match lang {
            gatehouse_domain::Language::En => (*code, *en),
            gatehouse_domain::Language::De => (*code, *de),
        })
        .collect();
    all.sort_by_key(|(_, name)| name.to_lowercase());
    Value::from_iter(
        all.into_iter()
            .map(|(code, name)| minijinja::context! { code, name }),
    )
}

/// `t(id, name=value, …)` in a template: the message in the page's
/// language (the context's `lang`, English without one), with arguments.
fn translate(state: &minijinja::State, id: &str, kwargs: minijinja::value::Kwargs) -> String {
    let lang = state
        .lookup("lang")
        .and_then(|l| l.as_str().and_then(crate::i18n::parse))
        .unwrap_or(gatehouse_domain::Language::En);
    let args: Vec<(&str, String)> = kwargs
        .args()
        .filter_map(|name| {
            let v: Value = kwargs.get(name).ok()?;
            Some((name, v.to_string()))
        })
        .collect();
    crate::i18n::text(lang, id, &args)
}

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

/// The language of a visitor who is neither signed in nor on a site: the
/// language cookie, else the browser's, else English.
pub fn visitor_lang(headers: &axum::http::HeaderMap) -> gatehouse_domain::Language {
    let explicit = crate::cookies::get(headers, crate::cookies::LANGUAGE);
    crate::i18n::choose(explicit.as_deref(), headers, gatehouse_domain::Language::En)
}

/// A page with a heading and a few paragraphs, each by message ID, in `lang`.
pub fn said(
    status: StatusCode,
    lang: gatehouse_domain::Language,
    heading: &str,
    lines: &[String],
) -> Response {
    render(
        status,
        "message.html",
        minijinja::context! {
            lang => lang.as_str(),
            heading => crate::i18n::word(lang, heading),
            lines => Value::from(minijinja::value::Serde(lines)),
        },
    )
}

/// The stylesheet.
pub async fn stylesheet() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../assets/gatehouse.css"),
    )
}

/// The console's one script: conveniences only (the select-all box); every
/// page works without it.
pub async fn console_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/console.js"),
    )
}

/// The portal's passkey script: adding a passkey and signing in with one
/// (the pages work without it; its buttons show only where it runs).
pub async fn passkeys_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/passkeys.js"),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// An address as a QR code an authenticator app scans, as inline SVG ready
/// for a template (our own markup from the encoder: no text of the address
/// is placed in it).
pub(crate) fn qr_svg(address: &str) -> Option<minijinja::Value> {
    let code = qrcode::QrCode::new(address.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(minijinja::Value::from_safe_string(svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_the_page_language_with_the_exact_time_on_hover() {
        let env = &*ENV;
        let render = |lang: &str, source: &str| {
            env.render_str(source, minijinja::context! { lang, at => "2026-11-21T18:47:42.045Z", none => None::<String> })
                .unwrap()
        };
        assert_eq!(
            render("en", "{{ at | when }}"),
            "<time datetime=\"2026-11-21T18:47:42.045Z\" title=\"2026-11-21 18:47:42 UTC\">21 Nov 2026, 18:47 UTC</time>"
        );
        assert!(render("de", "{{ at | when }}").contains(">21.11.2026, 18:47 UTC</time>"));
        assert_eq!(render("en", "{{ none | when or \"–\" }}"), "–");
        assert_eq!(
            render("de", "{{ at | when_text }}"),
            "21.11.2026, 18:47 UTC"
        );
    }

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

    #[test]
    fn templates_say_words_in_the_page_language_with_arguments() {
        let say = |lang: &str| {
            ENV.render_str(
                "{{ t('hint_password', n=12) }} | {{ t('nav_profile') }}",
                minijinja::context! { lang },
            )
            .unwrap()
        };
        assert_eq!(
            say("de"),
            "(mindestens 12 Zeichen; einige ungewöhnliche Wörter eignen sich gut) | Profil"
        );
        assert!(
            say("en").starts_with("(at least 12 characters"),
            "{}",
            say("en")
        );
    }
}
