//! Delivery of the outbox: a background worker claims due messages (a lease,
//! so two nodes never send one message twice), hands each to the transport
//! (mail) or to the app it is for (a back-channel logout notice, which
//! `oidc::backchannel` signs and POSTs),
//! and records the outcome: sent, retried later with exponential back-off on
//! a temporary failure, or failed for good on a permanent one. A failing
//! message never holds up the others.
//!
//! Invariants owned here:
//! - A node that stops gives back what it claimed and did not send; one
//!   that dies leaves its claims to expire with the lease, and another
//!   node sends them then.
//! - A claim outlives the work on it: one send takes at most half the lease
//!   (longer is a temporary failure), and none starts with less than that
//!   left (the rest of the batch is given back), so a slow relay never lets
//!   a second node claim a message its first node is still sending.
//! - Only a message whose success was not recorded can go out twice (the
//!   relay accepted it, then the node died or the send ran out of time
//!   before that was written down); it keeps its Message-ID on every
//!   attempt so that the repeat can be told.

use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use gatehouse_store::OutboxMessage;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{App, AppResult};

pub use crate::error::SendError;

/// Where mail goes.
#[async_trait]
pub trait Transport: Send + Sync + Debug {
    /// Delivers one message.
    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError>;
}

/// Builds the RFC 5322 message: plain text and HTML as alternatives.
pub fn build_message(from: &Mailbox, message: &OutboxMessage) -> Result<Message, SendError> {
    let to: Mailbox = message.mail.recipient.parse().map_err(|e| SendError {
        permanent: true,
        message: format!("the address {} is not valid: {e}", message.mail.recipient),
    })?;
    // The same Message-ID on every attempt: a receiver that got a message
    // whose success we never recorded (a node killed right after the relay
    // said yes) can tell the repeat.
    Message::builder()
        .message_id(Some(format!("<{}@gatehouse>", message.id)))
        .from(from.clone())
        .to(to)
        .subject(message.mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            message.mail.body_text.clone(),
            message.mail.body_html.clone(),
        ))
        .map_err(|e| SendError {
            permanent: true,
            message: format!("the message cannot be built: {e}"),
        })
}

/// The embedded default: each message becomes `<folder>/<id>.eml`.
#[derive(Debug, Clone)]
pub struct FileTransport {
    folder: PathBuf,
    from: Mailbox,
}

impl FileTransport {
    /// Writes into `folder` (created if needed), sending as `from`.
    pub fn new(folder: PathBuf, from: Mailbox) -> FileTransport {
        FileTransport { folder, from }
    }
}

#[async_trait]
impl Transport for FileTransport {
    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let built = build_message(&self.from, message)?;
        let temporary = |e: std::io::Error| SendError {
            permanent: false,
            message: format!("cannot write the mail file: {e}"),
        };
        tokio::fs::create_dir_all(&self.folder)
            .await
            .map_err(temporary)?;
        // Written under a temporary name and renamed: readers never see half a file.
        // One file per delivery: a message sent again gets a file of its own.
        let name = format!("{}-{}", message.id, message.attempts);
        let path = self.folder.join(format!("{name}.eml"));
        let partial = self.folder.join(format!(".{name}.eml.part"));
        tokio::fs::write(&partial, built.formatted())
            .await
            .map_err(temporary)?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(temporary)?;
        Ok(())
    }
}

/// An SMTP relay: `smtp://host:25` (plain, for a local relay),
/// `smtp://user:pass@host:587?tls=required` (STARTTLS), or
/// `smtps://user:pass@host:465` (implicit TLS).
#[derive(Debug, Clone)]
pub struct SmtpTransport {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpTransport {
    /// A transport for the relay a URL names, sending as `from`.
    pub fn from_url(url: &str, from: Mailbox) -> Result<SmtpTransport, String> {
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the SMTP URL cannot be used: {e}"))?
            .timeout(Some(StdDuration::from_secs(30)))
            .build();
        Ok(SmtpTransport { mailer, from })
    }
}

#[async_trait]
impl Transport for SmtpTransport {
    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let built = build_message(&self.from, message)?;
        self.mailer
            .send(built)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                // 5xx: the relay refuses this message for good. Anything else (4xx,
                // no connection, a timeout, TLS trouble) may pass later.
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}

/// How delivery retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with each further one
    /// (each wait between ¾ and 1¼ of that, at random, so that messages
    /// that failed together do not all come back together).
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
    /// Tries before a temporarily failing message is given up.
    pub max_attempts: i64,
    /// How long a claim lasts: a node that dies mid-send frees its messages then.
    pub lease: Duration,
    /// How often the worker looks for mail queued by other nodes and retries.
    pub poll: StdDuration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            // A relay that was down for a moment should not hold every
            // message back by half a minute.
            first_wait: Duration::seconds(3),
            max_wait: Duration::hours(1),
            max_attempts: 10,
            lease: Duration::minutes(2),
            poll: StdDuration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The longest one send may take: half the lease.
    pub fn send_limit(&self) -> Duration {
        self.lease / 2
    }

