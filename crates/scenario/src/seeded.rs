//! Seeded building blocks shared by the generators: per-key random streams, ids, jitter and
//! count construction that cannot fail.
//!
//! Everything here is a pure function of its inputs. Streams are keyed (seed + a stable name)
//! rather than drawn from one global sequence, so adding a facility to a catalogue does not
//! reshuffle every number generated after it.

use carebridge_domain::capacity::{UnitCounts, MAX_COUNT};
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::FacilityId;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// FNV-1a over bytes: a stable, dependency-free hash for turning names into seeds. (Not
/// `std`'s `DefaultHasher`, whose algorithm may change between Rust releases.)
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64 finaliser: a cheap, well-mixed hash of one word. The national report iterator
/// uses it instead of a stateful RNG so each report is a pure function of (seed, facility,
/// step, unit) and costs a handful of multiplications.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform number in `[0, 1)` from a hash word (53 high bits).
pub(crate) fn unit_f64(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The random stream for one named thing under one seed.
pub(crate) fn stream(seed: u64, name: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix64(seed ^ fnv1a(name.as_bytes())))
}

/// A version-7 UUID whose time part is `millis` (so ids sort in generation order and B-tree
/// inserts stay local) and whose random part comes from `rng`.
pub(crate) fn facility_id(millis: i64, rng: &mut ChaCha8Rng) -> FacilityId {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    FacilityId(uuid::Builder::from_unix_timestamp_millis(millis.max(0) as u64, &bytes).into_uuid())
}

/// Counts that satisfy the domain invariants whatever the model produced: everything clamped
/// to `0..=MAX_COUNT` and staffed to at most physical.
pub(crate) fn counts(physical: i64, staffed: i64, occupied: i64) -> UnitCounts {
    let physical = physical.clamp(0, MAX_COUNT);
    let staffed = staffed.clamp(0, physical);
    let occupied = occupied.clamp(0, MAX_COUNT);
    UnitCounts::new(physical, staffed, occupied).expect("clamped counts satisfy the invariants")
}

/// A point within `radius_km` of `(lon, lat)`, uniform over the disc.
pub(crate) fn jitter(rng: &mut impl Rng, (lon, lat): (f64, f64), radius_km: f64) -> GeoPoint {
    let r = radius_km * rng.gen::<f64>().sqrt();
    let theta = rng.gen::<f64>() * std::f64::consts::TAU;
    let dlat = r * theta.cos() / 111.2;
    let dlon = r * theta.sin() / (111.2 * lat.to_radians().cos().max(0.1));
    point(lon + dlon, lat + dlat)
}

/// A point clamped into the valid WGS-84 range (so `GeoPoint::new` cannot refuse it).
pub(crate) fn point(lon: f64, lat: f64) -> GeoPoint {
    let lon = lon.clamp(-180.0, 180.0);
    let lat = lat.clamp(-90.0, 90.0);
    GeoPoint::new(lon, lat).expect("clamped coordinates are in range")
}

/// Chinese numerals for 1..=9999, as in 第三十五人民医院.
pub(crate) fn zh_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const UNITS: [&str; 4] = ["", "十", "百", "千"];
    if n == 0 {
        return DIGITS[0].to_string();
    }
    if (10..20).contains(&n) {
        // 十, 十一 … 十九: the leading 一 is dropped.
        return format!("十{}", if n == 10 { "" } else { DIGITS[(n - 10) as usize] });
    }
    let digits: Vec<u32> = n.to_string().bytes().map(|b| u32::from(b - b'0')).collect();
    let mut out = String::new();
    let mut pending_zero = false;
    for (i, d) in digits.iter().enumerate() {
        let place = digits.len() - 1 - i;
        if *d == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        if pending_zero {
            out.push_str(DIGITS[0]);
            pending_zero = false;
        }
        out.push_str(DIGITS[*d as usize]);
        out.push_str(UNITS[place.min(3)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_read_as_written() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (35, "三十五"),
            (101, "一百零一"),
            (110, "一百一十"),
            (1005, "一千零五"),
        ];
        for (n, want) in cases {
            assert_eq!(zh_number(n), want, "{n}");
        }
    }

    #[test]
    fn counts_never_break_the_invariants() {
        let c = counts(10, 25, -3);
        assert_eq!((c.physical(), c.staffed(), c.occupied()), (10, 10, 0));
    }

    #[test]
    fn streams_depend_on_seed_and_name() {
        let a: u64 = stream(1, "a").gen();
        assert_eq!(a, stream(1, "a").gen::<u64>());
        assert_ne!(a, stream(2, "a").gen::<u64>());
        assert_ne!(a, stream(1, "b").gen::<u64>());
    }
}
