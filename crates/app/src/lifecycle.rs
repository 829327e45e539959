//! The one writer of account state: every change of an account's lifecycle
//! facts goes through [`apply`], which asks [`gatehouse_domain::decide`] and
//! then carries out every [`Effect`] the decision declares — sessions and
//! app grants ended, each mail queued, the customer record made — in the
//! caller's transaction, and stamps the event's own times.
//!
//! Invariants owned here:
//! - Outside this module, `Account::state` is only ever built new (a
//!   registration, an account made by staff or an import), never changed;
//!   the one exception is `has_customer`, which mirrors `customer_id`.
//! - What is done is exactly what the decision declared, nothing more and
//!   nothing left out (`app/tests/lifecycle.rs` walks every event from
//!   every status on both engines and compares).
//! - A refusal returns before anything is written. The caller saves the
//!   account (with whatever else it changes in the same write) and commits.

use gatehouse_domain::{Effect, Event, Lock, Status, decide};
use gatehouse_store::{Account, Customer, CustomerFields, Site, Tx};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::account_mail::{LinkMail, mail_account, mail_link, send_invitation};
use crate::mail::MailKey;
use crate::{App, AppResult};

/// Decides `event` for a loaded account and carries out what the decision
/// says, in `tx`; answers the effects performed, in order. The account in
/// memory has its new state and times; the caller saves it.
#[tracing::instrument(name = "app.lifecycle.apply", level = "debug", skip_all)]
pub async fn apply(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account: &mut Account,
    event: Event,
    now: OffsetDateTime,
) -> AppResult<Vec<Effect>> {
    let decision = decide(&account.state, event, &site.settings, now)?;
    let before = account.state.status(now);
    account.state = decision.state;
    stamp(account, event, before, now);
    for effect in &decision.effects {
        perform(app, tx, site, account, *effect, now).await?;
    }
    Ok(decision.effects)
}

/// The times an event leaves on the account beside its state.
fn stamp(account: &mut Account, event: Event, before: Status, now: OffsetDateTime) {
    let after = account.state.status(now);
    match event {
        Event::Verify | Event::PasswordReset => {
            account.verified_at.get_or_insert(now);
            if before != Status::Active && after == Status::Active {
                account.approved_at.get_or_insert(now);
            }
        }
        Event::Approve => account.approved_at = Some(now),
        Event::Delete { .. } => account.deleted_at = Some(now),
        Event::Undelete => account.deleted_at = None,
        Event::SignedIn => account.last_login_at = Some(now),
        _ => {}
    }
}

async fn perform(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account: &mut Account,
    effect: Effect,
    now: OffsetDateTime,
) -> AppResult<()> {
    match effect {
        Effect::CreateCustomer => {
            if account.customer_id.is_none() {
                create_customer_from(tx, account, now).await?;
            }
        }
        Effect::SendActivation => {
            mail_link(app, tx, site, account, LinkMail::ACTIVATION, now).await?;
        }
        // An invited account has no password yet: approving it sends the
        // invitation, not "sign in now".
        Effect::SendApproved if account.password_hash.is_none() => {
            send_invitation(app, tx, site, account, now).await?;
        }
        Effect::SendApproved => {
            let login = app.links.site_page(site, "login");
            mail_account(tx, site, account, MailKey::Approved, Some(login), None, now).await?;
        }
        Effect::SendLocked => {
            let temporary = matches!(account.state.lock, Some(Lock::Temporary { .. }));
            let lasts = temporary.then_some(site.settings.lock_duration_seconds);
            mail_account(tx, site, account, MailKey::AccountLocked, None, lasts, now).await?;
        }
        Effect::SendPasswordChanged => {
            mail_account(tx, site, account, MailKey::PasswordChanged, None, None, now).await?;
        }
        Effect::RevokeSessions => {
            sign_out_everywhere(tx, account.id, None, now).await?;
        }
    }
    Ok(())
}

/// Ends every session of an account but `keep` and revokes every grant its
/// apps hold: what "signed out everywhere" means, in the caller's
/// transaction. Answers how many portal sessions ended.
pub(crate) async fn sign_out_everywhere(
    tx: &mut dyn Tx,
    account_id: Uuid,
    keep: Option<&[u8]>,
    now: OffsetDateTime,
) -> AppResult<u64> {
    let ended = tx.delete_account_sessions(account_id, keep).await?;
    crate::oidc::end_grants(tx, account_id, now).await?;
    Ok(ended)
}

/// Makes a customer record from a registration and assigns it to the
/// account (in memory; the caller saves the account).
pub(crate) async fn create_customer_from(
    tx: &mut dyn Tx,
    account: &mut Account,
    now: OffsetDateTime,
) -> AppResult<()> {
    let customer = Customer {
        id: Uuid::now_v7(),
        fields: CustomerFields {
            first_name: account.first_name.clone(),
            last_name: account.last_name.clone(),
            email: Some(account.email.clone()),
            // The company typed at registration stays on the account for
            // staff to see; joining a company (and its manager's team) is
            // staff's decision, never the registrant's.
            company: None,
            language: account.language.clone(),
            notifications: true,
            ..CustomerFields::default()
        },
        created_at: now,
        updated_at: now,
    };
    tx.insert_customer(&customer).await?;
    account.customer_id = Some(customer.id);
    Ok(())
}
