//! Loading a generated scenario (the demo, test fixtures) through the same use cases as live
//! data, so a seeded registry obeys every rule and is fully audited.

use crate::context::{Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::users::NewUser;
use carebridge_domain::audit::Actor;
use carebridge_domain::designation::DesignationOrderDraft;
use carebridge_scenario::{Scenario, ScenarioScope, DEMO_PASSWORD};
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
