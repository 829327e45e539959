//! The store's bulk imports: which IDs exist already, and the console's import runs.

use crate::model::ImportRun;
use crate::{IdKind, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Bulk imports: which IDs exist already, and the console's import runs.
#[async_trait]
pub trait Imports: Send {
    /// Which of these IDs a customer or an account has already.
    async fn existing_ids(&mut self, kind: IdKind, ids: &[Uuid]) -> StoreResult<Vec<Uuid>>;

    /// Records an import as it starts.
    async fn insert_import_run(&mut self, run: &ImportRun) -> StoreResult<()>;

    /// An import by ID.
    async fn import_run(&mut self, id: Uuid) -> StoreResult<Option<ImportRun>>;

    /// Writes an import's progress and heartbeat (nothing once it has ended).
    async fn record_import_progress(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Writes an import's outcome (JSON) and final progress.
    async fn finish_import_run(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        outcome: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Removes the imports started before `before`; answers how many.
    async fn delete_import_runs_before(&mut self, before: OffsetDateTime) -> StoreResult<u64>;
}
