//! The SQL behind [`SigningKeys`], one body for both engines.

use super::*;
use crate::tx::SigningKeys;

#[async_trait]
impl SigningKeys for SqlTx {
    #[tracing::instrument(
        name = "store.signing_keys.insert_signing_key",
        level = "debug",
        skip_all
    )]
    async fn insert_signing_key(&mut self, k: &SigningKey) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("signing_keys.insert_signing_key");
        exec!(self, sqlx::query(
            "INSERT INTO signing_keys (kid, alg, private_der, public_jwk, created_at, signs_from, retired_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&k.kid).bind(&k.alg).bind(&k.private_der).bind(&k.public_jwk)
            .bind(to_ms(k.created_at)).bind(to_ms(k.signs_from))
            .bind(k.retired_at.map(to_ms)).bind(k.expires_at.map(to_ms)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.signing_keys.signing_keys", level = "debug", skip_all)]
    async fn signing_keys(&mut self) -> StoreResult<Vec<SigningKey>> {
        let _timer = crate::metrics::Timer::start("signing_keys.signing_keys");
        fetch_all!(
            self,
            SigningKey,
            sqlx::query_as("SELECT * FROM signing_keys ORDER BY created_at DESC, kid")
        )
    }

    #[tracing::instrument(
        name = "store.signing_keys.retire_signing_key",
        level = "debug",
        skip_all
    )]
    async fn retire_signing_key(
        &mut self,
        kid: &str,
        retired_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("signing_keys.retire_signing_key");
        exec!(
            self,
            sqlx::query(
                "UPDATE signing_keys SET retired_at = $2, expires_at = $3 WHERE kid = $1 AND retired_at IS NULL"
            )
            .bind(kid)
            .bind(to_ms(retired_at))
            .bind(to_ms(expires_at))
        )?;
        Ok(())
    }

    #[tracing::instrument(
        name = "store.signing_keys.delete_expired_signing_keys",
        level = "debug",
        skip_all
    )]
    async fn delete_expired_signing_keys(&mut self, now: OffsetDateTime) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("signing_keys.delete_expired_signing_keys");
        Ok(exec!(
            self,
            sqlx::query(
                "DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= $1"
            )
            .bind(to_ms(now))
        )?)
    }
}
