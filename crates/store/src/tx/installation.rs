//! The store's settings of the whole installation, and the leases of its background jobs.

use crate::StoreResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Settings of the whole installation, and the leases of its background jobs.
#[async_trait]
pub trait Installation: Send {
    /// A setting of the whole installation (JSON text), if set.
    async fn installation_setting(&mut self, key: &str) -> StoreResult<Option<String>>;

    /// Sets a setting of the whole installation.
    async fn set_installation_setting(&mut self, key: &str, value: &str) -> StoreResult<()>;

    /// Takes the lease on a job for `holder` until `until` if nobody holds
    /// it at `now` (or `holder` does already); answers whether it did.
    async fn claim_job(
        &mut self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<bool>;
}
