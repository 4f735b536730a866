//! Designation orders: a coordinator of the facility's region orders, history is kept, the
//! current designation is derived.

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::designation::{DesignationOrder, DesignationOrderDraft};
use carebridge_domain::ids::{FacilityId, OrderId};
use carebridge_domain::page::{decode_cursor, encode_cursor, page_size, Page};
use carebridge_domain::user::Principal;
use carebridge_store::{designations, facilities, Visibility};

impl Carebridge {
    /// Record an order. Only coordinators whose region contains the facility may order; for
    /// anyone else the facility does not exist.
    pub async fn order_designation(
        &self,
        p: &Principal,
        draft: DesignationOrderDraft,
        meta: &RequestMeta,
    ) -> Result<DesignationOrder, ServiceError> {
        let c = scope::coordinator(p)?;
        let draft = draft.validate()?;
        let facility =
            facilities::get(&self.store, draft.facility_id, c.visibility(&self.regions), self.now())
                .await
                .map_err(|_| ServiceError::invalid("/facility_id", "no such facility in the region you govern"))?;
        let order = DesignationOrder { id: OrderId::new_v7(), draft, ordered_by: p.user_id, ordered_at: self.now() };
        let mut tx = self.store.begin().await?;
        designations::insert(&mut tx, &order).await?;
        let cancelled = self.designation_cancels_bookings(&mut tx, &facility, &order, p, meta).await?;
        let change = serde_json::json!({
            "order": order,
            "previous_designation": facility.designation,
            "bookings_cancelled": cancelled,
        });
        self.audit(&mut tx, &actor_of(p), meta, "designation.order", "facility", &facility.id.to_string(), change)
            .await?;
        tx.commit().await?;
        Ok(order)
    }

    /// Cancel, in the order's transaction, the bookings a designation stops (every service
    /// but the virus's own, from the order's effect on); answers how many.
    pub(crate) async fn designation_cancels_bookings(
        &self,
        tx: &mut carebridge_store::Tx,
        facility: &carebridge_domain::facility::Facility,
        order: &DesignationOrder,
        p: &Principal,
        meta: &RequestMeta,
    ) -> Result<usize, ServiceError> {
        let Some(stops) = crate::booking_changes::designation_stops(order.draft.designation) else {
            return Ok(0);
        };
        let stop = crate::booking_changes::ServiceStop {
            facility,
            stops: &stops,
            from: order.draft.effective_at.max(self.now()),
            until: None,
            cause: carebridge_domain::booking::ChangeCause::Designation,
            reason: &order.draft.reason,
        };
        Ok(self.stop_service(tx, &stop, &actor_of(p), meta).await?.bookings_cancelled.len())
    }

    /// Orders the caller may read, newest first, optionally for one facility.
    pub async fn designation_orders(
        &self,
        p: &Principal,
        facility: Option<FacilityId>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<DesignationOrder>, ServiceError> {
        let vis = scope::capacity_reader(&self.regions, p)?;
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let before = cursor.map(decode_cursor).transpose().map_err(|e| ServiceError::invalid("/cursor", e))?;
        let mut items = designations::list(&self.store, vis, facility, before.as_deref(), limit).await?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|o| encode_cursor(&o.id.to_string()))
        } else {
            None
        };
        Ok(Page { items, next_cursor: next })
    }

    pub async fn designation_order(&self, p: &Principal, id: OrderId) -> Result<DesignationOrder, ServiceError> {
        let vis = scope::capacity_reader(&self.regions, p)?;
        Ok(designations::get(&self.store, id, vis).await?)
    }

    /// The visibility used to check a facility exists for this reader (404 otherwise).
    pub(crate) async fn visible_facility(
        &self,
        vis: Visibility,
        id: FacilityId,
    ) -> Result<carebridge_domain::facility::Facility, ServiceError> {
        Ok(facilities::get(&self.store, id, vis, self.now()).await?)
    }
}
