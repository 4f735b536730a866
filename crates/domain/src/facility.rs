//! Facilities: hospitals, clinics and temporary sites, with the services they offer.

use crate::designation::Designation;
use crate::error::ValidationErrors;
use crate::ids::FacilityId;
use crate::region::RegionCode;
use crate::service_kind::{vocabulary, ServiceKind};
use crate::text::{self, rules};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// The tier of a facility, plus temporary sites (converted stadiums, offices, schools).
    FacilityLevel {
        Tertiary = "tertiary", "三级",
        Secondary = "secondary", "二级",
        Primary = "primary", "一级",
        Temporary = "temporary", "临时",
    }
);

/// A WGS-84 point; longitude and latitude in range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    #[schema(minimum = -180, maximum = 180)]
    pub lon: f64,
    #[schema(minimum = -90, maximum = 90)]
    pub lat: f64,
}

impl GeoPoint {
    pub fn new(lon: f64, lat: f64) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !(-180.0..=180.0).contains(&lon) || lon.is_nan() {
            errors.push("/lon", "must be a longitude between -180 and 180");
        }
        if !(-90.0..=90.0).contains(&lat) || lat.is_nan() {
            errors.push("/lat", "must be a latitude between -90 and 90");
        }
        errors.finish(Self { lon, lat })
    }

    /// Great-circle distance in kilometres (haversine).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dla = la2 - la1;
        let dlo = (other.lon - self.lon).to_radians();
        let a = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        6371.0 * 2.0 * a.sqrt().asin()
    }
}

/// What a facility is, as entered: checked once, then trusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FacilityDraft {
    #[schema(schema_with = text::schemas::facility_name)]
    pub name_zh: String,
    #[schema(schema_with = text::schemas::facility_name)]
    pub name_en: String,
    pub region_code: RegionCode,
    pub level: FacilityLevel,
    pub location: GeoPoint,
    #[schema(schema_with = text::schemas::address)]
    pub address: String,
    #[schema(schema_with = text::schemas::phone)]
    pub phone: String,
    pub services: Vec<ServiceKind>,
    pub takes_new_patients: bool,
    /// A children's hospital: it takes only children (patients of the `child` age band).
    /// Whether it treats children at all is the `pediatrics` service, which every facility
    /// that takes a child must offer.
    #[serde(default)]
    pub paediatric_only: bool,
}

impl FacilityDraft {
    /// Check lengths and normalise the service list (sorted, no repeats). Region existence is
    /// checked by the caller that holds the region table.
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        rules::FACILITY_NAME.check(&mut errors, "/name_zh", &self.name_zh);
        rules::FACILITY_NAME.check(&mut errors, "/name_en", &self.name_en);
        rules::ADDRESS.check(&mut errors, "/address", &self.address);
        rules::PHONE.check(&mut errors, "/phone", &self.phone);
        if let Err(e) = GeoPoint::new(self.location.lon, self.location.lat) {
            errors.0.extend(e.nested("/location").0);
        }
        self.name_zh = self.name_zh.trim().to_string();
        self.name_en = self.name_en.trim().to_string();
        self.services.sort();
        self.services.dedup();
        errors.finish(self)
    }
}

/// A facility as stored, with its derived current designation and its version for ETags.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Facility {
    pub id: FacilityId,
    #[serde(flatten)]
    pub draft: FacilityDraft,
    /// The designation in force now, derived from the order history ("general" without orders).
    pub designation: Designation,
    /// Bumped by every update; the ETag is derived from it.
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_name_every_bad_field() {
        let draft = FacilityDraft {
            name_zh: " ".into(),
            name_en: "x".repeat(201),
            region_code: RegionCode::parse("420100").unwrap(),
            level: FacilityLevel::Tertiary,
            location: GeoPoint { lon: 200.0, lat: 30.0 },
            address: String::new(),
            phone: String::new(),
            services: vec![ServiceKind::Icu, ServiceKind::Emergency, ServiceKind::Icu],
            takes_new_patients: true,
            paediatric_only: false,
        };
        let errors = draft.validate().unwrap_err();
        let pointers: Vec<_> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/name_zh", "/name_en", "/location/lon"]);
    }

    #[test]
    fn distance_wuhan_to_beijing_is_about_1050_km() {
        let wuhan = GeoPoint::new(114.30, 30.58).unwrap();
        let beijing = GeoPoint::new(116.40, 39.90).unwrap();
        let d = wuhan.distance_km(beijing);
        assert!((1000.0..1100.0).contains(&d), "{d}");
    }
}
