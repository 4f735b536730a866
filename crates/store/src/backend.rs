//! Connecting: the URL picks SQLite or PostgreSQL; per-backend settings live here and nowhere
//! else.
//!
//! SQLite runs in WAL mode with foreign keys on, and a commit returns only once its log is on
//! disk (`synchronous = FULL`, or on the writer connection `NORMAL` plus the store's own sync of
//! the log, see [`crate::durability`]), so a committed write survives a crash of the process and
//! of the machine. SQLite allows one writer at a time, so
//! every write transaction goes through one dedicated connection (a pool of one: waiting for it
//! is the in-process writer queue) and starts with `BEGIN IMMEDIATE`, which also orders us
//! against other processes such as a `carebridge import` beside a running server. Keeping the
//! writes on one connection keeps its page cache warm: SQLite drops a connection's cache whenever
//! another connection has written, so rotating writes over the read pool re-read every page a
//! write touches. Reads use their own pool.

use crate::changes::{ChangeLog, Changed};
use crate::durability::{LogSync, PendingSync};
use crate::error::StoreError;
use crate::native::NativeWriter;
use carebridge_domain::ids::FacilityId;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Hide a password in a URL before it reaches a message or a log.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The store: the pools and the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Store {
    /// Reads (and, on PostgreSQL, writes too).
    pool: AnyPool,
    /// SQLite only: the one connection every write transaction uses.
    writer: Option<AnyPool>,
    backend: Backend,
    /// SQLite only: the checkpointer stops when the last clone of the store is dropped.
    _checkpointer: Option<Arc<oneshot::Sender<()>>>,
    /// SQLite with a database file: syncs its log after each commit.
    log: Option<Arc<LogSync>>,
    /// SQLite with a database file: the native writer thread for the hot write paths.
    native: Option<Arc<NativeWriter>>,
    /// Facilities committed writes have touched (see [`crate::changes`]).
    changes: Arc<ChangeLog>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    pub(crate) inner: Transaction<'static, Any>,
    backend: Backend,
    /// SQLite: the log to sync after the commit (see [`crate::durability`]).
    log: Option<Arc<LogSync>>,
    /// Facilities this transaction wrote, recorded in `changes` once it commits.
    touched: Changed,
    changes: Arc<ChangeLog>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Tx {
    /// Commit; returns once the commit is on disk.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.commit_deferred().await?.wait().await
    }

    /// Commit, and leave waiting for the disk to the caller: the writer connection is free for
    /// the next transaction while the log is synced. Nobody may be told the write succeeded
    /// before [`PendingSync::wait`] has returned `Ok`.
    pub async fn commit_deferred(self) -> Result<PendingSync, StoreError> {
        self.inner.commit().await?;
        self.changes.record(self.touched);
        Ok(PendingSync { log: self.log })
    }

    /// Note that this transaction writes a row placement reads for `facility` (see
    /// [`crate::changes`]).
    pub(crate) fn touch(&mut self, facility: FacilityId) {
        if !self.touched.all {
            self.touched.facilities.insert(facility);
        }
    }

    /// Note that this transaction writes placement's rows of more facilities than are worth
    /// listing.
    pub(crate) fn touch_all(&mut self) {
        self.touched = Changed { all: true, facilities: Default::default() };
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Run SQL text without parameters in this transaction; answers the rows it changed. Not
    /// for the application's own writes (each has its function with its audit entry): for a
    /// test that builds the rows an older schema held, to check the migration that carries
    /// them.
    pub async fn execute_unparameterised(&mut self, sql: &str) -> Result<u64, StoreError> {
        Ok(sqlx::raw_sql(sql).execute(&mut *self.inner).await?.rows_affected())
    }
}

impl Store {
    /// Connect and configure; does not migrate (see [`crate::migrate`]).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            // Create the file on first use.
            Backend::Sqlite if !url.contains("mode=") => {
                if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = pool_options(backend, max_connections.max(1)).connect_with(options.clone()).await?;
        let (writer, checkpointer, log, native) = match backend {
            // Never closed for idleness or age: the point is a warm cache. The writer does not
            // checkpoint: the checkpointer task does, beside it.
            Backend::Sqlite => {
                let writer = pool_options(backend, 1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(SQLITE_PRAGMAS).await?;
                            // Commits return before the log is synced; the store syncs it
                            // (see `durability`). Checkpoints still sync both files.
                            conn.execute("PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = NORMAL").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?;
                let file = database_file(&writer).await?;
                let log = file.as_deref().map(|file| Arc::new(LogSync::for_database(file)));
                // An in-memory database is private to its connection: no second writer on it.
                let native = file.as_deref().map(NativeWriter::open).transpose()?.map(Arc::new);
                let stop = spawn_checkpointer(pool.clone(), writer.clone(), native.clone());
                (Some(writer), Some(Arc::new(stop)), log, native)
            }
            Backend::Postgres => (None, None, None, None),
        };
        Ok(Self { pool, writer, backend, _checkpointer: checkpointer, log, native, changes: Arc::default() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// SQLite with a database file: the native writer thread (see [`crate::native`]).
    pub(crate) fn native(&self) -> Option<&NativeWriter> {
        self.native.as_deref()
    }

    /// What a commit made outside [`Tx`] (on the native writer) waits for to be on disk.
    pub(crate) fn pending_sync(&self) -> PendingSync {
        PendingSync { log: self.log.clone() }
    }

    /// The facilities committed writes have touched since the last call (see
    /// [`crate::changes`]).
    pub fn take_changes(&self) -> Changed {
        self.changes.take()
    }

    /// Record what a commit outside [`Tx`] (on the native writer) touched.
    pub(crate) fn record_changes(&self, changed: Changed) {
        self.changes.record(changed);
    }

    /// Begin a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match &self.writer {
            Some(writer) => writer.begin_with("BEGIN IMMEDIATE").await?,
            None => self.pool.begin().await?,
        };
        Ok(Tx {
            inner,
            backend: self.backend,
            log: self.log.clone(),
            touched: Changed::default(),
            changes: self.changes.clone(),
        })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Copy SQLite's whole write-ahead log back into the database file and start the log over,
    /// on the writer (writes wait for it): how a bulk import ends, so the reads that follow do
    /// not look their pages up in a log of hundreds of megabytes while the background
    /// checkpointer is still copying it. Nothing to do on PostgreSQL.
    pub async fn checkpoint_all(&self) -> Result<(), StoreError> {
        const SQL: &str = "PRAGMA wal_checkpoint(TRUNCATE)";
        if let Some(native) = &self.native {
            return native.run(|c| c.query_row(SQL, [], |_| Ok(())).map_err(StoreError::from)).await?;
        }
        if let Some(writer) = &self.writer {
            sqlx::query(SQL).fetch_all(writer).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(native) = &self.native {
            native.close();
        }
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// Pool settings per backend. A SQLite connection is a file handle, not a socket that can go
/// stale, so it is not pinged before each use (that ping is a round trip to the connection's
/// worker thread on every acquire).
fn pool_options(backend: Backend, max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(SQLITE_PRAGMAS).await?;
                }
                Ok(())
            })
        })
}

/// Every SQLite connection's settings.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; \
     PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 2147418112; \
     PRAGMA journal_size_limit = 67108864;";

/// How often the checkpointer copies the write-ahead log back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Checkpoint SQLite's write-ahead log off the writer's path, and keep the log from growing.
///
/// Left to SQLite, the committing writer runs the checkpoint itself whenever the log passes
/// 1,000 pages, and that commit (and every report waiting on it) takes several times as long.
/// So each tick runs a `PASSIVE` checkpoint from a reader connection, which copies the log back
/// while the writer goes on; the next write after a pass that copied everything starts the log
/// over from its beginning. Under a write stream heavier than the pass can copy, a reader's
/// pass never catches the last frames and the log would grow without end (gigabytes within a
/// minute, with every lookup in it slower). So when a pass leaves more than
/// [`WAL_FRAMES_BEFORE_WRITER_PASS`] frames, a second pass runs on a writer connection itself,
/// between two write transactions: writes wait for it, and the log starts over. That is the
/// native writer where there is one (it carries the heavy write streams), else the `sqlx`
/// writer. Ends when the store is closed or the returned sender is dropped.
fn spawn_checkpointer(readers: AnyPool, writer: AnyPool, native: Option<Arc<NativeWriter>>) -> oneshot::Sender<()> {
    let (stop, mut stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = &mut stopped => break,
            }
            if readers.is_closed() || writer.is_closed() {
                break;
            }
            let outcome = match checkpoint(&readers).await.map_err(StoreError::from) {
                Ok(Some(left)) if left > WAL_FRAMES_BEFORE_WRITER_PASS => match &native {
                    Some(native) => native.run(checkpoint_native).await.and_then(|r| r),
                    None => checkpoint(&writer).await.map(|_| ()).map_err(StoreError::from),
                },
                other => other.map(|_| ()),
            };
            if let Err(e) = outcome {
                if readers.is_closed() || writer.is_closed() {
                    break;
                }
                tracing::warn!(error = %e, "checkpointing the SQLite write-ahead log failed; will retry");
            }
        }
    });
    stop
}

