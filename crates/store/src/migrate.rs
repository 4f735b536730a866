//! Migrations: per backend, embedded in the binary, append-only, applied in order at start and
//! by `carebridge migrate`. A deployed database replays history exactly: a change to the schema
//! is a new file, never an edit of an applied one (the checksum refuses that).

use crate::backend::{Backend, Store};
use crate::error::StoreError;
use sqlx::{Executor, Row};

/// One migration: version, name, SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// SQLite's migrations, in order.
pub const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "registry", sql: include_str!("../migrations/sqlite/0001_registry.sql") },
    Migration { version: 2, name: "capacity_now", sql: include_str!("../migrations/sqlite/0002_capacity_now.sql") },
    Migration {
        version: 3,
        name: "report_units_as_columns",
        sql: include_str!("../migrations/sqlite/0003_report_units_as_columns.sql"),
    },
    Migration { version: 4, name: "referrals", sql: include_str!("../migrations/sqlite/0004_referrals.sql") },
    Migration {
        version: 5,
        name: "placement_plans",
        sql: include_str!("../migrations/sqlite/0005_placement_plans.sql"),
    },
    Migration {
        version: 6,
        name: "placement_safety",
        sql: include_str!("../migrations/sqlite/0006_placement_safety.sql"),
    },
    Migration { version: 7, name: "booking", sql: include_str!("../migrations/sqlite/0007_booking.sql") },
    Migration {
        version: 8,
        name: "booking_changes",
        sql: include_str!("../migrations/sqlite/0008_booking_changes.sql"),
    },
    Migration { version: 9, name: "registration", sql: include_str!("../migrations/sqlite/0009_registration.sql") },
    Migration { version: 10, name: "fever_clinics", sql: include_str!("../migrations/sqlite/0010_fever_clinics.sql") },
    Migration {
        version: 11,
        name: "online_consultations",
        sql: include_str!("../migrations/sqlite/0011_online_consultations.sql"),
    },
];

/// PostgreSQL's migrations, in order; versions match SQLite's one for one.
pub const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "registry", sql: include_str!("../migrations/postgres/0001_registry.sql") },
    Migration { version: 2, name: "capacity_now", sql: include_str!("../migrations/postgres/0002_capacity_now.sql") },
    Migration {
        version: 3,
        name: "report_units_as_columns",
        sql: include_str!("../migrations/postgres/0003_report_units_as_columns.sql"),
    },
    Migration { version: 4, name: "referrals", sql: include_str!("../migrations/postgres/0004_referrals.sql") },
    Migration {
        version: 5,
        name: "placement_plans",
        sql: include_str!("../migrations/postgres/0005_placement_plans.sql"),
    },
    Migration {
        version: 6,
        name: "placement_safety",
        sql: include_str!("../migrations/postgres/0006_placement_safety.sql"),
    },
    Migration { version: 7, name: "booking", sql: include_str!("../migrations/postgres/0007_booking.sql") },
    Migration {
        version: 8,
        name: "booking_changes",
        sql: include_str!("../migrations/postgres/0008_booking_changes.sql"),
    },
    Migration { version: 9, name: "registration", sql: include_str!("../migrations/postgres/0009_registration.sql") },
    Migration {
        version: 10,
        name: "fever_clinics",
        sql: include_str!("../migrations/postgres/0010_fever_clinics.sql"),
    },
    Migration {
        version: 11,
        name: "online_consultations",
        sql: include_str!("../migrations/postgres/0011_online_consultations.sql"),
    },
];

fn checksum(sql: &str) -> String {
    // FNV-1a: stable across builds and platforms, enough to notice an edited migration.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in sql.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// Apply every pending migration; returns the versions applied now.
pub async fn run(store: &Store) -> Result<Vec<i64>, StoreError> {
    run_through(store, i64::MAX).await
}

/// Apply the pending migrations up to and including version `last`: how a test builds a
/// database as an older release left it, to check that a later migration carries its data.
pub async fn run_through(store: &Store, last: i64) -> Result<Vec<i64>, StoreError> {
    let migrations = match store.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let migrations = migrations.iter().filter(|m| m.version <= last);
    let mut conn = store.pool().acquire().await?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    drop(conn);
    let mut applied_now = Vec::new();
    for m in migrations {
        let mut tx = store.begin().await?;
        if store.backend() == Backend::Postgres {
            // Two servers starting at once must not both apply a migration.
            tx.inner.execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").await?;
        }
        let existing = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx.inner)
            .await?;
        match existing {
            Some(row) => {
                let stored: String = row.try_get("checksum")?;
                if stored != checksum(m.sql) {
                    return Err(StoreError::corrupt(
                        "schema_migrations",
                        format!("migration {} ({}) was edited after it was applied", m.version, m.name),
                    ));
                }
            }
            None => {
                sqlx::raw_sql(m.sql).execute(&mut *tx.inner).await?;
                sqlx::query(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
                     VALUES ($1, $2, $3, CAST(CURRENT_TIMESTAMP AS TEXT))",
                )
                .bind(m.version)
                .bind(m.name)
                .bind(checksum(m.sql))
                .execute(&mut *tx.inner)
                .await?;
                applied_now.push(m.version);
            }
        }
        tx.commit().await?;
    }
    Ok(applied_now)
}
