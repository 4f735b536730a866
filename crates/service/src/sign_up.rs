//! Patients sign up themselves: online registration is the point of the booking rule, so a
//! patient must not need a coordinator to get an account. The account is pseudonymous (a
//! username, never a name or ID number) with a phone-like contact to be reached at, kept apart
//! from the account (`patient_contacts`).
//!
//! Sign-up is rate-limited in memory, before the password is hashed (argon2 is slow on
//! purpose, so an unlimited sign-up is a cheap way to load the server): at most
//! [`PER_ADDRESS_PER_HOUR`] attempts an hour from one address, and [`PER_MINUTE`] a minute from
//! all addresses together, against a flood from many. A limited caller gets 429 with
//! `Retry-After`. Behind a reverse proxy the address is the proxy's; trusting a forwarded
//! address comes with the hardening issue. The limiter's memory is bounded: addresses with
//! nothing in the window are forgotten.

use crate::context::{Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::audit::Actor;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::UserId;
use carebridge_domain::user::{validate_password, validate_username, Role, Scope, User};
use carebridge_domain::ValidationErrors;
use carebridge_store::users::{self, UserPlacement};
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};

/// Sign-up attempts one address may make in an hour.
pub const PER_ADDRESS_PER_HOUR: usize = 5;
/// Sign-up attempts all addresses together may make in a minute.
pub const PER_MINUTE: usize = 120;
const HOUR_MS: i64 = 3_600_000;
const MINUTE_MS: i64 = 60_000;

/// A patient signing up.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientSignUp {
    /// A pseudonym to sign in with (never a real name or ID number): 3–64 characters of a-z,
    /// 0-9, `.`, `_` or `-`, starting with a letter or digit.
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{2,63}$", min_length = 3, max_length = 64)]
    pub username: String,
    /// 12 to 1024 characters.
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    /// A phone number or the like to be reached at: 7 to 15 digits, optionally `+` first and
    /// spaces or dashes between.
    #[schema(pattern = "^\\+?[0-9][0-9 -]{5,22}[0-9]$", min_length = 7, max_length = 24)]
    pub contact: String,
}

/// Attempts in the windows.
#[derive(Debug, Default)]
pub(crate) struct SignUpLimiter {
    by_address: HashMap<String, VecDeque<i64>>,
    all: VecDeque<i64>,
}

impl SignUpLimiter {
    /// Count an attempt from `address` at `now`, or say how long to wait.
    fn admit(&mut self, address: &str, now: Timestamp) -> Result<(), u64> {
        let now = now.millis();
        while self.all.front().is_some_and(|t| *t <= now - MINUTE_MS) {
            self.all.pop_front();
        }
        if self.all.len() >= PER_MINUTE {
            let oldest = self.all.front().copied().unwrap_or(now);
            return Err(wait_secs(oldest + MINUTE_MS - now));
        }
        let mine = self.by_address.entry(address.to_string()).or_default();
        while mine.front().is_some_and(|t| *t <= now - HOUR_MS) {
            mine.pop_front();
        }
        if mine.len() >= PER_ADDRESS_PER_HOUR {
            let oldest = mine.front().copied().unwrap_or(now);
            return Err(wait_secs(oldest + HOUR_MS - now));
        }
        mine.push_back(now);
        self.all.push_back(now);
        if self.by_address.len() > 10_000 {
            self.by_address.retain(|_, times| times.back().is_some_and(|t| *t > now - HOUR_MS));
        }
        Ok(())
    }
}

fn wait_secs(ms: i64) -> u64 {
    (ms.max(0) as u64).div_ceil(1000).max(1)
}

/// The digits of a contact, if it is phone-like.
fn contact_digits(s: &str) -> Option<String> {
    let s = s.trim();
    let body = s.strip_prefix('+').unwrap_or(s);
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
        return None;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let ends_well = body.starts_with(|c: char| c.is_ascii_digit()) && body.ends_with(|c: char| c.is_ascii_digit());
    ((7..=15).contains(&digits.len()) && ends_well)
        .then(|| if s.starts_with('+') { format!("+{digits}") } else { digits })
}

