//! E-mail rendering and queueing. Every message is rendered from a template
//! (an admin's override for the site and language, else the shipped default in
//! `mail/{en,de}.toml`) and written to the outbox in the caller's transaction,
//! so a mail exists exactly when the change that causes it committed.
//!
//! Rendering is sandboxed: strict undefined variables, a fuel limit, HTML
//! escaping in the HTML part, and only the variables of [`MailVars`] in reach.
//! No message ever contains a password.

use std::collections::HashMap;
use std::sync::LazyLock;

use gatehouse_domain::Language;
use gatehouse_store::{EmailTemplate, NewMail, Site, Tx};
use minijinja::{Environment, UndefinedBehavior, context};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{AppError, AppResult};

/// The messages Gatehouse sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailKey {
    /// Confirm the address of a new registration.
    Activation,
    /// Someone registered with an address that has an account.
    RegistrationNotice,
    /// Staff approved the registration.
    Approved,
    /// Staff disapproved the registration.
    Declined,
    /// Staff created an account: choose a password.
    Welcome,
    /// Forgotten password: choose a new one.
    PasswordReset,
    /// The password was changed.
    PasswordChanged,
    /// The account locked after failed attempts.
    AccountLocked,
    /// Two-step sign-in was turned off (by the customer, or by staff for a
    /// lost phone).
    TwoStepOff,
    /// Staff removed one of the customer's passkeys (a lost device).
    PasskeyRemoved,
    /// A link that turns two-step sign-in off (the phone and the recovery
    /// codes are lost).
    TwoStepReset,
}

impl MailKey {
    /// Every key.
    pub const ALL: [MailKey; 11] = [
        MailKey::Activation,
        MailKey::RegistrationNotice,
        MailKey::Approved,
        MailKey::Declined,
        MailKey::Welcome,
        MailKey::PasswordReset,
        MailKey::PasswordChanged,
        MailKey::AccountLocked,
        MailKey::TwoStepOff,
        MailKey::PasskeyRemoved,
        MailKey::TwoStepReset,
    ];

    /// Parses the key printed by [`MailKey::as_str`].
    pub fn parse(raw: &str) -> Option<MailKey> {
        MailKey::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The key as stored and used in template files.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKey::Activation => "activation",
            MailKey::RegistrationNotice => "registration_notice",
            MailKey::Approved => "approved",
            MailKey::Declined => "declined",
            MailKey::Welcome => "welcome",
            MailKey::PasswordReset => "password_reset",
            MailKey::PasswordChanged => "password_changed",
            MailKey::AccountLocked => "account_locked",
            MailKey::TwoStepOff => "two_step_off",
            MailKey::PasskeyRemoved => "passkey_removed",
            MailKey::TwoStepReset => "two_step_reset",
        }
    }
}

/// What a template may use.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MailVars {
    /// The recipient's first name, if known.
    pub first_name: Option<String>,
    /// The link the message is about.
    pub link: Option<String>,
    /// How many hours the link works.
    pub link_hours: Option<u64>,
    /// The recipient's login ID.
    pub login_id: Option<String>,
}

/// The three templates of one message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Parts {
    /// Subject (one line once rendered).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body (placed inside the shipped layout).
    pub html: String,
}

/// The shipped default of a message in a language.
pub fn default_parts(key: MailKey, lang: Language) -> AppResult<Parts> {
    let defaults = DEFAULTS
        .as_ref()
        .map_err(|e| AppError::Internal(format!("default mail templates: {e}")))?;
    defaults
        .messages
        .get(&(lang, key.as_str().to_string()))
        .cloned()
        .ok_or_else(|| {
            AppError::Internal(format!(
                "no default template {} {}",
                key.as_str(),
                lang.as_str()
            ))
        })
}

/// Example values for previews and for checking an admin's template.
pub fn sample_vars(link: String) -> MailVars {
    MailVars {
        first_name: Some("Ada".into()),
        link: Some(link),
        link_hours: Some(24),
        login_id: Some("ada@example.com".into()),
    }
}

#[derive(Debug, Deserialize)]
struct Layout {
    footer_text: String,
}

#[derive(Debug)]
struct Defaults {
    messages: HashMap<(Language, String), Parts>,
    footers: HashMap<Language, String>,
}

