//! E-mail templates as admins edit them: per site, message and language, an
//! override of the shipped default. An override is checked on save by
//! rendering it with sample data; one that does not render is refused with
//! the part, line and reason, and nothing is stored.

use gatehouse_domain::{Language, Permission};
use gatehouse_store::{EmailTemplate, Site};
use serde::Serialize;
use serde_json::json;

use crate::mail::{self, MailKey, Parts, Rendered};
use crate::sites;
use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit};

/// A template as the editor shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    /// Message key.
    pub key: String,
    /// Language.
    pub language: String,
    /// The parts in force.
    #[serde(flatten)]
    pub parts: Parts,
    /// An admin's override (else the shipped default).
    pub custom: bool,
}

/// Largest template part accepted.
const MAX_PART_BYTES: usize = 64 * 1024;

fn parse_key_lang(key: &str, lang: &str) -> AppResult<(MailKey, Language)> {
    let key = MailKey::parse(key).ok_or_else(|| AppError::NotFound(format!("message '{key}'")))?;
    let lang = match lang {
        "en" => Language::En,
        "de" => Language::De,
        other => return Err(AppError::NotFound(format!("language '{other}'"))),
    };
    Ok((key, lang))
}

async fn site_for(app: &App, caller: &StaffCaller, site_key: &str) -> AppResult<Site> {
    caller.require(Permission::ManageTemplates)?;
    let mut tx = app.store.read().await?;
    sites::load(tx.as_mut(), site_key).await
}

/// Every message in both languages for a site, marking the overridden ones.
#[tracing::instrument(name = "app.templates.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &StaffCaller, site_key: &str) -> AppResult<Vec<TemplateView>> {
    let site = site_for(app, caller, site_key).await?;
    let mut tx = app.store.read().await?;
    let custom = tx.list_templates(site.id).await?;
    let mut out = Vec::new();
    for key in MailKey::ALL {
        for lang in [Language::En, Language::De] {
            let own = custom
                .iter()
                .find(|t| t.key == key.as_str() && t.language == lang.as_str());
            out.push(view(key, lang, own)?);
        }
    }
    Ok(out)
}

fn view(key: MailKey, lang: Language, own: Option<&EmailTemplate>) -> AppResult<TemplateView> {
    let parts = match own {
        Some(t) => Parts {
            subject: t.subject.clone(),
            text: t.body_text.clone(),
            html: t.body_html.clone(),
        },
        None => mail::default_parts(key, lang)?,
    };
    Ok(TemplateView {
        key: key.as_str().into(),
        language: lang.as_str().into(),
        parts,
        custom: own.is_some(),
    })
}

/// One template in force.
#[tracing::instrument(name = "app.templates.get", level = "debug", skip_all)]
pub async fn get(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    key: &str,
    lang: &str,
) -> AppResult<TemplateView> {
    let site = site_for(app, caller, site_key).await?;
    let (key, lang) = parse_key_lang(key, lang)?;
    let mut tx = app.store.read().await?;
    let own = tx.template(site.id, key.as_str(), lang.as_str()).await?;
    view(key, lang, own.as_ref())
}

fn as_template(
    site: &Site,
    key: MailKey,
    lang: Language,
    parts: &Parts,
    updated_at: i64,
) -> EmailTemplate {
    EmailTemplate {
        site_id: site.id,
        key: key.as_str().into(),
        language: lang.as_str().into(),
        subject: parts.subject.clone(),
        body_text: parts.text.clone(),
        body_html: parts.html.clone(),
        updated_at,
    }
}

fn check_sizes(parts: &Parts) -> AppResult<()> {
    for (name, part) in [
        ("subject", &parts.subject),
        ("text", &parts.text),
        ("html", &parts.html),
    ] {
        if part.len() > MAX_PART_BYTES {
            return Err(AppError::invalid(
                name,
                format!(
                    "the {name} template is longer than {} KiB",
                    MAX_PART_BYTES / 1024
                ),
            ));
        }
    }
    if parts.subject.trim().is_empty() {
        return Err(AppError::invalid(
            "subject",
            "the subject must not be empty",
        ));
    }
    Ok(())
}

/// Renders parts with sample data, as a customer would receive them.
#[tracing::instrument(name = "app.templates.preview", level = "debug", skip_all)]
pub async fn preview(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    key: &str,
    lang: &str,
    parts: &Parts,
) -> AppResult<Rendered> {
    let site = site_for(app, caller, site_key).await?;
    let (key, lang) = parse_key_lang(key, lang)?;
    check_sizes(parts)?;
    let link = app.links.site_page(&site, "activate?token=sample-token");
    mail::render(
        &site,
        key,
        lang,
        &mail::sample_vars(link),
        Some(&as_template(&site, key, lang, parts, 0)),
    )
}

/// Saves an override after checking that it renders.
#[tracing::instrument(name = "app.templates.save", level = "debug", skip_all)]
pub async fn save(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    key: &str,
    lang: &str,
    parts: &Parts,
) -> AppResult<TemplateView> {
    preview(app, caller, site_key, key, lang, parts).await?;
    let site = site_for(app, caller, site_key).await?;
    let (key, lang) = parse_key_lang(key, lang)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let template = as_template(&site, key, lang, parts, gatehouse_store::model::to_ms(now));
    tx.upsert_template(&template).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "template.save",
        None,
        Some(site.id),
        json!({"key": key.as_str(), "language": lang.as_str()}),
    ))
    .await?;
    tx.commit().await?;
    view(key, lang, Some(&template))
}

/// Removes an override: the shipped default applies again.
#[tracing::instrument(name = "app.templates.reset", level = "debug", skip_all)]
pub async fn reset(
    app: &App,
    caller: &StaffCaller,
    site_key: &str,
    key: &str,
    lang: &str,
) -> AppResult<TemplateView> {
    let site = site_for(app, caller, site_key).await?;
    let (key, lang) = parse_key_lang(key, lang)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    if tx
        .delete_template(site.id, key.as_str(), lang.as_str())
        .await?
    {
        tx.append_audit(&audit::event(
            now,
            &caller.actor(),
            "template.reset",
            None,
            Some(site.id),
            json!({"key": key.as_str(), "language": lang.as_str()}),
        ))
        .await?;
    }
    tx.commit().await?;
    view(key, lang, None)
}
