//! Short-lived copies of what every signed-in portal request reads (its
//! session with the account and site, the customer's profile fields), of
//! userinfo answers (an app's access token checked against its grant and
//! account), and of the sites and apps every request resolves first, so that
//! a busy portal does not go to the database, nor check a signature, on
//! every request.
//!
//! Invariants owned here:
//! - A copy is used only while the store has seen no change to what it
//!   holds since it was read ([`gatehouse_store::Store::unchanged_since`]:
//!   a session's copy names the session, its account and customer; a
//!   userinfo answer its grant, account and customer; profile fields their
//!   customer), and for at most its time to live. A change to one account
//!   leaves the copies of every other good. A change made through this node
//!   is seen by the very next request; on PostgreSQL a change that can end
//!   a session or alter what a signed-in request reads (sign-out, block,
//!   delete, password change, profile edit, settings, a grant revoked, an
//!   app changed) made on another node is announced with
//!   `NOTIFY` and seen as soon as it arrives; the time to live bounds only
//!   what nobody announced (the CLI writing the same SQLite file) or a
//!   notification lost to a silently broken connection. While a node cannot
//!   hear the others, it uses no copies at all. Sites and apps are counted
//!   apart ([`gatehouse_store::Store::site_changes_seen`]): their copies
//!   outlive a change to an account, and go with a change to any site or
//!   app.
//! - Copies serve reads only: every write checks its session again inside
//!   its own transaction (`portal::sessions::still_signed_in`).
//! - Bounded, and off with a time to live of zero ([`Recent`]).

use std::sync::Arc;
use std::time::Duration;

use gatehouse_store::{Account, Client, CustomerFields, Recent, Session, Site};
use uuid::Uuid;

/// How long a copy may be used at most, by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(1);

/// A signed-in session as read together from the store (shared, so that a
/// request borrows it instead of copying it).
#[derive(Debug, Clone)]
pub struct SessionRead {
    /// The account's site.
    pub site: Arc<Site>,
    /// The session.
    pub session: Arc<Session>,
    /// Its account.
    pub account: Arc<Account>,
}

/// A userinfo answer as read for one access token.
#[derive(Debug, Clone)]
pub struct UserinfoRead {
    /// When the token expires (Unix seconds): the copy is not used after.
    pub expires_at: i64,
    /// The claims.
    pub claims: serde_json::Map<String, serde_json::Value>,
}

/// The caches of the portal's hot reads.
#[derive(Debug)]
pub struct RecentReads {
    /// Sessions by the hash of their token.
    pub sessions: Recent<Vec<u8>, Arc<SessionRead>>,
    /// Customers' profile fields by customer ID.
    pub fields: Recent<Uuid, Arc<CustomerFields>>,
    /// Userinfo answers by the hash of the access token.
    pub userinfo: Recent<Vec<u8>, Arc<UserinfoRead>>,
    /// Sites by key.
    pub sites: Recent<String, Arc<Site>>,
    /// Apps by client ID.
    pub clients: Recent<String, Arc<Client>>,
}

impl RecentReads {
    /// Caches whose copies live at most `ttl`.
    pub fn new(ttl: Duration) -> RecentReads {
        RecentReads {
            sessions: Recent::new(ttl),
            fields: Recent::new(ttl),
            userinfo: Recent::new(ttl),
            sites: Recent::new(ttl),
            clients: Recent::new(ttl),
        }
    }
}

impl Default for RecentReads {
    fn default() -> Self {
        RecentReads::new(DEFAULT_TTL)
    }
}
