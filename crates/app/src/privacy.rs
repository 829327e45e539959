//! Personal data: everything Gatehouse holds about one customer as one JSON
//! document (for staff, and for the customers themselves), erasure, and the
//! retention purge of deleted accounts.
//!
//! Invariants owned here:
//! - [`gather`] is the one description of what "everything about a
//!   customer" is; the staff and the portal exports both use it.
//! - Erasure and the purge remove the person with [`gatehouse_store::Privacy::erase_person`] and
//!   append one audit tombstone that names no personal data (IDs, counts,
//!   the reason staff gave), in the same transaction; then the store drops
//!   its remaining copies (planner samples, SQLite's log:
//!   `Store::forget_erased`).
//! - The purge runs on one node at a time (a lease in the database) and
//!   erases only accounts deleted longer ago than their site's
//!   `deleted_retention_days`.

use gatehouse_domain::Permission;
use gatehouse_store::{Account, Actor, Customer, Erased, Erasure, Tx};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::portal::sessions::Current;
use crate::staff_auth::StaffCaller;
use crate::transfer::time_cell;
use crate::{App, AppError, AppResult, audit};

/// Audit events and mails included at most (the newest).
const MOST: i64 = 1000;

/// Everything held about a customer (or, for an account without one, about
/// the account): profile, accounts with their sessions and app consents,
/// audit events about them, and the mail sent to them.
async fn gather(
    app: &App,
    tx: &mut dyn Tx,
    customer: Option<&Customer>,
    accounts: &[Account],
    reader: Reader,
) -> AppResult<Value> {
    let now = app.clock.now();
    let sites = tx.list_sites().await?;
    let site_key = |id: Uuid| {
        sites
            .iter()
            .find(|s| s.id == id)
            .map_or_else(String::new, |s| s.key.clone())
    };
    let mut account_docs = Vec::new();
    let mut audit_events = Vec::new();
    let mut addresses: Vec<String> = customer
        .and_then(|c| c.fields.email.clone())
        .into_iter()
        .collect();
    if let Some(c) = customer {
        audit_events.extend(tx.audit_of(c.id, MOST).await?);
    }
    for a in accounts {
        let sessions: Vec<Value> = tx
            .list_account_sessions(a.id)
            .await?
            .iter()
            .map(|s| {
                json!({
                    "signed_in_at": time_cell(Some(s.created_at)),
                    "last_seen_at": time_cell(Some(s.last_seen_at)),
                    "ip": s.ip, "user_agent": s.user_agent,
                })
            })
            .collect();
        let mut consents = Vec::new();
        for consent in tx.account_consents(a.id).await? {
            let client = tx.client_by_id(consent.client_id).await?;
            consents.push(json!({
                "app": client.map(|c| c.name),
                "scopes": consent.scopes,
                "granted_at": time_cell(Some(consent.granted_at)),
            }));
        }
        audit_events.extend(tx.audit_of(a.id, MOST).await?);
        addresses.push(a.email.clone());
        let mut view = serde_json::to_value(crate::accounts::view_of(a, &site_key(a.site_id), now))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if let Some(object) = view.as_object_mut() {
            object.insert("sessions".into(), Value::Array(sessions));
            object.insert("app_consents".into(), Value::Array(consents));
            object.insert(
                "has_password".into(),
                Value::Bool(a.password_hash.is_some()),
            );
        }
        account_docs.push(view);
    }
    addresses.sort_by_key(|a| a.to_lowercase());
    addresses.dedup_by_key(|a| a.to_lowercase());
    audit_events.sort_by_key(|e| std::cmp::Reverse(e.at));
    audit_events.dedup_by_key(|e| e.id);
    if reader == Reader::Themselves {
        // The events are about them; who among the staff acted, and from
        // where, is the business's.
        for event in &mut audit_events {
            if event.actor.kind != "customer" {
                event.actor.id = None;
                event.actor.label = event.actor.kind.clone();
                event.ip = None;
            }
        }
    }
    let mails: Vec<Value> = tx
        .outbox_to(&addresses, MOST)
        .await?
        .iter()
        .map(|m| {
            json!({
                "to": m.mail.recipient, "subject": m.mail.subject, "status": m.status,
                "queued_at": time_cell(Some(m.created_at)), "sent_at": time_cell(m.sent_at),
                "text": m.mail.body_text,
            })
        })
        .collect();
    Ok(json!({
        "exported_at": time_cell(Some(now)),
        "customer": customer.cloned().map(crate::wire::Customer::from),
        "accounts": account_docs,
        "audit_events": audit_events.into_iter().map(crate::wire::AuditEvent::from).collect::<Vec<_>>(),
        "mails": mails,
    }))
}

/// Who reads the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// Staff: everything as stored.
    Staff,
    /// The customer: staff actors in the audit events named only by kind.
    Themselves,
}