    /// When to try again after `attempts` tries: the first wait, doubled
    /// with each further try, at most the longest wait.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
        (self.first_wait * 2i32.pow(exponent.min(20))).min(self.max_wait)
    }

    /// The wait after `attempts` tries with its jitter: `unit` (0 to 1)
    /// places it between ¾ and 1¼ of [`RetryPolicy::backoff`].
    pub fn jittered(&self, attempts: i64, unit: f64) -> Duration {
        self.backoff(attempts) * (0.75 + 0.5 * unit.clamp(0.0, 1.0))
    }
}

/// Messages claimed per round.
const BATCH: i64 = 20;

/// Delivers what is due now; answers how many messages it handled.
#[tracing::instrument(name = "app.delivery.deliver_due", level = "debug", skip_all)]
pub async fn deliver_due(
    app: &App,
    transport: &dyn Transport,
    policy: &RetryPolicy,
) -> AppResult<usize> {
    let (_, running) = watch::channel(false);
    deliver_until_stopped(app, transport, policy, &running).await
}

/// [`deliver_due`], stopping between two messages once `stop` turns true:
/// the claims not yet sent are given back at once, so that another node
/// sends them now instead of after the lease.
#[tracing::instrument(name = "app.delivery.deliver_until_stopped", level = "debug", skip_all)]
pub async fn deliver_until_stopped(
    app: &App,
    transport: &dyn Transport,
    policy: &RetryPolicy,
    stop: &watch::Receiver<bool>,
) -> AppResult<usize> {
    let now = app.clock.now();
    let lease_until = now + policy.lease;
    let mut tx = app.store.begin().await?;
    let claimed = tx.claim_mail(now, lease_until, BATCH).await?;
    tx.commit().await?;
    // A send may take at most half the lease, and none starts with less than
    // that left: a claim never runs out while its node still works on it, so
    // no other node can send the same message meanwhile.
    let limit = policy.send_limit();
    for (done, message) in claimed.iter().enumerate() {
        let stopping = *stop.borrow();
        if stopping || app.clock.now() + limit >= lease_until {
            let rest: Vec<_> = claimed[done..].iter().map(|m| m.id).collect();
            let mut tx = app.store.begin().await?;
            let released = tx.release_mail(&rest).await?;
            tx.commit().await?;
            tracing::info!(
                released,
                stopping,
                "gave back the mail claimed but not sent"
            );
            return Ok(done);
        }
        let sending = async {
            match message.mail.template_key.as_str() {
                crate::oidc::backchannel::KIND => {
                    crate::oidc::backchannel::deliver(app, message).await
                }
                _ => transport.send(message).await,
            }
        };
        let outcome = match tokio::time::timeout(limit.unsigned_abs(), sending).await {
            Ok(outcome) => outcome,
            Err(_) => Err(SendError {
                permanent: false,
                message: format!(
                    "no answer within {} s (half the claim's lease)",
                    limit.whole_seconds()
                ),
            }),
        };
        let now = app.clock.now();
        let mut tx = app.store.begin().await?;
        match outcome {
            Ok(()) => tx.mark_mail_sent(message.id, now).await?,
            Err(e) => {
                let retry = (!e.permanent && message.attempts < policy.max_attempts)
                    .then(|| now + policy.jittered(message.attempts, rand::random::<f64>()));
                tracing::warn!(id = %message.id, permanent = e.permanent, error = %e.message, "mail not delivered");
                tx.mark_mail_failed(message.id, &e.message, retry).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(claimed.len())
}

/// Runs delivery until `stop` turns true: at once when mail is queued on this
/// node, and every few seconds for mail from other nodes and retries.
pub fn spawn_worker(
    app: App,
    transport: Arc<dyn Transport>,
    policy: RetryPolicy,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_until_stopped(&app, transport.as_ref(), &policy, &stop).await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail delivery round failed"),
            }
            tokio::select! {
                _ = app.mail_notify.notified() => {}
                _ = tokio::time::sleep(policy.poll) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_within_seconds_and_doubles_up_to_an_hour() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::seconds(3));
        assert_eq!(p.backoff(2), Duration::seconds(6));
        assert_eq!(p.backoff(4), Duration::seconds(24));
        assert_eq!(p.backoff(50), Duration::seconds(3600));
    }

    #[test]
    fn the_jitter_spreads_a_wait_between_three_quarters_and_five_quarters() {
        let p = RetryPolicy::default();
        assert_eq!(p.jittered(3, 0.0), Duration::seconds(9));
        assert_eq!(p.jittered(3, 0.5), Duration::seconds(12));
        assert_eq!(p.jittered(3, 1.0), Duration::seconds(15));
        assert_eq!(
            p.jittered(3, 7.0),
            Duration::seconds(15),
            "out of range is clamped"
        );
    }

    #[test]
    fn smtp_urls_name_plain_starttls_and_tls_relays() {
        let from: Mailbox = "Portal <no-reply@example.com>".parse().unwrap();
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://u:p@mail.example.com:587?tls=required",
            "smtps://u:p@mail.example.com",
        ] {
            assert!(SmtpTransport::from_url(url, from.clone()).is_ok(), "{url}");
        }
        assert!(SmtpTransport::from_url("http://mail.example.com", from).is_err());
    }
}
