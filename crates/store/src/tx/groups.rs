//! The store's customer groups.

use crate::StoreResult;
use crate::model::Group;
use async_trait::async_trait;
use uuid::Uuid;

/// Customer groups.
#[async_trait]
pub trait Groups: Send {
    /// Adds a group; a taken name (any case) is a conflict.
    async fn insert_group(&mut self, group: &Group) -> StoreResult<()>;

    /// Every group, by name.
    async fn list_groups(&mut self) -> StoreResult<Vec<Group>>;

    /// Replaces a group's name, description and active flag.
    async fn update_group(&mut self, group: &Group) -> StoreResult<()>;

    /// How many customers a group has.
    async fn group_size(&mut self, id: Uuid) -> StoreResult<i64>;

    /// Removes a group; one with members is [`StoreError::Referenced`].
    async fn delete_group(&mut self, id: Uuid) -> StoreResult<()>;
}
