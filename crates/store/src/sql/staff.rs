//! The SQL behind [`Staff`], one body for both engines.

use super::*;
use crate::tx::Staff;

#[async_trait]
impl Staff for SqlTx {
    #[tracing::instrument(name = "store.staff.insert_staff", level = "debug", skip_all)]
    async fn insert_staff(&mut self, s: &StaffUser) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("staff.insert_staff");
        exec!(self, sqlx::query(
            "INSERT INTO staff_users (id, email, password_hash, role, totp_secret, active, created_at, last_login_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(s.id).bind(&s.email).bind(&s.password_hash).bind(s.role.as_str()).bind(&s.totp_secret)
            .bind(s.active).bind(to_ms(s.created_at)).bind(s.last_login_at.map(to_ms)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.staff.staff_by_email", level = "debug", skip_all)]
    async fn staff_by_email(&mut self, email: &str) -> StoreResult<Option<StaffUser>> {
        let _timer = crate::metrics::Timer::start("staff.staff_by_email");
        fetch_optional!(
            self,
            StaffRow,
            sqlx::query_as("SELECT * FROM staff_users WHERE lower(email) = lower($1)").bind(email)
        )
    }

    #[tracing::instrument(name = "store.staff.staff_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn staff_by_id(&mut self, id: Uuid) -> StoreResult<Option<StaffUser>> {
        let _timer = crate::metrics::Timer::start("staff.staff_by_id");
        fetch_optional!(
            self,
            StaffRow,
            sqlx::query_as("SELECT * FROM staff_users WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.staff.set_staff_password", level = "debug", skip_all, fields(id = ?id))]
    async fn set_staff_password(&mut self, id: Uuid, password_hash: &str) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("staff.set_staff_password");
        exec!(
            self,
            sqlx::query("UPDATE staff_users SET password_hash = $2 WHERE id = $1")
                .bind(id)
                .bind(password_hash)
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.staff.set_staff_totp", level = "debug", skip_all, fields(id = ?id))]
    async fn set_staff_totp(&mut self, id: Uuid, secret: Option<&str>) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("staff.set_staff_totp");
        exec!(
            self,
            sqlx::query(
                "UPDATE staff_users SET totp_secret = $2, totp_pending = NULL WHERE id = $1"
            )
            .bind(id)
            .bind(secret)
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.staff.replace_staff_recovery_codes", level = "debug", skip_all, fields(staff_id = ?staff_id))]
    async fn replace_staff_recovery_codes(
        &mut self,
        staff_id: Uuid,
        code_hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("staff.replace_staff_recovery_codes");
        exec!(
            self,
            sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1").bind(staff_id)
        )?;
        for hash in code_hashes {
            exec!(self, sqlx::query(
                "INSERT INTO staff_recovery_codes (staff_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind(staff_id).bind(hash).bind(to_ms(now)))?;
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.staff.use_staff_recovery_code", level = "debug", skip_all, fields(staff_id = ?staff_id))]
    async fn use_staff_recovery_code(
        &mut self,
        staff_id: Uuid,
        code_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("staff.use_staff_recovery_code");
        let done = exec!(self, sqlx::query(
            "UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(staff_id).bind(code_hash).bind(to_ms(now)))?;
        Ok(done == 1)
    }

    #[tracing::instrument(name = "store.staff.use_staff_totp_step", level = "debug", skip_all, fields(staff_id = ?staff_id))]
    async fn use_staff_totp_step(&mut self, staff_id: Uuid, step: i64) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("staff.use_staff_totp_step");
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE staff_users SET totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)"
            )
            .bind(staff_id)
            .bind(step)
        )?;
        Ok(done == 1)
    }

    #[tracing::instrument(name = "store.staff.staff_recovery_codes_left", level = "debug", skip_all, fields(staff_id = ?staff_id))]
    async fn staff_recovery_codes_left(&mut self, staff_id: Uuid) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("staff.staff_recovery_codes_left");
        let (n,): (i64,) = on!(self, c => sqlx::query_as(
            "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL")
            .bind(staff_id).fetch_one(&mut **c).await)?;
        Ok(n)
    }

    #[tracing::instrument(name = "store.staff.staff_totp_pending", level = "debug", skip_all, fields(id = ?id))]
    async fn staff_totp_pending(&mut self, id: Uuid) -> StoreResult<Option<String>> {
        let _timer = crate::metrics::Timer::start("staff.staff_totp_pending");
        let row: Option<(Option<String>,)> = on!(self, c => sqlx::query_as(
            "SELECT totp_pending FROM staff_users WHERE id = $1")
            .bind(id).fetch_optional(&mut **c).await)?;
        Ok(row.and_then(|(p,)| p))
    }

    #[tracing::instrument(name = "store.staff.set_staff_totp_pending", level = "debug", skip_all, fields(id = ?id))]
    async fn set_staff_totp_pending(&mut self, id: Uuid, secret: Option<&str>) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("staff.set_staff_totp_pending");
        exec!(
            self,
            sqlx::query("UPDATE staff_users SET totp_pending = $2 WHERE id = $1")
                .bind(id)
                .bind(secret)
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.staff.list_staff", level = "debug", skip_all)]
    async fn list_staff(&mut self) -> StoreResult<Vec<StaffUser>> {
        let _timer = crate::metrics::Timer::start("staff.list_staff");
        fetch_all!(
            self,
            StaffRow,
            sqlx::query_as("SELECT * FROM staff_users ORDER BY lower(email)")
        )
    }

    #[tracing::instrument(name = "store.staff.update_staff", level = "debug", skip_all, fields(id = ?id))]
    async fn update_staff(
        &mut self,
        id: Uuid,
        role: gatehouse_domain::StaffRole,
        active: bool,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("staff.update_staff");
        let done = exec!(
            self,
            sqlx::query("UPDATE staff_users SET role = $2, active = $3 WHERE id = $1")
                .bind(id)
                .bind(role.as_str())
                .bind(active)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.staff.record_staff_login", level = "debug", skip_all, fields(id = ?id))]
    async fn record_staff_login(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("staff.record_staff_login");
        exec!(
            self,
            sqlx::query("UPDATE staff_users SET last_login_at = $2 WHERE id = $1")
                .bind(id)
                .bind(to_ms(now))
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.staff.count_staff", level = "debug", skip_all)]
    async fn count_staff(&mut self) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("staff.count_staff");
        Ok(
            on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM staff_users").fetch_one(&mut **c).await)?,
        )
    }
}