fn parse_defaults(lang: Language, source: &str, into: &mut Defaults) -> Result<(), String> {
    let mut table: toml::Table =
        toml::from_str(source).map_err(|e| format!("{}: {e}", lang.as_str()))?;
    let layout: Layout = table
        .remove("layout")
        .ok_or_else(|| format!("{}: no [layout]", lang.as_str()))?
        .try_into()
        .map_err(|e| format!("{} layout: {e}", lang.as_str()))?;
    into.footers.insert(lang, layout.footer_text);
    for (key, value) in table {
        let parts: Parts = value
            .try_into()
            .map_err(|e| format!("{} {key}: {e}", lang.as_str()))?;
        into.messages.insert((lang, key), parts);
    }
    Ok(())
}

static DEFAULTS: LazyLock<Result<Defaults, String>> = LazyLock::new(|| {
    let mut defaults = Defaults {
        messages: HashMap::new(),
        footers: HashMap::new(),
    };
    parse_defaults(Language::En, include_str!("../mail/en.toml"), &mut defaults)?;
    parse_defaults(Language::De, include_str!("../mail/de.toml"), &mut defaults)?;
    Ok(defaults)
});

/// Most template instructions one message may take: a loop in an admin's
/// template cannot stall the server.
const FUEL: u64 = 20_000;

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// Plain-text part, footer included.
    pub text: String,
    /// HTML part, footer included.
    pub html: String,
}

