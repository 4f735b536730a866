//! No input makes the importers or the bundle builder panic: whatever bytes arrive, the
//! answer is rows or an error naming a line, because an upload endpoint must never crash on
//! a hospital's file.

use carebridge_domain::clock::Timestamp;
use carebridge_domain::region::Regions;
use carebridge_interop::csv_io::{read_capacity, read_facilities};
use carebridge_interop::fhir::{searchset_bundle, Searchset};
use proptest::prelude::*;
use std::sync::LazyLock;

static REGIONS: LazyLock<Regions> = LazyLock::new(Regions::china);

/// Bytes biased towards CSV structure (headers, separators, quotes, line ends, non-UTF-8),
/// so the search reaches row parsing rather than stopping at the header.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"id,name_zh,name_en,region_code,level,lon,lat,address,phone,services,takes_new_patients\n".to_vec()),
        Just(b"facility_id,as_of,unit,physical,staffed,occupied\n".to_vec()),
        Just(b"0190a6f4-7c1e-7b3a-9d2e-000000000001,2026-11-23T08:00:00Z,icu,".to_vec()),
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"420106".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"\xef\xbb\xbf".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn importers_never_panic(bytes in csv_like()) {
        let now = Timestamp::from_millis(1_795_000_000_000);
        if let Err(e) = read_facilities(bytes.as_slice(), &REGIONS) {
            prop_assert!(e.line >= 1);
        }
        if let Err(e) = read_capacity(bytes.as_slice(), now) {
            prop_assert!(e.line >= 1);
        }
    }

    #[test]
    fn bundles_never_panic(docs in proptest::collection::vec(".{0,64}", 0..4)) {
        let s = Searchset { base: "https://x/fhir", self_url: "https://x/fhir/Organization", ..Searchset::default() };
        let _ = searchset_bundle(&s, &docs);
    }
}
