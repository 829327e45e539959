//! A consistent copy of a SQLite database while it serves, the check that a
//! file is a whole Gatehouse database (a backup before it is restored), and
//! the check that a database's schema is not newer than this binary.
//!
//! Invariants owned here:
//! - A backup is written by `VACUUM INTO` (one read transaction: the copy
//!   is the database as of one moment, and writers are not held up) to a
//!   temporary name in the target's folder, checked (`PRAGMA
//!   integrity_check`, the migrations table read), synced to disk, and
//!   only then renamed to the name asked for; on any failure the temporary
//!   file is removed. A file already at the name is never replaced.
//! - The checks ([`check_file`], [`not_newer`]) open read-only or read the
//!   migrations table only; they change nothing.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _, SqlitePool};

use crate::{Backup, StoreError, StoreResult};

/// Copies the database of `pool` to `path` (see [`crate::Store::backup_into`]).
pub(crate) async fn sqlite_into(pool: &SqlitePool, path: &Path) -> StoreResult<Backup> {
    if path.exists() {
        return Err(StoreError::Conflict(format!(
            "{} exists already; name a new file (a backup never replaces one)",
            path.display()
        )));
    }
    let partial = partial_name(path)?;
    let made = copy_and_check(pool, &partial).await;
    let made = match made {
        Ok(made) => std::fs::rename(&partial, path).map(|()| made).map_err(|e| {
            StoreError::Other(format!("cannot name the backup {}: {e}", path.display()))
        }),
        Err(e) => Err(e),
    };
    if made.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    made
}

/// `.NAME.partial-<random>` beside `path`.
fn partial_name(path: &Path) -> StoreResult<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| StoreError::Other(format!("{} is not a file name", path.display())))?;
    let partial = format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        uuid::Uuid::now_v7().simple()
    );
    Ok(path.with_file_name(partial))
}

async fn copy_and_check(pool: &SqlitePool, partial: &Path) -> StoreResult<Backup> {
    let target = utf8(partial)?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(pool)
        .await?;
    let made = check_file(partial).await?;
    std::fs::File::open(partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Other(format!("cannot write the copy to disk: {e}")))?;
    Ok(made)
}

fn utf8(path: &Path) -> StoreResult<&str> {
    path.to_str()
        .ok_or_else(|| StoreError::Other(format!("{} is not a UTF-8 path", path.display())))
}

/// Whether the file at `path` is a whole Gatehouse database (SQLite): it
/// opens read-only, passes `PRAGMA integrity_check`, and has Gatehouse's
/// migrations and sites; answers its schema version and size. Changes
/// nothing. A file that is not one is [`StoreError::Corrupt`], saying why.
pub async fn check_file(path: &Path) -> StoreResult<Backup> {
    let not_ours = |why: String| StoreError::Corrupt(format!("{} {why}", path.display()));
    if !path.is_file() {
        return Err(not_ours("is not a file".into()));
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", utf8(path)?))
        .map_err(|e| StoreError::Other(e.to_string()))?
        .read_only(true)
        .log_statements(log::LevelFilter::Off);
    let mut db = sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| not_ours(format!("cannot be opened as a database: {e}")))?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .map_err(|e| not_ours(format!("is not a SQLite database: {e}")))?;
    if verdict != "ok" {
        return Err(not_ours(format!("failed its check: {verdict}")));
    }
    let ours: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('_sqlx_migrations', 'sites', 'accounts')",
    )
    .fetch_one(&mut db)
    .await?;
    if ours != 3 {
        return Err(not_ours("is not a Gatehouse database".into()));
    }
    let schema_version: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut db)
            .await?;
    db.close().await?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(Backup {
        schema_version: schema_version.unwrap_or(0),
        bytes,
    })
}

/// The newest migration this binary has for SQLite.
pub fn sqlite_schema_version() -> i64 {
    super::SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Refuses a database that a newer Gatehouse migrated: its newest applied
/// migration is past `known`, the newest this binary has. `newest` is what
/// the database says (`None`: never migrated).
pub(crate) fn not_newer(newest: Option<i64>, known: i64) -> StoreResult<()> {
    match newest {
        Some(database) if database > known => Err(StoreError::SchemaTooNew {
            database,
            binary: known,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_newer_schema_is_refused() {
        assert!(not_newer(None, 18).is_ok(), "a new database");
        assert!(not_newer(Some(17), 18).is_ok(), "an older one is migrated");
        assert!(not_newer(Some(18), 18).is_ok());
        let refused = not_newer(Some(19), 18).unwrap_err().to_string();
        assert!(
            refused.contains("version 19") && refused.contains("version 18"),
            "{refused}"
        );
    }

    #[test]
    fn the_partial_name_is_hidden_beside_the_target() {
        let partial = partial_name(Path::new("/backups/gatehouse.db")).unwrap();
        assert_eq!(partial.parent(), Some(Path::new("/backups")));
        let name = partial.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".gatehouse.db.partial-"), "{name}");
    }
}
