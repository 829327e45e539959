//! The SQL behind [`Audit`], one body for both engines.

use super::*;
use crate::tx::Audit;

#[async_trait]
impl Audit for SqlTx {
    #[tracing::instrument(name = "store.audit.append_audit", level = "debug", skip_all)]
    async fn append_audit(&mut self, e: &AuditEvent) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("audit.append_audit");
        let details = e.details.to_string();
        exec!(self, sqlx::query(
            "INSERT INTO audit_events (id, at, actor_kind, actor_id, actor_label, action, target_kind, target_id, \
             site_id, details, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(e.id).bind(to_ms(e.at)).bind(&e.actor.kind).bind(e.actor.id).bind(&e.actor.label).bind(&e.action)
            .bind(&e.target_kind).bind(e.target_id).bind(e.site_id).bind(&details).bind(&e.ip))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.audit.list_audit", level = "debug", skip_all)]
    async fn list_audit(&mut self, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        let _timer = crate::metrics::Timer::start("audit.list_audit");
        fetch_all!(
            self,
            AuditRow,
            sqlx::query_as("SELECT * FROM audit_events ORDER BY at DESC, id DESC LIMIT $1")
                .bind(limit)
        )
    }

    #[tracing::instrument(name = "store.audit.search_audit", level = "debug", skip_all)]
    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>> {
        let _timer = crate::metrics::Timer::start("audit.search_audit");
        let action = filter.action.as_deref().map(|a| {
            let mut p = contains_pattern(a);
            p.remove(0);
            p
        });
        let actor = filter.actor.as_deref().map(contains_pattern);
        fetch_all!(
            self,
            AuditRow,
            sqlx::query_as(
                "SELECT * FROM audit_events WHERE ($1 IS NULL OR action LIKE $1 ESCAPE '\\') \
                 AND ($2 IS NULL OR lower(actor_label) LIKE $2 ESCAPE '\\') AND ($3 IS NULL OR target_id = $3) \
                 AND ($4 IS NULL OR at >= $4) ORDER BY at DESC, id DESC LIMIT $5"
            )
            .bind(action)
            .bind(actor)
            .bind(filter.target_id)
            .bind(filter.since.map(to_ms))
            .bind(limit)
        )
    }

    #[tracing::instrument(name = "store.audit.audit_of", level = "debug", skip_all)]
    async fn audit_of(&mut self, target_id: Uuid, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        let _timer = crate::metrics::Timer::start("audit.audit_of");
        fetch_all!(
            self,
            AuditRow,
            sqlx::query_as(
                "SELECT * FROM audit_events WHERE target_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
            )
            .bind(target_id)
            .bind(limit)
        )
    }
}
