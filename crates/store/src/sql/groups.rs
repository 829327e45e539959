//! The SQL behind [`Groups`], one body for both engines.

use super::*;
use crate::tx::Groups;

#[async_trait]
impl Groups for SqlTx {
    #[tracing::instrument(name = "store.groups.insert_group", level = "debug", skip_all)]
    async fn insert_group(&mut self, g: &Group) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("groups.insert_group");
        exec!(self, sqlx::query("INSERT INTO customer_groups (id, name, description, active, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(g.id).bind(&g.name).bind(&g.description).bind(g.active).bind(to_ms(g.created_at)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.groups.list_groups", level = "debug", skip_all)]
    async fn list_groups(&mut self) -> StoreResult<Vec<Group>> {
        let _timer = crate::metrics::Timer::start("groups.list_groups");
        fetch_all!(
            self,
            Group,
            sqlx::query_as("SELECT * FROM customer_groups ORDER BY lower(name)")
        )
    }

    #[tracing::instrument(name = "store.groups.update_group", level = "debug", skip_all)]
    async fn update_group(&mut self, g: &Group) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("groups.update_group");
        // A group's name is in the claims apps read.
        self.announce();
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE customer_groups SET name = $2, description = $3, active = $4 WHERE id = $1"
            )
            .bind(g.id)
            .bind(&g.name)
            .bind(&g.description)
            .bind(g.active)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.groups.group_size", level = "debug", skip_all, fields(id = ?id))]
    async fn group_size(&mut self, id: Uuid) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("groups.group_size");
        Ok(
            on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE group_id = $1")
            .bind(id).fetch_one(&mut **c).await)?,
        )
    }

    #[tracing::instrument(name = "store.groups.delete_group", level = "debug", skip_all, fields(id = ?id))]
    async fn delete_group(&mut self, id: Uuid) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("groups.delete_group");
        self.announce();
        let done = exec!(
            self,
            sqlx::query("DELETE FROM customer_groups WHERE id = $1").bind(id)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
