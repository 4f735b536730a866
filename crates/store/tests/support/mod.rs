//! What the store's integration tests share: a facility to write against.

use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::{FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::{RegionCode, Regions};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_store::{facilities, Tx};

/// A secondary hospital in Wuhan (420103) offering ICU, named `name_en`.
pub fn facility_draft(name_en: &str) -> FacilityDraft {
    FacilityDraft {
        name_zh: "测试医院".into(),
        name_en: name_en.into(),
        region_code: RegionCode::parse("420103").expect("code"),
        level: FacilityLevel::Secondary,
        location: GeoPoint { lon: 114.3, lat: 30.6 },
        address: String::new(),
        phone: String::new(),
        services: vec![ServiceKind::Icu],
        takes_new_patients: true,
    }
}

/// Insert `draft` as a new facility in `tx`, at its region's path.
pub async fn insert_facility(tx: &mut Tx, draft: &FacilityDraft, now: Timestamp) -> FacilityId {
    let id = FacilityId::new_v7();
    let path = Regions::china().path(draft.region_code).expect("path");
    facilities::insert(tx, id, draft, path, now).await.expect("insert a facility");
    id
}
