//! Cursor pagination: lists answer `{"items": [...], "next_cursor": ...}`.
//!
//! A cursor is an opaque string naming the last key seen; lists are ordered by a unique key, so
//! a page boundary never skips or repeats a row even while rows are added.

use serde::Serialize;

/// The most a caller may ask for in one page.
pub const MAX_PAGE_SIZE: u32 = 500;
pub const DEFAULT_PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Encode a sort key as a cursor (hex of its UTF-8: opaque, URL-safe, no extra dependency).
pub fn encode_cursor(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Decode a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> Result<String, String> {
    let bad = || "is not a cursor this server issued".to_string();
    if !cursor.len().is_multiple_of(2) || cursor.len() > 512 {
        return Err(bad());
    }
    let bytes: Result<Vec<u8>, _> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(&cursor[i..i + 2], 16)).collect();
    String::from_utf8(bytes.map_err(|_| bad())?).map_err(|_| bad())
}

/// A page size from an optional request, clamped to the allowed range.
pub fn page_size(requested: Option<u32>) -> Result<u32, String> {
    match requested {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(format!("must be between 1 and {MAX_PAGE_SIZE}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = encode_cursor("0190-abc|武汉");
        assert_eq!(decode_cursor(&c).unwrap(), "0190-abc|武汉");
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor("abc").is_err());
    }
}
