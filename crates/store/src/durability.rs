//! When a SQLite commit reaches the disk, as a step of its own.
//!
//! With `synchronous = FULL`, SQLite syncs the write-ahead log inside `COMMIT`: the single
//! writer connection then sits idle for the whole `fsync`, and nothing else can be written
//! meanwhile. The writer connection runs with `synchronous = NORMAL` instead — SQLite still
//! syncs the log header on a restart and both files around every checkpoint, so the database is
//! never corrupted, but a commit returns once its frames are written, before they are on disk —
//! and the store syncs the log itself after each commit: [`Tx::commit`](crate::Tx::commit) does
//! so before it returns, which is exactly `FULL`'s guarantee. A caller that wants to start its
//! next transaction while the log reaches the disk (the group-commit writer for capacity
//! reports) takes [`Tx::commit_deferred`](crate::Tx::commit_deferred) instead and answers its
//! callers only once the [`PendingSync`] it got back has completed.
//!
//! Why this is safe: an `fdatasync` of the log file flushes every frame written to it before the
//! call, whichever descriptor wrote them, so a commit whose frames were written before the sync
//! started is durable when the sync returns. Frames of a later transaction written meanwhile may
//! or may not be flushed with them; they are not reported durable until their own sync. SQLite
//! overwrites the log from its start only after a checkpoint has copied every frame into the
//! database file and synced it, so a frame a pending sync covers is either still in the log or
//! already durable in the database.

use crate::error::StoreError;
use std::path::PathBuf;
use std::sync::Arc;

/// Syncs one SQLite database's write-ahead log.
#[derive(Debug)]
pub(crate) struct LogSync {
    wal: PathBuf,
}

impl LogSync {
    /// For the database file at `database` (its log is `<database>-wal`).
    pub fn for_database(database: &str) -> Self {
        Self { wal: PathBuf::from(format!("{database}-wal")) }
    }

    /// `fdatasync` the log, on a blocking thread. A missing log has nothing to sync: SQLite
    /// deletes it only when the last connection closes, after checkpointing it into the
    /// database file and syncing that.
    async fn sync(self: Arc<Self>) -> Result<(), StoreError> {
        let joined = tokio::task::spawn_blocking(move || match std::fs::File::open(&self.wal) {
            Ok(file) => file.sync_data(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        })
        .await;
        match joined {
            Ok(result) => result.map_err(|e| StoreError::Database(sqlx::Error::Io(e))),
            Err(e) => Err(StoreError::Database(sqlx::Error::Io(std::io::Error::other(e)))),
        }
    }
}

/// A committed transaction whose log may not be on disk yet; [`PendingSync::wait`] returns once
/// it is. On PostgreSQL, and for SQLite databases without a file, it is durable already.
#[must_use = "a deferred commit is durable only once `wait` has returned Ok"]
#[derive(Debug)]
pub struct PendingSync {
    pub(crate) log: Option<Arc<LogSync>>,
}

impl PendingSync {
    /// Wait until the commit is on disk.
    pub async fn wait(self) -> Result<(), StoreError> {
        match self.log {
            Some(log) => log.sync().await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_log_that_exists_is_synced_and_a_missing_one_has_nothing_to_sync() {
        let dir = std::env::temp_dir().join(format!("cb-log-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let database = dir.join("db.sqlite3").display().to_string();
        let log = Arc::new(LogSync::for_database(&database));
        assert_eq!(log.wal, dir.join("db.sqlite3-wal"));
        PendingSync { log: Some(Arc::clone(&log)) }.wait().await.expect("no log yet: nothing to sync");
        std::fs::write(&log.wal, b"frames").expect("write a log");
        PendingSync { log: Some(log) }.wait().await.expect("sync the log");
        PendingSync { log: None }.wait().await.expect("nothing to sync");
        std::fs::remove_dir_all(&dir).ok();
    }
}
