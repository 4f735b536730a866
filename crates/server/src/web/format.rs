//! How times and counts read on a page: storage is UTC, screens show the facility's local
//! zone. Every facility Carebridge knows is in China, whose one zone is UTC+8 all year (no
//! daylight saving), so a fixed offset is exact and needs no time-zone database.

use carebridge_domain::clock::Timestamp;
use chrono::FixedOffset;

/// China Standard Time.
const CHINA: i32 = 8 * 3600;

/// "2020-02-14 16:00 (UTC+8)".
pub fn local_time(t: Timestamp) -> String {
    match FixedOffset::east_opt(CHINA) {
        Some(zone) => format!("{} (UTC+8)", t.to_datetime().with_timezone(&zone).format("%Y-%m-%d %H:%M")),
        None => t.to_rfc3339(),
    }
}

/// A count with a real minus sign for negatives (overload), so it is not misread as a dash.
pub fn count(n: i64) -> String {
    if n < 0 {
        format!("−{}", n.unsigned_abs())
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_china_time() {
        let t = Timestamp::parse_rfc3339("2020-02-14T08:00:00Z").unwrap();
        assert_eq!(local_time(t), "2020-02-14 16:00 (UTC+8)");
        let t = Timestamp::parse_rfc3339("2020-02-14T20:30:00Z").unwrap();
        assert_eq!(local_time(t), "2020-02-15 04:30 (UTC+8)");
        assert_eq!(count(-12), "−12");
        assert_eq!(count(7), "7");
    }
}
