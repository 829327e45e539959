//! The store's portal and console sessions.

use crate::StoreResult;
use crate::model::Session;
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Portal and console sessions.
#[async_trait]
pub trait Sessions: Send {
    /// Stores a new session.
    async fn insert_session(&mut self, session: &Session) -> StoreResult<()>;

    /// The session whose token hashes to this.
    async fn session_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<Session>>;

    /// The sessions of an account, newest first.
    async fn list_account_sessions(&mut self, account_id: Uuid) -> StoreResult<Vec<Session>>;

    /// Records activity and pushes the idle expiry.
    async fn touch_session(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Sessions of this account opened by this staff user impersonating it.
    async fn delete_impersonations(&mut self, account_id: Uuid, staff_id: Uuid)
    -> StoreResult<u64>;

    /// Ends every console session of a staff user; answers how many.
    async fn delete_staff_sessions(&mut self, staff_id: Uuid) -> StoreResult<u64>;

    /// Ends one session; answers whether it existed.
    async fn delete_session(&mut self, token_hash: &[u8]) -> StoreResult<bool>;

    /// Ends every session of an account but `keep`; answers how many ended.
    async fn delete_account_sessions(
        &mut self,
        account_id: Uuid,
        keep: Option<&[u8]>,
    ) -> StoreResult<u64>;
}
