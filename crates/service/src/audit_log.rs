//! Reading the audit log (auditors and national coordinators).

use crate::context::Carebridge;
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::audit::Entry;
use carebridge_domain::page::{decode_number_cursor, encode_cursor, page_size, Page};
use carebridge_domain::user::Principal;
use carebridge_store::audit::{self, AuditFilter};

impl Carebridge {
    pub async fn audit_entries(
        &self,
        p: &Principal,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<Entry>, ServiceError> {
        scope::audit_reader(p)?;
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let before = cursor.map(decode_number_cursor).transpose().map_err(|e| ServiceError::invalid("/cursor", e))?;
        let mut rows = audit::list(&self.store, filter, before, limit).await?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|(seq, _)| encode_cursor(&seq.to_string()))
        } else {
            None
        };
        Ok(Page { items: rows.into_iter().map(|(_, e)| e).collect(), next_cursor: next })
    }
}
