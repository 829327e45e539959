//! The store's portal accounts: one customer's login to one site.

use crate::StoreResult;
use crate::model::{Account, AccountFilter};
use async_trait::async_trait;
use gatehouse_domain::Status;
use time::OffsetDateTime;
use uuid::Uuid;

/// Portal accounts: one customer's login to one site.
#[async_trait]
pub trait Accounts: Send {
    /// Adds an account; a login ID taken on the site (any case) is a conflict.
    async fn insert_account(&mut self, account: &Account) -> StoreResult<()>;

    /// Adds many accounts in few statements; a login ID taken on its site
    /// (any case) is a conflict and none of the statement's rows is added.
    async fn insert_accounts(&mut self, accounts: &[Account]) -> StoreResult<()>;

    /// Which of these login IDs are taken on the site (compared without
    /// case); answered in lowercase.
    async fn taken_login_ids(
        &mut self,
        site_id: Uuid,
        login_ids: &[String],
    ) -> StoreResult<Vec<String>>;

    /// The account with this ID.
    async fn account_by_id(&mut self, id: Uuid) -> StoreResult<Option<Account>>;

    /// The account with this login ID on the site, compared without case.
    async fn account_by_login_id(
        &mut self,
        site_id: Uuid,
        login_id: &str,
    ) -> StoreResult<Option<Account>>;

    /// The account with this e-mail address on the site, compared without
    /// case; a live one before a deleted one.
    async fn account_by_email(
        &mut self,
        site_id: Uuid,
        email: &str,
    ) -> StoreResult<Option<Account>>;

    /// Writes an account back if nobody changed it since it was read
    /// (same `version`), else [`StoreError::Stale`]. Answers the new version.
    async fn save_account(&mut self, account: &Account) -> StoreResult<i64>;

    /// Accounts matching a filter at `now` (the status is derived in SQL),
    /// newest registration first.
    async fn list_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Account>>;

    /// How many accounts match a filter at `now`.
    async fn count_accounts(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<i64>;

    /// How many accounts match a filter (its status aside) in each status at
    /// `now`, one pair per status in `Status::ALL` order, in one query.
    async fn count_accounts_by_status(
        &mut self,
        filter: &AccountFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<(Status, i64)>>;

    /// Registrations per UTC day since `since` (on one site, or all): pairs
    /// of (days since 1970-01-01, count), days without one left out.
    async fn registrations_per_day(
        &mut self,
        site_id: Option<Uuid>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<(i64, i64)>>;

    /// The accounts of a customer.
    async fn accounts_of_customer(&mut self, customer_id: Uuid) -> StoreResult<Vec<Account>>;

    /// The accounts of several customers (a page of the customer list), in
    /// one query; at most 500 customers.
    async fn accounts_of_customers(&mut self, customer_ids: &[Uuid]) -> StoreResult<Vec<Account>>;

    /// The live (not deleted) accounts on a site whose customers belong to
    /// a company, by login ID, at most `limit`.
    async fn team_accounts(
        &mut self,
        site_id: Uuid,
        company_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<Account>>;

    /// Adds one failed attempt atomically; answers the new count, or `None`
    /// when there is no such account.
    async fn record_failed_attempt(&mut self, id: Uuid) -> StoreResult<Option<u32>>;
}
