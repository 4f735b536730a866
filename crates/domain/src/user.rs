//! Who may act: roles, the scope each is bound to, and the principal a request runs as.

use crate::ids::{FacilityId, UserId};
use crate::region::RegionCode;
use crate::service_kind::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// A user's role. Coordinators are bound to a region subtree, desks and clinicians to a
    /// facility; patients see their own records; auditors read the audit log everywhere.
    Role {
        NationalCoordinator = "national_coordinator", "国家协调员",
        ProvincialCoordinator = "provincial_coordinator", "省级协调员",
        CityCoordinator = "city_coordinator", "市级协调员",
        FacilityDesk = "facility_desk", "医院值班台",
        Clinician = "clinician", "临床医生",
        Patient = "patient", "患者",
        Auditor = "auditor", "审计员",
    }
);

impl Role {
    pub fn is_coordinator(self) -> bool {
        matches!(self, Self::NationalCoordinator | Self::ProvincialCoordinator | Self::CityCoordinator)
    }
}

/// What a principal's data access is bound to. Stores turn it into a `WHERE` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Everything (national coordinators, auditors).
    Nation,
    /// A region and its subtree.
    Region(RegionCode),
    /// One facility.
    Facility(FacilityId),
    /// Only the principal's own records (patients).
    Own,
}

/// A user as stored, without secrets.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    pub display_name: String,
    pub disabled: bool,
}

/// The identity a request runs as, established by a token or a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
}

/// Usernames: 3–64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn validate_username(s: &str) -> Result<(), String> {
    let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    let ok_start = s.bytes().next().map(|b| b.is_ascii_alphanumeric()).unwrap_or(false);
    if (3..=64).contains(&s.len()) && ok_chars && ok_start {
        Ok(())
    } else {
        Err("must be 3–64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit".into())
    }
}

/// Passwords: 12 to 1024 characters (argon2 input stays bounded: at most 4 KiB).
pub fn validate_password(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if n < 12 {
        Err("must be at least 12 characters".into())
    } else if n > 1024 {
        Err("must be at most 1024 characters".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(validate_username("desk-union").is_ok());
        assert!(validate_username("Desk").is_err());
        assert!(validate_username("-x1").is_err());
        assert!(validate_password("carebridge-demo").is_ok());
        assert!(validate_password("short").is_err());
    }
}
