//! The SQL behind [`Sessions`], one body for both engines.

use super::*;
use crate::tx::Sessions;

#[async_trait]
impl Sessions for SqlTx {
    #[tracing::instrument(name = "store.sessions.insert_session", level = "debug", skip_all)]
    async fn insert_session(&mut self, s: &Session) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("sessions.insert_session");
        let (account_id, staff_id) = match s.owner {
            SessionOwner::Account(a) => (Some(a), None),
            SessionOwner::Staff(st) => (None, Some(st)),
        };
        exec!(self, sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, staff_id, impersonator_id, csrf_token, created_at, \
             last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent, sid, amr) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
            .bind(&s.token_hash).bind(account_id).bind(staff_id).bind(s.impersonator_id).bind(&s.csrf_token)
            .bind(to_ms(s.created_at)).bind(to_ms(s.last_seen_at)).bind(to_ms(s.idle_expires_at))
            .bind(to_ms(s.absolute_expires_at)).bind(&s.ip).bind(&s.user_agent).bind(&s.sid).bind(&s.amr))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.sessions.session_by_hash", level = "debug", skip_all)]
    async fn session_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<Session>> {
        let _timer = crate::metrics::Timer::start("sessions.session_by_hash");
        fetch_optional!(
            self,
            SessionRow,
            sqlx::query_as("SELECT * FROM sessions WHERE token_hash = $1").bind(token_hash)
        )
    }

    #[tracing::instrument(name = "store.sessions.list_account_sessions", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn list_account_sessions(&mut self, account_id: Uuid) -> StoreResult<Vec<Session>> {
        let _timer = crate::metrics::Timer::start("sessions.list_account_sessions");
        fetch_all!(
            self,
            SessionRow,
            sqlx::query_as("SELECT * FROM sessions WHERE account_id = $1 ORDER BY created_at DESC")
                .bind(account_id)
        )
    }

    #[tracing::instrument(name = "store.sessions.touch_session", level = "debug", skip_all)]
    async fn touch_session(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("sessions.touch_session");
        self.announce_about(crate::session_subject(token_hash));
        exec!(
            self,
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE token_hash = $1"
            )
            .bind(token_hash)
            .bind(to_ms(now))
            .bind(to_ms(idle_expires_at))
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.sessions.delete_impersonations", level = "debug", skip_all, fields(account_id = ?account_id, staff_id = ?staff_id))]
    async fn delete_impersonations(
        &mut self,
        account_id: Uuid,
        staff_id: Uuid,
    ) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("sessions.delete_impersonations");
        self.announce_about(account_id);
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND impersonator_id = $2")
                .bind(account_id)
                .bind(staff_id)
        )?)
    }

    #[tracing::instrument(name = "store.sessions.delete_staff_sessions", level = "debug", skip_all, fields(staff_id = ?staff_id))]
    async fn delete_staff_sessions(&mut self, staff_id: Uuid) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("sessions.delete_staff_sessions");
        self.announce();
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1").bind(staff_id)
        )?)
    }

    #[tracing::instrument(name = "store.sessions.delete_session", level = "debug", skip_all)]
    async fn delete_session(&mut self, token_hash: &[u8]) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("sessions.delete_session");
        self.announce_about(crate::session_subject(token_hash));
        let done = exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)
        )?;
        Ok(done > 0)
    }

    #[tracing::instrument(name = "store.sessions.delete_account_sessions", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn delete_account_sessions(
        &mut self,
        account_id: Uuid,
        keep: Option<&[u8]>,
    ) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("sessions.delete_account_sessions");
        self.announce_about(account_id);
        // An empty hash never matches a stored one (those are 32 bytes).
        let keep = keep.unwrap_or(&[]);
        let done = exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
                .bind(account_id)
                .bind(keep)
        )?;
        Ok(done)
    }
}
