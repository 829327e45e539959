//! The store interface, cut by entity: one trait per record kind or
//! concern, and [`Tx`], a transaction that has them all.
//!
//! A use case holds a `Box<dyn Tx>` and may hand a part of it to a helper
//! that needs only that part (`&mut dyn Accounts`), so that what a function
//! can touch is in its signature. Every method runs inside the transaction:
//! nothing it writes is seen by others before [`Tx::commit`].

use async_trait::async_trait;

use crate::StoreResult;
use uuid::Uuid;

mod accounts;
mod api_tokens;
mod audit;
mod clients;
mod companies;
mod consents;
mod customers;
mod grants;
mod groups;
mod imports;
mod installation;
mod links;
mod outbox;
mod passkeys;
mod privacy;
mod second_steps;
mod sessions;
mod signing_keys;
mod sites;
mod staff;
mod templates;

pub use accounts::Accounts;
pub use api_tokens::ApiTokens;
pub use audit::Audit;
pub use clients::Clients;
pub use companies::Companies;
pub use consents::Consents;
pub use customers::Customers;
pub use grants::Grants;
pub use groups::Groups;
pub use imports::Imports;
pub use installation::Installation;
pub use links::Links;
pub use outbox::Outbox;
pub use passkeys::Passkeys;
pub use privacy::Privacy;
pub use second_steps::SecondSteps;
pub use sessions::Sessions;
pub use signing_keys::SigningKeys;
pub use sites::Sites;
pub use staff::Staff;
pub use templates::Templates;

/// One transaction, with every part of the store. Dropped without
/// [`Tx::commit`], it rolls back.
#[async_trait]
pub trait Tx:
    Sites
    + Groups
    + Companies
    + Customers
    + Accounts
    + Staff
    + Sessions
    + SecondSteps
    + Passkeys
    + Links
    + ApiTokens
    + Outbox
    + Audit
    + Privacy
    + Imports
    + Installation
    + Templates
    + Clients
    + SigningKeys
    + Grants
    + Consents
    + Send
{
    /// Makes every change of this transaction durable.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Tells this node and the others, when this transaction commits, that
    /// every copy of a read they hold may be stale. Every write that can end
    /// a session or change what a signed-in request reads does this or
    /// [`Tx::announce_about`] itself; a use case calls it only for a change
    /// of its own kind.
    fn announce(&mut self);
    /// Tells this node and the others, when this transaction commits, that
    /// copies of reads naming `subject` may be stale (an account, a
    /// customer, a grant, or a session by [`crate::session_subject`]).
    fn announce_about(&mut self, subject: Uuid);
}
