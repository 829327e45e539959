//! The SQL behind [`Companies`], one body for both engines.

use super::*;
use crate::tx::{Companies, Customers};

#[async_trait]
impl Companies for SqlTx {
    #[tracing::instrument(name = "store.companies.insert_company", level = "debug", skip_all)]
    async fn insert_company(&mut self, co: &Company) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("companies.insert_company");
        exec!(self, sqlx::query(
            "INSERT INTO companies (id, name, name_key, external_id, address, notes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(co.id).bind(&co.name).bind(company_key(&co.name)).bind(&co.external_id).bind(&co.address)
            .bind(&co.notes).bind(to_ms(co.created_at)).bind(to_ms(co.updated_at)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.companies.update_company", level = "debug", skip_all)]
    async fn update_company(&mut self, co: &Company) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("companies.update_company");
        self.announce();
        let before = self
            .company_by_id(co.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        exec!(self, sqlx::query(
            "UPDATE companies SET name = $2, name_key = $3, external_id = $4, address = $5, notes = $6, \
             updated_at = $7 WHERE id = $1")
            .bind(co.id).bind(&co.name).bind(company_key(&co.name)).bind(&co.external_id).bind(&co.address)
            .bind(&co.notes).bind(to_ms(co.updated_at)))?;
        if before.name != co.name {
            // The search text is lowercased as Rust does it (SQLite's
            // lower() knows ASCII only), so each member is rewritten here.
            let mut after = None;
            loop {
                let members = self
                    .customers_after(
                        &CustomerFilter {
                            company_id: Some(co.id),
                            ..CustomerFilter::default()
                        },
                        after,
                        500,
                        co.updated_at,
                    )
                    .await?;
                let Some(last) = members.last() else { break };
                after = Some(last.id);
                for mut member in members {
                    member.fields.company = Some(co.name.clone());
                    exec!(
                        self,
                        sqlx::query(
                            "UPDATE customers SET company = $2, search_text = $3 WHERE id = $1"
                        )
                        .bind(member.id)
                        .bind(&member.fields.company)
                        .bind(crate::model::search_text(&member.fields))
                    )?;
                }
            }
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.companies.company_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn company_by_id(&mut self, id: Uuid) -> StoreResult<Option<Company>> {
        let _timer = crate::metrics::Timer::start("companies.company_by_id");
        fetch_optional!(self, Company, sqlx::query_as("SELECT id, name, external_id, address, notes, created_at, updated_at FROM companies WHERE id = $1").bind(id))
    }

    #[tracing::instrument(name = "store.companies.company_by_key", level = "debug", skip_all)]
    async fn company_by_key(&mut self, name_key: &str) -> StoreResult<Option<Company>> {
        let _timer = crate::metrics::Timer::start("companies.company_by_key");
        fetch_optional!(self, Company, sqlx::query_as("SELECT id, name, external_id, address, notes, created_at, updated_at FROM companies WHERE name_key = $1").bind(name_key))
    }

    #[tracing::instrument(name = "store.companies.list_companies", level = "debug", skip_all)]
    async fn list_companies(
        &mut self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<CompanyListed>> {
        let _timer = crate::metrics::Timer::start("companies.list_companies");
        let pattern = search
            .map(company_key)
            .filter(|s| !s.is_empty())
            .map(|s| contains_pattern(&s));
        fetch_all!(self, CompanyListed, sqlx::query_as(
            "SELECT co.id, co.name, co.external_id, co.address, co.notes, co.created_at, co.updated_at, \
             (SELECT COUNT(*) FROM customers c WHERE c.company_id = co.id) AS customers, \
             (SELECT COUNT(*) FROM customers c JOIN accounts a ON a.customer_id = c.id \
               WHERE c.company_id = co.id AND a.standing <> 'deleted') AS accounts \
             FROM companies co \
             WHERE ($1 IS NULL OR co.name_key LIKE $1 ESCAPE '\\' OR lower(coalesce(co.external_id, '')) LIKE $1 ESCAPE '\\') \
             ORDER BY co.name_key, co.id LIMIT $2 OFFSET $3")
            .bind(pattern).bind(limit.clamp(0, 10_000)).bind(offset.max(0)))
    }

    #[tracing::instrument(name = "store.companies.company_names", level = "debug", skip_all)]
    async fn company_names(&mut self, limit: i64) -> StoreResult<Vec<String>> {
        let _timer = crate::metrics::Timer::start("companies.company_names");
        Ok(on!(self, c => sqlx::query_scalar(
            "SELECT name FROM companies ORDER BY name_key, id LIMIT $1")
            .bind(limit.clamp(0, 10_000)).fetch_all(&mut **c).await)?)
    }

    #[tracing::instrument(name = "store.companies.count_companies", level = "debug", skip_all)]
    async fn count_companies(&mut self, search: Option<&str>) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("companies.count_companies");
        let pattern = search
            .map(company_key)
            .filter(|s| !s.is_empty())
            .map(|s| contains_pattern(&s));
        Ok(on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM companies co \
             WHERE ($1 IS NULL OR co.name_key LIKE $1 ESCAPE '\\' OR lower(coalesce(co.external_id, '')) LIKE $1 ESCAPE '\\')")
            .bind(pattern).fetch_one(&mut **c).await)?)
    }

    #[tracing::instrument(name = "store.companies.delete_company", level = "debug", skip_all, fields(id = ?id))]
    async fn delete_company(&mut self, id: Uuid) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("companies.delete_company");
        self.announce();
        let done = exec!(
            self,
            sqlx::query("DELETE FROM companies WHERE id = $1").bind(id)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(
        name = "store.companies.customers_without_company_record",
        level = "debug",
        skip_all
    )]
    async fn customers_without_company_record(&mut self, limit: i64) -> StoreResult<Vec<Customer>> {
        let _timer = crate::metrics::Timer::start("companies.customers_without_company_record");
        fetch_all!(self, Customer, sqlx::query_as(
            "SELECT * FROM customers WHERE company_id IS NULL AND company IS NOT NULL ORDER BY id LIMIT $1")
            .bind(limit))
    }
}
