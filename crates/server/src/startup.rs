//! Building and running the server. `Application::build` binds first and reports the port, so
//! tests use port 0 and never race the listener; `run_until` drains in-flight requests on
//! shutdown (SIGTERM or Ctrl-C) so no confirmed write is cut off.

use crate::problem::Problem;
use crate::state::AppState;
use crate::{api, auth, body_limit, fhir, health, idempotency, web};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Router};
use carebridge_service::Carebridge;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body by default (1 MiB): a capacity report is a few hundred bytes, a bulk
/// upload a few hundred KB. `--body-limit` changes it.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How the server is reached and what it accepts.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind (`127.0.0.1:8080`; port 0 picks a free one).
    pub listen: String,
    /// The URL clients reach the server at (`https://beds.example.org`), when that is not the
    /// listen address (a proxy in front): FHIR's absolute `fullUrl`s are built from it.
    pub public_url: Option<String>,
    /// Largest request body in bytes; larger ones are answered 413 before they are read.
    pub body_limit: usize,
}

impl ServerConfig {
    /// Listen on `listen`, with the public URL taken from it and the default body limit.
    pub fn new(listen: impl Into<String>) -> Self {
        Self { listen: listen.into(), public_url: None, body_limit: BODY_LIMIT }
    }
}

/// A public URL as the base links are built from: `http` or `https`, a host, an optional path,
/// no query or fragment; the trailing slash dropped.
pub fn normalise_public_url(url: &str) -> Result<String, String> {
    let uri: axum::http::Uri = url.parse().map_err(|e| format!("public URL `{url}` is not a URL: {e}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(format!("public URL `{url}` must start with http:// or https://")),
    }
    if uri.authority().is_none_or(|a| a.host().is_empty()) {
        return Err(format!("public URL `{url}` names no host"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(format!("public URL `{url}` must not carry a query or a fragment"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A bound, not yet serving, application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    cb: Carebridge,
}

/// How often a running server sweeps referrals: expires holds, escalates long waits, retries
/// placements (see `carebridge_service::referrals`).
pub const SWEEP_EVERY: Duration = Duration::from_secs(5);

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Application {
    /// Bind the listener and assemble the router.
    pub async fn build(config: &ServerConfig, cb: Carebridge) -> std::io::Result<Self> {
        let public_url = match &config.public_url {
            Some(url) => {
                normalise_public_url(url).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?
            }
            None => String::new(),
        };
        let listener = TcpListener::bind(&config.listen).await?;
        let addr = listener.local_addr()?;
        let public_url = if public_url.is_empty() { format!("http://{addr}") } else { public_url };
        let state = AppState { cb: cb.clone(), public_url: public_url.into(), body_limit: config.body_limit };
        Ok(Self { listener, router: router(state), addr, cb })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Serve until `shutdown` resolves, then finish in-flight requests. The referral sweep runs
    /// beside the server and stops with it (a sweep cut off mid-step rolls its transaction
    /// back; the next start picks the work up again).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let sweeper = tokio::spawn(sweep_referrals(self.cb.clone()));
        let served = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
        sweeper.abort();
        served
    }
}

/// Sweep referrals every [`SWEEP_EVERY`], for ever, keep the booking horizon 14 days ahead,
/// and pass on waitlist offers nobody claimed; a failed step is logged and retried.
async fn sweep_referrals(cb: Carebridge) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match cb.sweep_referrals().await {
            Ok(done) if done != Default::default() => tracing::info!(?done, "referral sweep"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "referral sweep failed; retrying at the next tick"),
        }
        // Once a new local day begins, the slots that came into the booking horizon.
        match cb.extend_slot_horizon().await {
            Ok(0) => {}
            Ok(made) => tracing::info!(made, "slot horizon extended"),
            Err(e) => tracing::warn!(error = %e, "extending the slot horizon failed; retrying at the next tick"),
        }
        // Waitlist offers nobody claimed in time pass to the next in line.
        match cb.sweep_waitlist_offers().await {
            Ok(done) if done != Default::default() => tracing::info!(?done, "waitlist sweep"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "waitlist sweep failed; retrying at the next tick"),
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested: draining in-flight requests");
}

/// The whole router: API, FHIR, pages, health, with the cross-cutting layers.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The whole router with `extra` routes inside the same layers (tests use it to check that a
/// panicking handler answers 500 problem+json and the server keeps serving).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let body_limit = state.body_limit;
    let (api_router, openapi) = api::v1::router().split_for_parts();
    // Serialised once: the document is some 100 KB (the region codes) and never changes.
    let openapi = bytes::Bytes::from(serde_json::to_vec(&api::v1::document::complete(openapi)).unwrap_or_default());
    let api_router = api_router
        .route(
            "/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], doc) }
            }),
        )
        .layer(middleware::from_fn_with_state(state.clone(), idempotency::layer))
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed);

    Router::new()
        .nest("/api/v1", api_router)
        .nest("/fhir", fhir::router())
        .merge(web::router())
        .merge(extra)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .layer(middleware::map_response(problem_safety_net))
        .layer(middleware::from_fn_with_state(state.clone(), auth::bearer::layer))
        .layer(middleware::from_fn_with_state(state, body_limit::layer))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Unknown paths: an HTML page for browsers, a problem document for everyone else.
async fn not_found(state: axum::extract::State<AppState>, req: axum::extract::Request) -> Response {
    let wants_html =
        req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if wants_html {
        let (mut parts, _) = req.into_parts();
        return web::not_found_page(&state, &mut parts).await;
    }
    Problem::not_found().into_response()
}

async fn api_not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "No such API route; see /api/v1/openapi.json.")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "This route does not accept that method.",
    )
}

fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    Problem::internal(None).into_response()
}

/// Any 4xx/5xx that is not already a problem document (a rejection from a layer, a timeout)
/// becomes one, keeping `Allow`, `Retry-After` and `WWW-Authenticate`.
async fn problem_safety_net(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.starts_with("application/problem+json")
        || ct.starts_with("application/fhir+json")
        || ct.starts_with("text/html")
    {
        return res;
    }
    let (parts, _) = res.into_parts();
    let problem = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(status, "too-large", "Payload too large", "The body is larger than this endpoint accepts.")
        }
        StatusCode::REQUEST_TIMEOUT => Problem::new(status, "timeout", "Request timeout", "The request took too long."),
        s if s.is_server_error() => Problem::internal(None),
        s => Problem::new(
            s,
            "bad-request",
            s.canonical_reason().unwrap_or("Error"),
            s.canonical_reason().unwrap_or("Error"),
        ),
    };
    let mut out = problem.into_response();
    *out.status_mut() = status;
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}
