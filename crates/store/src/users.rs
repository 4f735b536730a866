//! Users and their API tokens. Passwords arrive here already hashed (argon2id, by the service);
//! tokens are stored as SHA-256 hashes, so a copy of the database lets no one sign in.

use crate::backend::{Store, Tx};
use crate::error::{map_unique, StoreError};
use crate::rows;
use crate::sql::SqlBuilder;
use crate::visibility::Visibility;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{FacilityId, UserId};
use carebridge_domain::region::{RegionCode, RegionPath};
use carebridge_domain::user::{Principal, Role, Scope, User};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Where a user sits, for scoping lists of users: the region path of their scope (a facility's
/// region for desks and clinicians).
#[derive(Debug, Clone, Copy)]
pub struct UserPlacement {
    pub path: Option<RegionPath>,
    pub facility: Option<FacilityId>,
}

fn scope_columns(scope: &Scope) -> (&'static str, Option<String>) {
    match scope {
        Scope::Nation => ("nation", None),
        Scope::Region(c) => ("region", Some(c.to_string())),
        Scope::Facility(f) => ("facility", Some(f.to_string())),
        Scope::Own => ("own", None),
    }
}

fn scope_from(kind: &str, id: Option<String>) -> Result<Scope, StoreError> {
    const T: &str = "users";
    match (kind, id) {
        ("nation", _) => Ok(Scope::Nation),
        ("own", _) => Ok(Scope::Own),
        ("region", Some(c)) => Ok(Scope::Region(rows::region(T, &c)?)),
        ("facility", Some(f)) => Ok(Scope::Facility(rows::parse(T, &f)?)),
        (k, _) => Err(StoreError::corrupt(T, format!("bad scope `{k}`"))),
    }
}

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    const T: &str = "users";
    Ok(User {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        username: row.try_get("username")?,
        role: rows::vocab(T, &row.try_get::<String, _>("role")?, Role::parse)?,
        scope: scope_from(&row.try_get::<String, _>("scope_kind")?, row.try_get("scope_id")?)?,
        display_name: row.try_get("display_name")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

/// Insert a user; a taken username is a `Conflict`.
pub async fn insert(
    tx: &mut Tx,
    user: &User,
    password_hash: &str,
    placement: UserPlacement,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (kind, id) = scope_columns(&user.scope);
    let code = |f: fn(&RegionPath) -> RegionCode| placement.path.as_ref().map(|p| f(p).to_string());
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, scope_kind, scope_id, display_name, disabled, created_at, \
         province_code, city_code, region_code, facility_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(user.id.to_string())
    .bind(user.username.as_str())
    .bind(password_hash)
    .bind(user.role.as_str())
    .bind(kind)
    .bind(id)
    .bind(user.display_name.as_str())
    .bind(i64::from(user.disabled))
    .bind(now.millis())
    .bind(code(|p| p.province))
    .bind(code(|p| p.city))
    .bind(code(|p| p.region))
    .bind(placement.facility.map(|f| f.to_string()))
    .execute(&mut *tx.inner)
    .await
    .map_err(|e| map_unique(e, "username is taken"))?;
    Ok(())
}

/// A user and their password hash, by username (for sign-in).
pub async fn find_for_login(store: &Store, username: &str) -> Result<Option<(User, String)>, StoreError> {
    let row =
        sqlx::query("SELECT * FROM users WHERE username = $1").bind(username).fetch_optional(store.pool()).await?;
    match row {
        Some(r) => Ok(Some((user_from_row(&r)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

/// A user by id, if visible. Users with no region (national, patients) are visible only to
/// `Visibility::All`.
pub async fn get(store: &Store, id: UserId, visibility: Visibility) -> Result<User, StoreError> {
    let mut q = SqlBuilder::new("SELECT * FROM users u WHERE u.id = ");
    q.bind_text(id.to_string());
    visibility.push_condition(&mut q, "u", "facility_id");
    let row = q.query().fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    user_from_row(&row)
}

/// Users visible, by username, after `after`; `limit + 1` at most.
pub async fn list(
    store: &Store,
    visibility: Visibility,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<User>, StoreError> {
    let mut q = SqlBuilder::new("SELECT * FROM users u WHERE 1 = 1");
    visibility.push_condition(&mut q, "u", "facility_id");
    if let Some(after) = after {
        q.push(" AND u.username > ").bind_text(after);
    }
    q.push(" ORDER BY u.username LIMIT ").bind_i64(i64::from(limit) + 1);
    q.query().fetch_all(store.pool()).await?.iter().map(user_from_row).collect()
}

/// Store a token's hash.
pub async fn insert_token(
    tx: &mut Tx,
    token_hash: &str,
    user: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user.to_string())
        .bind(now.millis())
        .bind(expires_at.millis())
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}

/// The principal behind a live token: not revoked, not expired, user not disabled.
pub async fn principal_for_token(
    store: &Store,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(Principal, Timestamp)>, StoreError> {
    let row = sqlx::query(
        "SELECT u.*, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.disabled = 0",
    )
    .bind(token_hash)
    .bind(now.millis())
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(r) => {
            let u = user_from_row(&r)?;
            let expires = Timestamp::from_millis(r.try_get("expires_at")?);
            Ok(Some((Principal { user_id: u.id, username: u.username, role: u.role, scope: u.scope }, expires)))
        }
        None => Ok(None),
    }
}

/// Revoke a token; returns whether a live token was revoked.
pub async fn revoke_token(tx: &mut Tx, token_hash: &str, now: Timestamp) -> Result<bool, StoreError> {
    let r = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(now.millis())
        .bind(token_hash)
        .execute(&mut *tx.inner)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Record how a patient who signed up is reached.
pub async fn insert_contact(tx: &mut Tx, user: UserId, contact: &str, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO patient_contacts (user_id, contact, created_at) VALUES ($1, $2, $3)")
        .bind(user.to_string())
        .bind(contact)
        .bind(now.millis())
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}