/// The main database file behind `writer`, or `None` for an in-memory or temporary database
/// (which has no log on disk to sync).
async fn database_file(writer: &AnyPool) -> Result<Option<String>, StoreError> {
    use sqlx::Row;
    let rows = sqlx::query("PRAGMA database_list").fetch_all(writer).await?;
    for row in rows {
        let (name, file): (String, String) = (row.try_get(1)?, row.try_get(2)?);
        if name == "main" {
            return Ok(Some(file).filter(|f| !f.is_empty()));
        }
    }
    Ok(None)
}

/// Frames (pages) a reader's checkpoint may leave behind before the writer's own pass runs:
/// 32 MiB of log at 4 KiB pages.
const WAL_FRAMES_BEFORE_WRITER_PASS: i64 = 8_192;

/// One `PASSIVE` checkpoint on the native writer connection.
fn checkpoint_native(conn: &mut rusqlite::Connection) -> Result<(), StoreError> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
    Ok(())
}

/// One `PASSIVE` checkpoint on a connection of `pool`; answers how many frames of the log it
/// left uncopied (`None` when the database is not in WAL mode).
async fn checkpoint(pool: &AnyPool) -> Result<Option<i64>, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(pool).await?;
    let (log, done): (i64, i64) = (row.try_get(1)?, row.try_get(2)?);
    Ok((log >= 0).then_some(log - done))
}
