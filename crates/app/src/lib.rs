//! Gatehouse's use cases. Each module owns one: it loads what it needs from
//! the store, lets the domain decide, and writes the new state, its audit
//! event and any outbox mail in one transaction.
//!
//! Invariants owned here:
//! - Time comes from the injected [`Clock`], never from the system directly.
//! - Passwords are hashed only on the bounded [`Hasher`] pool, never on the
//!   async workers.
//! - Secrets (tokens, passwords) are never logged nor stored in clear; only
//!   their hashes reach the store.

pub mod account_mail;
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod caller;
pub mod clock;
pub mod companies;
pub mod customer_fields;
pub mod customers;
pub mod delivery;
mod error;
pub mod groups;
pub mod installation;
pub mod lifecycle;
pub mod links;
pub mod mail;
pub mod oidc;
pub mod outbox;
pub mod passwords;
pub mod portal;
pub mod privacy;
pub mod recent;
pub mod recovery_codes;
pub mod reports;
pub mod secrets;
pub mod seed;
pub mod setup;
pub mod sites;
pub mod staff;
pub mod staff_auth;
pub mod startup;
pub mod templates;
pub mod totp;
pub mod transfer;
pub mod wire;

use std::sync::Arc;

use gatehouse_store::DynStore;
use tokio::sync::Notify;

pub use clock::{Clock, SystemClock};
pub use error::{AppError, AppResult};
pub use links::Links;
pub use passwords::Hasher;

/// Everything a use case needs, shared by requests, jobs and the CLI.
#[derive(Clone, Debug)]
pub struct App {
    /// The database.
    pub store: DynStore,
    /// The password hashing pool.
    pub hasher: Hasher,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Where links in mail point.
    pub links: Links,
    /// Wakes the delivery worker: the store's, rung by every commit that
    /// queued a message.
    pub mail_notify: Arc<Notify>,
    /// Short-lived copies of the portal's hot reads.
    pub recent: Arc<recent::RecentReads>,
    /// The OpenID provider's signing keys, as parsed.
    pub keys: Arc<oidc::keys::KeyRing>,
}

impl App {
    /// An app on this store with the system clock and a hashing pool sized to
    /// the machine's cores.
    pub fn new(store: DynStore) -> App {
        App {
            mail_notify: store.outbox_queued(),
            store,
            hasher: Hasher::for_this_machine(),
            clock: Arc::new(SystemClock),
            links: Links::default(),
            recent: Arc::new(recent::RecentReads::default()),
            keys: Arc::new(oidc::keys::KeyRing::default()),
        }
    }
}

/// One sentence on what a bulk action did: how many were done (`done` and a
/// past-tense verb), then each distinct refusal with how many it stopped, in
/// the order they first occurred.
pub fn bulk_sentence<'a>(
    done: usize,
    verb: &str,
    refusals: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for message in refusals {
        match reasons.iter_mut().find(|(m, _)| *m == message) {
            Some((_, n)) => *n += 1,
            None => reasons.push((message, 1)),
        }
    }
    std::iter::once(format!("{done} {verb}"))
        .chain(reasons.into_iter().map(|(m, n)| format!("{n}: {m}")))
        .collect::<Vec<_>>()
        .join("; ")
}
