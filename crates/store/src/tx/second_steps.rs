//! The store's second steps of customers' sign-in: the authenticator app's
//! secret, the recovery codes, and sign-ins half done.

use crate::StoreResult;
use crate::model::{SecondStepRecord, SignInStep};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Customers' second steps.
#[async_trait]
pub trait SecondSteps: Send {
    /// The account's second step, turned on or being set up, if any.
    async fn second_step(&mut self, account_id: Uuid) -> StoreResult<Option<SecondStepRecord>>;

    /// Keeps (or with `None` forgets) the secret an account is setting up;
    /// a secret already turned on stays as it is.
    async fn set_totp_pending(&mut self, account_id: Uuid, secret: Option<&str>)
    -> StoreResult<()>;

    /// Turns the authenticator app on with this secret (the one being set
    /// up is forgotten).
    async fn turn_on_totp(
        &mut self,
        account_id: Uuid,
        secret: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Turns the second step off: the secret (and one being set up) and
    /// every recovery code go. Answers whether it was on.
    async fn turn_off_second_step(&mut self, account_id: Uuid) -> StoreResult<bool>;

    /// Accepts the authenticator code of this 30-second step once: answers
    /// whether it is later than the last one accepted (of two concurrent
    /// uses of one step, exactly one wins).
    async fn use_totp_step(&mut self, account_id: Uuid, step: i64) -> StoreResult<bool>;

    /// Records a sign-in that used the second step.
    async fn touch_second_step(&mut self, account_id: Uuid, now: OffsetDateTime)
    -> StoreResult<()>;

    /// Replaces an account's recovery codes with these (SHA-256 hashes).
    async fn replace_recovery_codes(
        &mut self,
        account_id: Uuid,
        code_hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Uses one of an account's recovery codes, once: answers whether it
    /// was there and unused (of two concurrent uses exactly one wins).
    async fn use_recovery_code(
        &mut self,
        account_id: Uuid,
        code_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<bool>;

    /// How many unused recovery codes an account has.
    async fn recovery_codes_left(&mut self, account_id: Uuid) -> StoreResult<i64>;

    /// Stores a sign-in half done, forgetting those that expired by its
    /// start.
    async fn insert_sign_in_step(&mut self, step: &SignInStep) -> StoreResult<()>;

    /// The sign-in half done whose token hashes to this, if it has not
    /// expired at `now`.
    async fn sign_in_step(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<Option<SignInStep>>;

    /// Ends a sign-in half done: answers whether it was there (of two
    /// concurrent finishes exactly one wins).
    async fn delete_sign_in_step(&mut self, token_hash: &[u8]) -> StoreResult<bool>;
}
