//! Shared state handed to every handler.

use carebridge_service::Carebridge;

#[derive(Clone, Debug)]
pub struct AppState {
    pub cb: Carebridge,
}
