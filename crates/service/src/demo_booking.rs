//! The demo's booking side (issue 13): Beijing's December 2022 rule in force (every visit but
//! emergencies and fevers booked online first), two weeks of schedules at Beijing's and
//! Wuhan's hospitals, patient accounts `patient1` … `patient50` (the demo password), and a few
//! of them booked already, and online care open at Union (three consultations waiting) and
//! Peking Union. Loaded through the same use cases as live data, so it is audited and
//! obeys every rule; `carebridge demo` calls it after the scenario and its stories.

use crate::context::{Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::audit::Actor;
use carebridge_domain::booking::{ScheduleDraft, TemplateDraft};
use carebridge_domain::consultation::ConsultationDraft;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::UserId;
use carebridge_domain::referral::AgeBand;
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{Exemption, RegistrationOrderDraft};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role, Scope, User};
use carebridge_scenario::{Scenario, DEMO_PASSWORD, WUHAN_UNION_KEY};
use carebridge_store::Visibility;

/// How many patient accounts the demo makes (`patient1` … `patientN`).
pub const DEMO_PATIENTS: usize = 50;

/// What the demo's booking side made.
#[derive(Debug, Clone, Default)]
pub struct DemoBooking {
    pub schedules: usize,
    pub slots: u64,
    pub patients: usize,
    pub bookings: usize,
    pub consultations: usize,
}

fn template(weekdays: &[u8], start: &str, end: &str, slot_minutes: i64, capacity: i64) -> TemplateDraft {
    TemplateDraft { weekdays: weekdays.to_vec(), start: start.into(), end: end.into(), slot_minutes, capacity }
}

/// The week a hospital's outpatient desk keeps for a service: consultations Monday to
/// Saturday morning and afternoon; dialysis in three shifts of six stations; the fever clinic
/// round the clock, ten patients an hour.
fn week_of(service: ServiceKind) -> Option<Vec<TemplateDraft>> {
    const WEEK: &[u8] = &[1, 2, 3, 4, 5, 6];
    match service {
        ServiceKind::InternalMedicine
        | ServiceKind::Respiratory
        | ServiceKind::Pediatrics
        | ServiceKind::Cardiology => {
            Some(vec![template(WEEK, "08:00", "12:00", 20, 1), template(WEEK, "13:30", "17:00", 20, 1)])
        }
        ServiceKind::Dialysis => Some(vec![
            template(WEEK, "07:00", "11:00", 240, 6),
            template(WEEK, "11:30", "15:30", 240, 6),
            template(WEEK, "16:00", "20:00", 240, 6),
        ]),
        ServiceKind::FeverClinic => Some(vec![template(&[1, 2, 3, 4, 5, 6, 7], "00:00", "24:00", 60, 10)]),
        _ => None,
    }
}

