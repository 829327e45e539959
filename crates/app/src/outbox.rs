//! The outbox as staff see it: what mail went out, what waits, what failed
//! and why; and sending a failed message again.

use gatehouse_domain::Permission;
use gatehouse_store::OutboxMessage;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit};

/// One message as listed (without its bodies).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxItem {
    /// Identity.
    pub id: Uuid,
    /// Recipient.
    pub recipient: String,
    /// Template key.
    pub template_key: String,
    /// Language.
    pub language: String,
    /// Subject.
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// Not tried again before this.
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    /// Queued at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Delivered at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

impl From<OutboxMessage> for OutboxItem {
    fn from(m: OutboxMessage) -> OutboxItem {
        OutboxItem {
            id: m.id,
            recipient: m.mail.recipient,
            template_key: m.mail.template_key,
            language: m.mail.language,
            subject: m.mail.subject,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            next_attempt_at: m.next_attempt_at,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// The statuses a message can have.
pub const STATUSES: [&str; 3] = ["pending", "sent", "failed"];

/// The newest messages, of one status when given.
#[tracing::instrument(name = "app.outbox.list", level = "debug", skip_all)]
pub async fn list(
    app: &App,
    caller: &StaffCaller,
    status: Option<&str>,
    limit: i64,
) -> AppResult<Vec<OutboxItem>> {
    caller.require(Permission::ViewOutbox)?;
    if let Some(s) = status
        && !STATUSES.contains(&s)
    {
        return Err(AppError::invalid(
            "status",
            format!("'{s}' is not a status; use pending, sent or failed"),
        ));
    }
    let mut tx = app.store.read().await?;
    let items = tx.list_outbox(status, limit.clamp(1, 1000)).await?;
    Ok(items.into_iter().map(OutboxItem::from).collect())
}

/// One message as staff open it: its listing and its bodies.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxMessageView {
    /// What the list shows.
    #[serde(flatten)]
    pub item: OutboxItem,
    /// The plain-text part (a back-channel logout notice: its IDs).
    pub body_text: String,
    /// The HTML part.
    pub body_html: String,
}

/// One message with its bodies.
#[tracing::instrument(name = "app.outbox.get", level = "debug", skip_all)]
pub async fn get(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<OutboxMessageView> {
    caller.require(Permission::ViewOutbox)?;
    let mut tx = app.store.read().await?;
    let message = tx
        .outbox_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("message".into()))?;
    let (body_text, body_html) = (
        message.mail.body_text.clone(),
        message.mail.body_html.clone(),
    );
    Ok(OutboxMessageView {
        item: message.into(),
        body_text,
        body_html,
    })
}

/// Sends a failed (or waiting) message again at once.
#[tracing::instrument(name = "app.outbox.retry", level = "debug", skip_all)]
pub async fn retry(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<OutboxItem> {
    caller.require(Permission::RetryMail)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let message = tx
        .outbox_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("message".into()))?;
    if !tx.retry_mail(id, now).await? {
        return Err(AppError::Conflict(
            "this message was delivered already".into(),
        ));
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "outbox.retry",
        Some(("outbox", id)),
        message.mail.site_id,
        json!({"recipient": message.mail.recipient}),
    ))
    .await?;
    let again = tx
        .outbox_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("message".into()))?;
    tx.commit().await?;
    Ok(again.into())
}
