//! The store's admins' overrides of the shipped e-mail templates.

use crate::StoreResult;
use crate::model::EmailTemplate;
use async_trait::async_trait;
use uuid::Uuid;

/// Admins' overrides of the shipped e-mail templates.
#[async_trait]
pub trait Templates: Send {
    /// Stores an admin's template override.
    async fn upsert_template(&mut self, template: &EmailTemplate) -> StoreResult<()>;

    /// Every override of a site.
    async fn list_templates(&mut self, site_id: Uuid) -> StoreResult<Vec<EmailTemplate>>;

    /// Removes an override (the shipped default applies again); answers
    /// whether there was one.
    async fn delete_template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<bool>;

    /// The override for this site, key and language.
    async fn template(
        &mut self,
        site_id: Uuid,
        key: &str,
        language: &str,
    ) -> StoreResult<Option<EmailTemplate>>;
}