impl Carebridge {
    /// Load the demo's booking side (see the module's description).
    pub async fn load_demo_booking(&self, scenario: &Scenario) -> Result<DemoBooking, ServiceError> {
        let meta = RequestMeta { request_id: Some("scenario-booking".into()) };
        let mut made = DemoBooking::default();
        let beijing = self.story_principal("beijing").await?;
        let wuhan = self.story_principal("wuhan").await?;
        let rule = RegistrationOrderDraft {
            region_code: RegionCode::parse("110000").expect("Beijing's code"),
            required: true,
            exemptions: vec![Exemption::Emergency, Exemption::Fever],
            effective_at: self.now().minus_hours(24),
            reason: "All patients except emergencies and fevers register online and secure an appointment slot \
                     before visiting (Beijing, December 2022)"
                .into(),
            order_number: "京疫指〔2022〕演示".into(),
        };
        self.order_registration_rule(&beijing, rule, &meta).await?;

        for f in &scenario.facilities {
            let coordinator = match f.draft.region_code.province().to_string().as_str() {
                "110000" => &beijing,
                "420000" if f.draft.region_code.to_string().starts_with("4201") => &wuhan,
                _ => continue,
            };
            let facility = self.visible_facility(Visibility::All, f.id).await?;
            for service in &facility.draft.services {
                let Some(templates) = week_of(*service) else { continue };
                if facility.designation == Designation::VirusDesignated && !service.is_virus_care() {
                    continue;
                }
                let draft = ScheduleDraft {
                    facility_id: f.id,
                    service: *service,
                    clinician: None,
                    valid_from: None,
                    valid_until: None,
                    templates,
                };
                let published = self.publish_schedule(coordinator, draft, &meta).await?;
                made.schedules += 1;
                made.slots += published.slots_made;
            }
        }

        let patients = self.demo_patients(&meta).await?;
        made.patients = patients.len();
        // The first ten hold a consultation at Union tomorrow or later.
        let union = scenario
            .facility_id(WUHAN_UNION_KEY)
            .ok_or_else(|| ServiceError::Internal("the demo has no Union Hospital".into()))?;
        let search = crate::booking::SlotSearch {
            service: Some(ServiceKind::InternalMedicine),
            facility: Some(union),
            from: Some(carebridge_domain::booking::LocalDay(self.today().0 + 1).to_string()),
            limit: Some(10),
            ..Default::default()
        };
        let slots = self.search_slots(&search).await?.items;
        for (patient, slot) in patients.iter().zip(slots) {
            let draft = crate::booking::BookingDraft { slot_id: slot.slot.id, patient_pseudonym: None };
            self.book(patient, draft, &meta).await?;
            made.bookings += 1;
        }

        // Union answers patients online, as a Wuhan hospital did through its app; three wait
        // in its queue for `dr-union`. Peking Union offers online care too.
        self.set_online_care(&wuhan, union, crate::consultations::OnlineCareBody { open: true }, &meta).await?;
        if let Some(pumch) = scenario.facility_id("beijing-pumch") {
            self.set_online_care(&beijing, pumch, crate::consultations::OnlineCareBody { open: true }, &meta).await?;
        }
        let complaints = [
            "发热两天，最高38.9℃，咳嗽，抗原阳性。家里有布洛芬吗不确定，需要去医院吗？ \
             Fever for two days, up to 38.9 °C, cough, antigen positive. Do I need to go to hospital?",
            "72岁，高血压，咳嗽一周，今天有点气短。 Aged 72 with high blood pressure, coughing for a week, \
             a little short of breath today.",
            "孩子4岁，发热39℃，精神还好。 My 4-year-old has a fever of 39 °C but is playing.",
        ];
        let bands = [AgeBand::YoungAdult, AgeBand::Senior, AgeBand::Child];
        let wuhan_city = RegionCode::parse("420100").expect("Wuhan's code");
        for ((patient, complaint), age_band) in patients.iter().skip(10).zip(complaints).zip(bands) {
            let draft = ConsultationDraft {
                facility_id: union,
                complaint: complaint.into(),
                age_band,
                region_code: wuhan_city,
                location: Some(GeoPoint { lon: 114.27, lat: 30.58 }),
            };
            self.request_consultation(patient, draft, &meta).await?;
            made.consultations += 1;
        }
        Ok(made)
    }

    /// `patient1` … `patient50`: one password hash for all (argon2 is slow on purpose, and the
    /// demo password is the same), inserted and audited in one transaction.
    async fn demo_patients(&self, meta: &RequestMeta) -> Result<Vec<Principal>, ServiceError> {
        let hash = crate::auth::hash_password(DEMO_PASSWORD.to_string()).await?;
        let actor = Actor::system("scenario");
        let mut tx = self.store.begin().await?;
        let mut out = Vec::new();
        for n in 1..=DEMO_PATIENTS {
            let user = User {
                id: UserId::new_v7(),
                username: format!("patient{n}"),
                display_name: format!("演示患者 {n} · Demo patient {n}"),
                role: Role::Patient,
                scope: Scope::Own,
                disabled: false,
            };
            let placement = carebridge_store::users::UserPlacement { path: None, facility: None };
            carebridge_store::users::insert(&mut tx, &user, &hash, placement, self.now()).await?;
            let change = serde_json::to_value(&user).unwrap_or_default();
            self.audit(&mut tx, &actor, meta, "user.create", "user", &user.id.to_string(), change).await?;
            out.push(Principal {
                user_id: user.id,
                username: user.username.clone(),
                role: Role::Patient,
                scope: Scope::Own,
            });
        }
        tx.commit().await?;
        Ok(out)
    }
}
