//! Online consultations: a patient asks a facility that offers online care about a complaint;
//! one of its clinicians takes the next request from the facility's queue and answers in
//! writing, with an advice that may suggest medicines, or judges it beyond online care and turns
//! it, in one step, into a referral (placement) or a booking that carries the complaint over.
//!
//! ```text
//! waiting ──take──▶ taken ──answer──▶ answered
//!    │   ◀─release─┘  ├──refer───▶ referred   (a referral is filed)
//!    │                └──book────▶ booked     (a slot is booked for the patient)
//!    └──withdraw──▶ withdrawn
//! ```

use crate::clock::Timestamp;
use crate::facility::GeoPoint;
use crate::ids::{BookingId, ConsultationId, FacilityId, ReferralId, UserId};
use crate::referral::AgeBand;
use crate::region::RegionCode;
use crate::service_kind::vocabulary;
use crate::text::{rules, schemas};
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Where a consultation stands.
    ConsultationStatus {
        Waiting = "waiting", "排队中",
        Taken = "taken", "医生接诊中",
        Answered = "answered", "已回复",
        Referred = "referred", "已转诊",
        Booked = "booked", "已预约就诊",
        Withdrawn = "withdrawn", "已撤回",
    }
);

impl ConsultationStatus {
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Taken => "With a clinician",
            Self::Answered => "Answered",
            Self::Referred => "Referred",
            Self::Booked => "Booked for a visit",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// Whether the consultation still waits for a clinician's work.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Waiting | Self::Taken)
    }

    /// The moves the state machine in the module doc allows.
    pub fn may_become(self, next: ConsultationStatus) -> bool {
        use ConsultationStatus::*;
        matches!((self, next), (Waiting, Taken | Withdrawn) | (Taken, Waiting | Answered | Referred | Booked))
    }
}

/// The most consultations one patient may have open (waiting or with a clinician) at once,
/// across facilities: enough for a family asking on a child's and a parent's behalf, not
/// enough to flood every queue in the city with one complaint.
pub const MAX_OPEN_PER_PATIENT: i64 = 3;

/// The most medicines one advice may suggest.
pub const MAX_MEDICINES: usize = 10;

/// A patient's request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationDraft {
    /// A facility that offers online care (`GET /online-care` lists them).
    pub facility_id: FacilityId,
    /// The complaint in the patient's words: symptoms, since when, what was taken already.
    #[schema(schema_with = schemas::complaint)]
    pub complaint: String,
    pub age_band: AgeBand,
    /// Where the patient is (GB/T 2260 code): a referral or booking starts from here.
    #[schema(value_type = String)]
    pub region_code: RegionCode,
    /// The patient's position, if they share it: placement measures travel from it.
    #[serde(default)]
    pub location: Option<GeoPoint>,
}

impl ConsultationDraft {
    /// The content's own checks, every complaint at once.
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        rules::COMPLAINT.check(&mut errors, "/complaint", &self.complaint);
        self.complaint = self.complaint.trim().to_string();
        if let Some(p) = self.location {
            if let Err(e) = GeoPoint::new(p.lon, p.lat) {
                for field in e.0 {
                    errors.push(format!("/location{}", field.pointer), field.detail);
                }
            }
        }
        errors.finish(self)
    }
}

/// A medicine a clinician suggests.
///
/// This is the seam for the medicine finder (the supplies work): `name` is what the patient
/// asks a pharmacy for; `item_code`, when the clinician picks from the supplies catalogue, is
/// the key the finder will look up to answer "where is it in stock near me". Until a catalogue
/// exists it stays `null` and pages show the name alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestedMedicine {
    /// Generic name and strength, e.g. "ibuprofen 200 mg".
    #[schema(schema_with = schemas::medicine)]
    pub name: String,
    /// How to take it.
    #[serde(default)]
    #[schema(schema_with = schemas::instructions)]
    pub instructions: String,
    /// The supplies catalogue's code for the item, when there is one.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub item_code: Option<String>,
}

/// A clinician's written answer, with the medicines it suggests.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationAnswer {
    #[schema(schema_with = schemas::answer)]
    pub answer: String,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub medicines: Vec<SuggestedMedicine>,
}

impl ConsultationAnswer {
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        rules::ANSWER.check(&mut errors, "/answer", &self.answer);
        self.answer = self.answer.trim().to_string();
        if self.medicines.len() > MAX_MEDICINES {
            errors.push("/medicines", format!("at most {MAX_MEDICINES} medicines"));
        }
        for (i, m) in self.medicines.iter_mut().enumerate() {
            rules::MEDICINE.check(&mut errors, &format!("/medicines/{i}/name"), &m.name);
            rules::INSTRUCTIONS.check(&mut errors, &format!("/medicines/{i}/instructions"), &m.instructions);
            m.name = m.name.trim().to_string();
            m.instructions = m.instructions.trim().to_string();
            if let Some(code) = &m.item_code {
                let ok = (1..=64).contains(&code.len())
                    && code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
                if !ok {
                    errors.push(format!("/medicines/{i}/item_code"), "1–64 of A-Z, a-z, 0-9, '.', '_' or '-'");
                }
            }
        }
        errors.finish(self)
    }
}

/// One consultation as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Consultation {
    pub id: ConsultationId,
    pub facility_id: FacilityId,
    pub patient_id: UserId,
    pub patient_pseudonym: String,
    pub complaint: String,
    pub age_band: AgeBand,
    #[schema(value_type = String)]
    pub region_code: RegionCode,
    pub location: Option<GeoPoint>,
    pub status: ConsultationStatus,
    pub requested_at: Timestamp,
    pub taken_by: Option<UserId>,
    pub taken_at: Option<Timestamp>,
    pub answer: Option<String>,
    pub medicines: Vec<SuggestedMedicine>,
    /// When it was answered, referred, booked or withdrawn.
    pub closed_at: Option<Timestamp>,
    /// The referral it became.
    pub referral_id: Option<ReferralId>,
    /// The booking it became.
    pub booking_id: Option<BookingId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consultation_moves_as_the_diagram_says() {
        use ConsultationStatus::*;
        assert!(Waiting.may_become(Taken) && Waiting.may_become(Withdrawn));
        assert!(Taken.may_become(Answered) && Taken.may_become(Referred) && Taken.may_become(Booked));
        assert!(Taken.may_become(Waiting), "a clinician may hand it back to the queue");
        assert!(!Waiting.may_become(Answered), "nobody answers what nobody took");
        assert!(!Taken.may_become(Withdrawn), "a patient cannot pull it from under the clinician");
        for closed in [Answered, Referred, Booked, Withdrawn] {
            assert!(!closed.is_open());
            assert!(ConsultationStatus::ALL.iter().all(|s| !closed.may_become(*s)), "{closed} is final");
        }
    }

    #[test]
    fn an_answer_is_checked_field_by_field() {
        let bad = ConsultationAnswer {
            answer: " ".into(),
            medicines: vec![SuggestedMedicine {
                name: String::new(),
                instructions: "x".repeat(501),
                item_code: Some("no spaces".into()),
            }],
        };
        let e = bad.validate().unwrap_err();
        let pointers: Vec<_> = e.0.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/answer", "/medicines/0/name", "/medicines/0/instructions", "/medicines/0/item_code"]);
        let good = ConsultationAnswer {
            answer: " Rest, fluids. ".into(),
            medicines: vec![SuggestedMedicine {
                name: "paracetamol 500 mg".into(),
                instructions: "one every 6 hours, at most 4 a day".into(),
                item_code: None,
            }],
        };
        assert_eq!(good.validate().unwrap().answer, "Rest, fluids.");
    }
}
