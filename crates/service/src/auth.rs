//! Sign-in and API tokens.
//!
//! Passwords are hashed with argon2id on a blocking thread (a hash takes tens of milliseconds by
//! design and must not stall the async runtime). Tokens are 256 random bits shown once; only
//! their SHA-256 is stored, so they can be revoked and a database copy signs no one in.

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use carebridge_domain::user::Principal;
use carebridge_store::users;
use sha2::{Digest, Sha256};

/// A token just issued.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub principal: Principal,
}

/// Hash a password with argon2id and a fresh salt (blocking; call from a blocking thread).
pub fn hash_password_blocking(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing a password: {e}")))
}

/// Hash on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing task: {e}")))?
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of no real password, verified against when the username is unknown so that the
/// answer takes as long as for a known user (no username probing by timing).
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password_blocking("no-such-user-password").unwrap_or_default()).clone()
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Carebridge {
    /// Check a username and password and issue a token.
    pub async fn issue_token(
        &self,
        username: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<IssuedToken, ServiceError> {
        let bad = || ServiceError::Unauthenticated("unknown username or wrong password".into());
        // A control character in a username (a NUL cannot even be sent to PostgreSQL) names no
        // account; the password is only ever hashed.
        if password.chars().count() > 1024 || username.len() > 64 || username.chars().any(char::is_control) {
            return Err(bad());
        }
        let found = users::find_for_login(&self.store, username).await?;
        let pw = password.to_string();
        let (hash, user) = match found {
            Some((user, hash)) => (Some(hash), Some(user)),
            None => (None, None),
        };
        let ok = tokio::task::spawn_blocking(move || verify_blocking(&pw, &hash.unwrap_or_else(dummy_hash)))
            .await
            .map_err(|e| ServiceError::Internal(format!("verify task: {e}")))?;
        let user = match user {
            Some(u) if ok && !u.disabled => u,
            _ => return Err(bad()),
        };
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut OsRng, &mut bytes);
        let token = format!("cb_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
        let now = self.now();
        let expires = carebridge_domain::clock::Timestamp::from_millis(now.millis() + self.token_ttl_secs * 1000);
        let principal =
            Principal { user_id: user.id, username: user.username.clone(), role: user.role, scope: user.scope };
        let mut tx = self.store.begin().await?;
        users::insert_token(&mut tx, &token_hash(&token), user.id, now, expires).await?;
        self.audit(
            &mut tx,
            &actor_of(&principal),
            meta,
            "auth.token.issue",
            "user",
            &user.id.to_string(),
            serde_json::json!({ "expires_at": expires }),
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedToken { access_token: token, expires_in: self.token_ttl_secs, principal })
    }

    /// The principal behind a bearer token, or `Unauthenticated`. Answered from the token cache
    /// when the token was looked up moments ago (see `token_cache`).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, ServiceError> {
        if !token.starts_with("cb_") || token.len() > 100 {
            return Err(ServiceError::Unauthenticated("the token is malformed".into()));
        }
        let hash = token_hash(token);
        let now = self.now();
        if let Some(p) = self.tokens.get(&hash, now) {
            return Ok(p);
        }
        match users::principal_for_token(&self.store, &hash, now).await? {
            Some((p, expires)) => {
                self.tokens.put(hash, p.clone(), expires, now);
                Ok(p)
            }
            None => Err(ServiceError::Unauthenticated("the token is unknown, expired or revoked".into())),
        }
    }

    /// Revoke the token the caller used.
    pub async fn revoke_token(
        &self,
        principal: &Principal,
        token: &str,
        meta: &RequestMeta,
    ) -> Result<(), ServiceError> {
        let hash = token_hash(token);
        let mut tx = self.store.begin().await?;
        users::revoke_token(&mut tx, &hash, self.now()).await?;
        self.audit(
            &mut tx,
            &actor_of(principal),
            meta,
            "auth.token.revoke",
            "user",
            &principal.user_id.to_string(),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        // After the commit, and remembered as revoked: a lookup racing the revocation that read
        // the old row cannot cache the token again.
        self.tokens.forget(&hash, self.now());
        Ok(())
    }
}
