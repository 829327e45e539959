//! The data folder's SQLite database as a whole: the lock a running server
//! holds on it, and `gatehouse restore FILE`, which puts a backup in its
//! place.
//!
//! Invariants owned here:
//! - Every `serve` on a data folder holds a shared lock on its
//!   `serve.lock` for as long as it runs; a restore takes that lock
//!   exclusively, so it is refused while any server uses the folder (the
//!   lock goes with the process, however it ends).
//! - A restore refuses a file that is not a whole Gatehouse database or is
//!   newer than this binary, before touching the folder.
//! - Nothing is lost: the database it replaces (with its `-wal` and `-shm`)
//!   is kept beside it as `gatehouse.db.before-restore-<time>`; the backup is
//!   copied under a temporary name, written to disk, and renamed into place.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

/// The lock file in a data folder.
const LOCK: &str = "serve.lock";

/// The shared lock a running server holds on its data folder (released
/// when dropped, or when the process ends).
pub struct Serving {
    _lock: File,
}

/// Takes the data folder's shared lock for a server.
pub fn hold_while_serving(data: &Path) -> Result<Serving> {
    let file = lock_file(data)?;
    file.lock_shared()
        .with_context(|| format!("cannot lock {}", data.join(LOCK).display()))?;
    Ok(Serving { _lock: file })
}

fn lock_file(data: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data.join(LOCK))
        .with_context(|| format!("cannot open {}", data.join(LOCK).display()))
}

/// What a restore put in place, and where the database it replaced went.
pub struct Restored {
    /// The backup's schema version.
    pub schema_version: i64,
    /// The database it replaced, kept (`None`: the folder had none).
    pub kept: Option<PathBuf>,
}

/// Puts the backup at `file` in place of `data`'s database `db` (see the
/// module's invariants). The caller migrates and reports afterwards.
pub async fn put_in_place(file: &Path, data: &Path, db: &Path) -> Result<Restored> {
    let lock = lock_file(data)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "a Gatehouse server is running on {}; stop every server on it first (nothing was changed)",
            data.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(anyhow!(e).context(format!("cannot lock {}", data.join(LOCK).display())));
        }
    }
    let checked = gatehouse_store::check_file(file).await.map_err(|e| {
        let why = match e {
            gatehouse_store::StoreError::Corrupt(why) => why,
            other => other.to_string(),
        };
        anyhow!("not restored: {why} (nothing was changed)")
    })?;
    let known = gatehouse_store::sqlite_schema_version();
    if checked.schema_version > known {
        bail!(
            "not restored: the backup's schema is version {}, newer than this Gatehouse knows (version {known}); restore it with that version (nothing was changed)",
            checked.schema_version
        );
    }
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "gatehouse.db".into());
    let incoming = db.with_file_name(format!(".{name}.restoring-{}", std::process::id()));
    std::fs::copy(file, &incoming)
        .and_then(|_| File::open(&incoming)?.sync_all())
        .map_err(|e| {
            let _ = std::fs::remove_file(&incoming);
            anyhow!("not restored: cannot copy {}: {e}", file.display())
        })?;
    let kept = if db.exists() {
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let kept = db.with_file_name(format!("{name}.before-restore-{stamp}"));
        std::fs::rename(db, &kept).context("cannot move the current database aside")?;
        for tail in ["-wal", "-shm"] {
            let side = db.with_file_name(format!("{name}{tail}"));
            if side.exists() {
                let to = db.with_file_name(format!("{name}.before-restore-{stamp}{tail}"));
                std::fs::rename(&side, to)
                    .with_context(|| format!("cannot move {} aside", side.display()))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&incoming, db).context("cannot put the backup in place")?;
    drop(lock);
    Ok(Restored {
        schema_version: checked.schema_version,
        kept,
    })
}
