//! The authorisation matrix: every route × every role × in and out of the role's scope, against
//! a table written out by hand from the matrix in `crates/service/src/scope.rs` (not computed
//! with the server's logic). All rows run against one app per backend; every mismatch is
//! collected and the test fails listing them all.
//!
//! Conventions the table follows (from `scope.rs`): a role that may never do something gets
//! 403 whatever it targets; a role that may, but not there, gets 404 for a resource in the URL
//! and 422 (naming the field) for a reference in the body; anonymous callers of anything but
//! the public directory, regions, health and sign-in get 401.
//!
//! Bodies are valid, so a status reflects authorisation, not validation. Rows that succeed do
//! change state (a report, an order in the far future, a facility, a user, a re-saved facility)
//! in ways no other row depends on.

use carebridge_e2e::app::TestApp;
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::{capacity_report, designation_order, facility_draft, new_user};
use reqwest::Method;
use serde_json::json;
use std::collections::HashMap;

/// The callers: anonymous and each demo user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Anonymous,
    Nhc,
    Hubei,
    Wuhan,
    Beijing,
    DeskUnion,
    DrUnion,
    Auditor,
    Patient,
}

/// The table's column order.
const ROLES: [Role; 9] = [
    Role::Anonymous,
    Role::Nhc,
    Role::Hubei,
    Role::Wuhan,
    Role::Beijing,
    Role::DeskUnion,
    Role::DrUnion,
    Role::Auditor,
    Role::Patient,
];

impl Role {
    fn username(self) -> Option<&'static str> {
        match self {
            Role::Anonymous => None,
            Role::Nhc => Some("nhc"),
            Role::Hubei => Some("hubei"),
            Role::Wuhan => Some("wuhan"),
            Role::Beijing => Some("beijing"),
            Role::DeskUnion => Some("desk-union"),
            Role::DrUnion => Some("dr-union"),
            Role::Auditor => Some("auditor"),
            Role::Patient => Some("patient-demo"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    In,
    Out,
}

/// The facilities rows point at; each comes with its district, a designation order on it and
/// a desk account placed at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Site {
    /// Wuhan Union Hospital, 420103.
    Union,
    /// Wuhan Jinyintan Hospital, 420112: Wuhan, but not Union.
    Jinyintan,
    /// Huanggang Central Hospital, 421102: Hubei, but not Wuhan.
    Huanggang,
    /// Peking Union Medical College Hospital, 110101.
    Pumch,
}

/// Which site is "in" and which "out" of each role's scope. For the nation-wide roles (and
/// those with no facility scope at all) "out" is simply elsewhere.
fn site(role: Role, scope: Scope) -> Site {
    match (role, scope) {
        (Role::Beijing, Scope::In) => Site::Pumch,
        (_, Scope::In) => Site::Union,
        (Role::Wuhan, Scope::Out) => Site::Huanggang,
        (Role::Beijing, Scope::Out) => Site::Union,
        (Role::DrUnion, Scope::Out) => Site::Jinyintan,
        // Not Jinyintan: a referral there may first be offered to nearby Union before it is
        // directed to Jinyintan, and a desk sees what was offered to it.
        (Role::Anonymous | Role::Nhc | Role::Hubei | Role::DeskUnion | Role::Auditor | Role::Patient, Scope::Out) => {
            Site::Pumch
        }
    }
}

/// What a row sends.
#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    /// The caller's own credentials (the demo password); anonymous signs in as `auditor`.
    SignIn,
    /// A fresh token of the caller, revoked by the row (so cached tokens stay valid).
    OwnToken,
    /// A new facility in `{region}`.
    Facility,
    /// The site's current fields with `If-Match` of its current ETag.
    FacilityResave,
    /// A capacity report for the site.
    Report,
    /// A designation order on the site, effective in ten years.
    Order,
    /// A new desk account at the site.
    NewDesk,
    /// A stale threshold (the default, 12 h).
    Settings,
    /// A referral of a patient in the site's region, at the site's location.
    Referral,
    /// `{"reason": …}` to cancel.
    Cancel,
    /// A directed placement to the site's facility.
    Direct,
    /// `{"answer": "accept"}`.
    Accept,
    /// `{}`.
    Empty,
    /// `{"region_code": <the site's region>}`.
    Plan,
    /// A displacement preview of the site's facility becoming `general` in ten years.
    Displacement,
    /// `{"groups": ["dialysis", "maternity"]}`.
    Groups,
    /// Emergency limits of 45 minutes' wait, 20 minutes' hold, 90 minutes' travel.
    Limits,
    /// A travel rule of 45 minutes a session, in the province, one-off care across borders.
    Travel,
    /// A schedule of the site's service every day, for a clinician named after the row.
    Schedule,
    /// A booking of the site's fixture slot, for a walk-in named after the row.
    Booking,
    /// `{"slot_id": <the site's second fixture slot>}`.
    Reschedule,
    /// A closure of the site's service on one day a year ahead (no slots there yet).
    Closure,
    /// A limit of 3 future bookings of every service.
    BookingLimits,
    /// The site's facility and service, to queue for.
    Waitlist,
    /// A new patient's sign-up, named after the row.
    SignUp,
    /// A registration rule for the site's region, effective in ten years.
    Registration,
    /// A check-in of a patient named after the row for the site's service.
    CheckIn,
    /// A patient named after the row joining the site's fever queue.
    FeverArrival,
    /// `{"status": "left"}`.
    FeverMove,
    /// A 90-minute alert threshold.
    Threshold,
    /// `{"open": true}`.
    OnlineCare,
    /// A consultation at the site, from the site's region and location.
    Consultation,
    /// A written answer.
    ConsultationAnswer,
    /// A respiratory referral of a suspected case.
    ConsultationReferral,
    /// `{"slot_id": <the site's fixture slot>}`.
    ConsultationBooking,
}

