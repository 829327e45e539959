//! The SQL behind [`SecondSteps`], one body for both engines.

use super::*;
use crate::model::{SecondStepRecord, SignInStep};
use crate::tx::SecondSteps;

#[async_trait]
impl SecondSteps for SqlTx {
    #[tracing::instrument(name = "store.second_steps.second_step", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn second_step(&mut self, account_id: Uuid) -> StoreResult<Option<SecondStepRecord>> {
        let _timer = crate::metrics::Timer::start("second_steps.second_step");
        fetch_optional!(
            self,
            SecondStepRecord,
            sqlx::query_as("SELECT * FROM account_second_steps WHERE account_id = $1")
                .bind(account_id)
        )
    }

    #[tracing::instrument(name = "store.second_steps.set_totp_pending", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn set_totp_pending(
        &mut self,
        account_id: Uuid,
        secret: Option<&str>,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("second_steps.set_totp_pending");
        exec!(
            self,
            sqlx::query(
                "INSERT INTO account_second_steps (account_id, totp_pending) VALUES ($1, $2) \
             ON CONFLICT (account_id) DO UPDATE SET totp_pending = excluded.totp_pending"
            )
            .bind(account_id)
            .bind(secret)
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.second_steps.turn_on_totp", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn turn_on_totp(
        &mut self,
        account_id: Uuid,
        secret: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("second_steps.turn_on_totp");
        exec!(self, sqlx::query(
            "INSERT INTO account_second_steps (account_id, totp_secret, turned_on_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET totp_secret = excluded.totp_secret, \
             totp_pending = NULL, turned_on_at = excluded.turned_on_at, last_used_at = NULL")
            .bind(account_id).bind(secret).bind(to_ms(now)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.second_steps.turn_off_second_step", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn turn_off_second_step(&mut self, account_id: Uuid) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("second_steps.turn_off_second_step");
        exec!(
            self,
            sqlx::query("DELETE FROM account_recovery_codes WHERE account_id = $1")
                .bind(account_id)
        )?;
        let gone =
            exec!(self, sqlx::query(
            "DELETE FROM account_second_steps WHERE account_id = $1 AND totp_secret IS NOT NULL")
            .bind(account_id))?;
        exec!(
            self,
            sqlx::query("DELETE FROM account_second_steps WHERE account_id = $1").bind(account_id)
        )?;
        Ok(gone == 1)
    }

    #[tracing::instrument(name = "store.second_steps.use_totp_step", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn use_totp_step(&mut self, account_id: Uuid, step: i64) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("second_steps.use_totp_step");
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE account_second_steps SET last_step = $2 \
             WHERE account_id = $1 AND (last_step IS NULL OR last_step < $2)"
            )
            .bind(account_id)
            .bind(step)
        )?;
        Ok(done == 1)
    }

    #[tracing::instrument(name = "store.second_steps.touch_second_step", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn touch_second_step(
        &mut self,
        account_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("second_steps.touch_second_step");
        exec!(
            self,
            sqlx::query("UPDATE account_second_steps SET last_used_at = $2 WHERE account_id = $1")
                .bind(account_id)
                .bind(to_ms(now))
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.second_steps.replace_recovery_codes", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn replace_recovery_codes(
        &mut self,
        account_id: Uuid,
        code_hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("second_steps.replace_recovery_codes");
        exec!(
            self,
            sqlx::query("DELETE FROM account_recovery_codes WHERE account_id = $1")
                .bind(account_id)
        )?;
        for hash in code_hashes {
            exec!(self, sqlx::query(
                "INSERT INTO account_recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind(account_id).bind(hash).bind(to_ms(now)))?;
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.second_steps.use_recovery_code", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn use_recovery_code(
        &mut self,
        account_id: Uuid,
        code_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("second_steps.use_recovery_code");
        let done = exec!(self, sqlx::query(
            "UPDATE account_recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(account_id).bind(code_hash).bind(to_ms(now)))?;
        Ok(done == 1)
    }

    #[tracing::instrument(name = "store.second_steps.recovery_codes_left", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn recovery_codes_left(&mut self, account_id: Uuid) -> StoreResult<i64> {
        let _timer = crate::metrics::Timer::start("second_steps.recovery_codes_left");
        let (n,): (i64,) = on!(self, c => sqlx::query_as(
            "SELECT COUNT(*) FROM account_recovery_codes WHERE account_id = $1 AND used_at IS NULL")
            .bind(account_id).fetch_one(&mut **c).await)?;
        Ok(n)
    }

    #[tracing::instrument(
        name = "store.second_steps.insert_sign_in_step",
        level = "debug",
        skip_all
    )]
    async fn insert_sign_in_step(&mut self, step: &SignInStep) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("second_steps.insert_sign_in_step");
        exec!(
            self,
            sqlx::query("DELETE FROM sign_in_steps WHERE expires_at <= $1")
                .bind(to_ms(step.created_at))
        )?;
        exec!(self, sqlx::query(
            "INSERT INTO sign_in_steps (token_hash, account_id, set_up, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)")
            .bind(&step.token_hash).bind(step.account_id).bind(step.set_up)
            .bind(to_ms(step.created_at)).bind(to_ms(step.expires_at)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.second_steps.sign_in_step", level = "debug", skip_all)]
    async fn sign_in_step(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<Option<SignInStep>> {
        let _timer = crate::metrics::Timer::start("second_steps.sign_in_step");
        fetch_optional!(
            self,
            SignInStep,
            sqlx::query_as("SELECT * FROM sign_in_steps WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash)
                .bind(to_ms(now))
        )
    }

    #[tracing::instrument(
        name = "store.second_steps.delete_sign_in_step",
        level = "debug",
        skip_all
    )]
    async fn delete_sign_in_step(&mut self, token_hash: &[u8]) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("second_steps.delete_sign_in_step");
        let gone = exec!(
            self,
            sqlx::query("DELETE FROM sign_in_steps WHERE token_hash = $1").bind(token_hash)
        )?;
        Ok(gone == 1)
    }
}
