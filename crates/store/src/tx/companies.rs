//! The store's companies, the organisations customers belong to.

use crate::StoreResult;
use crate::model::{Company, CompanyListed, Customer};
use async_trait::async_trait;
use uuid::Uuid;

/// Companies, the organisations customers belong to.
#[async_trait]
pub trait Companies: Send {
    /// Adds a company; a taken name key or external ID is a conflict (the
    /// text names `name_key` or `external_id`).
    async fn insert_company(&mut self, company: &Company) -> StoreResult<()>;

    /// Replaces a company's data; a new name is written into its customers'
    /// records too (their `company` and search text), in the same
    /// transaction.
    async fn update_company(&mut self, company: &Company) -> StoreResult<()>;

    /// The company with this ID.
    async fn company_by_id(&mut self, id: Uuid) -> StoreResult<Option<Company>>;

    /// The company with this name key (see `gatehouse_domain::company_key`).
    async fn company_by_key(&mut self, name_key: &str) -> StoreResult<Option<Company>>;

    /// A page of companies by name, those whose name or external ID
    /// contains `search` (any case) when given, with their counts.
    async fn list_companies(
        &mut self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<CompanyListed>>;

    /// The first `limit` company names, by name (for pickers; no counts).
    async fn company_names(&mut self, limit: i64) -> StoreResult<Vec<String>>;

    /// How many companies `list_companies` would list in all.
    async fn count_companies(&mut self, search: Option<&str>) -> StoreResult<i64>;

    /// Removes a company; one with customers is [`StoreError::Referenced`].
    async fn delete_company(&mut self, id: Uuid) -> StoreResult<()>;

    /// Customers with a free-text company (blank ones too) and no company
    /// record (written before companies were records), at most `limit`.
    async fn customers_without_company_record(&mut self, limit: i64) -> StoreResult<Vec<Customer>>;
}