/// One route: method, path template (`{facility}`, `{region}`, `{order}`, `{user}`,
/// `{referral}` are filled from the row's site; `{fresh_referral}`, `{fresh_offer}` and
/// `{accepted_referral}` are made for the row), body, and the expected status per role as
/// `[in, out]`.
struct Route {
    method: &'static str,
    path: &'static str,
    body: Body,
    expect: [[u16; 2]; 9],
}

const fn all(status: u16) -> [[u16; 2]; 9] {
    [[status; 2]; 9]
}

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    // Public: health, the API description, sign-in, regions and the facility directory.
    Route { method: "GET", path: "/healthz", body: Body::None, expect: all(200) },
    Route { method: "GET", path: "/readyz", body: Body::None, expect: all(200) },
    Route { method: "GET", path: "/api/v1/openapi.json", body: Body::None, expect: all(200) },
    Route { method: "POST", path: "/api/v1/auth/token", body: Body::SignIn, expect: all(200) },
    Route { method: "GET", path: "/api/v1/regions", body: Body::None, expect: all(200) },
    Route { method: "GET", path: "/api/v1/regions/{region}", body: Body::None, expect: all(200) },
    Route { method: "GET", path: "/api/v1/facilities?region={region}", body: Body::None, expect: all(200) },
    Route { method: "GET", path: "/api/v1/facilities/{facility}", body: Body::None, expect: all(200) },
    //                                                                          anon        nhc         hubei       wuhan       beijing     desk-union  dr-union    auditor     patient
    Route { method: "DELETE", path: "/api/v1/auth/token", body: Body::OwnToken,
        expect: [[401, 401], [204, 204], [204, 204], [204, 204], [204, 204], [204, 204], [204, 204], [204, 204], [204, 204]] },
    Route { method: "GET", path: "/api/v1/auth/me", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200]] },
    // The threshold in force is readable by every reader of capacity; setting it is for
    // coordinators of the region.
    Route { method: "GET", path: "/api/v1/regions/{region}/settings", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [403, 403]] },
    Route { method: "PUT", path: "/api/v1/regions/{region}/settings", body: Body::Settings,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Create facility: coordinators whose region contains it.
    Route { method: "POST", path: "/api/v1/facilities", body: Body::Facility,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Update facility: coordinators over it; the facility's own desk.
    Route { method: "PUT", path: "/api/v1/facilities/{facility}", body: Body::FacilityResave,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403]] },
    // Read capacity and designation history: coordinators (their subtree), desk and clinician
    // (their facility), auditors (all); never patients.
    Route { method: "GET", path: "/api/v1/capacity", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [403, 403]] },
    Route { method: "GET", path: "/api/v1/capacity?region={region}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [200, 200], [403, 403]] },
    Route { method: "GET", path: "/api/v1/capacity/series?region={region}&days=1", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [200, 200], [403, 403]] },
    Route { method: "GET", path: "/api/v1/facilities/{facility}/capacity", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [200, 200], [403, 403]] },
    Route { method: "GET", path: "/api/v1/facilities/{facility}/capacity/reports", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [200, 200], [403, 403]] },
    Route { method: "GET", path: "/api/v1/designation-orders?facility_id={facility}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [403, 403]] },
    Route { method: "GET", path: "/api/v1/designation-orders/{order}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [200, 200], [403, 403]] },
    // Report capacity: the facility's desk; coordinators over it.
    Route { method: "POST", path: "/api/v1/capacity/reports", body: Body::Report,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403]] },
    // Order designation: coordinators whose region contains the facility.
    Route { method: "POST", path: "/api/v1/designation-orders", body: Body::Order,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Rollups: coordinators (their subtree), auditors.
    Route { method: "GET", path: "/api/v1/rollups?region={region}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [200, 200], [403, 403]] },
    // Users: coordinators (their subtree; create roles below their own), auditors read.
    Route { method: "GET", path: "/api/v1/users", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [403, 403], [403, 403], [200, 200], [403, 403]] },
    Route { method: "GET", path: "/api/v1/users/{user}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [200, 200], [403, 403]] },
    Route { method: "POST", path: "/api/v1/users", body: Body::NewDesk,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Audit log: auditors, national coordinators.
    Route { method: "GET", path: "/api/v1/audit", body: Body::None,
        expect: [[401, 401], [200, 200], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [200, 200], [403, 403]] },
    // Referrals: filed by clinicians (their facility's province), coordinators (their region),
    // patients (themselves); read by the filer, the referring facility's clinicians, the desks
    // of facilities offered, coordinators over the patient's region; never by auditors.
    Route { method: "POST", path: "/api/v1/referrals", body: Body::Referral,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [403, 403], [201, 201], [403, 403], [201, 201]] },
    Route { method: "GET", path: "/api/v1/referrals", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [403, 403], [200, 200]] },
    Route { method: "GET", path: "/api/v1/referrals/{referral}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [403, 403], [404, 404]] },
    Route { method: "POST", path: "/api/v1/referrals/{fresh_referral}/cancel", body: Body::Cancel,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [200, 404], [403, 403], [404, 404]] },
    // Admission is marked by the desk of the facility that accepted the patient.
    Route { method: "POST", path: "/api/v1/referrals/{accepted_referral}/admit", body: Body::Empty,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [403, 403], [403, 403], [403, 403]] },
    // Directing a placement and asking the engine why: coordinators over the patient's region.
    Route { method: "POST", path: "/api/v1/referrals/{fresh_referral}/direct", body: Body::Direct,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/placement/referrals/{referral}/ranking", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // A desk's inbox and its answers: desks only, offers to their own facility.
    Route { method: "GET", path: "/api/v1/placement/offers", body: Body::None,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 200], [403, 403], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/placement/offers/{fresh_offer}/answer", body: Body::Accept,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [403, 403], [403, 403], [403, 403]] },
    // Batch plans: coordinators of the region preview, read and apply (a fresh plan per row).
    Route { method: "POST", path: "/api/v1/placement/plans", body: Body::Plan,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/placement/plans/{plan}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/placement/plans/{plan}/apply", body: Body::Empty,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Protected groups: coordinators of the region read the board and mark the groups.
    Route { method: "GET", path: "/api/v1/placement/protected-groups?region={region}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "PUT", path: "/api/v1/regions/{region}/protected-groups", body: Body::Groups,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Placement limits: read by anyone signed in, set by coordinators of the region.
    Route { method: "GET", path: "/api/v1/regions/{region}/placement-limits", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200]] },
    Route { method: "PUT", path: "/api/v1/regions/{region}/placement-limits", body: Body::Limits,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // The travel rule: read by anyone signed in, set and dropped by coordinators of the region.
    Route { method: "GET", path: "/api/v1/regions/{region}/travel-limits", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200]] },
    Route { method: "PUT", path: "/api/v1/regions/{region}/travel-limits", body: Body::Travel,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "DELETE", path: "/api/v1/regions/{region}/travel-limits", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Displacements: coordinators governing the facility preview, read and apply.
    Route { method: "POST", path: "/api/v1/placement/displacements", body: Body::Displacement,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/placement/displacements/{displacement}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/placement/displacements/{displacement}/apply", body: Body::Empty,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Booking: a desk (or a coordinator over the facility) publishes schedules; slots are
    // public; patients book for themselves and desks for walk-ins at their own facility; a
    // booking is read by its patient, its facility's desk and coordinators over it, and
    // cancelled by the desk (the patient's own cancel is in `booking.rs`).
    Route { method: "POST", path: "/api/v1/schedules", body: Body::Schedule,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/slots", body: Body::None, expect: all(200) },
    Route { method: "POST", path: "/api/v1/bookings", body: Body::Booking,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [201, 422], [403, 403], [403, 403], [201, 201]] },
    Route { method: "GET", path: "/api/v1/bookings", body: Body::None,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 200], [403, 403], [403, 403], [200, 200]] },
    Route { method: "GET", path: "/api/v1/bookings/{booking}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [404, 404]] },
    Route { method: "POST", path: "/api/v1/bookings/{fresh_booking}/cancel", body: Body::Cancel,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [403, 403], [403, 403], [404, 404]] },
    // Rescheduling: the patient (their own; `booking.rs`) or the facility's desk.
    Route { method: "POST", path: "/api/v1/bookings/{fresh_booking}/reschedule", body: Body::Reschedule,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [201, 404], [403, 403], [403, 403], [404, 404]] },
    // Notices: a patient's own, a desk's facility's.
    Route { method: "GET", path: "/api/v1/notices", body: Body::None,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 200], [403, 403], [403, 403], [200, 200]] },
    // Closures: declared by the facility's desk or a coordinator over it; read by capacity readers.
    Route { method: "POST", path: "/api/v1/facilities/{facility}/closures", body: Body::Closure,
        expect: [[401, 401], [201, 201], [201, 404], [201, 404], [201, 404], [201, 404], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/facilities/{facility}/closures", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [200, 200], [403, 403]] },
    // Booking limits: read by anyone signed in, set by coordinators of the region.
    Route { method: "GET", path: "/api/v1/regions/{region}/booking-limits", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200], [200, 200]] },
    Route { method: "PUT", path: "/api/v1/regions/{region}/booking-limits", body: Body::BookingLimits,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Waitlists: patients only, their own places (anyone else finds none). The fixture place
    // was left, so claiming it is refused (409) once authorised.
    Route { method: "POST", path: "/api/v1/waitlist", body: Body::Waitlist,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [201, 201]] },
    Route { method: "GET", path: "/api/v1/waitlist", body: Body::None,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [200, 200]] },
    Route { method: "GET", path: "/api/v1/waitlist/{waitlist}", body: Body::None,
        expect: [[401, 401], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [200, 200]] },
    Route { method: "POST", path: "/api/v1/waitlist/{waitlist}/claim", body: Body::None,
        expect: [[401, 401], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [409, 409]] },
    // Sign-up: anyone not signed in (staff book walk-ins under a pseudonym instead).
    Route { method: "POST", path: "/api/v1/patients", body: Body::SignUp,
        expect: [[201, 201], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/waitlist/{fresh_waitlist}/leave", body: Body::None,
        expect: [[401, 401], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [404, 404], [200, 200]] },
    // The online-registration rule: ordered by coordinators of the region (a region in the
    // body: 422 outside), read by anyone; check-ins by the facility's desk, read by it and by
    // coordinators over it; the effect by coordinators (a region outside theirs: 422).
    Route { method: "POST", path: "/api/v1/registration-orders", body: Body::Registration,
        expect: [[401, 401], [201, 201], [201, 422], [201, 422], [201, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/registration-orders/{registration_order}", body: Body::None, expect: all(200) },
    Route { method: "GET", path: "/api/v1/regions/{region}/registration-rule", body: Body::None, expect: all(200) },
    Route { method: "POST", path: "/api/v1/facilities/{facility}/check-ins", body: Body::CheckIn,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [201, 404], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/facilities/{facility}/check-ins", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/registration-effect?region={region}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 422], [200, 422], [200, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Fever clinics: the desk keeps its queue (a visit is moved by its own clinic's desk);
    // boards are read by the desk and coordinators over it; waits and thresholds are public;
    // alerts are the coordinators' (a region outside theirs: 422); thresholds are set by the
    // region's coordinators.
    Route { method: "POST", path: "/api/v1/facilities/{facility}/fever-queue", body: Body::FeverArrival,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [201, 404], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/facilities/{facility}/fever-queue", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/fever-visits/{fresh_fever_visit}/status", body: Body::FeverMove,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/fever-waits?region={region}", body: Body::None, expect: all(200) },
    Route { method: "GET", path: "/api/v1/fever-alerts?region={region}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 422], [200, 422], [200, 422], [403, 403], [403, 403], [403, 403], [403, 403]] },
    Route { method: "GET", path: "/api/v1/regions/{region}/fever-wait-threshold", body: Body::None, expect: all(200) },
    Route { method: "PUT", path: "/api/v1/regions/{region}/fever-wait-threshold", body: Body::Threshold,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403], [403, 403]] },
    // Online consultations: the list of facilities offering online care is public; opening it
    // is for the desk and coordinators over the facility; patients ask and read their own; the
    // facility's clinicians and desk read its queue, its clinicians take from it, and only the
    // clinician who took one answers, hands back, refers or books it (a clinician elsewhere
    // finds no such consultation). `{consultation}` is patient-demo's, withdrawn already (a
    // second withdrawal is a 409); `{taken_consultation}` is a new patient's, taken by
    // dr-union where it is Union's; `{queued_facility}` has one waiting.
    Route { method: "GET", path: "/api/v1/online-care?region={region}", body: Body::None, expect: all(200) },
    Route { method: "PUT", path: "/api/v1/facilities/{facility}/online-care", body: Body::OnlineCare,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [403, 403], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/consultations", body: Body::Consultation,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [201, 201]] },
    Route { method: "GET", path: "/api/v1/consultations", body: Body::None,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [200, 200]] },
    Route { method: "GET", path: "/api/v1/consultations/{consultation}", body: Body::None,
        expect: [[401, 401], [200, 200], [200, 404], [200, 404], [200, 404], [200, 404], [200, 404], [403, 403], [200, 200]] },
    Route { method: "POST", path: "/api/v1/consultations/{consultation}/withdraw", body: Body::None,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [409, 409]] },
    Route { method: "GET", path: "/api/v1/facilities/{facility}/consultations", body: Body::None,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [200, 404], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/facilities/{queued_facility}/consultations/next", body: Body::Empty,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/consultations/{taken_consultation}/answer", body: Body::ConsultationAnswer,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/consultations/{taken_consultation}/release", body: Body::Empty,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [200, 404], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/consultations/{taken_consultation}/referral", body: Body::ConsultationReferral,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [201, 404], [403, 403], [403, 403]] },
    Route { method: "POST", path: "/api/v1/consultations/{taken_consultation}/booking", body: Body::ConsultationBooking,
        expect: [[401, 401], [403, 403], [403, 403], [403, 403], [403, 403], [403, 403], [201, 404], [403, 403], [403, 403]] },
];

/// What the rows need to know about each site.
struct SiteIds {
    facility: String,
    region: String,
    location: serde_json::Value,
    order: String,
    user: String,
    /// The site's fixture desk (`fx-<site>`, password of `new_user`).
    desk: String,
    /// A referral of a patient in the site's region, directed to the site (so its desk sees
    /// it); Union's is filed by `dr-union`, the others by `nhc`.
    referral: String,
    /// A service the site books (its virus service at a virus-designated site), a slot of it
    /// with room for every row, and a walk-in booking its desk made.
    service: String,
    slot: String,
    booking: String,
    /// Another slot of the service, to reschedule to.
    slot2: String,
    /// A waitlist place of `patient-demo` at the site, joined and left.
    waitlist: String,
    /// A registration order for the site's region, in ten years.
    registration_order: String,
    /// patient-demo's consultation at the site, withdrawn.
    consultation: String,
}

struct Fixtures {
    sites: HashMap<Site, SiteIds>,
    /// `dr-union`, who takes the consultations rows answer.
    clinician: carebridge_domain::user::Principal,
    /// Numbers the patients made for consultations (each a new account, so no patient reaches
    /// the limit on open consultations).
    patients: std::sync::atomic::AtomicUsize,
}

impl Fixtures {
    /// Look the sites up, and as `nhc` give each an order (in ten years) and a desk account.
    async fn set_up(app: &TestApp) -> Self {
        let demo = app.load_demo().await;
        let far = app.now_plus_hours(24 * 3650);
        let mut sites = HashMap::new();
        for (site, id) in [
            (Site::Union, demo.union),
            (Site::Jinyintan, demo.jinyintan),
            (Site::Huanggang, demo.huanggang),
            (Site::Pumch, demo.beijing),
        ] {
            let facility = id.to_string();
            let f = app.get(&format!("/api/v1/facilities/{facility}"), None).await;
            assert_eq!(f.status, 200, "{}", f.text);
            let order = app
                .post_json("/api/v1/designation-orders", Some("nhc"), &designation_order(&facility, "general", &far))
                .await;
            assert_eq!(order.status, 201, "{}", order.text);
            let name = format!("fx-{site:?}").to_lowercase();
            let user =
                app.post_json("/api/v1/users", Some("nhc"), &new_user(&name, "facility_desk", Some(&facility))).await;
            assert_eq!(user.status, 201, "{}", user.text);
            let mut ids = SiteIds {
                region: f.json["region_code"].as_str().unwrap().to_string(),
                location: f.json["location"].clone(),
                order: order.json["id"].as_str().unwrap().to_string(),
                user: user.json["id"].as_str().unwrap().to_string(),
                desk: name,
                referral: String::new(),
                service: bookable_service(&f.json),
                slot: String::new(),
                booking: String::new(),
                slot2: String::new(),
                waitlist: String::new(),
                registration_order: String::new(),
                consultation: String::new(),
                facility,
            };
            ids.referral = directed_referral(app, site, &ids).await.0;
            let published = app.post_json("/api/v1/schedules", Some("nhc"), &schedule_body(&ids, "fixture", 500)).await;
            assert_eq!(published.status, 201, "{}", published.text);
            let slots = app.get(&format!("/api/v1/slots?facility_id={}&limit=2", ids.facility), None).await;
            assert_eq!(slots.status, 200, "{}", slots.text);
            ids.slot = slots.items()[0]["id"].as_str().expect("a slot").to_string();
            ids.slot2 = slots.items()[1]["id"].as_str().expect("a second slot").to_string();
            ids.booking = walk_in(app, &ids).await;
            ids.waitlist = waitlist_place(app, &ids).await;
            let left = app
                .post_json(&format!("/api/v1/waitlist/{}/leave", ids.waitlist), Some("patient-demo"), &json!({}))
                .await;
            assert_eq!(left.status, 200, "{}", left.text);
            let rule = app.post_json("/api/v1/registration-orders", Some("nhc"), &registration_body(&ids, &far)).await;
            assert_eq!(rule.status, 201, "{}", rule.text);
            ids.registration_order = rule.json["id"].as_str().unwrap().to_string();
            let care = format!("/api/v1/facilities/{}/online-care", ids.facility);
            let opened = app.put_json(&care, Some("nhc"), &json!({"open": true})).await;
            assert_eq!(opened.status, 200, "{}", opened.text);
            let asked = app.post_json("/api/v1/consultations", Some("patient-demo"), &consultation_body(&ids)).await;
            assert_eq!(asked.status, 201, "{}", asked.text);
            ids.consultation = asked.json["id"].as_str().unwrap().to_string();
            let withdraw = format!("/api/v1/consultations/{}/withdraw", ids.consultation);
            let withdrawn = app.post_json(&withdraw, Some("patient-demo"), &json!({})).await;
            assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
            sites.insert(site, ids);
        }
        let meta = carebridge_service::RequestMeta { request_id: Some("matrix".into()) };
        let clinician =
            app.cb.issue_token("dr-union", carebridge_e2e::app::DEMO_PASSWORD, &meta).await.unwrap().principal;
        Self { sites, clinician, patients: std::sync::atomic::AtomicUsize::new(0) }
    }

    /// A new patient's consultation at the site; taken by `dr-union` too when `take` and the
    /// site is his (everyone ahead of it in Union's queue is taken first).
    async fn consultation_at(&self, app: &TestApp, site: Site, take: bool) -> String {
        use carebridge_domain::user::{Principal, Role as UserRole, Scope as UserScope, User};
        let s = &self.sites[&site];
        let n = self.patients.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let user = User {
            id: carebridge_domain::ids::UserId::new_v7(),
            username: format!("mx-consulting-{n}"),
            role: UserRole::Patient,
            scope: UserScope::Own,
            display_name: String::new(),
            disabled: false,
        };
        // It never signs in: the rows act as other users on its consultation.
        let mut tx = app.cb.store.begin().await.unwrap();
        let placement = carebridge_store::users::UserPlacement { path: None, facility: None };
        carebridge_store::users::insert(&mut tx, &user, "!never-signs-in", placement, app.cb.now()).await.unwrap();
        tx.commit().await.unwrap();
        let patient =
            Principal { user_id: user.id, username: user.username, role: UserRole::Patient, scope: UserScope::Own };
        let meta = carebridge_service::RequestMeta { request_id: Some("matrix".into()) };
        let draft: carebridge_domain::consultation::ConsultationDraft =
            serde_json::from_value(consultation_body(s)).unwrap();
        let asked = app.cb.request_consultation(&patient, draft, &meta).await.unwrap();
        let id = asked.consultation.id;
        if take && site == Site::Union {
            let facility = asked.consultation.facility_id;
            while let Some(taken) = app.cb.take_next_consultation(&self.clinician, facility, &meta).await.unwrap() {
                if taken.consultation.id == id {
                    break;
                }
            }
        }
        id.to_string()
    }

    /// The row's path: the site's ids, and fixtures made for this row where it needs them.
    async fn path(&self, app: &TestApp, template: &str, site: Site) -> String {
        let s = &self.sites[&site];
        let mut path = template
            .replace("{facility}", &s.facility)
            .replace("{region}", &s.region)
            .replace("{order}", &s.order)
            .replace("{user}", &s.user)
            .replace("{referral}", &s.referral)
            .replace("{booking}", &s.booking)
            .replace("{waitlist}", &s.waitlist)
            .replace("{registration_order}", &s.registration_order)
            .replace("{consultation}", &s.consultation);
        if path.contains("{taken_consultation}") {
            path = path.replace("{taken_consultation}", &self.consultation_at(app, site, true).await);
        }
        if path.contains("{queued_facility}") {
            self.consultation_at(app, site, false).await;
            path = path.replace("{queued_facility}", &s.facility);
        }
        if path.contains("{fresh_waitlist}") {
            path = path.replace("{fresh_waitlist}", &waitlist_place(app, s).await);
        }
        if path.contains("{fresh_fever_visit}") {
            let token = app.fresh_token(&s.desk, "a-long-enough-password").await;
            let rb = app
                .request(Method::POST, &format!("/api/v1/facilities/{}/fever-queue", s.facility))
                .bearer_auth(token)
                .json(&json!({"patient_pseudonym": "mx-fever"}));
            let joined = app.send(rb).await;
            assert_eq!(joined.status, 201, "{}", joined.text);
            path = path.replace("{fresh_fever_visit}", joined.json["id"].as_str().unwrap());
        }
        if path.contains("{fresh_booking}") {
            path = path.replace("{fresh_booking}", &walk_in(app, s).await);
        }
        if path.contains("{fresh_referral}") || path.contains("{fresh_offer}") || path.contains("{accepted_referral}") {
            let (referral, offer) = directed_referral(app, site, s).await;
            if path.contains("{accepted_referral}") {
                let token = app.fresh_token(&s.desk, "a-long-enough-password").await;
                let rb = app
                    .request(Method::POST, &format!("/api/v1/placement/offers/{offer}/answer"))
                    .bearer_auth(token)
                    .json(&json!({"answer": "accept"}));
                let accepted = app.send(rb).await;
                assert_eq!(accepted.status, 200, "{}", accepted.text);
            }
            path = path
                .replace("{fresh_referral}", &referral)
                .replace("{accepted_referral}", &referral)
                .replace("{fresh_offer}", &offer);
        }
        if path.contains("{displacement}") {
            let d = app.post_json("/api/v1/placement/displacements", Some("nhc"), &displacement_body(app, s)).await;
            assert_eq!(d.status, 201, "{}", d.text);
            path = path.replace("{displacement}", d.json["id"].as_str().unwrap());
        }
        if path.contains("{plan}") {
            let plan = app.post_json("/api/v1/placement/plans", Some("nhc"), &json!({"region_code": s.region})).await;
            assert_eq!(plan.status, 201, "{}", plan.text);
            path = path.replace("{plan}", plan.json["id"].as_str().unwrap());
        }
        path
    }
}

/// A referral of a patient at `site` (filed by `dr-union` for Union, else by `nhc`) that `nhc`
/// directs to the site's facility: its id and the directed offer's.
async fn directed_referral(app: &TestApp, site: Site, ids: &SiteIds) -> (String, String) {
    let filer = if site == Site::Union { "dr-union" } else { "nhc" };
    let filed = app.post_json("/api/v1/referrals", Some(filer), &referral_body(ids)).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().unwrap().to_string();
    let body = direct_body(ids, "matrix fixture");
    let directed = app.post_json(&format!("/api/v1/referrals/{id}/direct"), Some("nhc"), &body).await;
    assert_eq!(directed.status, 200, "{}", directed.text);
    (id, directed.json["current_offer"]["id"].as_str().unwrap().to_string())
}

/// A directed placement to the site's facility. The matrix is about who may direct, not about
/// clinical fit (Jinyintan is virus-designated and offers no surgery): the fixture overrides
/// every constraint a directed placement checks.
fn direct_body(ids: &SiteIds, note: &str) -> serde_json::Value {
    let all: Vec<&str> = carebridge_domain::placement::Exclusion::ALL
        .iter()
        .filter(|e| **e != carebridge_domain::placement::Exclusion::AlreadyDeclined)
        .map(|e| e.as_str())
        .collect();
    json!({"facility_id": ids.facility, "note": note,
           "override": {"constraints": all, "reason": "authorisation matrix fixture"}})
}

/// A service of the facility that it may book: its virus service when designated for the virus.
fn bookable_service(facility: &serde_json::Value) -> String {
    let services: Vec<&str> = facility["services"].as_array().unwrap().iter().filter_map(|s| s.as_str()).collect();
    let virus = facility["designation"] == "virus_designated";
    let preferred: &[&str] =
        if virus { &["fever_clinic", "isolation_ward"] } else { &["internal_medicine", "emergency"] };
    preferred.iter().find(|s| services.contains(s)).copied().unwrap_or(services[0]).to_string()
}

/// A schedule of the site's service every day, for a clinician named `who`.
fn schedule_body(ids: &SiteIds, who: &str, capacity: i64) -> serde_json::Value {
    json!({"facility_id": ids.facility, "service": ids.service, "clinician": who,
           "templates": [{"weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00",
                          "slot_minutes": 60, "capacity": capacity}]})
}

/// A walk-in booking of the site's fixture slot by the site's desk; its id.
async fn walk_in(app: &TestApp, ids: &SiteIds) -> String {
    let token = app.fresh_token(&ids.desk, "a-long-enough-password").await;
    let rb = app
        .request(Method::POST, "/api/v1/bookings")
        .bearer_auth(token)
        .json(&json!({"slot_id": ids.slot, "patient_pseudonym": "mx-walk-in"}));
    let booked = app.send(rb).await;
    assert_eq!(booked.status, 201, "{}", booked.text);
    booked.json["id"].as_str().unwrap().to_string()
}

/// `patient-demo`'s open waitlist place at the site (joined now if it has none); its id.
async fn waitlist_place(app: &TestApp, ids: &SiteIds) -> String {
    let body = json!({"facility_id": ids.facility, "service": ids.service});
    let joined = app.post_json("/api/v1/waitlist", Some("patient-demo"), &body).await;
    if joined.status == 201 {
        return joined.json["id"].as_str().unwrap().to_string();
    }
    assert_eq!(joined.status, 409, "{}", joined.text);
    let mine = app.get("/api/v1/waitlist", Some("patient-demo")).await;
    mine.items()
        .iter()
        .find(|e| {
            e["facility_id"] == ids.facility.as_str()
                && e["service"] == ids.service.as_str()
                && e["status"] == "waiting"
        })
        .and_then(|e| e["id"].as_str())
        .expect("an open waitlist place")
        .to_string()
}

/// A registration rule for the site's region from `effective_at` (ten years on, so no other
/// row meets it in force).
fn registration_body(ids: &SiteIds, effective_at: &str) -> serde_json::Value {
    json!({"region_code": ids.region, "required": true, "exemptions": ["emergency", "fever"],
           "effective_at": effective_at, "reason": "matrix fixture", "order_number": "MX-R"})
}

/// A consultation at the site, asked from its region and location.
fn consultation_body(ids: &SiteIds) -> serde_json::Value {
    json!({"facility_id": ids.facility, "complaint": "matrix fixture: cough for a week", "age_band": "adult",
           "region_code": ids.region, "location": ids.location})
}

fn displacement_body(app: &TestApp, ids: &SiteIds) -> serde_json::Value {
    json!({
        "facility_id": ids.facility,
        "change": {"kind": "designation", "designation": "general"},
        "effective_at": app.now_plus_hours(24 * 3650),
        "reason": "matrix row",
        "order_number": "MX-1",
    })
}

fn referral_body(ids: &SiteIds) -> serde_json::Value {
    json!({
        "patient": {"pseudonym": "mx", "age_band": "adult", "location": ids.location,
                    "region_code": ids.region, "infection": "negative"},
        "need": "general_surgery",
        "urgency": "urgent",
    })
}

/// Run one row; `n` makes names unique.
async fn run_row(app: &TestApp, fx: &Fixtures, route: &Route, role: Role, scope: Scope, n: usize) -> (u16, String) {
    let site = site(role, scope);
    let path = fx.path(app, route.path, site).await;
    let method = Method::from_bytes(route.method.as_bytes()).expect("a method");
    let user = role.username();
    let ids = &fx.sites[&site];
    let now = app.now_plus_hours(0);
    let resp = match route.body {
        Body::None => app.call(method, &path, user, None).await,
        Body::SignIn => {
            let body = json!({"username": user.unwrap_or("auditor"), "password": carebridge_e2e::app::DEMO_PASSWORD});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::OwnToken => match user {
            Some(u) => {
                let token = app.fresh_token(u, carebridge_e2e::app::DEMO_PASSWORD).await;
                app.send(app.request(method, &path).bearer_auth(token)).await
            }
            None => app.call(method, &path, None, None).await,
        },
        Body::Facility => {
            let body = facility_draft(&ids.region, &format!("矩阵{n}"));
            app.call(method, &path, user, Some(&body)).await
        }
        Body::FacilityResave => {
            let current = app.get(&format!("/api/v1/facilities/{}", ids.facility), None).await;
            let etag = current.header("etag").expect("an ETag").to_string();
            let mut body = json!({});
            for field in [
                "name_zh",
                "name_en",
                "region_code",
                "level",
                "location",
                "address",
                "phone",
                "services",
                "takes_new_patients",
            ] {
                body[field] = current.json[field].clone();
            }
            let rb = app.request_as(method, &path, user).await.header("if-match", etag).json(&body);
            app.send(rb).await
        }
        Body::Report => app.call(method, &path, user, Some(&capacity_report(&ids.facility, &now, 20))).await,
        Body::Order => {
            let far = app.now_plus_hours(24 * 3650);
            app.call(method, &path, user, Some(&designation_order(&ids.facility, "general", &far))).await
        }
        Body::NewDesk => {
            let body = new_user(&format!("mx-{n}"), "facility_desk", Some(&ids.facility));
            app.call(method, &path, user, Some(&body)).await
        }
        Body::Settings => app.call(method, &path, user, Some(&json!({"stale_after_hours": 12}))).await,
        Body::Referral => app.call(method, &path, user, Some(&referral_body(ids))).await,
        Body::Cancel => app.call(method, &path, user, Some(&json!({"reason": "matrix row"}))).await,
        Body::Direct => app.call(method, &path, user, Some(&direct_body(ids, "matrix row"))).await,
        Body::Accept => app.call(method, &path, user, Some(&json!({"answer": "accept"}))).await,
        Body::Empty => app.call(method, &path, user, Some(&json!({}))).await,
        Body::Plan => app.call(method, &path, user, Some(&json!({"region_code": ids.region}))).await,
        Body::Displacement => app.call(method, &path, user, Some(&displacement_body(app, ids))).await,
        Body::Groups => app.call(method, &path, user, Some(&json!({"groups": ["dialysis", "maternity"]}))).await,
        Body::Limits => {
            let body = json!({"limits": [{"urgency": "emergency", "max_wait_minutes": 45, "hold_minutes": 20, "travel_limit_minutes": 90}]});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::Schedule => app.call(method, &path, user, Some(&schedule_body(ids, &format!("mx-{n}"), 1))).await,
        Body::Booking => {
            let body = json!({"slot_id": ids.slot, "patient_pseudonym": format!("mx-{n}")});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::Reschedule => app.call(method, &path, user, Some(&json!({"slot_id": ids.slot2}))).await,
        Body::Closure => {
            let day = carebridge_domain::booking::LocalDay::of(app.cb.now().plus_hours(24 * 365)).to_string();
            let body = json!({"service": ids.service, "from": day, "until": day, "reason": format!("matrix row {n}")});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::BookingLimits => {
            app.call(method, &path, user, Some(&json!({"limits": [{"service": null, "max_future": 3}]}))).await
        }
        Body::SignUp => {
            let body = json!({"username": format!("mx-patient-{n}"), "password": "a-long-enough-password", "contact": "+86 138 0013 8000"});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::Waitlist => {
            let body = json!({"facility_id": ids.facility, "service": ids.service});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::Registration => {
            let far = app.now_plus_hours(24 * 3650);
            app.call(method, &path, user, Some(&registration_body(ids, &far))).await
        }
        Body::CheckIn => {
            let body = json!({"service": ids.service, "patient_pseudonym": format!("mx-{n}")});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::FeverArrival => {
            app.call(method, &path, user, Some(&json!({"patient_pseudonym": format!("mx-{n}")}))).await
        }
        Body::FeverMove => app.call(method, &path, user, Some(&json!({"status": "left"}))).await,
        Body::Threshold => app.call(method, &path, user, Some(&json!({"minutes": 90}))).await,
        Body::OnlineCare => app.call(method, &path, user, Some(&json!({"open": true}))).await,
        Body::Consultation => app.call(method, &path, user, Some(&consultation_body(ids))).await,
        Body::ConsultationAnswer => {
            let body = json!({"answer": format!("matrix row {n}"), "medicines": [{"name": "paracetamol 500 mg"}]});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::ConsultationReferral => {
            let body = json!({"need": "respiratory", "urgency": "urgent", "infection": "suspected"});
            app.call(method, &path, user, Some(&body)).await
        }
        Body::ConsultationBooking => app.call(method, &path, user, Some(&json!({"slot_id": ids.slot}))).await,
        Body::Travel => {
            let body = json!({"recurring_session_minutes": 45, "recurring_cross_province": false, "one_off_cross_province": true});
            app.call(method, &path, user, Some(&body)).await
        }
    };
    let detail = resp.json["detail"].as_str().map(str::to_string).unwrap_or_default();
    (resp.status, format!("{path}: {detail}"))
}

/// `/api/v1/facilities/{facility}/capacity?x=1` → `/api/v1/facilities/{id}/capacity`, the
/// OpenAPI spelling.
fn openapi_path(template: &str) -> String {
    let path = template.split('?').next().unwrap_or(template);
    path.replace("{facility}", "{id}")
        .replace("{order}", "{id}")
        .replace("{user}", "{id}")
        .replace("{region}", "{code}")
        .replace("{referral}", "{id}")
        .replace("{booking}", "{id}")
        .replace("{fresh_booking}", "{id}")
        .replace("{fresh_waitlist}", "{id}")
        .replace("{waitlist}", "{id}")
        .replace("{registration_order}", "{id}")
        .replace("{fresh_fever_visit}", "{id}")
        .replace("{taken_consultation}", "{id}")
        .replace("{consultation}", "{id}")
        .replace("{queued_facility}", "{id}")
        .replace("{fresh_referral}", "{id}")
        .replace("{accepted_referral}", "{id}")
        .replace("{fresh_offer}", "{id}")
        .replace("{plan}", "{id}")
        .replace("{displacement}", "{id}")
}

both_backends!(every_route_answers_every_role_as_the_matrix_says, |app| async move {
    // A route added to the API without rows here fails this test rather than go unchecked.
    let doc = app.get("/api/v1/openapi.json", None).await;
    let covered: Vec<(String, String)> =
        ROUTES.iter().map(|r| (r.method.to_lowercase(), openapi_path(r.path))).collect();
    let mut uncovered = Vec::new();
    for (path, item) in doc.json["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            if !covered.contains(&(method.clone(), path.clone())) {
                uncovered.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(uncovered.is_empty(), "routes with no row in the matrix: {uncovered:?}");

    let fx = Fixtures::set_up(&app).await;
    let users: Vec<&str> = ROLES.iter().filter_map(|r| r.username()).collect();
    app.sign_in(&users).await;

    let mut mismatches = Vec::new();
    let mut rows = 0;
    for route in ROUTES {
        for (column, role) in ROLES.iter().enumerate() {
            for (scope, expected) in [(Scope::In, route.expect[column][0]), (Scope::Out, route.expect[column][1])] {
                rows += 1;
                let (got, detail) = run_row(&app, &fx, route, *role, scope, rows).await;
                if got != expected {
                    mismatches.push(format!(
                        "{} {} as {role:?} ({scope:?} scope): expected {expected}, got {got} — {detail}",
                        route.method, route.path
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {rows} rows disagree with the matrix:\n  {}",
        mismatches.len(),
        mismatches.join("\n  ")
    );
});
