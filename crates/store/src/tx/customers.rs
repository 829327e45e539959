//! The store's customer records (the list itself is planned in `sql/customer_list.rs`).

use crate::StoreResult;
use crate::model::{Customer, CustomerFilter, CustomerPage};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Customer records (the list itself is planned in `sql/customer_list.rs`).
#[async_trait]
pub trait Customers: Send {
    /// Adds a customer.
    async fn insert_customer(&mut self, customer: &Customer) -> StoreResult<()>;

    /// Adds many customers in few statements (for `gatehouse seed` and imports).
    async fn insert_customers(&mut self, customers: &[Customer]) -> StoreResult<()>;

    /// Removes a customer; one with accounts is [`StoreError::Referenced`].
    async fn delete_customer(&mut self, id: Uuid) -> StoreResult<()>;

    /// Replaces a customer's data and `updated_at`.
    async fn update_customer(&mut self, customer: &Customer) -> StoreResult<()>;

    /// A page of the customer list: filtered, sorted (ties by ID), paged.
    /// `broad` says that more than [`crate::BROAD_MATCHES`] customers match (as
    /// `count_customers` found): the page is then looked for first by walking
    /// the sort order, which finds a page of a large match set after a few
    /// hundred rows instead of collecting and sorting every match.
    async fn list_customers(
        &mut self,
        filter: &CustomerFilter,
        page: &CustomerPage,
        broad: bool,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>>;

    /// How many customers a filter matches, counting no further than
    /// `cap` + 1 when a cap is given (so that "more than `cap`" costs what
    /// counting `cap` rows costs, not what counting a million does).
    async fn count_customers(
        &mut self,
        filter: &CustomerFilter,
        now: OffsetDateTime,
        cap: Option<i64>,
    ) -> StoreResult<i64>;

    /// The next customers matching a filter after `after` in ID order (for
    /// streaming an export in constant memory).
    async fn customers_after(
        &mut self,
        filter: &CustomerFilter,
        after: Option<Uuid>,
        limit: i64,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Customer>>;

    /// Customers whose name, e-mail address, company or phone contains the
    /// text (any case), at most `limit`.
    async fn search_customers(&mut self, text: &str, limit: i64) -> StoreResult<Vec<Customer>>;

    /// Customers that may be the same person or company as the given data:
    /// the same e-mail address, the same first and last name, the same
    /// company, or the same phone (any case).
    async fn customer_candidates(
        &mut self,
        email: &str,
        first_name: &str,
        last_name: &str,
        company: &str,
        phone: &str,
    ) -> StoreResult<Vec<Customer>>;

    /// The customer with this ID.
    async fn customer_by_id(&mut self, id: Uuid) -> StoreResult<Option<Customer>>;

    /// Several customers (those of a page of accounts) in one query; at most
    /// 500.
    async fn customers_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Customer>>;
}
