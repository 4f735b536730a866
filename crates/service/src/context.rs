//! The service context: store, clock and region table, shared by every use case.

use crate::capacity_writer::ReportWriter;
use crate::error::ServiceError;
use crate::token_cache::TokenCache;
use carebridge_domain::audit::{Actor, Entry};
use carebridge_domain::clock::{Clock, SystemClock, Timestamp};
use carebridge_domain::ids::AuditId;
use carebridge_domain::region::Regions;
use carebridge_domain::user::Principal;
use carebridge_store::{audit, Store, Tx};
use std::sync::Arc;

/// Facts about the request a write records in its audit entry.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
}

/// Everything a use case needs. Cheap to clone.
#[derive(Clone)]
pub struct Carebridge {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub regions: Arc<Regions>,
    /// Lifetime of API tokens.
    pub token_ttl_secs: i64,
    /// How far occupancy may exceed physical beds in a report (server-wide; see `SurgeFactor`).
    pub surge_factor: carebridge_domain::capacity::SurgeFactor,
    /// The group-commit writer of capacity reports, started on first use.
    writer: Arc<std::sync::Mutex<Option<ReportWriter>>>,
    /// The group-commit writer of bookings (SQLite), started on first use.
    booking_writer: Arc<std::sync::Mutex<Option<crate::booking_writer::BookingWriter>>>,
    /// Principals of recently seen tokens.
    pub(crate) tokens: Arc<TokenCache>,
    /// When each waiting referral may next be retried by the sweep (see
    /// `referrals::Carebridge::sweep_referrals`). In memory: losing it on a restart only means
    /// one early retry.
    pub(crate) placement_backoff:
        Arc<std::sync::Mutex<std::collections::HashMap<carebridge_domain::ids::ReferralId, Timestamp>>>,
    /// Facilities, beds and live offers in memory for ranking (see `placement_index`).
    pub(crate) placement_index: Arc<crate::placement_index::PlacementIndex>,
    /// Regions' placement limits in memory (see `limits`).
    pub(crate) placement_limits: Arc<std::sync::Mutex<crate::limits::LimitsCache>>,
    /// What each follow-up of freed beds did, for whoever watches (see
    /// `followup::Carebridge::watch_followups`); sending without watchers costs nothing.
    pub(crate) followups: tokio::sync::broadcast::Sender<crate::followup::FollowedUp>,
    /// The local day the slot horizon was last extended on (see
    /// `booking::Carebridge::extend_slot_horizon`); `i64::MIN` before the first time.
    pub(crate) slot_horizon_day: Arc<std::sync::atomic::AtomicI64>,
    /// Recent patient sign-ups, for the rate limit (see `sign_up`).
    pub(crate) sign_ups: Arc<std::sync::Mutex<crate::sign_up::SignUpLimiter>>,
}

impl std::fmt::Debug for Carebridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Carebridge").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Carebridge {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            regions: Arc::new(Regions::china()),
            token_ttl_secs: 12 * 3600,
            surge_factor: carebridge_domain::capacity::SurgeFactor::DEFAULT,
            writer: Arc::new(std::sync::Mutex::new(None)),
            booking_writer: Arc::new(std::sync::Mutex::new(None)),
            tokens: Arc::new(TokenCache::default()),
            placement_backoff: Arc::default(),
            placement_index: Arc::default(),
            placement_limits: Arc::default(),
            followups: tokio::sync::broadcast::channel(crate::followup::WATCH_BACKLOG).0,
            slot_horizon_day: Arc::new(std::sync::atomic::AtomicI64::new(i64::MIN)),
            sign_ups: Arc::default(),
        }
    }

    /// The capacity writer, started on the current runtime on first use (and restarted if the
    /// runtime that ran it has ended).
    pub(crate) fn report_writer(&self) -> ReportWriter {
        let mut slot = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(w) if !w.is_closed() => w.clone(),
            _ => {
                let w = ReportWriter::start(self.clone());
                *slot = Some(w.clone());
                w
            }
        }
    }

    /// The booking writer, started like the capacity writer.
    pub(crate) fn booking_writer(&self) -> crate::booking_writer::BookingWriter {
        let mut slot = self.booking_writer.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(w) if !w.is_closed() => w.clone(),
            _ => {
                let w = crate::booking_writer::BookingWriter::start(self.clone());
                *slot = Some(w.clone());
                w
            }
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Append the audit entry of a change inside its transaction.
    // The arguments are the audit record's fields, named at every call site; a builder would
    // only hide which of them a write sets.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn audit(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        meta: &RequestMeta,
        action: &str,
        entity: &str,
        entity_id: &str,
        change: serde_json::Value,
    ) -> Result<(), ServiceError> {
        let entry = self.audit_entry(actor, meta, action, entity, entity_id, change);
        audit::append(tx, &entry).await?;
        Ok(())
    }

    /// An audit entry stamped now, for callers that append several at once.
    pub(crate) fn audit_entry(
        &self,
        actor: &Actor,
        meta: &RequestMeta,
        action: &str,
        entity: &str,
        entity_id: &str,
        change: serde_json::Value,
    ) -> Entry {
        Entry {
            id: AuditId::new_v7(),
            at: self.now(),
            actor: actor.clone(),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.to_string(),
            request_id: meta.request_id.clone(),
            change,
        }
    }
}

/// The audit actor for a signed-in principal.
pub fn actor_of(p: &Principal) -> Actor {
    Actor { user_id: Some(p.user_id), name: p.username.clone(), role: Some(p.role) }
}
