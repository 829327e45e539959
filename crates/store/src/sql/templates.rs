//! The SQL behind [`Templates`], one body for both engines.

use super::*;
use crate::tx::Templates;

#[async_trait]
impl Templates for SqlTx {
    #[tracing::instrument(name = "store.templates.upsert_template", level = "debug", skip_all)]
    async fn upsert_template(&mut self, t: &EmailTemplate) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("templates.upsert_template");
        exec!(self, sqlx::query(
            "INSERT INTO email_templates (site_id, key, language, subject, body_text, body_html, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site_id, key, language) DO UPDATE SET \
             subject = excluded.subject, body_text = excluded.body_text, body_html = excluded.body_html, \
             updated_at = excluded.updated_at")
            .bind(t.site_id).bind(&t.key).bind(&t.language).bind(&t.subject).bind(&t.body_text).bind(&t.body_html)
            .bind(t.updated_at))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.templates.list_templates", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn list_templates(&mut self, site_id: Uuid) -> StoreResult<Vec<EmailTemplate>> {
        let _timer = crate::metrics::Timer::start("templates.list_templates");
        Ok(
            on!(self, c => sqlx::query_as("SELECT * FROM email_templates WHERE site_id = $1 ORDER BY key, language")
            .bind(site_id).fetch_all(&mut **c).await)?,
        )
    }

    #[tracing::instrument(name = "store.templates.delete_template", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn delete_template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("templates.delete_template");
        let done = exec!(
            self,
            sqlx::query(
                "DELETE FROM email_templates WHERE site_id = $1 AND key = $2 AND language = $3"
            )
            .bind(site_id)
            .bind(key)
            .bind(language)
        )?;
        Ok(done > 0)
    }

    #[tracing::instrument(name = "store.templates.template", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<Option<EmailTemplate>> {
        let _timer = crate::metrics::Timer::start("templates.template");
        Ok(
            on!(self, c => sqlx::query_as("SELECT * FROM email_templates WHERE site_id = $1 AND key = $2 AND language = $3")
            .bind(site_id).bind(key).bind(language).fetch_optional(&mut **c).await)?,
        )
    }
}
