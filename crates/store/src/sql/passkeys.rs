//! The SQL behind [`Passkeys`], one body for both engines.

use super::*;
use crate::model::{Ceremony, PasskeyRecord};
use crate::tx::Passkeys;

#[async_trait]
impl Passkeys for SqlTx {
    #[tracing::instrument(name = "store.passkeys.insert_passkey", level = "debug", skip_all, fields(account_id = ?p.account_id))]
    async fn insert_passkey(&mut self, p: &PasskeyRecord) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("passkeys.insert_passkey");
        exec!(self, sqlx::query(
            "INSERT INTO passkeys (id, account_id, credential_id, name, credential, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(p.id).bind(p.account_id).bind(&p.credential_id).bind(&p.name).bind(&p.credential)
            .bind(to_ms(p.created_at)).bind(p.last_used_at.map(to_ms)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.passkeys.passkeys_of", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn passkeys_of(&mut self, account_id: Uuid) -> StoreResult<Vec<PasskeyRecord>> {
        let _timer = crate::metrics::Timer::start("passkeys.passkeys_of");
        fetch_all!(
            self,
            PasskeyRecord,
            sqlx::query_as("SELECT * FROM passkeys WHERE account_id = $1 ORDER BY created_at, id")
                .bind(account_id)
        )
    }

    #[tracing::instrument(
        name = "store.passkeys.passkey_by_credential_id",
        level = "debug",
        skip_all
    )]
    async fn passkey_by_credential_id(
        &mut self,
        credential_id: &[u8],
    ) -> StoreResult<Option<PasskeyRecord>> {
        let _timer = crate::metrics::Timer::start("passkeys.passkey_by_credential_id");
        fetch_optional!(
            self,
            PasskeyRecord,
            sqlx::query_as("SELECT * FROM passkeys WHERE credential_id = $1").bind(credential_id)
        )
    }

    #[tracing::instrument(name = "store.passkeys.passkey_used", level = "debug", skip_all, fields(id = ?id))]
    async fn passkey_used(
        &mut self,
        id: Uuid,
        credential: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("passkeys.passkey_used");
        exec!(
            self,
            sqlx::query("UPDATE passkeys SET credential = $2, last_used_at = $3 WHERE id = $1")
                .bind(id)
                .bind(credential)
                .bind(to_ms(now))
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.passkeys.rename_passkey", level = "debug", skip_all, fields(id = ?id))]
    async fn rename_passkey(
        &mut self,
        account_id: Uuid,
        id: Uuid,
        name: &str,
    ) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("passkeys.rename_passkey");
        let done = exec!(
            self,
            sqlx::query("UPDATE passkeys SET name = $3 WHERE account_id = $1 AND id = $2")
                .bind(account_id)
                .bind(id)
                .bind(name)
        )?;
        Ok(done == 1)
    }

    #[tracing::instrument(name = "store.passkeys.delete_passkey", level = "debug", skip_all, fields(id = ?id))]
    async fn delete_passkey(&mut self, account_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("passkeys.delete_passkey");
        let done = exec!(
            self,
            sqlx::query("DELETE FROM passkeys WHERE account_id = $1 AND id = $2")
                .bind(account_id)
                .bind(id)
        )?;
        Ok(done == 1)
    }

    #[tracing::instrument(name = "store.passkeys.insert_ceremony", level = "debug", skip_all)]
    async fn insert_ceremony(&mut self, c: &Ceremony) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("passkeys.insert_ceremony");
        exec!(
            self,
            sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at <= $1")
                .bind(to_ms(c.created_at))
        )?;
        exec!(self, sqlx::query(
            "INSERT INTO webauthn_ceremonies (token_hash, site_id, account_id, kind, state, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&c.token_hash).bind(c.site_id).bind(c.account_id).bind(&c.kind).bind(&c.state)
            .bind(to_ms(c.created_at)).bind(to_ms(c.expires_at)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.passkeys.take_ceremony", level = "debug", skip_all)]
    async fn take_ceremony(
        &mut self,
        token_hash: &[u8],
        kind: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Ceremony>> {
        let _timer = crate::metrics::Timer::start("passkeys.take_ceremony");
        fetch_optional!(
            self,
            Ceremony,
            sqlx::query_as(
                "DELETE FROM webauthn_ceremonies WHERE token_hash = $1 AND kind = $2 AND expires_at > $3 \
                 RETURNING *"
            )
            .bind(token_hash)
            .bind(kind)
            .bind(to_ms(now))
        )
    }
}