/// Everything held about a customer, for staff (audited: who took a copy).
#[tracing::instrument(name = "app.privacy.customer_data", level = "debug", skip_all)]
pub async fn customer_data(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<Value> {
    caller.require(Permission::ViewCustomers)?;
    let mut tx = app.store.read().await?;
    let (customer, accounts) = crate::customers::with_accounts(tx.as_mut(), id).await?;
    let document = gather(app, tx.as_mut(), Some(&customer), &accounts, Reader::Staff).await?;
    drop(tx);
    // A copy of everything about a person left the desk: on the record.
    let mut tx = app.store.begin().await?;
    tx.append_audit(&audit::event(
        app.clock.now(),
        &caller.actor(),
        "customer.personal_data_export",
        Some(("customer", id)),
        None,
        json!({"accounts": accounts.len()}),
    ))
    .await?;
    tx.commit().await?;
    Ok(document)
}

/// Everything held about the signed-in customer: their customer record and
/// all its accounts, or the account alone while it has none.
#[tracing::instrument(name = "app.privacy.own_data", level = "debug", skip_all)]
pub async fn own_data(app: &App, current: &Current) -> AppResult<Value> {
    let mut tx = app.store.read().await?;
    let account = tx
        .account_by_id(current.account.id)
        .await?
        .ok_or_else(|| AppError::NotFound("account".into()))?;
    let customer = match account.customer_id {
        Some(id) => tx.customer_by_id(id).await?,
        None => None,
    };
    let accounts = match &customer {
        Some(c) => tx.accounts_of_customer(c.id).await?,
        None => vec![account],
    };
    gather(
        app,
        tx.as_mut(),
        customer.as_ref(),
        &accounts,
        Reader::Themselves,
    )
    .await
}

/// What an erasure removed.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ErasureReport {
    /// Accounts removed.
    pub accounts: u64,
    /// Mails removed from the outbox.
    pub mails: u64,
    /// Audit events whose details were emptied.
    pub audit_events: u64,
}

impl From<Erased> for ErasureReport {
    fn from(e: Erased) -> ErasureReport {
        ErasureReport {
            accounts: e.accounts,
            mails: e.mails,
            audit_events: e.audit_events,
        }
    }
}

/// Erases a customer for good: the record, every account (sessions, app
/// sign-ins and consents with them), the mail to their addresses, and the
/// personal data in audit events; leaves one audit event saying that it
/// happened and why, naming no personal data.
#[tracing::instrument(name = "app.privacy.erase", level = "debug", skip_all)]
pub async fn erase(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    reason: &str,
) -> AppResult<ErasureReport> {
    caller.require(Permission::ErasePersonalData)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            "give the reason for the erasure (up to 500 characters, without personal data: it is kept)",
        ));
    }
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (customer, accounts) = crate::customers::with_accounts(tx.as_mut(), id).await?;
    let erased = tx
        .erase_person(&erasure_of(Some(&customer), &accounts))
        .await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "customer.erase",
        Some(("customer", id)),
        None,
        json!({"reason": reason, "accounts": erased.accounts, "mails": erased.mails, "audit_events": erased.audit_events}),
    ))
    .await?;
    tx.commit().await?;
    app.store.forget_erased().await?;
    Ok(erased.into())
}

/// What goes when a customer (or an account alone) is erased.
fn erasure_of(customer: Option<&Customer>, accounts: &[Account]) -> Erasure {
    let mut addresses: Vec<String> = accounts.iter().map(|a| a.email.clone()).collect();
    addresses.extend(customer.and_then(|c| c.fields.email.clone()));
    addresses.sort_by_key(|a| a.to_lowercase());
    addresses.dedup_by_key(|a| a.to_lowercase());
    Erasure {
        customer_ids: customer.map(|c| c.id).into_iter().collect(),
        account_ids: accounts.iter().map(|a| a.id).collect(),
        addresses,
    }
}

/// An account the purge erased (or, in a dry run, would erase).
#[derive(Debug, Clone, Serialize)]
pub struct Purged {
    /// The site's key.
    pub site: String,
    /// The account.
    pub account_id: Uuid,
    /// When it was deleted.
    pub deleted_at: String,
}

/// The name of the purge's lease.
const PURGE_JOB: &str = "retention-purge";
/// Accounts erased per transaction.
const PURGE_BATCH: i64 = 200;

/// Erases the accounts deleted longer ago than their site's
/// `deleted_retention_days`: the account, its sessions, links, app grants
/// and the mail to its address, and its customer record when it has no
/// other account (a customer with another account stays). Each is audited.
/// With `dry_run`, only lists them.
#[tracing::instrument(name = "app.privacy.purge", level = "debug", skip_all)]
pub async fn purge(app: &App, actor: &Actor, dry_run: bool) -> AppResult<Vec<Purged>> {
    purge_until(app, actor, dry_run, &|| false).await
}

