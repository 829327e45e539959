//! The SQL behind [`Privacy`], one body for both engines.

use super::*;
use crate::tx::Privacy;

#[async_trait]
impl Privacy for SqlTx {
    #[tracing::instrument(name = "store.privacy.outbox_to", level = "debug", skip_all)]
    async fn outbox_to(
        &mut self,
        addresses: &[String],
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let _timer = crate::metrics::Timer::start("privacy.outbox_to");
        let addresses: Vec<String> = addresses
            .iter()
            .take(100)
            .map(|a| a.to_lowercase())
            .collect();
        if addresses.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT * FROM outbox WHERE lower(recipient) IN ({}) ORDER BY created_at DESC, id DESC LIMIT {}",
            placeholders(addresses.len()),
            limit.max(0)
        );
        let rows: Vec<OutboxRow> = on!(self, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for a in &addresses {
                q = q.bind(a);
            }
            q.fetch_all(&mut **c).await
        })?;
        convert_all(rows)
    }

    #[tracing::instrument(name = "store.privacy.erase_person", level = "debug", skip_all)]
    async fn erase_person(&mut self, erasure: &Erasure) -> StoreResult<Erased> {
        let _timer = crate::metrics::Timer::start("privacy.erase_person");
        self.announce();
        let mut erased = Erased::default();
        // One statement per chunk of IDs or addresses, not per person: a
        // purge erases a batch with one scan of the audit trail.
        let ids: Vec<Uuid> = erasure
            .account_ids
            .iter()
            .chain(&erasure.customer_ids)
            .copied()
            .collect();
        for chunk in ids.chunks(300) {
            let list = placeholders(chunk.len());
            let sql = format!(
                "UPDATE audit_events SET details = '{{\"erased\":true}}', ip = NULL, \
                 actor_label = CASE WHEN actor_id IN ({list}) THEN 'erased' ELSE actor_label END \
                 WHERE target_id IN ({list}) OR actor_id IN ({list})"
            );
            erased.audit_events += on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
        }
        let addresses: Vec<String> = erasure
            .addresses
            .iter()
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        for chunk in addresses.chunks(100) {
            let n = chunk.len();
            let patterns = (1..=n)
                .map(|i| format!("lower(details) LIKE ${i} ESCAPE '\\'"))
                .collect::<Vec<_>>()
                .join(" OR ");
            let list = (n + 1..=2 * n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE audit_events SET details = '{{\"erased\":true}}', ip = NULL, \
                 actor_label = CASE WHEN lower(actor_label) IN ({list}) THEN 'erased' ELSE actor_label END \
                 WHERE {patterns} OR lower(actor_label) IN ({list})"
            );
            erased.audit_events += on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for a in chunk {
                    q = q.bind(contains_pattern(a));
                }
                for a in chunk {
                    q = q.bind(a);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
            // An import's report names login IDs and addresses of its bad
            // rows: a report naming one of these goes.
            let sql = format!(
                "DELETE FROM import_runs WHERE {}",
                (1..=n)
                    .map(|i| format!("lower(outcome) LIKE ${i} ESCAPE '\\'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            );
            on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for a in chunk {
                    q = q.bind(contains_pattern(a));
                }
                q.execute(&mut **c).await.map(|_| ())
            })?;
            let sql = format!(
                "DELETE FROM outbox WHERE lower(recipient) IN ({})",
                placeholders(n)
            );
            erased.mails += on!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for a in chunk {
                    q = q.bind(a);
                }
                q.execute(&mut **c).await.map(|r| r.rows_affected())
            })?;
        }
        // Sessions, links, grants (their codes and refresh tokens) and
        // consents go with the accounts (ON DELETE CASCADE); the customers
        // after their accounts.
        for (table, ids, count) in [
            ("accounts", &erasure.account_ids, true),
            ("customers", &erasure.customer_ids, false),
        ] {
            for chunk in ids.chunks(300) {
                let sql = format!(
                    "DELETE FROM {table} WHERE id IN ({})",
                    placeholders(chunk.len())
                );
                let n = on!(self, c => {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.execute(&mut **c).await.map(|r| r.rows_affected())
                })?;
                if count {
                    erased.accounts += n;
                }
            }
        }
        Ok(erased)
    }

    #[tracing::instrument(name = "store.privacy.deleted_accounts_before", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn deleted_accounts_before(
        &mut self,
        site_id: Uuid,
        before: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<Account>> {
        let _timer = crate::metrics::Timer::start("privacy.deleted_accounts_before");
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT * FROM accounts WHERE site_id = $1 AND standing = 'deleted' AND deleted_at < $2 \
                 ORDER BY deleted_at LIMIT $3"
            )
            .bind(site_id)
            .bind(to_ms(before))
            .bind(limit)
        )
    }
}
