//! Bulk loading from the console: CSV imports, the demo scenario, the national bench instance.
//! One transaction per file: a file with any bad row was refused before this point, and a
//! failure while writing rolls the whole file back.

use crate::context::{Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::audit::Actor;
use carebridge_domain::capacity::CapacityReportDraft;
use carebridge_domain::designation::{DesignationOrder, DesignationOrderDraft};
use carebridge_domain::facility::FacilityDraft;
use carebridge_domain::ids::{FacilityId, OrderId, ReportId, UserId};
use carebridge_store::capacity_group;
use carebridge_store::facilities::{self, UpdateOutcome};
use carebridge_store::{designations, Tx, Visibility};

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub reports: usize,
    pub unit_rows: usize,
}

impl Carebridge {
    /// Import facilities: rows with an id that exists are updated, the rest created. Each row
    /// is audited. All or nothing.
    pub async fn import_facilities(
        &self,
        actor: &Actor,
        rows: Vec<(Option<FacilityId>, FacilityDraft)>,
        meta: &RequestMeta,
    ) -> Result<ImportSummary, ServiceError> {
        let now = self.now();
        let mut checked = Vec::with_capacity(rows.len());
        for (i, (id, draft)) in rows.into_iter().enumerate() {
            let (draft, path) = self.check_draft(draft).map_err(|e| match e {
                ServiceError::Invalid(v) => ServiceError::Invalid(v.nested(&format!("/{i}"))),
                other => other,
            })?;
            checked.push((id, draft, path));
        }
        let mut summary = ImportSummary::default();
        let mut tx = self.store.begin().await?;
        for (id, draft, path) in checked {
            let (id, action) = match id {
                Some(id) => match facilities::update(&mut tx, id, &draft, path, None, Visibility::All, now).await {
                    Ok(UpdateOutcome::Updated { .. }) => (id, "facility.update"),
                    Ok(UpdateOutcome::VersionMismatch { .. }) => unreachable_mismatch()?,
                    Err(carebridge_store::StoreError::NotFound) => {
                        facilities::insert(&mut tx, id, &draft, path, now).await?;
                        (id, "facility.create")
                    }
                    Err(e) => return Err(e.into()),
                },
                None => {
                    let id = FacilityId::new_v7();
                    facilities::insert(&mut tx, id, &draft, path, now).await?;
                    (id, "facility.create")
                }
            };
            if action == "facility.create" {
                summary.created += 1;
            } else {
                summary.updated += 1;
            }
            self.audit(
                &mut tx,
                actor,
                meta,
                action,
                "facility",
                &id.to_string(),
                serde_json::to_value(&draft).unwrap_or_default(),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Import capacity reports in one transaction, a few set-based statements whatever the size. One audit
    /// entry records the import (count and time span), not one per report: an import is one act.
    pub async fn import_capacity(
        &self,
        actor: &Actor,
        reports: Vec<CapacityReportDraft>,
        meta: &RequestMeta,
    ) -> Result<ImportSummary, ServiceError> {
        let now = self.now();
        let mut checked = Vec::with_capacity(reports.len());
        for (i, r) in reports.into_iter().enumerate() {
            checked.push((
                ReportId::new_v7(),
                r.validate_with(now, self.surge_factor).map_err(|e| e.nested(&format!("/{i}")))?,
            ));
        }
        // Every facility must exist: checked in the same transaction by the foreign key, but a
        // clear message is kinder than a constraint name.
        let mut ids: Vec<FacilityId> = checked.iter().map(|(_, r)| r.facility_id).collect();
        ids.sort();
        ids.dedup();
        for chunk in ids.chunks(500) {
            let found = facilities::get_many(&self.store, chunk, now).await?;
            if found.len() != chunk.len() {
                let missing = chunk.iter().find(|id| !found.iter().any(|f| f.id == **id)).copied();
                let index = checked.iter().position(|(_, r)| Some(r.facility_id) == missing).unwrap_or(0);
                return Err(ServiceError::invalid(&format!("/{index}/facility_id"), "no such facility"));
            }
        }
        self.write_capacity_batch(actor, checked, meta).await
    }

    /// Write already-validated reports and their one audit entry in one transaction, and
    /// return once it is on disk (also used by the bench, which writes a batch at a time to
    /// measure ingestion).
    pub async fn write_capacity_batch(
        &self,
        actor: &Actor,
        reports: Vec<(ReportId, CapacityReportDraft)>,
        meta: &RequestMeta,
    ) -> Result<ImportSummary, ServiceError> {
        let now = self.now();
        let unit_rows: usize = reports.iter().map(|(_, r)| r.units.len()).sum();
        let span = (reports.iter().map(|(_, r)| r.as_of).min(), reports.iter().map(|(_, r)| r.as_of).max());
        let change = serde_json::json!({
            "reports": reports.len(),
            "unit_rows": unit_rows,
            "first_report": reports.first().map(|(id, _)| id.to_string()),
            "last_report": reports.last().map(|(id, _)| id.to_string()),
            "as_of_from": span.0,
            "as_of_to": span.1,
        });
        let count = reports.len();
        let entry = self.audit_entry(actor, meta, "capacity.import", "capacity_report", "batch", change);
        capacity_group::import_batch(&self.store, reports, actor.user_id, now, entry).await?.wait().await?;
        Ok(ImportSummary { reports: count, unit_rows, ..Default::default() })
    }

    /// Record a designation order from a scenario or import, ordered by `ordered_by`.
    pub async fn import_designation(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        draft: DesignationOrderDraft,
        ordered_by: UserId,
        meta: &RequestMeta,
    ) -> Result<DesignationOrder, ServiceError> {
        let draft = draft.validate()?;
        let order = DesignationOrder { id: OrderId::new_v7(), draft, ordered_by, ordered_at: self.now() };
        designations::insert(tx, &order).await?;
        self.audit(
            tx,
            actor,
            meta,
            "designation.order",
            "facility",
            &order.draft.facility_id.to_string(),
            serde_json::to_value(&order).unwrap_or_default(),
        )
        .await?;
        Ok(order)
    }

    /// Insert a facility with a known id inside `tx` (scenario loading).
    pub async fn import_facility_with_id(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: FacilityId,
        draft: FacilityDraft,
        meta: &RequestMeta,
    ) -> Result<(), ServiceError> {
        let (draft, path) = self.check_draft(draft)?;
        facilities::insert(tx, id, &draft, path, self.now()).await?;
        self.audit(
            tx,
            actor,
            meta,
            "facility.create",
            "facility",
            &id.to_string(),
            serde_json::to_value(&draft).unwrap_or_default(),
        )
        .await
    }
}

fn unreachable_mismatch() -> Result<(FacilityId, &'static str), ServiceError> {
    // `update` with no expected version never reports a mismatch.
    Err(ServiceError::Internal("version mismatch without If-Match".into()))
}
