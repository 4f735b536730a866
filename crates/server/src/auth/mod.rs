//! Who is calling: the extractors that turn a bearer token (API) or a session cookie (pages)
//! into a principal. The handler's signature states the role it needs.

mod extract;

pub use extract::{bearer_token, Caller, MaybeCaller, SESSION_COOKIE};
