//! The web pages: server-rendered HTML in Chinese and English for the public directory, sign-in,
//! the coordinators' capacity board, and referrals (filing and following them, a desk's offer
//! inbox, the coordinators' board of stranded patients, a patient's own), the coordinators'
//! designation orders with the displacement preview and apply, with the stylesheet they share.
//!
//! Handlers stay thin (`pages/`): they read a query or form, call one or a few use cases of
//! `carebridge-service`, and fill an askama template (`crates/server/templates/`), which
//! escapes every value. The map and chart are pure SVG writers (`map.rs`, `chart.rs`), unit
//! tested on their own. Pages need no JavaScript: links and forms do everything, so they work
//! with a keyboard, on a phone and with scripts off. The one script (`assets/countdown.js`)
//! only ticks down a time the server has already written into the desk inbox.

mod assets;
mod chart;
mod form;
mod format;
mod i18n;
mod map;
mod page;
mod pages;
mod session;
mod svg;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_booking;
#[cfg(test)]
mod tests_consult;
#[cfg(test)]
mod tests_desk;
mod text_booking;
mod text_consult;
mod text_designations;
mod text_desk;
mod text_plans;
mod text_ranking;
mod text_sanity;
mod text_users;
#[cfg(test)]
mod words;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub use i18n::Lang;
pub use session::{CSRF_COOKIE, CSRF_FIELD, LANG_COOKIE};

/// The page routes, merged into the main router by `startup.rs`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/directory", get(pages::directory::get))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/board", get(pages::board::get))
        .route("/referrals", get(pages::referrals::tracker))
        .route("/referrals/new", get(pages::referrals::new_form).post(pages::referrals::new_submit))
        .route("/referrals/{id}", get(pages::referrals::detail))
        .route("/referrals/{id}/cancel", post(pages::referrals::cancel))
        .route("/me/referrals", get(pages::referrals::mine))
        .route("/desk/offers", get(pages::desk::inbox))
        .route("/desk/offers/{id}/answer", post(pages::desk::answer))
        .route("/desk/referrals/{id}/admit", post(pages::desk::admit))
        .route("/placement/board", get(pages::placement::board))
        // designation orders and displacement (issue 20)
        .route("/designations", get(pages::designations::list).post(pages::designations::order))
        .route("/placement/displacements/{id}", get(pages::designations::displacement))
        .route("/placement/displacements/{id}/apply", post(pages::designations::apply))
        // Desk capacity form and facility pages (issue 20, desk-public).
        .route("/desk/capacity", get(pages::capacity::desk_form).post(pages::capacity::desk_submit))
        .route("/facilities/{id}", get(pages::facility::get))
        .route("/facilities/{id}/capacity", get(pages::capacity::facility_form).post(pages::capacity::facility_submit))
        // Referral ranking and directed placement (issue 20): pages/ranking.rs.
        .route("/placement/referrals/{id}", get(pages::ranking::show))
        .route("/placement/referrals/{id}/direct", post(pages::ranking::direct))
        // placement plans and limits (issue 20)
        .route("/placement/plans", get(pages::plans::list).post(pages::plans::preview))
        .route("/placement/plans/{id}", get(pages::plans::show))
        .route("/placement/plans/{id}/apply", post(pages::plans::apply))
        .route("/placement/limits", get(pages::limits::show))
        .route("/placement/limits/placement", post(pages::limits::set_placement))
        .route("/placement/limits/travel", post(pages::limits::set_travel))
        // Check-in, fever queues and waits (issue 13): pages/checkin.rs, pages/fever.rs.
        .route("/desk/check-in", get(pages::checkin::show).post(pages::checkin::submit))
        .route("/desk/fever", get(pages::fever::board))
        .route("/desk/fever/arrive", post(pages::fever::arrive))
        .route("/desk/fever/{id}/move", post(pages::fever::move_visit))
        .route("/fever", get(pages::fever::waits))
        // Online consultations (issue 13): pages/consult.rs.
        .route("/consult", get(pages::consult::show).post(pages::consult::ask))
        .route("/consult/{id}/withdraw", post(pages::consult::withdraw))
        .route("/clinic/consultations", get(pages::consult::queue))
        .route("/clinic/consultations/next", post(pages::consult::take_next))
        .route("/clinic/consultations/{id}/answer", post(pages::consult::answer))
        // User management for coordinators (issue 20, desk-public).
        .route("/users", get(pages::users::get).post(pages::users::post))
        .route("/assets/style.css", get(assets::style))
        .route("/assets/favicon.svg", get(assets::favicon))
        .route("/assets/countdown.js", get(assets::countdown))
}

/// The 404 for browsers: the HTML error page with the site's navigation (the caller decides
/// the client prefers HTML).
pub async fn not_found_page(state: &AppState, parts: &mut axum::http::request::Parts) -> axum::response::Response {
    use axum::extract::FromRequestParts;
    match page::PageCtx::from_request_parts(parts, state).await {
        Ok(ctx) => {
            let t = ctx.t();
            ctx.error(axum::http::StatusCode::NOT_FOUND, t.err_title_not_found, t.err_not_found)
        }
        Err(res) => res,
    }
}
