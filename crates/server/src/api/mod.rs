//! The JSON API. Versioned under `/api/v1`; one module per area, the URL names the file.

pub mod v1;
