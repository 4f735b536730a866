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

/// Encode a sort key as a cursor: lowercase hex of its bytes (opaque, URL-safe, no extra
/// dependency). Keys are ids, usernames or sequence numbers: printable ASCII.
pub fn encode_cursor(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The cursors [`decode_cursor`] accepts, as the OpenAPI document states them: lowercase hex of
/// 1–256 printable ASCII characters. Every such cursor is a position (the list resumes after
/// the key it spells), so none that matches is refused.
pub const TEXT_CURSOR_PATTERN: &str = "^([2-6][0-9a-f]|7[0-9a-e]){1,256}$";

/// The cursors [`decode_number_cursor`] accepts: lowercase hex of 1–18 decimal digits.
pub const NUMBER_CURSOR_PATTERN: &str = "^(3[0-9]){1,18}$";

fn not_ours() -> String {
    "is not a cursor this server issued".to_string()
}

/// Decode a cursor made by [`encode_cursor`] over a text key; anything outside
/// [`TEXT_CURSOR_PATTERN`] is refused.
pub fn decode_cursor(cursor: &str) -> Result<String, String> {
    if cursor.is_empty() || !cursor.len().is_multiple_of(2) || cursor.len() > 512 {
        return Err(not_ours());
    }
    let mut key = String::with_capacity(cursor.len() / 2);
    for pair in cursor.as_bytes().chunks(2) {
        let hex = |b: u8| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        };
        let byte = match (hex(pair[0]), hex(pair[1])) {
            (Some(h), Some(l)) => h * 16 + l,
            _ => return Err(not_ours()),
        };
        if !(0x20..=0x7e).contains(&byte) {
            return Err(not_ours());
        }
        key.push(char::from(byte));
    }
    Ok(key)
}

/// Decode a cursor over a sequence number ([`NUMBER_CURSOR_PATTERN`]).
pub fn decode_number_cursor(cursor: &str) -> Result<i64, String> {
    let key = decode_cursor(cursor)?;
    if key.len() > 18 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_ours());
    }
    key.parse().map_err(|_| not_ours())
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
        let c = encode_cursor("0190-abc|x");
        assert_eq!(decode_cursor(&c).unwrap(), "0190-abc|x");
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor("abc").is_err());
        assert!(decode_cursor("").is_err());
        assert!(decode_cursor("4A").is_err(), "uppercase hex is not what we issue");
        assert!(decode_cursor("0a").is_err(), "control characters are not keys");
        assert_eq!(decode_cursor(&encode_cursor("desk-union")).unwrap(), "desk-union");
        assert_eq!(decode_number_cursor(&encode_cursor("12345")).unwrap(), 12345);
        assert!(decode_number_cursor(&encode_cursor("-5")).is_err());
        assert!(decode_number_cursor(&encode_cursor(&"9".repeat(19))).is_err());
    }
}
