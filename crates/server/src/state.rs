//! Shared state handed to every handler.

use carebridge_service::Carebridge;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub cb: Carebridge,
    /// The server's public base URL without a trailing slash (`https://beds.example.org`):
    /// FHIR's absolute `fullUrl`s and links are built from it. It comes from `--public-url`
    /// (`CAREBRIDGE_PUBLIC_URL`, `public_url` in the config) and defaults to the listen address.
    pub public_url: Arc<str>,
    /// Largest request body in bytes (`--body-limit`).
    pub body_limit: usize,
}

impl AppState {
    /// State for a router that is not bound to a public address (unit tests).
    pub fn new(cb: Carebridge) -> Self {
        Self { cb, public_url: Arc::from("http://localhost"), body_limit: crate::startup::BODY_LIMIT }
    }

    /// The FHIR base: `{public_url}/fhir`.
    pub fn fhir_base(&self) -> String {
        format!("{}/fhir", self.public_url)
    }
}
