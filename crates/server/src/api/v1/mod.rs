//! `/api/v1`: routes by area, each handler annotated for the OpenAPI document, which is generated
//! from these annotations and served at `/api/v1/openapi.json`.

mod audit;
mod auth;
mod booking;
mod capacity;
mod consultations;
mod designations;
pub mod document;
mod facilities;
mod fever;
mod patients;
mod plans;
mod protected;
mod referrals;
mod regions;
mod registration;
mod rollups;
mod users;
mod waitlist;

use crate::state::AppState;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Carebridge API",
        description = "Regions, facilities, designations, capacity and referrals of a health system under surge. \
                       Errors are RFC 9457 problem details; lists paginate with `cursor`; creating \
                       POSTs honour `Idempotency-Key`; updates take `If-Match`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::problem::Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// All `/api/v1` routes with their OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(regions::router())
        .merge(facilities::router())
        .merge(designations::router())
        .merge(capacity::router())
        .merge(rollups::router())
        .merge(referrals::router())
        .merge(plans::router())
        .merge(protected::router())
        .merge(booking::router())
        .merge(waitlist::router())
        .merge(registration::router())
        .merge(fever::router())
        .merge(consultations::router())
        .merge(patients::router())
        .merge(users::router())
        .merge(audit::router())
}

/// The OpenAPI document as served (and checked in as `docs/openapi.json`): see [`document`].
pub fn openapi() -> serde_json::Value {
    let (_, api) = router().split_for_parts();
    document::complete(api)
}
