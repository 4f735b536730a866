//! Golden files of the FHIR documents Carebridge emits, for one fixed facility and its
//! capacity: any change to our output, even field order, fails here and shows as a diff of
//! `tests/golden/*.json` in review.
//!
//! Run with `UPDATE_GOLDEN=1` to rewrite the files after an intended change. Every document is
//! also parsed back with fhirbolt (strict mode) and must come back as the expected resource
//! type, so a golden file can never enshrine invalid FHIR.

use carebridge_domain::capacity::{FacilityCapacity, Unit, UnitCounts, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::{Facility, FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::region::{RegionCode, Regions};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_interop::fhir::{self, IssueSeverity, IssueType};
use fhirbolt::model::r4::Resource;
use std::path::PathBuf;

const FACILITY_ID: &str = "0190a6f4-7c1e-7b3a-9d2e-5f0c3a1b2c3d";

fn facility() -> Facility {
    Facility {
        id: FACILITY_ID.parse().unwrap(),
        draft: FacilityDraft {
            name_zh: "武汉大学人民医院".into(),
            name_en: "Renmin Hospital of Wuhan University".into(),
            region_code: RegionCode::parse("420106").unwrap(),
            level: FacilityLevel::Tertiary,
            location: GeoPoint::new(114.3162, 30.5546).unwrap(),
            address: "湖北省武汉市武昌区解放路238号".into(),
            phone: "027-88041911".into(),
            services: vec![ServiceKind::Emergency, ServiceKind::Icu, ServiceKind::FeverClinic],
            takes_new_patients: true,
            paediatric_only: false,
        }
        .validate()
        .unwrap(),
        designation: Designation::VirusDesignated,
        version: 3,
    }
}

fn capacity() -> FacilityCapacity {
    let unit = |unit, p, s, o| UnitReport { unit, counts: UnitCounts::new(p, s, o).unwrap() };
    FacilityCapacity {
        facility_id: FACILITY_ID.parse().unwrap(),
        facility_name_zh: "武汉大学人民医院".into(),
        facility_name_en: "Renmin Hospital of Wuhan University".into(),
        region_code: RegionCode::parse("420106").unwrap(),
        designation: Designation::VirusDesignated,
        as_of: Some(Timestamp::parse_rfc3339("2026-11-23T08:00:00+08:00").unwrap()),
        age_seconds: Some(3600),
        stale: false,
        units: vec![
            // Overloaded: 470 occupied of 450 staffed, so the score is negative.
            unit(Unit::GeneralWard, 500, 450, 470),
            unit(Unit::Icu, 40, 36, 30),
        ],
        newest_as_of: Some(Timestamp::parse_rfc3339("2026-11-23T08:00:00+08:00").unwrap()),
        unit_ages: Vec::new(),
    }
}

/// Compare `json` (pretty-printed, field order kept) with `tests/golden/{name}.json`, or
/// rewrite the file when `UPDATE_GOLDEN=1`.
fn check_golden(name: &str, json: &str) {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, &pretty).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    assert!(
        expected == pretty,
        "{name}: output differs from {}; if the change is intended, rerun with UPDATE_GOLDEN=1 \
         and review the diff.\n--- expected\n{expected}\n--- actual\n{pretty}",
        path.display()
    );
}

/// Parse with fhirbolt and return the resource.
fn parse(json: &str) -> Resource {
    fhirbolt::json::from_str(json, None).unwrap_or_else(|e| panic!("invalid FHIR R4: {e}\n{json}"))
}

#[test]
fn organization_matches_golden_and_is_valid_r4() {
    let json = fhir::organization(&facility(), &Regions::china());
    check_golden("organization", &json);
    let Resource::Organization(org) = parse(&json) else { panic!("not an Organization") };
    assert_eq!(org.id.unwrap().value.as_deref(), Some(FACILITY_ID));
    let address = &org.address[0];
    let name = |s: &Option<fhirbolt::model::r4::types::String>| s.as_ref().unwrap().value.clone();
    assert_eq!(name(&address.state).as_deref(), Some("湖北省"));
    assert_eq!(name(&address.city).as_deref(), Some("武汉市"));
    assert_eq!(name(&address.district).as_deref(), Some("武昌区"));
}

#[test]
fn location_matches_golden_and_is_valid_r4() {
    let json = fhir::location(&facility(), &Regions::china());
    check_golden("location", &json);
    let Resource::Location(loc) = parse(&json) else { panic!("not a Location") };
    let position = loc.position.unwrap();
    assert_eq!(position.longitude.value.as_deref(), Some("114.3162"));
    assert_eq!(position.latitude.value.as_deref(), Some("30.5546"));
}

#[test]
fn healthcare_service_matches_golden_and_is_valid_r4() {
    let json = fhir::healthcare_service(&facility(), ServiceKind::FeverClinic);
    check_golden("healthcare_service", &json);
    let Resource::HealthcareService(hs) = parse(&json) else { panic!("not a HealthcareService") };
    let id = hs.id.unwrap().value.unwrap();
    assert_eq!(fhir::parse_healthcare_service_id(&id), Some((FACILITY_ID.parse().unwrap(), ServiceKind::FeverClinic)));
}

#[test]
fn measure_report_matches_golden_and_is_valid_r4() {
    let json = fhir::measure_report(&capacity(), fhir::SANER_BED_CAPACITY_MEASURE);
    check_golden("measure_report", &json);
    let Resource::MeasureReport(mr) = parse(&json) else { panic!("not a MeasureReport") };
    assert_eq!(mr.group.len(), 2);
    // As-of is normalised to UTC.
    assert_eq!(mr.date.unwrap().value.as_deref(), Some("2026-11-23T00:00:00Z"));
    let score = mr.group[0].measure_score.as_ref().unwrap().value.as_ref().unwrap();
    assert_eq!(score.value.as_deref(), Some("-20"));
}

#[test]
fn capability_statement_matches_golden_and_is_valid_r4() {
    let json = fhir::capability_statement("https://carebridge.example/fhir", "0.1.0");
    check_golden("capability_statement", &json);
    let Resource::CapabilityStatement(cs) = parse(&json) else { panic!("not a CapabilityStatement") };
    let types: Vec<_> = cs.rest[0].resource.iter().map(|r| r.r#type.value.clone().unwrap()).collect();
    assert_eq!(
        types,
        [
            "Organization",
            "Location",
            "HealthcareService",
            "MeasureReport",
            "ServiceRequest",
            "Task",
            "Schedule",
            "Slot",
            "Appointment"
        ]
    );
    let operations: Vec<_> = cs.rest[0].operation.iter().map(|o| o.name.value.clone().unwrap()).collect();
    assert_eq!(operations, ["bulk-publish"]);
}

const SCHEDULE_ID: &str = "0190a6f4-7c1e-7b3a-9d2e-5f0c3a1b2c40";
const SLOT_ID: &str = "0190a6f4-7c1e-7b3a-9d2e-5f0c3a1b2c41";

/// Internal medicine at 08:00–08:15 on Monday 5 December 2022, local time.
fn slot(capacity: i64, booked: i64) -> carebridge_domain::booking::Slot {
    let day = carebridge_domain::booking::LocalDay::parse("2022-12-05").unwrap();
    let start = Timestamp::from_millis(day.start().millis() + 8 * 3_600_000);
    carebridge_domain::booking::Slot {
        id: SLOT_ID.parse().unwrap(),
        schedule_id: SCHEDULE_ID.parse().unwrap(),
        facility_id: FACILITY_ID.parse().unwrap(),
        service: ServiceKind::InternalMedicine,
        starts_at: start,
        ends_at: Timestamp::from_millis(start.millis() + 15 * 60_000),
        capacity,
        booked,
        status: carebridge_domain::booking::SlotStatus::Open,
    }
}

#[test]
fn schedule_matches_golden_and_is_valid_r4() {
    let json = fhir::schedule(&fhir::ScheduleFacts {
        id: SCHEDULE_ID.parse().unwrap(),
        facility: FACILITY_ID.parse().unwrap(),
        facility_name: "武汉大学人民医院",
        service: ServiceKind::InternalMedicine,
        clinician: Some("Dr Wang"),
        valid_from: carebridge_domain::booking::LocalDay::parse("2022-12-05").unwrap(),
        valid_until: None,
        active: true,
    });
    check_golden("schedule", &json);
    assert!(matches!(parse(&json), Resource::Schedule(_)));
}

#[test]
fn slots_free_and_busy_match_golden_and_are_valid_r4() {
    let link = format!("https://carebridge.example/book?slot={SLOT_ID}");
    let free = fhir::slot(&slot(6, 2), &link, "027-88041911");
    check_golden("slot_free", &free);
    let Resource::Slot(s) = parse(&free) else { panic!("not a Slot") };
    assert_eq!(s.status.value.as_deref(), Some("free"));
    assert_eq!(s.start.value.as_deref(), Some("2022-12-05T08:00:00+08:00"));
    let urls: Vec<_> = s.extension.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        [fhir::BOOKING_DEEP_LINK_EXTENSION_URL, fhir::BOOKING_PHONE_EXTENSION_URL, fhir::SLOT_CAPACITY_EXTENSION_URL]
    );
    let busy = fhir::slot(&slot(1, 1), &link, "027-88041911");
    check_golden("slot_busy", &busy);
    let Resource::Slot(s) = parse(&busy) else { panic!("not a Slot") };
    assert_eq!(s.status.value.as_deref(), Some("busy"));
    assert!(s.extension.is_empty(), "a busy slot offers no booking");
}

#[test]
fn appointment_matches_golden_and_is_valid_r4() {
    let s = slot(1, 1);
    let booking = carebridge_domain::booking::Booking {
        id: "0190a6f4-7c1e-7b3a-9d2e-5f0c3a1b2c42".parse().unwrap(),
        slot_id: s.id,
        facility_id: s.facility_id,
        service: s.service,
        starts_at: s.starts_at,
        patient_id: Some("0190a6f4-7c1e-7b3a-9d2e-5f0c3a1b2c43".parse().unwrap()),
        patient_pseudonym: "patient7".into(),
        booked_by: "0190a6f4-7c1e-7b3a-9d2e-5f0c3a1b2c43".parse().unwrap(),
        status: carebridge_domain::booking::BookingStatus::Confirmed,
        created_at: Timestamp::parse_rfc3339("2022-12-01T02:00:00Z").unwrap(),
        cancelled_at: None,
        cancel_reason: None,
        rescheduled_from: None,
    };
    let json = fhir::appointment(&booking, s.ends_at, Some("武汉大学人民医院"));
    check_golden("appointment", &json);
    assert!(!json.contains("0190a6f4-7c1e-7b3a-9d2e-5f0c3a1b2c43"), "no account id travels");
    let Resource::Appointment(a) = parse(&json) else { panic!("not an Appointment") };
    assert_eq!(a.status.value.as_deref(), Some("booked"));
}

#[test]
fn searchset_bundle_matches_golden_and_is_valid_r4() {
    let (f, regions) = (facility(), Regions::china());
    let entries = vec![fhir::organization(&f, &regions), fhir::location(&f, &regions)];
    let warnings = ["parameter `colour`: not supported here; ignored".to_owned()];
    let searchset = fhir::Searchset {
        base: "https://carebridge.example/fhir",
        self_url: "https://carebridge.example/fhir/Organization?address-city=武汉市",
        next_url: Some("https://carebridge.example/fhir/Organization?address-city=武汉市&_page_token=abc"),
        total: Some(2),
        warnings: &warnings,
    };
    let json = fhir::searchset_bundle(&searchset, &entries).unwrap();
    check_golden("searchset_bundle", &json);
    let Resource::Bundle(bundle) = parse(&json) else { panic!("not a Bundle") };
    let urls: Vec<_> = bundle.entry.iter().map(|e| e.full_url.as_ref().and_then(|u| u.value.clone())).collect();
    assert_eq!(
        urls,
        [
            Some(format!("https://carebridge.example/fhir/Organization/{FACILITY_ID}")),
            Some(format!("https://carebridge.example/fhir/Location/{FACILITY_ID}")),
            None,
        ]
    );
    let modes: Vec<_> = bundle.entry.iter().map(|e| e.search.as_ref().unwrap().mode.clone().unwrap().value).collect();
    assert_eq!(modes, [Some("match".into()), Some("match".into()), Some("outcome".into())]);
    let Some(Resource::OperationOutcome(outcome)) = &bundle.entry[2].resource else {
        panic!("the last is the outcome")
    };
    assert_eq!(outcome.issue[0].severity.value.as_deref(), Some("warning"));
    assert_eq!(outcome.issue[0].code.value.as_deref(), Some("not-supported"));
}

#[test]
fn operation_outcome_matches_golden_and_is_valid_r4() {
    let json = fhir::operation_outcome(
        IssueSeverity::Error,
        IssueType::NotFound,
        "Organization/0190a6f4-7c1e-7b3a-9d2e-000000000000 is not known",
    );
    check_golden("operation_outcome", &json);
    assert!(matches!(parse(&json), Resource::OperationOutcome(_)));
}

#[test]
fn bundles_refuse_entries_that_are_not_fhir_or_lack_an_id() {
    let searchset =
        fhir::Searchset { base: "https://x/fhir", self_url: "https://x/fhir/Location", ..Default::default() };
    let bad = |json: &str| fhir::searchset_bundle(&searchset, &[json.to_owned()]).unwrap_err();
    assert!(matches!(bad("not json"), fhir::FhirError::Parse { index: 0, .. }));
    assert!(matches!(bad(r#"{"resourceType":"Organization","nonsense":1}"#), fhir::FhirError::Parse { .. }));
    assert!(matches!(bad(r#"{"resourceType":"Organization","name":"x"}"#), fhir::FhirError::MissingId { .. }));
    let empty = fhir::searchset_bundle(&fhir::Searchset { total: Some(0), ..searchset }, &[]).unwrap();
    assert!(matches!(parse(&empty), Resource::Bundle(_)));
}

#[test]
fn a_municipality_has_no_separate_city_and_unknown_regions_are_left_out() {
    let mut f = facility();
    f.draft.region_code = RegionCode::parse("110105").unwrap(); // 北京市朝阳区
    let org: serde_json::Value = serde_json::from_str(&fhir::organization(&f, &Regions::china())).unwrap();
    assert_eq!(org["address"][0]["state"], "北京市");
    assert_eq!(org["address"][0]["city"], "北京市");
    assert_eq!(org["address"][0]["district"], "朝阳区");

    f.draft.region_code = RegionCode::parse("999999").unwrap();
    f.draft.location = GeoPoint { lon: f64::NAN, lat: 30.0 };
    f.draft.phone = String::new();
    let org: serde_json::Value = serde_json::from_str(&fhir::organization(&f, &Regions::china())).unwrap();
    assert!(org["address"][0].get("state").is_none());
    assert!(org.get("telecom").is_none());
    let loc = fhir::location(&f, &Regions::china());
    assert!(matches!(parse(&loc), Resource::Location(l) if l.position.is_none()));
}
