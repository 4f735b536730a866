//! The SQLite writer thread: one `rusqlite` connection on a thread of its own, for the write
//! paths that run hot enough for the driver to matter (the capacity reports' group commit).
//!
//! Through `sqlx`, every statement is a message to the connection's worker thread and an
//! answer back (about 70 µs each here), and a group of reports had to be packed into one JSON
//! parameter per table for SQLite to unpack again: with 64 desks posting, the writer spent most
//! of its time on that plumbing, not in the B-tree. Here a whole group — authorisation reads,
//! inserts, the current-state upserts, the audit rows, the commit — is one closure run on the
//! thread against prepared statements cached on the connection: one hand-off per group.
//!
//! The connection is configured like the `sqlx` writer (WAL, foreign keys, `synchronous =
//! NORMAL` with the store syncing the log after each commit, see [`crate::durability`], no
//! automatic checkpoints). Both writers take SQLite's write lock with `BEGIN IMMEDIATE`, so
//! they never interleave inside a transaction; the busy timeout orders them.

use crate::error::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// Work for the thread: runs with the connection, answers through its own channel.
type Work = Box<dyn FnOnce(&mut Connection) + Send>;

/// What the thread is asked to do.
enum Message {
    Run(Work),
    /// Finish: the connection closes (checkpointing the log if it is the last one).
    Close,
}

/// A handle on the writer thread; cheap to share behind an `Arc`.
pub(crate) struct NativeWriter {
    /// `Mutex` only to make the sender `Sync` on every supported toolchain; held for a send.
    jobs: Mutex<mpsc::Sender<Message>>,
}

/// Settings of the writer connection; see the module documentation.
const PRAGMAS: [&str; 8] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    // 16 MiB, not the readers' 64: the writer's hot pages are few (index interiors, the current
    // state, the right edge of the history), reads of the rest come through the memory map,
    // and a smaller cache is cheaper to keep (HTTP ingestion on the 14-day registry: about
    // 5,000/s at 16 MiB against 4,500/s at 64 MiB, docs/BENCHMARKS.md).
    "PRAGMA cache_size = -16384",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA mmap_size = 2147418112",
    "PRAGMA journal_size_limit = 67108864",
    "PRAGMA wal_autocheckpoint = 0",
];

impl NativeWriter {
    /// Open the database file at `path` (which must exist and be migrated) on a new thread.
    pub fn open(path: &str) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        for pragma in PRAGMAS {
            // Some pragmas answer with a row (journal_mode, mmap_size); step through it.
            let mut statement = conn.prepare(pragma)?;
            let mut rows = statement.query([])?;
            while rows.next()?.is_some() {}
        }
        // Room for every statement the hot paths prepare, so none is evicted and re-prepared.
        conn.set_prepared_statement_cache_capacity(64);
        let (sender, receiver) = mpsc::channel::<Message>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(conn, receiver))
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(Self { jobs: Mutex::new(sender) })
    }

    /// Run `work` on the writer thread and wait for its answer. A panic inside `work` rolls back
    /// whatever transaction it held open (the transaction is dropped while unwinding) and
    /// answers an error; the thread goes on serving.
    pub async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> R + Send + 'static,
    ) -> Result<R, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job: Work = Box::new(move |conn| {
            let _ = reply.send(work(conn));
        });
        self.send(Message::Run(job))?;
        answer.await.map_err(|_| gone("the SQLite writer thread dropped the work (it panicked)"))
    }

    /// Ask the thread to close its connection and end; work already queued runs first.
    pub fn close(&self) {
        let _ = self.send(Message::Close);
    }

    fn send(&self, message: Message) -> Result<(), StoreError> {
        let jobs = self.jobs.lock().map_err(|_| gone("the SQLite writer's queue is poisoned"))?;
        jobs.send(message).map_err(|_| gone("the SQLite writer thread has stopped"))
    }
}

/// The thread's loop: until closed, or until every handle is gone.
fn serve(mut conn: Connection, receiver: mpsc::Receiver<Message>) {
    while let Ok(Message::Run(work)) = receiver.recv() {
        if std::panic::catch_unwind(AssertUnwindSafe(|| work(&mut conn))).is_err() {
            tracing::error!("work on the SQLite writer thread panicked; its transaction was rolled back");
        }
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!(error = %e, "closing the SQLite writer connection failed");
    }
}

fn gone(why: &str) -> StoreError {
    StoreError::Unavailable(why.to_string())
}
