//! The store's single-use links (activation, reset, invitation, staff setup).

use crate::StoreResult;
use crate::model::{LinkPurpose, LinkToken};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Single-use links (activation, reset, invitation, staff setup).
#[async_trait]
pub trait Links: Send {
    /// Stores a link token.
    async fn insert_link_token(&mut self, token: &LinkToken) -> StoreResult<()>;

    /// Uses a token once: answers it if it exists, has this purpose, is not
    /// used and not expired, and marks it used in the same statement.
    async fn consume_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>>;

    /// The token if it exists, has this purpose, is unused and unexpired;
    /// it stays usable.
    async fn peek_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>>;

    /// The account of a token of this purpose that was used already (to
    /// tell someone who follows their link twice what became of it).
    async fn used_link_account(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
    ) -> StoreResult<Option<Uuid>>;

    /// Voids every unused token of this purpose (for this account, or with no
    /// account when `None`); answers how many.
    async fn void_link_tokens(
        &mut self,
        account_id: Option<Uuid>,
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<u64>;

    /// Voids every unused token of this purpose for this staff user (an
    /// older reset or invitation link, once a newer one is made or used);
    /// answers how many.
    async fn void_staff_link_tokens(
        &mut self,
        staff_id: Uuid,
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<u64>;
}
