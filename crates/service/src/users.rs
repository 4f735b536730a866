//! Accounts: created by coordinators over the API (roles below their own, inside their region)
//! or by an operator at the console (`carebridge user add`). `serve` never creates accounts.

use crate::auth::hash_password;
use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::audit::Actor;
use carebridge_domain::ids::UserId;
use carebridge_domain::page::{decode_cursor, encode_cursor, page_size, Page};
use carebridge_domain::user::{validate_password, validate_username, Principal, Role, Scope, User};
use carebridge_domain::ValidationErrors;
use carebridge_store::users::{self, UserPlacement};
use carebridge_store::{facilities, Visibility};

/// A new account as requested.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 3–64 characters of a-z, 0-9, `.`, `_` or `-`, starting with a letter or digit.
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{2,63}$", min_length = 3, max_length = 64)]
    pub username: String,
    /// 12 to 1024 characters.
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    pub role: Role,
    /// A region code for coordinators, a facility id for desks and clinicians; omitted for
    /// national coordinators, auditors and patients.
    #[schema(pattern = "^([0-9]{6}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub scope: Option<String>,
    #[serde(default)]
    #[schema(schema_with = carebridge_domain::text::schemas::display_name_or_null)]
    pub display_name: Option<String>,
}

impl Carebridge {
    /// Turn a scope string into a `Scope` that fits the role, and where the user sits.
    async fn resolve_scope(&self, role: Role, scope: Option<&str>) -> Result<(Scope, UserPlacement), ServiceError> {
        let none = UserPlacement { path: None, facility: None };
        match role {
            Role::NationalCoordinator | Role::Auditor | Role::Patient => match scope {
                None => Ok((if role == Role::Patient { Scope::Own } else { Scope::Nation }, none)),
                Some(_) => Err(ServiceError::invalid("/scope", format!("a {role} has no scope; omit it"))),
            },
            Role::ProvincialCoordinator | Role::CityCoordinator => {
                let s = scope.ok_or_else(|| ServiceError::invalid("/scope", "a region code is required"))?;
                let region = self.regions.lookup(s).map_err(|e| ServiceError::invalid("/scope", e))?;
                let path = self.regions.path(region.code);
                Ok((Scope::Region(region.code), UserPlacement { path, facility: None }))
            }
            Role::FacilityDesk | Role::Clinician => {
                let s = scope.ok_or_else(|| ServiceError::invalid("/scope", "a facility id is required"))?;
                let id =
                    s.parse().map_err(|_| ServiceError::invalid("/scope", format!("`{s}` is not a facility id")))?;
                let f = facilities::get(&self.store, id, Visibility::All, self.now())
                    .await
                    .map_err(|_| ServiceError::invalid("/scope", format!("no facility `{s}`")))?;
                let path = self.regions.path(f.draft.region_code);
                Ok((Scope::Facility(id), UserPlacement { path, facility: Some(id) }))
            }
        }
    }

    /// Create an account. `by` is the coordinator creating it, or `None` for the console.
    pub async fn create_user(
        &self,
        by: Option<&Principal>,
        new: NewUser,
        meta: &RequestMeta,
    ) -> Result<User, ServiceError> {
        let mut errors = ValidationErrors::default();
        if let Err(e) = validate_username(&new.username) {
            errors.push("/username", e);
        }
        if let Err(e) = validate_password(&new.password) {
            errors.push("/password", e);
        }
        if let Some(name) = &new.display_name {
            carebridge_domain::text::rules::DISPLAY_NAME.check(&mut errors, "/display_name", name);
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let (scope, placement) = self.resolve_scope(new.role, new.scope.as_deref()).await?;
        if let Some(p) = by {
            let c = scope::coordinator(p)?;
            let allowed = matches!(
                (p.role, new.role),
                (Role::NationalCoordinator, _)
                    | (Role::ProvincialCoordinator, Role::CityCoordinator | Role::FacilityDesk | Role::Clinician)
                    | (Role::CityCoordinator, Role::FacilityDesk | Role::Clinician)
            );
            if !allowed {
                return Err(ServiceError::Forbidden(format!("a {} cannot create a {}", p.role, new.role)));
            }
            let inside = placement.path.map(|path| c.governs(&self.regions, path.region)).unwrap_or(c.region.is_none());
            if !inside {
                return Err(ServiceError::invalid("/scope", "outside the region you govern"));
            }
        }
        let hash = hash_password(new.password).await?;
        let user = User {
            id: UserId::new_v7(),
            display_name: new
                .display_name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| new.username.clone()),
            username: new.username,
            role: new.role,
            scope,
            disabled: false,
        };
        let actor = by.map(actor_of).unwrap_or_else(|| Actor::system("console"));
        let mut tx = self.store.begin().await?;
        users::insert(&mut tx, &user, &hash, placement, self.now()).await?;
        self.audit(
            &mut tx,
            &actor,
            meta,
            "user.create",
            "user",
            &user.id.to_string(),
            serde_json::to_value(&user).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn list_users(
        &self,
        p: &Principal,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<User>, ServiceError> {
        let vis = scope::user_reader(&self.regions, p)?;
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let after = cursor.map(decode_cursor).transpose().map_err(|e| ServiceError::invalid("/cursor", e))?;
        let mut items = users::list(&self.store, vis, after.as_deref(), limit).await?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|u| encode_cursor(&u.username))
        } else {
            None
        };
        Ok(Page { items, next_cursor: next })
    }

    pub async fn get_user(&self, p: &Principal, id: UserId) -> Result<User, ServiceError> {
        if p.user_id == id {
            return Ok(users::get(&self.store, id, Visibility::All).await?);
        }
        let vis = scope::user_reader(&self.regions, p)?;
        Ok(users::get(&self.store, id, vis).await?)
    }
}
