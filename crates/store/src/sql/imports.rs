//! The SQL behind [`Imports`], one body for both engines.

use super::*;
use crate::tx::Imports;

#[async_trait]
impl Imports for SqlTx {
    #[tracing::instrument(name = "store.imports.existing_ids", level = "debug", skip_all)]
    async fn existing_ids(&mut self, kind: IdKind, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        let _timer = crate::metrics::Timer::start("imports.existing_ids");
        let table = match kind {
            IdKind::Customer => "customers",
            IdKind::Account => "accounts",
        };
        let mut found = Vec::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id FROM {table} WHERE id IN ({})",
                placeholders(chunk.len())
            );
            let some: Vec<Uuid> = on!(self, c => {
                // Planned afresh each time, not kept prepared: a plan cached
                // while an import's table was nearly empty (a scan) would be
                // kept as the table grows inside the import's transaction.
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).persistent(false);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut **c).await
            })?;
            found.extend(some);
        }
        Ok(found)
    }

    #[tracing::instrument(name = "store.imports.insert_import_run", level = "debug", skip_all)]
    async fn insert_import_run(&mut self, run: &ImportRun) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("imports.insert_import_run");
        exec!(self, sqlx::query(
            "INSERT INTO import_runs (id, file, dry_run, skip_bad_rows, size, rows_read, bytes_read, outcome, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(run.id).bind(&run.file).bind(run.dry_run).bind(run.skip_bad_rows).bind(run.size)
            .bind(run.rows_read).bind(run.bytes_read).bind(&run.outcome)
            .bind(to_ms(run.created_at)).bind(to_ms(run.updated_at)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.imports.import_run", level = "debug", skip_all, fields(id = ?id))]
    async fn import_run(&mut self, id: Uuid) -> StoreResult<Option<ImportRun>> {
        let _timer = crate::metrics::Timer::start("imports.import_run");
        fetch_optional!(
            self,
            ImportRun,
            sqlx::query_as("SELECT * FROM import_runs WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.imports.record_import_progress", level = "debug", skip_all, fields(id = ?id))]
    async fn record_import_progress(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("imports.record_import_progress");
        exec!(
            self,
            sqlx::query(
                "UPDATE import_runs SET rows_read = $2, bytes_read = $3, updated_at = $4 \
             WHERE id = $1 AND outcome IS NULL"
            )
            .bind(id)
            .bind(rows_read)
            .bind(bytes_read)
            .bind(to_ms(now))
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.imports.finish_import_run", level = "debug", skip_all, fields(id = ?id))]
    async fn finish_import_run(
        &mut self,
        id: Uuid,
        rows_read: i64,
        bytes_read: i64,
        outcome: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("imports.finish_import_run");
        exec!(self, sqlx::query(
            "UPDATE import_runs SET rows_read = $2, bytes_read = $3, outcome = $4, updated_at = $5 WHERE id = $1")
            .bind(id).bind(rows_read).bind(bytes_read).bind(outcome).bind(to_ms(now)))?;
        Ok(())
    }

    #[tracing::instrument(
        name = "store.imports.delete_import_runs_before",
        level = "debug",
        skip_all
    )]
    async fn delete_import_runs_before(&mut self, before: OffsetDateTime) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("imports.delete_import_runs_before");
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM import_runs WHERE created_at < $1").bind(to_ms(before))
        )?)
    }
}
