//! The SQL behind [`Customers`], one body for both engines.

use super::*;
use crate::tx::Customers;

#[async_trait]
impl Customers for SqlTx {
    #[tracing::instrument(name = "store.customers.insert_customer", level = "debug", skip_all)]
    async fn insert_customer(&mut self, cu: &Customer) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("customers.insert_customer");
        self.insert_customers(std::slice::from_ref(cu)).await
    }

    #[tracing::instrument(name = "store.customers.insert_customers", level = "debug", skip_all)]
    async fn insert_customers(&mut self, customers: &[Customer]) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("customers.insert_customers");
        self.insert_rows(
            "customers",
            rows::CUSTOMER_COLUMNS,
            customers,
            customer_cells,
        )
        .await
    }

    #[tracing::instrument(name = "store.customers.delete_customer", level = "debug", skip_all, fields(id = ?id))]
    async fn delete_customer(&mut self, id: Uuid) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("customers.delete_customer");
        self.announce_about(id);
        let done = exec!(
            self,
            sqlx::query("DELETE FROM customers WHERE id = $1").bind(id)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.customers.update_customer", level = "debug", skip_all)]
    async fn update_customer(&mut self, cu: &Customer) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("customers.update_customer");
        self.announce_about(cu.id);
        let f = &cu.fields;
        let done = exec!(self, sqlx::query(
            "UPDATE customers SET first_name = $2, last_name = $3, email = $4, company = $5, url = $6, phone = $7, \
             mobile = $8, country = $9, region = $10, street = $11, postcode = $12, city = $13, external_id = $14, \
             group_id = $15, avatar_url = $16, notifications = $17, notes = $18, language = $19, updated_at = $20, \
             search_text = $21, company_id = $22 WHERE id = $1")
            .bind(cu.id).bind(&f.first_name).bind(&f.last_name).bind(&f.email).bind(&f.company).bind(&f.url)
            .bind(&f.phone).bind(&f.mobile).bind(&f.country).bind(&f.region).bind(&f.street).bind(&f.postcode)
            .bind(&f.city).bind(&f.external_id).bind(f.group_id).bind(&f.avatar_url).bind(f.notifications)
            .bind(&f.notes).bind(&f.language).bind(to_ms(cu.updated_at))
            .bind(crate::model::search_text(f)).bind(f.company_id))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.customers.list_customers", level = "debug", skip_all)]
    async fn list_customers(
        &mut self,
        filter: &CustomerFilter,
        page: &CustomerPage,
        broad: bool,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>> {
        let _timer = crate::metrics::Timer::start("customers.list_customers");
        self.list_page(filter, page, broad, now).await
    }

    #[tracing::instrument(name = "store.customers.count_customers", level = "debug", skip_all)]
    async fn count_customers(
        &mut self,
        filter: &CustomerFilter,
        now: OffsetDateTime,
        cap: Option<i64>,
    ) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("customers.count_customers");
        self.count_matching(filter, now, cap).await
    }

    #[tracing::instrument(name = "store.customers.customers_after", level = "debug", skip_all)]
    async fn customers_after(
        &mut self,
        filter: &CustomerFilter,
        after: Option<Uuid>,
        limit: i64,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>> {
        let _timer = crate::metrics::Timer::start("customers.customers_after");
        self.page_after(filter, after, limit, now).await
    }

    #[tracing::instrument(name = "store.customers.search_customers", level = "debug", skip_all)]
    async fn search_customers(&mut self, text: &str, limit: i64) -> StoreResult<Vec<Customer>> {
        let _timer = crate::metrics::Timer::start("customers.search_customers");
        let pattern = contains_pattern(text.trim());
        fetch_all!(
            self,
            Customer,
            sqlx::query_as(
                "SELECT * FROM customers WHERE lower(first_name || ' ' || last_name) LIKE $1 ESCAPE '\\' \
                 OR lower(coalesce(email, '')) LIKE $1 ESCAPE '\\' OR lower(coalesce(company, '')) LIKE $1 ESCAPE '\\' \
                 OR lower(coalesce(phone, '')) LIKE $1 ESCAPE '\\' OR lower(coalesce(mobile, '')) LIKE $1 ESCAPE '\\' \
                 ORDER BY last_name, first_name LIMIT $2"
            )
            .bind(pattern)
            .bind(limit)
        )
    }

    #[tracing::instrument(
        name = "store.customers.customer_candidates",
        level = "debug",
        skip_all
    )]
    async fn customer_candidates(
        &mut self,
        email: &str,
        first_name: &str,
        last_name: &str,
        company: &str,
        phone: &str,
    ) -> StoreResult<Vec<Customer>> {
        let _timer = crate::metrics::Timer::start("customers.customer_candidates");
        fetch_all!(
            self,
            Customer,
            sqlx::query_as(
                "SELECT * FROM customers WHERE ($1 <> '' AND lower(coalesce(email, '')) = lower($1)) \
                 OR ($2 <> '' AND $3 <> '' AND lower(first_name) = lower($2) AND lower(last_name) = lower($3)) \
                 OR ($3 <> '' AND lower(last_name) = lower($3)) \
                 OR ($4 <> '' AND lower(coalesce(company, '')) = lower($4)) \
                 OR ($5 <> '' AND (coalesce(phone, '') = $5 OR coalesce(mobile, '') = $5)) \
                 LIMIT 50"
            )
            .bind(email)
            .bind(first_name)
            .bind(last_name)
            .bind(company)
            .bind(phone)
        )
    }

    #[tracing::instrument(name = "store.customers.customer_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn customer_by_id(&mut self, id: Uuid) -> StoreResult<Option<Customer>> {
        let _timer = crate::metrics::Timer::start("customers.customer_by_id");
        fetch_optional!(
            self,
            Customer,
            sqlx::query_as("SELECT * FROM customers WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.customers.customers_by_ids", level = "debug", skip_all)]
    async fn customers_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Customer>> {
        let _timer = crate::metrics::Timer::start("customers.customers_by_ids");
        fetch_in!(
            self,
            Customer,
            "SELECT * FROM customers WHERE id IN ({})",
            ids
        )
    }
}
