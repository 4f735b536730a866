//! The facility directory (public) and its upkeep (coordinators, and a facility's own desk).

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::facility::{Facility, FacilityDraft};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::{decode_cursor, encode_cursor, page_size, Page};
use carebridge_domain::region::{RegionCode, RegionPath};
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_store::facilities::{self, FacilityFilter, UpdateOutcome};
use carebridge_store::Visibility;

/// Directory query: region subtree plus the store's filters.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    pub region: Option<String>,
    pub filter: FacilityFilter,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl Carebridge {
    /// Check a draft, including that its region exists; returns the region path.
    pub(crate) fn check_draft(&self, draft: FacilityDraft) -> Result<(FacilityDraft, RegionPath), ServiceError> {
        let draft = draft.validate()?;
        let path = self.regions.path(draft.region_code).ok_or_else(|| {
            ServiceError::invalid(
                "/region_code",
                format!("`{}` is not a known GB/T 2260 region code", draft.region_code),
            )
        })?;
        Ok((draft, path))
    }

    /// Parse a region filter code.
    pub fn region_filter(&self, code: Option<&str>, pointer: &str) -> Result<Option<RegionCode>, ServiceError> {
        code.filter(|c| !c.is_empty())
            .map(|c| self.regions.lookup(c).map(|r| r.code).map_err(|e| ServiceError::invalid(pointer, e)))
            .transpose()
    }

    /// The public directory: anyone may list facilities.
    pub async fn directory(&self, q: &DirectoryQuery) -> Result<Page<Facility>, ServiceError> {
        let region = self.region_filter(q.region.as_deref(), "/region")?;
        let vis = scope::region_visibility(&self.regions, region);
        let limit = page_size(q.limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let after =
            q.cursor.as_deref().map(decode_cursor).transpose().map_err(|e| ServiceError::invalid("/cursor", e))?;
        let mut items = facilities::list(&self.store, vis, &q.filter, after.as_deref(), limit, self.now()).await?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|f| encode_cursor(&f.id.to_string()))
        } else {
            None
        };
        Ok(Page { items, next_cursor: next })
    }

    /// One facility from the public directory.
    pub async fn facility(&self, id: FacilityId) -> Result<Facility, ServiceError> {
        Ok(facilities::get(&self.store, id, Visibility::All, self.now()).await?)
    }

    /// Register a facility; coordinators of its region only.
    pub async fn create_facility(
        &self,
        p: &Principal,
        draft: FacilityDraft,
        meta: &RequestMeta,
    ) -> Result<Facility, ServiceError> {
        let c = scope::coordinator(p)?;
        let (draft, path) = self.check_draft(draft)?;
        if !c.governs(&self.regions, path.region) {
            return Err(ServiceError::invalid("/region_code", "outside the region you govern"));
        }
        let id = FacilityId::new_v7();
        let mut tx = self.store.begin().await?;
        facilities::insert(&mut tx, id, &draft, path, self.now()).await?;
        self.audit(
            &mut tx,
            &actor_of(p),
            meta,
            "facility.create",
            "facility",
            &id.to_string(),
            serde_json::to_value(&draft).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        self.facility(id).await
    }

    /// Replace a facility's fields, if `expected_version` (from `If-Match`) still stands.
    pub async fn update_facility(
        &self,
        p: &Principal,
        id: FacilityId,
        draft: FacilityDraft,
        expected_version: Option<i64>,
        meta: &RequestMeta,
    ) -> Result<Facility, ServiceError> {
        let vis = match (p.role, p.scope) {
            (Role::FacilityDesk, Scope::Facility(f)) => Visibility::Facility(f),
            _ => scope::coordinator(p)?.visibility(&self.regions),
        };
        let (draft, path) = self.check_draft(draft)?;
        // A facility outside the caller's scope is "not found", whatever region the body names.
        let current = facilities::get(&self.store, id, vis, self.now()).await?;
        if let Visibility::Facility(_) = vis {
            // A desk may not move its facility to another region.
            if current.draft.region_code != draft.region_code {
                return Err(ServiceError::invalid(
                    "/region_code",
                    "a facility desk cannot change the facility's region",
                ));
            }
        } else if !scope::coordinator(p)?.governs(&self.regions, path.region) {
            return Err(ServiceError::invalid("/region_code", "outside the region you govern"));
        }
        let mut tx = self.store.begin().await?;
        match facilities::update(&mut tx, id, &draft, path, expected_version, vis, self.now()).await? {
            UpdateOutcome::VersionMismatch { current } => return Err(ServiceError::PreconditionFailed { current }),
            UpdateOutcome::Updated { version } => {
                let change = serde_json::json!({ "draft": draft, "version": version });
                self.audit(&mut tx, &actor_of(p), meta, "facility.update", "facility", &id.to_string(), change).await?;
            }
        }
        tx.commit().await?;
        self.facility(id).await
    }
}