/// [`purge`], asking `stopping` before each batch: once it says yes, the
/// purge ends after the batch it is in (each batch is one transaction, so
/// what it leaves is whole), and a server's stop does not wait for the
/// rest.
#[tracing::instrument(name = "app.privacy.purge_until", level = "debug", skip_all)]
pub async fn purge_until(
    app: &App,
    actor: &Actor,
    dry_run: bool,
    stopping: &(dyn Fn() -> bool + Sync),
) -> AppResult<Vec<Purged>> {
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let sites = tx.list_sites().await?;
    drop(tx);
    let mut out = Vec::new();
    for site in sites {
        let days = i64::from(site.settings.deleted_retention_days);
        let before = now - time::Duration::days(days);
        // A dry run lists them all at once; a purge takes a batch a
        // transaction, the next batch being what is left.
        let batch = if dry_run { 100_000 } else { PURGE_BATCH };
        loop {
            if stopping() {
                break;
            }
            let mut tx = app.store.begin().await?;
            let due = tx.deleted_accounts_before(site.id, before, batch).await?;
            if due.is_empty() {
                break;
            }
            let due_ids: std::collections::HashSet<Uuid> = due.iter().map(|a| a.id).collect();
            // The whole batch is erased at once (one pass over the audit
            // trail); each account is audited on its own.
            let mut erasure = Erasure::default();
            let mut audited = Vec::with_capacity(due.len());
            for account in &due {
                out.push(Purged {
                    site: site.key.clone(),
                    account_id: account.id,
                    deleted_at: time_cell(account.deleted_at),
                });
                if dry_run {
                    continue;
                }
                // The customer goes too when all their accounts go now;
                // otherwise only this account's traces go, and its address
                // only if no remaining account of theirs uses it.
                let (customer, others): (_, Vec<Account>) = match account.customer_id {
                    Some(id) => (
                        tx.customer_by_id(id).await?,
                        tx.accounts_of_customer(id)
                            .await?
                            .into_iter()
                            .filter(|a| !due_ids.contains(&a.id))
                            .collect(),
                    ),
                    None => (None, Vec::new()),
                };
                let mine = if others.is_empty() {
                    erasure_of(customer.as_ref(), std::slice::from_ref(account))
                } else {
                    Erasure {
                        customer_ids: Vec::new(),
                        account_ids: vec![account.id],
                        addresses: if others
                            .iter()
                            .any(|a| a.email.eq_ignore_ascii_case(&account.email))
                        {
                            Vec::new()
                        } else {
                            vec![account.email.clone()]
                        },
                    }
                };
                audited.push((account, !mine.customer_ids.is_empty()));
                erasure.account_ids.extend(mine.account_ids);
                for id in mine.customer_ids {
                    if !erasure.customer_ids.contains(&id) {
                        erasure.customer_ids.push(id);
                    }
                }
                erasure.addresses.extend(mine.addresses);
            }
            if !dry_run {
                tx.erase_person(&erasure).await?;
                for (account, customer_erased) in audited {
                    tx.append_audit(&audit::event(
                        now,
                        actor,
                        "account.purge",
                        Some(("account", account.id)),
                        Some(site.id),
                        json!({
                            "retention_days": days, "deleted_at": time_cell(account.deleted_at),
                            "customer_erased": customer_erased,
                        }),
                    ))
                    .await?;
                }
            }
            if dry_run {
                break;
            }
            tx.commit().await?;
            if (due.len() as i64) < batch {
                break;
            }
        }
    }
    if !dry_run && !out.is_empty() {
        app.store.forget_erased().await?;
    }
    Ok(out)
}

/// The purge as a background job: runs only if this node takes the lease
/// (held for `lease`), so one node at a time purges. It also removes the
/// console's import runs past their keeping (`transfer::runs::KEPT`), and
/// the OpenID provider's codes, refresh tokens and grants that can serve
/// nobody any more (`gatehouse_domain::oidc::{CODE_KEPT, REVOKED_GRANT_KEPT,
/// GRANT_KEPT_AT_MOST}`).
/// `stopping` is asked between batches and steps (see [`purge_until`]).
#[tracing::instrument(name = "app.privacy.purge_job", level = "debug", skip_all)]
pub async fn purge_job(
    app: &App,
    holder: &str,
    lease: time::Duration,
    stopping: &(dyn Fn() -> bool + Sync),
) -> AppResult<Option<usize>> {
    let now: OffsetDateTime = app.clock.now();
    let mut tx = app.store.begin().await?;
    let mine = tx.claim_job(PURGE_JOB, holder, now, now + lease).await?;
    tx.commit().await?;
    if !mine {
        return Ok(None);
    }
    let purged = purge_until(app, &Actor::system("retention purge"), false, stopping).await?;
    if !stopping() {
        crate::transfer::runs::forget_old(app).await?;
        crate::oidc::forget_ended_grants(app).await?;
    }
    Ok(Some(purged.len()))
}

/// Runs the purge job every `every` (first at once) until `stop` turns
/// true, which also ends a run after its current batch. Every node runs
/// it; the lease (as long as `every`) lets one purge at a time, and another
/// takes over when that node is gone.
pub fn spawn_purge(
    app: App,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let holder = Uuid::now_v7().to_string();
    let lease = time::Duration::try_from(every).unwrap_or(time::Duration::HOUR);
    tokio::spawn(async move {
        loop {
            let stopping = {
                let stop = stop.clone();
                move || *stop.borrow()
            };
            match purge_job(&app, &holder, lease, &stopping).await {
                Ok(Some(n)) if n > 0 => {
                    tracing::info!(accounts = n, "retention purge erased deleted accounts")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the retention purge could not run"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}
