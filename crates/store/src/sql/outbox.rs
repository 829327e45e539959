//! The SQL behind [`Outbox`], one body for both engines.

use super::*;
use crate::tx::Outbox;

#[async_trait]
impl Outbox for SqlTx {
    #[tracing::instrument(name = "store.outbox.enqueue_mail", level = "debug", skip_all, fields(id = ?id))]
    async fn enqueue_mail(
        &mut self,
        id: Uuid,
        m: &NewMail,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("outbox.enqueue_mail");
        self.wakes_delivery = true;
        exec!(self, sqlx::query(
            "INSERT INTO outbox (id, site_id, recipient, template_key, language, subject, body_text, body_html, status, \
             attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)")
            .bind(id).bind(m.site_id).bind(&m.recipient).bind(&m.template_key).bind(&m.language).bind(&m.subject)
            .bind(&m.body_text).bind(&m.body_html).bind(to_ms(now)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.outbox.claim_mail", level = "debug", skip_all)]
    async fn claim_mail(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let _timer = crate::metrics::Timer::start("outbox.claim_mail");
        let rows: Vec<OutboxRow> = match &mut self.inner {
            // One writer at a time: the IMMEDIATE transaction already excludes other claimers.
            Inner::Sqlite(c) => {
                const SQL: &str = claim_mail_sql!("");
                sqlx::query_as(SQL)
                    .bind(to_ms(now))
                    .bind(to_ms(lease_until))
                    .bind(limit)
                    .fetch_all(&mut **c)
                    .await?
            }
            Inner::Postgres(c) => {
                const SQL: &str = claim_mail_sql!(" FOR UPDATE SKIP LOCKED");
                sqlx::query_as(SQL)
                    .bind(to_ms(now))
                    .bind(to_ms(lease_until))
                    .bind(limit)
                    .fetch_all(&mut **c)
                    .await?
            }
        };
        convert_all(rows)
    }

    #[tracing::instrument(name = "store.outbox.release_mail", level = "debug", skip_all)]
    async fn release_mail(&mut self, ids: &[Uuid]) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("outbox.release_mail");
        let mut released = 0;
        for id in ids {
            released += exec!(
                self,
                sqlx::query(
                    "UPDATE outbox SET lease_until = NULL, attempts = attempts - 1 \
                 WHERE id = $1 AND status = 'pending' AND lease_until IS NOT NULL"
                )
                .bind(id)
            )?;
        }
        Ok(released)
    }

    #[tracing::instrument(name = "store.outbox.mark_mail_sent", level = "debug", skip_all, fields(id = ?id))]
    async fn mark_mail_sent(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("outbox.mark_mail_sent");
        exec!(self, sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1")
            .bind(id).bind(to_ms(now)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.outbox.mark_mail_failed", level = "debug", skip_all, fields(id = ?id))]
    async fn mark_mail_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("outbox.mark_mail_failed");
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        exec!(self, sqlx::query(
            "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
             lease_until = NULL WHERE id = $1")
            .bind(id).bind(status).bind(error).bind(retry_at.map(to_ms)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.outbox.list_outbox", level = "debug", skip_all)]
    async fn list_outbox(
        &mut self,
        status: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let _timer = crate::metrics::Timer::start("outbox.list_outbox");
        fetch_all!(
            self,
            OutboxRow,
            sqlx::query_as(
                "SELECT * FROM outbox WHERE ($1 IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2"
            )
            .bind(status)
            .bind(limit)
        )
    }

    #[tracing::instrument(name = "store.outbox.outbox_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn outbox_by_id(&mut self, id: Uuid) -> StoreResult<Option<OutboxMessage>> {
        let _timer = crate::metrics::Timer::start("outbox.outbox_by_id");
        fetch_optional!(
            self,
            OutboxRow,
            sqlx::query_as("SELECT * FROM outbox WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.outbox.retry_mail", level = "debug", skip_all, fields(id = ?id))]
    async fn retry_mail(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("outbox.retry_mail");
        self.wakes_delivery = true;
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE outbox SET status = 'pending', next_attempt_at = $2, lease_until = NULL \
                 WHERE id = $1 AND status <> 'sent'"
            )
            .bind(id)
            .bind(to_ms(now))
        )?;
        Ok(done > 0)
    }
}