/// Renders one message for a site in a language, from `custom` if given.
pub fn render(
    site: &Site,
    key: MailKey,
    lang: Language,
    vars: &MailVars,
    custom: Option<&EmailTemplate>,
) -> AppResult<Rendered> {
    let defaults = DEFAULTS
        .as_ref()
        .map_err(|e| AppError::Internal(format!("default mail templates: {e}")))?;
    let default = defaults
        .messages
        .get(&(lang, key.as_str().to_string()))
        .ok_or_else(|| {
            AppError::Internal(format!(
                "no default template {} {}",
                key.as_str(),
                lang.as_str()
            ))
        })?;
    let (subject, text, html) = match custom {
        Some(t) => (
            t.subject.as_str(),
            t.body_text.as_str(),
            t.body_html.as_str(),
        ),
        None => (
            default.subject.as_str(),
            default.text.as_str(),
            default.html.as_str(),
        ),
    };
    let footer = defaults.footers.get(&lang).map_or("", String::as_str);
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    let bad = |part: &str, e: minijinja::Error| {
        let reason = e
            .detail()
            .map_or_else(|| e.kind().to_string(), str::to_string);
        let at = e
            .line()
            .map(|l| format!(" at line {l}"))
            .unwrap_or_default();
        AppError::invalid(
            part,
            format!("the {part} template does not render{at}: {reason}"),
        )
    };
    env.add_template_owned("subject.txt", subject.to_string())
        .map_err(|e| bad("subject", e))?;
    env.add_template_owned("body.txt", text.to_string())
        .map_err(|e| bad("text", e))?;
    env.add_template_owned("body.html", html.to_string())
        .map_err(|e| bad("html", e))?;
    env.add_template_owned("footer.txt", footer.to_string())
        .map_err(|e| bad("footer", e))?;
    env.add_template_owned("footer.html", footer.to_string())
        .map_err(|e| bad("footer", e))?;
    let settings = &site.settings;
    let ctx = context! {
        site_name => settings.brand_name.clone().unwrap_or_else(|| site.name.clone()),
        support_email => settings.support_email.clone(),
        first_name => vars.first_name.clone().filter(|n| !n.trim().is_empty()),
        link => vars.link.clone(),
        link_hours => vars.link_hours,
        login_id => vars.login_id.clone(),
    };
    let go = |name: &str, part: &str| -> AppResult<String> {
        env.get_template(name)
            .and_then(|t| t.render(ctx.clone()))
            .map_err(|e| bad(part, e))
    };
    let subject = go("subject.txt", "subject")?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let body_text = go("body.txt", "text")?;
    let body_html = go("body.html", "html")?;
    let footer_text = go("footer.txt", "footer")?;
    let footer_html = go("footer.html", "footer")?;
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family:system-ui,sans-serif;color:#1b1b1b;max-width:36rem\">\n{body}\n\
         <hr><p style=\"color:#666;font-size:12px\">{footer}</p>\n</body></html>\n",
        lang = lang.as_str(),
        title = escape_html(&subject),
        body = body_html.trim(),
        footer = footer_html.trim(),
    );
    Ok(Rendered {
        subject,
        text: format!("{}\n\n-- \n{}\n", body_text.trim(), footer_text.trim()),
        html,
    })
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders a message (with the site's override, if any) and queues it in the
/// caller's transaction (the store wakes the delivery worker once it is
/// committed).
#[tracing::instrument(name = "app.mail.queue", level = "debug", skip_all)]
pub async fn queue(
    tx: &mut dyn Tx,
    site: &Site,
    recipient: &str,
    lang: Language,
    key: MailKey,
    vars: &MailVars,
    now: OffsetDateTime,
) -> AppResult<()> {
    let custom = tx.template(site.id, key.as_str(), lang.as_str()).await?;
    let rendered = render(site, key, lang, vars, custom.as_ref())?;
    let mail = NewMail {
        site_id: Some(site.id),
        recipient: recipient.to_string(),
        template_key: key.as_str().to_string(),
        language: lang.as_str().to_string(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
    };
    tx.enqueue_mail(Uuid::now_v7(), &mail, now).await?;
    Ok(())
}

/// The language for a recipient: their own if they chose one we speak, else
/// the site's.
pub fn language_for(preferred: Option<&str>, site: &Site) -> Language {
    match preferred {
        Some("de") => Language::De,
        Some("en") => Language::En,
        _ => site.settings.default_language,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_domain::SiteSettings;

    fn site() -> Site {
        Site {
            id: Uuid::now_v7(),
            key: "main".into(),
            name: "ACME Portal".into(),
            settings: SiteSettings {
                support_email: Some("help@acme.example".into()),
                ..SiteSettings::default()
            },
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn vars() -> MailVars {
        MailVars {
            first_name: Some("<Ada>".into()),
            link: Some("https://portal.example/s/main/activate?token=abc".into()),
            link_hours: Some(24),
            login_id: Some("ada@example.com".into()),
        }
    }

    #[test]
    fn every_default_renders_in_both_languages_with_the_no_reply_footer() {
        for lang in [Language::En, Language::De] {
            for key in MailKey::ALL {
                let r = render(&site(), key, lang, &vars(), None).unwrap();
                assert!(
                    !r.subject.contains('\n') && !r.subject.is_empty(),
                    "{key:?} {lang:?}"
                );
                assert!(
                    r.text.contains("help@acme.example"),
                    "{key:?} {lang:?} names the support address"
                );
                assert!(r.html.contains("help@acme.example"));
                assert!(r.text.contains("ACME Portal") || r.subject.contains("ACME Portal"));
                // HTML escapes what a customer typed; text keeps it as is.
                assert!(!r.html.contains("<Ada>"), "{key:?} {lang:?}: {}", r.html);
            }
        }
        let de = render(&site(), MailKey::Activation, Language::De, &vars(), None).unwrap();
        assert!(de.text.contains("keine Antworten"), "{}", de.text);
        assert!(
            de.text
                .contains("https://portal.example/s/main/activate?token=abc")
        );
    }

    #[test]
    fn a_custom_template_is_used_and_a_broken_one_refused() {
        let mut custom = EmailTemplate {
            site_id: Uuid::now_v7(),
            key: "activation".into(),
            language: "en".into(),
            subject: "Hi {{ first_name }}".into(),
            body_text: "Go: {{ link }}".into(),
            body_html: "<a href=\"{{ link }}\">go</a>".into(),
            updated_at: 0,
        };
        let r = render(
            &site(),
            MailKey::Activation,
            Language::En,
            &vars(),
            Some(&custom),
        )
        .unwrap();
        assert_eq!(r.subject, "Hi <Ada>");
        assert!(r.text.starts_with("Go: https://portal.example"));
        custom.body_text = "{{ password }}".into();
        let err = render(
            &site(),
            MailKey::Activation,
            Language::En,
            &vars(),
            Some(&custom),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("text template does not render"),
            "{err}"
        );
        custom.body_text = "{% for i in range(100000) %}{{ i }}{% endfor %}".into();
        assert!(
            render(
                &site(),
                MailKey::Activation,
                Language::En,
                &vars(),
                Some(&custom)
            )
            .is_err(),
            "fuel runs out"
        );
    }
}
