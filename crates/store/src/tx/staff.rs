//! The store's staff users of the console.

use crate::StoreResult;
use crate::model::StaffUser;
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Staff users of the console.
#[async_trait]
pub trait Staff: Send {
    /// Adds a staff user; a taken e-mail address (any case) is a conflict.
    async fn insert_staff(&mut self, staff: &StaffUser) -> StoreResult<()>;

    /// The staff user with this e-mail address, compared without case.
    async fn staff_by_email(&mut self, email: &str) -> StoreResult<Option<StaffUser>>;

    /// The staff user with this ID.
    async fn staff_by_id(&mut self, id: Uuid) -> StoreResult<Option<StaffUser>>;

    /// Sets a staff user's password hash.
    async fn set_staff_password(&mut self, id: Uuid, password_hash: &str) -> StoreResult<()>;

    /// Sets or clears a staff user's TOTP secret.
    async fn set_staff_totp(&mut self, id: Uuid, secret: Option<&str>) -> StoreResult<()>;

    /// The authenticator secret a staff user is setting up, if any (kept
    /// until confirmed; [`Staff::set_staff_totp`] clears it).
    async fn staff_totp_pending(&mut self, id: Uuid) -> StoreResult<Option<String>>;

    /// Replaces a staff user's recovery codes with these (SHA-256 hashes);
    /// an empty list forgets them all.
    async fn replace_staff_recovery_codes(
        &mut self,
        staff_id: Uuid,
        code_hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Uses one of a staff user's recovery codes, once: answers whether it
    /// was there and unused (of two concurrent uses exactly one wins).
    async fn use_staff_recovery_code(
        &mut self,
        staff_id: Uuid,
        code_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<bool>;

    /// Accepts the authenticator code of this 30-second step once: answers
    /// whether it is later than the last one accepted (of two concurrent
    /// uses of one step, exactly one wins).
    async fn use_staff_totp_step(&mut self, staff_id: Uuid, step: i64) -> StoreResult<bool>;

    /// How many unused recovery codes a staff user has.
    async fn staff_recovery_codes_left(&mut self, staff_id: Uuid) -> StoreResult<i64>;

    /// Keeps (or with `None` forgets) the secret a staff user is setting up.
    async fn set_staff_totp_pending(&mut self, id: Uuid, secret: Option<&str>) -> StoreResult<()>;

    /// Every staff user, by e-mail address.
    async fn list_staff(&mut self) -> StoreResult<Vec<StaffUser>>;

    /// Changes a staff user's role and active flag.
    async fn update_staff(
        &mut self,
        id: Uuid,
        role: gatehouse_domain::StaffRole,
        active: bool,
    ) -> StoreResult<()>;

    /// Records a staff user's sign-in.
    async fn record_staff_login(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()>;

    /// How many staff users exist.
    async fn count_staff(&mut self) -> StoreResult<i64>;
}
