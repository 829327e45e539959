//! The store's what a customer granted an app: grants, their authorization codes and refresh tokens.

use crate::StoreResult;
use crate::oidc::{AuthCode, Grant, RefreshToken};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a customer granted an app: grants, their authorization codes and refresh tokens.
#[async_trait]
pub trait Grants: Send {
    /// Stores a grant.
    async fn insert_grant(&mut self, grant: &Grant) -> StoreResult<()>;

    /// The grant with this ID.
    async fn grant_by_id(&mut self, id: Uuid) -> StoreResult<Option<Grant>>;

    /// Revokes a grant; answers whether it was live.
    async fn revoke_grant(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;

    /// Revokes every live grant of an account; answers the grants it
    /// revoked.
    async fn revoke_account_grants(
        &mut self,
        account_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Grant>>;

    /// The live grants made in one portal session (by its `sid`).
    async fn live_session_grants(&mut self, sid: &str) -> StoreResult<Vec<Grant>>;

    /// The live grants of an account, newest first.
    async fn live_account_grants(&mut self, account_id: Uuid) -> StoreResult<Vec<Grant>>;

    /// Revokes every live grant of an account to one app; answers the
    /// grants it revoked.
    async fn revoke_app_grants(
        &mut self,
        account_id: Uuid,
        client_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Grant>>;

    /// Forgets what can serve nobody any more: codes that expired before
    /// `codes_before`, refresh tokens expired at `now`, grants revoked
    /// before `revoked_before` (with their codes and tokens), and grants
    /// made before `made_before` that hold no live refresh token. Answers
    /// how many rows went.
    async fn forget_ended_grants(
        &mut self,
        codes_before: OffsetDateTime,
        revoked_before: OffsetDateTime,
        made_before: OffsetDateTime,
        now: OffsetDateTime,
    ) -> StoreResult<u64>;

    /// Stores an authorization code.
    async fn insert_code(&mut self, code: &AuthCode) -> StoreResult<()>;

    /// Redeems a code: answers it and marks it used if it was unused, else
    /// answers it as it is (used, for the caller to revoke what it gave),
    /// or `None` when there is no such code.
    async fn redeem_code(
        &mut self,
        code_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<Option<AuthCode>>;

    /// Stores a refresh token.
    async fn insert_refresh_token(&mut self, token: &RefreshToken) -> StoreResult<()>;

    /// The refresh token whose value hashes to this.
    async fn refresh_token_by_hash(
        &mut self,
        token_hash: &[u8],
    ) -> StoreResult<Option<RefreshToken>>;

    /// Marks a token rotated with its successor, if nobody rotated it first;
    /// answers whether this call did.
    async fn rotate_refresh_token(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        successor_hash: &[u8],
        successor_seal: &str,
    ) -> StoreResult<bool>;
}
