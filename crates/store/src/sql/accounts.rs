//! The SQL behind [`Accounts`], one body for both engines.

use super::*;
use crate::tx::Accounts;

#[async_trait]
impl Accounts for SqlTx {
    #[tracing::instrument(name = "store.accounts.insert_account", level = "debug", skip_all)]
    async fn insert_account(&mut self, a: &Account) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("accounts.insert_account");
        self.insert_accounts(std::slice::from_ref(a)).await
    }

    #[tracing::instrument(name = "store.accounts.insert_accounts", level = "debug", skip_all)]
    async fn insert_accounts(&mut self, accounts: &[Account]) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("accounts.insert_accounts");
        self.insert_rows("accounts", rows::ACCOUNT_COLUMNS, accounts, account_cells)
            .await
    }

    #[tracing::instrument(name = "store.accounts.taken_login_ids", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn taken_login_ids(
        &mut self,
        site_id: Uuid,
        login_ids: &[String],
    ) -> StoreResult<Vec<String>> {
        let _timer = crate::metrics::Timer::start("accounts.taken_login_ids");
        // Lowercased here, not in SQL, so that the list is plain values the
        // (site_id, lower(login_id)) index looks up.
        let login_ids: Vec<String> = login_ids.iter().map(|l| l.to_lowercase()).collect();
        let mut taken = Vec::new();
        match &mut self.inner {
            // One look-up per value through the unique index, whatever the
            // statistics say: during an import the table grows from nothing
            // inside one transaction, and an `IN` list planned from stale
            // statistics took the site's rows and compared each with each
            // value (ten times slower at 100 000 rows).
            Inner::Postgres(c) => {
                taken = sqlx::query_scalar(
                    "SELECT x.login FROM unnest($2::text[]) AS x(login) CROSS JOIN LATERAL \
                     (SELECT 1 FROM accounts a WHERE a.site_id = $1 AND lower(a.login_id) = x.login LIMIT 1) AS hit",
                )
                .bind(site_id)
                .bind(&login_ids)
                .fetch_all(&mut **c)
                .await?;
            }
            Inner::Sqlite(c) => {
                for chunk in login_ids.chunks(500) {
                    let sql = format!(
                        "SELECT lower(login_id) FROM accounts WHERE site_id = ? AND lower(login_id) IN ({})",
                        vec!["?"; chunk.len()].join(", ")
                    );
                    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(site_id);
                    for id in chunk {
                        q = q.bind(id);
                    }
                    taken.extend(q.fetch_all(&mut **c).await?);
                }
            }
        }
        Ok(taken)
    }

    #[tracing::instrument(name = "store.accounts.account_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn account_by_id(&mut self, id: Uuid) -> StoreResult<Option<Account>> {
        let _timer = crate::metrics::Timer::start("accounts.account_by_id");
        fetch_optional!(
            self,
            AccountRow,
            sqlx::query_as("SELECT * FROM accounts WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.accounts.account_by_login_id", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn account_by_login_id(
        &mut self,
        site_id: Uuid,
        login_id: &str,
    ) -> StoreResult<Option<Account>> {
        let _timer = crate::metrics::Timer::start("accounts.account_by_login_id");
        fetch_optional!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT * FROM accounts WHERE site_id = $1 AND lower(login_id) = lower($2)"
            )
            .bind(site_id)
            .bind(login_id)
        )
    }

    #[tracing::instrument(name = "store.accounts.account_by_email", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn account_by_email(
        &mut self,
        site_id: Uuid,
        email: &str,
    ) -> StoreResult<Option<Account>> {
        let _timer = crate::metrics::Timer::start("accounts.account_by_email");
        fetch_optional!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT * FROM accounts WHERE site_id = $1 AND lower(email) = lower($2) \
                 ORDER BY (deleted_at IS NOT NULL), registered_at LIMIT 1"
            )
            .bind(site_id)
            .bind(email)
        )
    }

    #[tracing::instrument(name = "store.accounts.save_account", level = "debug", skip_all)]
    async fn save_account(&mut self, a: &Account) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("accounts.save_account");
        self.announce_about(a.id);
        let s = &a.state;
        let (lock_until, lock_permanent) = lock_columns(s.lock);
        let version: Option<i64> = on!(self, c => sqlx::query_scalar(
            "UPDATE accounts SET customer_id = $3, login_id = $4, email = $5, password_hash = $6, role = $7, stage = $8, \
             lock_until = $9, lock_permanent = $10, failed_attempts = $11, blocked = $12, deleted_reason = $13, \
             deleted_at = $14, email_validated = $15, access_granted = $16, access_expires_at = $17, \
             password_expires_at = $18, first_name = $19, last_name = $20, company = $21, language = $22, \
             verified_at = $23, approved_at = $24, last_login_at = $25, standing = $26, version = version + 1 \
             WHERE id = $1 AND version = $2 RETURNING version")
            .bind(a.id).bind(a.version).bind(a.customer_id).bind(&a.login_id).bind(&a.email).bind(&a.password_hash)
            .bind(a.role.as_str()).bind(stage_str(s.stage)).bind(lock_until).bind(lock_permanent)
            .bind(i64::from(s.failed_attempts)).bind(s.blocked).bind(s.deleted.map(|d| d.as_str()))
            .bind(a.deleted_at.map(to_ms)).bind(s.email_validated).bind(s.access_granted)
            .bind(s.access_expires_at.map(to_ms)).bind(s.password_expires_at.map(to_ms))
            .bind(&a.first_name).bind(&a.last_name).bind(&a.company).bind(&a.language)
            .bind(a.verified_at.map(to_ms)).bind(a.approved_at.map(to_ms)).bind(a.last_login_at.map(to_ms))
            .bind(s.standing().as_str())
            .fetch_optional(&mut **c).await)?;
        version.ok_or(StoreError::Stale)
    }

    #[tracing::instrument(name = "store.accounts.list_accounts", level = "debug", skip_all)]
    async fn list_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Account>> {
        let _timer = crate::metrics::Timer::start("accounts.list_accounts");
        let search = filter.search.as_deref().map(contains_pattern);
        let status = filter.status.map(|s| s.as_str());
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as(concat!(
                "SELECT * FROM accounts",
                account_filter_sql!(),
                " ORDER BY registered_at DESC, id DESC LIMIT $5 OFFSET $6"
            ))
            .bind(to_ms(now))
            .bind(filter.site_id)
            .bind(search)
            .bind(status)
            .bind(limit)
            .bind(offset)
        )
    }

    #[tracing::instrument(name = "store.accounts.count_accounts", level = "debug", skip_all)]
    async fn count_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("accounts.count_accounts");
        let search = filter.search.as_deref().map(contains_pattern);
        let status = filter.status.map(|s| s.as_str());
        Ok(
            on!(self, c => sqlx::query_scalar(concat!("SELECT COUNT(*) FROM accounts", account_filter_sql!()))
            .bind(to_ms(now)).bind(filter.site_id).bind(search.clone()).bind(status).fetch_one(&mut **c).await)?,
        )
    }

    #[tracing::instrument(
        name = "store.accounts.count_accounts_by_status",
        level = "debug",
        skip_all
    )]
    async fn count_accounts_by_status(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<(Status, i64)>> {
        let _timer = crate::metrics::Timer::start("accounts.count_accounts_by_status");
        let search = filter.search.as_deref().map(contains_pattern);
        let rows: Vec<(String, i64)> = on!(self, c => sqlx::query_as(concat!(
            "SELECT ", account_status_sql!(), " AS status, COUNT(*) FROM accounts",
            account_filter_sql!(), " GROUP BY 1"))
            .bind(to_ms(now)).bind(filter.site_id).bind(search.clone()).bind(None::<&str>)
            .fetch_all(&mut **c).await)?;
        Ok(Status::ALL
            .into_iter()
            .map(|status| {
                let n = rows
                    .iter()
                    .find(|(s, _)| s == status.as_str())
                    .map_or(0, |(_, n)| *n);
                (status, n)
            })
            .collect())
    }

    #[tracing::instrument(
        name = "store.accounts.registrations_per_day",
        level = "debug",
        skip_all
    )]
    async fn registrations_per_day(
        &mut self,
        site_id: Option<Uuid>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let _timer = crate::metrics::Timer::start("accounts.registrations_per_day");
        // Times are milliseconds in both engines, so integer division by a
        // day's milliseconds is the UTC day in both.
        Ok(on!(self, c => sqlx::query_as(
            "SELECT registered_at / 86400000 AS day, COUNT(*) FROM accounts \
             WHERE registered_at >= $1 AND ($2 IS NULL OR site_id = $2) GROUP BY 1 ORDER BY 1")
            .bind(to_ms(since)).bind(site_id).fetch_all(&mut **c).await)?)
    }

    #[tracing::instrument(name = "store.accounts.accounts_of_customer", level = "debug", skip_all, fields(customer_id = ?customer_id))]
    async fn accounts_of_customer(&mut self, customer_id: Uuid) -> StoreResult<Vec<Account>> {
        let _timer = crate::metrics::Timer::start("accounts.accounts_of_customer");
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as("SELECT * FROM accounts WHERE customer_id = $1 ORDER BY registered_at")
                .bind(customer_id)
        )
    }

    #[tracing::instrument(
        name = "store.accounts.accounts_of_customers",
        level = "debug",
        skip_all
    )]
    async fn accounts_of_customers(&mut self, customer_ids: &[Uuid]) -> StoreResult<Vec<Account>> {
        let _timer = crate::metrics::Timer::start("accounts.accounts_of_customers");
        fetch_in!(
            self,
            AccountRow,
            "SELECT * FROM accounts WHERE customer_id IN ({}) ORDER BY registered_at",
            customer_ids
        )
    }

    #[tracing::instrument(name = "store.accounts.team_accounts", level = "debug", skip_all, fields(site_id = ?site_id, company_id = ?company_id))]
    async fn team_accounts(
        &mut self,
        site_id: Uuid,
        company_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<Account>> {
        let _timer = crate::metrics::Timer::start("accounts.team_accounts");
        fetch_all!(
            self,
            AccountRow,
            sqlx::query_as(
                "SELECT a.* FROM accounts a JOIN customers c ON c.id = a.customer_id \
             WHERE a.site_id = $1 AND c.company_id = $2 AND a.standing <> 'deleted' \
             ORDER BY lower(a.login_id), a.id LIMIT $3"
            )
            .bind(site_id)
            .bind(company_id)
            .bind(limit)
        )
    }

    #[tracing::instrument(name = "store.accounts.record_failed_attempt", level = "debug", skip_all, fields(id = ?id))]
    async fn record_failed_attempt(&mut self, id: Uuid) -> StoreResult<Option<u32>> {
        let _timer = crate::metrics::Timer::start("accounts.record_failed_attempt");
        self.announce_about(id);
        let count: Option<i64> = on!(self, c => sqlx::query_scalar(
            "UPDATE accounts SET failed_attempts = failed_attempts + 1, version = version + 1 \
             WHERE id = $1 RETURNING failed_attempts")
            .bind(id).fetch_optional(&mut **c).await)?;
        Ok(count.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
    }
}