/// A contact as the audit shows it: all but the last four digits masked.
fn masked(contact: &str) -> String {
    let keep = contact.len().saturating_sub(4);
    contact.chars().enumerate().map(|(i, c)| if i < keep && c.is_ascii_digit() { '*' } else { c }).collect()
}

impl Carebridge {
    /// Create a patient's own account (anyone, not signed in), rate-limited by `address`.
    pub async fn sign_up_patient(
        &self,
        address: &str,
        s: PatientSignUp,
        meta: &RequestMeta,
    ) -> Result<User, ServiceError> {
        let mut errors = ValidationErrors::default();
        if let Err(e) = validate_username(&s.username) {
            errors.push("/username", e);
        }
        if let Err(e) = validate_password(&s.password) {
            errors.push("/password", e);
        }
        let contact = contact_digits(&s.contact);
        if contact.is_none() {
            errors.push("/contact", "must be a phone number or the like: 7 to 15 digits, `+` first at most");
        }
        let contact = errors.finish(contact)?.unwrap_or_default();
        let admitted = self.sign_ups.lock().unwrap_or_else(|p| p.into_inner()).admit(address, self.now());
        if let Err(retry_after_secs) = admitted {
            return Err(ServiceError::TooManyRequests {
                retry_after_secs,
                detail: format!("too many sign-ups from your address: try again in {retry_after_secs} s"),
            });
        }
        let hash = crate::auth::hash_password(s.password).await?;
        let user = User {
            id: UserId::new_v7(),
            display_name: s.username.clone(),
            username: s.username,
            role: Role::Patient,
            scope: Scope::Own,
            disabled: false,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::insert(&mut tx, &user, &hash, UserPlacement { path: None, facility: None }, now).await?;
        users::insert_contact(&mut tx, user.id, &contact, now).await?;
        let actor = Actor { user_id: Some(user.id), name: user.username.clone(), role: Some(Role::Patient) };
        let change = serde_json::json!({ "username": user.username, "contact": masked(&contact) });
        self.audit(&mut tx, &actor, meta, "patient.sign_up", "user", &user.id.to_string(), change).await?;
        tx.commit().await?;
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_phone_like() {
        assert_eq!(contact_digits("+86 138-0013-8000").as_deref(), Some("+8613800138000"));
        assert_eq!(contact_digits("010 6515 5000").as_deref(), Some("01065155000"));
        for bad in ["", "12345", "call me", "+", "138 0013 80001234567", "-1380013800", "1380013800-"] {
            assert_eq!(contact_digits(bad), None, "{bad}");
        }
        assert_eq!(masked("+8613800138000"), "+*********8000");
    }

    #[test]
    fn one_address_gets_five_an_hour_and_everyone_a_hundred_and_twenty_a_minute() {
        let mut l = SignUpLimiter::default();
        let t = |ms: i64| Timestamp::from_millis(1_700_000_000_000 + ms);
        for i in 0..PER_ADDRESS_PER_HOUR as i64 {
            assert!(l.admit("10.0.0.1", t(i)).is_ok());
        }
        let wait = l.admit("10.0.0.1", t(10)).unwrap_err();
        assert!((3_590..=3_600).contains(&wait), "{wait}");
        assert!(l.admit("10.0.0.2", t(11)).is_ok(), "another address is not held up");
        assert!(l.admit("10.0.0.1", t(HOUR_MS + 1)).is_ok(), "the hour passed");

        let mut l = SignUpLimiter::default();
        for i in 0..PER_MINUTE as i64 {
            assert!(l.admit(&format!("10.1.{}.{}", i / 250, i % 250), t(i)).is_ok());
        }
        assert!(l.admit("10.9.9.9", t(500)).is_err(), "the whole server's minute is spent");
        assert!(l.admit("10.9.9.9", t(MINUTE_MS + 200)).is_ok());
    }
}
