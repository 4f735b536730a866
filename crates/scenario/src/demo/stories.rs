//! The patients `carebridge demo` starts with, so the README's walkthrough has someone to tell
//! the dialysis story about: three people on haemodialysis at Wuhan Union Hospital, among them
//! the field report's 56-year-old who goes twice a week. In February 2020 every other dialysis
//! unit in Wuhan that may take a patient who is not infected is full (the demo's capacity
//! history says so), so when Union is designated for the virus they have nowhere within an
//! hour's drive to go: the displacement preview shows them unplaced `too_far`, never quietly
//! sent to Hunan.
//!
//! They are data only; `Carebridge::load_demo_stories` files, places and admits them through
//! the same use cases a clinician and a desk use, so they are audited like any patient. Tests
//! that need a demo without patients load the scenario alone.

use carebridge_domain::facility::GeoPoint;
use carebridge_domain::referral::{AgeBand, InfectionStatus, PatientInfo, RecurringSchedule, ReferralDraft, Urgency};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;

/// One dialysis patient of Union's: pseudonym, age band, home (lon, lat, district), sessions a
/// week, and the note their nephrologist writes.
struct DialysisPatient {
    pseudonym: &'static str,
    age_band: AgeBand,
    home: (f64, f64, &'static str),
    sessions_per_week: u8,
    note: &'static str,
}

const UNION_DIALYSIS: &[DialysisPatient] = &[
    DialysisPatient {
        pseudonym: "dialysis-56",
        age_band: AgeBand::Adult,
        home: (114.268, 30.589, "420103"),
        sessions_per_week: 2,
        note: "56岁，终末期肾病，每周二、五血液透析。 / 56, end-stage kidney disease, haemodialysis Tue and Fri.",
    },
    DialysisPatient {
        pseudonym: "dialysis-63",
        age_band: AgeBand::Adult,
        home: (114.285, 30.603, "420102"),
        sessions_per_week: 3,
        note: "糖尿病肾病，每周三次血液透析。 / Diabetic kidney disease, haemodialysis three times a week.",
    },
    DialysisPatient {
        pseudonym: "dialysis-71",
        age_band: AgeBand::Senior,
        home: (114.252, 30.575, "420104"),
        sessions_per_week: 3,
        note: "高血压肾病，动静脉内瘘，每周三次。 / Hypertensive kidney disease, AV fistula, three times a week.",
    },
];

/// Union's dialysis patients as referrals its clinician files (routine, tested negative).
pub fn union_dialysis_referrals() -> Vec<ReferralDraft> {
    UNION_DIALYSIS
        .iter()
        .map(|p| ReferralDraft {
            patient: PatientInfo {
                pseudonym: p.pseudonym.to_string(),
                age_band: p.age_band,
                location: GeoPoint { lon: p.home.0, lat: p.home.1 },
                region_code: RegionCode::parse(p.home.2).expect("story region codes are six digits"),
                infection: InfectionStatus::Negative,
            },
            need: ServiceKind::Dialysis,
            urgency: Urgency::Routine,
            needs_ambulance: false,
            schedule: Some(RecurringSchedule { sessions_per_week: p.sessions_per_week }),
            note: p.note.to_string(),
        })
        .collect()
}
