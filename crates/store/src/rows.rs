//! Decoding stored text back into domain values; a value that does not parse is corruption,
//! reported with the table it came from.

use crate::error::StoreError;
use std::str::FromStr;

pub(crate) fn parse<T: FromStr>(table: &'static str, s: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| StoreError::corrupt(table, format!("`{s}`: {e}")))
}

pub(crate) fn vocab<T>(table: &'static str, s: &str, f: fn(&str) -> Result<T, String>) -> Result<T, StoreError> {
    f(s).map_err(|e| StoreError::corrupt(table, e))
}

pub(crate) fn region(table: &'static str, s: &str) -> Result<carebridge_domain::region::RegionCode, StoreError> {
    carebridge_domain::region::RegionCode::parse(s).map_err(|e| StoreError::corrupt(table, e))
}
