//! Valid request bodies, so a test that means to probe one field (or one role) changes only
//! that and its status reflects what it probes, not an unrelated mistake.

use serde_json::{json, Value};

/// A facility draft for `POST /api/v1/facilities` in `region_code`, valid as it stands.
pub fn facility_draft(region_code: &str, name: &str) -> Value {
    json!({
        "name_zh": format!("{name}方舱医院"),
        "name_en": format!("{name} Shelter Hospital"),
        "region_code": region_code,
        "level": "temporary",
        "location": {"lon": 114.30, "lat": 30.60},
        "address": "测试路1号",
        "phone": "027-00000000",
        "services": ["respiratory", "isolation_ward"],
        "takes_new_patients": true
    })
}

/// A capacity report for `POST /api/v1/capacity/reports`: one ICU line and one general ward
/// line with the given ICU occupancy.
pub fn capacity_report(facility_id: &str, as_of: &str, icu_occupied: i64) -> Value {
    json!({
        "facility_id": facility_id,
        "as_of": as_of,
        "units": [
            {"unit": "icu", "physical": 40, "staffed": 36, "occupied": icu_occupied},
            {"unit": "general_ward", "physical": 500, "staffed": 480, "occupied": 400}
        ]
    })
}

/// A capacity report of the given units, each as `(unit, physical, staffed, occupied)`.
pub fn capacity_report_units(facility_id: &str, as_of: &str, units: &[(&str, i64, i64, i64)]) -> Value {
    let units: Vec<Value> = units
        .iter()
        .map(|(unit, physical, staffed, occupied)| {
            json!({"unit": unit, "physical": physical, "staffed": staffed, "occupied": occupied})
        })
        .collect();
    json!({"facility_id": facility_id, "as_of": as_of, "units": units})
}

/// A designation order for `POST /api/v1/designation-orders`.
pub fn designation_order(facility_id: &str, designation: &str, effective_at: &str) -> Value {
    json!({
        "facility_id": facility_id,
        "designation": designation,
        "effective_at": effective_at,
        "reason": "收治能力调整 · capacity rebalancing",
        "order_number": "武防指〔2020〕99号"
    })
}

/// A new account for `POST /api/v1/users`.
pub fn new_user(username: &str, role: &str, scope: Option<&str>) -> Value {
    let mut v = json!({"username": username, "password": "a-long-enough-password", "role": role});
    if let Some(s) = scope {
        v["scope"] = json!(s);
    }
    v
}
