//! Idempotency keys: a creating POST with an `Idempotency-Key` is done once per principal and
//! key; a retry with the same body replays the stored response, another body is refused.
//!
//! The key is reserved (a row with no response yet) before the work starts, so two concurrent
//! retries cannot both do the work; the response is saved after. A reservation whose process
//! died before saving a response expires after [`PENDING_EXPIRY_MS`], so a client is never stuck.

use crate::backend::Store;
use crate::error::StoreError;
use carebridge_domain::clock::Timestamp;
use sqlx::Row;

/// How long a reservation without a response blocks retries.
pub const PENDING_EXPIRY_MS: i64 = 60_000;

/// What reserving found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// New key: do the work, then [`complete`] (or [`release`] on failure).
    Reserved,
    /// Done before with the same body: replay this.
    Replay { status: u16, headers: String, body: String },
    /// Used before with another body.
    Mismatch,
    /// Another request with this key is still running.
    InProgress,
}

pub async fn reserve(
    store: &Store,
    principal: &str,
    key: &str,
    request_hash: &str,
    now: Timestamp,
) -> Result<Reservation, StoreError> {
    let mut tx = store.begin().await?;
    let existing = sqlx::query("SELECT request_hash, status, headers, body, created_at FROM idempotency_keys WHERE principal = $1 AND idem_key = $2")
        .bind(principal)
        .bind(key)
        .fetch_optional(&mut *tx.inner)
        .await?;
    let outcome = match existing {
        None => {
            sqlx::query(
                "INSERT INTO idempotency_keys (principal, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(principal)
            .bind(key)
            .bind(request_hash)
            .bind(now.millis())
            .execute(&mut *tx.inner)
            .await?;
            Reservation::Reserved
        }
        Some(row) => {
            let hash: String = row.try_get("request_hash")?;
            let status: Option<i64> = row.try_get("status")?;
            let created: i64 = row.try_get("created_at")?;
            if hash != request_hash {
                Reservation::Mismatch
            } else if let Some(status) = status {
                Reservation::Replay {
                    status: u16::try_from(status).unwrap_or(500),
                    headers: row.try_get::<Option<String>, _>("headers")?.unwrap_or_default(),
                    body: row.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
                }
            } else if now.millis() - created > PENDING_EXPIRY_MS {
                sqlx::query("UPDATE idempotency_keys SET created_at = $1 WHERE principal = $2 AND idem_key = $3")
                    .bind(now.millis())
                    .bind(principal)
                    .bind(key)
                    .execute(&mut *tx.inner)
                    .await?;
                Reservation::Reserved
            } else {
                Reservation::InProgress
            }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Save the response of a reserved key.
pub async fn complete(
    store: &Store,
    principal: &str,
    key: &str,
    status: u16,
    headers: &str,
    body: &str,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, headers = $2, body = $3 WHERE principal = $4 AND idem_key = $5",
    )
    .bind(i64::from(status))
    .bind(headers)
    .bind(body)
    .bind(principal)
    .bind(key)
    .execute(&mut *tx.inner)
    .await?;
    tx.commit().await
}

/// Drop a reservation whose work failed before anything was written, so a retry may run.
pub async fn release(store: &Store, principal: &str, key: &str) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND idem_key = $2 AND status IS NULL")
        .bind(principal)
        .bind(key)
        .execute(&mut *tx.inner)
        .await?;
    tx.commit().await
}
