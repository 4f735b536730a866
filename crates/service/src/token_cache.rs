//! A short-lived cache of who a bearer token belongs to.
//!
//! Every API request presents a token, and looking it up is a database read: at thousands of
//! capacity reports a second that read is a large share of the work, and on SQLite every read
//! transaction after a write starts with a cold page cache. So a token's principal is kept here
//! for a few seconds after a lookup.
//!
//! What the cache may never do is keep a dead token alive. Expiry is checked against the
//! token's own expiry time on every hit, with the service clock. A revocation through this
//! process removes the entry at once. A revocation through another process sharing the
//! database (a second server on PostgreSQL) is seen within [`FRESH_FOR_MS`], the only window in
//! which a revoked token still works, and only on a server that had just seen it.

use carebridge_domain::clock::Timestamp;
use carebridge_domain::user::Principal;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a looked-up principal is trusted without asking the database again.
pub const FRESH_FOR_MS: i64 = 5_000;

/// Most tokens kept; past it the cache starts over (a bound, not an eviction policy: active
/// tokens come straight back).
const MAX_ENTRIES: usize = 65_536;

#[derive(Debug, Clone)]
struct Entry {
    principal: Principal,
    token_expires_at: Timestamp,
    looked_up_at: Timestamp,
}

/// Token hash → principal, for [`FRESH_FOR_MS`].
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Tokens revoked here in the last moments: a lookup that read the row before the
    /// revocation committed must not put the token back.
    revoked: HashMap<String, Timestamp>,
}

impl TokenCache {
    /// The principal of a live token looked up less than [`FRESH_FOR_MS`] ago.
    pub fn get(&self, token_hash: &str, now: Timestamp) -> Option<Principal> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let entry = inner.entries.get(token_hash)?;
        let age = now.millis() - entry.looked_up_at.millis();
        if (0..FRESH_FOR_MS).contains(&age) && now < entry.token_expires_at {
            Some(entry.principal.clone())
        } else {
            inner.entries.remove(token_hash);
            None
        }
    }

    /// Remember a lookup made at `now` (unless the token was revoked here meanwhile).
    pub fn put(&self, token_hash: String, principal: Principal, token_expires_at: Timestamp, now: Timestamp) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.revoked.retain(|_, at| now.millis() - at.millis() < 2 * FRESH_FOR_MS);
        if inner.revoked.contains_key(&token_hash) {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner.entries.insert(token_hash, Entry { principal, token_expires_at, looked_up_at: now });
    }

    /// Forget a revoked token, and refuse to cache it again for a while.
    pub fn forget(&self, token_hash: &str, now: Timestamp) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.entries.remove(token_hash);
        if inner.revoked.len() < MAX_ENTRIES {
            inner.revoked.insert(token_hash.to_string(), now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carebridge_domain::ids::UserId;
    use carebridge_domain::user::{Role, Scope};

    fn principal() -> Principal {
        Principal {
            user_id: UserId::new_v7(),
            username: "nhc".into(),
            role: Role::NationalCoordinator,
            scope: Scope::Nation,
        }
    }

    #[test]
    fn a_hit_needs_a_fresh_lookup_and_a_live_token() {
        let cache = TokenCache::default();
        let t0 = Timestamp::from_millis(1_000_000);
        cache.put("h".into(), principal(), Timestamp::from_millis(t0.millis() + 60_000), t0);
        assert!(cache.get("h", t0).is_some());
        assert!(cache.get("h", Timestamp::from_millis(t0.millis() + FRESH_FOR_MS - 1)).is_some());
        // Past the freshness window the database is asked again.
        assert!(cache.get("h", Timestamp::from_millis(t0.millis() + FRESH_FOR_MS)).is_none());
        assert!(cache.get("h", t0).is_none(), "a stale entry is dropped");
    }

    #[test]
    fn an_expired_token_is_never_served() {
        let cache = TokenCache::default();
        let t0 = Timestamp::from_millis(1_000_000);
        cache.put("h".into(), principal(), Timestamp::from_millis(t0.millis() + 10), t0);
        assert!(cache.get("h", Timestamp::from_millis(t0.millis() + 10)).is_none());
    }

    #[test]
    fn a_clock_that_went_back_is_not_trusted() {
        let cache = TokenCache::default();
        let t0 = Timestamp::from_millis(1_000_000);
        cache.put("h".into(), principal(), Timestamp::from_millis(t0.millis() + 60_000), t0);
        assert!(cache.get("h", Timestamp::from_millis(t0.millis() - 1)).is_none());
    }

    #[test]
    fn a_forgotten_token_is_looked_up_again() {
        let cache = TokenCache::default();
        let t0 = Timestamp::from_millis(1_000_000);
        cache.put("h".into(), principal(), Timestamp::from_millis(t0.millis() + 60_000), t0);
        cache.forget("h", t0);
        assert!(cache.get("h", t0).is_none());
        // A lookup that read the token's row before the revocation cannot put it back.
        cache.put("h".into(), principal(), Timestamp::from_millis(t0.millis() + 60_000), t0);
        assert!(cache.get("h", t0).is_none());
    }
}
