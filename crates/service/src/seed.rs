//! Loading a generated scenario (the demo, test fixtures) through the same use cases as live
//! data, so a seeded registry obeys every rule and is fully audited.

use crate::context::{Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::referrals::OfferAnswer;
use crate::users::NewUser;
use carebridge_domain::audit::Actor;
use carebridge_domain::capacity::{CapacityReportDraft, Unit, UnitCounts, UnitReport};
use carebridge_domain::designation::DesignationOrderDraft;
use carebridge_domain::user::Principal;
use carebridge_scenario::{stories, Scenario, ScenarioScope, DEMO_PASSWORD, WUHAN_UNION_KEY};
use std::collections::HashMap;

impl Carebridge {
    /// Load a scenario: facilities, then accounts (password [`DEMO_PASSWORD`]), then designation
    /// orders, then capacity history.
    pub async fn load_scenario(&self, scenario: &Scenario) -> Result<(), ServiceError> {
        let meta = RequestMeta { request_id: Some("scenario-load".into()) };
        let actor = Actor::system("scenario");
        let mut tx = self.store.begin().await?;
        for f in &scenario.facilities {
            self.import_facility_with_id(&mut tx, &actor, f.id, f.draft.clone(), &meta).await?;
        }
        tx.commit().await?;
        let mut users = HashMap::new();
        for u in &scenario.users {
            let scope = match u.scope {
                ScenarioScope::Nation | ScenarioScope::Own => None,
                ScenarioScope::Region(c) => Some(c.to_string()),
                ScenarioScope::Facility(k) => Some(
                    scenario
                        .facility_id(k)
                        .ok_or_else(|| {
                            ServiceError::Internal(format!("scenario user {} names no facility {k}", u.username))
                        })?
                        .to_string(),
                ),
            };
            let new = NewUser {
                username: u.username.to_string(),
                password: DEMO_PASSWORD.to_string(),
                role: u.role,
                scope,
                display_name: Some(u.display_name.clone()),
            };
            let user = self.create_user(None, new, &meta).await?;
            users.insert(u.username, user.id);
        }
        let mut tx = self.store.begin().await?;
        for f in &scenario.facilities {
            for d in &f.designations {
                let by = *users.get(d.ordered_by).ok_or_else(|| {
                    ServiceError::Internal(format!("scenario order by unknown user {}", d.ordered_by))
                })?;
                let draft = DesignationOrderDraft {
                    facility_id: f.id,
                    designation: d.designation,
                    effective_at: d.effective_at,
                    reason: d.reason.clone(),
                    order_number: d.order_number.clone(),
                };
                let actor = Actor { user_id: Some(by), name: d.ordered_by.to_string(), role: None };
                self.import_designation(&mut tx, &actor, draft, by, &meta).await?;
            }
        }
        tx.commit().await?;
        self.import_capacity(&actor, scenario.reports.clone(), &meta).await?;
        Ok(())
    }
}

impl Carebridge {
    /// The patients the demo starts with ([`carebridge_scenario::stories`]): Union's desk
    /// reports as many dialysis stations free as it has dialysis patients to take, Union's
    /// clinician files each of them, the engine offers each the nearest free station — Union's
    /// — and Union's desk accepts and admits them. Every step is the use case a person would
    /// run, so the story is audited and the timelines read as they would live. Fails, naming
    /// the patient, if the engine placed one anywhere but Union (the demo would then not tell
    /// its story).
    pub async fn load_demo_stories(&self, scenario: &Scenario) -> Result<(), ServiceError> {
        let meta = RequestMeta { request_id: Some("scenario-stories".into()) };
        let union = scenario
            .facility_id(WUHAN_UNION_KEY)
            .ok_or_else(|| ServiceError::Internal("the demo has no Union Hospital".into()))?;
        let clinician = self.story_principal("dr-union").await?;
        let desk = self.story_principal("desk-union").await?;
        let patients = stories::union_dialysis_referrals();

        let current = self.facility_capacity(&desk, union).await?;
        let dialysis = current
            .units
            .iter()
            .find(|u| u.unit == Unit::DialysisStations)
            .ok_or_else(|| ServiceError::Internal("Union reports no dialysis stations".into()))?;
        let staffed = dialysis.counts.staffed();
        let free = i64::try_from(patients.len()).unwrap_or(i64::MAX);
        let counts = UnitCounts::new(dialysis.counts.physical(), staffed, (staffed - free).max(0))?;
        let report = CapacityReportDraft {
            facility_id: union,
            as_of: self.now(),
            units: vec![UnitReport { unit: Unit::DialysisStations, counts }],
        };
        self.report_capacity(&desk, report, &meta).await?;

        for draft in patients {
            let pseudonym = draft.patient.pseudonym.clone();
            let filed = self.file_referral(&clinician, draft, &meta).await?;
            let offer = filed
                .current_offer
                .filter(|o| o.facility_id == union)
                .ok_or_else(|| ServiceError::Internal(format!("demo story: {pseudonym} was not offered Union")))?;
            self.answer_offer(&desk, offer.id, OfferAnswer::Accept, &meta).await?;
            self.admit_referral(&desk, filed.referral.id, &meta).await?;
        }
        Ok(())
    }

    /// The principal of a demo account, by username.
    pub(crate) async fn story_principal(&self, username: &str) -> Result<Principal, ServiceError> {
        let (user, _) = carebridge_store::users::find_for_login(&self.store, username)
            .await?
            .ok_or_else(|| ServiceError::Internal(format!("the demo has no account {username}")))?;
        Ok(Principal { user_id: user.id, username: user.username, role: user.role, scope: user.scope })
    }
}
