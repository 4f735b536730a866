//! Capacity reports arriving in any order: every one is kept as history, and the current state
//! of each unit is the report with the latest as-of time (a late, older report replaces nothing).
//! Property-tested against the real SQLite store through the service.

use carebridge_domain::capacity::{CapacityReportDraft, Unit, UnitCounts, UnitReport};
use carebridge_domain::clock::{ManualClock, Timestamp};
use carebridge_domain::facility::{FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role};
use carebridge_service::users::NewUser;
use carebridge_service::{Carebridge, RequestMeta, ServiceError, Store};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

const NOW: i64 = 1_700_000_000_000;
const PASSWORD: &str = "a-long-enough-password";

async fn app(dir: &std::path::Path, clock: Arc<ManualClock>) -> (Carebridge, Principal) {
    let store = Store::connect(&format!("sqlite://{}/t.sqlite", dir.display()), 4).await.expect("connect");
    carebridge_store::migrate::run(&store).await.expect("migrate");
    let cb = Carebridge::new(store).with_clock(clock);
    let meta = RequestMeta::default();
    let new = NewUser {
        username: "nhc".into(),
        password: PASSWORD.into(),
        role: Role::NationalCoordinator,
        scope: None,
        display_name: None,
    };
    cb.create_user(None, new, &meta).await.expect("user");
    let token = cb.issue_token("nhc", PASSWORD, &meta).await.expect("token");
    (cb, token.principal)
}

fn draft() -> FacilityDraft {
    FacilityDraft {
        name_zh: "测试医院".into(),
        name_en: "Test Hospital".into(),
        region_code: RegionCode::parse("420103").expect("code"),
        level: FacilityLevel::Secondary,
        location: GeoPoint { lon: 114.3, lat: 30.6 },
        address: String::new(),
        phone: String::new(),
        services: vec![ServiceKind::Icu],
        takes_new_patients: true,
        paediatric_only: false,
    }
}

const UNITS: [Unit; 3] = [Unit::Icu, Unit::GeneralWard, Unit::DialysisStations];

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Reports for random units at random as-of hours, in random order.
    #[test]
    fn the_latest_as_of_wins_whatever_the_arrival_order(
        reports in proptest::collection::vec((0i64..48, 0usize..3, 0i64..50, 0i64..50, 0i64..60), 1..12)
    ) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let dir = tempfile::tempdir().expect("dir");
            let (cb, p) = app(dir.path(), Arc::new(ManualClock::new(Timestamp::from_millis(NOW)))).await;
            let meta = RequestMeta::default();
            let f = cb.create_facility(&p, draft(), &meta).await.expect("facility");
            let mut expected: HashMap<Unit, (i64, UnitCounts)> = HashMap::new();
            for (hour, unit, physical, staffed, occupied) in &reports {
                // Occupancy within the surge factor (1.5 × physical), as the service accepts.
                let counts = UnitCounts::new(*physical, (*staffed).min(*physical), (*occupied).min(*physical * 3 / 2))
                    .expect("valid counts");
                let as_of = Timestamp::from_millis(NOW).minus_hours(48 - hour);
                let unit = UNITS[*unit];
                let r = CapacityReportDraft { facility_id: f.id, as_of, units: vec![UnitReport { unit, counts }] };
                let stored = cb.report_capacity(&p, r, &meta).await.expect("report");
                let standing = expected.get(&unit).map(|(h, _)| *h);
                // Ties go to the later arrival; an older report is history only.
                let becomes = standing.is_none_or(|h| *hour >= h);
                assert_eq!(stored.became_current, becomes, "became_current for hour {hour} (standing {standing:?})");
                if becomes {
                    expected.insert(unit, (*hour, counts));
                }
            }
            let current = cb.facility_capacity(&p, f.id).await.expect("current");
            let got: HashMap<Unit, UnitCounts> = current.units.iter().map(|u| (u.unit, u.counts)).collect();
            let want: HashMap<Unit, UnitCounts> = expected.iter().map(|(u, (_, c))| (*u, *c)).collect();
            assert_eq!(got, want);
            let history = cb.capacity_history(&p, f.id, None, Some(500)).await.expect("history");
            assert_eq!(history.items.len(), reports.len(), "every report is kept as history");
            let audit = carebridge_store::audit::count(&cb.store).await.expect("audit");
            // user.create + token issue + facility.create + one per report
            assert_eq!(audit, 3 + reports.len() as i64);
        });
    }
}

/// A token stops working when it expires, and at once when revoked.
#[tokio::test(flavor = "multi_thread")]
async fn tokens_expire_and_can_be_revoked() {
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(NOW)));
    let (cb, _) = app(dir.path(), clock.clone()).await;
    let meta = RequestMeta::default();
    let t = cb.issue_token("nhc", PASSWORD, &meta).await.expect("token");
    assert!(cb.authenticate(&t.access_token).await.is_ok());
    clock.advance_hours(13);
    assert!(
        matches!(cb.authenticate(&t.access_token).await, Err(ServiceError::Unauthenticated(_))),
        "expired after 12 h"
    );
    let t = cb.issue_token("nhc", PASSWORD, &meta).await.expect("token");
    cb.revoke_token(&t.principal, &t.access_token, &meta).await.expect("revoke");
    assert!(matches!(cb.authenticate(&t.access_token).await, Err(ServiceError::Unauthenticated(_))), "revoked");
    assert!(matches!(cb.issue_token("nhc", "wrong-password-123", &meta).await, Err(ServiceError::Unauthenticated(_))));
}

/// Whether the facility is stale, and how many stale facilities the national rollup counts.
async fn stale_state(cb: &Carebridge, p: &Principal, id: carebridge_domain::ids::FacilityId) -> (bool, i64) {
    let c = cb.facility_capacity(p, id).await.expect("capacity");
    let r = cb.rollup_of(None, false).await.expect("rollup");
    (c.stale, r.rows[0].stale_facilities)
}

/// A facility's capacity turns stale past its region's threshold, and the rollup counts it.
#[tokio::test(flavor = "multi_thread")]
async fn staleness_follows_the_region_threshold() {
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(NOW)));
    let (cb, p) = app(dir.path(), clock.clone()).await;
    let meta = RequestMeta::default();
    let f = cb.create_facility(&p, draft(), &meta).await.expect("facility");
    let counts = UnitCounts::new(10, 8, 4).expect("counts");
    let r = CapacityReportDraft {
        facility_id: f.id,
        as_of: Timestamp::from_millis(NOW),
        units: vec![UnitReport { unit: Unit::Icu, counts }],
    };
    cb.report_capacity(&p, r, &meta).await.expect("report");
    assert_eq!(stale_state(&cb, &p, f.id).await, (false, 0));
    clock.advance_hours(13);
    assert_eq!(stale_state(&cb, &p, f.id).await, (true, 1), "older than the default 12 h");
    cb.set_stale_setting(&p, "420100", carebridge_service::capacity::StaleSetting { stale_after_hours: 24 }, &meta)
        .await
        .expect("setting");
    assert_eq!(stale_state(&cb, &p, f.id).await, (false, 0), "Wuhan allows 24 h");
    clock.advance_hours(12);
    assert_eq!(stale_state(&cb, &p, f.id).await, (true, 1));
}
